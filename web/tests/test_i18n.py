"""Bahasa Indonesia translation: the catalogue is complete, compiled and used at runtime."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parents[1] / "locale" / "id" / "LC_MESSAGES"


def read_po(path: Path) -> list[tuple[str, str, list[str]]]:
    """(msgid, msgstr, flags) of each entry of a .po file; obsolete (#~) entries skipped."""
    entries: list[tuple[str, str, list[str]]] = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        parts: dict[str, list[str]] = {}
        flags: list[str] = []
        current = None
        for line in block.splitlines():
            if line.startswith("#,"):
                flags += [f.strip() for f in line[2:].split(",") if f.strip()]
            elif line.startswith("#"):
                continue
            elif line.startswith(("msgid ", "msgstr ", "msgctxt ", "msgid_plural ", "msgstr[")):
                current, rest = line.split(" ", 1)
                parts[current] = [ast.literal_eval(rest)]
            elif line.startswith('"') and current:
                parts[current].append(ast.literal_eval(line))
        if "msgid" in parts:
            msgstr = "".join(parts.get("msgstr", parts.get("msgstr[0]", [""])))
            context = "".join(parts.get("msgctxt", []))
            entries.append(("".join(parts["msgid"]), msgstr, [*flags, f"context:{context}"]))
    return entries


@pytest.fixture(scope="module")
def catalogue() -> list[tuple[str, str, list[str]]]:
    return [e for e in read_po(LC_MESSAGES / "django.po") if e[0]]  # skip the header


def test_catalogue_is_complete(catalogue):
    assert len(catalogue) > 200
    assert [msgid for msgid, msgstr, _ in catalogue if not msgstr.strip()] == []
    assert [msgid for msgid, _, flags in catalogue if "fuzzy" in flags] == []


def _translated(msgid: str, flags: list[str]) -> str:
    context = next(f for f in flags if f.startswith("context:"))[len("context:") :]
    return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def test_compiled_catalogue_is_current(catalogue):
    assert (LC_MESSAGES / "django.mo").is_file()
    with translation.override("id"):
        stale = [m for m, s, flags in catalogue if _translated(m, flags) != s]
    assert stale == []


def test_placeholders_are_kept(catalogue):
    for msgid, msgstr, flags in catalogue:
        if "python-format" in flags:
            for token in ("%(minutes)s", "%(mb)d", "%(n)d", "%%"):
                assert msgid.count(token) == msgstr.count(token), msgid


def test_key_terms():
    expected = {
        "Sign in": "Masuk",
        "Sign out": "Keluar",
        "Poverty headcount (P0)": "Persentase penduduk miskin (P0)",
        "Poverty gap (P1)": "Indeks kedalaman kemiskinan (P1)",
        "Poverty severity (P2)": "Indeks keparahan kemiskinan (P2)",
        "Gini index": "Rasio Gini",
        "Agency admin": "Admin instansi",
        "Welfare quintile": "Kuintil kesejahteraan",
        "Share read-only with": "Bagikan (hanya baca) dengan",
    }
    with translation.override("id"):
        assert {k: translation.gettext(k) for k in expected} == expected
    with translation.override("en"):
        assert translation.gettext("Sign in") == "Sign in"


def test_runtime_labels_are_collected(catalogue):
    """Labels defined as plain data are listed in i18n_runtime, hence in the catalogue."""
    from analyses.compute import indicators
    from datasets.mapping import ROLES
    from setara_web.i18n_runtime import RUNTIME_STRINGS

    labels = {i.label for d in ("economic", "education", "health") for i in indicators(d, "pl")}
    labels |= {role.label for role in ROLES}
    assert labels <= set(RUNTIME_STRINGS)
    translated = {msgid for msgid, msgstr, _ in catalogue if msgstr}
    assert set(RUNTIME_STRINGS) <= translated


def test_templates_render_translated():
    template = Template(
        '{% load i18n %}{% translate "95% CI" %}|{% translate label %}|{% translate "Sign in" %}'
    )
    with translation.override("id"):
        out = template.render(Context({"label": "School enrolment rate"}))
    assert out == "SK 95%|Angka partisipasi sekolah|Masuk"


def test_chart_words_match_the_charts_english() -> None:
    """The translated chart phrases are the viz layer's own English texts, key for key."""
    from analyses.chart_words import chart_words
    from django.utils import translation
    from setara_web.viz.words import DEFAULT

    with translation.override("en"):
        assert chart_words() == dict(DEFAULT)
    with translation.override("id"):
        indonesian = chart_words()
    assert indonesian.keys() == DEFAULT.keys()
    assert indonesian["range"] == "{low} sampai {high}"
    assert sum(indonesian[k] != DEFAULT[k] for k in DEFAULT) >= len(DEFAULT) - 2


@pytest.mark.django_db
def test_indonesian_user_gets_indonesian_pages_and_reports(world, as_persona) -> None:
    from agencies.actions import set_language
    from django.contrib.auth import get_user_model

    set_language(get_user_model().objects.get(username="reader"), "id")
    client = as_persona("reader")
    page = client.get(f"/analyses/{world['analysis'].pk}/").content.decode()
    assert "Estimasi utama" in page and "Persentase penduduk miskin (P0)" in page
    assert "sampai" in page  # chart legend ranges come from the translated chart words
    for fmt in ("pdf", "xlsx", "csv"):
        response = client.get(f"/analyses/{world['analysis'].pk}/export.{fmt}")
        assert response.status_code == 200, fmt
    assert response.content.startswith(b"indicator,label,")
