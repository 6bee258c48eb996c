"""PDFs of the public-services results: an access analysis (cover, headline, the page's travel-time
map, the regions table with group gaps) and a siting scenario (plan, coverage by group, sites).

No Django import: the view passes the words already in the reader's language (``text``, group
names, cover facts) and the page's own map SVG; numbers are written in ``language``'s style.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from setara_web import numbers
from setara_web.pdf import Report


def _pp(value: float | None) -> str:
    """A gap in percentage points, signed, as the page writes it."""
    if value is None or value != value:
        return numbers.MISSING
    return ("+" if value >= 0 else "") + numbers.number(100 * value, 1) + " pp"


def _label(row: Mapping[str, Any]) -> str:
    """A region's name with its code in brackets ("Kabupaten Kupang (53.01)")."""
    name, code = row.get("name"), row.get("region")
    if name and code and name != code:
        return f"{name} ({code})"
    return str(name or code or "–")


def access_pdf(
    result: Mapping[str, Any],
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    headline: str,
    map_svg: str,
    map_cells: tuple[bytes, tuple[float, float, float, float]] | None = None,
    groups: Mapping[str, tuple[str, str, str]],
    text: Mapping[str, str],
    language: str,
) -> bytes:
    """The report of an access analysis; ``groups`` gives each group column its three headings
    (group, the rest, gap) in the reader's words; ``map_cells`` is the map's cells as an image
    and its box (``mapping.cell_raster``) when ``map_svg`` leaves them out."""
    names = list(result["groups"])
    with numbers.use(language):
        report = Report(footer=f"Setara · {title}", page_word=text["page"])
        report.cover(title, facts, headline)
        report.heading(text["map"], chart=map_svg)
        report.chart(map_svg, layers=[map_cells] if map_cells else [])
        report.paragraph(text["map_caption"], muted=True)
        report.heading(text["regions"])
        report.paragraph(text["regions_caption"], muted=True)
        header = [text["region"], text["population"], text["beyond"], text["minutes"]]
        header.append(text["unreachable"])
        regions = [(text["all"], result["overall"])]
        regions += [(_label(row), row) for row in result["regions"]]
        rows = [
            [
                label,
                numbers.number(row.get("population")),
                numbers.percent(row.get("beyond_share")),
                numbers.number(row.get("mean_minutes"), 1),
                numbers.percent(row.get("unreachable_share")),
            ]
            for label, row in regions
        ]
        report.grid(header, rows, [5.0, 2.0, 2.0, 2.0, 2.4])
        for g in names:  # one table a group: its share, the rest's share, the gap
            own, rest, gap = groups.get(g, (g, g, g))
            report.heading(f"{text['gaps']}: {own}", size=11)
            rows = [
                [
                    label,
                    numbers.percent(row.get(f"{g}:in")),
                    numbers.percent(row.get(f"{g}:out")),
                    _pp(row.get(f"{g}:gap")),
                ]
                for label, row in regions
            ]
            report.grid([text["region"], own, rest, gap], rows, [5.0, 2.4, 2.4, 2.4])
        return report.to_bytes()


def _coverage_table(
    report: Report, result: Mapping[str, Any], groups: Sequence[str], text: Mapping[str, str]
) -> None:
    """People within reach before and after the plan, overall and by group and its rest."""
    header = [text["group"], text["people"], text["before"], text["after"], text["gained"]]
    rows = [
        [
            name,
            numbers.number(g.get("population")),
            numbers.percent(g.get("share_before")),
            numbers.percent(g.get("share_after")),
            numbers.number(g.get("gained")),
        ]
        for name, g in [
            (text["all"], result["coverage"]),
            *zip(groups, result["by_group"], strict=True),
        ]
    ]
    report.grid(header, rows, [4, 2, 2, 2, 2])


def _sites_table(
    report: Report, sites: Sequence[tuple[str, Mapping[str, Any]]], text: Mapping[str, str]
) -> None:
    """The chosen sites (id, type, latitude, longitude, cost), each after its scenario's title
    when ``sites`` pairs them with one (a comparison), else "No new site."."""
    named = any(scenario for scenario, _site in sites)
    header = [text["id"], text["type"], text["lat"], text["lon"], text["cost"]]
    rows = [
        [
            *([scenario] if named else []),
            str(s.get("id", "")),
            str(s.get("type") or "–"),
            numbers.number(s.get("lat"), 4),
            numbers.number(s.get("lon"), 4),
            numbers.number(s.get("cost")),
        ]
        for scenario, s in sites
    ]
    if not rows:
        report.paragraph(text["no_site"])
    elif named:
        report.grid([text["scenario"], *header], rows, [3, 2, 2, 2, 2, 2], numeric_from=3)
    else:
        report.grid(header, rows, [3, 2, 2, 2, 2], numeric_from=2)


def siting_pdf(
    result: Mapping[str, Any],
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    plan: Sequence[tuple[str, str]],
    groups: Sequence[str],
    text: Mapping[str, str],
    language: str,
) -> bytes:
    """The report of a siting scenario: ``plan`` is the page's plan row as (heading, value)
    pairs already in words; ``groups`` names each row of ``result["by_group"]`` in the reader's
    words ("poor", "not poor", ...)."""
    with numbers.use(language):
        report = Report(footer=f"Setara · {title}", page_word=text["page"])
        report.cover(title, facts)
        report.heading(text["plan"])
        report.grid([text["item"], text["value"]], [list(p) for p in plan], [1, 2], numeric_from=2)
        report.heading(text["by_group"])
        _coverage_table(report, result, groups, text)
        report.heading(text["sites"])
        _sites_table(report, [("", site) for site in result["sites"]], text)
        return report.to_bytes()


def compare_pdf(
    scenarios: Sequence[Mapping[str, Any]],
    *,
    title: str,
    facts: Sequence[tuple[str, str]],
    map_svg: str,
    text: Mapping[str, str],
    language: str,
) -> bytes:
    """Siting scenarios side by side, as the comparison page: the table of cost, reach and
    optimality, the map of their new sites, coverage by group for each, and every site.
    Each of ``scenarios`` has its ``title``, ``model`` and ``status`` in words, the names of
    its ``groups`` rows (as :func:`siting_pdf`) and its stored ``result``."""
    with numbers.use(language):
        report = Report(footer=f"Setara · {title}", page_word=text["page"])
        report.cover(title, facts)
        report.heading(text["compare"])
        # One column a scenario (at most six), one row an item, so that headings stay whole.
        columns: list[list[str]] = []
        for s in scenarios:
            result, cover = s["result"], s["result"]["coverage"]
            ids = ", ".join(str(site.get("id", "")) for site in result["sites"])
            columns.append(
                [
                    s["model"],
                    f"{len(result['sites'])}: {ids}" if ids else "0",
                    numbers.number(result.get("cost")),
                    numbers.percent(cover.get("share_before")),
                    numbers.percent(cover.get("share_after")),
                    numbers.number(cover.get("gained")),
                    numbers.number(result.get("objective"), 1),
                    numbers.number(result.get("bound"), 1),
                    numbers.percent(result.get("gap")),
                    s["status"],
                ]
            )
        items = ["model", "new_sites", "cost", "before", "after", "gained", "objective", "bound",
                 "gap", "status"]  # fmt: skip
        rows = [[text[item], *(c[k] for c in columns)] for k, item in enumerate(items)]
        header = [text["item"], *(s["title"] for s in scenarios)]
        report.grid(header, rows, [2.4] + [2.0] * len(scenarios), numeric_from=len(header))
        report.heading(text["map"], chart=map_svg)
        report.chart(map_svg)
        report.heading(text["by_group"])
        for s in scenarios:
            report.heading(s["title"], size=11)
            _coverage_table(report, s["result"], s["groups"], text)
        report.heading(text["sites"])
        sites = [(s["title"], site) for s in scenarios for site in s["result"]["sites"]]
        _sites_table(report, sites, text)
        return report.to_bytes()
