"""Shared pieces of the ``setara`` command line: the command group and output helpers."""

from __future__ import annotations

import functools
import gc
import json
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from setara.errors import SetaraError
from setara.limits import ReadLimits

if TYPE_CHECKING:
    import polars as pl

FORMATS = ("table", "csv", "json")
# Set by :func:`setara.cli.run` when it pauses the cyclic collector for the start-up.
_COLLECTOR = {"paused": False}


def pause_collector() -> None:
    """Turn the cyclic collector off while a command imports NumPy, Polars and the engine.

    They create tens of thousands of long-lived objects, which the collector would otherwise
    walk again and again as they load (about 0.05 s of CPU of a small ``measure``). Only the
    ``setara`` program (:func:`setara.cli.run`) calls this; :func:`resume_collector` undoes it.
    """
    if gc.isenabled():
        gc.disable()
        _COLLECTOR["paused"] = True


def resume_collector() -> None:
    """The command has imported what it computes with: freeze what exists (never walked again)
    and turn the collector back on for the computation. Called by every command before it
    reads or generates data; a no-op unless :func:`pause_collector` paused it."""
    if _COLLECTOR["paused"]:
        gc.freeze()
        gc.enable()
        _COLLECTOR["paused"] = False


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()] if value else []


def _progress(quiet: bool) -> Any:
    start = time.perf_counter()

    def report(done: int, total: int, label: str) -> None:
        if quiet:
            return
        elapsed = time.perf_counter() - start
        click.echo(f"[{done}/{total}] {label} ({elapsed:.1f}s)", err=True)

    return report


def _emit(frame: pl.DataFrame, fmt: str, output: str | None) -> None:
    if fmt == "csv":
        text = frame.write_csv()
    elif fmt == "json":
        records = [
            {
                k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()
            }
            for r in frame.to_dicts()
        ]
        text = json.dumps(records, indent=1, ensure_ascii=False) + "\n"
    else:
        import polars as pl  # imported where a table is drawn: ``setara --help`` never needs it

        with pl.Config(
            tbl_rows=-1,
            tbl_cols=-1,
            tbl_hide_dataframe_shape=True,
            tbl_width_chars=200,
            fmt_str_lengths=40,
            float_precision=6,
            tbl_hide_column_data_types=True,
        ):
            text = f"{frame}\n"
    write_output(text, output)


def write_output(text: str, output: str | None) -> None:
    """``text`` to ``output`` whole or not at all (through a ``.partial`` file), or stdout."""
    if output:
        path = Path(output)
        tmp = path.with_name(path.name + ".partial")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise SetaraError(f"cannot write {output!r}: {exc.strerror or exc}") from exc
    else:
        click.echo(text, nl=False)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="setara")
def cli() -> None:
    """Setara: survey-aware inequality, poverty and equity measurement."""


def output_options(command: Any) -> Any:
    """``--format table|csv|json`` and ``--output FILE``, shared by every command that emits."""
    command = click.option("--output", help="Write to this file instead of standard output.")(
        command
    )
    return click.option(
        "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
    )(command)


LIMIT_OPTIONS = {"max_columns": "--max-columns", "max_cells": "--max-cells"}
LIMIT_OPTIONS["max_expanded_mb"] = "--max-expanded-mb"


def limit_options(command: Any) -> Any:
    """``--max-columns``, ``--max-cells``, ``--max-expanded-mb``: passed on as ``limits``."""
    defaults = ReadLimits()

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {key: kwargs.pop(key) for key in LIMIT_OPTIONS}
        return command(*args, limits=ReadLimits(**values), **kwargs)

    helps = {
        "max_columns": "Refuse files with more columns.",
        "max_cells": "Refuse files with more rows x columns.",
        "max_expanded_mb": "Refuse files larger than this once read (MB).",
    }
    for key, flag in reversed(LIMIT_OPTIONS.items()):
        option = click.option(
            flag,
            key,
            type=click.IntRange(min=1),
            default=getattr(defaults, key),
            show_default=True,
            help=helps[key],
        )
        wrapper = option(wrapper)
    return wrapper


def csv_options(command: Any) -> Any:
    """``--csv-separator`` and ``--decimal-comma/--decimal-point``, shared by every command that
    reads DATA: they fix what :mod:`setara.csv_dialect` would otherwise detect."""
    command = click.option(
        "--decimal-comma/--decimal-point",
        "decimal_comma",
        default=None,
        help="CSV numbers use a decimal comma (1,5) or point (1.5); detected when not given.",
    )(command)
    return click.option(
        "--csv-separator",
        type=click.Choice([",", ";", "tab", "|", "comma", "semicolon", "pipe"]),
        help="CSV field separator; detected when not given.",
    )(command)


def read_data(
    path: str,
    csv_separator: str | None,
    decimal_comma: bool | None,
    limits: ReadLimits | None = None,
) -> pl.DataFrame:
    """Read DATA with the CSV overrides (an error when they are given for another format) and
    the size limits."""
    from setara.io import read_survey

    resume_collector()
    given = [
        name
        for name, value in (("--csv-separator", csv_separator), ("--decimal-comma", decimal_comma))
        if value is not None
    ]
    if given and not path.lower().endswith(".csv"):
        raise SetaraError(f"{' and '.join(given)} apply to CSV files only, not {path!r}")
    return read_survey(
        path, csv_separator=csv_separator, decimal_comma=decimal_comma, limits=limits
    )
