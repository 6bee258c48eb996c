"""Template filters: values in their unit and the BPS reliability marks."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from setara_web import messages, numbers

from analyses import report_words
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
def pp(value: float | None) -> str:
    """A change of a share in percentage points (never "%")."""
    return formatter("pp", get_language())(value)


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
    language: each check's leading words translated, its figures in the reader's style."""
    return report_words.reason_text(reason)


@register.filter(name="say")
def say_filter(message: str | None) -> str:
    """An engine or validation message in the reader's language (``setara_web.messages``)."""
    return messages.say(str(message or ""))


@register.filter
def object_kind(kind: str | None) -> str:
    return messages.object_kind(kind or "")


@register.filter
def role_label(role: str | None) -> str:
    """A column role (``weight``, ``welfare``) by its label in the reader's language."""
    from datasets.mapping import ROLES

    labels = {r.key: r.label for r in ROLES}
    return _(labels[role]) if role in labels else (role or "")


@register.filter
def check_status(status: str | None) -> str:
    """A validation check's status word (ok, warning, error) in the reader's language."""
    words = {"ok": _("ok"), "warning": _("warning"), "error": _("error")}
    return words.get(status or "", status or "")


@register.filter
def meaning(value: str | None) -> str:
    """A code's meaning (``urban``, ``female``, ``yes``, ``private``) in the reader's
    language."""
    from datasets.forms import MEANING_LABELS

    return str(MEANING_LABELS.get(value or "", value or ""))


@register.filter
def when(moment: Any, with_time: str = "") -> str:
    """A date (with ``"time"``, its hour and minute) as the reader writes it, in local time:
    ``29 November 2026, 14.05`` in Indonesian, ``29 November 2026, 14:05`` in English."""
    if not moment:
        return "–"
    from django.utils import timezone

    if getattr(moment, "tzinfo", None) is not None:
        moment = timezone.localtime(moment)
    return numbers.date_text(moment, language=get_language(), time=with_time == "time")


@register.filter
def group_name(column: str | None) -> str:
    """A group column of a villages file in the reader's words when its name is a common one
    (``poor``, ``urban``, ``is_3t``, ...); any other column name as it is."""
    from services.words import group_name as words_group_name

    return words_group_name(column)
