"""Every phrase the charts write, in English, and a way to swap in a translation.

The visualisation layer has no Django import, so it cannot call ``gettext`` itself. Instead each
user-visible phrase has a short key in :data:`DEFAULT`; chart code asks for it with :func:`word`,
and a caller that knows the reader's language overlays translations with :func:`use` for the
duration of a ``with`` block. The active phrases live in a :class:`contextvars.ContextVar`, so
overlays are nestable and private to their thread or asyncio task. Phrases are
:meth:`str.format` templates; a translation must keep exactly the placeholders of the English
phrase (checked by :func:`use`), in any order.

Examples
--------
>>> from setara_web.viz.words import use, word
>>> word("range", low="2.2%", high="4.0%")
'2.2% to 4.0%'
>>> with use({"range": "{low} sampai {high}"}):
...     word("range", low="2.2%", high="4.0%")
'2.2% sampai 4.0%'
>>> word("no_data")
'no data'
"""

from __future__ import annotations

import string
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from types import MappingProxyType

__all__ = ["DEFAULT", "use", "word"]

DEFAULT: Mapping[str, str] = MappingProxyType(
    {
        # Values in tooltips, footnotes and legends.
        "no_data": "no data",
        "no_data_legend": "No data",
        "value_ci": "{value}, CI {low} to {high}",
        "value_flag": "{value} ({note})",
        "caution_note": "use with caution",
        "unreliable_note": "unreliable",
        "other_flag_note": "{flag}, unreliable",
        "reliable_legend": "Reliable",
        "caution_legend": "Use with caution",
        "unreliable_legend": "Unreliable",
        # Maps.
        "range": "{low} to {high}",
        "also_covers": "{area}; this area also covers {inner}",
        "inside_parent": "{area} (in {parent})",
        "inside_note": (
            "Drawn inside another province's polygon (the boundaries predate them): {areas}."
        ),
        "flagged_note": "{status} ({marking}): {areas}.",
        "dotted": "dotted",
        "hatched": "hatched",
        # Line charts.
        "line_of_equality": "Line of equality",
        # Descriptions (the <desc> that screen readers announce).
        "dot_plot": "Dot plot",
        "bar_chart": "Bar chart",
        "map_of": "Map of {measure}",
        "desc_empty": "{kind} of {rows} rows, none with a value.",
        "desc_range": (
            "{kind} of {rows} rows, {known} with values, from {low} ({low_label})"
            " to {high} ({high_label})."
        ),
        "desc_off_map": "{count} values are for areas not on this map.",
        "desc_lines": "Line chart of {y_label} against {x_label}: {series}",
        "desc_series": "{name} ({count} points)",
    }
)

_active: ContextVar[Mapping[str, str]] = ContextVar("setara_viz_words", default=DEFAULT)


def _fields(phrase: str) -> set[str]:
    return {name for _text, name, _spec, _conv in string.Formatter().parse(phrase) if name}


@contextmanager
def use(mapping: Mapping[str, str]) -> Iterator[None]:
    """Overlay ``mapping`` on the active phrases inside a ``with`` block.

    Keys not in ``mapping`` keep their current phrase (English unless an outer block changed
    them). Values are passed through :class:`str`, so lazy translation objects work.

    Raises
    ------
    ValueError
        For a key not in :data:`DEFAULT`, or a phrase whose placeholders differ from the
        English one (a translator dropped or renamed ``{areas}``, say).
    """
    overlay = {key: str(phrase) for key, phrase in mapping.items()}
    unknown = sorted(set(overlay) - set(DEFAULT))
    if unknown:
        raise ValueError(f"unknown viz phrase keys {unknown} ({len(DEFAULT)} keys known)")
    for key, phrase in overlay.items():
        try:
            fields = _fields(phrase)
        except ValueError as error:
            raise ValueError(f"viz phrase {key!r} is not a format string: {error}") from None
        if fields != _fields(DEFAULT[key]):
            raise ValueError(
                f"viz phrase {key!r} has placeholders {sorted(fields)},"
                f" expected {sorted(_fields(DEFAULT[key]))}: {phrase!r}"
            )
    token = _active.set(MappingProxyType({**_active.get(), **overlay}))
    try:
        yield
    finally:
        _active.reset(token)


def word(key: str, **fields: object) -> str:
    """The active phrase for ``key``, formatted with ``fields``."""
    return _active.get()[key].format(**fields)
