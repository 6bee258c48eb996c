"""False alarms of the history outlier test on clean data (issue 10, data quality).

The clean realisation rows of ``bench_quality.py`` (no planted errors): 514 regencies × 49
programmes × 4 quarters of 2025 against each regency's 8 quarters of 2023-2024, beneficiaries
reached varying about 10 % from quarter to quarter. Every history warning is a false alarm.
Also the rate on normal data (a history of ``n`` standard normal values and one more value),
where the large-sample modified z-score limit 3.5 has a false-alarm rate of 0.047 %.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/outlier_false_alarms.py``.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from benchmarks.bench_quality import realisation
from setara.monitoring import QualityRule, check_quality


def _rate(rows: pl.DataFrame, history: pl.DataFrame) -> tuple[int, int]:
    rule = QualityRule.outlier("reached", by=["programme"])
    found = check_quality(rows, [rule], history=history)
    return int((found["rule"] == "outlier_history").sum()), rows.height


def normal_rows(n: int, regions: int, rng: np.random.Generator) -> tuple[pl.DataFrame, ...]:
    codes = [
        f"{11 + i // 9_000:02d}.{i % 9_000 // 100 + 1:02d}.{i % 100:02d}" for i in range(regions)
    ]
    values = rng.standard_normal((regions, n + 1)) + 100.0
    history = pl.DataFrame(
        {
            "region_code": np.repeat(codes, n),
            "period": np.tile([f"P{j:02d}" for j in range(n)], regions),
            "programme": "P",
            "reached": values[:, :n].ravel(),
        }
    )
    rows = pl.DataFrame(
        {"region_code": codes, "period": "NOW", "programme": "P", "reached": values[:, n]}
    )
    return rows, history


def main() -> None:
    rng = np.random.default_rng(2026)
    rows, history = realisation([2025], rng), realisation([2023, 2024], rng)
    found, total = _rate(rows, history)
    print(
        f"clean realisation, 8 quarters: {found:,} history warnings in {total:,} rows "
        f"({found / total:.3%})"
    )
    for n in (8, 12, 20):
        rows, history = normal_rows(n, 200_000, np.random.default_rng(n))
        found, total = _rate(rows, history)
        print(
            f"normal data, {n} values: {found:,} of {total:,} ({found / total:.3%}; "
            "large-sample rate 0.047%)"
        )


if __name__ == "__main__":
    main()
