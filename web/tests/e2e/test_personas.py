"""The three personas of issue 9, in a real browser, in Indonesian and in English.

1. A provincial analyst (Bappeda Jawa Barat) uploads a semicolon CSV with decimal commas in
   Windows-1252 with BPS codes, sets the code tables, runs a diagnostic and reads the breakdowns
   by their meanings; the regency page opens on her province.
2. A programme designer (Bappenas) makes a programme from a template, edits it with the form,
   reads the diff, simulates a scenario named in free text and reads the comparison.
3. A partner (World Bank) reads what Bappenas shared with it, follows the link to the dataset
   behind a shared analysis, sees no button it may not use and a styled, translated 404.

Every page visited is checked in the language of the walk (switched with the header's control):
no word of the other language (the word lists of ``test_one_language``), no chart text under
11 px on screen, and the site's stylesheet and header on every response.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from agencies.management.commands.seed_demo import AGENCIES
from test_one_language import ENGLISH, INDONESIAN, NAMES, visible_words

from .conftest import login

pytestmark = pytest.mark.e2e
LANGUAGES = ["id", "en"]
# Rendered size of every visible SVG text: computed font size times the SVG's scale on screen.
SMALL_CHART_TEXT = """() => {
  const small = [];
  for (const el of document.querySelectorAll('svg text')) {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || !el.textContent.trim()) continue;
    const m = el.getScreenCTM();
    const px = parseFloat(getComputedStyle(el).fontSize) * Math.hypot(m.a, m.b);
    if (px < 11) small.push(el.textContent.trim().slice(0, 30) + ' ' + px.toFixed(1) + 'px');
  }
  return small;
}"""
CHART_TEXTS = "() => document.querySelectorAll('svg text').length"
# Beyond the shared lists: dimension names, which a default title once carried in English.
FOREIGN = {"id": ENGLISH | {"economic", "education", "health"}, "en": INDONESIAN | {"ekonomi"}}
# Words of names and data that are neither language's prose.
DATA_WORDS = {
    "pkh", "analis", "jabar", "worldbank", "manajer", "persona", "now", "survei", "r105", "r405",
    "petugas", *re.findall(r"[a-z][a-z-]*", " ".join(a[1] for a in AGENCIES).lower()),
}  # fmt: skip


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where screenshots go: ``SETARA_E2E_SCREENSHOTS`` or a temporary directory."""
    chosen = os.environ.get("SETARA_E2E_SCREENSHOTS")
    path = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def titles() -> set[str]:
    """Words of default titles, given once in their creator's language ("…: ekonomi"): names,
    shown as they are to readers in the other language."""
    return set()


def _title_words(page: Any) -> set[str]:
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", page.inner_text("h1"))}


@pytest.fixture(scope="module")
def region_words() -> set[str]:
    from setara.regions import read_provinces, read_regencies

    words = set()
    for table in (read_provinces(), read_regencies()):
        words |= {w.lower() for n in table["name"] for w in re.findall(r"[A-Za-z-]+", n)}
    return words


class Walk:
    """A signed-in persona's browser tab that checks every page it lands on."""

    def __init__(
        self,
        page: Any,
        server: str,
        language: str,
        allowed: set[str],
        shots: Path,
        titles: set[str],
    ):
        self.page, self.server, self.language = page, server, language
        self.allowed = allowed | NAMES | DATA_WORDS
        self.titles = titles
        self.foreign = FOREIGN[language]
        self.shots = shots
        self.seen: list[str] = []
        self.chart_texts = 0
        if page.evaluate("document.documentElement.lang") != language:
            page.click(f"header form.language button[value={language}]")
            page.wait_for_load_state()
        self.check()

    def go(self, path: str, status: int = 200) -> Any:
        response = self.page.goto(self.server + path)
        assert response is not None and response.status == status, (path, response.status)
        self.check()
        return response

    def click(
        self,
        selector: str,
        *,
        wait: str | None = None,
        timeout: float = 30_000,
        code: frozenset[str] = frozenset(),
    ) -> None:
        """Click, wait for ``wait``, check the page (``code``: words of quoted variable names)."""
        self.page.click(selector)
        if wait:
            self.page.wait_for_selector(wait, timeout=timeout)
        self.page.wait_for_load_state()
        self.check(code)

    def check(self, extra: frozenset[str] = frozenset()) -> None:
        """One language, readable charts, the site's page around every response."""
        page, where = self.page, self.page.url
        assert page.evaluate("document.documentElement.lang") == self.language, where
        assert page.locator("link[rel=stylesheet][href*='setara']").count() == 1, where
        assert page.locator("header.top a.brand").count() == 1, where
        assert page.locator("main h1").count() >= 1, where
        html = page.content()
        mixed = sorted((visible_words(html) & self.foreign) - self.allowed - self.titles - extra)
        if mixed:
            (self.shots / f"mixed-{self.language}.html").write_text(html)
        assert mixed == [], f"{where} ({self.language}): {mixed}"
        assert page.evaluate(SMALL_CHART_TEXT) == [], where
        self.chart_texts += page.evaluate(CHART_TEXTS)
        self.seen.append(where)

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}-{self.language}.png"), full_page=True)


def _data_words(frame: Any) -> set[str]:
    """Words of the data: column names and the values of text columns (shown as examples)."""
    import polars as pl

    text = " ".join(frame.columns)
    for name, dtype in frame.schema.items():
        if dtype == pl.String and frame[name].n_unique() < 50:
            text += " " + " ".join(frame[name].drop_nulls().unique().to_list())
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)}


@pytest.fixture(scope="module")
def walker(server: str, browser: Any, shots: Path, titles: set[str]) -> Any:
    """``walker(username, language, allowed)``: a signed-in, checking tab in ``language``."""

    def walk(username: str, language: str, allowed: set[str]) -> Walk:
        return Walk(login(browser, server, username), server, language, allowed, shots, titles)

    return walk


def _bps_csv(path: Path) -> tuple[Path, set[str]]:
    """The demo survey as Indonesian Excel saves it: ``;``, decimal comma, Windows-1252,
    urban/rural as R105 (1 urban, 2 rural) and sex as R405 (1 male, 2 female)."""
    import polars as pl

    from setara.demo import generate_survey

    frame = generate_survey(10_000, seed=11).with_columns(
        R105=pl.when(pl.col("urban")).then(1).otherwise(2),
        R405=pl.when(pl.col("sex") == "male").then(1).otherwise(2),
        petugas=pl.lit("Désirée"),  # a character that Windows-1252 writes as one byte
    )
    frame = frame.drop("urban", "sex")
    frame = frame.select("R105", "R405", *[c for c in frame.columns if c[0] != "R"])
    text = frame.write_csv(separator=";", decimal_comma=True)
    path.write_bytes(text.encode("cp1252"))
    return path, _data_words(frame)


@pytest.fixture(scope="module")
def shared(server: str, browser: Any, titles: set[str]) -> dict[str, Any]:
    """Bappenas's survey, accepted, with a diagnostic shared with the World Bank through the
    sharing form by Bappenas's manager. Simulations shared by persona 2 are added here."""
    import io

    from setara.demo import generate_survey

    page = login(browser, server, "manajer.bappenas")
    buffer = io.BytesIO()
    generate_survey(10_000, seed=5).write_parquet(buffer)
    page.goto(f"{server}/datasets/upload/")
    page.set_input_files(
        "input[name=file]",
        {
            "name": "susenas.parquet",
            "mimeType": "application/octet-stream",
            "buffer": buffer.getvalue(),
        },
    )
    page.fill("input[name=name]", "Survei nasional Bappenas")
    page.click("main form button[type=submit]")
    page.click("#validate")
    page.click("#accept")
    page.click("main a.button[href*='/analyses/new/']")
    page.check("input[name=dimension][value=economic]")
    page.click("#run")
    page.wait_for_selector("#headline", timeout=120_000)
    page.get_by_label("World Bank Jakarta").check()
    page.click("button[name=share]")
    page.wait_for_selector(".messages")
    analysis = page.url.removeprefix(server)
    titles.update(_title_words(page))
    page.context.close()
    return {"analysis": analysis, "words": _data_words(generate_survey(10_000, seed=5))}


@pytest.mark.parametrize("language", LANGUAGES)
def test_provincial_analyst(
    server: str,
    walker: Any,
    tmp_path: Path,
    titles: set[str],
    region_words: set[str],
    language: str,
) -> None:
    csv, words = _bps_csv(tmp_path / "susenas-jabar.csv")
    walk = walker("analis.jabar", language, region_words)
    walk.allowed |= words
    page = walk.page
    walk.go("/datasets/upload/")
    page.set_input_files("input[name=file]", str(csv))
    page.fill("input[name=name]", f"Susenas Jabar {language}")
    walk.click("main form button[type=submit]", wait="#validate")
    dialect = page.inner_text("#csv-dialect").lower()
    expected = {
        "id": ("titik koma", "desimal koma", "windows-1252"),
        "en": ("semicolon", "decimal comma", "windows-1252"),
    }[language]
    assert all(part in dialect for part in expected), dialect
    page.select_option("select[name=urban]", "R105")
    page.select_option("select[name=sex]", "R405")
    walk.click("#validate", wait="#codes-urban")
    page.select_option("select[name=codes-preset-urban]", "urban_r105")
    page.select_option("select[name=codes-preset-sex]", "sex_1_2")
    walk.shot("1-mapping")
    walk.click("#validate", wait="#accept")
    assert page.locator(".badge.error").count() == 0
    walk.click("#accept")
    walk.click("main a.button[href*='/analyses/new/']")
    page.check("input[name=dimension][value=economic]")
    for name in ("sex", "urban"):
        box = page.locator(f"input[name=breakdowns][value={name}]")
        if box.count():
            box.check()
    walk.click("#run", wait="#headline", timeout=120_000)
    analysis = page.url.removeprefix(server)
    titles.update(_title_words(page))
    walk.shot("1-analysis")
    words = visible_words(page.content())
    meanings = (
        {"perkotaan", "perdesaan", "laki-laki", "perempuan"}
        if language == "id"
        else {"urban", "rural", "male", "female"}
    )
    assert meanings <= words, meanings - words
    rows = page.locator("main table th[scope=row], main table td:first-child").all_inner_texts()
    assert not {"1", "2"} & {r.strip() for r in rows}, "codes shown instead of meanings"
    walk.go(f"{analysis}regencies/")
    assert page.input_value("select#province") == "32"
    codes = page.locator("main table tbody tr td:first-child").all_inner_texts()
    assert codes and all(c.strip().startswith("32") for c in codes), codes[:5]
    walk.shot("1-regencies")
    assert walk.chart_texts > 0  # the checks of chart text measured something


@pytest.mark.parametrize("language", LANGUAGES)
def test_programme_designer(
    server: str, walker: Any, shared: dict[str, Any], language: str
) -> None:
    walk = walker("analis.bappenas", language, shared["words"])
    page = walk.page
    baseline, name = f"PKH now {language}", f"PKH persona {language}"
    for title in (baseline, name):  # the programme in place, and the one to redesign
        walk.go("/programmes/new/?template=pkh")
        page.fill("input[name=name]", title)
        walk.click("#save-programme", wait="#editor")
    programme = page.url.removeprefix(server)
    # A typo in the condition is caught on save, with the variable it probably meant.
    page.fill("#id_eligibility", "welfare_decil <= 3")
    walk.click("#save-form", wait=".error", code=frozenset({"welfare", "decil", "decile"}))
    assert "welfare_decile" in page.inner_text("main"), "no suggestion for the typo"
    # The form's common edits: eligibility, an amount, a budget ceiling rationed poorest first.
    page.fill("#id_eligibility", "welfare_decile <= 3 and any(age <= 6)")
    amount = page.locator("#editor input[name^=param__]").first
    amount.fill("3500000")
    page.fill("#id_ceiling", "20000000000000")
    page.select_option("#id_rationing", "poorest_first")
    page.fill("#id_note", "persona")
    walk.click("#save-form")
    walk.go(f"{programme}v2/")
    added = " ".join(page.locator("pre.diff .diff-add").all_inner_texts())
    removed = " ".join(page.locator("pre.diff .diff-remove").all_inner_texts())
    assert "3500000" in added and "welfare_decile <= 3" in added, added
    assert "20000000000000" in added and "poorest_first" in added, added
    assert removed, "the diff shows no removed line"
    walk.shot("2-diff")
    walk.go("/simulations/new/")
    page.fill("input[name=title]", f"PKH 2026 persona {language}")
    page.select_option("select[name=dataset_version]", index=1)
    page.locator("#id_baseline").get_by_label(f"{baseline} v1").check()
    page.locator("#id_scenario").get_by_label(f"{name} v2").check()
    page.fill("input[name=scenario_name]", "PKH 2026")  # free text, not a slug
    walk.click("#simulate", wait="#impact-table", timeout=120_000)
    assert "PKH 2026" in page.inner_text("#impact-table thead")
    assert page.locator("#programme-table tbody tr").count() >= 2
    simulation = page.url.removeprefix(server)
    walk.shot("2-simulation")
    assert walk.chart_texts > 0
    # Bappenas's manager shares the simulation with the partner through the sharing form.
    manager = walker("manajer.bappenas", language, shared["words"])
    manager.go(simulation)
    manager.page.get_by_label("World Bank Jakarta").check()
    manager.click("button[name=share]", wait=".messages")
    shared.setdefault("simulations", []).append(simulation)


@pytest.mark.parametrize("language", LANGUAGES)
def test_partner(server: str, walker: Any, shared: dict[str, Any], language: str) -> None:
    assert shared.get("simulations"), "run with test_programme_designer, which shares one"
    walk = walker("partner.worldbank", language, shared["words"])
    page = walk.page
    for path, start in (("/datasets/", "/datasets/upload/"), ("/analyses/", "/analyses/new/")):
        walk.go(path)
        assert page.locator(f"main a[href^='{start}']").count() == 0, path
    walk.go("/programmes/")
    assert (
        page.locator("main a[href^='/programmes/new/'], main a[href^='/simulations/new/']").count()
        == 0
    )
    walk.go(shared["analysis"])
    assert page.locator("#headline").count() == 1
    _no_owner_buttons(page)
    walk.shot("3-analysis")
    walk.click("main p.meta a")  # the dataset behind the analysis: its metadata page
    assert page.locator("main h1").inner_text().startswith("Survei nasional Bappenas")
    _no_owner_buttons(page)
    walk.shot("3-dataset")
    for simulation in shared["simulations"]:
        walk.go(simulation)
        assert page.locator("#impact-table").count() == 1
        _no_owner_buttons(page)
        links = page.locator("p.meta a[href*='/programmes/']")
        assert links.count() >= 2
        for href in {links.nth(i).get_attribute("href") for i in range(links.count())}:
            walk.go(href)  # the programme version behind it reads, not 404
            assert "eligibility" in page.inner_text("main")
    walk.go("/analyses/999999/", status=404)
    assert page.locator("main h1").count() == 1
    walk.shot("3-not-found")
    walk.go("/datasets/upload/", status=403)
    walk.shot("3-forbidden")


def _no_owner_buttons(page: Any) -> None:
    """A reader sees no delete, share, publish, upload or new-version control."""
    for selector in (
        "button[name=delete]",
        "button[name=share]",
        "button[name=published]",
        "main a[href*='/upload/']",
        "#save-version",
    ):
        assert page.locator(selector).count() == 0, (page.url, selector)


def test_small_chart_text_is_measured_on_screen(browser: Any) -> None:
    """The measure multiplies font size by the SVG's scale: 14 units in a viewBox drawn at a
    third of its width is 4.7 px and is caught; 33 units at the same scale is 11 px and is not."""
    page = browser.new_page(viewport={"width": 400, "height": 300})
    page.set_content(
        '<svg viewBox="0 0 900 300" width="300" role="img">'
        '<text x="10" y="50" font-size="14">tiny</text>'
        '<text x="10" y="150" font-size="33">fine</text>'
        '<text x="10" y="250" font-size="14" style="display:none">hidden</text></svg>'
    )
    assert page.evaluate(SMALL_CHART_TEXT) == ["tiny 4.7px"]
    page.close()
