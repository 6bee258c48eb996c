"""Monitoring against targets: scoring, data-quality rules and change over time.

The library half of the monitoring capability (the web app keeps catalogues, submissions and
approvals): plain functions on arrays and frames that use the survey engine through ``setara``'s
public names only.
"""

from __future__ import annotations

from setara.monitoring.change import change
from setara.monitoring.gic import growth_incidence
from setara.monitoring.growth_redistribution import growth_redistribution
from setara.monitoring.hierarchy import (
    NATIONAL_CODE,
    are_within,
    check_region_codes,
    is_within,
    parent_code,
    parent_codes,
    region_level,
    region_levels,
    validate_region_codes,
)
from setara.monitoring.periods import (
    PERIOD_TYPES,
    Period,
    calendar_months,
    fiscal_year,
    format_period,
    parse_period,
    parse_periods,
    periods_in_year,
)
from setara.monitoring.pseudonym import pseudonymise
from setara.monitoring.quality import QUALITY_COLUMNS, QualityRule, check_quality
from setara.monitoring.scoring import score, scorecard

__all__: list[str] = [
    "NATIONAL_CODE",
    "PERIOD_TYPES",
    "QUALITY_COLUMNS",
    "Period",
    "QualityRule",
    "are_within",
    "calendar_months",
    "change",
    "check_quality",
    "check_region_codes",
    "fiscal_year",
    "format_period",
    "growth_incidence",
    "growth_redistribution",
    "is_within",
    "parent_code",
    "parent_codes",
    "parse_period",
    "parse_periods",
    "periods_in_year",
    "pseudonymise",
    "region_level",
    "region_levels",
    "score",
    "scorecard",
    "validate_region_codes",
]
