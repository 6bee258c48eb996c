"""The walkthrough in a real browser against real parts: gunicorn, the database-backed task
worker (``db_worker``), a SQLite file, and Debian's headless Chromium driven by Playwright.

Manager of Bappenas signs in, uploads a survey, maps its columns, validates and accepts it, runs
a diagnostic in the background, sees the map and the table, shares it with Bappeda Jawa Barat;
that agency's analyst then sees it read-only, while an outsider (Bappeda NTT) gets 404.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PASSWORD, login

pytestmark = pytest.mark.e2e


def test_walkthrough(server: str, browser: object, tmp_path: Path) -> None:
    from setara.demo import generate_survey

    survey = tmp_path / "susenas-demo.csv"
    generate_survey(10_000, seed=11).write_csv(survey)

    page = login(browser, server, "manajer.bappenas")
    page.goto(f"{server}/datasets/upload/")
    page.set_input_files("input[name=file]", str(survey))
    page.fill("input[name=name]", "Survey uploaded in the browser")
    page.click("main form button[type=submit]")
    page.wait_for_selector("#validate")
    assert page.input_value("select[name=weight]") == "weight"  # suggested from the name
    assert page.input_value("select[name=welfare]") == "expenditure_pc"
    page.click("#validate")
    page.wait_for_selector("#accept")
    assert page.locator(".badge.error").count() == 0
    page.click("#accept")
    page.click("main a.button[href*='/analyses/new/']")
    page.check("input[name=dimension][value=economic]")
    page.click("#run")
    page.wait_for_selector("#headline", timeout=120_000)  # the worker finished, page reloaded
    analysis_url = page.url
    assert page.locator("figure.map svg path").count() >= 33
    assert page.locator("#headline tbody tr").count() == 9
    page.get_by_label("Bappeda Provinsi Jawa Barat").check()
    page.click("button[name=share]")
    page.wait_for_selector(".messages")
    page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=False)

    reader = login(browser, server, "analis.jabar")
    reader.goto(analysis_url)
    assert reader.locator("#headline").count() == 1
    assert reader.locator("button[name=delete]").count() == 0
    assert reader.locator("button[name=share]").count() == 0
    assert reader.locator("figure.map svg").count() == 1

    outsider = login(browser, server, "viewer.ntt")
    response = outsider.goto(analysis_url)
    assert response is not None and response.status == 404


def test_programme_lab_walkthrough(server: str, browser: object) -> None:
    """Programmes from templates, a simulation run by the worker, the comparison page."""
    page = login(browser, server, "manajer.bappenas")
    for template, name in (("pkh", "PKH browser"), ("pip", "PIP browser")):
        page.goto(f"{server}/programmes/new/?template={template}")
        assert "figures_date" in page.input_value("textarea[name=spec]")
        page.fill("input[name=name]", name)
        page.click("#save-programme")
        page.wait_for_selector("#editor")  # the form editor; the YAML view is folded
    page.goto(f"{server}/simulations/new/")
    page.fill("input[name=title]", "PIP on PKH, browser")
    page.select_option("select[name=dataset_version]", index=1)
    page.locator("#id_baseline").get_by_label("PKH browser v1").check()
    page.locator("#id_scenario").get_by_label("PIP browser v1").check()
    page.fill("input[name=scenario_name]", "pip")
    page.click("#simulate")
    page.wait_for_selector("#impact-table", timeout=120_000)
    assert page.locator("figure.map svg path").count() >= 33
    assert page.locator("#programme-table tbody tr").count() >= 3
    assert page.locator("#winners-table tbody tr").count() == 11  # 10 deciles and all


A11Y_CHECK = """() => {
  const problems = [];
  if (!['id', 'en'].includes(document.documentElement.lang)) problems.push('html lang');
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.type === 'submit') continue;
    const named = el.labels.length > 0 || el.getAttribute('aria-label')
      || el.getAttribute('aria-labelledby');
    if (!named) problems.push('unlabelled ' + el.tagName + ' ' + (el.name || el.id));
  }
  for (const svg of document.querySelectorAll('svg')) {
    const ref = svg.getAttribute('aria-labelledby');
    if (svg.getAttribute('role') !== 'img' || !ref || !document.getElementById(ref.split(' ')[0]))
      problems.push('svg without role=img and a title');
  }
  const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
  const dup = ids.filter((id, i) => ids.indexOf(id) !== i);
  if (dup.length) problems.push('duplicate ids ' + [...new Set(dup)].slice(0, 5).join(','));
  if (!document.querySelector('h1')) problems.push('no h1');
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push('horizontal overflow ' + document.documentElement.scrollWidth);
  return problems;
}"""


@pytest.mark.parametrize("viewport", [(1366, 768), (768, 1024)], ids=["laptop", "tablet"])
def test_pages_are_accessible(server: str, browser: object, viewport: tuple[int, int]) -> None:
    """Labels, titled charts, unique ids, a heading, no sideways scrolling, keyboard skip link."""
    context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]})  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(f"{server}/login/")
    assert page.evaluate(A11Y_CHECK) == []
    page.fill("#id_username", "admin.bappenas")  # the field has autofocus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server}/")
    page.keyboard.press("Tab")  # the first stop is the skip link, which jumps to the content
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    paths = [
        "/",
        "/datasets/",
        "/datasets/upload/",
        "/analyses/",
        "/analyses/new/",
        "/boundaries/",
        "/agencies/",
        "/agencies/bappenas/members/",
        "/profile/",
        "/audit/",
    ]
    page.goto(f"{server}/analyses/")
    link = page.locator("main table a[href^='/analyses/']").first
    if link.count():
        paths.append(link.get_attribute("href"))
    for path in paths:
        page.goto(server + path)
        assert page.evaluate(A11Y_CHECK) == [], path
    context.close()
