"""Area tables through the Fay–Herriot model: factors, out-of-sample areas, transforms with
their back-transformation, benchmarking, and bad tables."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from setara.errors import SetaraError
from setara.sae import benchmark, fay_herriot, fh_estimates
from tests.conftest import DATA

MILK = pl.read_csv(DATA / "sae" / "milk.csv").with_columns(vardir=pl.col("SD") ** 2)
ARGS = {"direct": "yi", "vardir": "vardir", "area": "SmallArea", "factors": ["MajorArea"]}


def _x(frame: pl.DataFrame) -> np.ndarray:
    major = frame["MajorArea"].to_numpy()
    return np.column_stack([np.ones(frame.height), *((major == k) * 1.0 for k in (2, 3, 4))])


def test_a_factor_enters_as_indicators_with_its_first_level_as_reference() -> None:
    """The table path equals the kernel on R's design matrix (so R sae's values), with the
    results columns: SE from the MSE, a 95% normal interval, the BPS RSE flag."""
    rows, fit = fh_estimates(MILK, **ARGS)  # type: ignore[arg-type]
    kernel = fay_herriot(MILK["yi"].to_numpy(), MILK["vardir"].to_numpy(), _x(MILK))
    np.testing.assert_allclose(rows["estimate"], kernel.eblup, rtol=1e-14)
    np.testing.assert_allclose(rows["mse"], kernel.mse, rtol=1e-14)
    np.testing.assert_allclose(rows["se"] ** 2, rows["mse"])
    np.testing.assert_allclose(rows["ci_high"] - rows["estimate"], 1.959963984540054 * rows["se"])
    assert set(rows["method"]) == {"fh"} and fit.refvar == kernel.refvar
    rse = rows["rse"].to_numpy()
    expected = np.where(rse <= 0.25, "reliable", np.where(rse <= 0.5, "caution", "unreliable"))
    assert rows["reliability"].to_list() == expected.tolist()
    np.testing.assert_allclose(rows["direct_se"], MILK["SD"])


def test_areas_without_a_direct_estimate_get_the_synthetic_part() -> None:
    """Three areas lose their direct estimate: the model is fitted on the other 40, and they get
    ``x'β`` with MSE ``A + x' (X'VX)^-1 x``."""
    out = [5, 17, 40]
    frame = MILK.with_columns(
        yi=pl.when(pl.col("SmallArea").is_in(out)).then(None).otherwise(pl.col("yi")),
        vardir=pl.when(pl.col("SmallArea").is_in(out)).then(None).otherwise(pl.col("vardir")),
    )
    rows, fit = fh_estimates(frame, **ARGS)  # type: ignore[arg-type]
    kept = MILK.filter(~pl.col("SmallArea").is_in(out))
    kernel = fay_herriot(kept["yi"].to_numpy(), kept["vardir"].to_numpy(), _x(kept))
    assert fit.refvar == pytest.approx(kernel.refvar, rel=1e-14)
    x = _x(MILK)[np.array(out) - 1]
    vi = 1 / (kernel.refvar + kept["vardir"].to_numpy())
    q = np.linalg.inv(_x(kept).T @ (vi[:, None] * _x(kept)))
    synthetic = rows.filter(pl.col("area").is_in(out))
    np.testing.assert_allclose(synthetic["estimate"], x @ kernel.beta, rtol=1e-13)
    np.testing.assert_allclose(
        synthetic["mse"], kernel.refvar + np.einsum("ij,jk,ik->i", x, q, x), rtol=1e-13
    )
    assert set(synthetic["method"]) == {"fh"} and not synthetic["in_sample"].any()
    assert synthetic["direct"].is_nan().all()
    np.testing.assert_allclose(
        rows.filter(pl.col("in_sample"))["estimate"], kernel.eblup, rtol=1e-13
    )


def _normal_expectation(f: object, mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """E[f(T)] for T ~ N(mean, var) by 200-point Gauss–Hermite quadrature (independent of the
    closed forms under test)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(200)
    values = f(mean[:, None] + np.sqrt(var)[:, None] * nodes[None, :])  # type: ignore[operator]
    return (values * weights).sum(axis=1) / weights.sum()


def test_arcsine_fit_stays_in_range_and_back_transforms_without_bias() -> None:
    """Proportions on the arcsine scale: estimates and intervals inside [0, 1], and the
    back-transformation is E[sin²(T)] for the EBLUP's normal law on that scale."""
    rng = np.random.default_rng(7)
    m = 60
    p = np.clip(rng.beta(2, 8, size=m), 0.01, 0.95)
    n = rng.integers(20, 400, size=m)
    frame = pl.DataFrame(
        {"area": np.arange(m), "p": p, "v": p * (1 - p) / n, "z": rng.normal(size=m)}
    )
    rows, fit = fh_estimates(
        frame, direct="p", vardir="v", area="area", covariates=["z"], transform="arcsine"
    )
    assert ((rows["ci_low"] >= 0) & (rows["ci_high"] <= 1)).all()
    assert ((rows["ci_low"] <= rows["estimate"]) & (rows["estimate"] <= rows["ci_high"])).all()
    expected = _normal_expectation(lambda t: np.sin(t) ** 2, fit.eblup, fit.mse)
    np.testing.assert_allclose(rows["estimate"], expected, rtol=1e-10)


def test_log_fit_back_transforms_with_the_lognormal_mean() -> None:
    rng = np.random.default_rng(8)
    m = 50
    y = np.exp(rng.normal(10, 0.5, size=m))
    frame = pl.DataFrame({"area": np.arange(m), "y": y, "v": (0.1 * y) ** 2})
    rows, fit = fh_estimates(frame, direct="y", vardir="v", area="area", transform="log")
    expected = _normal_expectation(np.exp, fit.eblup, fit.mse)
    np.testing.assert_allclose(rows["estimate"], expected, rtol=1e-9)
    assert (rows["ci_low"] > 0).all()


@pytest.mark.parametrize("kind", ["ratio", "difference"])
def test_benchmarking_hits_every_group_target(kind: str) -> None:
    rows, _ = fh_estimates(MILK, **ARGS)  # type: ignore[arg-type]
    group = MILK["MajorArea"].to_numpy() - 1
    weight = MILK["ni"].to_numpy().astype(float)
    target = np.array([1.0, 1.1, 1.2, 0.7])
    adjusted = benchmark(rows["estimate"].to_numpy(), weight, group, target, kind=kind)  # type: ignore[arg-type]
    means = np.bincount(group, weights=weight * adjusted) / np.bincount(group, weights=weight)
    np.testing.assert_allclose(means, target, rtol=1e-13)


@pytest.mark.parametrize(
    ("frame", "kwargs", "message"),
    [
        (MILK.with_columns(SmallArea=pl.lit(1)), {}, "repeats 42 area"),
        (MILK, {"direct": "nope"}, "'nope' is not in the file"),
        (
            MILK.with_columns(yi=pl.lit(0.0)),
            {"transform": "arcsine"},
            "43 area\\(s\\) have a direct proportion",
        ),
        (MILK, {"factors": ["nope"]}, "not in the file: nope"),
        (
            MILK.with_columns(
                vardir=pl.when(pl.col("SmallArea") < 3).then(None).otherwise(pl.col("vardir"))
            ),
            {},
            "2 area\\(s\\) have a direct estimate without",
        ),
    ],
)
def test_bad_tables_are_named(frame: pl.DataFrame, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(SetaraError, match=message):
        fh_estimates(frame, **{**ARGS, **kwargs})  # type: ignore[arg-type]
