"""Impact evaluation: did the programme work.

Difference-in-differences (2x2, two-way fixed effects, Callaway–Sant'Anna group-time effects
and their aggregations, Sun–Abraham event studies, the Goodman-Bacon diagnostic), matching and
weighting on survey microdata, and regression discontinuity. Fixed-effects regressions use
pyfixest and local-polynomial RD uses rdrobust/rddensity (versions pinned in
``requirements.lock``); what they lack (survey weights and designs, the programme link,
results shaped for reports) is written here. Heavy libraries are imported inside the
functions, so importing this package stays cheap.
"""

from __future__ import annotations

from setara.evaluation.balance import balance_table, common_support
from setara.evaluation.did import AGGREGATES, DidResult, att_gt
from setara.evaluation.effects import MatchResult, match_estimate
from setara.evaluation.rd import RDResult, rd_bins, rd_density, rd_estimate
from setara.evaluation.sunab import sun_abraham
from setara.evaluation.twfe import TwfeResult, bacon, twfe

__all__ = [
    "AGGREGATES",
    "DidResult",
    "MatchResult",
    "RDResult",
    "TwfeResult",
    "att_gt",
    "bacon",
    "balance_table",
    "common_support",
    "match_estimate",
    "rd_bins",
    "rd_density",
    "rd_estimate",
    "sun_abraham",
    "twfe",
]
