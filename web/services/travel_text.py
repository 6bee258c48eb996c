"""The travel model of an access analysis or siting scenario in words, for its page and its
downloads' cover: great circle (speed, circuity), an uploaded matrix or a road network with its
ferry routes, in the reader's language and number style."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from setara_web import numbers


def travel_model_text(job: Any) -> str:
    """E.g. "road network Jalan NTT (25,226 nodes, 88,673 roads), 4 ferry routes"."""
    language = get_language()

    def count(value: Any) -> str:
        return numbers.number(value, language=language)

    travel = job.travel
    if travel is None:
        return _("great-circle distance at %(speed)s km/h × circuity %(circuity)s") % {
            "speed": numbers.number(job.speed_kmh, 1, language=language),
            "circuity": numbers.number(job.circuity, 2, language=language),
        }
    counts = travel.counts
    if travel.kind == "matrix":
        return _(
            "origin-destination matrix %(name)s (%(pairs)s village–facility pairs; a pair not "
            "in it is unreachable)"
        ) % {"name": travel.name, "pairs": count(counts.get("pairs"))}
    ferries = int(counts.get("ferries") or 0)
    return ngettext(
        "road network %(name)s (%(nodes)s nodes, %(edges)s roads), %(ferries)s ferry route",
        "road network %(name)s (%(nodes)s nodes, %(edges)s roads), %(ferries)s ferry routes",
        ferries,
    ) % {
        "name": travel.name,
        "nodes": count(counts.get("nodes")),
        "edges": count(counts.get("edges")),
        "ferries": count(ferries),
    }


def table_rows(travel: Any) -> list[tuple[str, str, str]]:
    """(table in words, uploaded file, rows) for each table of a travel model (the tables read
    from an OpenStreetMap extract name the extract)."""
    labels = {
        "pairs": _("Matrix"),
        "nodes": _("Road nodes"),
        "edges": _("Roads"),
        "ferries": _("Ferry crossings"),
    }
    names = travel.original_names
    language = get_language()
    return [
        (
            labels.get(table, table),
            names.get("matrix" if table == "pairs" else table) or names.get("osm", ""),
            numbers.number(rows, language=language),
        )
        for table, rows in travel.counts.items()
        if table == "pairs" or table in travel.paths
    ]


def table_summary(travel: Any) -> str:
    """ "Road nodes 3,956 · Roads 12,163 · Ferry crossings 3" for the list of files."""
    return " · ".join(f"{label} {rows}" for label, _file, rows in table_rows(travel))
