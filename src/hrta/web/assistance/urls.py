"""A respondent's plan, beside the assessment's own pages."""

from django.urls import path

from hrta.web.assistance.views import respondent

app_name = "assistance"

urlpatterns = [
    path("w/<slug:slug>/plan/", respondent.plan, name="plan"),
    path("w/<slug:slug>/plan/print/", respondent.plan_print, name="plan_print"),
    path("w/<slug:slug>/plan/ta-plan.pdf", respondent.plan_pdf, name="plan_pdf"),
    path("w/<slug:slug>/plan/ask/", respondent.ask_for_ta, name="ask"),
]
