"""The audit trail: every change (answers, exclusions, codes, TA requests, accounts, waves,
settings) and every export and download is recorded with who, when, what and from where,
through the same pages and commands people use; the log is append-only in the app and in
the database, outlives the users and waves it names, and goes out as CSV, JSON and JSON
lines (staff page, `hrta audit-log export`, HRTA_AUDIT_LOG)."""

from __future__ import annotations

import csv
import inspect
import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone

from hrta.demo.generator import synthetic_responses
from hrta.exports import write_surveymonkey_csv
from hrta.web.assistance.models import CatalogEntry, TARequest
from hrta.web.assistance.services import request_ta
from hrta.web.audit import client_address
from hrta.web.coding.models import CodingRun, ProposedTheme
from hrta.web.contacts.services import save_contact
from hrta.web.surveys.models import AppendOnlyError, AuditEntry, Wave
from hrta.web.surveys.services import record
from tests.web import respondents
from tests.web.conftest import make_user
from tests.web.mailserver import closed_port, sending_to
from tests.web.staffdata import add_response, post, signed_in
from tests.web.tasking import empty_queue, work_queue
from tests.web.test_assistance_web import RICH, submit

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct-horse-battery"
FULL = {**RICH, "challenges": "Stigma from the county board; no money for staff."}


@dataclass
class Done:
    """What an action's entry must say: who did it, and from which address."""

    username: str = ""
    address: str = ""
    via: str = "web"
    wave: str = ""
    response: bool = False
    detail: tuple[str, ...] = ()
    extra: dict[str, object] = field(default_factory=dict)


# --- staff on the web ------------------------------------------------------------------------

_addresses = iter(range(10, 250))


def _address() -> str:
    # Each case its own documentation address, so sign-in failures in one never lock another.
    return f"198.51.100.{next(_addresses)}"


def _staff(role: str) -> tuple[Client, object, str]:
    client, user = signed_in(role)
    address = _address()
    client.defaults["REMOTE_ADDR"] = address
    return client, user, address


def _login(wave: Wave) -> Done:
    user = make_user("viewer", password=PASSWORD)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="2001:db8::17")
    client.get("/staff/login/")
    reply = post(client, "/staff/login/", {"username": user.username, "password": PASSWORD})
    assert reply.status_code == 302
    return Done(user.username, "2001:db8::17")


def _failed_logins(until: str) -> Done:
    address = f"2001:db8::{next(_addresses):x}"
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
    client.get("/staff/login/")
    name = f"nobody-{address.replace(':', '')}"
    for _try in range(40):
        post(client, "/staff/login/", {"username": name, "password": "wrong-password-here"})
        if AuditEntry.objects.filter(action=until, address=address).exists():
            break
    return Done("", address, detail=("username",))


def _logout(wave: Wave) -> Done:
    client, user, address = _staff("viewer")
    assert post(client, "/staff/logout/").status_code == 302
    return Done(user.username, address)


def _token_create(wave: Wave) -> Done:
    client, user, address = _staff("viewer")
    assert post(client, "/staff/account/", {"action": "create", "name": "sheets"}
                ).status_code == 200
    return Done(user.username, address, detail=("token",))


def _token_revoke(wave: Wave) -> Done:
    client, user, address = _staff("viewer")
    post(client, "/staff/account/", {"action": "create", "name": "sheets"})
    token = user.api_tokens.get()
    assert post(client, f"/staff/account/tokens/{token.pk}/revoke/").status_code == 302
    return Done(user.username, address, detail=("token",))


def _account(action: str) -> Callable[[Wave], Done]:
    """An admin manages another account on the Accounts pages."""
    def act(wave: Wave) -> Done:
        client, user, address = _staff("admin")
        if action == "user_add":
            reply = post(client, "/staff/users/", {"username": f"web-{wave.slug}",
                                                   "email": "", "role": "viewer"})
            assert reply.status_code == 200, reply.content[:500]
            return Done(user.username, address, detail=("account", "role"))
        other = make_user("viewer")
        url = f"/staff/users/{other.pk}/"
        if action == "user_reactivate":
            post(client, url, {"action": "deactivate"})
        form = {"user_role": {"action": "role", "role": "analyst"},
                "user_deactivate": {"action": "deactivate"},
                "user_reactivate": {"action": "reactivate"},
                "password_link": {"action": "show_link"}}[action]
        assert post(client, url, form).status_code in (200, 302)
        return Done(user.username, address, detail=("account",))
    return act


def _password(action: str) -> Callable[[Wave], Done]:
    """A user changes their own password, or sets one through an admin's link."""
    def act(wave: Wave) -> Done:
        new = "plum-orchard-lantern-7"
        if action == "password_change":
            client, user, address = _staff("viewer")
            user.set_password(PASSWORD)
            user.save()
            client.force_login(user)
            reply = post(client, "/staff/account/password/",
                         {"current": PASSWORD, "password": new, "again": new})
            assert reply.status_code == 302, reply.content[:500]
            return Done(user.username, address, detail=("account",))
        admin, _boss, _where = _staff("admin")
        user = make_user("viewer")
        page = post(admin, f"/staff/users/{user.pk}/", {"action": "show_link"})
        link = re.search(r"(/staff/password/[^\s<]+/)", page.content.decode()).group(1)
        address = _address()
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR=address)
        client.get(link)
        assert post(client, link, {"password": new, "again": new}).status_code == 302
        return Done(user.username, address, detail=("account",))
    return act


def _wave_create(wave: Wave) -> Done:
    client, user, address = _staff("admin")
    slug = f"{wave.slug}-new"
    reply = post(client, "/staff/waves/new/", {
        "slug": slug, "title": "Autumn", "instrument_id": wave.instrument_id, "accepting": "on"})
    assert reply.status_code == 302, reply.content[:500]
    return Done(user.username, address, wave=slug, detail=("title",))


def _wave_change(wave: Wave) -> Done:
    client, user, address = _staff("admin")
    reply = post(client, f"/staff/waves/{wave.slug}/edit/", {
        "title": "Renamed", "instrument_id": wave.instrument_id})
    assert reply.status_code == 302, reply.content[:500]
    return Done(user.username, address, wave=wave.slug, detail=("title", "accepting"))


def _import(wave: Wave, tmp_path: Path) -> Done:
    client, user, address = _staff("analyst")
    path = tmp_path / "export.csv"
    write_surveymonkey_csv(path, synthetic_responses(wave.instrument, 12, seed=5))
    reply = post(client, f"/staff/waves/{wave.slug}/import/",
                 {"file": SimpleUploadedFile("spring.csv", path.read_bytes())})
    assert reply.status_code == 302, reply.content[:500]
    return Done(user.username, address, wave=wave.slug, detail=("file", "responses"))


def _exclusion(action: str) -> Callable[[Wave], Done]:
    def act(wave: Wave) -> Done:
        client, user, address = _staff("analyst")
        response = add_response(wave, RICH)
        url = f"/staff/responses/{response.public_id}/exclusion/"
        if action == "include":
            post(client, url, {"action": "exclude", "reason": "A test entry"})
        assert post(client, url, {"action": action, "reason": "Checked"}).status_code == 302
        return Done(user.username, address, wave=wave.slug, response=True)
    return act


def _download(wave: Wave) -> Done:
    client, user, address = _staff("viewer")
    add_response(wave, RICH)
    assert client.get(f"/staff/waves/{wave.slug}/downloads/responses.csv").status_code == 200
    return Done(user.username, address, wave=wave.slug, detail=("file",))


def _download_api(wave: Wave) -> Done:
    from hrta.web.accounts.tokens import issue_token

    _client, user, address = _staff("viewer")
    _made, secret = issue_token(user=user, name="sheets")
    reply = Client(REMOTE_ADDR=address).get(f"/api/waves/{wave.slug}/findings",
                                            HTTP_AUTHORIZATION=f"Token {secret}")
    assert reply.status_code == 200
    return Done(user.username, address, via="api", wave=wave.slug, detail=("file", "via"))


def _download_plan(wave: Wave) -> Done:
    client, user, address = _staff("analyst")
    response = add_response(wave, RICH)
    assert client.get(f"/staff/plans/{response.public_id}/ta-plan.pdf").status_code == 200
    return Done(user.username, address, wave=wave.slug, response=True, detail=("file",))


def _entrant(wave: Wave) -> None:
    response = add_response(wave, RICH)
    assert save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Rita", "raffle_email": "rita@example.org"}) == {}


def _raffle_draw(wave: Wave) -> Done:
    _entrant(wave)
    client, user, address = _staff("admin")
    assert post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"}
                ).status_code == 200
    return Done(user.username, address, wave=wave.slug, detail=("entry",))


def _raffle_show(wave: Wave) -> Done:
    _entrant(wave)
    client, user, address = _staff("admin")
    post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"})
    entry = AuditEntry.objects.filter(wave_slug=wave.slug, action="raffle_draw").latest("id")
    post(client, f"/staff/waves/{wave.slug}/raffle/",
         {"action": "show", "entry": str(entry.detail["entry"])})
    return Done(user.username, address, wave=wave.slug, detail=("entry",))


def _coded(wave: Wave) -> tuple[Client, object, str, CodingRun]:
    """A wave whose open-ended answers were coded by a run started with the page's button."""
    for text in ("No funding for staff.", "Stigma from the board.", "The county blocks us."):
        add_response(wave, {**RICH, "challenges": text})
    client, user, address = _staff("analyst")
    empty_queue()  # the worker below takes this test's run only
    reply = post(client, f"/staff/waves/{wave.slug}/coding/challenges/run/")
    assert reply.status_code == 302
    assert work_queue() == 1  # the run waits in the task queue, as `hrta worker` takes it
    deadline = time.monotonic() + 120
    while (run := CodingRun.objects.get(wave=wave, question="challenges")).status not in (
            CodingRun.Status.DONE, CodingRun.Status.FAILED):
        assert time.monotonic() < deadline, "the coding run did not finish"
        time.sleep(0.2)
    assert run.status == CodingRun.Status.DONE, run.message
    return client, user, address, run


def _coding_run(wave: Wave) -> Done:
    _client, user, address, _run = _coded(wave)
    return Done(user.username, address, wave=wave.slug, detail=("question",))


def _coding_code(wave: Wave) -> Done:
    client, user, address, run = _coded(wave)
    first = run.suggestions.exclude(status="uncodable").order_by("position").first()
    reply = post(client, f"/staff/waves/{wave.slug}/coding/challenges/review/",
                 {"at": str(first.position), "themes": [run.themes[0]]})
    assert reply.status_code == 302
    return Done(user.username, address, wave=wave.slug, response=True,
                detail=("question", "themes"))


def _coding_theme_added(wave: Wave) -> Done:
    client, user, address, _run = _coded(wave)
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/proposals/",
         {"label": "Zoning and permits"})
    return Done(user.username, address, wave=wave.slug, detail=("question", "theme"))


def _coding_proposal_dismissed(wave: Wave) -> Done:
    client, user, address, run = _coded(wave)
    proposal = ProposedTheme.objects.create(run=run, size=2, representatives=[], words=[])
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/proposals/",
         {"proposal": str(proposal.pk), "action": "dismiss"})
    return Done(user.username, address, wave=wave.slug, detail=("question", "proposal"))


def _quote_released(wave: Wave) -> Done:
    add_response(wave, {"services_direct": ("other", "Officer Smith drives our van")})
    client, user, address = _staff("analyst")
    reply = post(client, f"/staff/waves/{wave.slug}/coding/withheld-quotes/",
                 {"quote": "services_direct-other-1"})
    assert reply.status_code == 302
    return Done(user.username, address, wave=wave.slug, detail=("quote",))


def _coding_codebook_uploaded(wave: Wave) -> Done:
    client, user, address = _staff("analyst")
    book = ("question: challenges\nthemes:\n"
            "  - {id: funding, label: Funding, examples: [no money for staff]}\n")
    reply = post(client, f"/staff/waves/{wave.slug}/coding/challenges/codebook/",
                 {"codebook": SimpleUploadedFile("ours.yaml", book.encode())})
    assert reply.status_code == 302
    return Done(user.username, address, wave=wave.slug, detail=("question", "file", "themes"))


def _catalog_form(key: str, **fields: object) -> dict[str, object]:
    return {"id": key, "title": "Office hours", "publisher": "Our TA center",
            "format": "small_group", "topics": ["funding"], "communities": ["rural"],
            "link": "", "year": "", "last_reviewed": "", "notes": "", **fields}


def _catalog(action: str) -> Callable[[Wave], Done]:
    def act(wave: Wave) -> Done:
        client, user, address = _staff("analyst")
        key = f"audit_{wave.pk}"
        if action == "catalog_update":
            assert post(client, "/staff/catalog/update/").status_code == 302
            return Done(user.username, address, detail=("added", "updated"))
        assert post(client, "/staff/catalog/new/", _catalog_form(key)).status_code == 302
        entry = CatalogEntry.objects.get(resource_id=key)
        if action == "catalog_change":
            post(client, f"/staff/catalog/{entry.pk}/", _catalog_form(key, title="Hours"))
        if action in ("catalog_retire", "catalog_restore"):
            post(client, f"/staff/catalog/{entry.pk}/retire/", {"action": "retire",
                                                                 "reason": "Ended"})
        if action == "catalog_restore":
            post(client, f"/staff/catalog/{entry.pk}/retire/", {"action": "restore"})
        return Done(user.username, address, detail=("entry",))
    return act


def _ta_request(wave: Wave) -> TARequest:
    response = add_response(wave, RICH)
    return request_ta(response=response, areas=["funding"], message="Grants", name="Ana",
                      email="ana@example.org", may_contact=True)


def _ta_request_update(wave: Wave) -> Done:
    request = _ta_request(wave)
    client, user, address = _staff("analyst")
    reply = post(client, f"/staff/requests/{request.pk}/", {
        "status": "received", "on": timezone.localdate().isoformat(), "note": "Called them"})
    assert reply.status_code == 302, reply.content[:500]
    return Done(user.username, address, wave=wave.slug, response=True,
                detail=("request", "status"))


def _ta_requests_export(wave: Wave) -> Done:
    _ta_request(wave)
    client, user, address = _staff("analyst")
    assert client.get("/staff/requests/export.csv").status_code == 200
    return Done(user.username, address, detail=("requests",))


def _ta_contacts_view(wave: Wave) -> Done:
    request = _ta_request(wave)
    client, user, address = _staff("admin")
    assert post(client, f"/staff/requests/{request.pk}/", {"action": "contacts"}
                ).status_code == 200
    return Done(user.username, address, wave=wave.slug, response=True, detail=("request",))


def _audit_export(wave: Wave) -> Done:
    client, user, address = _staff("analyst")
    assert client.get("/staff/audit/export.json").status_code == 200
    return Done(user.username, address, detail=("format",))


# --- respondents: recorded, but their address is never kept --------------------------------

def _respondent(until: str) -> Callable[[Wave], Done]:
    def act(wave: Wave) -> Done:
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
        submit(client, wave, RICH)
        if until == "contact_save":
            reply = respondents.post(client, f"/w/{wave.slug}/thanks/", {
                "raffle_opt_in": "yes", "raffle_name": "Rita", "raffle_email": "r@example.org"})
            assert reply.status_code in (200, 302)
        if until == "ta_request":
            reply = respondents.post(client, f"/w/{wave.slug}/plan/ask/", {
                "areas": ["funding"], "email": "a@example.org", "name": "Ana"})
            assert reply.status_code == 302
        return Done("", "", wave=wave.slug, response=True)
    return act


def _email(action: str) -> Callable[[Wave], Done]:
    """A respondent e-mails their resume link to themselves: through a mail server that
    takes it, or through one that is not there."""
    def act(wave: Wave) -> Done:
        client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
        respondents.reach(client, wave, 2)
        empty_queue()  # the worker below sends this message only
        with sending_to(closed_port()) if action == "email_failed" else nullcontext():
            respondents.post(client, f"/w/{wave.slug}/saved/",
                             {"action": "email_link", "email": "ana@example.org"})
            work_queue()  # the worker sends it, and records what became of it
        return Done("", "", via="cli", wave=wave.slug, response=True, detail=("kind",))
    return act


def _invitees_add(wave: Wave) -> Done:
    client, user, address = _staff("admin")
    reply = post(client, f"/staff/waves/{wave.slug}/invitations/",
                 {"pasted": "Harbor,harbor@example.org\nbad,not-an-address"})
    assert reply.status_code == 200
    return Done(user.username, address, wave=wave.slug, detail=("source", "added", "left_out"))


def _mailing_queue(wave: Wave) -> Done:
    client, user, address = _staff("admin")
    post(client, f"/staff/waves/{wave.slug}/invitations/", {"pasted": "h@example.org"})
    reply = post(client, f"/staff/waves/{wave.slug}/invitations/write/invitation/",
                 {"subject": "Join", "body": "{link}", "action": "send"})
    assert reply.status_code == 302
    empty_queue()  # sent by tests/web/test_invitations.py; here only its queueing
    return Done(user.username, address, wave=wave.slug, detail=("kind", "recipients"))


def _invitation_unsubscribe(wave: Wave) -> Done:
    from hrta.web.invitations.services import unsubscribe_token

    token = unsubscribe_token(address_digest="0" * 64, wave_slug=wave.slug)
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR="203.0.113.9")
    reply = respondents.post(client, f"/unsubscribe/{token}/", {"scope": "wave"})
    assert reply.status_code == 302
    return Done("", "", wave=wave.slug, detail=("scope",))


# --- commands run as a person runs them ------------------------------------------------------

def hrta(*args: str, stdin: str = "", env: dict[str, str] | None = None
         ) -> subprocess.CompletedProcess[str]:
    """The real `hrta` command in a fresh process, on this session's databases."""
    return subprocess.run([sys.executable, "-m", "hrta.cli", *args], input=stdin,
                          capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})})


def _user_command(action: str) -> Callable[[Wave], Done]:
    def act(wave: Wave) -> Done:
        name = f"cli-{wave.slug}"
        times = 2 if action == "user_change" else 1
        for _time in range(times):
            done = hrta("user", "add", name, "--role", "viewer", "--password-stdin",
                        stdin=PASSWORD + "\n")
            assert done.returncode == 0, done.stderr
        return Done(via="cli", detail=("account", "role", "os_user"))
    return act


def _unlock_command(wave: Wave) -> Done:
    user = make_user("viewer", password=PASSWORD)
    done = hrta("user", "unlock", user.username)
    assert done.returncode == 0, done.stderr
    return Done(via="cli", detail=("account", "os_user"))


def _settings_change(wave: Wave) -> Done:
    done = hrta("migrate", env={"HRTA_SUPPRESS_BELOW": "9"})
    assert done.returncode == 0, done.stderr
    return Done(via="cli", detail=("settings", "changed", "os_user"),
                extra={"changed": "SUPPRESS_BELOW"})


def _audit_export_command(wave: Wave, tmp_path: Path) -> Done:
    done = hrta("audit-log", "export", "-o", str(tmp_path / "audit.csv"))
    assert done.returncode == 0, done.stderr
    return Done(via="cli", detail=("format", "os_user"))


def _backup_command(wave: Wave, tmp_path: Path) -> Done:
    done = hrta("backup", str(tmp_path / "backup"), "--key-dir", str(tmp_path / "keys"))
    assert done.returncode == 0, done.stderr
    return Done(via="cli", detail=("folder", "os_user"))


CASES: dict[str, tuple[str, Callable[..., Done]]] = {
    "login": ("login", _login),
    "login_failed": ("login_failed", lambda wave: _failed_logins("login_failed")),
    "lockout": ("lockout", lambda wave: _failed_logins("lockout")),
    "login_refused_locked": ("login_refused_locked",
                             lambda wave: _failed_logins("login_refused_locked")),
    "logout": ("logout", _logout),
    "token_create": ("token_create", _token_create),
    "token_revoke": ("token_revoke", _token_revoke),
    "user_add_web": ("user_add", _account("user_add")),
    "user_role": ("user_role", _account("user_role")),
    "user_deactivate": ("user_deactivate", _account("user_deactivate")),
    "user_reactivate": ("user_reactivate", _account("user_reactivate")),
    "password_link": ("password_link", _account("password_link")),
    "password_change": ("password_change", _password("password_change")),
    "password_set": ("password_set", _password("password_set")),
    "wave_create": ("wave_create", _wave_create),
    "wave_change": ("wave_change", _wave_change),
    "import": ("import", _import),
    "exclude": ("exclude", _exclusion("exclude")),
    "include": ("include", _exclusion("include")),
    "download": ("download", _download),
    "download_api": ("download", _download_api),
    "download_plan_pdf": ("download", _download_plan),
    "raffle_draw": ("raffle_draw", _raffle_draw),
    "raffle_show": ("raffle_show", _raffle_show),
    "coding_run": ("coding_run", _coding_run),
    "coding_code": ("coding_code", _coding_code),
    "coding_theme_added": ("coding_theme_added", _coding_theme_added),
    "coding_proposal_dismissed": ("coding_proposal_dismissed", _coding_proposal_dismissed),
    "coding_codebook_uploaded": ("coding_codebook_uploaded", _coding_codebook_uploaded),
    "quote_released": ("quote_released", _quote_released),
    "catalog_add": ("catalog_add", _catalog("catalog_add")),
    "catalog_change": ("catalog_change", _catalog("catalog_change")),
    "catalog_retire": ("catalog_retire", _catalog("catalog_retire")),
    "catalog_restore": ("catalog_restore", _catalog("catalog_restore")),
    "catalog_update": ("catalog_update", _catalog("catalog_update")),
    "ta_request_update": ("ta_request_update", _ta_request_update),
    "ta_requests_export": ("ta_requests_export", _ta_requests_export),
    "ta_contacts_view": ("ta_contacts_view", _ta_contacts_view),
    "audit_export": ("audit_export", _audit_export),
    "response_start": ("response_start", _respondent("response_start")),
    "answers_save": ("answers_save", _respondent("answers_save")),
    "response_submit": ("response_submit", _respondent("response_submit")),
    "contact_save": ("contact_save", _respondent("contact_save")),
    "ta_request": ("ta_request", _respondent("ta_request")),
    "email_sent": ("email_sent", _email("email_sent")),
    "email_failed": ("email_failed", _email("email_failed")),
    "invitees_add": ("invitees_add", _invitees_add),
    "mailing_queue": ("mailing_queue", _mailing_queue),
    "invitation_unsubscribe": ("invitation_unsubscribe", _invitation_unsubscribe),
    "user_add": ("user_add", _user_command("user_add")),
    "user_change": ("user_change", _user_command("user_change")),
    "unlock": ("unlock", _unlock_command),
    "settings": ("settings", _settings_change),
    "audit_export_command": ("audit_export", _audit_export_command),
    "backup": ("backup", _backup_command),
}
# Recorded elsewhere than through a page or a command run here.
ELSEWHERE = {
    "import_dedupe": "written by a migration (surveys 0002) when it removes doubled imports",
    "restore": "recorded in the restored database: tests/web/test_backup_drill.py",
    "coding_qdpx_imported": "a coded REFI-QDA project uploaded: "
                            "tests/web/test_coding_qdpx_web.py",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_change_and_download_is_recorded(case, wave, tmp_path):
    action, act = CASES[case]
    last = AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    started = timezone.now()
    done = act(wave, tmp_path) if "tmp_path" in inspect.signature(act).parameters else act(wave)
    found = AuditEntry.objects.filter(pk__gt=last, action=action)
    if done.address:
        found = found.filter(address=done.address)
    entry = found.order_by("-id").first()
    assert entry is not None, f"no {action!r} entry"
    assert started - timedelta(seconds=1) <= entry.at <= timezone.now()  # when
    assert entry.username == done.username  # who, as text
    if done.username:
        assert entry.user.get_username() == done.username
    assert entry.via == done.via  # how it came in
    assert entry.address == done.address  # from where
    for key in done.detail:  # what
        assert key in entry.detail, (key, entry.detail)
    for key, value in done.extra.items():
        assert value in entry.detail[key]
    if done.via == "cli":
        assert re.fullmatch(r".+@.+", entry.detail["os_user"])  # who ran the command
    if done.wave:
        assert entry.wave_slug == done.wave
    if done.response:
        assert entry.response_ref.startswith("W-") and entry.response_id is not None
    if not done.username and done.via == "web" and done.response:
        # A respondent: the address they came from is kept nowhere in the entry.
        assert "203.0.113.9" not in json.dumps(AuditEntry.objects.filter(pk=entry.pk)
                                               .values().get(), default=str)


def _recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in (ROOT / "src/hrta/web").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r'action\s*=\s*"(\w+)"(?:\s+if\s+[^"\n]+\s+else\s+"(\w+)")?',
                                 text):
            found.update(name for name in match.groups() if name)
    return found


def test_the_cases_above_cover_every_action_the_code_records():
    recorded = _recorded_actions()
    covered = {action for action, _act in CASES.values()}
    assert recorded - covered - set(ELSEWHERE) == set()
    assert covered - recorded == set()


def test_docs_name_every_action():
    docs = "".join((ROOT / "docs" / name).read_text(encoding="utf-8")
                   for name in ("web.md", "assistance.md"))
    missing = {name for name in _recorded_actions() | set(ELSEWHERE) if f"`{name}`" not in docs}
    assert not missing


# --- append-only ------------------------------------------------------------------------------

def test_the_app_has_no_way_to_change_or_delete_an_entry(wave):
    entry = record(action="wave_change", wave=wave, detail={"title": "x"})
    entry.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["reason"])
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(reason="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["reason"])
    # A new entry made with an existing entry's id is an insert, refused: never a replace.
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditEntry(pk=entry.pk, action="forged").save()
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.parametrize("statement", [
    "UPDATE surveys_auditentry SET reason = 'rewritten' WHERE id = %s",
    "DELETE FROM surveys_auditentry WHERE id = %s",
])
def test_the_database_refuses_update_and_delete(wave, statement):
    entry = record(action="wave_change", wave=wave, detail={"title": "x"})
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement, [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).reason == ""


def test_the_database_refuses_emptying_the_table(wave):
    # SQLite has no TRUNCATE: there "DELETE FROM" without WHERE is the same statement.
    statement = "TRUNCATE surveys_auditentry" if connection.vendor == "postgresql" else \
        "DELETE FROM surveys_auditentry"
    record(action="wave_change", wave=wave)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute(statement)
    assert AuditEntry.objects.exists()


def test_deleting_a_user_or_a_wave_leaves_their_entries_as_written(wave):
    user = make_user("analyst", password=PASSWORD)
    name = user.username
    gone = Wave.objects.create(slug=f"{wave.slug}-gone", title="Made by mistake")
    entry = record(action="wave_create", user=user, wave=gone, detail={"title": gone.title})
    user.delete()
    gone.delete()
    kept = AuditEntry.objects.filter(pk=entry.pk).values().get()
    assert (kept["username"], kept["wave_slug"]) == (name, f"{wave.slug}-gone")
    assert kept["user_id"] is not None and kept["wave_id"] is not None  # never rewritten
    client, _user = signed_in("analyst")
    page = client.get(f"/staff/audit/?wave={wave.slug}-gone").content.decode()
    assert name in page and "wave_create" in page


# --- where a request comes from --------------------------------------------------------------

def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    factory = RequestFactory()
    forged = factory.get("/", REMOTE_ADDR="203.0.113.5",
                         HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert client_address(forged) == "203.0.113.5"
    proxied = factory.get("/", REMOTE_ADDR="10.0.0.2",
                          HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.7, 10.0.0.3")
    with override_settings(HRTA_TRUSTED_PROXIES=["10.0.0.0/24"]):
        # Read from the right: the first hop that is not a trusted proxy is the client.
        assert client_address(proxied) == "203.0.113.7"
        assert client_address(factory.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
        garbled = factory.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip")
        assert client_address(garbled) == "10.0.0.2"
    with override_settings(HRTA_TRUSTED_PROXIES="10.0.0.2, 10.0.0.3"):
        assert client_address(proxied) == "203.0.113.7"
    assert client_address(factory.get("/", REMOTE_ADDR="")) == ""


def test_a_request_through_a_trusted_proxy_is_recorded_with_the_client_address(wave):
    client, user = signed_in("viewer")
    add_response(wave, RICH)
    with override_settings(HRTA_TRUSTED_PROXIES=["127.0.0.1"]):
        client.get(f"/staff/waves/{wave.slug}/downloads/findings.json", REMOTE_ADDR="127.0.0.1",
                   HTTP_X_FORWARDED_FOR="192.0.2.44")
    entry = AuditEntry.objects.filter(wave=wave, action="download").latest("id")
    assert (entry.username, entry.address) == (user.username, "192.0.2.44")


# --- going out -------------------------------------------------------------------------------

def test_staff_export_as_csv_and_json(wave):
    client, user = signed_in("analyst")
    response = add_response(wave, RICH)
    url = f"/staff/responses/{response.public_id}/exclusion/"
    post(client, url, {"action": "exclude", "reason": '=HYPERLINK("http://x.example")'})
    page = client.get(f"/staff/audit/?wave={wave.slug}").content.decode()
    assert f'/staff/audit/export.csv?wave={wave.slug}"' in page
    reply = client.get(f"/staff/audit/export.csv?wave={wave.slug}&action=exclude")
    assert reply.status_code == 200 and reply["Content-Type"].startswith("text/csv")
    assert reply["Content-Disposition"].startswith('attachment; filename="hrta-audit-')
    rows = list(csv.DictReader(io.StringIO(b"".join(reply.streaming_content).decode())))
    assert len(rows) == 1
    assert rows[0]["reason"] == "'" + '=HYPERLINK("http://x.example")'  # never run
    assert (rows[0]["username"], rows[0]["action"], rows[0]["wave"]) == (
        user.username, "exclude", wave.slug)
    assert rows[0]["response"].startswith("W-") and rows[0]["address"] == "127.0.0.1"
    assert str(response.public_id) not in rows[0]["response"]  # the id that keys contacts
    reply = client.get(f"/staff/audit/export.json?wave={wave.slug}")
    entries = json.loads(b"".join(reply.streaming_content))
    assert [e["action"] for e in entries][-1] == "exclude"  # oldest first
    assert {"id", "at", "username", "address", "via", "action", "wave", "response", "reason",
            "detail"} == set(entries[0])
    exported = AuditEntry.objects.filter(action="audit_export", user=user)
    assert exported.count() == 2 and exported.latest("id").detail["format"] == "json"
    viewer, _ = signed_in("viewer")
    assert viewer.get("/staff/audit/export.csv").status_code == 403
    assert client.get("/staff/audit/export.xml").status_code == 404


def test_command_export_as_json_lines(wave, tmp_path):
    record(action="wave_change", wave=wave, reason="Checked", detail={"title": "ü"})
    out = tmp_path / "audit.jsonl"
    done = hrta("audit-log", "export", "-o", str(out), "--wave", wave.slug)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["reason"], e["detail"]) for e in lines] == [
        ("wave_change", "Checked", {"title": "ü", "os_user": lines[0]["detail"]["os_user"]})]
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    bad = hrta("audit-log", "export", "-o", str(tmp_path / "audit.xml"))
    assert bad.returncode == 2 and "unknown format 'xml'" in bad.stderr
    assert "Traceback" not in bad.stderr and not (tmp_path / "audit.xml").exists()
    day = hrta("audit-log", "export", "-o", str(tmp_path / "a.csv"), "--since", "yesterday")
    assert day.returncode == 2 and "YYYY-MM-DD" in day.stderr


def test_entries_are_appended_to_a_json_lines_file_once_committed(wave, tmp_path):
    path = tmp_path / "audit.jsonl"
    with override_settings(AUDIT_LOG_FILE=str(path)):
        with transaction.atomic():
            record(action="wave_change", wave=wave, detail={"title": "kept"})
            assert not path.exists() or path.read_text() == ""  # not before the commit
        with pytest.raises(RuntimeError), transaction.atomic():
            record(action="wave_change", wave=wave, detail={"title": "rolled back"})
            raise RuntimeError
        client, user = signed_in("viewer")
        client.get(f"/staff/waves/{wave.slug}/downloads/findings.json", REMOTE_ADDR="192.0.2.8")
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert [line["detail"].get("title") for line in lines] == ["kept", None]
    assert (lines[1]["action"], lines[1]["username"], lines[1]["address"]) == (
        "download", user.username, "192.0.2.8")
    assert oct(path.stat().st_mode & 0o777) == "0o600"  # it names staff and addresses


def test_the_audit_page_shows_who_from_where(wave):
    client, user = signed_in("analyst")
    client.defaults["REMOTE_ADDR"] = "192.0.2.61"
    add_response(wave, RICH)
    client.get(f"/staff/waves/{wave.slug}/downloads/findings.json")
    page = client.get(f"/staff/audit/?wave={wave.slug}&action=download").content.decode()
    assert user.username in page and "<td>Web 192.0.2.61</td>" in page


def test_the_security_statement_names_tests_that_exist():
    """docs/security.md ties each promise to tests: every file and test it names is real."""
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    current: Path | None = None
    named = 0
    for token in re.findall(r"`((?:tests/[\w/]+\.py)|(?:test_\w+))`", text):
        if token.startswith("tests/"):
            current = ROOT / token
            assert current.is_file(), token
            continue
        assert current is not None, token
        assert re.search(rf"^def {token}\(", current.read_text(encoding="utf-8"), re.M), \
            f"{token} is not in {current.relative_to(ROOT)}"
        named += 1
    assert named >= 15
