"""The ``setara`` command line: a thin layer over the library.

Every user mistake surfaces as a :class:`~setara.errors.SetaraError`; :func:`main` turns it
into one line on stderr and exit code 2, in this one place.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click

from setara.cli import equity, monitoring, programmes, survey  # noqa: F401  (commands register)
from setara.cli.base import LIMIT_OPTIONS, cli
from setara.errors import SetaraError
from setara.limits import InputLimitError

__all__ = ["cli", "main"]


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point: user errors become one line on stderr and exit code 2."""
    try:
        cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except InputLimitError as exc:
        click.echo(f"error: {exc} (raise it with {LIMIT_OPTIONS[exc.limit]})", err=True)
        sys.exit(2)
    except SetaraError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"error: {exc.format_message()}", err=True)
        sys.exit(2)
    except MemoryError:
        click.echo("error: not enough memory for this data; try fewer rows or replicates", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
