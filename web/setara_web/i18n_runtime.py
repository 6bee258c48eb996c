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
)
