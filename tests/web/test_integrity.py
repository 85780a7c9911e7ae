"""Nothing lost, nothing doubled: imports, Start and "Ask for TA" sent twice (one after the
other and at the same moment, against the real server), contact records that keep each
form's details and consent apart, a wave with no answers yet, and an export's own dates.

The database holds what "one" means (one response per respondent id in a wave, per Start
form; one open TA request per response; one current contact record per form), so these
run on SQLite and, with HRTA_TEST_POSTGRES=1, on PostgreSQL.
"""

from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import os
import re
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from importlib import import_module

import psycopg
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connections, transaction
from django.test import Client
from django.utils import timezone

from hrta.web.assistance import selectors as ta_selectors
from hrta.web.assistance.models import TARequest
from hrta.web.assistance.services import FieldError, request_ta, update_request
from hrta.web.contacts.models import Contact, raffle_entrants
from hrta.web.contacts.services import save_contact
from hrta.web.surveys.models import Response
from hrta.web.surveys.services import code_hash, set_excluded, start_response
from tests.web import conftest, respondents
from tests.web.conftest import ROOT, make_user
from tests.web.staffdata import add_response, raffle_export, signed_in
from tests.web.staffdata import post as staff_post

PASSWORD = "correct-horse-battery"

# Asks for funding help in small groups, in the Northeast: cohort material.
ASKS_FOR_TA = {
    "state": "ny", "role": "ceo", "org_type": "ccbhc", "communities": ["rural"],
    "fb_policy.adequate_funding": "strongly_disagree", "ta_receiving": "no",
    "ta_areas": ["funding", "staff_training"], "ta_formats": ["small_group", "toolkits"],
}


# --- the real server, as two browser tabs (or a double-click) reach it --------------------


class Tab:
    """One browser's cookies against the live server; redirects are returned, not
    followed, so a test sees each reply as the browser got it."""

    class _Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    def __init__(self, base: str, cookies: dict[str, str] | None = None) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), self._Keep)
        for name, value in (cookies or {}).items():
            self.jar.set_cookie(http.cookiejar.Cookie(
                0, name, value, None, False, "127.0.0.1", False, False, "/", True, False,
                None, True, None, None, {}))

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def post(self, path: str, fields: dict[str, object],
             files: dict[str, tuple[str, bytes]] | None = None) -> tuple[int, str]:
        fields = {**fields, "csrfmiddlewaretoken": self.csrf()}
        if files:
            body, kind = _multipart(fields, files)
        else:
            body = urllib.parse.urlencode(fields, doseq=True).encode()
            kind = "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.base + path, data=body, method="POST",
                                         headers={"Content-Type": kind,
                                                  "Referer": self.base + path})
        return self._open(request)

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == settings.CSRF_COOKIE_NAME)

    def cookies(self) -> dict[str, str]:
        return {c.name: c.value for c in self.jar}

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as reply:
            with reply:
                return reply.code, reply.read().decode()


def _multipart(fields: dict[str, object], files: dict[str, tuple[str, bytes]]
               ) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts: list[bytes] = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, content) in files.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                     + content + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def at_once(*calls: Callable[[], object]) -> list[object]:
    """Run the calls in threads released together, as a double-click sends its POSTs."""
    gate = threading.Barrier(len(calls))

    def run(call: Callable[[], object]) -> object:
        gate.wait()
        try:
            return call()
        finally:
            connections.close_all()  # this thread's own database connections

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result() for f in [pool.submit(run, c) for c in calls]]


def staff_tab(live_url: str, role: str) -> Tab:
    """A staff member signed in on the live server, through its sign-in page."""
    user = make_user(role, password=PASSWORD)
    tab = Tab(live_url)
    tab.get("/staff/login/")
    status, _ = tab.post("/staff/login/", {"username": user.username, "password": PASSWORD})
    assert status == 302
    return tab


def respondent_tab(live_url: str, response: Response) -> Tab:
    """The browser a respondent answered in: its session names the response."""
    engine = import_module(settings.SESSION_ENGINE)
    session = engine.SessionStore()
    session[f"hrta.response.{response.wave.slug}"] = response.pk
    session.create()
    tab = Tab(live_url, {settings.SESSION_COOKIE_NAME: session.session_key})
    tab.get(f"/w/{response.wave.slug}/plan/ask/")  # the CSRF cookie, as the form sets it
    return tab




# --- 1. one export, imported twice at the same moment ---------------------------------------


def test_two_imports_of_one_export_at_once_save_it_once(wave, live_url, tmp_path):
    content = raffle_export(tmp_path, n=40).read_bytes()
    tabs = [staff_tab(live_url, "analyst") for _ in range(2)]
    for tab in tabs:
        assert tab.get(f"/staff/waves/{wave.slug}/import/")[0] == 200

    def upload(tab: Tab) -> Callable[[], tuple[int, str]]:
        return lambda: tab.post(f"/staff/waves/{wave.slug}/import/", {},
                                files={"file": ("export.csv", content)})

    replies = at_once(upload(tabs[0]), upload(tabs[1]))
    assert sorted(status for status, _ in replies) == [302, 400]
    refused = next(page for status, page in replies if status == 400)
    assert "Nothing was imported" in refused and "was imported before" in refused
    ids = list(wave.responses.values_list("respondent_id", flat=True))
    assert len(ids) == 40 and len(set(ids)) == 40
    assert raffle_entrants(wave_slug=wave.slug).count() == 2


def test_the_database_holds_one_response_per_respondent_id(wave):
    Response.objects.create(wave=wave, respondent_id="11832684756")
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(wave=wave, respondent_id="11832684756")
    # Web responses have no respondent id: any number of them.
    start_response(wave=wave)
    start_response(wave=wave)
    assert wave.responses.filter(respondent_id="").count() == 2


# --- 2. Start and "Ask for TA" sent twice --------------------------------------------------


def _start_token(page: str) -> str:
    """The landing page's Start form token ("" from a page without one)."""
    found = re.search(r'name="start" value="([^"]+)"', page)
    return found.group(1) if found else ""


def _start_page(client: Client, wave) -> str:
    return _start_token(client.get(f"/w/{wave.slug}/").content.decode())


def test_start_clicked_twice_makes_one_response(wave):
    client = Client(enforce_csrf_checks=True)
    token = _start_page(client, wave)
    # A double-click: both POSTs leave with the cookies the landing page gave.
    before = {name: morsel.value for name, morsel in client.cookies.items()}
    first = respondents.post(client, f"/w/{wave.slug}/start/", {"start": token})
    client.cookies.clear()
    for name, value in before.items():
        client.cookies[name] = value
    second = respondents.post(client, f"/w/{wave.slug}/start/", {"start": token})
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == f"/w/{wave.slug}/page/1/"
    assert wave.responses.count() == 1
    # The second reply's session continues that one response, with the same resume code.
    reply = respondents.post(client, f"/w/{wave.slug}/page/1/",
                             {"screening": "employed", "action": "next"})
    assert reply.status_code == 302
    assert wave.responses.get().page == 1
    code = respondents.resume_code(client, wave)
    assert wave.responses.get().resume_hash == code_hash(code)


def test_a_used_start_form_never_reopens_a_sent_assessment(wave):
    client = Client(enforce_csrf_checks=True)
    token = _start_page(client, wave)
    assert respondents.post(client, f"/w/{wave.slug}/start/", {"start": token}).status_code \
        == 302
    response = wave.responses.get()
    Response.objects.filter(pk=response.pk).update(status=Response.Status.SUBMITTED)
    stranger = Client(enforce_csrf_checks=True)
    _start_page(stranger, wave)
    reply = respondents.post(stranger, f"/w/{wave.slug}/start/", {"start": token})
    assert reply.status_code == 302 and reply["Location"] == f"/w/{wave.slug}/"
    assert "That start page was used before" in stranger.get(reply["Location"]).content.decode()
    assert wave.responses.count() == 1
    # Each visit to the landing page gets a new token, never cached.
    again = stranger.get(f"/w/{wave.slug}/")
    assert "no-store" in again["Cache-Control"]
    assert _start_page(stranger, wave) != token


def test_start_posted_twice_at_once_makes_one_response(wave, live_url):
    tab = Tab(live_url)
    status, page = tab.get(f"/w/{wave.slug}/")
    assert status == 200
    token = _start_token(page)
    cookies = tab.cookies()
    tabs = [Tab(live_url, cookies) for _ in range(2)]
    replies = at_once(*(lambda t=t: t.post(f"/w/{wave.slug}/start/", {"start": token})
                        for t in tabs))
    assert [status for status, _ in replies] == [302, 302]
    assert wave.responses.count() == 1
    assert wave.responses.get().status == Response.Status.IN_PROGRESS


def test_ta_request_sent_twice_makes_one_request(wave):
    response = add_response(wave, ASKS_FOR_TA)
    first = request_ta(response=response, areas=["funding"], message="", name="Ana",
                       email="ana@example.org", may_contact=True)
    second = request_ta(response=response, areas=["funding"], message="", name="Ana",
                        email="ana@example.org", may_contact=True)
    assert second.pk == first.pk
    assert TARequest.objects.filter(response=response).count() == 1
    assert Contact.objects.filter(response_key=response.public_id,
                                  purpose=Contact.Purpose.TA_REQUEST).count() == 1
    # The database refuses a second open request, whatever the code path.
    with pytest.raises(IntegrityError), transaction.atomic():
        TARequest.objects.create(response=response, wave=wave, areas=["funding"])


def test_a_request_reopened_while_another_is_open_is_refused(wave):
    response = add_response(wave, ASKS_FOR_TA)
    first = request_ta(response=response, areas=["funding"], message="", name="",
                       email="ana@example.org", may_contact=False)
    staff = make_user("analyst")
    today = timezone.localdate()
    update_request(request=first, user=staff, status="closed", on=today, outcome="Done")
    second = request_ta(response=response, areas=["staff_training"], message="", name="",
                        email="ana@example.org", may_contact=False)
    assert second.pk != first.pk
    with pytest.raises(FieldError, match=f"request {second.reference} is open"):
        update_request(request=first, user=staff, status="received", on=today)
    assert TARequest.objects.get(pk=first.pk).status == "closed"


def test_ask_for_ta_posted_twice_at_once_makes_one_request(wave, live_url):
    form = {"areas": ["funding"], "message": "Grants", "name": "Ana Díaz",
            "email": "ana@example.org", "may_contact": "on"}
    # A few organizations each double-click: a race lost once is a request too many.
    asking = [add_response(wave, ASKS_FOR_TA) for _ in range(4)]
    for response in asking:
        tab = respondent_tab(live_url, response)
        replies = at_once(*(lambda t=tab: t.post(f"/w/{wave.slug}/plan/ask/", form)
                            for _ in range(3)))
        assert [status for status, _ in replies] == [302, 302, 302]
    for response in asking:
        assert TARequest.objects.filter(response=response).count() == 1
        assert Contact.objects.filter(response_key=response.public_id,
                                      purpose=Contact.Purpose.TA_REQUEST).count() == 1


# --- 3. each form's contact details and consent kept apart --------------------------------


def test_raffle_after_a_ta_request_leaves_its_contact_and_consent(wave):
    response = add_response(wave, ASKS_FOR_TA)
    request = request_ta(response=response, areas=["funding"], message="",
                         name="Ana Díaz", email="ana@ta.example", may_contact=True)
    raffle = {"raffle_opt_in": "yes", "raffle_name": "Bo Raffle",
              "raffle_email": "bo@raffle.example"}  # no "may_contact": no consent here
    assert save_contact(response=response, instrument=wave.instrument, data=raffle) == {}

    admin, _ = signed_in("admin")
    shown = staff_post(admin, f"/staff/requests/{request.pk}/", {"action": "contacts"})
    page = shown.content.decode()
    assert "Ana Díaz" in page and "ana@ta.example" in page
    assert "bo@raffle.example" not in page and "Bo Raffle" not in page
    consent = re.search(r"May be invited to cohorts</dt><dd>(\w+)</dd>", page).group(1)
    assert consent == "Yes"
    assert response.public_id in ta_selectors.consenting_keys(wave)
    entrants = list(raffle_entrants(wave_slug=wave.slug))
    assert [e.details["raffle_email"] for e in entrants] == ["bo@raffle.example"]

    # The raffle form sent again adds a record; the first stays as it was, as history.
    again = {**raffle, "raffle_email": "bo@new.example"}
    assert save_contact(response=response, instrument=wave.instrument, data=again) == {}
    kept = Contact.objects.filter(response_key=response.public_id).order_by("id")
    assert [(c.purpose, c.replaced_at is None) for c in kept] == [
        ("ta_request", True), ("raffle", False), ("raffle", True)]
    assert kept[1].details["raffle_email"] == "bo@raffle.example"
    assert [e.details["raffle_email"] for e in raffle_entrants(wave_slug=wave.slug)] == \
        ["bo@new.example"]
    assert response.public_id in ta_selectors.consenting_keys(wave)


def test_an_excluded_response_leaves_the_raffle_draw(wave):
    """A duplicate copy excluded by staff must not give its organization a second ticket."""
    kept, copy = (add_response(wave, ASKS_FOR_TA) for _ in range(2))
    for number, response in enumerate((kept, copy)):
        save_contact(response=response, instrument=wave.instrument, data={
            "raffle_opt_in": "yes", "raffle_name": f"Entrant {number}",
            "raffle_email": f"entrant{number}@raffle.example"})
    assert raffle_entrants(wave_slug=wave.slug).count() == 2
    admin, _ = signed_in("admin")
    set_excluded(response=copy, user=admin, excluded=True, reason="duplicate of an import")
    assert [e.details["raffle_email"] for e in raffle_entrants(wave_slug=wave.slug)] == \
        ["entrant0@raffle.example"]
    set_excluded(response=copy, user=admin, excluded=False, reason="not a duplicate")
    assert raffle_entrants(wave_slug=wave.slug).count() == 2


def test_cohort_invitations_use_the_contact_given_with_the_consent(wave):
    members = [add_response(wave, {**ASKS_FOR_TA, "state": s}) for s in ("ny", "pa", "nj")]
    for number, member in enumerate(members):
        request_ta(response=member, areas=["funding"], message="", name=f"TA {number}",
                   email=f"ta{number}@ta.example", may_contact=True)
        assert save_contact(response=member, instrument=wave.instrument, data={
            "raffle_opt_in": "yes", "raffle_name": f"Raffle {number}",
            "raffle_email": f"r{number}@raffle.example"}) == {}
    admin, _ = signed_in("admin")
    page = staff_post(admin, f"/staff/waves/{wave.slug}/cohorts/?min_size=2",
                      {"action": "contacts"}).content.decode()
    assert "3 organizations in this wave agreed to be contacted." in page
    assert all(f"ta{n}@ta.example" in page for n in range(3))
    assert "raffle.example" not in page


def test_migrations_split_merged_contacts_and_bring_doubles_back_to_one(tmp_path):
    """The migrations on a database as the earlier version left it: an entry that both
    forms wrote, a response imported twice, a TA request sent twice."""
    script = ROOT / "tests" / "web" / "migration_check.py"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CONTACTS_DATABASE_URL")}
    env["HRTA_DATA_DIR"] = str(tmp_path)
    if conftest.USE_POSTGRES:
        # Two new, empty databases on the session's server.
        names = [f"migration_{uuid.uuid4().hex[:12]}" for _ in range(2)]
        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as server:
            for name in names:
                server.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"], env["CONTACTS_DATABASE_URL"] = (
            conftest._SERVER.url(name) for name in names)
    done = subprocess.run([sys.executable, str(script)], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.splitlines()[-1])
    assert found["contacts"] == [
        ["raffle", True, True, {"raffle_email": "bo@raffle.example", "raffle_name": "Bo"}],
        ["ta_request", False, True, {"ta_email": "ana@ta.example", "ta_name": "Ana"}],
        ["ta_request", False, False, {"ta_email": "cy@ta.example"}],
    ]
    assert found["respondent_ids"] == ["r1", "r2"]
    assert found["requests"] == [["received", ""], ["closed", "Sent twice"]]
    assert found["audit"] == ["import_dedupe"]


# --- 11. a wave with no answers yet ---------------------------------------------------------


def test_demand_and_cohorts_of_a_wave_without_answers(wave):
    staff, _ = signed_in("analyst")
    demand = staff.get(f"/staff/waves/{wave.slug}/demand/")
    assert demand.status_code == 200
    assert "No responses in this wave yet" in demand.content.decode()
    assert staff.get(f"/staff/waves/{wave.slug}/demand/areas.svg").status_code in (200, 404)
    cohorts = staff.get(f"/staff/waves/{wave.slug}/cohorts/")
    assert cohorts.status_code == 200


# --- 12. the export's own dates -------------------------------------------------------------


def test_import_keeps_the_exports_dates_and_downloads_write_them_to_the_second(wave,
                                                                               tmp_path):
    path = raffle_export(tmp_path, n=12)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    start, end = rows[0].index("Start Date"), rows[0].index("End Date")
    first_id, first_start, first_end = rows[2][0], rows[2][start], rows[2][end]
    analyst, _ = signed_in("analyst")
    reply = staff_post(analyst, f"/staff/waves/{wave.slug}/import/",
                       {"file": SimpleUploadedFile("export.csv", path.read_bytes())})
    assert reply.status_code == 302, reply.content.decode()[:2000]
    imported = wave.responses.get(respondent_id=first_id)
    stamp = datetime.strptime(first_start, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=UTC)
    assert imported.started_at == stamp
    assert imported.submitted_at == datetime.strptime(
        first_end, "%m/%d/%Y %I:%M:%S %p").replace(tzinfo=UTC)
    add_response(wave, ASKS_FOR_TA)  # a web response: stored to the microsecond

    download = analyst.get(f"/staff/waves/{wave.slug}/downloads/responses.csv")
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    column = table[0].index("Start Date")
    stamps = [row[column] for row in table[2:]]
    assert stamp.strftime("%Y-%m-%d %H:%M:%S") in stamps
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", s) for s in stamps), stamps
    findings = json.loads(analyst.get(
        f"/staff/waves/{wave.slug}/downloads/findings.json").content)
    starts = sorted(datetime.strptime(row[start], "%m/%d/%Y %I:%M:%S %p").date()
                    for row in rows[2:])
    assert findings["fielded"]["first"] == starts[0].isoformat()

