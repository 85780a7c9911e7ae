"""Hardening: a sign-in lockout that cannot be turned against a known account, resume codes
kept only as hashes and never logged, a data folder only its owner can read, and the
headers that keep staff pages out of caches and scripts out of every page.

Where a setting, a file mode or the access log is at stake the app runs as a user runs it:
`hrta` in a fresh process, `hrta serve` with gunicorn, and Chromium (see
test_hardening_browser.py for the pages under the Content Security Policy).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

from hrta.web.accounts.tokens import issue_token
from hrta.web.contacts.services import save_contact
from hrta.web.surveys.models import AuditEntry
from hrta.web.surveys.services import normalise_code
from tests.web.browsing import choose, save_and_continue, start
from tests.web.conftest import ROOT, make_user
from tests.web.respondents import post as respondent_post
from tests.web.respondents import reach
from tests.web.staffdata import PASSWORD, add_response, signed_in, token

HRTA = str(Path(sys.executable).parent / "hrta")


# --- helpers ----------------------------------------------------------------------------------

def _try(client: Client, username: str, password: str, address: str, **headers: str):
    return client.post("/staff/login/", {"username": username, "password": password,
                                         "csrfmiddlewaretoken": token(client)},
                       REMOTE_ADDR=address, **headers)


def _message(reply) -> str:
    found = re.search(r'id="login-error">.*?<p class="usa-alert__text">(.*?)</p>',
                      reply.content.decode(), re.S)
    return " ".join(found.group(1).split()) if found else ""


def _signed_in(reply) -> bool:
    return reply.status_code == 302 and reply["Location"].startswith("/staff/")


def _throttles():
    from hrta.web.accounts.models import SignInThrottle

    return SignInThrottle.objects


def _end_pauses(username: str) -> None:
    """Let the pauses on `username` run out, as if their time had passed."""
    _throttles().filter(username=username.casefold()).update(
        paused_until=timezone.now() - timedelta(seconds=1))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _fresh_env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def _hrta(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`hrta` in a fresh process with this session's database, as an operator runs it."""
    return subprocess.run([HRTA, *args], capture_output=True, text=True, cwd=ROOT,
                          env=env or _fresh_env(), check=False, timeout=120)


@dataclass
class Served:
    url: str
    port: int
    process: subprocess.Popen
    output: Path

    def log(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")


def _serve(output: Path, env: dict[str, str]) -> Served:
    """`hrta serve` started from a shell with the usual umask (022)."""
    port = _free_port()
    handle = output.open("w")
    process = subprocess.Popen(
        [HRTA, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT,
        preexec_fn=lambda: os.umask(0o022))
    handle.close()
    served = Served(f"http://127.0.0.1:{port}", port, process, output)
    deadline = time.monotonic() + 90
    while True:
        try:
            if _request(served, "GET", "/healthz")[0] == 200:
                return served
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("hrta serve did not start:\n" + served.log())
        time.sleep(0.2)


def _stop(served: Served) -> None:
    if served.process.poll() is None:
        served.process.send_signal(signal.SIGTERM)
        try:
            served.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            served.process.kill()
            served.process.wait(timeout=10)


def _request(served: Served, method: str, path: str, *, source: str = "127.0.0.1",
             headers: dict[str, str] | None = None,
             body: str | None = None) -> tuple[int, http.client.HTTPMessage, str]:
    """One request to the server from a loopback address of our choosing: 127.0.0.2 plays
    a trusted reverse proxy, 127.0.0.1 anyone else."""
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30,
                                            source_address=(source, 0))
    try:
        connection.request(method, path, body=body, headers=headers or {})
        reply = connection.getresponse()
        return reply.status, reply.headers, reply.read().decode("utf-8", "replace")
    finally:
        connection.close()


# --- 5. the sign-in lockout -------------------------------------------------------------------

def test_guessing_from_elsewhere_never_locks_the_admin_out():
    """Five wrong passwords for "admin" used to lock the real admin out everywhere: the
    pause is now on the guesser's address for that account only."""
    admin = make_user("admin", password=PASSWORD)
    attacker = Client(enforce_csrf_checks=True)
    for _ in range(12):
        _try(attacker, admin.username, "guess", "192.0.2.66")
    refused = _try(attacker, admin.username, PASSWORD, "192.0.2.66")
    assert "Sign-in is paused" in _message(refused)
    assert "_auth_user_id" not in attacker.session
    # The real admin, at another address, signs in with the right password.
    real = Client(enforce_csrf_checks=True)
    assert _signed_in(_try(real, admin.username, PASSWORD, "203.0.113.20"))
    # Every try is in the audit log, with its address.
    failed = AuditEntry.objects.filter(action="login_failed",
                                       detail__username=admin.username.casefold())
    assert failed.count() == admin_limit()
    assert set(failed.values_list("detail__address", flat=True)) == {"192.0.2.66"}
    assert AuditEntry.objects.filter(action="login_refused_locked",
                                     detail__username=admin.username.casefold()).exists()


def admin_limit() -> int:
    from django.conf import settings

    return settings.LOGIN_FAILURE_LIMIT


@override_settings(LOGIN_FAILURE_LIMIT=2)  # fewer tries: each wrong password costs Argon2
def test_each_failure_after_a_pause_doubles_the_next_pause():
    user = make_user("viewer", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    address = "192.0.2.70"
    assert "After 2 failed tries" in _message(_try(client, user.username, "x", address))
    assert "Try again in 15 minutes" in _message(_try(client, user.username, "x", address))
    # While paused the right password is refused unchecked, and the pause does not grow.
    assert "Try again in 15 minutes" in _message(_try(client, user.username, PASSWORD, address))
    _end_pauses(user.username)
    assert "Try again in 30 minutes" in _message(_try(client, user.username, "x", address))
    _end_pauses(user.username)
    assert "Try again in 60 minutes" in _message(_try(client, user.username, "x", address))
    lockouts = AuditEntry.objects.filter(action="lockout",
                                         detail__username=user.username.casefold())
    assert sorted(lockouts.values_list("detail__minutes", flat=True)) == [15, 30, 60]
    # The pause over, the right password works and the count starts again.
    _end_pauses(user.username)
    assert _signed_in(_try(client, user.username, PASSWORD, address))
    assert not _throttles().filter(username=user.username.casefold(),
                                             address=address).exists()


@override_settings(HRTA_TRUSTED_PROXIES=["10.0.0.0/8"], LOGIN_FAILURE_LIMIT=2,
                   LOGIN_IP_FAILURE_LIMIT=3)
def test_behind_a_trusted_proxy_each_client_is_counted_apart():
    """Behind a reverse proxy every request came from the proxy's address, so a few
    failures paused everybody: X-Forwarded-For from a configured proxy names the client."""
    admin = make_user("admin", password=PASSWORD)
    proxy, attacker_address = "10.0.0.1", "198.51.100.200"
    attacker = Client(enforce_csrf_checks=True)
    _try(attacker, f"guess-{admin.pk}", "x", proxy, HTTP_X_FORWARDED_FOR=attacker_address)
    for _ in range(2):
        _try(attacker, admin.username, "x", proxy, HTTP_X_FORWARDED_FOR=attacker_address)
    assert "Sign-in is paused" in _message(
        _try(attacker, admin.username, PASSWORD, proxy, HTTP_X_FORWARDED_FOR=attacker_address))
    colleague = Client(enforce_csrf_checks=True)
    assert _signed_in(_try(colleague, admin.username, PASSWORD, proxy,
                           HTTP_X_FORWARDED_FOR="198.51.100.201, 10.0.0.7"))
    login = AuditEntry.objects.filter(action="login", user=admin).get()
    assert login.detail["address"] == "198.51.100.201"

    # From anyone else the header is ignored: a client cannot pick a new address for
    # each guess.
    user = make_user("viewer", password=PASSWORD)
    for n in range(2):
        reply = _try(attacker, user.username, "x", "192.0.2.90",
                     HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}")
    assert "Sign-in is paused" in _message(reply)
    failed = AuditEntry.objects.filter(action="login_failed",
                                       detail__username=user.username.casefold())
    assert set(failed.values_list("detail__address", flat=True)) == {"192.0.2.90"}


def test_user_unlock_in_a_fresh_process_lifts_every_pause_on_the_account():
    admin = make_user("admin", password=PASSWORD)
    client = Client(enforce_csrf_checks=True)
    for address in ("192.0.2.100", "192.0.2.101"):
        for _ in range(6):
            _try(client, admin.username, "x", address)
    assert "Sign-in is paused" in _message(_try(client, admin.username, PASSWORD, "192.0.2.100"))
    # An office address paused for guesses at many usernames.
    _throttles().create(kind="address", address="192.0.2.150", failures=20,
                        paused_until=timezone.now() + timedelta(minutes=15))

    done = _hrta("user", "unlock", admin.username.upper(), "--address", "192.0.2.150")
    assert done.returncode == 0, done.stderr
    assert f"Sign-in for {admin.username!r} is open again" in done.stdout
    assert "(3 pauses lifted)" in done.stdout
    assert not _throttles().filter(username=admin.username.casefold()).exists()
    assert not _throttles().filter(address="192.0.2.150").exists()
    assert _signed_in(_try(client, admin.username, PASSWORD, "192.0.2.100"))
    entry = AuditEntry.objects.filter(action="unlock",
                                      detail__account=admin.username.casefold()).get()
    assert entry.via == "cli"

    missing = _hrta("user", "unlock", f"nobody-{admin.pk}")
    assert missing.returncode == 2
    assert f"no staff account named 'nobody-{admin.pk}'" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_a_bad_trusted_proxy_setting_is_named():
    failed = _hrta("user", "unlock", "admin",
                   env=_fresh_env(HRTA_TRUSTED_PROXIES="10.0.0.1, proxy.example.org"))
    assert failed.returncode == 2
    assert "HRTA_TRUSTED_PROXIES" in failed.stderr
    assert "'proxy.example.org' is not an IP address or network" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_a_malformed_contacts_key_stops_the_command_at_once():
    failed = _hrta("user", "unlock", "admin",
                   env=_fresh_env(HRTA_CONTACTS_KEY="not-a-fernet-key"))
    assert failed.returncode == 2
    assert "HRTA_CONTACTS_KEY is not a valid key" in failed.stderr
    assert "Traceback" not in failed.stderr


# --- 6. resume codes --------------------------------------------------------------------------

def _all_sessions() -> str:
    """Every stored session, decoded, as one text to search."""
    return "\n".join(json.dumps(s.get_decoded()) + s.session_data
                     for s in Session.objects.all())


def _code_on_saved_page(client, wave) -> tuple[str, str]:
    html = client.get(f"/w/{wave.slug}/saved/").content.decode()
    code = re.search(r'id="resume-code">([^<]+)<', html).group(1).strip()
    link = re.search(r'id="resume-link"><a class="usa-link" href="([^"]+)"', html).group(1)
    return code, link


def test_resume_codes_stay_out_of_the_session_table_and_out_of_links(wave):
    client = Client(enforce_csrf_checks=True)
    reach(client, wave, 2)
    code, link = _code_on_saved_page(client, wave)
    # The private link carries the code after "#": browsers never send that part.
    assert link == f"http://testserver/resume/#{code}"
    other = Client(enforce_csrf_checks=True)
    reply = respondent_post(other, "/resume/", {"code": code.lower()})
    assert reply.status_code == 302 and reply["Location"] == f"/w/{wave.slug}/page/2/"
    assert "/resume/" not in reply["Location"]
    assert _code_on_saved_page(other, wave)[0] == code  # shown again in the new browser
    assert other.get(f"/w/{wave.slug}/page/2/").status_code == 200
    stored = _all_sessions()
    assert code not in stored and normalise_code(code) not in stored
    # The browser's copy of a code is shown only if it is the response's own.
    stranger = Client(enforce_csrf_checks=True)
    reach(stranger, wave, 2)
    stranger.cookies[f"hrta_resume_{wave.slug}"] = code
    assert code not in stranger.get(f"/w/{wave.slug}/saved/").content.decode()


@pytest.fixture(scope="module")
def served(tmp_path_factory) -> Iterator[Served]:
    """`hrta serve` on this session's database, its output (the access log) in a file."""
    served = _serve(tmp_path_factory.mktemp("serve") / "output.log", _fresh_env())
    yield served
    _stop(served)


def test_resume_cycle_on_hrta_serve_leaves_the_code_in_no_log_and_no_session(
        served, browser, wave):
    first = browser.new_context(viewport={"width": 360, "height": 740})
    page = first.new_page()
    start(page, served.url, wave)
    choose(page, wave, "screening", "employed")
    save_and_continue(page)
    code = page.locator("#resume-code").inner_text().strip()
    link = page.locator("#resume-link a").get_attribute("href")
    assert link == f"{served.url}/resume/#{code}"
    first.close()

    # The link still works in another browser: the page takes the code from the link
    # and sends it in a form, then the respondent is back where they left off.
    second = browser.new_context(viewport={"width": 360, "height": 740})
    page = second.new_page()
    page.goto(link)
    page.wait_for_url(re.compile(rf"/w/{wave.slug}/page/2/$"))
    page.goto(f"{served.url}/w/{wave.slug}/saved/")
    assert page.locator("#resume-code").inner_text().strip() == code
    # So does a link in the old form, handed out before this change.
    third = browser.new_context()
    old = third.new_page()
    old.goto(f"{served.url}/resume/{code}/")
    old.wait_for_url(re.compile(rf"/w/{wave.slug}/page/2/$"))
    second.close()
    third.close()
    # An old link that no longer works: Django logs each 404's path, scrubbed too.
    unknown = ("B" if code[0] == "A" else "A") + code[1:]
    assert _request(served, "GET", f"/resume/{unknown}/")[0] == 404

    time.sleep(0.5)  # the access log is written as each request ends
    log = served.log()
    assert f"GET /w/{wave.slug}/page/2/" in log  # the log is there, and complete
    assert "POST /resume/ " in log and "GET /resume/-/" in log
    assert "Not Found: /resume/-/" in log
    for form in (code, normalise_code(code), code.lower(), unknown):
        assert form not in log
        assert form not in _all_sessions()


# --- 7. private files -------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fresh_serve(tmp_path_factory) -> Iterator[tuple[Served, Path]]:
    """`hrta serve` on a new SQLite data folder made 0755 by hand (with a key left 0644),
    behind HTTPS with 127.0.0.2 as its trusted reverse proxy."""
    folder = tmp_path_factory.mktemp("fresh") / "data"
    folder.mkdir()
    folder.chmod(0o755)
    (folder / "secret_key").write_text("s" * 50)
    (folder / "secret_key").chmod(0o644)
    env = _fresh_env(HRTA_DATA_DIR=str(folder), HRTA_HTTPS="1",
                     HRTA_TRUSTED_PROXIES="127.0.0.2")
    for name in ("DATABASE_URL", "CONTACTS_DATABASE_URL"):
        env.pop(name, None)
    served = _serve(folder.parent / "output.log", env)
    yield served, folder
    _stop(served)


def _modes(folder: Path) -> dict[str, int]:
    found = {".": stat.S_IMODE(folder.stat().st_mode)}
    for path in folder.rglob("*"):
        with contextlib.suppress(FileNotFoundError):  # a journal the server just removed
            found[str(path.relative_to(folder))] = stat.S_IMODE(path.lstat().st_mode)
    return found


@pytest.mark.sqlite_only(reason="serves its own SQLite data folder, in the PostgreSQL pass too")
def test_data_folder_and_every_file_in_it_are_private(fresh_serve):
    served, folder = fresh_serve
    assert _request(served, "GET", "/healthz/db")[0] == 200
    # A reader held open keeps the WAL and SHM files there to be looked at (SQLite gives
    # them the database file's mode).
    reader = sqlite3.connect(folder / "hrta.sqlite3")
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM django_session").fetchone()
    status, headers, html = _request(served, "GET", "/staff/login/")
    assert status == 200
    # A failed sign-in writes to the database while the server runs (WAL and SHM files).
    cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
    form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    _request(served, "POST", "/staff/login/", headers={
        "Cookie": f"csrftoken={cookie}", "Content-Type": "application/x-www-form-urlencoded",
        "Origin": served.url}, body=f"csrfmiddlewaretoken={form}&username=a&password=b")
    modes = _modes(folder)
    reader.close()
    assert {"hrta.sqlite3", "hrta.sqlite3-wal", "hrta.sqlite3-shm", "contacts.sqlite3",
            "contacts.key", "secret_key", "static"} <= set(modes)
    too_open = {name: oct(mode) for name, mode in modes.items() if mode & 0o077}
    assert not too_open
    assert modes["."] == 0o700 and modes["static"] == 0o700
    assert all(mode == 0o600 for name, mode in modes.items()
               if (folder / name).is_file()), modes
    # The operator is told what was tightened.
    log = served.log()
    assert f"{folder} was open to other users (0755); it is now 0700" in log
    assert f"{folder / 'secret_key'} was open to other users (0644); it is now 0600" in log


# --- 8. headers -------------------------------------------------------------------------------

def _policy(reply) -> dict[str, list[str]]:
    header = reply["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_has_a_policy_that_runs_no_inline_script(wave):
    client, _user = signed_in("admin")
    anonymous = Client()
    for who, path in [(anonymous, "/"), (anonymous, f"/w/{wave.slug}/"),
                      (anonymous, "/resume/"), (anonymous, "/staff/login/"),
                      (client, f"/staff/waves/{wave.slug}/"), (client, "/staff/audit/")]:
        reply = who.get(path, follow=True)
        assert reply.status_code == 200, path
        policy = _policy(reply)
        assert policy["script-src"] == ["'self'"], path
        assert policy["default-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
        assert "unsafe-inline" not in reply["Content-Security-Policy"]
        assert "<script>" not in reply.content.decode(), path  # every script is a file


def test_staff_pages_downloads_api_and_raffle_reveal_are_never_stored(wave):
    response = add_response(wave, {"org_type": "ccbhc"})
    save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": "Pat Doe", "raffle_email": "pat@example.net"})
    client, user = signed_in("admin")
    for path in [f"/staff/waves/{wave.slug}/", f"/staff/waves/{wave.slug}/responses/",
                 f"/staff/responses/{response.public_id}/",
                 f"/staff/waves/{wave.slug}/downloads/",
                 f"/staff/waves/{wave.slug}/downloads/responses.csv",
                 f"/staff/waves/{wave.slug}/raffle/", "/staff/audit/", "/staff/account/"]:
        reply = client.get(path)
        assert reply.status_code == 200, path
        assert "no-store" in reply["Cache-Control"], path
    drawn = client.post(f"/staff/waves/{wave.slug}/raffle/",
                        {"action": "draw", "csrfmiddlewaretoken": token(client)})
    assert "pat@example.net" in drawn.content.decode()
    assert "no-store" in drawn["Cache-Control"]
    _made, secret = issue_token(user=user, name="hardening")
    api = Client().get(f"/api/waves/{wave.slug}/findings",
                       HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.status_code == 200 and "no-store" in api["Cache-Control"]
    # A respondent's page with the resume code is not kept by the browser either.
    respondent = Client(enforce_csrf_checks=True)
    reach(respondent, wave, 2)
    assert "no-store" in respondent.get(f"/w/{wave.slug}/saved/")["Cache-Control"]


@pytest.mark.sqlite_only(reason="serves its own SQLite data folder, in the PostgreSQL pass too")
def test_behind_https_pages_send_hsts_and_cookies_only_over_https(fresh_serve):
    served, _folder = fresh_serve
    # Through the trusted proxy, which says the visitor came over HTTPS.
    status, headers, _ = _request(served, "GET", "/staff/login/", source="127.0.0.2",
                                  headers={"X-Forwarded-Proto": "https"})
    assert status == 200
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    cookies = headers.get_all("Set-Cookie")
    assert cookies and all("; Secure" in cookie for cookie in cookies)
    assert "no-store" in headers["Cache-Control"]
    # Anyone else saying so is not believed.
    status, headers, _ = _request(served, "GET", "/staff/login/", source="127.0.0.1",
                                  headers={"X-Forwarded-Proto": "https"})
    assert status == 200 and "Strict-Transport-Security" not in headers


@pytest.mark.sqlite_only(reason="serves its own SQLite data folder, in the PostgreSQL pass too")
def test_forwarded_for_is_believed_from_the_configured_proxy_only(fresh_serve):
    served, folder = fresh_serve

    def fail_sign_in(source: str, forwarded: str) -> None:
        status, headers, html = _request(served, "GET", "/staff/login/", source=source)
        cookie = re.search(r"csrftoken=([^;]+)", headers["Set-Cookie"]).group(1)
        form = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        status, _, _ = _request(served, "POST", "/staff/login/", source=source, headers={
            "Cookie": f"csrftoken={cookie}", "X-Forwarded-For": forwarded,
            "Content-Type": "application/x-www-form-urlencoded", "Origin": served.url},
            body=f"csrfmiddlewaretoken={form}&username=xff-check&password=b")
        assert status == 200

    fail_sign_in("127.0.0.2", "198.51.100.7")
    fail_sign_in("127.0.0.1", "198.51.100.8")
    with sqlite3.connect(folder / "hrta.sqlite3") as db:
        rows = db.execute("SELECT detail FROM surveys_auditentry WHERE action = "
                          "'login_failed' ORDER BY id").fetchall()
    addresses = [json.loads(detail)["address"] for (detail,) in rows
                 if json.loads(detail)["username"] == "xff-check"]
    assert addresses == ["198.51.100.7", "127.0.0.1"]
