"""Write rows_bomb.parquet: 60,000,000 rows × 5 constant columns in about 650 KB.

A highly compressible file that expands to 2.4 GB once read (issue 16, finding 4: a 736 KB
Parquet file accepted as a 60M-row dataset). Run from the repository root:

    python tests/data/badfiles/make_rows_bomb.py
"""

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

ROWS_PER_GROUP = 10_000_000
GROUPS = 6

block = pa.table(
    {
        "welfare": np.full(ROWS_PER_GROUP, 1000.0),
        "weight": np.ones(ROWS_PER_GROUP),
        "strata": np.zeros(ROWS_PER_GROUP, dtype=np.int32),
        "psu": np.zeros(ROWS_PER_GROUP, dtype=np.int32),
        "province_code": np.full(ROWS_PER_GROUP, 11, dtype=np.int32),
    }
)
target = Path(__file__).with_name("rows_bomb.parquet")
with pq.ParquetWriter(
    target,
    block.schema,
    compression="zstd",
    compression_level=19,
    data_page_size=1 << 30,
    write_statistics=False,
) as writer:
    for _ in range(GROUPS):
        writer.write_table(block, row_group_size=ROWS_PER_GROUP)
