"""Programme and scenario YAML read with limits, so no text can exhaust a server or the CLI.

At most :data:`MAX_YAML_CHARS` characters, :data:`MAX_YAML_DEPTH` levels of nested lists and
mappings and :data:`MAX_YAML_ALIASES` aliases (``*name``), checked by a YAML scanner, which
does not recurse, before the document is built. Every failure is a
:class:`~setara.errors.ReadError` naming the text, the count and the limit, or the line and
column of a syntax error.

>>> read_yaml("id: grant\\nunit: household", what="programme text")
{'id': 'grant', 'unit': 'household'}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from setara.errors import ReadError

__all__ = ["MAX_YAML_ALIASES", "MAX_YAML_CHARS", "MAX_YAML_DEPTH", "read_yaml", "read_yaml_file"]

# The shipped templates are 1-4 KB and 4 levels deep; a programme with a parameter override
# for each of the 514 regencies is about 30 KB.
MAX_YAML_CHARS = 500_000
MAX_YAML_DEPTH = 20
MAX_YAML_ALIASES = 100

_OPEN = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSE = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)
# libyaml's scanner when PyYAML has it: the Python one looks up to 1,024 characters ahead at
# every open bracket, about a second on a line of brackets.
_SCANNER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(text: str, *, what: str) -> Any:
    """The data of YAML ``text`` (``what`` names it in messages), within the limits."""
    if len(text) > MAX_YAML_CHARS:
        raise ReadError(
            f"{what} has {len(text):,} characters; at most {MAX_YAML_CHARS:,} are allowed"
        )
    try:
        _check_shape(text, what)
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        if "maximum nesting depth" in problem:  # libyaml's own cap, met while looking ahead
            raise ReadError(_too_deep(what, where)) from None
        raise ReadError(f"{what} is not valid YAML{where}: {problem}") from None
    except (RecursionError, MemoryError, ValueError) as exc:
        # ValueError: an integer longer than Python's conversion limit (4,300 digits).
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ReadError(f"{what} cannot be read: {reason}") from None


def read_yaml_file(path: str | Path, *, what: str) -> Any:
    """The data of the YAML file at ``path``, within the limits of :func:`read_yaml`."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > 4 * MAX_YAML_CHARS:  # UTF-8 has at most 4 bytes a character
            raise ReadError(
                f"{what} {str(path)!r} has {size:,} bytes; at most {MAX_YAML_CHARS:,} "
                "characters are allowed"
            )
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ReadError(f"cannot read {what} {str(path)!r}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ReadError(f"{what} {str(path)!r} is not UTF-8 text") from None
    return read_yaml(text, what=f"{what} {str(path)!r}")


def _check_shape(text: str, what: str) -> None:
    depth = aliases = 0
    for token in yaml.scan(text, Loader=_SCANNER):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise ReadError(_too_deep(what, f" at line {token.start_mark.line + 1}"))
        elif isinstance(token, _CLOSE):
            depth -= 1
        elif isinstance(token, yaml.AliasToken):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise ReadError(
                    f"{what} has more than {MAX_YAML_ALIASES} aliases (*name); write the values out"
                )


def _too_deep(what: str, where: str) -> str:
    return f"{what} nests lists and mappings more than {MAX_YAML_DEPTH} levels deep{where}"
