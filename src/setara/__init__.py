"""Setara: survey-aware measurement of inequality, poverty and equity gaps.

The public API: :func:`survey_design` declares a sample design, :func:`estimate` computes
measures with design-based standard errors for the population and any domains, and returns a
:class:`Results` object. :mod:`setara.demo` generates a synthetic Indonesia-like survey.
"""

from setara.design import SurveyDesign
from setara.errors import SetaraError
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
