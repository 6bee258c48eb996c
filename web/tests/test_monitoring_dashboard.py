"""Dashboard pages: who sees which indicators, approved data only unless the owner asks,
unapproved rows marked, exports, bad parameters, and the change-over-time page against the
library."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.core.cache import cache
from django.test import Client
from monitoring.models import IndicatorValue, Submission
from monitoring_world import PASSWORD, build

from monitoring import actions

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture
def world() -> dict[str, Any]:
    cache.clear()  # scored frames are cached across requests
    found = build()
    users, nat = found["users"], found["agencies"]["nat"]
    make = actions.create_indicator

    def indicator(code: str, **extra: Any) -> Any:
        return make(users["nat_analyst"], nat, code=code, name_id=f"{code} id",
                    name_en=f"{code} en", unit="%", **extra)  # fmt: skip

    found["p0"] = indicator("P0", polarity="lower", source_kind="survey",
                            measure_spec="fgt:alpha=0,line=@poverty_line")  # fmt: skip
    found["budget"] = indicator("BUDGET", polarity="higher", source_kind="administrative")
    found["secret"] = indicator("SECRET", polarity="higher", source_kind="administrative")
    for key in ("p0", "budget"):
        found[key].published = True
        found[key].save()
    plan = actions.create_plan(users["nat_analyst"], nat, name="Plan", start_year=2025,
                               end_year=2029)  # fmt: skip
    plan.published = True
    plan.save()
    found["plan"] = plan
    for ind, value in ((found["p0"], 8.0), (found["budget"], 95.0), (found["secret"], 50.0)):
        actions.save_target(users["nat_analyst"], plan, ind, region_code="", year=2025,
                            target_value=value)  # fmt: skip
    IndicatorValue.objects.create(indicator=found["p0"], region_code="32", period="2024",
                                  value=9.5, ci_low=9.0, ci_high=10.0, rse=0.02)  # fmt: skip
    IndicatorValue.objects.create(indicator=found["p0"], region_code="32", period="2025",
                                  value=7.0, ci_low=6.5, ci_high=7.5, rse=0.03)  # fmt: skip
    IndicatorValue.objects.create(indicator=found["secret"], region_code="32", period="2025",
                                  value=60.0)  # fmt: skip
    reg = found["agencies"]["reg3201"]
    form = found["form"]
    accepted = Submission.objects.create(form=form, agency=reg, region_code="32.01",
                                         period="2025-Q1", state="accepted", approvals=2,
                                         locked=True)  # fmt: skip
    pending = Submission.objects.create(form=form, agency=reg, region_code="32.01",
                                        period="2025-Q2", state="submitted")  # fmt: skip
    IndicatorValue.objects.create(indicator=found["budget"], region_code="32.01",
                                  period="2025-Q1", value=90.0, submission=accepted)  # fmt: skip
    IndicatorValue.objects.create(indicator=found["budget"], region_code="32.01",
                                  period="2025-Q2", value=40.0, submission=pending)  # fmt: skip
    return found


def test_reader_sees_published_indicators_scored_with_verdict(world: dict[str, Any]) -> None:
    page = _client(world["users"]["outsider"]).get("/monitoring/dashboard/?region=32")
    assert page.status_code == 200
    card = {r["code"]: r for r in page.context["card"]}
    assert set(card) == {"P0"}  # SECRET is neither published nor shared
    p0 = card["P0"]
    assert (p0["period"], p0["value"], p0["verdict"]) == ("2025", 7.0, "met")  # CI below 8
    assert p0["achievement"] == pytest.approx((2 - 7 / 8) * 100)
    assert "met" in page.content.decode()


def test_unapproved_values_hidden_unless_the_owner_asks(world: dict[str, Any]) -> None:
    url = "/monitoring/dashboard/?region=32.01"
    owner = _client(world["users"]["nat_manager"])
    shown = {r["code"]: r for r in owner.get(url).context["card"]}
    assert (shown["BUDGET"]["period"], shown["BUDGET"]["value"]) == ("2025-Q1", 90.0)
    with_pending = owner.get(url + "&unapproved=1")
    row = {r["code"]: r for r in with_pending.context["card"]}["BUDGET"]
    assert (row["period"], row["value"], row["approved"]) == ("2025-Q2", 40.0, False)
    assert "not yet approved" in with_pending.content.decode()
    # the regency's own analyst does not own the indicator: the toggle changes nothing
    reader = _client(world["users"]["reg_analyst"]).get(url + "&unapproved=1")
    assert {r["code"]: r for r in reader.context["card"]}["BUDGET"]["value"] == 90.0
    assert not reader.context["may_include_unapproved"]


def test_an_approval_shows_at_once(world: dict[str, Any]) -> None:
    client = _client(world["users"]["nat_manager"])
    url = "/monitoring/dashboard/?region=32.01"
    assert {r["code"]: r for r in client.get(url).context["card"]}["BUDGET"]["value"] == 90.0
    pending = Submission.objects.get(period="2025-Q2")
    pending.state, pending.approvals = "approved", 1
    pending.save()
    assert {r["code"]: r for r in client.get(url).context["card"]}["BUDGET"]["value"] == 40.0


def test_ranking_of_regencies_and_trend(world: dict[str, Any]) -> None:
    client = _client(world["users"]["nat_manager"])
    page = client.get(f"/monitoring/dashboard/?region=32&indicator={world['p0'].pk}")
    assert [r["region_code"] for r in page.context["ranking"]] == ["32.01"]
    assert page.context["ranking"][0]["mean_achievement"] == pytest.approx(90 / 95 * 100)
    assert "<polygon" in page.context["charts"]["trend"]  # the CI band of 2024-2025
    national = client.get("/monitoring/dashboard/?region=")
    assert "setara-region" in national.context["charts"]["map"]


@pytest.mark.parametrize(
    "url",
    [
        "/monitoring/dashboard/?region=99.99",
        "/monitoring/dashboard/?region=abc",
        "/monitoring/dashboard/?plan=999999",
        "/monitoring/dashboard/?indicator=999999",
        "/monitoring/dashboard/export.docx",
        "/monitoring/dashboard/compare/?regions=32,xx",
        "/monitoring/dashboard/change/?by=regency",
    ],
)
def test_bad_parameters_are_not_found(world: dict[str, Any], url: str) -> None:
    assert _client(world["users"]["nat_manager"]).get(url).status_code == 404


def test_secret_indicator_cannot_be_chosen_by_outsider(world: dict[str, Any]) -> None:
    url = f"/monitoring/dashboard/?region=32&indicator={world['secret'].pk}"
    assert _client(world["users"]["outsider"]).get(url).status_code == 404
    assert _client(world["users"]["nat_manager"]).get(url).status_code == 200


def test_login_required() -> None:
    assert Client().get("/monitoring/dashboard/").status_code == 302


def test_exports(world: dict[str, Any]) -> None:
    client = _client(world["users"]["nat_manager"])
    csv = client.get("/monitoring/dashboard/export.csv?region=32").content.decode()
    assert csv.splitlines()[0].startswith("code,name,unit,region_code,period,value")
    assert any(line.startswith("P0,") and ",met," in line for line in csv.splitlines())
    xlsx = client.get("/monitoring/dashboard/export.xlsx?region=32")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames[:2] == ["About", "Score card"]
    rows = list(book["Score card"].values)
    assert rows[0][0] == "code" and {r[0] for r in rows[1:]} == {"P0", "SECRET"}
    pdf = client.get("/monitoring/dashboard/export.pdf?region=32")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_indonesian_numbers_on_the_page(world: dict[str, Any]) -> None:
    client = _client(world["users"]["nat_manager"])
    client.post("/i18n/setlang/", {"language": "id"})
    text = client.get("/monitoring/dashboard/?region=32").content.decode()
    assert "7,00%" in text and "112,5%" in text  # value and (2 - 7/8) * 100 in Indonesian
