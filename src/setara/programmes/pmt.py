"""Proxy-means tests: weighted least squares of log per-capita welfare on observable proxies
with region fixed effects, k-fold cross-validated, and the scores it gives households.

Proxies are expressions over household members (``"members"``, ``"count(age < 15)"``,
``"any(disability)"``, ``"max(years_schooling)"``, ``"urban"``). Region effects are absorbed by
weighted demeaning within regions (Frisch-Waugh-Lovell), so thousands of regions cost no more
than one. Folds are assigned from the hashed household id, never from row order or a global
random state. Weights are ``weight x members`` (the regression describes persons).

References: Grosh and Baker (1995), "Proxy means tests for targeting social programs", World
Bank LSMS WP 118; Brown, Ravallion and van de Walle (2018), J. Dev. Econ. 134.

>>> from setara.demo import generate_survey
>>> pop = Population.from_frame(generate_survey(10_000, seed=1), design="demo")
>>> model = fit_pmt(pop, ["members", "urban", "count(age < 15)"], folds=5)
>>> 0.0 < model.r2 < 1.0
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from setara.errors import InputValueError
from setara.kernels.groups import FloatArray, IntArray
from setara.programmes.expressions import NUM, parse_expression
from setara.programmes.hashing import uniform_draws
from setara.programmes.population import Population
from setara.programmes.rules import Context
from setara.programmes.spec import Programme

__all__ = ["PMTModel", "fit_pmt", "proxy_matrix"]


@dataclass(frozen=True)
class PMTModel:
    """Coefficients (``proxies`` order), in-sample and cross-validated R², and scores.

    ``score`` is the in-sample prediction of log per-capita welfare per household;
    ``cv_score`` the out-of-fold prediction (use it to judge targeting honestly).
    """

    proxies: tuple[str, ...]
    coefficients: FloatArray
    region_effects: FloatArray
    r2: float
    cv_r2: float
    score: FloatArray
    cv_score: FloatArray


def proxy_matrix(pop: Population, proxies: Sequence[str]) -> FloatArray:
    """Household-level proxy values, one column per expression."""
    dummy = Programme.from_dict({"id": "pmt", "benefit": {"type": "flat", "amount": 0}})
    ctx = Context(pop, dummy, dt.date.min, {})
    columns = []
    for text in proxies:
        expr = parse_expression(text, where=f"PMT proxy {text!r}")
        values = np.asarray(ctx.evaluate(expr, "household", NUM), dtype=np.float64)
        if np.isnan(values).any():
            n_bad = int(np.isnan(values).sum())
            raise InputValueError(
                f"PMT proxy {text!r} is missing for {n_bad:,} of {values.size:,} households; "
                "every household needs a value (use count(), any() or where())"
            )
        columns.append(values)
    return np.column_stack(columns) if columns else np.zeros((pop.n_households, 0))


def _demean(
    x: FloatArray, region: IntArray, w: FloatArray, n: int
) -> tuple[FloatArray, FloatArray]:
    """Weighted within-region deviations and region means (columns of ``x``)."""
    totals = np.stack([np.bincount(region, weights=w * col, minlength=n) for col in x.T], axis=1)
    size = np.bincount(region, weights=w, minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        means = np.where(size[:, None] > 0, totals / size[:, None], np.nan)
    return x - means[region], means


def _fit(
    x: FloatArray, y: FloatArray, region: IntArray, w: FloatArray, n: int
) -> tuple[FloatArray, FloatArray]:
    xy = np.column_stack([x, y])
    dev, means = _demean(xy, region, w, n)
    root = np.sqrt(w)[:, None]
    beta, *_ = np.linalg.lstsq(dev[:, :-1] * root, dev[:, -1] * root[:, 0], rcond=None)
    effects = means[:, -1] - means[:, :-1] @ beta  # region intercepts
    return np.asarray(beta, dtype=np.float64), np.asarray(effects, dtype=np.float64)


def _r2(y: FloatArray, pred: FloatArray, w: FloatArray) -> float:
    mean = float((w * y).sum() / w.sum())
    return 1.0 - float((w * (y - pred) ** 2).sum()) / float((w * (y - mean) ** 2).sum())


def fit_pmt(pop: Population, proxies: Sequence[str], *, folds: int = 5, seed: int = 0) -> PMTModel:
    """Fit the PMT on ``pop`` (log per-capita welfare) with region fixed effects."""
    if folds < 2:
        raise InputValueError(f"folds must be at least 2, not {folds}")
    if (pop.welfare <= 0).any():
        raise InputValueError("PMT needs positive welfare (it models log welfare)")
    x = proxy_matrix(pop, proxies)
    y = np.log(pop.welfare)
    w = pop.person_weight
    region, labels = pop.region_codes()
    n = len(labels)
    beta, effects = _fit(x, y, region, w, n)
    score = x @ beta + effects[region]
    fold = np.minimum((uniform_draws(pop.household_key, seed) * folds).astype(np.int64), folds - 1)
    cv = np.empty(y.size)
    overall = float((w * y).sum() / w.sum())
    for k in range(folds):  # a loop over folds; each fit is vectorised
        test = fold == k
        b_k, e_k = _fit(x[~test], y[~test], region[~test], w[~test], n)
        e_k = np.where(
            np.isnan(e_k), overall - float(np.average(x[~test] @ b_k, weights=w[~test])), e_k
        )
        cv[test] = x[test] @ b_k + e_k[region[test]]
    return PMTModel(
        proxies=tuple(proxies),
        coefficients=beta,
        region_effects=effects,
        r2=_r2(y, score, w),
        cv_r2=_r2(y, cv, w),
        score=score,
        cv_score=cv,
    )
