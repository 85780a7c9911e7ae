"""The coding pages, under /staff/waves/SLUG/coding/."""

from django.urls import path

from hrta.web.coding import views

app_name = "coding"

urlpatterns = [
    path("waves/<slug:slug>/coding/", views.overview, name="overview"),
    path("waves/<slug:slug>/coding/withheld-quotes/", views.withheld_quotes,
         name="withheld"),
    path("waves/<slug:slug>/coding/<str:question>/run/", views.run, name="run"),
    path("waves/<slug:slug>/coding/<str:question>/codebook/", views.codebook,
         name="codebook"),
    path("waves/<slug:slug>/coding/<str:question>/status/", views.status, name="status"),
    path("waves/<slug:slug>/coding/<str:question>/review/", views.review, name="review"),
    path("waves/<slug:slug>/coding/<str:question>/agreement/", views.agreement,
         name="agreement"),
    path("waves/<slug:slug>/coding/<str:question>/proposals/", views.proposals,
         name="proposals"),
    path("waves/<slug:slug>/coding/<str:question>/project.qdpx", views.qdpx, name="qdpx"),
    path("waves/<slug:slug>/coding/<str:question>/import-qdpx/", views.qdpx_import,
         name="qdpx_import"),
]
