"""A staff account's password link by e-mail (asked for by an admin, or the first one a new
account gets), sent by a worker as a `message` task (hrta.web.mail.services), so a slow
mail server holds up no admin's page.

The task names only the account and the address of the password page: the account's
e-mail address is looked up, and the one-time link made, when the message is sent, so the
link is kept nowhere (hrta.web.accounts.services.password_page). It works once and for
PASSWORD_RESET_TIMEOUT seconds from then."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from hrta.web.mail.sending import Sent, send
from hrta.web.tasks.models import Job

KIND = "password_link"


def queue_password_link(*, by: User, user: User, page: str) -> Job:
    """Queue the link to the account's address; a second ask while the first waits is
    the same message."""
    from hrta.web.mail.services import queue_message

    return queue_message(kind=KIND, key=f"mail:{KIND}:{user.pk}",
                         params={"account": user.pk, "page": page}, user=by)


def send_password_link(job: Job) -> Sent:
    """Send the link a `message` Job names (on a worker, in the language of the admin who
    asked); a reason in that language when there is no longer anyone to send it to."""
    from hrta.web.accounts.services import password_page

    user = User.objects.filter(pk=job.params.get("account")).first()
    if user is None:
        raise ValueError(_("The account no longer exists."))
    if not user.is_active:
        raise ValueError(_("The account was deactivated, so its link would not work."))
    if not user.email:
        raise ValueError(_("The account no longer has an e-mail address: show the link "
                           "instead."))
    text = render_to_string("mail/password_link.txt", {
        "link": password_page(user, str(job.params["page"])), "name": user.get_username(),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)})
    subject, _blank, body = text.strip().partition("\n")
    return send(kind=KIND, to=user.email, subject=subject.strip(), body=body.strip() + "\n",
                user=job.created_by)


def latest(user: User) -> tuple[str, str] | None:
    """What became of the latest password link e-mailed to the account, for its page:
    ("info" or "warning" or "error", the words); None when none was."""
    job = (Job.objects.filter(kind=Job.Kind.MESSAGE, params__message=KIND,
                              params__account=user.pk).order_by("-created_at").first())
    if job is None or job.status == Job.Status.CANCELLED:
        return None
    if job.status == Job.Status.DONE:
        return "info", _("The latest link to set a password was sent to the account's "
                         "e-mail address.")
    if job.status == Job.Status.FAILED:
        return "error", _("The latest link to set a password could not be sent: "
                          "%(error)s") % {"error": job.message}
    return "warning", _("A link to set a password is waiting to be sent.")
