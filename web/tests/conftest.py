"""Personas and a small shared world for the web tests.

Agency ``alpha`` owns a dataset, an analysis and a report; they are shared read-only with
``beta``; ``gamma`` is an outsider. Personas (healthchecks style): alpha's admin, manager,
analyst and viewer; beta's viewer (a reader through sharing); gamma's analyst (outsider).
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

PASSWORD = "correct horse battery staple"
PERSONAS = {
    "admin": ("alpha", "admin"),
    "manager": ("alpha", "manager"),
    "analyst": ("alpha", "analyst"),
    "viewer": ("alpha", "viewer"),
    "reader": ("beta", "viewer"),
    "outsider": ("gamma", "analyst"),
}


def small_survey(persons: int = 10_000, seed: int = 7) -> bytes:
    from setara.demo import generate_survey

    buffer = io.BytesIO()
    generate_survey(persons, seed=seed).write_parquet(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def survey_bytes() -> bytes:
    return small_survey()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any, survey_bytes: bytes) -> None:
    from agencies import actions
    from analyses import actions as analysis_actions
    from datasets import actions as dataset_actions

    with django_db_blocker.unblock():
        agencies = {
            slug: actions.create_agency(None, slug=slug, name=slug.title(), kind="planning")
            for slug in ("alpha", "beta", "gamma")
        }
        users = {}
        for name, (slug, role) in PERSONAS.items():
            user = actions.create_user(None, username=name, password=PASSWORD, language="en")
            actions.add_member(None, agencies[slug], user, role)
            users[name] = user
        upload = SimpleUploadedFile("survey.parquet", survey_bytes)
        version = dataset_actions.upload(
            users["analyst"], upload, agency=agencies["alpha"], name="Alpha survey"
        )
        version = dataset_actions.map_and_validate(users["analyst"], version, version.mapping)
        dataset_actions.accept(users["analyst"], version)
        analysis = analysis_actions.create(
            users["analyst"],
            version,
            dimension="economic",
            breakdowns=["province", "regency", "sex"],
            title="Alpha economic",
            run_now=True,
        )
        report = analysis_actions.create_report(
            users["analyst"], analysis, title="Alpha report", summary="Findings."
        )
        from programmes import actions as programme_actions
        from programmes.specs import template_text

        pkh = programme_actions.create(
            users["analyst"],
            agencies["alpha"],
            name="Alpha PKH",
            spec=template_text("pkh"),
            template="pkh",
        )
        pip = programme_actions.create(
            users["analyst"],
            agencies["alpha"],
            name="Alpha PIP",
            spec=template_text("pip"),
            template="pip",
        )
        simulation = programme_actions.simulate(
            users["analyst"],
            version,
            baseline=[pkh],
            scenario=[pip],
            title="Alpha simulation",
            scenario_name="pip",
            groups="female_head = head_female",
            proxies="members, urban, count(age < 15)",
            categorical="any(age < 7) or head_female",
            run_now=True,
        )
        for obj in (version.dataset, analysis, report, pkh.programme, simulation):
            actions.share(users["manager"], obj, [agencies["beta"]])


@pytest.fixture
def world(db: Any) -> dict[str, Any]:
    from agencies.models import Agency
    from analyses.models import Analysis, Report
    from datasets.models import Dataset

    dataset = Dataset.objects.get(name="Alpha survey")
    from programmes.models import Programme, Simulation

    return {
        "programme": Programme.objects.get(name="Alpha PKH"),
        "simulation": Simulation.objects.get(title="Alpha simulation"),
        "dataset": dataset,
        "version": dataset.versions.get(number=1),
        "analysis": Analysis.objects.get(title="Alpha economic"),
        "report": Report.objects.get(title="Alpha report"),
        "agencies": {a.slug: a for a in Agency.objects.all()},
    }


@pytest.fixture
def as_persona(db: Any) -> Any:
    def client_for(name: str | None) -> Client:
        client = Client()
        if name is not None:
            assert client.login(username=name, password=PASSWORD)
        return client

    return client_for
