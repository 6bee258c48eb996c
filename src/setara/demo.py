"""Seeded synthetic Indonesian household survey (Susenas-like) for demos, docs and tests.

THE DATA ARE SYNTHETIC. Every household and person is drawn from a random model; only the
administrative codes and names (38 provinces, 514 regencies) are real. Levels are calibrated
roughly to Indonesia in 2024 (mean per-capita expenditure about Rp 1.5 million a month, poverty
line about Rp 583,000, poor headcount about 9 %, Gini about 0.38) so that analyses look plausible,
but no figure computed from this data describes Indonesia.

Design: strata are regency × urban/rural, primary sampling units (PSUs) are census blocks drawn
systematically within strata, and about ten households are drawn in each block. Every regency is
present and every sampled stratum has at least two PSUs, at every size from 10,000 persons up.

Indonesia administrative area data: idn-area-data, ODbL.

Examples
--------
>>> from setara.demo import DEMO_DESIGN, generate_survey
>>> df = generate_survey(10_000, seed=1)
>>> df.height, df["regency_code"].n_unique()
(10000, 514)
>>> DEMO_DESIGN["strata"]
'stratum'
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from os import PathLike

import numpy as np
import numpy.typing as npt
import polars as pl

from setara.regions import read_provinces, read_regencies

__all__ = [
    "COLUMNS",
    "DEMO_DESIGN",
    "DEMO_WELFARE",
    "MIN_PERSONS",
    "SYNTHETIC_NOTICE",
    "generate_survey",
    "write_survey",
]

SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: every household and person in this file was generated at random by "
    "setara.demo; only the administrative codes and names of provinces and regencies are real "
    "(Indonesia administrative area data: idn-area-data, ODbL). Do not use it as statistics."
)
DEMO_DESIGN: dict[str, str] = dict(weight="weight", strata="stratum", psu="psu", fpc="psu_count")
DEMO_WELFARE = "expenditure_pc"
MIN_PERSONS = 10_000
_NAMES = (
    "hh_id person_id province_code province_name regency_code regency_name urban stratum psu "
    "psu_count weight hh_size is_head head_female age sex disability enrolled school_level "
    "years_schooling health_insurance insurance_scheme outpatient_visit health_complaint employed "
    "informal expenditure_pc poverty_line dist_school_km dist_health_km"
)
COLUMNS: tuple[str, ...] = tuple(_NAMES.split())  # column order of generate_survey()

F = npt.NDArray[np.float64]
I = npt.NDArray[np.int64]  # noqa: E741
B = npt.NDArray[np.bool_]

_POPULATION = 281_600_000  # persons the weights inflate to
_LINE_URBAN, _LINE_RURAL = 602_000.0, 557_000.0  # national poverty lines, Rp/capita/month
_HH_SIZE_P = np.array([0.09, 0.16, 0.21, 0.23, 0.155, 0.08, 0.04, 0.02, 0.008, 0.007])
_HH_SIZE_P = _HH_SIZE_P / _HH_SIZE_P.sum()
_MEAN_HH_SIZE = float(np.arange(1, 11) @ _HH_SIZE_P)
_HH_PER_PSU = 10  # households drawn per census block
_HH_PER_BLOCK = 100  # households living in a census block, on average
_MIN_STRATUM = 10_000  # smaller urban or rural parts are folded into the other stratum

# Stylised province parameters, in provinces.csv order: code, poverty-line multiplier, target
# poor headcount (%), remoteness multiplier for distances, log size shift of its regencies.
# Indicative only, loosely after 2024 figures; not official statistics.
_PROVINCE_TABLE = """
11 1.04 14.2 1.0 0.0 | 12 1.02 8.0 1.0 0.0 | 13 1.08 6.0 1.0 0.0 | 14 1.04 6.4 1.0 0.0
15 1.04 7.3 1.1 0.0 | 16 0.95 11.0 1.1 0.0 | 17 1.08 13.6 1.2 0.0 | 18 0.96 10.7 1.0 0.0
19 1.23 5.1 1.1 0.0 | 21 1.17 5.4 1.2 0.0 | 31 1.21 4.3 0.5 1.15 | 32 0.93 7.5 0.8 1.15
33 0.91 10.5 0.8 1.15 | 34 0.98 10.8 0.7 1.15 | 35 0.94 9.8 0.8 1.15 | 36 1.04 5.8 0.8 1.15
51 0.98 4.0 0.8 0.0 | 52 0.93 12.9 1.1 0.0 | 53 0.93 19.5 1.7 -0.3 | 61 1.02 6.3 1.5 -0.35
62 1.06 5.2 1.5 -0.35 | 63 1.04 4.0 1.3 -0.35 | 64 1.17 5.8 1.5 -0.35 | 65 1.19 6.4 1.8 -0.35
71 0.89 7.3 1.1 -0.35 | 72 0.98 11.8 1.2 -0.35 | 73 0.85 8.1 1.1 -0.35 | 74 0.83 11.2 1.3 -0.35
75 0.89 14.6 1.2 -0.35 | 76 0.85 11.2 1.4 -0.35 | 81 1.11 16.1 1.9 -0.8 | 82 1.08 6.3 1.9 -0.8
91 1.14 25.0 2.3 -1.3 | 92 1.15 25.0 2.4 -1.3 | 93 1.11 24.0 2.6 -1.3 | 94 1.09 30.0 3.0 -1.3
95 1.08 33.0 3.5 -1.3 | 96 1.15 24.0 2.3 -1.3
"""

# Welfare model: log(expenditure_pc) = _MU + province + regency + urban + household terms + e,
# with e a split normal (thin lower tail, heavy upper tail) to get both poverty and inequality.
_MU = 13.835
_SD_LOW, _SD_HIGH = 0.35, 0.79
_PROV_SLOPE = 0.42  # log-welfare shift per unit of probit(target headcount)
_SD_REGENCY = 0.14
_URBAN_EFFECT = 0.15


def _sigmoid(x: F) -> F:
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class _Areas:
    """Regency-level population model (arrays of length 514) and province parameters."""

    prov: I  # province index of each regency
    reg_num: I  # regency code as a number, e.g. 3171
    pop_u: F  # urban population
    pop_r: F  # rural population
    effect: F  # log-welfare effect of the regency (province + regency draw)
    remote: F  # distance multiplier
    line_mult: F  # poverty-line multiplier of the regency's province


def _areas(rng: np.random.Generator) -> _Areas:
    provinces = read_provinces()
    regencies = read_regencies()
    table = np.array(_PROVINCE_TABLE.replace("|", " ").split(), dtype=np.float64).reshape(-1, 5)
    code, line, poor, remote, size_shift = table.T
    if not np.array_equal(code, provinces["code"].cast(pl.Float64).to_numpy()):
        raise RuntimeError("province table out of sync with provinces.csv")  # pragma: no cover
    prov = np.searchsorted(provinces["code"].to_numpy(), regencies["province_code"].to_numpy())
    prov = prov.astype(np.int64)
    n_reg = regencies.height
    is_kota = regencies["name"].str.starts_with("Kota ").to_numpy()
    reg_num = regencies["code"].str.replace(".", "", literal=True).cast(pl.Int64).to_numpy()
    size = size_shift[prov]
    pop = np.exp(size + rng.normal(0.0, 0.8, n_reg))
    pop = pop / pop.sum() * _POPULATION
    java, papua = (code[prov] >= 31) & (code[prov] <= 36), code[prov] >= 91
    mean_u = np.where(java, 0.55, np.where(papua, 0.15, 0.32))
    share_k = rng.beta(4.0 * mean_u, 4.0 * (1.0 - mean_u))
    share_c = np.where(rng.random(n_reg) < 0.6, 1.0, rng.uniform(0.85, 0.99, n_reg))
    share = np.where(is_kota, share_c, share_k)
    pop_u, pop_r = pop * share, pop * (1.0 - share)
    # A small urban or rural part (under 10,000 persons or 3 %) joins the regency's other part.
    urban_dom = share >= 0.5
    drop_r = urban_dom & ((pop_r < _MIN_STRATUM) | (share > 0.97))
    drop_u = ~urban_dom & ((pop_u < _MIN_STRATUM) | (share < 0.03))
    pop_u = np.where(drop_r, pop, np.where(drop_u, 0.0, pop_u))
    pop_r = pop - pop_u
    probit = (np.log(poor / (100.0 - poor)) - np.log(9.0 / 91.0)) / 1.7  # ~ vs 9 % national
    prov_effect = np.log(line) - _PROV_SLOPE * probit
    # Regency effects are centred within provinces so that provinces keep their target levels.
    reg_effect = rng.normal(0.0, _SD_REGENCY, n_reg) + 0.08 * is_kota
    n_prov = code.size
    centre = np.bincount(prov, reg_effect * pop, n_prov) / np.bincount(prov, pop, n_prov)
    effect = prov_effect[prov] + reg_effect - centre[prov]
    return _Areas(prov, reg_num, pop_u, pop_r, effect, remote[prov], line[prov])


@dataclass(frozen=True)
class _Sample:
    """Sampled strata (S), PSUs (P) and households (H)."""

    reg: I  # (S) regency index of each sampled stratum
    urban: B  # (S) urban stratum?
    pop: F  # (S) stratum population (persons), after folding unsampled parts
    m: I  # (S) sampled PSUs
    big_m: I  # (S) census blocks in the stratum population
    psu: I  # (P) national PSU id
    hh_stratum: I  # (H) stratum index of each household
    hh_psu: I  # (H) PSU index of each household
    size: I  # (H) household size, summing exactly to n_persons
    weight: F  # (H) household (and person) weight


def _largest_remainder(share: F, total: int) -> I:
    """Integers proportional to ``share`` that sum exactly to ``total``."""
    x = share / share.sum() * total
    out: I = np.floor(x).astype(np.int64)
    rest = total - int(out.sum())
    out[np.argsort(out - x, kind="stable")[:rest]] += 1
    return out


def _sample(areas: _Areas, n_persons: int, rng: np.random.Generator) -> _Sample:
    n_reg = areas.reg_num.size
    pop2 = np.column_stack([areas.pop_u, areas.pop_r])  # (R, 2): urban, rural
    dominant = np.zeros((n_reg, 2), dtype=bool)
    dominant[np.arange(n_reg), (areas.pop_r > areas.pop_u).astype(np.int64)] = True
    n_hh = round(n_persons / _MEAN_HH_SIZE)
    n_psu = max(round(n_hh / _HH_PER_PSU), 2 * n_reg)
    # Secondary strata (the smaller urban/rural part) are sampled, largest first, while the PSU
    # budget allows two PSUs each; the others are folded into the regency's dominant stratum.
    secondary = np.flatnonzero(((pop2 > 0) & ~dominant).ravel())
    keep = min(secondary.size, (n_psu - 2 * n_reg) // 2)
    by_size = np.argsort(-pop2.ravel()[secondary], kind="stable")
    sampled = dominant.ravel().copy()
    sampled[secondary[by_size[:keep]]] = True
    sampled2 = sampled.reshape(n_reg, 2)
    folded = np.where(sampled2, 0.0, pop2).sum(axis=1)
    pop_fold = np.where(sampled2, pop2 + np.where(dominant, folded[:, None], 0.0), 0.0).ravel()
    strata = np.flatnonzero(sampled).astype(np.int64)
    reg, urban, pop = strata // 2, strata % 2 == 0, pop_fold[strata]
    n_str = strata.size
    # Two PSUs per stratum plus a power allocation (between proportional and equal) of the rest.
    m = 2 + _largest_remainder(pop**0.7, n_psu - 2 * n_str)
    big_m = np.maximum(np.round(pop / (_MEAN_HH_SIZE * _HH_PER_BLOCK)).astype(np.int64), 2 * m)
    # Systematic selection of census blocks with a random start in each stratum.
    psu_str = np.repeat(np.arange(n_str), m)
    within = np.arange(n_psu) - np.repeat(np.cumsum(m) - m, m)
    step = big_m / m
    start = rng.uniform(0.0, step)
    block = np.floor(start[psu_str] + within * step[psu_str]).astype(np.int64) + 1
    psu = areas.reg_num[reg][psu_str] * 10**7 + np.where(urban, 1, 2)[psu_str] * 10**6 + block
    # Households: spread evenly over PSUs (about 10 each; fewer at the smallest sizes).
    k = np.full(n_psu, n_hh // n_psu, dtype=np.int64)
    k[rng.permutation(n_psu) < n_hh % n_psu] += 1
    hh_psu = np.repeat(np.arange(n_psu), k)
    hh_stratum = psu_str[hh_psu]
    size = rng.choice(np.arange(1, 11), size=n_hh, p=_HH_SIZE_P).astype(np.int64)
    gap = n_persons - int(size.sum())  # O(sqrt(n)): nudge random households by one person
    pool = np.flatnonzero(size < 10) if gap > 0 else np.flatnonzero(size > 1)
    size[rng.choice(pool, size=abs(gap), replace=False)] += int(np.sign(gap))
    # Weights: inverse selection probabilities x nonresponse noise, calibrated to stratum totals.
    mean_block = pop / (_MEAN_HH_SIZE * big_m)
    households = np.maximum(k, np.round(mean_block[psu_str] * rng.lognormal(0.0, 0.15, n_psu)))
    weight = (big_m / m)[hh_stratum] * (households / k)[hh_psu] * rng.uniform(0.9, 1.1, n_hh)
    total = np.bincount(hh_stratum, weights=weight * size, minlength=n_str)
    weight *= (pop / total)[hh_stratum]
    return _Sample(reg, urban, pop, m, big_m, psu, hh_stratum, hh_psu, size, weight)


def _check(n_persons: int) -> None:
    if isinstance(n_persons, bool) or not isinstance(n_persons, int | np.integer):
        raise TypeError(f"n_persons must be an integer, got {type(n_persons).__name__}")
    if n_persons < MIN_PERSONS:
        raise ValueError(f"n_persons must be at least {MIN_PERSONS:,}, got {n_persons:,}")


def generate_survey(n_persons: int = 200_000, *, seed: int = 2026) -> pl.DataFrame:
    """Generate a synthetic Susenas-like person-level survey of Indonesia.

    Parameters
    ----------
    n_persons : int, default 200_000
        Number of rows (persons); the frame has exactly this many. At least 10,000.
    seed : int, default 2026
        Seed of :func:`numpy.random.default_rng`; the same ``(n_persons, seed)`` always gives
        the same frame.

    Returns
    -------
    polars.DataFrame
        One row per person, households contiguous with the head first. Design columns:
        ``stratum`` (regency × urban/rural, e.g. ``"31.71-U"``), ``psu`` (census block),
        ``psu_count`` (census blocks in the stratum population) and ``weight`` (inflating to
        about 281.6 million persons). See :data:`DEMO_DESIGN` and :data:`SYNTHETIC_NOTICE`.

    Raises
    ------
    ValueError
        If ``n_persons`` is below 10,000.

    Notes
    -----
    Household welfare (``expenditure_pc``) is drawn first as a log-normal-like latent (province,
    regency and urban effects plus a skewed household term); schooling, insurance, work and
    distances are drawn conditional on it. At the smallest sizes some regencies are sampled in
    only their larger (urban or rural) stratum, which then represents the whole regency.

    Examples
    --------
    >>> df = generate_survey(10_000, seed=7)
    >>> df.select("stratum", "psu", "psu_count", "weight").columns
    ['stratum', 'psu', 'psu_count', 'weight']
    >>> round(df["weight"].sum() / 1e6)
    282
    """
    _check(n_persons)
    rng = np.random.default_rng(seed)
    areas = _areas(rng)
    smp = _sample(areas, int(n_persons), rng)
    n_hh = smp.size.size
    hs = smp.hh_stratum
    hh_urban = smp.urban[hs]
    hh_reg = smp.reg[hs]
    # Poverty lines by province x urban/rural, normalised to the national lines.
    line_base = np.where(smp.urban, _LINE_URBAN, _LINE_RURAL)
    u = smp.urban.astype(np.int64)
    avg = np.bincount(u, smp.pop * areas.line_mult[smp.reg], 2) / np.bincount(u, smp.pop, 2)
    line_s = np.round(line_base * areas.line_mult[smp.reg] / avg[u])
    # Household welfare latent.
    head_female = rng.random(n_hh) < 0.15
    z = rng.standard_normal(n_hh)
    noise = np.where(z < 0, _SD_LOW, _SD_HIGH) * z
    log_y = _MU + areas.effect[hh_reg] + _URBAN_EFFECT * hh_urban + noise
    log_y -= 0.07 * (smp.size - _MEAN_HH_SIZE) + 0.05 * head_female  # larger, female-headed
    exp_pc = np.round(np.exp(log_y))
    lw = log_y - np.log(line_s[hs])  # log ratio to the poverty line
    remote = areas.remote[hh_reg] * np.exp(rng.normal(0.0, 0.3, areas.remote.size))[hh_reg]
    rural = ~hh_urban
    dist_school = np.exp(np.log(0.8 * remote) + 1.0 * rural - 0.1 * lw + rng.normal(0, 0.7, n_hh))
    dist_health = np.exp(np.log(1.6 * remote) + 1.1 * rural - 0.1 * lw + rng.normal(0, 0.7, n_hh))
    hh_ins = rng.normal(0.0, 0.8, n_hh) + np.where(lw < 0.5, 1.2, 0.0) + 0.6 * np.clip(lw - 1, 0, 2)
    hh = pl.DataFrame(
        {
            "hh_id": np.arange(1, n_hh + 1, dtype=np.int64),
            "psu": smp.psu[smp.hh_psu],
            "weight": smp.weight,
            "hh_size": smp.size.astype(np.int32),
            "head_female": head_female,
            "expenditure_pc": exp_pc,
            "dist_school_km": np.round(np.maximum(dist_school, 0.05), 2),
            "dist_health_km": np.round(np.maximum(dist_health, 0.1), 2),
        }
    )
    # Variables added later draw from their own stream, so the earlier columns stay as they were.
    later = np.random.default_rng([seed, 9])
    return _persons(hh, smp, areas, line_s, lw, hh_ins, rng, later)


def _persons(
    hh: pl.DataFrame,
    smp: _Sample,
    areas: _Areas,
    line_s: F,
    lw_hh: F,
    hh_ins: F,
    rng: np.random.Generator,
    later: np.random.Generator,
) -> pl.DataFrame:
    size = smp.size
    n = int(size.sum())
    hh_of = np.repeat(np.arange(size.size), size)
    j = np.arange(n) - np.repeat(np.cumsum(size) - size, size)
    head_age = np.clip(np.round(rng.normal(47.0, 13.0, size.size)), 18, 95)[hh_of]
    hf = hh["head_female"].to_numpy()[hh_of]
    is_head = j == 0
    is_spouse = (j == 1) & (rng.random(size.size) < 0.82)[hh_of]
    elder = ~is_head & ~is_spouse & (rng.random(n) < 0.07)
    noise = rng.normal(0.0, 4.0, n)
    child_age = np.floor(rng.random(n) * np.maximum(head_age - 14, 1))
    age = np.where(is_spouse, np.maximum(head_age + np.where(hf, 4, -4) + noise, 16), child_age)
    age = np.where(elder, np.minimum(head_age + 25 + noise, 100), age)
    age = np.clip(np.where(is_head, head_age, age), 0, 100).astype(np.int64)
    other_female = rng.random(n) < np.where(elder, 0.6, 0.49)
    female = np.where(is_head, hf, np.where(is_spouse, ~hf, other_female))
    lw = lw_hh[hh_of] - 0.8  # centred log ratio to the poverty line
    urban = smp.urban[smp.hh_stratum][hh_of]
    disability = rng.random(n) < 0.025 + 0.3 * _sigmoid((age - 70) / 8.0) + 0.01 * (lw < -0.8)
    # School enrolment at ages 7-24 by level; poorer and older children enrol less.
    school_age = (age >= 7) & (age <= 24)
    level = np.searchsorted(np.array([13, 16, 19]), age, side="right")
    level = np.minimum(level, 3)
    a = np.array([3.6, 2.3, 1.1, -1.1])[level]
    b = np.array([0.5, 0.8, 1.1, 1.2])[level]
    logit = a + b * lw + 0.2 * urban - 1.5 * disability
    enrolled = school_age & (rng.random(n) < _sigmoid(logit))
    # Completed schooling (reported for ages 25+), employment and informality (ages 15+).
    years = 8.8 + 1.8 * lw + 1.3 * urban - 0.07 * (age - 40) - 0.8 * (female & (age > 45))
    years = np.clip(np.round(years + rng.normal(0.0, 2.6, n)), 0, 22)
    logit = np.where(female, 0.5, 2.1) - 1.9 * (age < 20) - 0.5 * ((age >= 20) & (age < 25))
    logit = logit - 0.6 * ((age >= 60) & (age < 65)) - 1.4 * (age >= 65) - 1.0 * disability
    employed = (age >= 15) & (rng.random(n) < _sigmoid(logit - 1.2 * enrolled))
    logit = 0.15 + 0.7 * ~urban - 0.22 * (years - 9) - 0.25 * lw + 0.8 * (age >= 60)
    informal = employed & (rng.random(n) < _sigmoid(logit))
    formal = employed & ~informal
    logit = hh_ins[hh_of] + 0.2 + 1.4 * formal + 0.3 * ((age < 5) | (age >= 60))
    insured = rng.random(n) < _sigmoid(logit)
    logit = -2.3 + 0.6 * (age < 5) + 0.6 * (age >= 60) + 0.9 * disability + 0.35 * insured
    outpatient = rng.random(n) < _sigmoid(logit + 0.15 * urban + 0.1 * lw)
    level, scheme, complaint = _later_draws(age, level, lw, urban, insured, outpatient, later)
    del j, head_age, noise, child_age, lw, a, b, logit, formal  # keep the peak memory down
    provinces, regencies = read_provinces(), read_regencies()
    reg_code = regencies["code"].gather(smp.reg)
    strata = pl.DataFrame(
        {
            "province_code": regencies["province_code"].gather(smp.reg),
            "province_name": provinces["name"].gather(areas.prov[smp.reg]),
            "regency_code": reg_code,
            "regency_name": regencies["name"].gather(smp.reg),
            "urban": smp.urban,
            "stratum": reg_code + pl.Series(np.where(smp.urban, "-U", "-R")),
            "psu_count": smp.big_m,
            "poverty_line": line_s,
        }
    )
    person = pl.DataFrame(
        {
            "person_id": np.arange(1, n + 1, dtype=np.int64),
            "is_head": is_head,
            "age": age.astype(np.int32),
            "_female": female,
            "disability": disability,
            "_school_age": school_age,
            "_enrolled": enrolled,
            "_level": pl.Series(["SD", "SMP", "SMA", "PT"]).gather(level),
            "_years": years,
            "_employed": employed,
            "informal": informal,
            "health_insurance": insured,
            "insurance_scheme": pl.Series(_SCHEMES).gather(scheme),
            "outpatient_visit": outpatient,
            "health_complaint": complaint,
        }
    )
    del age, female, disability, enrolled, level, years, employed, informal, insured, outpatient
    del scheme, complaint
    gather = pl.all().gather(pl.Series(hh_of))
    frame = pl.concat(
        [
            hh.select(gather),
            strata.select(pl.all().gather(pl.Series(smp.hh_stratum[hh_of]))),
            person,
        ],
        how="horizontal",
    )
    return frame.with_columns(
        sex=pl.when(pl.col("_female")).then(pl.lit("female")).otherwise(pl.lit("male")),
        enrolled=pl.when(pl.col("_school_age")).then(pl.col("_enrolled")),
        school_level=pl.when(pl.col("_enrolled")).then(pl.col("_level")),
        years_schooling=pl.when(pl.col("age") >= 25).then(pl.col("_years")),
        employed=pl.when(pl.col("age") >= 15).then(pl.col("_employed")),
        informal=pl.when(pl.col("_employed")).then(pl.col("informal")),
    ).select(COLUMNS)


_SCHEMES = ("none", "JKN PBI", "JKN non-PBI", "Jamkesda", "private")


def _later_draws(
    age: I, level: I, lw: F, urban: B, insured: B, outpatient: B, rng: np.random.Generator
) -> tuple[I, I, B]:
    """School level with over-age pupils, insurance scheme and health complaints.

    Some pupils are a level behind their age (repeaters: 8% at 13-14, 8% at 16-17, 12% at
    19-20), so gross and net enrolment rates differ. Insured persons belong to a scheme: the
    subsidised JKN PBI more often when poor, else JKN non-PBI, with some Jamkesda and private.
    A health complaint disrupting activities is reported by 75% of those with an outpatient
    visit and by a few others, more often when poor or old (the unmet need for care).
    """
    n = age.size
    behind = np.select(
        [(age >= 13) & (age <= 14), (age >= 16) & (age <= 17), (age >= 19) & (age <= 20)],
        [0.08, 0.08, 0.12],
        0.0,
    )
    level = np.maximum(level - (rng.random(n) < behind), 0)
    draw = rng.random(n)
    pbi = _sigmoid(0.3 - 1.6 * lw - 0.3 * urban)
    scheme = np.where(draw < pbi, 1, np.where(draw < pbi + 0.05, 3, np.where(draw > 0.97, 4, 2)))
    scheme = np.where(insured, scheme, 0).astype(np.int64)
    logit = -3.3 - 0.35 * lw + 0.9 * (age >= 60) + 0.3 * ~urban
    complaint = rng.random(n) < np.where(outpatient, 0.75, _sigmoid(logit))
    return level.astype(np.int64), scheme, complaint


def write_survey(
    path: str | PathLike[str], n_persons: int = 200_000, *, seed: int = 2026
) -> pl.DataFrame:
    """Generate the synthetic survey and write it to Parquet (or CSV if ``path`` ends ``.csv``).

    Parameters
    ----------
    path : str or os.PathLike
        Output file. Parquet unless the name ends with ``.csv`` (case-insensitive).
    n_persons, seed : int
        As in :func:`generate_survey`.

    Returns
    -------
    polars.DataFrame
        The frame that was written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "susenas_demo.parquet"
    >>> write_survey(out, 10_000).height
    10000
    """
    frame = generate_survey(n_persons, seed=seed)
    target = os.fspath(path)
    if target.lower().endswith(".csv"):
        frame.write_csv(target)
    else:
        frame.write_parquet(target)
    return frame
