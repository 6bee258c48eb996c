from agencies import views as agency_views
from analyses import boundaries
from analyses import views as analysis_views
from api.api import api
from audit import views as audit_views
from datasets import views as dataset_views
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from programmes import views as programme_views
from services import compare_exports
from services import views as service_views


def health(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("", agency_views.home, name="home"),
    path("health", health, name="health"),
    path("login/", agency_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", agency_views.profile, name="profile"),
    path("profile/tokens/<int:pk>/revoke", agency_views.revoke_token, name="token-revoke"),
    path("invitation/<str:secret>/", agency_views.accept_invitation, name="invitation"),
    path("agencies/", agency_views.agencies, name="agencies"),
    path("agencies/<slug:slug>/members/", agency_views.members, name="members"),
    path(
        "agencies/<slug:slug>/members/<int:pk>/", agency_views.member_update, name="member-update"
    ),
    path("audit/", audit_views.audit_list, name="audit"),
    path("audit/export.csv", audit_views.audit_export, name="audit-export"),
    path("datasets/", dataset_views.dataset_list, name="datasets"),
    path("datasets/upload/", dataset_views.upload, name="dataset-upload"),
    path("datasets/uploads/<int:pk>/", dataset_views.upload_status, name="dataset-upload-status"),
    path(
        "datasets/uploads/<int:pk>/status.json",
        dataset_views.upload_status_json,
        name="dataset-upload-status-json",
    ),
    path("datasets/<int:pk>/", dataset_views.dataset_detail, name="dataset"),
    path("datasets/<int:pk>/upload/", dataset_views.upload, name="dataset-new-version"),
    path("datasets/<int:pk>/v<int:number>/", dataset_views.version_detail, name="dataset-version"),
    path(
        "datasets/<int:pk>/v<int:number>/accept",
        dataset_views.version_accept,
        name="dataset-version-accept",
    ),
    path("analyses/", analysis_views.analysis_list, name="analyses"),
    path("analyses/new/", analysis_views.analysis_new, name="analysis-new"),
    path("analyses/<int:pk>/", analysis_views.analysis_detail, name="analysis"),
    path(
        "analyses/<int:pk>/regencies/",
        analysis_views.analysis_regencies,
        name="analysis-regencies",
    ),
    path("analyses/<int:pk>/source/", analysis_views.analysis_source, name="analysis-source"),
    path("analyses/<int:pk>/status.json", analysis_views.analysis_status, name="analysis-status"),
    path(
        "analyses/<int:pk>/export.<str:fmt>", analysis_views.analysis_export, name="analysis-export"
    ),
    path("analyses/<int:pk>/report/", analysis_views.report_new, name="report-new"),
    path("reports/<int:pk>/", analysis_views.report_detail, name="report"),
    path("reports/<int:pk>/export.<str:fmt>", analysis_views.report_export, name="report-export"),
    path("boundaries/", boundaries.boundary_list, name="boundaries"),
    path("programmes/", programme_views.programme_list, name="programmes"),
    path("programmes/new/", programme_views.programme_new, name="programme-new"),
    path("programmes/<int:pk>/", programme_views.programme_detail, name="programme"),
    path(
        "programmes/<int:pk>/v<int:number>/",
        programme_views.programme_version,
        name="programme-version",
    ),
    path("simulations/new/", programme_views.simulation_new, name="simulation-new"),
    path("simulations/<int:pk>/", programme_views.simulation_detail, name="simulation"),
    path(
        "simulations/<int:pk>/source/", programme_views.simulation_source, name="simulation-source"
    ),
    path(
        "simulations/<int:pk>/programmes/<int:version_pk>/",
        programme_views.simulation_programme,
        name="simulation-programme",
    ),
    path(
        "simulations/<int:pk>/status.json",
        programme_views.simulation_status,
        name="simulation-status",
    ),
    path(
        "simulations/<int:pk>/export.csv",
        programme_views.simulation_export,
        name="simulation-export",
    ),
    path(
        "simulations/<int:pk>/report.<str:fmt>",
        programme_views.simulation_export_as,
        name="simulation-report",
    ),
    path("services/", service_views.service_list, name="services"),
    path("services/compare/", service_views.compare, name="service-compare"),
    path(
        "services/compare/export.<str:fmt>",
        compare_exports.compare_export,
        name="service-compare-export",
    ),
    path("services/<str:kind>/upload/", service_views.upload, name="service-upload"),
    path("services/<str:kind>/new/", service_views.job_new, name="service-new"),
    path("services/files/<str:kind>/<int:pk>/", service_views.file_detail, name="service-file"),
    path("services/<str:kind>/<int:pk>/", service_views.job_detail, name="service-job"),
    path(
        "services/<str:kind>/<int:pk>/status.json",
        service_views.job_status,
        name="service-status",
    ),
    path(
        "services/<str:kind>/<int:pk>/export.<str:fmt>",
        service_views.job_export,
        name="service-export",
    ),
    path("i18n/catalog.js", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("i18n/setlang/", agency_views.switch_language, name="set_language"),
    path("monitoring/dashboard/", include("monitoring.urls_dashboard")),
    path("monitoring/", include("monitoring.urls")),
    path("api/", api.urls),
]
