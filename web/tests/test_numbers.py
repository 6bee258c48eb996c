"""Numbers in the reader's style: Indonesian 1.532.173 and 9,8%; English 1,532,173 and 9.8%."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from setara_web import numbers


@pytest.mark.parametrize(
    ("language", "count", "share", "index", "tick"),
    [
        ("id", "1.532.173", "9,8%", "0,3716", "0,2"),
        ("en", "1,532,173", "9.8%", "0.3716", "0.2"),
    ],
)
def test_styles(language: str, count: str, share: str, index: str, tick: str) -> None:
    assert numbers.number(1532173.4, language=language) == count
    assert numbers.percent(0.0984, language=language) == share
    assert numbers.number(0.37163, 4, language=language) == index
    assert numbers.general(0.2, language=language) == tick


def test_active_style_nests_and_missing_values() -> None:
    assert numbers.number(1234.5, 1) == "1,234.5"
    with numbers.use("id"):
        assert numbers.number(1234.5, 1) == "1.234,5"
        with numbers.use("en"):
            assert numbers.percent(0.5) == "50.0%"
        assert numbers.percent(-0.0001) == "0,0%"  # no "-0,0%"
    assert numbers.number(None) == numbers.percent(float("nan")) == numbers.MISSING


def test_dates_name_the_month_in_the_language() -> None:
    moment = datetime(2026, 8, 17, 9, 5, tzinfo=UTC)
    assert numbers.date_text(moment, language="id", time=True) == "17 Agustus 2026, 09.05"
    assert numbers.date_text(moment, language="en") == "17 August 2026"


def test_chart_formatter_follows_the_active_style() -> None:
    from analyses.dashboard import formatter

    with numbers.use("id"):
        assert formatter("percent")(0.123) == "12,3%"
        assert formatter("money")(1496116.2) == "1.496.116"
    assert formatter("index", "id")(0.25) == "0,250"


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", "n 24 < 30; RSE 57,1% > 50%; lebar SK relatif 140% > 130% (NCHS)"),
        ("en", "n 24 < 30; RSE 57.1% > 50%; relative CI width 140% > 130% (NCHS)"),
    ],
)
def test_reliability_reason_in_the_readers_words(language: str, expected: str) -> None:
    from setara_web.reasons import say_reason

    words = {"relative CI width": "lebar SK relatif"} if language == "id" else {}
    reason = "n 24 < 30; RSE 57.1% > 50%; relative CI width 140% > 130% (NCHS)"
    assert say_reason(reason, words, language=language) == expected
    assert say_reason("CI width 0.378 >= 0.3", {}, language=language).endswith(
        "0,378 ≥ 0,3" if language == "id" else "0.378 ≥ 0.3"
    )
    assert say_reason(None, words, language=language) == ""


@pytest.mark.parametrize(("language", "expected"), [("id", "+5,6 pp"), ("en", "+5.6 pp")])
def test_percentage_points_on_pages_follow_the_page_language(language: str, expected: str) -> None:
    """The ``pp`` filter (simulation and public-services tables) wrote English decimals on
    Indonesian pages."""
    from analyses.templatetags.setara_format import pp
    from django.utils import translation

    with translation.override(language):
        assert pp(0.0563) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("id", ["miskin", "perkotaan", "daerah 3T", "kab_x"]),
        ("en", ["poor", "urban", "3T regions", "kab_x"]),
    ],
)
def test_common_group_columns_are_named_in_the_page_language(
    language: str, expected: list[str]
) -> None:
    """Public-services tables showed the villages file's column names (poor, is_3t) on
    Indonesian pages."""
    from analyses.templatetags.setara_format import group_name
    from django.utils import translation

    with translation.override(language):
        assert [group_name(c) for c in ("poor", "Urban", "is_3t", "kab_x")] == expected
