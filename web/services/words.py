"""Words of the public-services section in the reader's language: common group columns of a
villages file and the headings of the CSV/XLSX/PDF exports (gettext only, no models or views)."""

from __future__ import annotations

from django.utils.translation import gettext as _


def group_words() -> dict[str, str]:
    """Common group column names (lower case) and their words in the active language."""
    return {
        "poor": _("poor"),
        "urban": _("urban"),
        "rural": _("rural"),
        "is_3t": _("3T regions"),
        "3t": _("3T regions"),
        "disability": _("persons with disability"),
        "disabled": _("persons with disability"),
        "elderly": _("elderly"),
        "school_age": _("children of school age"),
        "female": _("female"),
    }


def group_name(column: str | None) -> str:
    """A group column in the reader's words when its name is a common one (``poor``,
    ``urban``, ``is_3t``, ...); any other column name as it is."""
    return group_words().get((column or "").strip().lower(), column or "")


def not_group(name: str) -> str:
    """The rest of a group ("not poor" / "bukan miskin")."""
    return str(_("not %(g)s") % {"g": name})


def gap_group(name: str) -> str:
    """The gap of a group against the rest ("gap poor" / "selisih miskin")."""
    return str(_("gap %(g)s") % {"g": name})


def region_columns(groups: list[str]) -> dict[str, str]:
    """Headings of the access table's columns (see ``exports.regions_frame``)."""
    columns = {
        "region": _("Region code"),
        "name": _("Region"),
        "population": _("Population"),
        "beyond_people": _("People beyond the threshold"),
        "beyond_share": _("Beyond the threshold"),
        "mean_minutes": _("Mean minutes to the nearest"),
        "unreachable_share": _("No facility within reach"),
    }
    for g in groups:
        name = group_name(g)
        columns |= {f"{g}:in": name, f"{g}:out": not_group(name), f"{g}:gap": gap_group(name)}
    return columns


def siting_columns() -> dict[str, str]:
    """Headings of the siting tables' columns (``exports.sites_frame``, ``coverage_frame``)."""
    return {
        "id": _("Id"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
        "type": _("Type"),
        "cost": _("Cost"),
        "group": _("Group"),
        "population": _("People"),
        "covered_before": _("People within reach before"),
        "covered_after": _("People within reach after"),
        "share_before": _("Within reach before"),
        "share_after": _("Within reach after"),
        "gained": _("People gained"),
    }


def pdf_text() -> dict[str, str]:
    """Headings and captions of the access and siting PDFs."""
    return {
        "page": _("page"),
        "map": _("Travel time to the nearest facility"),
        "map_caption": _(
            "Each square is a cell of about 28 km holding one or more villages, coloured by the"
            " population-weighted mean travel time of the people who can reach a facility."
        ),
        "regions": _("Regions ranked by the share of people beyond the threshold"),
        "regions_caption": _(
            "Exact counts from the villages file (a census or register: no sampling error). For"
            " each group: its share beyond the threshold, the rest's share, and the gap in"
            " percentage points (group minus rest)."
        ),
        "region": _("Region"),
        "gaps": _("Beyond the threshold by group"),
        "population": _("Population"),
        "beyond": _("Beyond the threshold"),
        "minutes": _("Mean minutes to the nearest"),
        "unreachable": _("No facility within reach"),
        "all": _("All"),
        "plan": _("The plan"),
        "item": _("Item"),
        "value": _("Value"),
        "by_group": _("Coverage before and after, by group"),
        "group": _("Group"),
        "people": _("People"),
        "before": _("Within reach before"),
        "after": _("Within reach after"),
        "gained": _("People gained"),
        "sites": _("Chosen sites"),
        "id": _("Id"),
        "type": _("Type"),
        "lat": _("Latitude"),
        "lon": _("Longitude"),
        "cost": _("Cost"),
        "no_site": _("No new site."),
    }
