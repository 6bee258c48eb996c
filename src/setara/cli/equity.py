"""Equity commands: ``setara gap``, ``setara mpi`` and ``setara decompose ge|fgt|sources``.

Each reads FILE, builds its design from the options shared with ``setara measure``
(:mod:`setara.cli.design`), calls the library function (:func:`setara.gaps.gap`,
:func:`setara.mpi.mpi`, :mod:`setara.decomposition`) and writes its results table with
``--format table|csv|json`` and ``--output``, notes on standard error.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import click

from setara.cli.base import _emit, _split, cli, output_options, resume_collector
from setara.cli.design import DesignChoice, design_options
from setara.errors import SetaraError

if TYPE_CHECKING:
    from setara.results import Results

FILE = click.Path(dir_okay=False)


def _run(
    analysis: Callable[..., Results],
    file: str,
    design: DesignChoice,
    fmt: str,
    output: str | None,
    **arguments: Any,
) -> None:
    """Read FILE, build its design, run ``analysis`` by the ``--by`` domains and write the
    results table (notes on standard error)."""
    from setara.io import read_survey

    resume_collector()
    frame = read_survey(file)
    results = analysis(
        frame, design.build(frame), by=design.by_columns, level=design.level, **arguments
    )
    for note in results.notes:
        click.echo(f"note: {note}", err=True)
    _emit(results.frame, fmt, output)


def group_value(text: str) -> int | float | str:
    """A group value from the command line: a number when the text is one written the plain
    way (``2``, ``1.5``), so numeric columns match; otherwise the text (``"01"`` stays text)."""
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        if str(value) == text:
            return value
    return text


def _number(text: str, option: str) -> float:
    """A number or a fraction such as ``1/3``."""
    from fractions import Fraction  # imported when used: it costs the CLI's start-up

    try:
        return float(Fraction(text.strip()))
    except (ValueError, ZeroDivisionError):
        raise SetaraError(f"{option} {text!r} is not a number or a fraction such as 1/3") from None


@cli.command()
@click.argument("file", type=FILE)
@click.option("--outcome", required=True, help="Outcome column (numeric, 0/1 or boolean).")
@click.option("--group", required=True, help="Column whose values define the two groups.")
@click.option("--comparison", required=True, help="Value of --group compared (e.g. F).")
@click.option("--reference", required=True, help="Value of --group compared against (e.g. M).")
@click.option(
    "--statistic",
    type=click.Choice(["mean", "proportion", "total"]),
    default="mean",
    show_default=True,
    help="Group statistic compared.",
)
@design_options
@output_options
def gap(
    file: str,
    outcome: str,
    group: str,
    comparison: str,
    reference: str,
    statistic: str,
    design: DesignChoice,
    fmt: str,
    output: str | None,
) -> None:
    """Gap and parity ratio of --outcome between two groups (comparison minus reference,
    comparison over reference), with the covariance of the two groups in the SE."""
    from setara.gaps import gap as estimate_gap

    _run(
        estimate_gap,
        file,
        design,
        fmt,
        output,
        outcome=outcome,
        group=group,
        comparison=group_value(comparison),
        reference=group_value(reference),
        measure=statistic,
    )


@cli.command()
@click.argument("file", type=FILE)
@click.option(
    "--indicator",
    "indicators",
    multiple=True,
    required=True,
    help="Deprivation column (0/1), optionally with its weight: COL or COL=WEIGHT. Repeatable.",
)
@click.option("--k", "cutoff", default="1/3", show_default=True, help="Poverty cutoff in (0, 1].")
@design_options
@output_options
def mpi(
    file: str,
    indicators: Sequence[str],
    cutoff: str,
    design: DesignChoice,
    fmt: str,
    output: str | None,
) -> None:
    """Alkire-Foster multidimensional poverty: H, A, M0, censored headcounts and contributions
    (indicator weights default to equal and are normalised to sum to one)."""
    from setara.mpi import mpi as estimate_mpi

    weights: dict[str, float] = {}
    for item in indicators:
        for part in _split(item):
            column, sep, weight = part.partition("=")
            if column.strip() in weights:
                raise SetaraError(f"--indicator {column.strip()!r} is given twice")
            weights[column.strip()] = _number(weight, "--indicator weight") if sep else 1.0
    _run(estimate_mpi, file, design, fmt, output, indicators=weights, k=_number(cutoff, "--k"))


@cli.group()
def decompose() -> None:
    """Decompositions: GE and FGT by population group, Gini by income source."""


@decompose.command("ge")
@click.argument("file", type=FILE)
@click.option("--income", required=True, help="Welfare column.")
@click.option("--group", required=True, help="Column defining the population groups.")
@click.option("--alpha", type=float, default=0.0, show_default=True, help="GE parameter.")
@design_options
@output_options
def decompose_ge(
    file: str,
    income: str,
    group: str,
    alpha: float,
    design: DesignChoice,
    fmt: str,
    output: str | None,
) -> None:
    """GE(alpha) inequality within and between groups (0: MLD, 1: Theil T)."""
    from setara.decomposition import decompose_ge as estimate

    _run(estimate, file, design, fmt, output, welfare=income, group=group, alpha=alpha)


@decompose.command("fgt")
@click.argument("file", type=FILE)
@click.option("--income", required=True, help="Welfare column.")
@click.option("--group", required=True, help="Column defining the population groups.")
@click.option("--alpha", type=float, default=0.0, show_default=True, help="FGT parameter.")
@click.option("--line", required=True, help="Poverty line: a number, or @COLUMN per row.")
@design_options
@output_options
def decompose_fgt(
    file: str,
    income: str,
    group: str,
    alpha: float,
    line: str,
    design: DesignChoice,
    fmt: str,
    output: str | None,
) -> None:
    """FGT(alpha) poverty of each group, its population share and its contribution."""
    from fractions import Fraction

    from setara.decomposition import decompose_fgt as estimate

    try:
        fixed: float | str = float(Fraction(line.strip()))
    except (ValueError, ZeroDivisionError):
        fixed = line  # a column ('@name'); the library explains any other text
    _run(estimate, file, design, fmt, output, welfare=income, group=group, alpha=alpha, line=fixed)


@decompose.command("sources")
@click.argument("file", type=FILE)
@click.option(
    "--source",
    "sources",
    multiple=True,
    required=True,
    help="Income source column (total income is their sum). Repeatable or comma-separated.",
)
@design_options
@output_options
def decompose_sources(
    file: str,
    sources: Sequence[str],
    design: DesignChoice,
    fmt: str,
    output: str | None,
) -> None:
    """Gini of total income by income source (Lerman-Yitzhaki): shares, Gini correlations,
    concentration indices and contributions."""
    from setara.decomposition import decompose_gini_sources as estimate

    columns = [column for item in sources for column in _split(item)]
    _run(estimate, file, design, fmt, output, sources=columns)
