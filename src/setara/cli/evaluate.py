"""Impact evaluation commands: ``setara evaluate did|twfe|rd|match``.

The group lives here; the commands register on it from :mod:`setara.cli.evaluate_did` and
:mod:`setara.cli.evaluate_rd`. Heavy imports happen inside the commands to keep
``setara --help`` fast.
"""

from __future__ import annotations

from setara.cli.base import cli


@cli.group("evaluate")
def evaluate() -> None:
    """Impact evaluation: difference-in-differences, regression discontinuity, matching."""
    # a click group: the subcommands do the work
