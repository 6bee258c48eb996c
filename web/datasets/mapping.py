"""Column roles of a survey file and suggestions for them (no Django import).

A mapping is a plain dict ``role -> column name``. Suggestions come from column names
(English and Bahasa Indonesia, Susenas conventions) and from value labels of Stata/SPSS files
(a column whose labels read "Perkotaan/Perdesaan" is urban/rural).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl


@dataclass(frozen=True)
class RoleSpec:
    key: str
    label: str
    group: str  # "design" or "variable"
    kind: str  # "numeric", "code", "binary", "category"
    patterns: tuple[str, ...]
    label_words: frozenset[str] = frozenset()


ROLES: tuple[RoleSpec, ...] = (
    RoleSpec(
        "weight",
        "Weight",
        "design",
        "numeric",
        (
            r"^(final_?)?w(ei)?ght?s?$",
            r"^fwt$",
            r"^wert$",
            r"^bobot",
            r"^penimbang",
            r"^pweight$",
            r"^weind$",
            r"^fxwt",
        ),
    ),
    RoleSpec(
        "strata",
        "Strata",
        "design",
        "category",
        (r"^strat(a|um|ification)?$", r"^strata_", r"^kdstrata", r"^stratum_"),
    ),
    RoleSpec(
        "psu",
        "PSU (cluster)",
        "design",
        "category",
        (r"^psu$", r"^cluster$", r"^ea$", r"^nks$", r"^psu_?id$", r"^blok_?sensus", r"^ssu$"),
    ),
    RoleSpec(
        "fpc",
        "Finite population correction",
        "design",
        "numeric",
        (r"^fpc", r"^psu_count$", r"^n_?psu_?pop", r"^population_psu"),
    ),
    RoleSpec(
        "welfare",
        "Welfare (per-capita expenditure or income)",
        "variable",
        "numeric",
        (
            r"expenditure_?pc",
            r"^pcexp",
            r"^kapita",
            r"pengeluaran",
            r"^welfare",
            r"^income_?pc",
            r"^consumption",
            r"^exp_?cap",
            r"^pce$",
        ),
    ),
    RoleSpec(
        "poverty_line",
        "Poverty line",
        "variable",
        "numeric",
        (r"poverty_?line", r"^garis_?kemiskinan", r"^gk$", r"^pline", r"^povline"),
    ),
    RoleSpec(
        "household_id",
        "Household id",
        "variable",
        "category",
        (r"^hh_?id$", r"^household_?id$", r"^urut$", r"^id_?rt$", r"^hhid$"),
    ),
    RoleSpec(
        "province_code",
        "Province code (kode wilayah)",
        "variable",
        "code",
        (r"^prov(ince)?_?code$", r"^kd_?prov", r"^kode_?prov", r"^r101$", r"^prov$"),
    ),
    RoleSpec(
        "regency_code",
        "Regency/city code (kode wilayah)",
        "variable",
        "code",
        (
            r"^regency_?code$",
            r"^kd_?kab",
            r"^kode_?kab",
            r"^r102$",
            r"^kab(kot)?$",
            r"^district_?code$",
        ),
    ),
    RoleSpec(
        "urban",
        "Urban/rural",
        "variable",
        "binary",
        (r"^urban", r"^klasifikasi", r"^kota_?desa", r"^r105$", r"^area_?type"),
        frozenset({"perkotaan", "perdesaan", "urban", "rural", "kota", "desa"}),
    ),
    RoleSpec(
        "sex",
        "Sex",
        "variable",
        "category",
        (r"^sex$", r"^gender$", r"^jk$", r"^jenis_?kelamin", r"^r405$"),
        frozenset({"laki-laki", "perempuan", "male", "female", "pria", "wanita"}),
    ),
    RoleSpec(
        "age", "Age (years)", "variable", "numeric", (r"^age$", r"^umur$", r"^usia$", r"^r407$")
    ),
    RoleSpec(
        "disability",
        "Disability",
        "variable",
        "binary",
        (r"disab", r"^difabel", r"^disabilitas", r"^cacat"),
    ),
    RoleSpec(
        "enrolled",
        "Enrolled in school",
        "variable",
        "binary",
        (r"^enrol", r"^sekolah$", r"^school_?attend", r"^partisipasi"),
    ),
    RoleSpec(
        "health_insurance",
        "Health insurance",
        "variable",
        "binary",
        (r"insur(?!ance_?scheme)", r"^jkn", r"^bpjs", r"^jaminan(?!_?jenis)"),
    ),
    RoleSpec(
        "years_schooling",
        "Years of schooling",
        "variable",
        "numeric",
        (r"^years_?(of_?)?school", r"^lama_?sekolah", r"^rls$", r"^yos$"),
    ),
    RoleSpec(
        "school_level",
        "School level attended (SD/SMP/SMA/PT)",
        "variable",
        "category",
        (r"^school_?level", r"^jenjang", r"^level_?school"),
    ),
    RoleSpec(
        "dist_school",
        "Distance to school (km)",
        "variable",
        "numeric",
        (r"^dist(ance)?_?(to_?)?school", r"^jarak_?sekolah"),
    ),
    RoleSpec(
        "outpatient_visit",
        "Outpatient visit (last month)",
        "variable",
        "binary",
        (r"^outpatient", r"^rawat_?jalan", r"^berobat_?jalan"),
    ),
    RoleSpec(
        "health_complaint",
        "Health complaint disrupting activities",
        "variable",
        "binary",
        (r"^health_?complaint", r"^keluhan", r"^sick"),
    ),
    RoleSpec(
        "insurance_scheme",
        "Health insurance scheme",
        "variable",
        "category",
        (r"^insurance_?scheme", r"^jenis_?jaminan", r"^jaminan_?jenis", r"^skema"),
    ),
    RoleSpec(
        "dist_health",
        "Distance to a health facility (km)",
        "variable",
        "numeric",
        (r"^dist(ance)?_?(to_?)?(health|faskes|puskesmas)", r"^jarak_?(faskes|puskesmas|kes)"),
    ),
)
ROLE_KEYS = tuple(role.key for role in ROLES)
ROLE_BY_KEY = {role.key: role for role in ROLES}

# Which roles each analysis dimension needs.
REQUIRED = {
    "economic": ("weight", "welfare"),
    "education": ("weight", "enrolled"),
    "health": ("weight", "health_insurance"),
}


def suggest_mapping(frame: pl.DataFrame) -> dict[str, str]:
    """Suggest a column for each role from names first, then from string values."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    schema = frame.schema  # built on each access: once, not once per column and role
    for role in ROLES:
        regexes = [re.compile(p) for p in role.patterns]
        for column in frame.columns:
            if column not in taken and any(r.search(column.lower()) for r in regexes):
                mapping[role.key] = column
                taken.add(column)
                break
    for role in ROLES:
        if role.key in mapping or not role.label_words:
            continue
        for column in frame.columns:
            if column in taken or schema[column] != pl.String:
                continue
            values = frame[column].head(10_000).drop_nulls().unique().head(20).to_list()
            words = {str(v).strip().lower() for v in values}
            if words and words <= role.label_words | {""}:
                mapping[role.key] = column
                taken.add(column)
                break
    return mapping


def clean_mapping(submitted: dict[str, str], columns: list[str]) -> dict[str, str]:
    """Keep the roles whose column exists; drop empty choices."""
    known = set(columns)
    return {k: v for k, v in submitted.items() if k in ROLE_BY_KEY and v and v in known}
