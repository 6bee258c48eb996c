"""Monitoring against targets: scoring, data-quality rules and change over time.

The library half of the monitoring capability (the web app keeps catalogues, submissions and
approvals): plain functions on arrays and frames that use the survey engine through ``setara``'s
public names only.
"""

from __future__ import annotations

from setara.monitoring.change import change
from setara.monitoring.gic import growth_incidence
from setara.monitoring.growth_redistribution import growth_redistribution
from setara.monitoring.quality import QUALITY_COLUMNS, QualityRule, check_quality
from setara.monitoring.scoring import score, scorecard

__all__: list[str] = [
    "QUALITY_COLUMNS",
    "QualityRule",
    "change",
    "check_quality",
    "growth_incidence",
    "growth_redistribution",
    "score",
    "scorecard",
]
