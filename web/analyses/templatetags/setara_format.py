"""Template filters: values in their unit and the BPS reliability marks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from analyses.dashboard import formatter

register = template.Library()

MARKS = {"caution": "*", "unreliable": "!", "small n": "n", "one PSU": "1", "empty": "–"}


@register.filter
def fmtval(value: float | None, fmt: str) -> str:
    return formatter(fmt)(value)


@register.filter
def mark(reliability: str | None) -> str:
    return MARKS.get(reliability or "", "")


@register.filter
def reliability_text(reliability: str | None) -> str:
    texts = {
        "reliable": _("reliable"),
        "caution": _("use with caution"),
        "unreliable": _("unreliable"),
        "small n": _("too few observations (n < 30)"),
        "one PSU": _("one PSU: no standard error"),
        "empty": _("no observations"),
    }
    return texts.get(reliability or "", reliability or "")


@register.filter
def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}%"


@register.filter
def pp(value: float | None) -> str:
    """A change of a share in percentage points (never "%")."""
    return formatter("pp")(value)


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)


DIFF_MARKS = {"above": "▲", "below": "▼", "not different": "="}


@register.filter
def diff_mark(flag: str | None) -> str:
    return DIFF_MARKS.get(flag or "", "")


@register.filter
def diff_text(flag: str | None) -> str:
    texts = {
        "above": _("significantly above the national figure"),
        "below": _("significantly below the national figure"),
        "not different": _("not significantly different from the national figure"),
    }
    return texts.get(flag or "", _("no comparison with the national figure"))


@register.filter
def reason_text(reason: str | None) -> str:
    """The engine's reliability reason (English, ``; ``-separated checks) in the active
    language: each check's leading words are translated, its figures kept."""
    if not reason:
        return ""
    words = [
        ("RSE undefined", _("RSE undefined")),
        ("relative CI width", _("relative CI width")),
        ("CI width", _("CI width")),
        ("effective n", _("effective n")),
        ("interval leaves", _("interval leaves")),
        ("no observations", _("no observations")),
        ("one PSU", _("one PSU")),
        ("df", _("degrees of freedom")),
    ]
    out = []
    for part in reason.split("; "):
        for english, local in words:
            if part.startswith(english):
                part = local + part[len(english) :]
                break
        out.append(part)
    return "; ".join(out)
