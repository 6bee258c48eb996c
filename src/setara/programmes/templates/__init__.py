"""Programme templates shipped as YAML files, read with :mod:`importlib.resources`.

Each template carries its source and the date of its figures; amounts are parameters to edit.

>>> sorted(template_names())[:3]
['business_grant', 'pbi_jkn', 'pip']
>>> load_template("sembako").parameter("voucher").on("2025-01-01").value
200000.0
"""

from __future__ import annotations

from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from setara.programmes.errors import ProgrammeError

if TYPE_CHECKING:
    from setara.programmes.spec import Programme

__all__ = ["load_template", "template_names", "template_spec"]


def template_names() -> list[str]:
    """Names of the shipped templates."""
    root = resources.files(__name__)
    return sorted(p.name[:-5] for p in root.iterdir() if p.name.endswith(".yaml"))


def template_spec(name: str) -> dict[str, Any]:
    """The parsed YAML of template ``name`` (a dict to edit)."""
    if name not in template_names():
        raise ProgrammeError(
            f"unknown programme template {name!r}; known: {', '.join(template_names())}"
        )
    text = resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def load_template(name: str) -> Programme:
    """Template ``name`` as a :class:`~setara.programmes.spec.Programme`."""
    from setara.programmes.spec import Programme

    return Programme.from_dict(template_spec(name))
