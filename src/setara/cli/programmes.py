"""Programme-lab commands: ``setara simulate``, ``setara target``, ``setara optimise``."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any

import click

from setara.cli.base import (
    _emit,
    _split,
    cli,
    csv_options,
    limit_options,
    output_options,
    read_data,
    resume_collector,
)
from setara.errors import SetaraError


def _data_options(command: Any) -> Any:
    """The options naming DATA's columns and design (those of ``simulate``)."""
    options = [
        click.option("--household", default="hh_id", show_default=True, help="Household id."),
        click.option(
            "--welfare", default="expenditure_pc", show_default=True, help="Per-capita welfare."
        ),
        click.option(
            "--poverty-line", default="poverty_line", show_default=True, help="Column or number."
        ),
        click.option(
            "--welfare-period",
            type=click.Choice(["month", "quarter", "year"]),
            default="month",
            show_default=True,
            help="Period of welfare, budgets and caps.",
        ),
        click.option("--region", default="province_code", show_default=True, help="Region."),
        click.option("--weight", help="Weight column (survey data; none means registry data)."),
        click.option("--strata", help="Stratum column."),
        click.option("--psu", help="Cluster columns, one per stage."),
        click.option("--fpc", help="Finite population corrections per stage."),
    ]
    for option in reversed(options):
        command = option(command)
    return csv_options(limit_options(command))


def _population(data: str, columns: dict[str, Any]) -> Any:
    """A :class:`~setara.programmes.Population` from DATA ("demo", "demo:N" or a file)."""
    from setara import demo
    from setara.programmes import Population

    resume_collector()
    design: dict[str, Any] | str | None = None
    if data.startswith("demo"):
        _, _, size = data.partition(":")
        try:
            persons = int(size) if size else 200_000
        except ValueError:
            raise SetaraError(f"DATA {data!r}: the demo size must be a number") from None
        frame = demo.generate_survey(max(persons, demo.MIN_PERSONS))
        design = "demo"
    else:
        frame = read_data(
            data, columns["csv_separator"], columns["decimal_comma"], columns["limits"]
        )
        if columns["weight"]:
            design = {
                "weight": columns["weight"],
                "strata": columns["strata"],
                "psu": _split(columns["psu"]) or None,
                "fpc": _split(columns["fpc"]) or None,
            }
    line: str | float = columns["poverty_line"]
    with contextlib.suppress(ValueError):
        line = float(columns["poverty_line"])
    return Population.from_frame(
        frame,
        household=columns["household"],
        welfare=columns["welfare"],
        poverty_line=line,
        design=design,
        region=columns["region"],
        welfare_period=columns["welfare_period"],
    )


@cli.command()
@click.argument("programme_file", metavar="PROGRAMME.yaml", type=click.Path(dir_okay=False))
@click.argument("data")
@click.option("--scenario", "scenarios", multiple=True, help="Scenario YAML, repeatable.")
@click.option("--date", help="Date whose parameters apply (YYYY-MM-DD; default today).")
@_data_options
@click.option(
    "--group", "groups", multiple=True, help="NAME=CONDITION, e.g. elderly='any(age >= 60)'."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of take-up draws.")
@output_options
def simulate(
    programme_file: str,
    data: str,
    scenarios: Sequence[str],
    date: str | None,
    groups: Sequence[str],
    seed: int,
    fmt: str,
    output: str | None,
    **columns: Any,
) -> None:
    """Simulate PROGRAMME.yaml (baseline) and --scenario files on DATA.

    DATA is a survey or registry file (one row per person), or "demo" / "demo:PERSONS" for
    the synthetic demo survey with its design. Without --weight the data are treated as a
    registry (full population, no sampling error).
    """
    from setara.programmes import read_programmes, read_scenario
    from setara.programmes import simulate as run_simulation

    group_map: dict[str, str] = {}
    for item in groups:
        name, eq, condition = item.partition("=")
        if not eq or not name.strip() or not condition.strip():
            raise SetaraError(f"--group {item!r} is not NAME=CONDITION")
        group_map[name.strip()] = condition.strip()
    sim = run_simulation(
        _population(data, columns),
        read_programmes(programme_file),
        scenarios=[read_scenario(s) for s in scenarios],
        date=date,
        seed=seed,
        groups=group_map,
    )
    for note in sim.notes:
        click.echo(f"note: {note}", err=True)
    if fmt == "table" and not output:
        for name, table in sim.tables().items():
            click.echo(f"== {name} ==")
            _emit(table, fmt, None)
        return
    _emit(sim.to_frame(), fmt, output)


@cli.command("target")
@click.argument("data")
@click.option("--budget", type=float, required=True, help="Total transfer per welfare period.")
@click.option("--proxy", "proxies", multiple=True, required=True, help="PMT proxy, repeatable.")
@click.option("--share", type=float, default=0.2, show_default=True, help="PMT share selected.")
@click.option("--categorical", help="Household condition, e.g. 'any(age < 7) or head_female'.")
@click.option("--geographic-share", type=float, help="Population share of whole regions.")
@click.option(
    "--target", "target_group", type=click.Choice(["poor", "bottom"]), default="poor",
    show_default=True, help="The poor (welfare <= line) or the bottom --share.",
)  # fmt: skip
@click.option("--folds", type=int, default=5, show_default=True, help="PMT cross-validation.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the PMT folds.")
@_data_options
@output_options
def target_command(
    data: str,
    budget: float,
    proxies: Sequence[str],
    share: float,
    categorical: str | None,
    geographic_share: float | None,
    target_group: str,
    folds: int,
    seed: int,
    fmt: str,
    output: str | None,
    **columns: Any,
) -> None:
    """Compare PMT, categorical, geographic and universal targeting of --budget on DATA.

    DATA is a file (one row per person) or "demo" / "demo:PERSONS". --budget is the total
    transfer per welfare period, shared equally per person among the selected households.
    """
    from setara.programmes import compare_targeting

    table = compare_targeting(
        _population(data, columns),
        budget=budget,
        proxies=proxies,
        share=share,
        categorical=categorical,
        geographic_share=geographic_share,
        target=target_group,
        folds=folds,
        seed=seed,
    )
    _emit(table, fmt, output)


@cli.command("optimise")
@click.argument("data")
@click.option("--budget", type=float, help="Total transfer per welfare period.")
@click.option(
    "--objective", "objectives", multiple=True,
    type=click.Choice(["fgt0", "fgt1", "fgt2", "coverage"]),
    help="Repeatable; default fgt0, fgt1 and fgt2.",
)  # fmt: skip
@click.option("--cap", type=float, help="Most a household may receive per welfare period.")
@click.option("--benefit", type=float, help="Fixed benefit per household (coverage).")
@click.option(
    "--heuristic", is_flag=True,
    help="Fast ordering rules instead of the solvers (status 'heuristic', bound still shown).",
)  # fmt: skip
@click.option("--programme", "programme_file", help="Programme YAML (baseline) for a verdict.")
@click.option("--scenario", "scenario_file", help="Scenario YAML judged against --programme.")
@click.option(
    "--against", type=click.Choice(["baseline", "before"]), default="baseline",
    show_default=True, help="Verdict reference: the baseline or no programmes.",
)  # fmt: skip
@click.option("--date", help="Date whose parameters apply (YYYY-MM-DD; default today).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of take-up draws.")
@_data_options
@output_options
def optimise_command(
    data: str,
    budget: float | None,
    objectives: Sequence[str],
    cap: float | None,
    benefit: float | None,
    heuristic: bool,
    programme_file: str | None,
    scenario_file: str | None,
    against: str,
    date: str | None,
    seed: int,
    fmt: str,
    output: str | None,
    **columns: Any,
) -> None:
    """The allocation of --budget on DATA that cuts poverty most, or, with --programme (and
    --scenario), the verdict: the share of that optimum a designed programme achieves.

    Budgets and caps are totals per welfare period (a month by default). FGT1 is solved as
    a linear programme, FGT2 exactly through its KKT conditions, FGT0 and coverage as a 0-1
    knapsack by HiGHS; "status" says "optimal" only when proven, "bound" and "gap" show how
    far the best allocation could be. The verdict always uses the solvers.
    """
    from setara.programmes import (
        allocation_table,
        budget_verdict,
        read_programmes,
        read_scenario,
        simulate,
    )

    chosen = list(objectives) or ["fgt0", "fgt1", "fgt2"]
    if programme_file is None:
        if scenario_file is not None:
            raise SetaraError("--scenario needs --programme (the baseline it changes)")
        if budget is None:
            raise SetaraError("--budget is required (or --programme for a verdict)")
        pop = _population(data, columns)
        table = allocation_table(
            pop, budget=budget, objectives=chosen, cap=cap, benefit=benefit, heuristic=heuristic
        )
    else:
        if budget is not None or cap is not None or benefit is not None or heuristic:
            raise SetaraError(
                "--budget, --cap, --benefit and --heuristic do not apply with --programme"
            )
        scenarios = [read_scenario(scenario_file)] if scenario_file else []
        sim = simulate(
            _population(data, columns), read_programmes(programme_file), scenarios=scenarios,
            date=date, seed=seed,
        )  # fmt: skip
        name = scenarios[0].name if scenarios else "baseline"
        table = budget_verdict(sim, name, objectives=chosen, against=against)
    _emit(table, fmt, output)
