"""Errors of programme specifications and simulations, all under :class:`SetaraError`.

Every message names the programme, the expression or parameter, and the bad value, so the CLI
(exit code 2) and the web app can show it as one line.
"""

from __future__ import annotations

from setara.errors import SetaraError

__all__ = [
    "CircularReferenceError",
    "ExpressionError",
    "MissingParameterError",
    "ProgrammeError",
    "UnknownVariableError",
    "VariableTypeError",
]


class ProgrammeError(SetaraError):
    """A programme specification is malformed (missing key, bad value, unknown option)."""


class ExpressionError(ProgrammeError):
    """An eligibility or amount expression cannot be parsed or uses a forbidden construct."""


class UnknownVariableError(ExpressionError):
    """An expression names a variable that is neither a data column nor a parameter."""


class VariableTypeError(ExpressionError):
    """An expression uses a variable with the wrong type (text compared with a number, ...)."""


class CircularReferenceError(ProgrammeError):
    """Programmes refer to each other's receipt in a cycle."""


class MissingParameterError(ProgrammeError):
    """A parameter has no value on the simulation date (or for a region)."""
