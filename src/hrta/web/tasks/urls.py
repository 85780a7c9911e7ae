"""Task pages, under /staff/tasks/, and asking for a report."""

from django.urls import path

from hrta.web.tasks import views

app_name = "tasks"

urlpatterns = [
    path("tasks/<uuid:job_id>/", views.page, name="page"),
    path("tasks/<uuid:job_id>/status/", views.status, name="status"),
    path("tasks/<uuid:job_id>/cancel/", views.cancel, name="cancel"),
    path("tasks/<uuid:job_id>/retry/", views.retry, name="retry"),
    path("tasks/<uuid:job_id>/result/", views.result, name="result"),
    path("waves/<slug:slug>/report/", views.report, name="report"),
]
