"""The examples in the access capability's docstrings run and print what they say."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "setara.access.analysis",
    "setara.access.assign",
    "setara.access.decompose",
    "setara.access.geofiles",
    "setara.access.inputs",
    "setara.access.measures",
    "setara.access.network",
    "setara.access.travel",
    "setara.access.world",
    "setara.kernels.mip",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
