"""The survey-design options of the analysis commands, declared once.

:func:`design_options` adds ``--weight``, ``--strata``, ``--psu``, ``--fpc``, ``--nest``,
``--lonely-psu``, the replicate-weight options, ``--by`` and ``--level`` to a command and hands
it one :class:`DesignChoice`; :meth:`DesignChoice.build` turns it into a
:class:`~setara.design.SurveyDesign` for a frame. The options and their meaning are those of
``setara measure``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

import click

from setara.cli.base import _split
from setara.errors import SetaraError

if TYPE_CHECKING:
    import polars as pl

    from setara.design import SurveyDesign

LONELY = ["fail", "remove", "certainty", "adjust", "average"]
REPLICATE_TYPES = ["bootstrap", "jk1", "jkn", "brr", "fay"]


@dataclass(frozen=True)
class DesignChoice:
    """The design as given on the command line (column names and settings)."""

    weight: str | None
    strata: str | None
    psu: str | None
    fpc: str | None
    nest: bool
    lonely_psu: str
    replicate_weights: str | None
    replicate_type: str
    replicate_scale: float | None
    replicate_rscales: str | None
    mse: bool
    rho: float | None
    make_replicates: str | None
    seed: int
    by: str | None
    level: float

    @property
    def by_columns(self) -> list[str] | None:
        return _split(self.by) or None

    def build(self, frame: pl.DataFrame) -> SurveyDesign:
        """The :class:`~setara.design.SurveyDesign` of ``frame`` (created replicates too)."""
        from setara.estimation import survey_design, with_replicates

        design = survey_design(
            frame,
            weight=self.weight,
            strata=_split(self.strata) or None,
            psu=_split(self.psu) or None,
            fpc=_split(self.fpc) or None,
            nest=self.nest,
            lonely_psu=self.lonely_psu,
            replicate_weights=self.replicate_weights,
            replicate_type=self.replicate_type,
            replicate_scale=self.replicate_scale,
            replicate_rscales=self._rscales(),
            mse=self.mse,
            rho=self.rho,
        )
        if not self.make_replicates:
            return design
        import numpy as np

        kind, _, count = self.make_replicates.partition(":")
        try:
            n_rep = int(count) if count else 200
        except ValueError:
            text = self.make_replicates
            raise SetaraError(f"--replicates {text!r}: R must be a number") from None
        return with_replicates(
            design, kind, replicates=n_rep, rng=np.random.default_rng(self.seed), mse=self.mse
        )

    def _rscales(self) -> float | list[float] | None:
        if not self.replicate_rscales:
            return None
        try:
            values = [float(v) for v in _split(self.replicate_rscales)]
        except ValueError:
            raise SetaraError(
                f"--replicate-rscales {self.replicate_rscales!r} is not numbers"
            ) from None
        return values[0] if len(values) == 1 else values


_OPTIONS = [
    click.option("--weight", help="Sampling weight column (derived from --fpc when absent)."),
    click.option("--strata", help="Stratum column (one, or one per stage, comma-separated)."),
    click.option("--psu", help="Cluster columns, one per stage: PSU[,SSU...]."),
    click.option("--fpc", help="Finite population corrections per stage (counts or fractions)."),
    click.option("--nest", is_flag=True, help="PSU codes repeat within strata."),
    click.option("--lonely-psu", type=click.Choice(LONELY), default="fail", show_default=True),
    click.option("--replicate-weights", help="Replicate-weight columns: a glob such as 'rep*'."),
    click.option(
        "--replicate-type",
        type=click.Choice(REPLICATE_TYPES),
        default="bootstrap",
        show_default=True,
    ),
    click.option("--replicate-scale", type=float, help="Overall variance scale."),
    click.option("--replicate-rscales", help="Per-replicate scales: one number or a list."),
    click.option("--mse", is_flag=True, help="Centre replicate variance at the full estimate."),
    click.option("--rho", type=float, help="Fay's rho for --replicate-type fay."),
    click.option(
        "--replicates", "make_replicates", help="Create replicates: jk1, jkn, bootstrap:R."
    ),
    click.option("--seed", type=int, default=20261127, show_default=True, help="Bootstrap seed."),
    click.option("--by", help="Domain columns, comma-separated."),
    click.option("--level", type=float, default=0.95, show_default=True, help="Confidence level."),
]
_NAMES = tuple(f.name for f in fields(DesignChoice))


def design_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the design options to ``command``, which receives them as ``design=DesignChoice``."""

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        choice = DesignChoice(**{name: kwargs.pop(name) for name in _NAMES})
        return command(design=choice, **kwargs)

    decorated: Callable[..., Any] = wrapper
    for option in reversed(_OPTIONS):
        decorated = option(decorated)
    return decorated
