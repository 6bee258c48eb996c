"""The ``setara`` command line: a thin layer over the library.

Every user mistake surfaces as a :class:`~setara.errors.SetaraError`; :func:`main` turns it
into one line on stderr and exit code 2, in this one place. :func:`run` is the ``setara``
program itself: :func:`main` in a process that ends with it.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence

import click

from setara.cli import (  # noqa: F401  (commands register)
    access,
    equity,
    evaluate,
    evaluate_did,
    evaluate_rd,
    monitoring,
    programmes,
    sae,
    survey,
)
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
    """The ``setara`` program: :func:`main`, then an immediate process exit.

    At a normal exit CPython tears down every module still alive, mostly those of NumPy and
    Polars, and runs the cyclic collector over them: for a small ``measure`` about 0.2 s of a
    0.7 s run on the 2-core development machine (``benchmarks/bench_cli.py``). Nothing of it is
    needed once the command has finished: every file the commands write is closed by its
    ``with`` block, and no command registers ``atexit`` work. So :func:`run` flushes the
    standard streams and ends the process with :func:`os._exit` and the command's exit code.
    Only for a process that ends here: a caller that goes on (a test, a notebook) uses
    :func:`main`. An unexpected exception still propagates with its traceback.
    """
    pause_collector()  # for the imports; each command resumes it before it reads data
    try:
        main()
    except SystemExit as exc:
        code = exit_status(exc.code)
    except BaseException:
        gc.freeze()
        raise
    else:
        code = 0
    os._exit(flush_streams(code))


def exit_status(code: object) -> int:
    """The process status :class:`SystemExit` ``code`` stands for, as the interpreter maps it."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def flush_streams(code: int) -> int:
    """Flush stdout and stderr; a closed pipe (``setara … | head``) turns a success into 1."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, OSError, ValueError):
            code = code or 1
    return code


if __name__ == "__main__":
    run()
