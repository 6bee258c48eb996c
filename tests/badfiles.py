"""A corpus of bad survey files, shared by the library, CLI and web tests (issue 16).

Each case is a file name, its bytes and a fragment of the one-line message every front end
must show. ``READ_CASES`` fail when the file is read; ``ESTIMATE_CASES`` read fine and fail when
a design or estimate is built from the columns ``welfare`` and ``weight``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "badfiles"
WIDE_COLUMNS = 100_000


@dataclass(frozen=True)
class BadFile:
    name: str
    content: bytes
    message: str  # a fragment of the expected error message

    def write(self, folder: Path) -> Path:
        path = folder / self.name
        path.write_bytes(self.content)
        return path


def wide_csv(columns: int = WIDE_COLUMNS) -> bytes:
    """The issue's 889 KB CSV: one header line and one data line of ``columns`` columns."""
    header = ",".join(f"c{i}" for i in range(columns))
    return (header + "\n" + ",".join("1" for _ in range(columns)) + "\n").encode()


def _truncated_xlsx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    return buffer.getvalue()[:40]


READ_CASES = [
    BadFile("wide.csv", wide_csv(), "has 100,000 columns; the limit is 5,000 columns"),
    BadFile(
        "rows_bomb.parquet",
        (DATA / "rows_bomb.parquet").read_bytes(),
        "60,000,000 rows × 5 columns = 300,000,000 cells; the limit is 250,000,000 cells",
    ),
    BadFile(
        "duplicates.csv",
        b"welfare,weight,welfare,region,region\n1,1,2,a,a\n",
        "2 duplicate column names ('welfare', 'region')",
    ),
    BadFile("garbage.parquet", b"PAR1 this is not parquet at all", "cannot read"),
    BadFile("garbage.dta", b"\x00\x01 not a stata file", "cannot read"),
    BadFile("truncated.xlsx", _truncated_xlsx(), "cannot read"),
]

ESTIMATE_CASES = [
    BadFile("header_only.csv", b"welfare,weight\n", "no rows"),
    BadFile(
        "infinite.csv",
        b"welfare,weight\n100,1\ninf,1\n300,1\n-inf,2\n",
        "'welfare' has 2 in 4 rows that are infinite",
    ),
    BadFile(
        "zero_weights.csv",
        b"welfare,weight\n100,0\n200,0\n300,0\n",
        "'weight' adds up to 0: 3 in 3 rows have weight zero",
    ),
]
