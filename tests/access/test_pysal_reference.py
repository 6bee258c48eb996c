"""2SFCA, E2SFCA, gravity and Gaussian catchments equal PySAL ``access`` 1.1.10.post3.

The values in ``tests/data/access/pysal_access/expected.csv`` were computed by PySAL access
itself (script ``reference.py`` beside them): its own hospital example (three tracts, four
asymmetric travel-cost scenarios) and a seeded 12-village x 5-centre case. Setara reads the
same OD table through :class:`MatrixCost` and uses the measure specs of the CLI.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl
import pytest

from setara.access import MatrixCost, floating_catchment, parse_access_spec

DATA = Path(__file__).parents[1] / "data" / "access" / "pysal_access"
# Both sides compute the same sums in double precision, in a different order.
TOLERANCE = 1e-12

SPECS = {  # PySAL's weight function and max_cost, written as Setara's measure spec
    "2sfca_gravity": "gravity:1,61",  # weights.gravity(1, -1): cost^-1 (every cost >= 1)
    "e2sfca": None,  # the step weights depend on the case, below
    "2sfca": "2sfca:45",
    "gravity": "gravity:1.5,180",  # weights.gravity(scale=1, alpha=-1.5, min_dist=1)
}
STEPS = {"hospital": "e2sfca:20=1,40=0.68,60=0.22", "grid": "e2sfca:10=1,20=0.68,30=0.22"}


def _cases() -> list[tuple[str, str]]:
    expected = pl.read_csv(DATA / "expected.csv")
    cases = expected.unique(["case", "measure"], maintain_order=True)
    return list(zip(cases["case"].to_list(), cases["measure"].to_list(), strict=True))


@pytest.mark.parametrize(("case", "measure"), _cases())
def test_floating_catchment_equals_pysal_access(case: str, measure: str) -> None:
    demand = pl.read_csv(DATA / "demand.csv").filter(pl.col("case") == case)
    supply = pl.read_csv(DATA / "supply.csv").filter(pl.col("case") == case)
    costs = pl.read_csv(DATA / "costs.csv").filter(pl.col("case") == case)
    expected = pl.read_csv(DATA / "expected.csv").filter(
        (pl.col("case") == case) & (pl.col("measure") == measure)
    )
    travel = MatrixCost(costs, demand["id"], supply["id"])
    if measure == "gaussian":
        # PySAL's weights.gaussian(sigma=20) is exp(-d^2 / 2 sigma^2) without Dai's rescaling
        # (Setara's gaussian:T spec), so the kernel is given that weight directly
        pairs = travel.pairs(60.0)
        weight = lambda d: np.where(d <= 60.0, np.exp(-(d**2) / (2 * 20.0**2)), 0.0)  # noqa: E731
    else:
        spec = parse_access_spec(SPECS[measure] or STEPS[case.split("_")[0]])
        assert spec.cutoff == expected["max_minutes"][0]
        pairs, weight = travel.pairs(spec.cutoff), spec.weight()
    access = floating_catchment(
        pairs,
        demand["population"].cast(pl.Float64).to_numpy(),
        supply["doctors"].cast(pl.Float64).to_numpy(),
        weight,
    )
    by_id = dict(zip(demand["id"].to_list(), access.tolist(), strict=True))
    got = np.array([by_id[i] for i in expected["id"].to_list()])
    assert expected.height == demand.height
    want = expected["access"].to_numpy()
    # a village with no centre within reach: PySAL leaves it missing, Setara says 0 access
    unreached = np.isnan(want)
    reached = np.zeros(demand.height, dtype=bool)
    reached[pairs.demand[weight(pairs.minutes) > 0]] = True
    rows = [demand["id"].to_list().index(i) for i in expected["id"].to_list()]
    assert (unreached == ~reached[rows]).all()
    assert (got[unreached] == 0).all()
    np.testing.assert_allclose(got[~unreached], want[~unreached], rtol=TOLERANCE)
