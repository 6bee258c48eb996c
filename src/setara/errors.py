"""One exception tree for every user mistake Setara can detect.

Every message names the argument or column, the bad value and how many rows, so the CLI and the
web app can show it as one line without a traceback.
"""

from __future__ import annotations

__all__ = [
    "ColumnNotFoundError",
    "DataTypeError",
    "DesignError",
    "InputValueError",
    "LonelyPSUError",
    "MeasureSpecError",
    "ReadError",
    "SetaraError",
]


class SetaraError(Exception):
    """Base class of every error caused by input that Setara can explain to its user."""


class ReadError(SetaraError):
    """A file cannot be read: missing, unknown format or malformed."""


class ColumnNotFoundError(SetaraError):
    """A named column is not in the data."""


class DataTypeError(SetaraError):
    """A column has a type that the operation cannot use (text where numbers are needed)."""


class InputValueError(SetaraError):
    """A column or argument holds values outside what is allowed (missing, negative, ...)."""


class DesignError(SetaraError):
    """The survey design is inconsistent (PSUs not nested in strata, bad FPC, ...)."""


class LonelyPSUError(DesignError):
    """A stratum has a single PSU and the lonely-PSU policy is ``"fail"``."""


class MeasureSpecError(SetaraError):
    """A measure specification cannot be parsed or names unknown parameters."""


def count_phrase(count: int, total: int, noun: str = "rows") -> str:
    """Format ``"37 in 12,410 rows"`` for error messages."""
    return f"{count:,} in {total:,} {noun}"
