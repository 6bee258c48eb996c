"""The real parts the browser tests run against: gunicorn, the database-backed task worker
(``db_worker``), a SQLite file seeded with the demo agencies and users (``seed_demo --persons
0``), and Debian's headless Chromium driven by Playwright. One server per test module.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PASSWORD = "setara-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("SETARA_REQUIRE_E2E"):
            pytest.fail("Debian chromium is required for the browser tests")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    data = tmp_path_factory.mktemp("e2e-data")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_"))}
    env.update(
        SETARA_DATA_DIR=str(data),
        SETARA_HTTPS="0",
        SETARA_MANIFEST_STATIC="0",
        DJANGO_SETTINGS_MODULE="setara_web.settings",
        PYTHONPATH=os.pathsep.join(filter(None, [str(WEB), os.environ.get("PYTHONPATH")])),
    )
    env.pop("SETARA_TASK_BACKEND", None)
    manage = [sys.executable, str(WEB / "manage.py")]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=WEB)
    subprocess.run(
        [*manage, "seed_demo", "--persons", "0"], env=env, check=True, cwd=WEB, capture_output=True
    )
    for command in getattr(request.module, "SEED_COMMANDS", ()):  # a module's extra demo data
        subprocess.run([*manage, *command], env=env, check=True, cwd=WEB, capture_output=True)
    port = _free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    procs = [
        subprocess.Popen(
            [*manage, "db_worker", "--interval", "0.5", "--no-reload"], env=env, cwd=WEB
        ),
        subprocess.Popen(
            [
                gunicorn,
                "setara_web.wsgi",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            env=env,
            cwd=WEB,
        ),
    ]
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(f"{url}/health", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    try:
        yield url
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=20)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


def login(browser: object, url: str, username: str) -> object:
    context = browser.new_context()  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")
    return page
