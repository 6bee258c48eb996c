"""Small-area estimation: model-based figures for areas where the survey alone is unreliable.

The area-level Fay–Herriot model (:func:`fay_herriot`: REML, ML and the moment fit, the EBLUP
and its MSE) borrows strength from area covariates.
"""

from __future__ import annotations

from setara.sae.fay_herriot import FayHerriotFit, FitMethod, fay_herriot

__all__ = ["FayHerriotFit", "FitMethod", "fay_herriot"]
