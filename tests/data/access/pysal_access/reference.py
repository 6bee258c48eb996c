"""Reference values from PySAL ``access`` 1.1.10.post3 (PyPI wheel, BSD-3-Clause), written to
``expected.csv`` beside the inputs ``demand.csv``, ``supply.csv`` and ``costs.csv``.

Two cases:

- ``hospital_s0`` .. ``hospital_s3``: the three tracts and four travel-cost scenarios of the
  package's own ``access/tests/test_hospital_example.py`` (population 100/50/10, doctors
  15/20/100), with its 2SFCA (gravity weight ``cost^-1``, ``max_cost=61``), and E2SFCA with
  the step weights of the ``weights.step_fn`` docstring (``{20: 1, 40: 0.68, 60: 0.22}``);
- ``grid``: 12 villages and 5 health centres with seeded costs (1-70 minutes), populations and
  doctors: 2SFCA within 45, E2SFCA ``{10: 1, 20: 0.68, 30: 0.22}``, gravity
  ``weights.gravity(scale=1, alpha=-1.5, min_dist=1)`` within 180, and Gaussian
  ``weights.gaussian(sigma=20)`` within 60 minutes.

A village with no centre within reach gets no value from PySAL (written empty); Setara gives
it 0.

The documented Chicago example of the package is not used: its data are downloaded at run
time (``access.Datasets``) and cannot be had offline.

Run (PySAL access needs only pandas at run time)::

    pip download --no-deps access==1.1.10.post3 && unzip access-1.1.10.post3-*.whl -d acc
    PYTHONPATH=acc python tests/data/access/pysal_access/reference.py
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from access import Access, weights

HERE = Path(__file__).parent

HOSPITAL_COSTS = {  # (origin, dest): cost, per scenario, as in test_hospital_example.py
    "hospital_s0": {(1, 3): 40, (2, 3): 40, (3, 1): 40, (3, 2): 40, (1, 2): 80, (2, 1): 80},
    "hospital_s1": {(1, 3): 20, (2, 3): 20, (3, 1): 40, (3, 2): 40, (1, 2): 80, (2, 1): 80},
    "hospital_s2": {(1, 3): 40, (2, 3): 40, (3, 1): 20, (3, 2): 20, (1, 2): 80, (2, 1): 80},
    "hospital_s3": {(1, 3): 20, (2, 3): 20, (3, 1): 20, (3, 2): 20, (1, 2): 40, (2, 1): 40},
}


def _cases() -> tuple[
    pd.DataFrame, pd.DataFrame, pd.DataFrame, list[tuple[str, str, object, float]]
]:
    demand, supply, costs = [], [], []
    for case, extra in HOSPITAL_COSTS.items():
        demand += [(case, f"t{i}", p) for i, p in zip((1, 2, 3), (100, 50, 10), strict=True)]
        supply += [(case, f"t{i}", s) for i, s in zip((1, 2, 3), (15, 20, 100), strict=True)]
        pairs = {**{(i, i): 1 for i in (1, 2, 3)}, **extra}
        costs += [(case, f"t{o}", f"t{d}", float(c)) for (o, d), c in pairs.items()]
    rng = np.random.default_rng(20261130)
    minutes = rng.uniform(1, 70, size=(12, 5)).round(1)
    demand += [("grid", f"v{i}", int(p)) for i, p in enumerate(rng.integers(100, 5000, 12))]
    supply += [("grid", f"h{j}", int(s)) for j, s in enumerate(rng.integers(1, 12, 5))]
    costs += [("grid", f"v{i}", f"h{j}", float(minutes[i, j])) for i in range(12) for j in range(5)]
    specs = [
        ("hospital", "2sfca_gravity", weights.gravity(1, -1), 61.0),
        ("hospital", "e2sfca", weights.step_fn({20: 1, 40: 0.68, 60: 0.22}), 60.0),
        ("grid", "2sfca", None, 45.0),
        ("grid", "e2sfca", weights.step_fn({10: 1, 20: 0.68, 30: 0.22}), 30.0),
        ("grid", "gravity", weights.gravity(scale=1, alpha=-1.5, min_dist=1), 180.0),
        ("grid", "gaussian", weights.gaussian(sigma=20), 60.0),
    ]
    return (
        pd.DataFrame(demand, columns=["case", "id", "population"]),
        pd.DataFrame(supply, columns=["case", "id", "doctors"]),
        pd.DataFrame(costs, columns=["case", "origin", "destination", "minutes"]),
        specs,
    )


def main() -> None:
    demand, supply, costs, specs = _cases()
    rows = []
    for case in demand["case"].unique():
        d = demand[demand.case == case].drop(columns="case")
        s = supply[supply.case == case].drop(columns="case")
        c = costs[costs.case == case].drop(columns="case")
        model = Access(
            demand_df=d,
            demand_index="id",
            demand_value="population",
            supply_df=s,
            supply_index="id",
            supply_value="doctors",
            cost_df=c,
            cost_origin="origin",
            cost_dest="destination",
            cost_name="minutes",
        )
        for family, name, weight_fn, max_cost in specs:
            if not case.startswith(family):
                continue
            model.two_stage_fca(name=name, weight_fn=weight_fn, max_cost=max_cost)
            values = model.access_df[f"{name}_doctors"]
            rows += [(case, name, max_cost, i, float(v)) for i, v in values.items()]
    demand.to_csv(HERE / "demand.csv", index=False)
    supply.to_csv(HERE / "supply.csv", index=False)
    costs.to_csv(HERE / "costs.csv", index=False)
    out = pd.DataFrame(rows, columns=["case", "measure", "max_minutes", "id", "access"])
    out.to_csv(HERE / "expected.csv", index=False, float_format="%.17g")


if __name__ == "__main__":
    main()
