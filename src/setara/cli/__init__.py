"""The ``setara`` command line: a thin layer over the library.

Every user mistake surfaces as a :class:`~setara.errors.SetaraError`; :func:`main` turns it
into one line on stderr and exit code 2, in this one place. :func:`run` is the ``setara``
program itself: :func:`main` in a process that ends with it.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Sequence

import click

from setara.cli import access, equity, monitoring, programmes, survey  # noqa: F401  (commands register)
from setara.cli.base import LIMIT_OPTIONS, cli, pause_collector
from setara.errors import SetaraError
from setara.limits import InputLimitError

__all__ = ["cli", "main", "run"]


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


def run() -> None:
    """The ``setara`` program: :func:`main`, then an interpreter exit without a final sweep.

    At exit CPython runs the cyclic collector over every object still alive, mostly the modules
    of NumPy and Polars: for a small ``measure`` about 0.2 s of its 0.9 s of CPU on the 2-core
    development machine (``benchmarks/bench_cli.py``). :func:`gc.freeze` first moves them out
    of its reach; objects are still freed by reference counting and ``atexit`` handlers still
    run. Only for a process that ends here: a caller that goes on (a test, a notebook) uses
    :func:`main`.
    """
    pause_collector()  # for the imports; each command resumes it before it reads data
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":
    run()
