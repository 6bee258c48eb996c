"""Public-service access: who can reach a school or a health centre, how unequal access is,
and where new facilities do the most good (travel times, access measures, equity, siting).

Facilities and villages are read and checked by :func:`read_facilities` and
:func:`read_demand`; travel costs (:class:`GreatCircle`, :class:`MatrixCost`,
:class:`NetworkCost` on a :class:`RoadNetwork` with ferries) give minutes; :func:`access_values`
and :func:`summarise` compute the measures, :mod:`setara.access.equity` their equity through
the engine, and :func:`site` the LSCP, MCLP, p-median and p-centre plans by HiGHS.
"""

from __future__ import annotations

from setara.access.analysis import (
    access_values,
    build_cost,
    coverage_change,
    summarise,
    to_long,
)
from setara.access.equity import (
    access_equity,
    access_gap,
    join_access,
    survey_access_equity,
    survey_access_gap,
)
from setara.access.inputs import (
    read_demand,
    read_facilities,
    validate_demand,
    validate_facilities,
)
from setara.access.measures import (
    catchment_population,
    floating_catchment,
    parse_access_spec,
    provider_ratio,
)
from setara.access.network import NetworkCost, RoadNetwork
from setara.access.places import site_places
from setara.access.siting import MODELS, Siting, site
from setara.access.travel import GreatCircle, MatrixCost, Pairs, haversine_km
from setara.access.world import synthetic_archipelago, synthetic_places

__all__ = [
    "MODELS",
    "GreatCircle",
    "MatrixCost",
    "NetworkCost",
    "Pairs",
    "RoadNetwork",
    "Siting",
    "access_equity",
    "access_gap",
    "access_values",
    "build_cost",
    "catchment_population",
    "coverage_change",
    "floating_catchment",
    "haversine_km",
    "join_access",
    "parse_access_spec",
    "provider_ratio",
    "read_demand",
    "read_facilities",
    "site",
    "site_places",
    "summarise",
    "survey_access_equity",
    "survey_access_gap",
    "synthetic_archipelago",
    "synthetic_places",
    "to_long",
    "validate_demand",
    "validate_facilities",
]
