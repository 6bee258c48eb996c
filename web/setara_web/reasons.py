"""The engine's reliability reasons in the reader's words and number style (no Django import).

The engine explains every flag in ``reliability_reason`` with ``; ``-separated checks written in
English with decimal points: ``"n 24 < 30; RSE 57.1% > 50%"``, ``"relative CI width 140% >
130%"``. Pages, the PDF and the XLSX show the same text through :func:`say_reason`: each check's
leading words translated (``words``, from the web layer), its figures kept but written the
reader's way (``57,1%`` in Indonesian) and ``<=``/``>=`` as ``≤``/``≥``.

>>> say_reason("n 24 < 30; RSE 57.1% <= 60%", {"effective n": "n efektif"}, language="id")
'n 24 < 30; RSE 57,1% ≤ 60%'
>>> say_reason("effective n 12.5 < 30", {"effective n": "n efektif"}, language="en")
'n efektif 12.5 < 30'
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from setara_web.numbers import is_indonesian

__all__ = ["PHRASES", "say_reason"]

# The leading words of the engine's checks (setara.reliability), longest first so that
# "relative CI width" is not read as "CI width".
PHRASES = (
    "RSE undefined",
    "relative CI width",
    "CI width",
    "effective n",
    "interval leaves",
    "no observations",
    "one PSU",
    "df",
)
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d)")
_SIGNS = {"<=": "≤", ">=": "≥"}


def say_reason(reason: str | None, words: Mapping[str, str], *, language: str | None) -> str:
    """``reason`` with each check's leading words from ``words`` (English when absent) and its
    numbers in ``language``'s style; ``""`` for no reason."""
    if not reason:
        return ""
    out = []
    for part in reason.split("; "):
        for english in PHRASES:
            if part.startswith(english):
                part = words.get(english, english) + part[len(english) :]
                break
        for sign, symbol in _SIGNS.items():
            part = part.replace(f" {sign} ", f" {symbol} ")
        if is_indonesian(language):
            part = _DECIMAL_POINT.sub(",", part)
        out.append(part)
    return "; ".join(out)
