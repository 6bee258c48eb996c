"""Writes rounds.csv: two small survey rounds sharing 3 of the 5 PSUs of every stratum.

Run once (seeded): ``python tests/data/monitoring/make_rounds.py``. The PSU effect on welfare
persists across rounds, so the rounds' estimates are correlated through their common PSUs.
"""

import numpy as np
import polars as pl

rng = np.random.default_rng(20261129)
rows = []
effect = {}
for rnd in (1, 2):
    for stratum in range(1, 7):
        ids = (
            [stratum * 10 + k for k in range(1, 6)]
            if rnd == 1
            else ([stratum * 10 + k for k in (1, 2, 3)] + [stratum * 10 + k for k in (6, 7)])
        )
        for psu in ids:
            effect.setdefault(psu, rng.normal(0.0, 0.4))
            n = int(rng.integers(8, 16))
            size = rng.integers(1, 7, n)
            y = np.exp(7.0 + 0.08 * (rnd - 1) + effect[psu] + rng.normal(0.0, 0.6, n))
            for i in range(n):
                rows.append(
                    {
                        "round": rnd,
                        "region": f"R{(stratum + 1) // 2}",
                        "stratum": stratum,
                        "psu": psu,
                        "weight": float(np.round(rng.uniform(50, 150), 2)),
                        "y": float(np.round(y[i], 2)),
                        "hhsize": int(size[i]),
                        "line": 800.0 if stratum % 2 else 900.0,
                    }
                )
pl.DataFrame(rows).write_csv("tests/data/monitoring/rounds.csv")
