"""The programme lab's questions in one call each: which targeting method serves a budget best,
and how much of the achievable poverty reduction a simulated programme delivers.

Units follow :class:`~setara.programmes.population.Population`: welfare is *per capita per
welfare period* (``pop.welfare_period``, a month for Susenas), and every budget here is a
*total transfer per welfare period* in the same currency, summed over the (weighted)
population. Simulated programme amounts are yearly; they are converted exactly as
:func:`~setara.programmes.simulate.simulate` adds them to welfare (divided by the periods per
year), so a monthly-welfare budget is the yearly cost / 12.

- :func:`compare_targeting` — PMT (cross-validated scores), categorical, geographic and
  universal targeting side by side with the same budget (:func:`.targeting.compare_methods`);
- :func:`allocation_table` — the optimal allocations of a budget, one row per objective;
- :func:`budget_verdict` — "this programme achieves X % of the poverty reduction that the same
  budget could achieve" (:func:`.optimise.optimal_allocation` and :func:`.optimise.achievement`).

>>> from setara.demo import generate_survey
>>> from setara.programmes import Population, compare_targeting
>>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
>>> table = compare_targeting(pop, budget=5e12, proxies=["members", "urban"],
...                           categorical="any(age < 7) or head_female")
>>> table["method"].to_list()
['pmt', 'categorical', 'geographic', 'universal']
>>> table.filter(method="universal")["exclusion_error"][0]
0.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.errors import InputValueError
from setara.programmes.expressions import BOOL, parse_expression
from setara.programmes.optimise import achievement, fgt, optimal_allocation
from setara.programmes.pmt import fit_pmt
from setara.programmes.population import PERIODS, Population
from setara.programmes.rules import Context
from setara.programmes.simulate import BASELINE, Simulation
from setara.programmes.spec import Programme
from setara.programmes.targeting import bottom_share, compare_methods, roc_curve, select_bottom

__all__ = [
    "NoExtraBudgetError",
    "allocation_table",
    "budget_verdict",
    "compare_targeting",
    "household_condition",
]

BoolArray = npt.NDArray[np.bool_]
TARGETS = ("poor", "bottom")
FGT_ALPHA = {"fgt0": 0.0, "fgt1": 1.0, "fgt2": 2.0}
REFERENCES = ("baseline", "before")


class NoExtraBudgetError(InputValueError):
    """A scenario that adds no cash over its reference (it costs the same or less), so there is
    no extra budget to allocate optimally. ``amount`` is the change per welfare period
    (negative: the scenario saves that much)."""

    def __init__(self, scenario: str, against: str, amount: float, period: str) -> None:
        self.scenario, self.against, self.amount, self.period = scenario, against, amount, period
        what = "saves" if amount < 0 else "adds"
        reference = "the baseline" if against == "baseline" else "no programmes"
        super().__init__(
            f"scenario {scenario!r} {what} {abs(amount):,.0f} in welfare per {period} against "
            f"{reference}: it costs no more, so there is no extra budget to allocate and no "
            "verdict"
        )


def household_condition(pop: Population, condition: str, *, where: str = "condition") -> BoolArray:
    """Evaluate a household condition of the programme expression language on ``pop``
    (``"any(age < 7) or head_female"``; member variables need ``any``/``all``/``count``).

    >>> from setara.demo import generate_survey
    >>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
    >>> int(household_condition(pop, "members >= 6").sum()) > 0
    True
    """
    dummy = Programme.from_dict({"id": "lab", "benefit": {"type": "flat", "amount": 0}})
    ctx = Context(pop, dummy, dt.date.min, {})
    expr = parse_expression(condition, where=f"{where} {condition!r}")
    return np.asarray(ctx.evaluate(expr, "household", BOOL), dtype=bool)


def _share(value: float, name: str) -> float:
    if not 0.0 < value <= 1.0:
        raise InputValueError(f"{name} must be in (0, 1], not {value}")
    return float(value)


def compare_targeting(
    pop: Population,
    *,
    budget: float,
    proxies: Sequence[str],
    share: float = 0.2,
    categorical: str | None = None,
    geographic_share: float | None = None,
    target: str = "poor",
    folds: int = 5,
    seed: int = 0,
) -> pl.DataFrame:
    """PMT, categorical, geographic and universal targeting side by side, one budget each.

    Parameters
    ----------
    pop : Population
        Households with per-capita welfare per ``pop.welfare_period`` and weights.
    budget : float
        Total transfer per welfare period (currency), the same for every method, shared
        equally *per person* among the persons of the selected households — the semantics of
        :func:`~setara.programmes.targeting.compare_methods` with person weights
        (``weight x members``): each selected household's per-capita welfare rises by
        ``budget / persons selected``.
    proxies : sequence of str
        PMT proxies, household expressions (``"members"``, ``"count(age < 15)"``, ``"urban"``).
    share : float
        PMT selects the households with the lowest *out-of-fold* (cross-validated) PMT scores
        until ``share`` of the persons is covered; also the bottom share for ``target="bottom"``.
    categorical : str, optional
        A household condition (``"any(age < 7) or head_female"``); the row is left out if
        ``None``.
    geographic_share : float, optional
        Geographic targeting takes *whole* regions, those with the highest weighted headcount
        of the target group first, while the persons covered before a region are below this
        share of the population (default ``share``). Left out when ``pop`` has no region
        column (an error if this is given).
    target : {"poor", "bottom"}
        The target group: persons with welfare at or below the line, or the poorest ``share``
        (:func:`~setara.programmes.targeting.bottom_share`: at or below the weighted
        ``share``-quantile, the rule of ``simulate``'s deciles and of the engine).
    folds, seed : int
        Cross-validation folds of the PMT (assigned by hashed household id and ``seed``).

    Returns
    -------
    polars.DataFrame
        One row per method (``pmt``, ``categorical``, ``geographic``, ``universal``) with the
        columns of :func:`~setara.programmes.targeting.compare_methods` (errors and coverage
        in persons), ``selected_share`` of persons, ``rule`` (what was selected) and, for the
        PMT row only, ``cv_r2`` and ``auc`` (ROC AUC of the out-of-fold score for the target).

    References
    ----------
    Grosh, Leite, Wai-Poi and Tesliuc (eds., 2022), *Revisiting Targeting in Social
    Assistance*, World Bank, ch. 7.

    Examples
    --------
    >>> from setara.demo import generate_survey
    >>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
    >>> t = compare_targeting(pop, budget=5e12, proxies=["members", "count(age < 15)"])
    >>> pmt, universal = t.filter(method="pmt").row(0, named=True), t[-1].row(0, named=True)
    >>> pmt["inclusion_error"] < universal["inclusion_error"]
    True
    """
    if not budget > 0:
        raise InputValueError(f"budget must be a positive amount per welfare period, not {budget}")
    share = _share(share, "share")
    if target not in TARGETS:
        raise InputValueError(f"target must be one of {', '.join(TARGETS)}, not {target!r}")
    if not proxies:
        raise InputValueError("PMT needs at least one proxy")
    persons = pop.person_weight
    wanted = pop.poor if target == "poor" else bottom_share(pop.welfare, share, persons)
    model = fit_pmt(pop, proxies, folds=folds, seed=seed)
    methods: dict[str, BoolArray] = {"pmt": select_bottom(model.cv_score, share, weights=persons)}
    rules = {"pmt": f"bottom {share:.0%} by out-of-fold PMT score ({folds} folds)"}
    if categorical is not None:
        methods["categorical"] = household_condition(pop, categorical, where="categorical")
        rules["categorical"] = categorical
    if pop.region_column is not None:
        cover = share if geographic_share is None else _share(geographic_share, "geographic_share")
        methods["geographic"], rules["geographic"] = _geographic(pop, wanted, cover)
    elif geographic_share is not None:
        raise InputValueError("geographic targeting needs a region column (none is named)")
    methods["universal"] = np.ones(pop.n_households, dtype=bool)
    rules["universal"] = "everyone"
    table = compare_methods(
        methods,
        welfare=pop.welfare,
        line=pop.poverty_line,
        budget=budget,
        weights=persons,
        target=wanted,
    )
    auc = roc_curve(model.cv_score, wanted, persons)[2]
    is_pmt = pl.col("method") == "pmt"
    return table.with_columns(
        selected_share=pl.col("selected") / float(persons.sum()),
        rule=pl.Series(list(rules.values())),
        cv_r2=pl.when(is_pmt).then(pl.lit(model.cv_r2)),
        auc=pl.when(is_pmt).then(pl.lit(auc)),
    )


def _geographic(pop: Population, wanted: BoolArray, cover: float) -> tuple[BoolArray, str]:
    """Whole regions, highest weighted headcount of the target group first, while the
    persons covered before a region are below ``cover`` of the population."""
    codes, labels = pop.region_codes()
    weights = pop.person_weight
    size = np.bincount(codes, weights=weights, minlength=len(labels)).astype(np.float64)
    hit = np.bincount(codes, weights=weights * wanted, minlength=len(labels)).astype(np.float64)
    rate = np.divide(hit, size, out=np.zeros(size.size), where=size > 0)
    chosen = select_bottom(-rate, cover, weights=size)
    names = [labels[k] for k in np.flatnonzero(chosen)[np.argsort(-rate[chosen], kind="stable")]]
    return chosen[codes], f"{len(names)} of {len(labels)} regions: {', '.join(names)}"


def budget_verdict(
    sim: Simulation,
    scenario: str,
    *,
    objectives: Sequence[str] = ("fgt0", "fgt1", "fgt2"),
    against: str = "baseline",
) -> pl.DataFrame:
    """How much of the achievable poverty reduction a simulated scenario delivers for its money.

    The budget is the cash the scenario *adds to welfare* over the reference, per welfare
    period: ``sum weight x members x (welfare after - welfare of the reference)``, i.e. the
    yearly cost of its ``in_welfare`` programmes divided by the periods per year, exactly as
    :func:`~setara.programmes.simulate.simulate` adds them. That same budget is allocated
    optimally (:func:`~setara.programmes.optimise.optimal_allocation`, households with their
    members and weights) on top of the reference welfare, and the two reductions compared.
    The budget is net: households that lose cash (a programme cut) count negatively; a
    scenario adding no cash (only non-cash programmes, or cuts) has no verdict.
    A marginal verdict (the default) judges a reform by what it changes; ``against="before"``
    judges the whole scenario, every cash programme, against no programmes.

    Parameters
    ----------
    sim : Simulation
        The result of :func:`~setara.programmes.simulate.simulate`.
    scenario : str
        A scenario name, or ``"baseline"``.
    objectives : sequence of {"fgt0", "fgt1", "fgt2"}
        Poverty measures to judge by.
    against : {"baseline", "before"}
        The reference: the baseline run (for ``scenario="baseline"`` itself, the population
        without programmes), or the population without programmes.

    Returns
    -------
    polars.DataFrame
        Rows ``objective``; columns ``budget`` (per welfare period), ``budget_per_year``,
        ``before`` (reference FGT), ``actual_reduction``, ``optimal_reduction``,
        ``achievement`` (actual / best reduction found), ``achievement_at_least`` (actual /
        the proven bound on the best reduction: equal when ``status`` is ``optimal``),
        ``status`` (``optimal`` only when the solver proved it), ``bound`` (lowest FGT the
        budget could reach), ``method`` and ``gap`` (share of the best reduction possibly
        missing). FGT here counts welfare strictly below the line as poor
        (Bourguignon and Fields 1990; :func:`~setara.programmes.optimise.fgt`), for both sides.

    Examples
    --------
    >>> import polars as pl
    >>> from setara.programmes import Population, Scenario, read_programmes, simulate
    >>> frame = pl.DataFrame({"id": range(1, 11), "income": [6, 8, 11, 15, 21, 25, 30, 40,
    ...                                                      50, 100]})
    >>> pop = Population.from_frame(frame, household="id", welfare="income", poverty_line=20,
    ...                             region=None, person_id=None, welfare_period="year")
    >>> s2 = read_programmes([{"id": "s2", "eligibility": "id in [2, 3]",
    ...                        "benefit": {"type": "flat", "amount": 15}}])
    >>> sim = simulate(pop, [], scenarios=[Scenario("S2", tuple(s2))], date="2025-01-01")
    >>> round(budget_verdict(sim, "S2", objectives=["fgt1"])["achievement"][0], 6)
    0.7
    """
    if against not in REFERENCES:
        raise InputValueError(f"against must be one of {', '.join(REFERENCES)}, not {against!r}")
    unknown = [o for o in objectives if o not in FGT_ALPHA]
    if unknown or not objectives:
        raise InputValueError(
            f"objectives must be among {', '.join(FGT_ALPHA)}, not {unknown or 'none'}"
        )
    runs = {run.name: run for run in sim.runs}
    if scenario not in runs:
        raise InputValueError(f"scenario {scenario!r} is not simulated; known: {', '.join(runs)}")
    pop = sim.population
    before = pop.welfare
    if against == "baseline" and scenario != BASELINE:
        before = runs[BASELINE].welfare
    after = runs[scenario].welfare
    persons = pop.person_weight
    budget = float((persons * (after - before)).sum())
    if not budget > 0:
        raise NoExtraBudgetError(scenario, against, budget, pop.welfare_period)
    rows = []
    for objective in objectives:
        alpha = FGT_ALPHA[objective]
        reference = fgt(before, pop.poverty_line, alpha, persons)
        actual = reference - fgt(after, pop.poverty_line, alpha, persons)
        best = optimal_allocation(
            before,
            pop.poverty_line,
            budget,
            objective=objective,
            weights=pop.weight,
            members=pop.members,
        )
        rows.append(
            {
                "objective": objective,
                "budget": budget,
                "budget_per_year": budget * PERIODS[pop.welfare_period],
                "before": reference,
                "actual_reduction": actual,
                "optimal_reduction": best.reduction,
                "achievement": achievement(actual, best),
                "achievement_at_least": actual / best.best_reduction
                if best.best_reduction > 0
                else float("nan"),
                "status": best.status,
                "bound": best.bound,
                "method": best.method,
                "gap": best.gap,
            }
        )
    return pl.DataFrame(rows)


def allocation_table(
    pop: Population,
    *,
    budget: float,
    objectives: Sequence[str] = ("fgt0", "fgt1", "fgt2"),
    cap: float | None = None,
    benefit: float | None = None,
    heuristic: bool = False,
) -> pl.DataFrame:
    """The allocation of ``budget`` (total per welfare period) across ``pop``'s households that
    minimises each objective (:func:`~setara.programmes.optimise.optimal_allocation`).

    ``cap`` is the most one household may receive and ``benefit`` the fixed amount per
    household of ``objective="coverage"``, both per welfare period; ``heuristic=True`` uses
    the fast ordering rules instead of the solvers. Columns: ``objective``,
    ``budget``, ``spent``, ``households`` (weighted households funded), ``before``,
    ``after``, ``reduction``, ``status``, ``bound``, ``method``, ``gap``
    (:class:`~setara.programmes.optimise.Allocation`). For coverage, ``before``/``after`` are the
    shares of poor persons not reached.

    >>> from setara.demo import generate_survey
    >>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
    >>> table = allocation_table(pop, budget=5e11, objectives=["fgt2"])
    >>> bool(table["after"][0] < table["before"][0])
    True
    """
    rows = []
    for objective in objectives:
        best = optimal_allocation(
            pop.welfare, pop.poverty_line, budget, objective=objective,
            weights=pop.weight, members=pop.members, cap=cap, benefit=benefit,
            heuristic=heuristic,
        )  # fmt: skip
        rows.append(
            {
                "objective": objective,
                "budget": budget,
                "spent": best.spent,
                "households": float(pop.weight[best.amount > 0].sum()),
                "before": best.before,
                "after": best.after,
                "reduction": best.reduction,
                "status": best.status,
                "bound": best.bound,
                "method": best.method,
                "gap": best.gap,
            }
        )
    return pl.DataFrame(rows)
