"""Pages of the monitoring app (catalogue, targets, forms, submissions, inbox).

Dashboards keep their own ``urls_dashboard.py``.
"""

from __future__ import annotations

from django.urls import path

from monitoring import views, views_submissions

urlpatterns = [
    path("", views.catalogue, name="monitoring"),
    path("indicators/new/", views.indicator_new, name="monitoring-indicator-new"),
    path("indicators/<int:pk>/", views.indicator_detail, name="monitoring-indicator"),
    path("plans/new/", views.plan_new, name="monitoring-plan-new"),
    path("plans/<int:pk>/", views.plan_detail, name="monitoring-plan"),
    path(
        "plans/<int:pk>/targets-template.<str:fmt>",
        views.targets_template,
        name="monitoring-targets-template",
    ),
    path("forms/new/", views.form_new, name="monitoring-form-new"),
    path("forms/<int:pk>/", views.form_detail, name="monitoring-form"),
    path(
        "forms/<int:pk>/template.<str:fmt>",
        views_submissions.submission_template,
        name="monitoring-form-template",
    ),
    path(
        "forms/<int:pk>/submissions/new",
        views_submissions.submission_new,
        name="monitoring-submission-new",
    ),
    path(
        "submissions/<int:pk>/",
        views_submissions.submission_detail,
        name="monitoring-submission",
    ),
    path("inbox/", views_submissions.inbox, name="monitoring-inbox"),
]
