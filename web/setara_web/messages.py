"""Messages written in English by the engine and the validation, shown in the reader's language.

The library and the stored validation reports hold finished English sentences. Rather than
change what is stored, the web layer keeps a catalogue of their templates: each English
template (``{name}`` placeholders) is a ``msgid``; :func:`say` finds the template a message was
made from, translates it, and fills in the same values, numbers rewritten in the reader's style
(``1,028`` → ``1.028``) and known words (``economic``, ``none``) translated. A message that
matches no template is shown as it is, so nothing is ever hidden.

Examples
--------
>>> from django.utils import translation
>>> with translation.override("id"):
...     say("10,000 rows, 15 columns; analyses possible: economic, health")
'10.000 baris, 15 kolom; analisis yang dapat dijalankan: ekonomi, kesehatan'
"""

from __future__ import annotations

import functools
import re

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from setara_web import numbers

TEMPLATES = (
    # datasets/validation.py
    gettext_noop("{column} is {dtype}, not numeric"),
    gettext_noop("{column} has {count} missing values in {rows} rows"),
    gettext_noop(
        "{column} has {count} non-positive values in {rows} rows (left out of measures that "
        "need positive welfare)"
    ),
    gettext_noop("age column {column} has {count} values outside 0-130"),
    gettext_noop("{column} has {count} values that are not yes/no or 0/1"),
    gettext_noop("{column} has {count} values other than 0 and 1"),
    gettext_noop(
        "{column} has {count} rows with codes that are not official kode wilayah (e.g. {examples})"
    ),
    gettext_noop("{column} has {count} missing codes"),
    gettext_noop("the file has no rows"),
    gettext_noop("map the roles of at least one analysis ({needs})"),
    gettext_noop("design accepted: weights {weight}, {strata} strata, {psus} PSUs"),
    gettext_noop("design accepted: weights {weight}, {strata} strata"),
    gettext_noop("design accepted: weights {weight}, {psus} PSUs"),
    gettext_noop("design accepted: weights {weight}"),
    gettext_noop(
        "no PSU mapped: standard errors assume each row was sampled independently, which "
        "understates them for a clustered survey"
    ),
    gettext_noop("{rows} rows, {columns} columns; analyses possible: {dimensions}"),
    # setara/csv_dialect.py: notes on how a CSV file was read
    gettext_noop("not valid UTF-8: read as Windows-1252"),
    gettext_noop(
        "numbers such as 1.234 or 1,234 could be read either way: read with decimal comma "
        "(the usual mark of semicolon-separated files)"
    ),
    gettext_noop(
        "numbers such as 1.234 or 1,234 could be read either way: read with decimal point "
        "(the usual mark of tab-separated files)"
    ),
    gettext_noop(
        "numbers such as 1.234 or 1,234 could be read either way: read with decimal point "
        "(the usual mark of pipe-separated files)"
    ),
    # setara/programmes/rationing.py, prefixed by the run's name in simulate.py
    gettext_noop(
        "{scenario}: {programme}: budget binding ({rationing}, passing over units that do not "
        "fit); {funded} of {units} units funded (cost {cost} > ceiling {ceiling}); {unspent} of "
        "the ceiling unspent, {unfunded} eligible units ({sample} in the data) unfunded"
    ),
    gettext_noop(
        "{scenario}: {programme}: budget binding ({rationing}, stopping at the first unit that "
        "does not fit); {funded} of {units} units funded (cost {cost} > ceiling {ceiling}); "
        "{unspent} of the ceiling unspent, {unfunded} eligible units ({sample} in the data) "
        "unfunded"
    ),
    gettext_noop(
        "{scenario}: {programme}: budget binding; every benefit scaled by {factor} (cost {cost} "
        "> ceiling {ceiling})"
    ),
    # setara.programmes.lab: targeting rules
    gettext_noop("bottom {share} by out-of-fold PMT score ({folds} folds)"),
    gettext_noop("{count} of {total} regions: {codes}"),
    gettext_noop("everyone"),
    # setara.estimation, setara.decomposition, setara.analysis: rows an estimate left out
    # (the more specific templates first: the first that matches is used)
    gettext_noop("{role} column {column}: {count} rows with missing values left out"),
    gettext_noop(
        "welfare column {column}: {count} rows with missing values left out of every estimate"
    ),
    gettext_noop(
        "{measure}: {count} rows with zero or negative {column} treated as outside the domain"
    ),
    gettext_noop("{measure}: {count} rows with missing {column} left out"),
    # setara.monitoring.completeness: a regency's report missing districts (web quality.py)
    gettext_noop(
        "{missing} of {expected} expected regions have no row in period {period}: {codes}"
    ),
    # agencies/models.py: Profile.__str__, as the audit trail stores it
    gettext_noop("profile of {user}"),
)
_NUMBER = re.compile(r"-?\d{1,3}(?:,\d{3})*(?:\.\d+)?%?|-?\d+(?:\.\d+)?%?")


def _words() -> dict[str, str]:
    return {
        "economic": _("economic"),
        "education": _("education"),
        "health": _("health"),
        "none": _("none"),
        "baseline": _("baseline"),
        "poorest_first": _("poorest first"),
        "pro_rata": _("pro rata (every benefit scaled)"),
        "regional_quotas": _("regional quotas"),
    }


@functools.cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    out = []
    for template in TEMPLATES:
        parts = re.split(r"\{(\w+)\}", template)
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)
        )
        out.append((re.compile(regex + r"\Z", re.S), template))
    return out


def _value(text: str, language: str) -> str:
    """A filled-in value in the reader's style: numbers rewritten, known words translated."""
    if _NUMBER.fullmatch(text):
        percent = text.endswith("%")
        digits = text.rstrip("%").replace(",", "")
        decimals = len(digits.partition(".")[2])
        written = numbers.number(float(digits), decimals, language=language)
        return written + ("%" if percent else "")
    words = _words()
    items = text.split(", ")
    if all(item in words for item in items):
        return ", ".join(words[item] for item in items)
    return text


def object_kind(kind: str) -> str:
    """The audit trail's object type (a model name) in the active language."""
    kinds = {
        "agency": _("agency"),
        "membership": _("membership"),
        "user": _("user"),
        "profile": _("profile"),
        "api token": _("API token"),
        "audit trail": _("audit trail"),
        "invitation": _("invitation"),
        "dataset": _("dataset"),
        "dataset version": _("dataset version"),
        "analysis": _("analysis"),
        "report": _("report"),
        "boundary": _("boundaries"),
        "programme": _("programme"),
        "programme version": _("programme version"),
        "simulation": _("simulation"),
    }
    return kinds.get(kind, kind)


def say(message: str) -> str:
    """``message`` in the active language when it was made from a known template."""
    language = get_language() or "en"
    for pattern, template in _patterns():
        found = pattern.match(message)
        if found:
            values = {k: _value(v, language) for k, v in found.groupdict().items()}
            return _(template).format(**values)
    return message
