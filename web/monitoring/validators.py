"""Field checks for monitoring: measure specs, kode wilayah, periods and region levels.

Each raises Django's ``ValidationError`` with a message naming the value, so forms, imports
and the API show the same text.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from monitoring.choices import ApprovalLevel, Disaggregation, RegionLevel

# kode wilayah: "" national, "11" province, "11.01" regency, "11.01.01" district,
# "11.01.01.2001" village (Kemendagri's dotted form)
REGION_PATTERN = re.compile(r"^(\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?)?$")
LEVEL_OF_LENGTH = {0: "national", 2: "province", 5: "regency", 8: "district", 13: "village"}
PERIOD_PATTERNS = {
    "annual": re.compile(r"^(19|20)\d{2}$"),
    "semester": re.compile(r"^(19|20)\d{2}-S[12]$"),
    "quarterly": re.compile(r"^(19|20)\d{2}-Q[1-4]$"),
    "monthly": re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$"),
}
PERIOD_EXAMPLES = {
    "annual": "2026",
    "semester": "2026-S1",
    "quarterly": "2026-Q1",
    "monthly": "2026-03",
}


def validate_measure_spec(spec: str) -> None:
    """The engine's own parser must accept the spec (``fgt:alpha=0,line=@poverty_line``)."""
    from setara.errors import SetaraError
    from setara.measures.registry import parse_spec

    if not spec.strip():
        return
    try:
        parse_spec(spec)
    except SetaraError as exc:
        raise ValidationError(
            _("Measure %(spec)s is not valid: %(error)s"), params={"spec": spec, "error": exc}
        ) from None


def validate_region_code(code: str) -> None:
    if not REGION_PATTERN.match(code):
        raise ValidationError(
            _("%(code)r is not a kode wilayah (11, 11.01, 11.01.01 or 11.01.01.2001)"),
            params={"code": code},
        )


def region_level(code: str) -> str:
    """``national``, ``province``, ``regency``, ``district`` or ``village`` of a valid code."""
    return LEVEL_OF_LENGTH[len(code)]


def is_within(code: str, region: str) -> bool:
    """True when ``code`` lies inside ``region`` (or is it); every code lies in national ""."""
    return code == region or region == "" or code.startswith(region + ".")


def validate_period(period: str, period_type: str) -> None:
    pattern = PERIOD_PATTERNS.get(period_type)
    if pattern is None or not pattern.match(period):
        raise ValidationError(
            _("Period %(period)r is not a %(type)s period (for example %(example)s)"),
            params={
                "period": period,
                "type": period_type,
                "example": PERIOD_EXAMPLES.get(period_type, "2026"),
            },
        )


def _check_list(values: Any, allowed: list[str]) -> None:
    if not isinstance(values, list) or any(v not in allowed for v in values):
        raise ValidationError(
            _("%(values)s: choose from %(allowed)s"),
            params={"values": values, "allowed": ", ".join(allowed)},
        )
    if len(set(values)) != len(values):
        raise ValidationError(_("%(values)s repeats a value"), params={"values": values})


def validate_region_levels(values: Any) -> None:
    _check_list(values, list(RegionLevel.values))
    if not values:
        raise ValidationError(_("Choose at least one region level."))


def validate_disaggregations(values: Any) -> None:
    _check_list(values, list(Disaggregation.values))


def validate_approval_levels(values: Any) -> None:
    """Two or more tiers, from the submitter up: each a higher tier than the one before it
    (``regency, province, national``; ``partner, national``), a partner only first."""
    _check_list(values, list(ApprovalLevel.values))
    order = list(ApprovalLevel.values)
    ranks = [order.index(v) for v in values]
    if len(values) < 2 or ranks != sorted(ranks):
        raise ValidationError(
            _(
                "Approval levels %(values)s must name two or more tiers from the submitter up, "
                "for example regency, province, national"
            ),
            params={"values": ", ".join(map(str, values)) if isinstance(values, list) else values},
        )
