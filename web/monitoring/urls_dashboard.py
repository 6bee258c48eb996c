"""Dashboard pages of the monitoring app (mounted at ``/monitoring/dashboard/``)."""

from __future__ import annotations

from django.urls import path

from monitoring import dashboard_change, dashboard_views

urlpatterns = [
    path("", dashboard_views.dashboard, name="monitoring-dashboard"),
    path("export.<str:fmt>", dashboard_views.dashboard_export, name="monitoring-dashboard-export"),
    path("compare/", dashboard_views.compare, name="monitoring-compare"),
    path("change/", dashboard_change.change_page, name="monitoring-change"),
]
