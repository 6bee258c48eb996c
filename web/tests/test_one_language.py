"""One language at a time: every page, rendered in Indonesian and in English, shows no word
of the other language (names, data values and codes allowed), and the catalogue is complete.

The pages are those of the permission matrix (``test_permissions.PAGES``) plus the lists and
forms, seen by the owner agency's admin, who sees every button. Words are checked one by one
against short lists of common words of the other language that never appear in names.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from test_permissions import PAGES

LISTS = [
    "/",
    "/datasets/",
    "/datasets/upload/",
    "/analyses/",
    "/analyses/new/",
    "/programmes/",
    "/programmes/new/",
    "/simulations/new/",
    "/boundaries/",
    "/agencies/",
    "/agencies/alpha/members/",
    "/audit/",
    "/profile/",
]
# Common English words that an Indonesian page never needs (names aside).
_ENGLISH = """the and with of by from for this that these are is was not none yes no all
    reliable unreliable caution baseline programmes programme curve download delete share
    shared estimate estimates province regency rows columns urban rural female male poorest
    richest households persons before after change changes version versions
    upload uploaded owner analysis analyses report reports sign out run again notes table
    share welfare poverty headcount decile quintile group groups agency agencies members
    language profile save cancel new edit view read only access published"""
ENGLISH = set(_ENGLISH.split())
# Common Indonesian words that an English page never needs (names such as "Kabupaten Bogor"
# or "Kota Tual" are data, so those words are not listed).
_INDONESIAN = """dan yang dengan menurut untuk tidak andal unduh sebelum sesudah kondisi dasar semua
    perkotaan perdesaan perempuan termiskin terkaya baris simpan hapus bagikan keluar
    kemiskinan ketimpangan penduduk rumah tangga laporan analisis"""
INDONESIAN = set(_INDONESIAN.split())
# Names in either language: the language switch offers the other language by its own name.
NAMES = {"english", "bahasa", "indonesia", "setara", "api", "csv", "xlsx", "pdf"}


class _Text(HTMLParser):
    """Visible text and the text of title, aria-label, placeholder and alt attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "textarea", "code", "pre"):
            self.skip += 1
        for name, value in attrs:
            if name in ("title", "aria-label", "placeholder", "alt") and value:
                self.parts.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "textarea", "code", "pre"):
            self.skip -= 1

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def visible_words(page: str) -> set[str]:
    parser = _Text()
    parser.feed(page)
    text = html.unescape(" ".join(parser.parts))
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", text)}


def _urls(world: dict[str, Any]) -> list[str]:
    pages = [url(world) for _n, method, url, _d, _k in PAGES if method == "get"]
    pages = [p for p in pages if not re.search(r"(export|report)\.\w+$|\.json$|^/api/", p)]
    return sorted({*pages, *LISTS, f"/analyses/{world['analysis'].pk}/regencies/"})


def _data_words(world: dict[str, Any]) -> set[str]:
    """Words of the data and of names the users typed: column names, object titles."""
    from programmes.models import Programme

    from setara.regions import read_provinces, read_regencies

    words = set()
    for table in (read_provinces(), read_regencies()):  # "Pangkajene dan Kepulauan"
        words |= {w.lower() for n in table["name"] for w in re.findall(r"[A-Za-z-]+", n)}
    for text in [
        *(c["name"] for c in world["version"].columns),
        *(v for v in (world["version"].mapping or {}).values()),
        world["dataset"].name,
        world["analysis"].title,
        world["report"].title,
        world["simulation"].title,
        world["simulation"].scenario_name,
        "Findings",  # the report's summary
        *Programme.objects.values_list("name", flat=True),
        *(a.name for a in world["agencies"].values()),
        *(a.slug for a in world["agencies"].values()),
        "admin manager analyst viewer reader outsider",
    ]:
        words |= {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", str(text))}
    return words


def _examples(world: dict[str, Any]) -> set[str]:
    """Example values of the columns: data, shown in the version page's preview only."""
    values = " ".join(v for c in world["version"].columns for v in c.get("examples", []))
    return {w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]*", values)}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "foreign"), [("id", ENGLISH), ("en", INDONESIAN)])
def test_every_page_in_one_language(
    world: dict[str, Any], as_persona: Any, language: str, foreign: set[str]
) -> None:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    set_language(get_user_model().objects.get(username="admin"), language)
    client = as_persona("admin")
    allowed = NAMES | _data_words(world)
    found = {}
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        shown = allowed | (_examples(world) if url.endswith("/v1/") else set())
        mixed = sorted((visible_words(response.content.decode()) & foreign) - shown)
        if mixed:
            found[url] = mixed
    assert found == {}, "\n".join(f"{u}: {w}" for u, w in found.items())


def test_visible_words_reads_text_and_labels_not_code() -> None:
    page = (
        '<p title="Unduh">Share <b>the</b> map</p><script>var the = 1</script>'
        '<code>reliable</code><button aria-label="Hapus">x</button>'
    )
    assert visible_words(page) == {"unduh", "share", "the", "map", "hapus", "x"}


def test_engine_messages_and_programme_templates_have_indonesian_text() -> None:
    """Every message template and every shipped programme template's name and source is in
    the catalogue (a changed English text would otherwise show untranslated)."""
    from django.utils import translation
    from programmes import specs
    from setara_web.messages import TEMPLATES, say

    english = [*TEMPLATES, *(t["name"] for t in specs.templates())]
    english += [" ".join(t["source"].split()) for t in specs.templates()]
    with translation.override("id"):
        untranslated = [t for t in english if translation.gettext(t) == t]
        sample = say("design accepted: weights 'w', 1,514 strata, 2,028 PSUs")
    assert untranslated == []
    assert sample == "desain diterima: bobot 'w', 1.514 strata, 2.028 PSU"
    with translation.override("en"):
        assert say("design accepted: weights 'w', 1,514 strata") == (
            "design accepted: weights 'w', 1,514 strata"
        )
        assert say("a message from nowhere") == "a message from nowhere"
