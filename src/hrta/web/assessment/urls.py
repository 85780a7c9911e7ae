from django.urls import path

from hrta.web.assessment import views

app_name = "assessment"

urlpatterns = [
    path("", views.landing, name="landing"),
    path("resume/", views.resume_form, name="resume"),
    path("resume/<str:code>/", views.resume, name="resume_code"),
    path("w/<slug:slug>/", views.wave_landing, name="wave"),
    path("w/<slug:slug>/start/", views.start, name="start"),
    path("w/<slug:slug>/page/<int:number>/", views.page, name="page"),
    path("w/<slug:slug>/saved/", views.saved, name="saved"),
    path("w/<slug:slug>/review/", views.review, name="review"),
    path("w/<slug:slug>/thanks/", views.thanks, name="thanks"),
    path("w/<slug:slug>/ineligible/", views.ineligible, name="ineligible"),
]
