"""A small region hierarchy for the monitoring tests.

Agencies: Bappenas-like national planning agency (no region), provinces 32 and 33, regencies
32.01 and 33.01, a partner (no region) and a civil-society outsider. Personas: each agency's
analyst and manager (``reg_analyst`` of 32.01, ``prov_manager`` of 32, ``other_prov`` of 33,
``nat_manager``, ``partner_analyst``, ``outsider``), plus a viewer of regency 32.01.
"""

from __future__ import annotations

from typing import Any

PASSWORD = "correct horse battery staple"
AGENCIES = {
    "nat": ("planning", ""),
    "prov32": ("regional", "32"),
    "prov33": ("regional", "33"),
    "reg3201": ("regional", "32.01"),
    "reg3301": ("regional", "33.01"),
    "partner": ("partner", ""),
    "civil": ("civil", ""),
}
PERSONAS = {
    "reg_analyst": ("reg3201", "analyst"),
    "reg_manager": ("reg3201", "manager"),
    "reg_viewer": ("reg3201", "viewer"),
    "reg33_analyst": ("reg3301", "analyst"),
    "prov_manager": ("prov32", "manager"),
    "prov_viewer": ("prov32", "viewer"),
    "other_prov": ("prov33", "manager"),
    "nat_manager": ("nat", "manager"),
    "nat_analyst": ("nat", "analyst"),
    "partner_analyst": ("partner", "analyst"),
    "outsider": ("civil", "manager"),
}


def build() -> dict[str, Any]:
    """Agencies, users, a published realisation form (regency -> province -> national) and a
    partner form (partner -> national)."""
    from agencies import actions
    from django.contrib.auth import get_user_model

    from monitoring import actions as monitoring_actions

    agencies = {
        slug: actions.create_agency(
            None, slug=f"m-{slug}", name=f"M {slug}", kind=kind, region_code=code
        )
        for slug, (kind, code) in AGENCIES.items()
    }
    users = {}
    for name, (slug, role) in PERSONAS.items():
        user = actions.create_user(None, username=f"m_{name}", password=PASSWORD, language="en")
        actions.add_member(None, agencies[slug], user, role)
        users[name] = get_user_model().objects.get(pk=user.pk)
    form = monitoring_actions.create_form(
        users["nat_analyst"],
        agencies["nat"],
        name="Bansos realisation",
        kind="realisation",
        period_type="quarterly",
        approval_levels=["regency", "province", "national"],
        programme_name="Bansos",
    )
    form.published = True
    form.save()
    partner_form = monitoring_actions.create_form(
        users["partner_analyst"],
        agencies["partner"],
        name="Partner grants",
        kind="realisation",
        period_type="annual",
        approval_levels=["partner", "national"],
    )
    partner_form.shared_with.set([agencies["nat"]])
    return {"agencies": agencies, "users": users, "form": form, "partner_form": partner_form}


def fresh(user: Any) -> Any:
    """The user loaded again (no cached roles)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(pk=user.pk)


ROWS = [
    {
        "region_code": "32.01.01",
        "budget_allocated": 1_000_000.0,
        "budget_realised": 800_000.0,
        "beneficiaries_planned": 100,
        "beneficiaries_reached": 90,
    },
    {
        "region_code": "32.01.02",
        "budget_allocated": 2_000_000.0,
        "budget_realised": 1_500_000.0,
        "beneficiaries_planned": 200,
        "beneficiaries_reached": 150,
    },
]
