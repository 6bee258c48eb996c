"""Template filters: values in their unit and the BPS reliability marks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from setara_web import numbers

from analyses.dashboard import formatter
from analyses.report_words import reliability_words

register = template.Library()

MARKS = {"caution": "*", "unreliable": "!", "small n": "n", "one PSU": "1", "empty": "–"}


@register.filter
def fmtval(value: float | None, fmt: str) -> str:
    return formatter(fmt, get_language())(value)


@register.filter
def mark(reliability: str | None) -> str:
    return MARKS.get(reliability or "", "")


@register.filter
def reliability_text(reliability: str | None) -> str:
    return reliability_words().get(reliability or "", reliability or "")


@register.filter
def pct(value: float | None) -> str:
    return numbers.percent(value, 1, language=get_language())


@register.filter
def num(value: float | None, decimals: int = 0) -> str:
    """A count or amount with thousands grouped in the reader's style (1.532.173)."""
    return numbers.number(value, int(decimals), language=get_language())


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key)
