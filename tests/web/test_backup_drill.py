"""The backup-and-restore drill, as docs/operators.md tells an operator to do it: the real
`hrta serve` takes complete assessments with raffle contact details from several
respondents at once while `hrta backup` runs; `hrta restore` puts the backup into a fresh
data folder (fresh databases on PostgreSQL); every assessment submitted before the backup
began is there, and every contact entry opens with the restored key.

Runs on SQLite, and on PostgreSQL (pg_dump and pg_restore from Debian's packages) with
HRTA_TEST_POSTGRES=1, on databases of its own.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from hrta.instrument import load_bundled
from hrta.web.surveys import flow
from tests.served import Served
from tests.web import postgres
from tests.web.conftest import USE_POSTGRES

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "drill-password-long-enough"
SUBMITTERS = 3


def _documented_commands() -> dict[str, str]:
    """The option of the backup and restore command lines of docs/operators.md, as an
    operator reads them (`hrta backup FOLDER --key-dir KEYS`)."""
    text = (ROOT / "docs" / "operators.md").read_text(encoding="utf-8")
    found = {command: option for command, option in re.findall(
        r"^\.venv/bin/hrta (backup|restore) \S.* (--\S+) \S+$", text, re.M)}
    assert set(found) == {"backup", "restore"}, "operators.md lost its backup commands"
    return found


def _as_documented(option: str, command: str, folder: Path, key_dir: Path) -> list[str]:
    """The documented command line with this drill's folders in place of the doc's."""
    return [command, str(folder), option, str(key_dir)]


@dataclass
class Site:
    """One installation: its data folder and, on PostgreSQL, its two databases."""

    data_dir: Path
    urls: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items()
                if not k.startswith(("HRTA_", "DATABASE_URL", "CONTACTS_DATABASE_URL",
                                     "DJANGO_"))}
        return {**base, "HRTA_DATA_DIR": str(self.data_dir), "NO_COLOR": "1",
                "COLUMNS": "200", **self.urls}

    def hrta(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "hrta.cli", *args], input=stdin,
                              capture_output=True, text=True, timeout=300, env=self.env(),
                              check=False, cwd=ROOT)


@pytest.fixture
def sites(tmp_path: Path) -> Iterator[tuple[Site, Site]]:
    live, fresh = Site(tmp_path / "var"), Site(tmp_path / "restored")
    server = None
    if USE_POSTGRES:
        server = postgres.start(("live", "live_contacts", "fresh", "fresh_contacts"))
        live.urls = {"DATABASE_URL": server.url("live"),
                     "CONTACTS_DATABASE_URL": server.url("live_contacts")}
        fresh.urls = {"DATABASE_URL": server.url("fresh"),
                      "CONTACTS_DATABASE_URL": server.url("fresh_contacts")}
    try:
        yield live, fresh
    finally:
        if server is not None:
            server.stop()


class Browser:
    """A respondent's or a staff member's browser: cookies, and the CSRF token sent back."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as reply:
            return reply.read().decode()

    def post(self, path: str, data: dict[str, object]) -> str:
        csrf = next((c.value for c in self.jar if c.name == "csrftoken"), "")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}, doseq=True)
        with self.opener.open(urllib.request.Request(self.base + path, data=body.encode()),
                              timeout=60) as reply:
            return reply.geturl()


def _serve(site: Site) -> Served:
    return Served([sys.executable, "-m", "hrta.cli", "serve", "--workers", "2"],
                  env=site.env(), cwd=ROOT)


def _open_wave(site: Site, url: str) -> str:
    made = site.hrta("user", "add", "drill-admin", "--role", "admin", "--password-stdin",
                     stdin=PASSWORD + "\n")
    assert made.returncode == 0, made.stderr
    staff = Browser(url)
    staff.get("/staff/login/")
    staff.post("/staff/login/", {"username": "drill-admin", "password": PASSWORD})
    staff.get("/staff/waves/new/")
    where = staff.post("/staff/waves/new/", {
        "slug": "drill", "title": "Drill", "instrument_id": load_bundled().id,
        "accepting": "on"})
    assert where.endswith("/staff/waves/"), where
    return "drill"


@dataclass
class Submitted:
    text: str
    email: str
    at: float  # when the respondent saw the thanks page after leaving their details


def _respond(url: str, slug: str, name: str) -> Submitted:
    """One complete assessment, page by page, then the raffle form, as a browser posts it."""
    pages = flow.pages(load_bundled())
    text = f"Drill answer {name}: funding and staff"
    browser = Browser(url)
    landing = browser.get(f"/w/{slug}/")
    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', landing))
    hidden.pop("csrfmiddlewaretoken", None)
    browser.post(f"/w/{slug}/start/", hidden)
    for number, section in enumerate(pages, 1):
        ids = {q.id for q in section.questions}
        data: dict[str, object] = {"action": "next"}
        if "screening" in ids:
            data["screening"] = "employed"
        if "challenges" in ids:
            data["challenges"] = text
        browser.post(f"/w/{slug}/page/{number}/", data)
    browser.post(f"/w/{slug}/review/", {})
    email = f"{name}@example.org"
    browser.post(f"/w/{slug}/thanks/", {"raffle_opt_in": "yes", "raffle_name": name.title(),
                                        "raffle_email": email})
    return Submitted(text, email, time.monotonic())


def _respondents(url: str, slug: str, stop: threading.Event, done: list[Submitted],
                 errors: list[BaseException]) -> list[threading.Thread]:
    def work(number: int) -> None:
        count = 0
        try:
            while not stop.is_set():
                count += 1
                done.append(_respond(url, slug, f"respondent-{number}-{count}"))
        except BaseException as exc:  # reported by the test, not lost in a thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    return threads


READ_BACK = """
import json
from hrta.web import setup
setup()
from hrta.web.contacts.models import Contact
from hrta.web.surveys.models import Answer, AuditEntry
texts = list(Answer.objects.filter(question_id="challenges", response__status="submitted")
             .values_list("value", flat=True))
emails = [c.details.get("raffle_email") for c in Contact.objects.all()]
actions = list(AuditEntry.objects.values_list("action", flat=True))
print(json.dumps({"texts": texts, "emails": emails, "actions": actions}))
"""


def test_backup_while_respondents_submit_then_restore_on_a_fresh_data_folder(sites, tmp_path):
    live, fresh = sites
    commands = _documented_commands()
    backup_dir, key_dir = tmp_path / "backup", tmp_path / "keys"
    server = _serve(live)
    url = server.url
    stop, done, errors = threading.Event(), [], []
    try:
        slug = _open_wave(live, url)
        threads = _respondents(url, slug, stop, done, errors)
        while len(done) < SUBMITTERS and not errors:  # the backup starts mid-stream
            time.sleep(0.1)
        began = time.monotonic()
        made = live.hrta(*_as_documented(commands["backup"], "backup", backup_dir, key_dir))
        ended = time.monotonic()
        while len([s for s in done if s.at > ended]) < 2 and not errors:
            time.sleep(0.1)  # and respondents go on after it
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    finally:
        stop.set()
        server.stop(timeout=30)
    assert not errors, errors
    assert made.returncode == 0, made.stderr
    assert "keep it apart from the backup" in made.stdout
    assert oct(backup_dir.stat().st_mode & 0o777) == "0o700"
    assert {oct(p.stat().st_mode & 0o777) for p in backup_dir.iterdir()} == {"0o600"}
    assert not (backup_dir / "contacts.key").exists()  # the key is kept apart

    restored = fresh.hrta(*_as_documented(commands["restore"], "restore", backup_dir, key_dir))
    assert restored.returncode == 0, restored.stderr
    assert "all open with the key" in restored.stdout
    read = subprocess.run([sys.executable, "-c", READ_BACK], capture_output=True, text=True,
                          timeout=120, env=fresh.env(), cwd=ROOT, check=False)
    assert read.returncode == 0, read.stderr
    back = json.loads(read.stdout)
    before = [s for s in done if s.at < began]
    assert len(before) >= SUBMITTERS and len(done) > len(before)
    assert {s.text for s in before} <= set(back["texts"])  # every answer submitted before
    assert {s.email for s in before} <= set(back["emails"])  # every contact, decrypted
    assert set(back["texts"]) <= {s.text for s in done}  # nothing that was not sent
    assert "backup" in back["actions"] and "wave_create" in back["actions"]
    assert (fresh.data_dir / "contacts.key").read_text().strip() == \
        (key_dir / "contacts.key").read_text().strip()

    # The restored folder serves, and the restore is in its audit log.
    server = _serve(fresh)
    try:
        with urllib.request.urlopen(server.url + "/healthz/db", timeout=10) as reply:
            assert reply.read().decode().split() == ["default:", "ok", "contacts:", "ok"]
    finally:
        server.stop(timeout=30)
    again = subprocess.run([sys.executable, "-c", READ_BACK], capture_output=True, text=True,
                           timeout=120, env=fresh.env(), cwd=ROOT, check=False)
    assert "restore" in json.loads(again.stdout)["actions"]


@pytest.mark.sqlite_only(reason="backs up its own SQLite data folder, in the PostgreSQL pass too")
def test_restore_refuses_a_wrong_key_a_used_folder_and_a_damaged_backup(tmp_path):
    """Each refusal exits 2 with a message and writes nothing (SQLite: no server needed)."""
    live, fresh = Site(tmp_path / "var"), Site(tmp_path / "fresh")
    assert live.hrta("migrate").returncode == 0
    made = live.hrta("backup", str(tmp_path / "backup"), "--key-dir", str(tmp_path / "keys"))
    assert made.returncode == 0, made.stderr
    (tmp_path / "other-keys").mkdir()
    (tmp_path / "other-keys" / "contacts.key").write_text(Fernet.generate_key().decode())
    wrong = fresh.hrta("restore", str(tmp_path / "backup"), "--key-dir",
                       str(tmp_path / "other-keys"))
    assert wrong.returncode == 2 and "not the contacts key of the backup" in wrong.stderr
    assert not (fresh.data_dir / "hrta.sqlite3").exists()
    used = live.hrta("restore", str(tmp_path / "backup"), "--key-dir", str(tmp_path / "keys"))
    assert used.returncode == 2 and "already holds tables" in used.stderr
    again = live.hrta("backup", str(tmp_path / "backup"), "--key-dir", str(tmp_path / "keys"))
    assert again.returncode == 2 and "new or empty folder" in again.stderr
    damaged = tmp_path / "backup" / "hrta.sqlite3"
    damaged.write_bytes(damaged.read_bytes()[:-10] + b"0123456789")
    broken = fresh.hrta("restore", str(tmp_path / "backup"), "--key-dir", str(tmp_path / "keys"))
    assert broken.returncode == 2 and "differs from the one backed up" in broken.stderr
    assert not (fresh.data_dir / "hrta.sqlite3").exists()
    for done in (wrong, used, again, broken):
        assert "Traceback" not in done.stderr
