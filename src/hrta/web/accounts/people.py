"""Staff accounts for admins (list, add, change role, deactivate, password links), each
user's own password, and the page a one-time password link opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from hrta.web.accounts import mailing, services
from hrta.web.accounts.forms import NewUserForm, PasswordForm, RoleForm
from hrta.web.accounts.roles import role_label, role_of
from hrta.web.accounts.users import signed_in
from hrta.web.staff.access import staff_page

MANAGE_USERS = "accounts.manage_users"


def _page(request: HttpRequest) -> str:
    """The absolute address of the password page, to which an account's id and token are
    added (now for a link shown, by the worker for one e-mailed)."""
    return request.build_absolute_uri(reverse("staff:password_link", args=["u", "t"])) \
        .removesuffix("u/t/")


def _shown_link(request: HttpRequest, made: services.ResetLink, user: User) -> str:
    """Tell how the link goes; the link itself, when shown, is returned to show once."""
    if made.queued is None:
        return made.link
    # A worker sends it: the account's page says what became of it.
    messages.success(request, _("A link to set a password is on its way to %(account)s.")
                     % {"account": user.get_username()})
    return ""


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    """Every staff account, and the form to add one."""
    admin = signed_in(request)
    form = NewUserForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                user = services.add_user(by=admin, username=data["username"],
                                         role=data["role"], email=data["email"])
            except services.AccountError as exc:
                form.add_error("username", str(exc))
            else:
                made = services.reset_link(by=admin, user=user, page=_page(request),
                                           by_email=bool(user.email))
                messages.success(request, _("The account %(account)s was added.")
                                 % {"account": user.get_username()})
                return _user_page(request, user, RoleForm(initial={"role": data["role"]}),
                                  link=_shown_link(request, made, user))
        status = 400
    users = User.objects.order_by("-is_active", "username").prefetch_related("groups")
    return render(request, "accounts/users.html", {
        "form": form, "rows": [{"user": u, "role": role_label(role_of(u))} for u in users],
    }, status=status)


def _user_page(request: HttpRequest, user: User, form: RoleForm, *, link: str = "",
               error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "accounts/user.html", {
        "person": user, "role": role_label(role_of(user)), "form": form, "link": link,
        "error": error, "self": user.pk == request.user.pk, "mailed": mailing.latest(user),
    }, status=status)


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_USERS)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    """One account: its role, deactivating or reactivating it, and a password link."""
    admin = signed_in(request)
    user = get_object_or_404(User, pk=user_id)
    form = RoleForm(initial={"role": role_of(user)})
    if request.method != "POST":
        return _user_page(request, user, form)
    action = request.POST.get("action", "")
    link = ""
    try:
        if action == "role":
            form = RoleForm(request.POST)
            if not form.is_valid():
                return _user_page(request, user, form, status=400)
            services.change_role(by=admin, user=user, role=form.cleaned_data["role"])
            messages.success(request, _("The role was changed."))
        elif action in ("deactivate", "reactivate"):
            services.set_active(by=admin, user=user, active=action == "reactivate")
            messages.success(request, _("The account can no longer sign in.")
                             if action == "deactivate" else _("The account can sign in again."))
        elif action in ("email_link", "show_link"):
            made = services.reset_link(by=admin, user=user, page=_page(request),
                                       by_email=action == "email_link")
            link = _shown_link(request, made, user)
        else:
            return _user_page(request, user, form, status=400)
    except services.AccountError as exc:
        return _user_page(request, user, form, error=str(exc), status=400)
    if link:
        # Shown on this answer only: a reload or the back button does not show it again.
        return _user_page(request, user, form, link=link)
    return redirect("staff:user", user_id=user.pk)


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    """Every signed-in user changes their own password, giving the current one."""
    user = signed_in(request)
    form = PasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(user=user, password=form.cleaned_data["password"], own=True)
        except services.AccountError as exc:
            form.add_error("password", str(exc))
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, user)  # stay signed in here, not elsewhere
            messages.success(request, _("Your password was changed."))
            return redirect("staff:account")
    return render(request, "accounts/password.html", {"form": form, "own": True},
                  status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def password_link(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The page a one-time link opens: set a new password, then sign in with it."""
    user = services.user_for_link(uidb64, token)
    if user is None:
        return render(request, "accounts/password.html", {"expired": True}, status=400)
    form = PasswordForm(request.POST or None, user=None)
    if request.method == "POST" and form.is_valid():
        try:
            services.set_password(user=user, password=form.cleaned_data["password"], own=False)
        except services.AccountError as exc:
            form.add_error("password", str(exc))
        else:
            messages.success(request, _("Your password is set. Sign in with it now."))
            return redirect("staff:login")
    return render(request, "accounts/password.html", {"form": form, "own": False,
                                                      "person": user},
                  status=400 if form.errors else 200)
