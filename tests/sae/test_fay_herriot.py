"""Fay–Herriot fitting, EBLUP and MSE against R ``sae`` 1.3 on the milk data (Arora and Lahiri
1997), and the kernel's own identities. Reference values: ``tests/data/sae/`` (copied from
``shared/reference/sae``; its README says how R computed them)."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest
from numpy.typing import NDArray

from setara.errors import SetaraError
from setara.sae import fay_herriot
from tests.conftest import DATA

MILK = pl.read_csv(DATA / "sae" / "milk.csv")
EXPECTED = pl.read_csv(DATA / "sae" / "expected_fh_milk.csv")
R_TERMS = ["X(Intercept)", *(f"Xas.factor(MajorArea){k}" for k in (2, 3, 4))]


def _milk() -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """R's ``yi ~ as.factor(MajorArea)``, ``vardir = SD^2``: intercept and three indicators."""
    major = MILK["MajorArea"].to_numpy()
    x = np.column_stack([np.ones(MILK.height), *((major == k).astype(float) for k in (2, 3, 4))])
    return MILK["yi"].to_numpy(), MILK["SD"].to_numpy() ** 2, x


def _r(method: str, quantity: str) -> NDArray[np.float64]:
    rows = EXPECTED.filter((pl.col("method") == method) & (pl.col("quantity") == quantity))
    if quantity in ("eblup", "mse"):  # one row per small area, in area order
        rows = rows.sort(pl.col("area").cast(pl.Int64))
    return rows["value"].to_numpy()


@pytest.mark.parametrize("method", ["REML", "ML", "FH"])
def test_every_figure_equals_r_sae(method: str) -> None:
    """Variance component, coefficients and their SEs, the 43 EBLUPs and their MSEs (Prasad–Rao,
    Datta–Lahiri, Datta–Rao–Smith) equal R's to 1e-12 relative: the same Fisher-scoring
    schedule, so the same stopping point."""
    y, vardir, x = _milk()
    fit = fay_herriot(y, vardir, x, method=method.lower())  # type: ignore[arg-type]
    assert fit.converged
    np.testing.assert_allclose(fit.refvar, _r(method, "refvar")[0], rtol=1e-12)
    np.testing.assert_allclose(fit.beta, [_r(method, f"beta:{t}")[0] for t in R_TERMS], rtol=1e-12)
    np.testing.assert_allclose(
        fit.beta_se, [_r(method, f"beta_se:{t}")[0] for t in R_TERMS], rtol=1e-12
    )
    np.testing.assert_allclose(fit.eblup, _r(method, "eblup"), rtol=1e-12)
    np.testing.assert_allclose(fit.mse, _r(method, "mse"), rtol=1e-12)


def test_reml_step_equals_the_textbook_projection_matrix() -> None:
    """The O(m p²) REML step equals the score and information written with the m × m matrix
    ``P = V − V X (X'VX)^-1 X' V`` (Rao and Molina 2015, section 6.1.2)."""
    from setara.sae.fay_herriot import _scoring_step

    y, vardir, x = _milk()
    for refvar in (0.001, 0.0185, 0.3):
        v = np.diag(1.0 / (refvar + vardir))
        p = v - v @ x @ np.linalg.inv(x.T @ v @ x) @ x.T @ v
        score = -0.5 * np.trace(p) + 0.5 * y @ p @ p @ y
        information = 0.5 * np.trace(p @ p)
        assert _scoring_step(y, vardir, x, refvar, "reml") == pytest.approx(
            score / information, rel=1e-10
        )


@pytest.mark.parametrize("method", ["reml", "ml", "fh"])
def test_a_smaller_precision_converges_to_the_root(method: str) -> None:
    """R's default precision stops a little before the root; a tighter one reaches it (the next
    step is below 1e-12) and moves the variance by less than R's tolerance allows."""
    from setara.sae.fay_herriot import _scoring_step

    y, vardir, x = _milk()
    loose = fay_herriot(y, vardir, x, method=method)  # type: ignore[arg-type]
    tight = fay_herriot(y, vardir, x, method=method, precision=1e-13)  # type: ignore[arg-type]
    assert abs(_scoring_step(y, vardir, x, tight.refvar, method)) < 1e-12
    assert tight.refvar == pytest.approx(loose.refvar, rel=1e-3)


def test_eblup_is_the_shrinkage_combination() -> None:
    """EBLUP = gamma × direct + (1 − gamma) × synthetic, gamma = A / (A + D) in [0, 1]; with a
    variance component of zero every area gets its synthetic estimate."""
    y, vardir, x = _milk()
    fit = fay_herriot(y, vardir, x)
    gamma = fit.refvar / (fit.refvar + vardir)
    np.testing.assert_allclose(fit.shrinkage, gamma)
    np.testing.assert_allclose(fit.eblup, gamma * y + (1 - gamma) * fit.synthetic)
    flat = fay_herriot(x @ np.array([1.0, 0.1, 0.2, -0.2]), vardir, x)  # no area effect at all
    assert flat.refvar == 0.0
    np.testing.assert_allclose(flat.eblup, flat.synthetic)


def test_mse_is_below_the_sampling_variance_where_shrinkage_is_strong() -> None:
    """The point of the model: areas with a large sampling variance gain most."""
    y, vardir, x = _milk()
    fit = fay_herriot(y, vardir, x)
    noisiest = np.argsort(vardir)[-10:]
    assert (fit.mse[noisiest] < vardir[noisiest]).all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda y, d, x: (np.where(np.arange(y.size) < 2, np.nan, y), d, x), "2 missing"),
        (lambda y, d, x: (y, np.where(np.arange(y.size) < 3, 0.0, d), x), "3 of 43 areas"),
        (lambda y, d, x: (y[:3], d[:3], x[:3]), "3 areas cannot fit 4"),
        (lambda y, d, x: (y, d, np.column_stack([x, x[:, 1]])), "collinear"),
        (lambda y, d, x: (y, d[:-1], x), "same areas"),
    ],
)
def test_bad_input_is_named(change: object, message: str) -> None:
    y, vardir, x = _milk()
    with pytest.raises(SetaraError, match=message):
        fay_herriot(*change(y, vardir, x))  # type: ignore[operator]
