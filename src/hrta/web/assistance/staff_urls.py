"""The TA center's pages, under /staff/ beside the staff app's own."""

from django.urls import path

from hrta.web.assistance.views import catalog, center, plans, requests

app_name = "ta"

urlpatterns = [
    path("plans/<uuid:public_id>/", plans.staff_plan, name="plan"),
    path("plans/<uuid:public_id>/print/", plans.staff_plan_print, name="plan_print"),
    path("plans/<uuid:public_id>/ta-plan.pdf", plans.staff_plan_pdf, name="plan_pdf"),
    path("catalog/", catalog.catalog_list, name="catalog"),
    path("catalog/new/", catalog.catalog_new, name="catalog_new"),
    path("catalog/update/", catalog.catalog_update, name="catalog_update"),
    path("catalog/<int:pk>/", catalog.catalog_edit, name="catalog_edit"),
    path("catalog/<int:pk>/retire/", catalog.catalog_retire, name="catalog_retire"),
    path("waves/<slug:slug>/demand/", center.demand, name="demand"),
    path("waves/<slug:slug>/demand/<str:key>.svg", center.demand_chart, name="demand_chart"),
    path("waves/<slug:slug>/cohorts/", center.cohorts, name="cohorts"),
    path("requests/", requests.request_list, name="requests"),
    path("requests/export.csv", requests.request_export, name="request_export"),
    path("requests/<int:pk>/", requests.request_detail, name="request"),
]
