"""Signing in and out, and the "my account" page with API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from hrta.web.accounts import lockout, tokens
from hrta.web.accounts.forms import LoginForm, TokenForm
from hrta.web.accounts.roles import role_label, role_of
from hrta.web.accounts.users import signed_in
from hrta.web.surveys.services import record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        address = lockout.client_address(self.request)
        lockout.clear_failures(username=user.get_username(), address=address)
        response = super().form_valid(form)
        record(action="login", user=user, detail={"address": address})
        return response


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    """Sign out (POST only, so a link or an image cannot sign anyone out)."""
    if request.user.is_authenticated:
        record(action="logout", user=request.user)
    return auth_views.LogoutView.as_view(next_page="staff:login")(request)


@login_required
@require_http_methods(["GET", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's role and API tokens; a new token is shown once, on this page."""
    user = signed_in(request)
    form = TokenForm()
    new_token = ""
    if request.method == "POST" and request.POST.get("action") == "create":
        form = TokenForm(request.POST)
        if form.is_valid():
            made, new_token = tokens.issue_token(user=user,
                                                 name=form.cleaned_data["name"])
            record(action="token_create", user=user, detail={"token": made.prefix})
            form = TokenForm()
    return render(request, "accounts/account.html", {
        "form": form, "new_token": new_token, "tokens": tokens.tokens_of(user),
        "role": role_label(role) if (role := role_of(user)) else "",
    })


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = signed_in(request)
    if tokens.revoke_token(user=user, token_id=token_id):
        record(action="token_revoke", user=user, detail={"token": token_id})
        messages.success(request, _("The token was revoked. It no longer works."))
    return redirect("staff:account")
