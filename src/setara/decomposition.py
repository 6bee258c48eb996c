"""Decompositions: GE inequality by population group, FGT poverty by population group, and
the Gini coefficient by income source (Lerman–Yitzhaki), with design-based standard errors.

GE(alpha) by groups (Shorrocks 1980, 1984). With group shares of people ``p_g = N_g/N`` and
of income ``s_g = Y_g/Y`` and group means ``mu_g``, the between-group component is the GE of
the distribution in which every member gets the group mean,

    alpha = 0: B = sum_g p_g log(mu / mu_g)
    alpha = 1: B = sum_g s_g log(mu_g / mu)
    otherwise: B = (sum_g p_g (mu_g / mu)^alpha - 1) / (alpha (alpha - 1)),

and the within-group component is ``W = sum_g s_g^alpha p_g^(1-alpha) GE_g = GE - B``
exactly. ``B`` is a smooth function of the group totals ``N_g`` and ``Y_g``, linearized by the
delta method; ``W`` takes the influence of the total minus that of ``B``.

FGT by groups: ``P = sum_g (N_g/N) P_g``; the contribution of group ``g`` is
``N_g P_g / (N P) = sum_{i in g} w_i p_i / sum_i w_i p_i`` with ``p_i`` the FGT value of row
``i``: a ratio of totals. Population shares and contributions sum to one in every domain.

Gini by sources (Lerman and Yitzhaki 1985): with total income ``y = sum_k y_k``, the mid-rank
Gini is ``G = sum_k S_k R_k G_k`` with ``S_k = Y_k / Y``, ``G_k`` the Gini of source ``k`` and
``R_k = cov(y_k, F(y)) / cov(y_k, F(y_k))`` its Gini correlation with total income. Since
``R_k G_k = C_k``, the concentration index of ``y_k`` ranked by ``y``, the contribution
``S_k C_k / G`` and ``R_k = C_k / G_k`` are products of estimates whose influence functions are
known (:mod:`setara.measures.equity`, :mod:`setara.kernels.inequality`); they are linearized by
the delta method, so no replicate weights are needed (they are used when the design has them).

References
----------
Shorrocks, A.F. (1980). The class of additively decomposable inequality measures.
Econometrica 48(3), 613-625; (1984) Econometrica 52(6), 1369-1385.
Foster, J., Greer, J., Thorbecke, E. (1984). Econometrica 52(3), 761-766.
Lerman, R.I., Yitzhaki, S. (1985). Income inequality effects by income source: a new approach
and applications to the United States. Review of Economics and Statistics 67(1), 151-156.
Biewen, M., Jenkins, S. (2006). Oxford Bull. Econ. Stat. 68(3) (GE linearization).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from setara.analysis import Analysis
from setara.design import SurveyDesign
from setara.errors import InputValueError, MeasureSpecError
from setara.kernels.groups import FloatArray, IntArray, group_sum
from setara.measures.base import Linearized, Measure, MeasureData
from setara.measures.basic import Mean, Ratio
from setara.measures.equity import Concentration
from setara.measures.inequality import GeneralizedEntropy, Gini
from setara.measures.poverty import PovertyLine, parse_line
from setara.measures.product import ProductMeasure
from setara.results import Results

__all__ = ["decompose_fgt", "decompose_ge", "decompose_gini_sources"]


def _between(
    alpha: float, n_c: FloatArray, y_c: FloatArray, cell_domain: IntArray, n_domains: int
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Between-group GE per domain from cell totals; also ``N``, ``Y`` and the group sum."""
    n_d = group_sum(cell_domain, n_c, n_domains)
    y_d = group_sum(cell_domain, y_c, n_domains)
    present = n_c > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        log_mu = np.where(present, np.log(y_c / n_c), 0.0)
        if alpha == 0:
            s = group_sum(cell_domain, np.where(present, n_c * log_mu, 0.0), n_domains)
            est = np.log(y_d / n_d) - s / n_d
        elif alpha == 1:
            s = group_sum(cell_domain, np.where(present, y_c * log_mu, 0.0), n_domains)
            est = s / y_d - np.log(y_d / n_d)
        else:
            term = np.where(present, n_c ** (1.0 - alpha) * y_c**alpha, 0.0)
            s = group_sum(cell_domain, term, n_domains)
            est = (n_d ** (alpha - 1.0) * y_d ** (-alpha) * s - 1.0) / (alpha * (alpha - 1.0))
    return np.asarray(est), n_d, y_d, s


@dataclass
class GEBetween(Measure):
    """Between-group GE(alpha): the GE of group means given to every member of the group.

    ``cell`` codes each row's (domain, group) cell; ``cell_domain`` maps cells to domains.
    """

    alpha: float = 0.0
    cell: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    n_cells: int = 0
    cell_domain: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    name = "ge_between"

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        n_c = group_sum(self.cell, weights, self.n_cells)
        y_c = group_sum(self.cell, data.y[:, None] * weights, self.n_cells)
        return _between(self.alpha, n_c, y_c, self.cell_domain, data.n_domains)[0]

    def linearize(self, data: MeasureData) -> Linearized:
        a, y, w = self.alpha, data.y, data.weights
        n_c = group_sum(self.cell, w, self.n_cells)
        y_c = group_sum(self.cell, y * w, self.n_cells)
        est, n_d, y_d, s = _between(a, n_c, y_c, self.cell_domain, data.n_domains)
        inside = self.cell >= 0
        c = np.where(inside, self.cell, 0)
        d = self.cell_domain[c]
        nd, yd, sd, nc, yc = n_d[d], y_d[d], s[d], n_c[c], y_c[c]
        with np.errstate(divide="ignore", invalid="ignore"):
            mu_c = yc / nc
            if a == 0:
                d_s = np.log(mu_c) + y / mu_c - 1.0
                lin = y / yd - 1.0 / nd - d_s / nd + sd / nd**2
            elif a == 1:
                d_s = y * np.log(mu_c) + y - mu_c
                lin = d_s / yd - sd * y / yd**2 - y / yd + 1.0 / nd
            else:
                scale = nd ** (a - 1.0) * yd ** (-a)
                d_s = nc ** (1.0 - a) * yc**a * ((1.0 - a) / nc + a * y / yc)
                d_f = scale * sd * ((a - 1.0) / nd - a * y / yd) + scale * d_s
                lin = d_f / (a * (a - 1.0))
        return Linearized(estimate=est, influence=np.where(inside, lin, 0.0))


@dataclass
class GEWithin(Measure):
    """Within-group GE(alpha), ``sum_g s_g^alpha p_g^(1-alpha) GE_g = GE - between``."""

    between: GEBetween = field(default_factory=GEBetween)
    name = "ge_within"

    def linearize(self, data: MeasureData) -> Linearized:
        total = GeneralizedEntropy(alpha=self.between.alpha).linearize(data)
        between = self.between.linearize(data)
        return Linearized(
            estimate=total.estimate - between.estimate,
            influence=total.influence - between.influence,
        )

    def replicate(self, data: MeasureData, weights: FloatArray) -> FloatArray:
        total = GeneralizedEntropy(alpha=self.between.alpha).replicate(data, weights)
        return total - self.between.replicate(data, weights)


def decompose_ge(
    data: Any,
    design: SurveyDesign,
    *,
    welfare: str,
    group: str,
    alpha: float = 0.0,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> Results:
    """Decompose GE(alpha) inequality into within- and between-group components.

    Parameters
    ----------
    data : polars or pandas DataFrame
    design : SurveyDesign
    welfare : str
        Welfare column; rows with missing or non-positive values are left out (as for ``ge``).
    group : str
        Column defining the population groups (urban/rural, region, education of the head).
    alpha : float
        GE parameter: 0 mean log deviation, 1 Theil T, 2 half the squared CV.
    by : str or list of str, optional
        Domains, each decomposed separately; the whole population when omitted.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    Results
        Rows ``ge_total``, ``ge_within`` and ``ge_between`` (params ``alpha=..,group=..``) per
        domain; ``within + between == total``. Standard errors by linearization (delta method)
        or replicate weights.

    References
    ----------
    Shorrocks (1980, 1984); Biewen and Jenkins (2006).
    """
    an = Analysis.start(data, design, by, level)
    y = an.numeric(welfare, "welfare")
    valid = ~np.isnan(y)
    nonpositive = valid & (y <= 0)
    if nonpositive.any():
        an.notes.append(
            f"ge: {int(nonpositive.sum()):,} rows with zero or negative {welfare!r} treated as "
            "outside the domain"
        )
    dom = an.restrict(valid & ~nonpositive)
    cells = an.cells(dom, group)
    view = an.data(y, dom, an.n_domains)
    between = GEBetween(
        alpha=alpha, cell=cells.cell, n_cells=cells.n_cells, cell_domain=cells.cell_domain
    )
    params = f"alpha={alpha:g},group={group}"
    an.add_measure(GeneralizedEntropy(alpha=alpha), view, "ge_total", params)
    an.add_measure(GEWithin(between=between), view, "ge_within", params)
    an.add_measure(between, view, "ge_between", params)
    return an.results()


def _fixed_line(line: float | str) -> PovertyLine:
    parsed = (
        parse_line(str(line))
        if isinstance(line, str)
        else PovertyLine(kind="value", value=float(line))
    )
    if parsed.kind == "relative":
        raise MeasureSpecError(
            "decompose_fgt needs a fixed poverty line (a number or a column, '@name'); "
            f"estimate the relative line {parsed.text()!r} first and pass its value"
        )
    if parsed.kind == "value" and not parsed.value > 0:
        raise MeasureSpecError(f"poverty line must be positive, not {parsed.value:g}")
    return parsed


def _fgt_values(y: FloatArray, z: FloatArray, alpha: float) -> FloatArray:
    """FGT value of each row, ``((z - y)/z)^alpha 1{y <= z}`` (poor at the line, as ``fgt``)."""
    poor = y <= z
    if alpha == 0:
        return poor.astype(np.float64)
    return np.asarray(np.where(poor, (z - y) / z, 0.0) ** alpha)


def decompose_fgt(
    data: Any,
    design: SurveyDesign,
    *,
    welfare: str,
    group: str,
    alpha: float,
    line: float | str,
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> Results:
    """Decompose FGT(alpha) poverty by population group.

    Parameters
    ----------
    data : polars or pandas DataFrame
    design : SurveyDesign
    welfare : str
        Welfare column; rows with a missing value are left out.
    group : str
        Column defining the population groups.
    alpha : float
        FGT parameter (0 headcount, 1 poverty gap, 2 severity).
    line : float or str
        Fixed poverty line: a number, or ``"@column"`` for a line per row (treated as fixed).
        Relative lines (``"0.6*median"``) are refused: their sampling variance would enter
        every group's estimate.
    by : str or list of str, optional
        Domains, each decomposed separately.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    Results
        Per domain and group level (``by`` columns plus ``group``): ``fgt_group`` (the group's
        FGT), ``fgt_population_share`` (``N_g / N``) and ``fgt_contribution`` (``N_g P_g /
        (N P)``); shares and contributions sum to one in each domain.

    References
    ----------
    Foster, Greer and Thorbecke (1984), section 3 (subgroup consistency).
    """
    if alpha < 0:
        raise MeasureSpecError(f"fgt alpha must be >= 0, not {alpha:g}")
    parsed = _fixed_line(line)
    an = Analysis.start(data, design, by, level)
    y = an.numeric(welfare, "welfare")
    z = np.full(an.frame.height, parsed.value)
    if parsed.kind == "column":
        z = an.numeric(parsed.column, "poverty line")
        if (z[~np.isnan(z)] <= 0).any():
            raise InputValueError(
                f"poverty line column {parsed.column!r} has "
                f"{int((z[~np.isnan(z)] <= 0).sum()):,} zero or negative values"
            )
    keep = ~np.isnan(y) & ~np.isnan(z)
    dom = an.restrict(keep)
    cells = an.cells(dom, group)
    p = _fgt_values(np.where(keep, y, 0.0), np.where(keep, z, 1.0), alpha) * keep
    params = f"alpha={alpha:g},line={parsed.text()},group={group}"
    an.add_measure(Mean(), an.data(p, cells.cell, cells.n_cells), "fgt_group", params, cells.labels)
    # shares and contributions are domain-level ratios: one pass per group level
    est = np.zeros((2, cells.n_cells))
    se = np.zeros((2, cells.n_cells))
    ones = np.ones(an.frame.height)
    for g in range(cells.n_groups):
        in_g = (cells.group == g).astype(np.float64)
        at = np.flatnonzero(cells.cell_group == g)
        for row, (num, den) in enumerate(((in_g, ones), (in_g * p, p))):
            view = an.data(num, dom, an.n_domains, denominator=den)
            with np.errstate(divide="ignore", invalid="ignore"):
                e, s = Ratio().standard_error(an.design, view)
            est[row, at] = e[cells.cell_domain[at]]
            se[row, at] = s[cells.cell_domain[at]]
    for row, name in enumerate(("fgt_population_share", "fgt_contribution")):
        an.add(name, params, est[row], se[row], cells.cell, cells.n_cells, cells.labels)
    return an.results(by=(*an.by, group))


def decompose_gini_sources(
    data: Any,
    design: SurveyDesign,
    *,
    sources: Sequence[str],
    by: str | Sequence[str] | None = None,
    level: float = 0.95,
) -> Results:
    """Decompose the (mid-rank) Gini of total income by income source (Lerman–Yitzhaki).

    Parameters
    ----------
    data : polars or pandas DataFrame
    design : SurveyDesign
        Linearization or replicate-weight design. With linearization the standard errors use
        the influence functions of the Gini, of the concentration index (ranks treated as
        estimated) and of the ratio, combined by the delta method; replicate weights are used
        when the design has them.
    sources : list of str
        Income source columns; total income is their sum. Rows with a missing source are left
        out. Sources may be negative (taxes, losses).
    by : str or list of str, optional
        Domains, each decomposed separately.
    level : float
        Confidence level of the intervals.

    Returns
    -------
    Results
        Per source (params ``source=col``): ``gini_source_share`` (``S_k``),
        ``gini_source_gini`` (``G_k``), ``gini_source_correlation`` (``R_k``) and
        ``gini_source_contribution`` (``S_k R_k G_k / G``, the relative contribution; these
        sum to one, and ``sum_k S_k R_k G_k`` equals the mid-rank Gini of total income).

    References
    ----------
    Lerman and Yitzhaki (1985); O'Donnell et al. (2008), ch. 8 (concentration index).
    """
    names = list(sources)
    if not names:
        raise InputValueError("decompose_gini_sources needs at least one source column")
    if len(set(names)) != len(names):
        raise InputValueError(f"source columns are repeated: {', '.join(names)}")
    an = Analysis.start(data, design, by, level)
    columns = {s: an.numeric(s, "income source") for s in names}
    keep = np.ones(an.frame.height, dtype=bool)
    for values in columns.values():
        keep &= ~np.isnan(values)
    dom = an.restrict(keep)
    values_k = {s: np.where(keep, v, 0.0) for s, v in columns.items()}
    total = np.sum(list(values_k.values()), axis=0)
    total_view = an.data(total, dom, an.n_domains)
    for source, y_k in values_k.items():
        share = (Ratio(), an.data(y_k, dom, an.n_domains, denominator=total), 1.0)
        gini_k = (Gini(), an.data(y_k, dom, an.n_domains), 1.0)
        conc = (Concentration(outcome=source), an.data(total, dom, an.n_domains, outcome=y_k), 1.0)
        params = f"source={source}"
        an.add_measure(share[0], share[1], "gini_source_share", params)
        an.add_measure(gini_k[0], gini_k[1], "gini_source_gini", params)
        correlation = ProductMeasure(parts=[conc, (gini_k[0], gini_k[1], -1.0)])
        an.add_measure(correlation, total_view, "gini_source_correlation", params)
        contribution = ProductMeasure(parts=[share, conc, (Gini(), total_view, -1.0)])
        an.add_measure(contribution, total_view, "gini_source_contribution", params)
    return an.results()
