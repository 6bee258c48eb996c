"""The ``setara`` command line: a thin layer over the library.

Every user mistake surfaces as a :class:`~setara.errors.SetaraError`; :func:`main` turns it
into one line on stderr and exit code 2, in this one place.
"""

from __future__ import annotations

import contextlib
import json
import math
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import numpy as np
import polars as pl

from setara.errors import SetaraError

FORMATS = ("table", "csv", "json")


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _progress(quiet: bool) -> Any:
    start = time.perf_counter()

    def report(done: int, total: int, label: str) -> None:
        if quiet:
            return
        elapsed = time.perf_counter() - start
        click.echo(f"[{done}/{total}] {label} ({elapsed:.1f}s)", err=True)

    return report


def _emit(frame: pl.DataFrame, fmt: str, output: str | None) -> None:
    if fmt == "csv":
        text = frame.write_csv()
    elif fmt == "json":
        records = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in frame.to_dicts()
        ]
        text = json.dumps(records, indent=1, ensure_ascii=False) + "\n"
    else:
        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_width_chars=200,
            fmt_str_lengths=40,
            float_precision=6,
            tbl_hide_column_data_types=True,
        ):
            text = f"{frame}\n"
    if output:
        path = Path(output)
        tmp = path.with_name(path.name + ".partial")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SetaraError(f"cannot write {output!r}: {exc.strerror or exc}") from exc
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="setara")
def cli() -> None:
    """Setara: survey-aware inequality, poverty and equity measurement."""


@cli.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--income", required=True, help="Welfare column (income or expenditure).")
@click.option("--weight", help="Sampling weight column (derived from --fpc when absent).")
@click.option("--strata", help="Stratum column (one, or one per stage, comma-separated).")
@click.option("--psu", help="Cluster columns, one per stage: PSU[,SSU...].")
@click.option("--fpc", help="Finite population corrections per stage (counts or fractions).")
@click.option("--nest", is_flag=True, help="PSU codes repeat within strata.")
@click.option(
    "--lonely-psu",
    type=click.Choice(["fail", "remove", "certainty", "adjust", "average"]),
    default="fail",
    show_default=True,
)
@click.option("--measure", "measures", multiple=True, help="Measure SPEC, repeatable.")
@click.option("--by", help="Domain columns, comma-separated.")
@click.option("--replicate-weights", help="Replicate-weight columns: a glob such as 'rep*'.")
@click.option(
    "--replicate-type",
    type=click.Choice(["bootstrap", "jk1", "jkn", "brr", "fay"]),
    default="bootstrap",
    show_default=True,
)
@click.option("--replicate-scale", type=float, help="Overall variance scale.")
@click.option("--replicate-rscales", help="Per-replicate scales: one number or a list.")
@click.option("--mse", is_flag=True, help="Centre replicate variance at the full estimate.")
@click.option("--rho", type=float, help="Fay's rho for --replicate-type fay.")
@click.option("--replicates", "make_replicates", help="Create replicates: jk1, jkn, bootstrap:R.")
@click.option("--seed", type=int, default=20261127, show_default=True, help="Bootstrap seed.")
@click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", help="Write to this file instead of standard output.")
@click.option("--quiet", is_flag=True, help="No progress messages.")
def measure(
    file: str,
    income: str,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    nest: bool,
    lonely_psu: str,
    measures: Sequence[str],
    by: str | None,
    replicate_weights: str | None,
    replicate_type: str,
    replicate_scale: float | None,
    replicate_rscales: str | None,
    mse: bool,
    rho: float | None,
    make_replicates: str | None,
    seed: int,
    level: float,
    fmt: str,
    output: str | None,
    quiet: bool,
) -> None:
    """Estimate measures of FILE's --income column with design-based standard errors."""
    from setara.estimation import estimate, survey_design, with_replicates
    from setara.io import read_survey

    frame = read_survey(file)
    rscales: float | list[float] | None = None
    if replicate_rscales:
        try:
            values = [float(v) for v in _split(replicate_rscales)]
        except ValueError:
            raise SetaraError(f"--replicate-rscales {replicate_rscales!r} is not numbers") from None
        rscales = values[0] if len(values) == 1 else values
    design = survey_design(
        frame,
        weight=weight,
        strata=_split(strata) or None,
        psu=_split(psu) or None,
        fpc=_split(fpc) or None,
        nest=nest,
        lonely_psu=lonely_psu,
        replicate_weights=replicate_weights,
        replicate_type=replicate_type,
        replicate_scale=replicate_scale,
        replicate_rscales=rscales,
        mse=mse,
        rho=rho,
    )
    if make_replicates:
        kind, _, count = make_replicates.partition(":")
        try:
            n_rep = int(count) if count else 200
        except ValueError:
            raise SetaraError(f"--replicates {make_replicates!r}: R must be a number") from None
        design = with_replicates(
            design, kind, replicates=n_rep, rng=np.random.default_rng(seed), mse=mse
        )
    results = estimate(
        frame,
        design,
        welfare=income,
        measures=list(measures) or ["mean", "median", "gini"],
        by=_split(by) or None,
        level=level,
        progress=_progress(quiet or frame.height < 200_000),
    )
    for note in results.notes:
        click.echo(f"note: {note}", err=True)
    _emit(results.frame, fmt, output)


@cli.command("demo-data")
@click.option("--persons", type=int, default=200_000, show_default=True)
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--output", default="demo-survey.parquet", show_default=True, help=".parquet or .csv")
def demo_data(persons: int, seed: int, output: str) -> None:
    """Generate the synthetic Indonesia-like household survey (labelled synthetic)."""
    from setara import demo

    if persons < 10_000:
        raise SetaraError(f"--persons must be at least 10,000, not {persons:,}")
    started = time.perf_counter()
    demo.write_survey(output, n_persons=persons, seed=seed)
    click.echo(
        f"wrote {persons:,} synthetic persons to {output} in {time.perf_counter() - started:.1f}s",
        err=True,
    )


@cli.command()
@click.argument("file", required=False, type=click.Path(dir_okay=False))
@click.option("--persons", type=int, default=200_000, show_default=True, help="Demo size.")
@click.option("--seed", type=int, default=2026, show_default=True)
@click.option("--output", default="diagnostic.csv", show_default=True, help="CSV of all rows.")
@click.option("--quiet", is_flag=True)
def diagnose(file: str | None, persons: int, seed: int, output: str, quiet: bool) -> None:
    """National and provincial diagnostic of the demo survey (or FILE in the demo layout)."""
    from setara import demo
    from setara.diagnostic import diagnostic, render_report
    from setara.io import read_survey, write_table

    frame = read_survey(file) if file else demo.generate_survey(persons, seed=seed)
    results = diagnostic(frame, progress=_progress(quiet))
    click.echo(render_report(results, frame))
    write_table(results.frame, output)
    click.echo(f"\nwrote {results.frame.height:,} rows to {output}", err=True)


@cli.command()
@click.argument("programme_file", metavar="PROGRAMME.yaml", type=click.Path(dir_okay=False))
@click.argument("data")
@click.option("--scenario", "scenarios", multiple=True, help="Scenario YAML, repeatable.")
@click.option("--date", help="Date whose parameters apply (YYYY-MM-DD; default today).")
@click.option("--household", default="hh_id", show_default=True, help="Household id column.")
@click.option("--welfare", default="expenditure_pc", show_default=True, help="Per-capita welfare.")
@click.option("--poverty-line", default="poverty_line", show_default=True, help="Column or number.")
@click.option("--region", default="province_code", show_default=True, help="Region column.")
@click.option("--weight", help="Weight column (survey data; none means registry data).")
@click.option("--strata", help="Stratum column.")
@click.option("--psu", help="Cluster columns, one per stage.")
@click.option("--fpc", help="Finite population corrections per stage.")
@click.option(
    "--group", "groups", multiple=True, help="NAME=CONDITION, e.g. elderly='any(age >= 60)'."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of take-up draws.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", help="Write to this file instead of standard output.")
def simulate(
    programme_file: str,
    data: str,
    scenarios: Sequence[str],
    date: str | None,
    household: str,
    welfare: str,
    poverty_line: str,
    region: str,
    weight: str | None,
    strata: str | None,
    psu: str | None,
    fpc: str | None,
    groups: Sequence[str],
    seed: int,
    fmt: str,
    output: str | None,
) -> None:
    """Simulate PROGRAMME.yaml (baseline) and --scenario files on DATA.

    DATA is a survey or registry file (one row per person), or "demo" / "demo:PERSONS" for
    the synthetic demo survey with its design. Without --weight the data are treated as a
    registry (full population, no sampling error).
    """
    from setara import demo
    from setara.io import read_survey
    from setara.programmes import Population, read_programmes, read_scenario
    from setara.programmes import simulate as run_simulation

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
        frame = read_survey(data)
        if weight:
            design = {"weight": weight, "strata": strata, "psu": _split(psu) or None}
            design["fpc"] = _split(fpc) or None
    line: str | float = poverty_line
    with contextlib.suppress(ValueError):
        line = float(poverty_line)
    group_map: dict[str, str] = {}
    for item in groups:
        name, eq, condition = item.partition("=")
        if not eq or not name.strip() or not condition.strip():
            raise SetaraError(f"--group {item!r} is not NAME=CONDITION")
        group_map[name.strip()] = condition.strip()
    pop = Population.from_frame(
        frame,
        household=household,
        welfare=welfare,
        poverty_line=line,
        design=design,
        region=region,
    )
    sim = run_simulation(
        pop,
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
    return command


def _population(data: str, columns: dict[str, Any]) -> Any:
    """A :class:`~setara.programmes.Population` from DATA ("demo", "demo:N" or a file)."""
    from setara import demo
    from setara.io import read_survey
    from setara.programmes import Population

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
        frame = read_survey(data)
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
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", help="Write to this file instead of standard output.")
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
@click.option("--programme", "programme_file", help="Programme YAML (baseline) for a verdict.")
@click.option("--scenario", "scenario_file", help="Scenario YAML judged against --programme.")
@click.option(
    "--against", type=click.Choice(["baseline", "before"]), default="baseline",
    show_default=True, help="Verdict reference: the baseline or no programmes.",
)  # fmt: skip
@click.option("--date", help="Date whose parameters apply (YYYY-MM-DD; default today).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of take-up draws.")
@_data_options
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@click.option("--output", help="Write to this file instead of standard output.")
def optimise_command(
    data: str,
    budget: float | None,
    objectives: Sequence[str],
    cap: float | None,
    benefit: float | None,
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

    Budgets and caps are totals per welfare period (a month by default).
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
        table = allocation_table(pop, budget=budget, objectives=chosen, cap=cap, benefit=benefit)
    else:
        if budget is not None or cap is not None or benefit is not None:
            raise SetaraError("--budget, --cap and --benefit do not apply with --programme")
        scenarios = [read_scenario(scenario_file)] if scenario_file else []
        sim = simulate(
            _population(data, columns), read_programmes(programme_file), scenarios=scenarios,
            date=date, seed=seed,
        )  # fmt: skip
        name = scenarios[0].name if scenarios else "baseline"
        table = budget_verdict(sim, name, objectives=chosen, against=against)
    _emit(table, fmt, output)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except SetaraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except MemoryError:
        click.echo("error: not enough memory for this data; try fewer rows or replicates", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
