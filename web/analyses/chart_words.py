"""The charts' wording (``setara_web.viz.words``) in the active language.

The visualisation layer is Django-free and writes English by default; the web layer lays these
translations over it while it draws. Each English text must equal ``viz.words.DEFAULT``
(a test checks), so ``makemessages`` collects exactly what the charts print.
"""

from __future__ import annotations

from django.utils.translation import gettext


def chart_words() -> dict[str, str]:
    """Every phrase of the charts, translated into the active language."""
    return {
        "no_data": gettext("no data"),
        "no_data_legend": gettext("No data"),
        "value_ci": gettext("{value}, CI {low} to {high}"),
        "value_flag": gettext("{value} ({note})"),
        "caution_note": gettext("use with caution"),
        "unreliable_note": gettext("unreliable"),
        "other_flag_note": gettext("{flag}, unreliable"),
        "reliable_legend": gettext("Reliable"),
        "caution_legend": gettext("Use with caution"),
        "unreliable_legend": gettext("Unreliable"),
        "range": gettext("{low} to {high}"),
        "also_covers": gettext("{area}; this area also covers {inner}"),
        "inside_parent": gettext("{area} (in {parent})"),
        "inside_note": gettext(
            "Drawn inside another province's polygon (the boundaries predate them): {areas}."
        ),
        "flagged_note": gettext("{status} ({marking}): {areas}."),
        "dotted": gettext("dotted"),
        "hatched": gettext("hatched"),
        "line_of_equality": gettext("Line of equality"),
        "dot_plot": gettext("Dot plot"),
        "bar_chart": gettext("Bar chart"),
        "map_of": gettext("Map of {measure}"),
        "desc_empty": gettext("{kind} of {rows} rows, none with a value."),
        "desc_range": gettext(
            "{kind} of {rows} rows, {known} with values, from {low} ({low_label}) to {high} "
            "({high_label})."
        ),
        "desc_off_map": gettext("{count} values are for areas not on this map."),
        "desc_lines": gettext("Line chart of {y_label} against {x_label}: {series}"),
        "desc_series": gettext("{name} ({count} points)"),
    }
