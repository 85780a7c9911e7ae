"""Staff pages under /staff/waves/<wave>/invitations/; an invitee's personal link under
/invite/ and their unsubscribe link under /unsubscribe/."""

from django.urls import path

from hrta.web.invitations import views

app_name = "invitations"

urlpatterns = [
    path("staff/waves/<slug:slug>/invitations/", views.invitees, name="list"),
    path("staff/waves/<slug:slug>/invitations/write/<str:kind>/", views.compose,
         name="compose"),
    path("staff/waves/<slug:slug>/invitations/cohort/<str:area>/<str:region>/",
         views.cohort, name="cohort"),
    path("staff/waves/<slug:slug>/invitations/<int:mailing_id>/retry/", views.retry,
         name="retry"),
    path("invite/<str:token>/", views.open_link, name="open"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
