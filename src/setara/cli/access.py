"""Public-service access commands: ``setara access`` and ``setara site``.

Both read a facilities file and a demand file (:mod:`setara.access.inputs`), build the travel
cost from ``--cost`` (``haversine``, ``matrix:FILE``, ``network:FILE.osm.pbf`` for an
OpenStreetMap extract or ``network:NODES,EDGES`` for a road network given as tables, with
``--ferries``) and write with ``--format table|csv|json`` and
``--output``. Heavy imports happen inside the commands to keep ``setara --help`` fast.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import click

from setara.cli.base import _emit, _split, cli, output_options, resume_collector, write_output
from setara.errors import SetaraError

if TYPE_CHECKING:
    import polars as pl

    from setara.access.travel import TravelCost

FILE = click.Path(dir_okay=False)


def _cost(
    cost: str,
    demand: pl.DataFrame,
    facilities: pl.DataFrame,
    speed_kmh: float,
    circuity: float,
    ferries: str | None,
) -> TravelCost:
    import polars as pl

    from setara.access import build_cost
    from setara.io import read_survey

    kind, _, arg = cost.partition(":")
    if ferries and kind != "network":
        raise SetaraError("--ferries apply to --cost network:... only")
    if kind == "haversine" and not arg:
        return build_cost(demand, facilities, speed_kmh=speed_kmh, circuity=circuity)
    if kind == "matrix" and arg:
        return build_cost(demand, facilities, cost="matrix", matrix=read_survey(arg))
    if kind == "network" and arg:
        from setara.access import RoadNetwork

        extra = read_survey(ferries) if ferries else None
        if arg.lower().endswith((".pbf", ".osm")):
            from setara.access.osm import read_osm_network

            nodes, edges, osm_ferries = read_osm_network(arg)
            if extra is not None:  # the user's crossings, with their frequencies, added
                headway = 2 * RoadNetwork.ferry_wait(extra)
                extra = pl.concat(
                    [
                        osm_ferries,
                        extra.select(
                            pl.col("from").cast(pl.Int64),
                            pl.col("to").cast(pl.Int64),
                            pl.col("minutes").cast(pl.Float64),
                            pl.Series("headway_minutes", headway),
                        ),
                    ]
                )
            network = RoadNetwork(nodes, edges, osm_ferries if extra is None else extra)
        else:
            parts = _split(arg)
            if len(parts) != 2:
                raise SetaraError(
                    f"--cost {cost}: give network:FILE.osm.pbf or network:NODES,EDGES"
                )
            network = RoadNetwork(read_survey(parts[0]), read_survey(parts[1]), extra)
        return build_cost(demand, facilities, cost="network", network=network)
    raise SetaraError(
        f"--cost {cost!r}: use haversine, matrix:FILE, network:FILE.osm.pbf or network:NODES,EDGES"
    )


def cost_options(command: Any) -> Any:
    """``--cost``, ``--speed-kmh``, ``--circuity`` and ``--ferries``, shared by both."""
    for option in reversed(
        [
            click.option(
                "--cost",
                default="haversine",
                show_default=True,
                help="haversine, matrix:FILE (origin,destination,minutes), network:FILE.osm.pbf "
                "or network:NODES,EDGES.",
            ),
            click.option(
                "--speed-kmh",
                type=float,
                default=30.0,
                show_default=True,
                help="Travel speed for haversine.",
            ),
            click.option(
                "--circuity",
                type=float,
                default=1.0,
                show_default=True,
                help="Road distance over great-circle distance (haversine).",
            ),
            click.option(
                "--ferries",
                type=FILE,
                help="Ferry crossings: from,to,minutes,"
                "departures_per_day (node ids of the network).",
            ),
        ]
    ):
        command = option(command)
    return command


@cli.command()
@click.option(
    "--facilities",
    "facilities_file",
    type=FILE,
    required=True,
    help="Facilities: id, lat, lon [, capacity, type, status, cost].",
)
@click.option(
    "--demand",
    "demand_file",
    type=FILE,
    required=True,
    help="Demand points: id, lat, lon, population and group columns.",
)
@click.option(
    "--measure",
    "measures",
    multiple=True,
    required=True,
    help="nearest, coverage:60, ratio:60, 2sfca:60, e2sfca:10=1,20=0.68,30=0.22, "
    "gaussian:60, gravity:1.5; repeatable.",
)
@cost_options
@click.option("--type", "facility_type", help="Only facilities of this type (e.g. puskesmas).")
@click.option("--by", help="Group or region columns of the demand file, comma-separated.")
@click.option("--per", type=click.Choice(["demand"]), help="One row per demand point.")
@output_options
def access(
    facilities_file: str,
    demand_file: str,
    measures: tuple[str, ...],
    cost: str,
    speed_kmh: float,
    circuity: float,
    ferries: str | None,
    facility_type: str | None,
    by: str | None,
    per: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Access of demand points to facilities: population-weighted summaries per --measure and
    --by group (or, with --per demand, one row per demand point and measure)."""
    from setara.access import access_values, read_demand, read_facilities, summarise, to_long

    resume_collector()
    facilities = read_facilities(facilities_file)
    demand = read_demand(demand_file)
    by_columns = _split(by)
    missing = [c for c in by_columns if c not in demand.columns]
    if missing:
        raise SetaraError(f"--by column {', '.join(map(repr, missing))} is not in the demand file")
    travel = _cost(cost, demand, facilities, speed_kmh, circuity, ferries)
    values = access_values(demand, facilities, travel, list(measures), facility_type=facility_type)
    frame = to_long(values) if per == "demand" else summarise(demand, values, by=by_columns)
    _emit(frame, fmt, output)


@cli.command("site")
@click.option(
    "--facilities",
    "facilities_file",
    type=FILE,
    required=True,
    help="Facilities with status existing (kept) or candidate (may open), cost.",
)
@click.option(
    "--demand",
    "demand_file",
    type=FILE,
    required=True,
    help="Demand points: id, lat, lon, population.",
)
@click.option("--model", type=click.Choice(["lscp", "mclp", "pmedian", "pcenter"]), required=True)
@click.option(
    "--time",
    "minutes",
    type=click.FloatRange(min=0),
    required=True,
    help="Service time in minutes (coverage, and the longest assignment).",
)
@click.option("--p", "p", type=click.IntRange(min=0), help="Number of new sites.")
@click.option("--budget", type=click.FloatRange(min=0), help="Budget for new sites' cost.")
@click.option("--weight", help="Demand column counted instead of population (e.g. poor).")
@click.option(
    "--time-limit",
    type=click.FloatRange(min=1),
    default=60.0,
    show_default=True,
    help="Seconds HiGHS may search for the proof.",
)
@cost_options
@output_options
def site_command(
    facilities_file: str,
    demand_file: str,
    model: str,
    minutes: float,
    p: int | None,
    budget: float | None,
    weight: str | None,
    time_limit: float,
    cost: str,
    speed_kmh: float,
    circuity: float,
    ferries: str | None,
    fmt: str,
    output: str | None,
) -> None:
    """Choose new sites among the candidates (existing ones kept) with LSCP, MCLP, p-median
    or p-centre, solved by HiGHS; the gap to its proven bound is always reported."""
    import polars as pl

    from setara.access import read_demand, read_facilities, site_places

    resume_collector()

    facilities = read_facilities(facilities_file)
    demand = read_demand(demand_file)
    if weight is not None and weight not in demand.columns:
        raise SetaraError(f"--weight column {weight!r} is not in the demand file")
    travel = _cost(cost, demand, facilities, speed_kmh, circuity, ferries)
    plan = site_places(
        demand,
        facilities,
        travel,
        model=model,
        minutes=minutes,
        weight=weight,
        p=p,
        budget=budget,
        time_limit=time_limit,
    )
    population = demand["population"].cast(pl.Float64).to_numpy()
    record: dict[str, Any] = {
        "model": model,
        "objective": plan.objective,
        "bound": plan.bound,
        "gap": plan.gap,
        "sites": facilities["id"].gather(plan.chosen).to_list(),
        "covered_population": float(population[plan.covered_after].sum()),
        "covered_population_before": float(population[plan.covered_before].sum()),
        "cost": plan.cost,
        "status": plan.status,
    }
    record = {
        k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in record.items()
    }
    if fmt == "json":
        write_output(json.dumps(record, indent=1, ensure_ascii=False) + "\n", output)
    else:
        row = {**record, "sites": ",".join(record["sites"])}
        _emit(pl.DataFrame([row]), fmt, output)
