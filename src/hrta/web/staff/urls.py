from django.urls import path

from hrta.web.accounts import people
from hrta.web.accounts import views as accounts
from hrta.web.staff.views import dashboard, outputs, responses, waves

app_name = "staff"

urlpatterns = [
    path("login/", accounts.LoginView.as_view(), name="login"),
    path("logout/", accounts.logout, name="logout"),
    path("account/", accounts.account, name="account"),
    path("account/tokens/<int:token_id>/revoke/", accounts.revoke, name="revoke_token"),
    path("account/password/", people.password_change, name="password"),
    path("password/<str:uidb64>/<str:token>/", people.password_link, name="password_link"),
    path("users/", people.user_list, name="users"),
    path("users/<int:user_id>/", people.user_detail, name="user"),
    path("", dashboard.home, name="home"),
    path("waves/", waves.wave_list, name="waves"),
    path("waves/new/", waves.wave_edit, name="wave_new"),
    path("waves/draft/", waves.wave_draft, name="wave_draft"),
    path("waves/<slug:slug>/edit/", waves.wave_edit, name="wave_edit"),
    path("waves/<slug:slug>/", dashboard.dashboard, name="dashboard"),
    path("waves/<slug:slug>/live/", dashboard.live, name="live"),
    path("waves/<slug:slug>/charts/<str:name>.svg", dashboard.chart, name="chart"),
    path("waves/<slug:slug>/responses/", responses.response_list, name="responses"),
    path("waves/<slug:slug>/import/", responses.import_export, name="import"),
    path("waves/<slug:slug>/downloads/", outputs.download_list, name="downloads"),
    path("waves/<slug:slug>/downloads/<str:name>", outputs.download, name="download"),
    path("waves/<slug:slug>/raffle/", outputs.raffle, name="raffle"),
    path("responses/<uuid:public_id>/", responses.response_detail, name="response"),
    path("responses/<uuid:public_id>/exclusion/", responses.exclusion, name="exclusion"),
    path("audit/", responses.audit_log, name="audit"),
    path("audit/export.<str:fmt>", responses.audit_export, name="audit_export"),
]
