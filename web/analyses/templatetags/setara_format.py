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
        "caution": _("use with caution (RSE 25–50%)"),
        "unreliable": _("unreliable (RSE above 50%)"),
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
