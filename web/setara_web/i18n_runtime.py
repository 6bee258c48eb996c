"""Strings translated at runtime but defined outside Django-aware code.

Indicator labels (analyses/compute.py) and column-role labels (datasets/mapping.py) are plain
Python data without Django imports; templates and forms translate them at runtime with
``{% translate r.label %}`` or ``_(role.label)``. Listing them here lets ``makemessages``
collect them. Call ``gettext_noop`` by that name: xgettext only knows Django's keywords, so an
alias such as ``N_`` would be missed. Each string must match the source text exactly.
"""

from django.utils.translation import gettext_noop

RUNTIME_STRINGS = (
    # Indicator labels: analyses/compute.py
    gettext_noop("Poverty headcount (P0)"),
    gettext_noop("Poverty gap (P1)"),
    gettext_noop("Poverty severity (P2)"),
    gettext_noop("Gini index"),
    gettext_noop("Theil T"),
    gettext_noop("Palma ratio"),
    gettext_noop("S80/S20 ratio"),
    gettext_noop("Mean welfare per capita"),
    gettext_noop("Median welfare per capita"),
    gettext_noop("School enrolment rate"),
    gettext_noop("Health insurance coverage"),
    # Column-role labels: datasets/mapping.py (RoleSpec.label)
    gettext_noop("Weight"),
    gettext_noop("Strata"),
    gettext_noop("PSU (cluster)"),
    gettext_noop("Finite population correction"),
    gettext_noop("Welfare (per-capita expenditure or income)"),
    gettext_noop("Poverty line"),
    gettext_noop("Household id"),
    gettext_noop("Province code (kode wilayah)"),
    gettext_noop("Regency/city code (kode wilayah)"),
    gettext_noop("Urban/rural"),
    gettext_noop("Sex"),
    gettext_noop("Age (years)"),
    gettext_noop("Disability"),
    gettext_noop("Enrolled in school"),
    gettext_noop("Health insurance"),
    # Decomposition rows: analyses/compute.py
    gettext_noop("within"),
    gettext_noop("between"),
    gettext_noop("total"),
    gettext_noop("province"),
    # Column-role labels of issue 9: datasets/mapping.py
    gettext_noop("Years of schooling"),
    gettext_noop("School level attended (SD/SMP/SMA/PT)"),
    gettext_noop("Distance to school (km)"),
    gettext_noop("Outpatient visit (last month)"),
    gettext_noop("Health complaint disrupting activities"),
    gettext_noop("Health insurance scheme"),
    gettext_noop("Distance to a health facility (km)"),
    # Education and health indicators: analyses/sectors.py
    gettext_noop("Mean years of schooling, age 25+ (RLS)"),
    gettext_noop("Mean years of schooling"),
    gettext_noop("Attainment: no SD certificate (under 6 years)"),
    gettext_noop("Attainment: SD completed (6-8 years)"),
    gettext_noop("Attainment: SMP completed (9-11 years)"),
    gettext_noop("Attainment: SMA completed (12 years)"),
    gettext_noop("Attainment: PT, any tertiary (13+ years)"),
    gettext_noop("Net enrolment rate SD, age 7-12 (APM)"),
    gettext_noop("Gross enrolment rate SD, age 7-12 (APK)"),
    gettext_noop("Net enrolment rate SMP, age 13-15 (APM)"),
    gettext_noop("Gross enrolment rate SMP, age 13-15 (APK)"),
    gettext_noop("Net enrolment rate SMA, age 16-18 (APM)"),
    gettext_noop("Gross enrolment rate SMA, age 16-18 (APK)"),
    gettext_noop("Net enrolment rate PT, age 19-23 (APM)"),
    gettext_noop("Gross enrolment rate PT, age 19-23 (APK)"),
    gettext_noop("Out-of-school children, age 7-18"),
    gettext_noop("Mean distance to school, age 7-18 (km)"),
    gettext_noop("Mean distance to school (km)"),
    gettext_noop("Outpatient visit in the last month"),
    gettext_noop("Unmet need for health care"),
    gettext_noop("Insurance scheme: {name}"),
    gettext_noop("Mean distance to a health facility (km)"),
)
