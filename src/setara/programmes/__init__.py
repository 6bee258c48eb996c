"""Inclusive programme lab: declare programmes, simulate them, measure targeting, optimise.

- :mod:`.spec` — programmes as dataclasses or YAML (:func:`read_programmes`), with shipped
  :mod:`.templates` (PKH, Sembako, PBI-JKN, PIP, business grant, skills training);
- :mod:`.simulate` — microsimulation of a baseline and scenarios on a :class:`Population`
  (survey microdata with its design, or registry data), with design-based SEs of the change;
- :mod:`.targeting` and :mod:`.pmt` — targeting errors, CGH, ROC/AUC, proxy-means tests;
- :mod:`.optimise` — budget-optimal allocations (HiGHS LP and MILP, KKT water-filling; the
  ordering rules as heuristics), each with its proven bound.
"""

from setara.programmes.errors import (
    CircularReferenceError,
    ExpressionError,
    MissingParameterError,
    ProgrammeError,
    UnknownVariableError,
    VariableTypeError,
)
from setara.programmes.lab import (
    NoExtraBudgetError,
    allocation_table,
    budget_verdict,
    compare_targeting,
)
from setara.programmes.population import Population
from setara.programmes.rules import DERIVED as DERIVED_VARIABLES
from setara.programmes.simulate import Scenario, Simulation, read_scenario, simulate
from setara.programmes.spec import Programme, read_programmes
from setara.programmes.templates import load_template, template_names

__all__ = [
    "DERIVED_VARIABLES",
    "CircularReferenceError",
    "ExpressionError",
    "MissingParameterError",
    "NoExtraBudgetError",
    "Population",
    "Programme",
    "ProgrammeError",
    "Scenario",
    "Simulation",
    "UnknownVariableError",
    "VariableTypeError",
    "allocation_table",
    "budget_verdict",
    "compare_targeting",
    "load_template",
    "read_programmes",
    "read_scenario",
    "simulate",
    "template_names",
]
