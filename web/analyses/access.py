"""The one access helper for analyses and reports (used by views and the API)."""

from __future__ import annotations

from typing import Any

from agencies.access import fetch

from analyses.models import Analysis, Report


def get_analysis(user: Any, pk: Any, action: str = "read") -> Analysis:
    # The stored result (its own table, read by ``analysis.result``) and the version's column
    # list are large JSON documents; they load only when a page needs them.
    queryset = Analysis.objects.select_related("owner", "dataset_version__dataset").defer(
        "dataset_version__columns", "dataset_version__validation"
    )
    return fetch(user, Analysis, pk, action, queryset)


def get_report(user: Any, pk: Any, action: str = "read") -> Report:
    queryset = Report.objects.select_related("owner", "analysis__dataset_version__dataset")
    return fetch(user, Report, pk, action, queryset)
