"""Codes and their meanings: the recode step of the mapping (no Django import).

A *code table* says what each value of a coded column means, e.g. Susenas R105 ``1 -> urban``,
``2 -> rural``. Tables are kept per role with the dataset version (``{role: {code: meaning}}``)
and applied by validation and by every analysis (:func:`apply_labels`), so R105 coded 1/2 is
accepted as urban/rural and sex coded 1/2 is shown as male/female in the user's language.

Every coded role has a fixed set of canonical meanings (:data:`MEANINGS`: urban/rural, sex,
yes/no, school level, insurance scheme), stored as such and shown in the reader's language; an
empty meaning makes the code missing. Suggestions come from value labels (Stata/SPSS labels
arrive as text: "Perkotaan", "Laki-laki", "Ya", "Swasta") and, for numeric codes, from the
common BPS codings in :data:`PRESETS`.
"""

from __future__ import annotations

from typing import Any

import polars as pl

YES_NO = ("yes", "no")
MEANINGS: dict[str, tuple[str, ...]] = {
    "urban": ("urban", "rural"),
    "sex": ("male", "female"),
    "disability": YES_NO,
    "enrolled": YES_NO,
    "health_insurance": YES_NO,
    "outpatient_visit": YES_NO,
    "health_complaint": YES_NO,
    "school_level": ("SD", "SMP", "SMA", "PT"),
    # JKN (BPJS Kesehatan) with contribution assistance (PBI) or without, regional schemes,
    # private insurance, another scheme, none: in the order breakdowns show them.
    "insurance_scheme": ("JKN PBI", "JKN non-PBI", "Jamkesda", "private", "other", "none"),
}
CODED_ROLES = tuple(MEANINGS)

# Common BPS codings: key -> (label, roles it fits, table).
PRESETS: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "urban_r105": ("R105: 1 = urban, 2 = rural", ("urban",), {"1": "urban", "2": "rural"}),
    "sex_1_2": ("1 = male, 2 = female", ("sex",), {"1": "male", "2": "female"}),
    "yes_no_1_2": ("1 = yes, 2 = no", (), {"1": "yes", "2": "no"}),
    "yes_no_1_5": ("1 = yes, 5 = no", (), {"1": "yes", "5": "no"}),
    "yes_no_1_0": ("1 = yes, 0 = no", (), {"1": "yes", "0": "no"}),
    "school_1_4": (
        "1 = SD, 2 = SMP, 3 = SMA, 4 = PT",
        ("school_level",),
        {"1": "SD", "2": "SMP", "3": "SMA", "4": "PT"},
    ),
    "insurance_bps": (
        "1 = JKN PBI, 2 = JKN non-PBI, 3 = Jamkesda, 4 = private, 5 = none",
        ("insurance_scheme",),
        {"1": "JKN PBI", "2": "JKN non-PBI", "3": "Jamkesda", "4": "private", "5": "none"},
    ),
}

# Value labels (lower case) read as a meaning.
WORDS = {
    "urban": {"perkotaan": "urban", "kota": "urban", "urban": "urban", "perdesaan": "rural"}
    | {"pedesaan": "rural", "desa": "rural", "rural": "rural"},
    "sex": {"laki-laki": "male", "laki laki": "male", "pria": "male", "male": "male"}
    | {"perempuan": "female", "wanita": "female", "female": "female"},
    "yes_no": {"ya": "yes", "yes": "yes", "tidak": "no", "no": "no", "bukan": "no"},
    "school_level": {"sd": "SD", "smp": "SMP", "sma": "SMA", "pt": "PT", "smk": "SMA"}
    | {"sd/mi": "SD", "smp/mts": "SMP", "sma/ma": "SMA", "sma/smk": "SMA"}
    | {"perguruan tinggi": "PT"},
    "insurance_scheme": {"jkn pbi": "JKN PBI", "jkn-pbi": "JKN PBI", "pbi": "JKN PBI"}
    | {"bpjs pbi": "JKN PBI", "bpjs kesehatan pbi": "JKN PBI", "jkn non-pbi": "JKN non-PBI"}
    | {"jkn non pbi": "JKN non-PBI", "non-pbi": "JKN non-PBI", "non pbi": "JKN non-PBI"}
    | {"bpjs non-pbi": "JKN non-PBI", "bpjs non pbi": "JKN non-PBI", "jamkesda": "Jamkesda"}
    | {"private": "private", "swasta": "private", "asuransi swasta": "private"}
    | {"other": "other", "lainnya": "other", "lain-lain": "other", "none": "none"}
    | {"tidak ada": "none", "tidak punya": "none", "tidak memiliki": "none"},
}


def presets_for(role: str) -> dict[str, str]:
    """Preset key -> label of the presets that fit ``role``."""
    return {
        key: label
        for key, (label, roles, _table) in PRESETS.items()
        if role in roles or (not roles and MEANINGS.get(role) == YES_NO)
    }


def default_meaning(role: str, code: str) -> str:
    """What a code means without a table (as validation reads it): 1/0 and true/false are
    yes/no (urban/rural for the urban role), known labels their meaning, else missing."""
    allowed = MEANINGS.get(role, ())
    if code in allowed:
        return code
    flag = {"1": 0, "true": 0, "0": 1, "false": 1}.get(code.lower())
    if flag is not None and (role == "urban" or allowed == YES_NO):
        return allowed[flag]
    return _words_for(role).get(code.lower(), "")


def code_text(series: pl.Series) -> pl.Series:
    """Values as code text: whole floats lose their ``.0``; booleans are ``1``/``0``."""
    if series.dtype == pl.Boolean:
        series = series.cast(pl.Int8)
    if series.dtype.is_float():
        whole = series.drop_nulls().drop_nans()
        if whole.len() == 0 or bool((whole == whole.round(0)).all()):
            series = series.cast(pl.Int64, strict=False)
    return series.cast(pl.String).str.strip_chars()


def _words_for(role: str) -> dict[str, str]:
    if MEANINGS.get(role) == YES_NO:
        return WORDS["yes_no"]
    return WORDS.get(role, {})


def suggest_table(role: str, series: pl.Series) -> dict[str, str]:
    """A code table for ``role`` from the column's values, or ``{}`` when none is needed.

    Text values that are all known labels map to their meaning; numeric codes that all belong
    to a preset that fits the role take that preset. 0/1 and true/false need no table.
    """
    values = code_text(series).drop_nulls().unique().head(50).to_list()
    if not values or len(values) > 20:
        return {}
    words = _words_for(role)
    if words and all(v.lower() in words for v in values):
        if {words[v.lower()] for v in values} == set(values):
            return {}  # already the canonical meanings
        return {v: words[v.lower()] for v in sorted(values)}
    if set(values) <= {"0", "1"} and MEANINGS.get(role) == YES_NO:
        return {}
    for key in presets_for(role):
        table = PRESETS[key][2]
        if set(values) <= set(table) and (set(values) != {"1"} or len(table) == 1):
            return dict(table)
    return {}


def suggest_labels(frame: pl.DataFrame, mapping: dict[str, str]) -> dict[str, dict[str, str]]:
    """Code tables for every mapped coded role that needs one."""
    out = {}
    for role in CODED_ROLES:
        if role in mapping and mapping[role] in frame.columns:
            table = suggest_table(role, frame[mapping[role]])
            if table:
                out[role] = table
    return out


def clean_labels(submitted: dict[str, Any], mapping: dict[str, str]) -> dict[str, dict[str, str]]:
    """Keep tables of mapped coded roles, with text codes and allowed meanings only."""
    out: dict[str, dict[str, str]] = {}
    for role, table in submitted.items():
        if role not in mapping or role not in CODED_ROLES or not isinstance(table, dict):
            continue
        allowed = MEANINGS[role]
        rows = {
            str(code).strip(): str(meaning).strip()
            for code, meaning in table.items()
            if str(code).strip()
        }
        rows = {c: m for c, m in rows.items() if m in allowed or m == ""}
        if rows:
            out[role] = {c: m[:80] for c, m in rows.items()}
    return out


def apply_labels(
    frame: pl.DataFrame, columns: dict[str, str], labels: dict[str, dict[str, str]]
) -> tuple[pl.DataFrame, dict[str, tuple[int, list[str]]]]:
    """Replace codes by meanings in ``frame[columns[role]]`` for every role with a table.

    Returns the frame and, per role, the rows whose code is not in the table (now missing) with
    up to five such codes. An empty meaning makes the code missing on purpose.
    """
    replaced = []
    unknown: dict[str, tuple[int, list[str]]] = {}
    for role, table in labels.items():
        column = columns.get(role)
        if column is None or column not in frame.columns:
            continue
        codes = code_text(frame[column])
        meaning = codes.replace_strict(
            {c: (m or None) for c, m in table.items()}, default=None, return_dtype=pl.String
        )
        outside = codes.is_not_null() & ~codes.is_in(list(table))
        if outside.any():
            examples = codes.filter(outside).unique().sort().head(5).to_list()
            unknown[role] = (int(outside.sum()), examples)
        replaced.append(meaning.alias(column))
    return (frame.with_columns(replaced) if replaced else frame), unknown


def order_of(role: str, labels: dict[str, dict[str, str]]) -> list[str]:
    """The declared order of a coded role's meanings; a role without a fixed set in its
    table's order."""
    if role in MEANINGS:
        return list(MEANINGS[role])
    seen: list[str] = []
    for meaning in labels.get(role, {}).values():
        if meaning and meaning not in seen:
            seen.append(meaning)
    return seen


def _code_order(code: str) -> tuple[int, float, str]:
    try:
        return (0, float(code), code)
    except ValueError:
        return (1, 0.0, code)


def coded_roles(
    frame: pl.DataFrame,
    mapping: dict[str, str],
    labels: dict[str, dict[str, str]],
    limit: int = 20,
) -> list[dict[str, Any]]:
    """The mapped coded roles with their codes (at most ``limit`` distinct values, unless a
    table exists) and current table, for the recode step of the mapping page."""
    out = []
    for role in CODED_ROLES:
        column = mapping.get(role)
        if column is None or column not in frame.columns:
            continue
        values = code_text(frame[column]).drop_nulls().unique().head(limit + 1).to_list()
        table = labels.get(role, {})
        if len(values) > limit and not table:
            continue
        codes = sorted(set(values[:limit]) | set(table), key=_code_order)
        out.append({"role": role, "column": column, "codes": codes, "table": table})
    return out
