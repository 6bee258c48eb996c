"""Numbers, percentages and dates written the reader's way (no Django import).

Indonesian writes 1.532.173 and 9,8% (BPS publications, PUEBI); English writes 1,532,173 and
9.8%. The style is a language code: ``"id"`` for Indonesian, anything else English. Functions
take ``language=`` explicitly, or use the one active in a :func:`use` block (a
:class:`contextvars.ContextVar`, so it is private to its thread or task), which is how the
Django-free chart code gets the reader's style. Machine-readable outputs (CSV, JSON) never go
through this module.

Examples
--------
>>> from setara_web.numbers import number, percent, use
>>> number(1532173.4), percent(0.0984)
('1,532,173', '9.8%')
>>> with use("id"):
...     number(1532173.4), percent(0.0984), number(0.37163, 4)
('1.532.173', '9,8%', '0,3716')
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime

__all__ = ["MISSING", "date_text", "general", "is_indonesian", "number", "percent", "use"]

MISSING = "–"
MONTHS_ID = (
    *("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus"),
    *("September", "Oktober", "November", "Desember"),
)
_active: ContextVar[str] = ContextVar("setara_number_language", default="en")


@contextmanager
def use(language: str | None) -> Iterator[None]:
    """Write numbers in ``language``'s style inside a ``with`` block (None: English)."""
    token = _active.set(language or "en")
    try:
        yield
    finally:
        _active.reset(token)


def is_indonesian(language: str | None = None) -> bool:
    """Whether ``language`` (default: the active one) writes Indonesian numbers."""
    return (language or _active.get()).split("-")[0].lower() == "id"


def number(
    value: float | None, decimals: int = 0, *, language: str | None = None, grouping: bool = True
) -> str:
    """``value`` with ``decimals`` digits and thousands grouped; :data:`MISSING` for None/NaN."""
    if value is None or value != value:
        return MISSING
    text = f"{value:,.{decimals}f}" if grouping else f"{value:.{decimals}f}"
    if text.startswith("-") and not any(c not in "-0.," for c in text):
        text = text[1:]  # -0.0 is written 0.0
    if is_indonesian(language):
        text = text.translate(str.maketrans({",": ".", ".": ","}))
    return text


def general(value: float | None, *, language: str | None = None) -> str:
    """Shortest form (``{:g}``): axis ticks such as 0.2 / 0,2."""
    if value is None or value != value:
        return MISSING
    text = f"{value:g}"
    return text.replace(".", ",") if is_indonesian(language) else text


def percent(value: float | None, decimals: int = 1, *, language: str | None = None) -> str:
    """A fraction as a percentage: 0.0984 → ``9.8%`` (English) or ``9,8%`` (Indonesian)."""
    if value is None or value != value:
        return MISSING
    return number(100 * value, decimals, language=language) + "%"


def date_text(moment: date | datetime, *, language: str | None = None, time: bool = False) -> str:
    """A date as readers write it: ``29 November 2026`` / ``29 November 2026`` (months named
    in the language), with ``HH:MM`` when ``time`` is set."""
    if is_indonesian(language):
        text = f"{moment.day} {MONTHS_ID[moment.month - 1]} {moment.year}"
    else:
        text = f"{moment.day} {moment:%B} {moment.year}"
    if time and isinstance(moment, datetime):
        text += f", {moment:%H.%M}" if is_indonesian(language) else f", {moment:%H:%M}"
    return text
