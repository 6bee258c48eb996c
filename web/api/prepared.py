"""ORM queries compiled to SQL once per database connection and run again with new arguments.

Building and compiling a queryset costs Django 0.5 to 3 ms of Python, several times what SQLite
takes to answer it, and a token API list runs the same four queries on every request with only
the token, the user or the page changing. A :class:`Prepared` query is written with the ORM (so
the permission rule, the joins and the column conversions stay Django's) and compiled the first
time a connection runs it, with a marker value standing for each argument; later runs execute
that SQL text with the arguments in the markers' places and convert the columns with the
converters the compiler chose (as ``QuerySet.values_list`` does). Only the SQL text, the
compiler and its converters are kept, per connection (so per thread): no row, no user and no
argument of one request is kept for another.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler

# Marker values: far outside any id this database hands out, inside a 32-bit integer column's
# range (Django leaves a lookup with an out-of-range value out of the SQL), and for text a
# string no token or name contains.
INT_MARKER = -2_000_000_000
TEXT_MARKER = "\x00setara-prepared-"


@dataclass(frozen=True)
class Marker:
    """Stands for one argument while the query is built: ``build`` receives these."""

    name: str
    as_int: int
    as_text: str


@dataclass
class _Compiled:
    sql: str
    slots: list[str | None]  # per SQL parameter: the argument's name, or None to keep it
    params: list[Any]
    compiler: SQLCompiler
    converters: dict[int, tuple[list[Any], Any]]  # per column with any: the ORM's converters


class Prepared:
    """A ``values_list`` queryset built by ``build`` and compiled once per connection.

    ``build`` takes one :class:`Marker` per argument (keyword) and uses its ``as_int`` or
    ``as_text``. A list argument (never empty) is a list of markers for the values of an
    ``__in`` lookup, and only that: a list is padded to the next power of two by repeating its
    last value, which ``IN`` ignores, so a query has one compiled form per power of two (9 up to
    256 values) rather than one per length. ``paged`` adds ``LIMIT``/``OFFSET`` parameters.
    """

    def __init__(
        self, build: Callable[..., QuerySet[Any]], *, using: str = "default", paged: bool = False
    ) -> None:
        self.build = build
        self.using = using
        self.paged = paged
        self._compiled: WeakKeyDictionary[BaseDatabaseWrapper, dict[tuple[Any, ...], _Compiled]]
        self._compiled = WeakKeyDictionary()

    def _compile(self, connection: BaseDatabaseWrapper, arguments: dict[str, Any]) -> _Compiled:
        shape = tuple(
            (name, len(value) if isinstance(value, list) else None)
            for name, value in sorted(arguments.items())
        )
        per_connection = self._compiled.setdefault(connection, {})
        if shape in per_connection:
            return per_connection[shape]
        markers: dict[Any, str] = {}
        built: dict[str, Any] = {}
        for index, (name, length) in enumerate(shape):
            count = 1 if length is None else length
            made = [
                Marker(name, INT_MARKER - 1000 * index - k, f"{TEXT_MARKER}{index}-{k}")
                for k in range(count)
            ]
            for k, marker in enumerate(made):
                markers[marker.as_int] = markers[marker.as_text] = f"{name}\x00{k}"
            built[name] = made[0] if length is None else made
        queryset = self.build(**built)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        if queryset.query.is_sliced:
            raise ValueError("a prepared query is paged by its arguments, not sliced")
        slots = [markers.get(p) if isinstance(p, int | str) else None for p in params]
        expected = {f"{name}\x00{k}" for name, length in shape for k in range(length or 1)}
        if {slot for slot in slots if slot} != expected:
            raise ValueError(f"an argument of the prepared query is not used: {shape}")
        if self.paged:
            sql += " LIMIT %s OFFSET %s"
            slots += ["limit\x000", "offset\x000"]
            params = (*params, None, None)
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        compiled = _Compiled(sql, slots, list(params), compiler, converters)
        per_connection[shape] = compiled
        return compiled

    def rows(self, **arguments: Any) -> Iterator[Sequence[Any]]:
        """The rows (converted as the ORM converts them) for these argument values."""
        connection = connections[self.using]
        page = {key: arguments.pop(key) for key in ("limit", "offset") if key in arguments}
        if self.paged and set(page) != {"limit", "offset"}:
            raise TypeError("a paged query needs limit and offset")
        for name, value in arguments.items():
            if isinstance(value, list):
                if not value:
                    raise ValueError(f"the list argument {name!r} of a prepared query is empty")
                padding = (1 << (len(value) - 1).bit_length()) - len(value)
                arguments[name] = value + value[-1:] * padding
        compiled = self._compile(connection, arguments)
        values = {f"{name}\x000": value for name, value in {**arguments, **page}.items()}
        for name, value in arguments.items():
            if isinstance(value, list):
                values.update({f"{name}\x00{k}": each for k, each in enumerate(value)})
        params = [
            values[slot] if slot else param
            for slot, param in zip(compiled.slots, compiled.params, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            fetched = cursor.fetchall()
        if not compiled.converters:
            return iter(fetched)
        return compiled.compiler.apply_converters(fetched, compiled.converters)
