"""Small-area estimation: model-based figures for areas where the survey alone is unreliable.

The area-level Fay–Herriot model (:func:`fay_herriot`: REML, ML and the moment fit, the EBLUP
and its MSE) borrows strength from area covariates; :func:`fh_estimates` applies it to a table
of areas (transforms, out-of-sample areas) and :func:`benchmark` aligns areas with the level
above; :func:`smooth_variances` predicts the sampling variances of areas with few PSUs.
"""

from __future__ import annotations

from setara.sae.area import Transform, benchmark, design_matrix, fh_estimates
from setara.sae.diagnostics import design_consistency, fh_diagnostics
from setara.sae.fay_herriot import FayHerriotFit, FitMethod, fay_herriot
from setara.sae.variances import GvfKind, smooth_variances

__all__ = [
    "FayHerriotFit",
    "FitMethod",
    "GvfKind",
    "Transform",
    "benchmark",
    "design_consistency",
    "design_matrix",
    "fay_herriot",
    "fh_diagnostics",
    "fh_estimates",
    "smooth_variances",
]
