"""Pages of the monitoring app (catalogue, targets, forms, submissions, inbox).

Dashboards keep their own ``urls_dashboard.py``.
"""

from __future__ import annotations

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
