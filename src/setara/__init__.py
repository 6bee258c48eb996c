"""Setara: survey-aware measurement of inequality, poverty and equity gaps.

The public API: :func:`survey_design` declares a sample design, :func:`estimate` computes
measures with design-based standard errors for the population and any domains, and returns a
:class:`Results` object. :mod:`setara.demo` generates a synthetic Indonesia-like survey.

Names are imported on first use (PEP 562 ``__getattr__``), so ``import setara`` and the
``setara`` command line start without loading Polars or SciPy until a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from setara.errors import SetaraError

if TYPE_CHECKING:
    from setara.design import SurveyDesign
    from setara.estimation import estimate, survey_design, with_replicates
    from setara.results import ReliabilityRule, Results

__version__ = "0.1.0"

__all__ = [
    "ReliabilityRule",
    "Results",
    "SetaraError",
    "SurveyDesign",
    "__version__",
    "estimate",
    "survey_design",
    "with_replicates",
]

_HOMES = {
    "SurveyDesign": "setara.design",
    "estimate": "setara.estimation",
    "survey_design": "setara.estimation",
    "with_replicates": "setara.estimation",
    "ReliabilityRule": "setara.results",
    "Results": "setara.results",
}
# subpackages and modules reachable as ``setara.<name>`` after ``import setara``
_SUBMODULES = frozenset(
    {
        *("analysis", "cli", "contrast", "decomposition", "demo", "demo_rounds", "design"),
        *("diagnostic", "estimation"),
        *("frames", "gaps", "io", "kernels", "measures", "mpi", "programmes", "regions"),
        *("access", "evaluation", "monitoring", "replicates", "results", "sae"),
    }
)


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is not None:
        value = getattr(importlib.import_module(home), name)
        globals()[name] = value  # later look-ups skip this function
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"setara.{name}")
    raise AttributeError(f"module 'setara' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES, *_SUBMODULES})
