"""Every `hrta` command as a user runs it: the installed `hrta` script in a new process,
from a shell with its own home, working folder and data folder and nothing else set —
no DJANGO_SETTINGS_MODULE, no database migrated beforehand.

`test_every_command_is_run_here` walks the command tree of the real Typer app: a command
added without a test here fails it. Expensive outputs (the demo wave, a running server)
are made once for the module.
"""

from __future__ import annotations

import ast
import csv
import http.cookiejar
import io
import json
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import argon2
import polars as pl
import pytest
import typer.main
import yaml
from pypdf import PdfReader

from hrta.cli import app
from tests.conftest import FIXTURES
from tests.served import Served, get

HRTA = Path(sys.executable).parent / "hrta"
SMALL = FIXTURES / "small_surveymonkey.csv"
PROFILES = FIXTURES / "assistance_profiles.csv"
DEVELOPMENT = Path(__file__).parent / "data" / "coding_development_set.csv"
BUNDLED_INSTRUMENT = (Path(__file__).parents[1] / "src" / "hrta" / "instrument" / "assessments"
                      / "harm_reduction_ta_2022.yaml")
PASSWORD = "Tall-Harbor-Lantern-42"
SOURCE = Path(__file__).read_text(encoding="utf-8")


@dataclass(frozen=True)
class Shell:
    """A user's shell: a home, a working folder and (unless left out) HRTA_DATA_DIR."""

    root: Path
    with_data_dir: bool = True

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def cwd(self) -> Path:
        return self.root / "work"

    @property
    def data(self) -> Path:
        """Where the databases are: HRTA_DATA_DIR, else the documented ./var."""
        return self.root / "data" if self.with_data_dir else self.cwd / "var"

    def env(self) -> dict[str, str]:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.home), "COLUMNS": "200",
               "NO_COLOR": "1"}
        if self.with_data_dir:
            env["HRTA_DATA_DIR"] = str(self.data)
        return env

    def run(self, *args: str | Path, stdin: str | None = None,
            timeout: float = 240) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(HRTA), *map(str, args)], input=stdin, capture_output=True,
                              text=True, cwd=self.cwd, env=self.env(), timeout=timeout,
                              check=False)


def new_shell(root: Path, *, with_data_dir: bool = True) -> Shell:
    shell = Shell(root, with_data_dir)
    shell.home.mkdir(parents=True)
    shell.cwd.mkdir()
    return shell


@pytest.fixture
def shell(tmp_path: Path) -> Shell:
    return new_shell(tmp_path / "shell")


def ok(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    return result


def refused(result: subprocess.CompletedProcess[str], message: str) -> None:
    """Exit 2 with a clear message (whitespace of the terminal's wrapping ignored)."""
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert message in " ".join(result.stderr.split())


def said(text: str) -> str:
    return " ".join(text.split())


# --- the web app: serve, migrate, user add, demo --load ---------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Shell, Served]]:
    """`hrta serve` from a fresh shell on a data folder nobody migrated."""
    shell = new_shell(tmp_path_factory.mktemp("site"))
    served = Served([HRTA, "serve", "--workers", "1"], env=shell.env(), cwd=shell.cwd)
    yield shell, served
    served.stop()


@pytest.fixture(scope="module")
def demo(site: tuple[Shell, Served]) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`hrta demo --out … --load` into the running site's data folder."""
    shell, _ = site
    result = ok(shell.run("demo", "--out", shell.cwd / "demo", "--load"))
    return shell.cwd / "demo", result


def sign_in(url: str, username: str, password: str) -> tuple[int, str]:
    """Post the staff sign-in form as a browser does; the status and where it leads."""
    jar = http.cookiejar.CookieJar()

    class Stay(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), Stay)
    with opener.open(url + "/staff/login/", timeout=10) as reply:
        page = reply.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page[:500]
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1),
                                   "username": username, "password": password}).encode()
    try:
        with opener.open(url + "/staff/login/", data=body, timeout=10) as reply:
            return reply.status, ""
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Location", "")


def stored_password_is(data: Path, username: str, password: str) -> bool:
    """Check the stored hash with argon2 itself, not with the app: a second look at what
    `hrta user add` wrote."""
    with sqlite3.connect(data / "hrta.sqlite3") as db:
        row = db.execute("SELECT password FROM auth_user WHERE username = ?",
                         (username,)).fetchone()
    assert row is not None, f"no user {username!r}"
    assert row[0].startswith("argon2$argon2id$")
    try:
        return argon2.PasswordHasher().verify(row[0].removeprefix("argon2"), password)
    except argon2.exceptions.VerifyMismatchError:
        return False


def role_of(data: Path, username: str) -> list[tuple[str, int]]:
    with sqlite3.connect(data / "hrta.sqlite3") as db:
        return db.execute(
            "SELECT g.name, u.is_staff FROM auth_user u JOIN auth_user_groups ug "
            "ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id "
            "WHERE u.username = ?", (username,)).fetchall()


def test_serve_from_a_fresh_shell_without_a_data_dir(tmp_path: Path) -> None:
    # No HRTA_DATA_DIR either: the documented default is ./var of the working folder.
    shell = new_shell(tmp_path / "bare", with_data_dir=False)
    served = Served([HRTA, "serve", "--workers", "1"], env=shell.env(), cwd=shell.cwd)
    try:
        status, _, body = get(served.url + "/healthz")
        assert (status, body) == (200, b"ok\n")
        status, _, body = get(served.url + "/healthz/db")
        assert (status, body.decode().splitlines()) == (200, ["default: ok", "contacts: ok"])
        status, _, body = get(served.url + "/staff/login/")
        assert status == 200 and b'name="password"' in body
        assert "Serving at http://127.0.0.1:" in served.output
        # serve migrated both databases itself before answering.
        assert (shell.data / "hrta.sqlite3").is_file()
        assert (shell.data / "contacts.sqlite3").is_file()
        with sqlite3.connect(shell.data / "hrta.sqlite3") as db:
            roles = {name for (name,) in db.execute("SELECT name FROM auth_group")}
        assert roles == {"viewer", "analyst", "admin"}
    finally:
        code = served.stop()
    assert code == 0, served.output
    assert "Traceback" not in served.output


def test_user_add_creates_an_account_that_signs_in(site: tuple[Shell, Served]) -> None:
    shell, served = site
    result = ok(shell.run("user", "add", "ana", "--role", "analyst", "--password-stdin",
                          stdin=PASSWORD + "\n"))
    assert "Staff account 'ana' (analyst) is ready." in result.stdout
    assert stored_password_is(shell.data, "ana", PASSWORD)
    assert role_of(shell.data, "ana") == [("analyst", 1)]
    # The running server lets her in, and not with another password.
    assert sign_in(served.url, "ana", PASSWORD) == (302, "/staff/")
    assert sign_in(served.url, "ana", "Not-Her-Password-1")[0] == 200


def test_user_add_refuses_unknown_roles_and_weak_passwords(site: tuple[Shell, Served]) -> None:
    shell, _ = site
    refused(shell.run("user", "add", "bo", "--role", "owner", "--password-stdin",
                      stdin=PASSWORD + "\n"),
            "unknown role 'owner'; choose one of: viewer, analyst, admin")
    refused(shell.run("user", "add", "bo", "--role", "viewer", "--password-stdin",
                      stdin="short\n"),
            "password refused: This password is too short.")
    with sqlite3.connect(shell.data / "hrta.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM auth_user WHERE username = 'bo'").fetchone() \
            == (0,)


def test_user_add_without_a_data_dir_uses_var(tmp_path: Path) -> None:
    shell = new_shell(tmp_path / "bare", with_data_dir=False)
    ok(shell.run("user", "add", "cy", "--role", "viewer", "--password-stdin",
                 stdin=PASSWORD + "\n"))
    assert stored_password_is(shell.data, "cy", PASSWORD)
    assert not stored_password_is(shell.data, "cy", PASSWORD + "x")
    assert role_of(shell.data, "cy") == [("viewer", 1)]


def test_demo_load_gives_an_admin_and_user_add_resets_it(
        site: tuple[Shell, Served], demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    shell, served = site
    _, result = demo
    assert "Web app: demo wave 'demo-2022' loaded." in result.stdout
    shown = re.search(r"Staff login: admin / (\S+)", result.stdout)
    assert shown, result.stdout
    assert "reset it with `hrta user add admin --role admin`" in said(result.stdout)
    assert sign_in(served.url, "admin", shown.group(1)) == (302, "/staff/")
    with sqlite3.connect(shell.data / "hrta.sqlite3") as db:
        [(count,)] = db.execute(
            "SELECT count(*) FROM surveys_response r JOIN surveys_wave w ON w.id = r.wave_id "
            "WHERE w.slug = 'demo-2022'").fetchall()
    rows = list(csv.reader((shell.cwd / "demo" / "responses.csv").open(encoding="utf-8")))
    assert count == len(rows) - 2  # the export's two header rows
    # The documented reset: the old password stops working, the new one works.
    ok(shell.run("user", "add", "admin", "--role", "admin", "--password-stdin",
                 stdin=PASSWORD + "\n"))
    assert sign_in(served.url, "admin", shown.group(1))[0] == 200
    assert sign_in(served.url, "admin", PASSWORD) == (302, "/staff/")
    assert role_of(shell.data, "admin") == [("admin", 1)]


def test_worker_batch_on_a_fresh_data_dir(tmp_path: Path) -> None:
    """`hrta worker --batch` migrates a data folder nobody set up, works the (empty) queue
    and exits; without --batch it would keep waiting for tasks."""
    shell = new_shell(tmp_path)
    result = ok(shell.run("worker", "--batch", "--id", "fresh", "--interval", "0.1",
                          timeout=120))
    assert "Worker fresh working the task queue" in said(result.stdout)
    assert "No queued tasks left." in said(result.stdout)
    assert (shell.data / "hrta.sqlite3").exists()


def test_user_unlock_reopens_a_paused_account(site: tuple[Shell, Served]) -> None:
    shell, served = site
    ok(shell.run("user", "add", "dee", "--role", "viewer", "--password-stdin",
                 stdin=PASSWORD + "\n"))
    for _ in range(5):
        assert sign_in(served.url, "dee", "Not-Her-Password-1")[0] == 200
    assert sign_in(served.url, "dee", PASSWORD)[0] == 200  # paused: even the right one
    result = ok(shell.run("user", "unlock", "dee"))
    assert said(result.stdout).startswith("Sign-in for 'dee' is open again")
    assert sign_in(served.url, "dee", PASSWORD) == (302, "/staff/")
    refused(shell.run("user", "unlock", "nobody"), "nobody")


def test_audit_log_export(site: tuple[Shell, Served]) -> None:
    shell, served = site
    ok(shell.run("user", "add", "eve", "--role", "viewer", "--password-stdin",
                 stdin=PASSWORD + "\n"))
    assert sign_in(served.url, "eve", PASSWORD) == (302, "/staff/")
    out = shell.cwd / "audit.jsonl"
    result = ok(shell.run("audit-log", "export", "-o", out))
    entries = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert f"Wrote {len(entries)} audit entries to {out}." in said(result.stdout)
    added = [e for e in entries if e["action"] == "user_add"
             and e["detail"]["account"] == "eve"]
    assert len(added) == 1 and added[0]["via"] == "cli" and added[0]["detail"]["role"] == "viewer"
    assert "password" not in json.dumps(added[0]["detail"]).replace('"password": "set"', "")
    assert any(e["action"] == "login" and e["username"] == "eve" and e["via"] == "web"
               for e in entries)
    assert [e["id"] for e in entries] == sorted(e["id"] for e in entries)  # oldest first
    table = shell.cwd / "audit.csv"
    ok(shell.run("audit-log", "export", "-o", table, "--action", "user_add"))
    rows = list(csv.DictReader(table.open(encoding="utf-8")))
    assert rows and {row["action"] for row in rows} == {"user_add"}
    assert "eve" in {json.loads(row["detail"])["account"] for row in rows}


def test_backup_while_serving_then_restore_in_a_fresh_shell(
        site: tuple[Shell, Served], demo: tuple[Path, subprocess.CompletedProcess[str]],
        tmp_path: Path) -> None:
    shell, _ = site
    ok(shell.run("user", "add", "fay", "--role", "admin", "--password-stdin",
                 stdin=PASSWORD + "\n"))
    backup, keys = tmp_path / "backup", tmp_path / "keys"
    result = ok(shell.run("backup", backup, "--key-dir", keys))
    assert f"Contacts key written to {keys / 'contacts.key'}" in said(result.stdout)
    assert not (backup / "contacts.key").exists()  # kept apart from the backup
    other = new_shell(tmp_path / "elsewhere")
    result = ok(other.run("restore", backup, "--key-dir", keys))
    rows = list(csv.reader((demo[0] / "responses.csv").open(encoding="utf-8")))
    assert f"Restored {len(rows) - 2} responses" in said(result.stdout)
    assert stored_password_is(other.data, "fay", PASSWORD)
    assert role_of(other.data, "fay") == [("admin", 1)]
    assert (other.data / "contacts.key").read_text().strip() == \
        (shell.data / "contacts.key").read_text().strip()
    # Restoring over a data folder in use is refused, and leaves it as it was.
    before = (shell.data / "hrta.sqlite3").stat().st_size
    again = shell.run("restore", backup, "--key-dir", keys)
    assert again.returncode == 2 and "Traceback" not in again.stderr
    assert (shell.data / "hrta.sqlite3").stat().st_size == before


def test_migrate_a_fresh_data_dir_then_again(shell: Shell) -> None:
    first = ok(shell.run("migrate"))
    assert said(first.stdout).startswith("Database 'default': Operations to perform:")
    assert "Database 'contacts':" in first.stdout
    assert re.search(r"Applying surveys\.0001_\w+\.\.\. OK", first.stdout)
    assert re.search(r"Applying contacts\.0001_\w+\.\.\. OK", first.stdout)
    again = ok(shell.run("migrate"))
    assert again.stdout.count("No migrations to apply.") == 2
    assert "Applying" not in again.stdout


def test_wave_create_from_a_drafted_instrument_then_refuse_the_same_name(shell: Shell) -> None:
    drafted = shell.cwd / "needs.yaml"
    ok(shell.run("instrument", "draft", FIXTURES / "drafting" / "needs_assessment.csv",
                 "-o", drafted))
    created = ok(shell.run("wave", "create", "needs-2026", "--instrument", drafted,
                           "--title", "Needs 2026"))
    assert "needs-2026" in created.stdout
    database = sqlite3.connect(shell.data / "hrta.sqlite3")
    try:
        rows = database.execute("SELECT slug, title FROM surveys_wave").fetchall()
    finally:
        database.close()
    assert ("needs-2026", "Needs 2026") in rows
    refused(shell.run("wave", "create", "needs-2026"), "needs-2026")


# --- the instrument ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_instrument(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's own copy of the instrument, with its own version and title."""
    text = BUNDLED_INSTRUMENT.read_text(encoding="utf-8")
    text = text.replace('version: "2022.1"', 'version: "2022.1-local"', 1)
    text = text.replace("title: Harm Reduction Technical Assistance Needs Assessment",
                        "title: Our Local Needs Assessment", 1)
    path = tmp_path_factory.mktemp("instrument") / "ours.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_instrument_show_tree_json_language_and_a_file(shell: Shell,
                                                       local_instrument: Path) -> None:
    tree = ok(shell.run("instrument", "show")).stdout
    assert "harm_reduction_ta_2022" in tree and "screening (single; required)" in tree
    data = json.loads(ok(shell.run("instrument", "show", "--json")).stdout)
    assert data["id"] == "harm_reduction_ta_2022"
    assert data["questions"][0]["id"] == "screening"
    spanish = ok(shell.run("instrument", "show", "--language", "es")).stdout
    assert "¿Trabaja usted ahora en una organización" in said(spanish)
    ours = ok(shell.run("instrument", "show", "--instrument", local_instrument)).stdout
    assert "Our Local Needs Assessment" in ours and "v2022.1-local" in ours
    refused(shell.run("instrument", "show", "--language", "xx"),
            "no 'xx' wording of 'harm_reduction_ta_2022'; available: en, es")
    refused(shell.run("instrument", "show", "--instrument", "no_such_assessment"),
            "no bundled instrument 'no_such_assessment'")


def test_instrument_draft_import_match_and_export(shell: Shell) -> None:
    """The instrument commands a TA center uses for a questionnaire that is not the 2022 one."""
    drafted = shell.cwd / "needs.yaml"
    needs = FIXTURES / "drafting" / "needs_assessment.csv"
    ok(shell.run("instrument", "draft", needs, "-o", drafted))
    assert yaml.safe_load(drafted.read_text(encoding="utf-8"))["sections"][0]["questions"]
    findings = shell.cwd / "needs.json"
    ok(shell.run("analyze", needs, "--instrument", drafted, "--json", findings, "--no-themes"))
    assert json.loads(findings.read_text(encoding="utf-8"))["responses"]["total"] > 0

    imported = shell.cwd / "qualtrics.yaml"
    ok(shell.run("instrument", "import", FIXTURES / "qualtrics" / "ta_needs_2024.qsf",
                 "-o", imported))
    assert "sections:" in imported.read_text(encoding="utf-8")

    mapping = shell.cwd / "mapping.yaml"
    ok(shell.run("instrument", "match", SMALL, "--instrument", "harm_reduction_ta_2022",
                 "-o", mapping))
    ok(shell.run("analyze", SMALL, "--mapping", mapping, "--json", shell.cwd / "m.json",
                 "--no-themes"))

    form = shell.cwd / "form.xlsx"
    ok(shell.run("instrument", "export", "--to", "xlsform", "-o", form))
    assert form.stat().st_size > 0
    refused(shell.run("instrument", "draft", shell.cwd / "missing.csv", "-o",
                      shell.cwd / "x.yaml"), "no such file")
    assert not (shell.cwd / "x.yaml").exists()


# --- analysis, reports, conversion ---------------------------------------------------------

@pytest.fixture(scope="module")
def findings(demo: tuple[Path, subprocess.CompletedProcess[str]],
             site: tuple[Shell, Served]) -> Path:
    """The demo wave's Findings, the bundled instrument named explicitly."""
    shell, _ = site
    out = shell.cwd / "findings.json"
    ok(shell.run("analyze", demo[0] / "responses.csv", "--json", out, "--no-themes",
                 "--instrument", "harm_reduction_ta_2022"))
    return out


def test_demo_writes_an_export_and_its_report(
        demo: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    folder, result = demo
    rows = list(csv.reader((folder / "responses.csv").open(encoding="utf-8")))
    header, data = rows[0], rows[2:]
    screening = next(i for i, text in enumerate(header) if text.startswith("Are you currently "
                                                                             "employed"))
    excluded = sum(1 for row in data if row[screening].startswith("No,"))
    assert (f"{len(data)} responses: {len(data) - excluded} eligible, {excluded} excluded"
            in result.stderr)
    assert f"Responses: {folder / 'responses.csv'}" in said(result.stdout)
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "Figure 12." in html
    assert f"{len(data)} individuals responded" in " ".join(html.split())


def test_analyze_with_an_instrument_file_and_a_mapping(
        shell: Shell, demo: tuple[Path, subprocess.CompletedProcess[str]], findings: Path,
        local_instrument: Path) -> None:
    # The same export with a reworded question, option label and grid statement.
    text = (demo[0] / "responses.csv").read_text(encoding="utf-8")
    changes = {
        "Are you currently employed at a mental health or substance use disorder (SUD) "
        "treatment organization?": "Do you work at a treatment organization?",
        "Naloxone distribution": "Narcan handed out",
        "Our organizational leadership supports harm reduction services.":
            "Our leaders back harm reduction.",
    }
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    reworded = shell.cwd / "reworded.csv"
    reworded.write_text(text, encoding="utf-8")
    mapping = shell.cwd / "map.yaml"
    mapping.write_text(yaml.safe_dump({
        "questions": {"Do you work at a treatment organization?": "screening"},
        "options": {qid: {"Narcan handed out": "naloxone"}
                    for qid in ("services_direct", "services_referral", "services_planned")},
        "statements": {"fb_organizational": {"Our leaders back harm reduction.":
                                             "leadership_support"}},
    }), encoding="utf-8")
    without = shell.run("analyze", reworded, "--json", shell.cwd / "no.json", "--no-themes")
    refused(without, "('Narcan handed out'): unknown label 'Narcan handed out' "
                     "under question 'services_direct'")
    assert "reworded.csv, row 2, column AC" in said(without.stderr)
    assert not (shell.cwd / "no.json").exists()

    out = shell.cwd / "mapped.json"
    ok(shell.run("analyze", reworded, "--json", out, "--no-themes",
                 "--instrument", local_instrument, "--mapping", mapping))
    mapped = json.loads(out.read_text(encoding="utf-8"))
    direct = json.loads(findings.read_text(encoding="utf-8"))
    assert mapped["instrument_version"] == "2022.1-local"
    assert direct["instrument_version"] == "2022.1"
    assert mapped["questions"] == direct["questions"]
    assert mapped["responses"] == direct["responses"]


TINY_INSTRUMENT = """\
id: small_check_in
version: "1"
title: A Small Check-in
eligibility: {question: screening, ineligible_options: [elsewhere]}
sections:
  - id: about
    title: About you
    questions:
      - id: screening
        type: single
        required: true
        text: Do you work at a treatment organization?
        options: [{id: works, label: "Yes"}, {id: elsewhere, label: "No"}]
      - id: services
        type: multi
        short: Services provided
        text: Which services do you provide?
        options:
          - {id: naloxone, label: Naloxone distribution}
          - {id: peer, label: Peer support}
          - {id: testing, label: Drug checking}
report:
  title: A Small Check-in Report
  sections:
    - id: services
      title: Services
      items:
        - {kind: figure, title: Services Provided, questions: [services], chart: bar}
"""
TINY_WAVE = """\
response_id,question_id,option_id,value
r1,screening,works,
r1,services,naloxone,
r1,services,peer,
r2,screening,works,
r2,services,naloxone,
r3,screening,works,
r3,services,testing,
r4,screening,elsewhere,
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A user's own small instrument and a wave of it: a quick report to render."""
    folder = tmp_path_factory.mktemp("tiny")
    (folder / "ours.yaml").write_text(TINY_INSTRUMENT, encoding="utf-8")
    (folder / "wave.csv").write_text(TINY_WAVE, encoding="utf-8")
    return folder / "ours.yaml", folder / "wave.csv"


def test_report_html_with_a_discussion(shell: Shell, tiny: tuple[Path, Path]) -> None:
    instrument, wave = tiny
    discussion = shell.cwd / "discussion.md"
    discussion.write_text("# What we make of it\n\nFunding is **the** barrier <script>x"
                          "</script>.\n", encoding="utf-8")
    out = shell.cwd / "report.html"
    result = ok(shell.run("report", wave, "--instrument", instrument, "-o", out,
                          "--discussion", discussion))
    assert "4 responses: 3 eligible, 1 excluded" in result.stderr
    assert f"Report: {out}" in result.stdout
    html = out.read_text(encoding="utf-8")
    assert "A Small Check-in Report" in html and "Services Provided" in html
    # Naloxone: 2 of the 3 eligible who answered.
    assert "naloxone distribution (67%, n=3)" in " ".join(html.split())
    assert "What we make of it" in html and "<strong>the</strong> barrier" in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>x" not in html
    refused(shell.run("report", wave, "--instrument", instrument, "-o", shell.cwd / "r.html",
                      "--discussion", shell.cwd / "nowhere.md"), "cannot read the discussion")
    assert not (shell.cwd / "r.html").exists()


def test_report_pdf(shell: Shell, tiny: tuple[Path, Path]) -> None:
    instrument, wave = tiny
    out = shell.cwd / "report.pdf"
    ok(shell.run("report", wave, "--instrument", instrument, "-o", out))
    reader = PdfReader(out)
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    # Without --discussion the report is a draft, and says so before anything else.
    assert text.startswith("DRAFT: the discussion is not yet written. "
                           "STAKEHOLDER ANALYSIS A Small Check-in Report")
    assert "A total of 4 individuals responded to the survey" in text
    assert "Instrument small_check_in (version 1); data from wave.csv." in text


def test_convert_to_parquet_and_csv_and_refuse_other_names(shell: Shell) -> None:
    parquet, native = shell.cwd / "wave.parquet", shell.cwd / "wave.csv"
    result = ok(shell.run("convert", SMALL, "-o", parquet))
    assert f"Wrote 5 responses to {parquet}" in said(result.stdout)
    ok(shell.run("convert", SMALL, "-o", native))
    table = pl.read_csv(native, infer_schema=False)
    assert table.columns == ["response_id", "question_id", "option_id", "value"]
    assert table["response_id"].unique().len() == 5
    # The two files hold the same long table.
    from_parquet = ok(shell.run("convert", parquet, "-o", shell.cwd / "again.csv"))
    assert "Wrote 5 responses" in from_parquet.stdout
    assert (shell.cwd / "again.csv").read_bytes() == native.read_bytes()
    # Contact details are left out of the native file.
    assert not table.filter(pl.col("value").fill_null("").str.contains("@")).height
    refused(shell.run("convert", SMALL, "-o", shell.cwd / "wave.txt"),
            "wave.txt: name the output *.csv, *.parquet, *.xlsx, *.sav or *.dta")
    assert not (shell.cwd / "wave.txt").exists()


# --- acting on a wave: plan, demand, cohorts, catalog --------------------------------------

def test_plan_with_and_without_staff_notes(shell: Shell) -> None:
    catalog = shell.cwd / "catalog.yaml"
    catalog.write_text((FIXTURES / "assistance_catalog.yaml").read_text(encoding="utf-8"),
                       encoding="utf-8")
    plain, staff = shell.cwd / "plan.html", shell.cwd / "staff.html"
    result = ok(shell.run("plan", PROFILES, "--respondent", "full", "-o", plain,
                          "--json", shell.cwd / "plan.json", "--catalog", catalog))
    assert "full: 7 TA areas" in result.stderr
    ok(shell.run("plan", PROFILES, "--respondent", "full", "-o", staff, "--staff",
                 "--json", shell.cwd / "staff.json", "--catalog", catalog))
    assert "Staff note" not in plain.read_text(encoding="utf-8")
    assert "Staff note: Staff only &lt;em&gt;note&lt;/em&gt;" in staff.read_text(encoding="utf-8")
    resources = [r for area in json.loads((shell.cwd / "staff.json").read_text())["areas"]
                 for r in area["resources"]]
    assert any(r["id"] == "c_individual" and r["notes"] == "Staff only <em>note</em>"
               for r in resources)
    plain_resources = [r for area in json.loads((shell.cwd / "plan.json").read_text())["areas"]
                       for r in area["resources"]]
    assert plain_resources and not any("notes" in r for r in plain_resources)


def test_demand_json_and_page(shell: Shell) -> None:
    result = ok(shell.run("demand", PROFILES, "--json", shell.cwd / "demand.json",
                          "-o", shell.cwd / "demand.html", "--suppress-below", "1"))
    data = json.loads((shell.cwd / "demand.json").read_text(encoding="utf-8"))
    assert (data["eligible"], data["areas"]["n"]) == (3, 2)
    assert "2 of 3 eligible respondents chose TA areas" in said(result.stderr)
    assert "<svg" in (shell.cwd / "demand.html").read_text(encoding="utf-8")


def test_cohorts_min_size(shell: Shell) -> None:
    lines = ["response_id,question_id,option_id,value"]
    for number, state in ((1, "ok"), (2, "ok"), (3, "tx"), (4, "ok"), (5, "ca"), (6, "or")):
        for qid, option in (("screening", "employed"), ("state", state),
                            ("ta_areas", "funding"), ("ta_formats", "small_group")):
            lines.append(f"r{number},{qid},{option},")
    wave = shell.cwd / "wave.csv"
    wave.write_text("\n".join(lines) + "\n", encoding="utf-8")
    consented = shell.cwd / "consented.txt"
    consented.write_text("\n".join(f"r{n}" for n in range(1, 7)) + "\n", encoding="utf-8")

    def cohorts(*extra: str) -> list[tuple[str, list[str]]]:
        out = shell.cwd / "cohorts.json"
        ok(shell.run("cohorts", wave, "--consented", consented, "--json", out, *extra))
        return [(c["region"], [m["response_id"] for m in c["members"]])
                for c in json.loads(out.read_text(encoding="utf-8"))]

    # South: r1, r2, r3, r4 (Oklahoma, Texas); west: r5, r6 (California, Oregon).
    assert cohorts() == [("south", ["r1", "r2", "r3", "r4"]), ("west", ["r5", "r6"])]
    assert cohorts("--min-size", "3") == [("south", ["r1", "r2", "r3", "r4"])]
    refused(shell.run("cohorts", wave, "--min-size", "0"), "--min-size")


def test_catalog_import_then_list_in_the_users_home(shell: Shell) -> None:
    # No --catalog: the user catalog is under the user's home, as documented.
    good = shell.cwd / "ours.csv"
    good.write_text("id,title,publisher,format,topics\n"
                    "center_cohort,Funding cohort,Our TA center,small_group,funding\n",
                    encoding="utf-8")
    result = ok(shell.run("catalog", "import", good))
    user_catalog = shell.home / ".local" / "share" / "hrta" / "catalog.yaml"
    assert f"into {user_catalog}" in said(result.stdout)
    assert "center_cohort" in user_catalog.read_text(encoding="utf-8")
    listed = json.loads(ok(shell.run("catalog", "list", "--json", "--topic", "funding")).stdout)
    ours = [entry for entry in listed if entry["id"] == "center_cohort"]
    assert len(ours) == 1 and ours[0]["title"] == "Funding cohort"
    table = ok(shell.run("catalog", "list", "--resource-format", "small_group")).stdout
    assert "center_cohort" in table and "Funding cohort" in table


# --- coding ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def own_codebook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Shell, Path]:
    """The challenges codebook exported as CSV, one label changed, imported back as YAML."""
    shell = new_shell(tmp_path_factory.mktemp("codebook"))
    exported = shell.cwd / "challenges.csv"
    result = ok(shell.run("codebook", "export", "--question", "challenges", "-o", exported))
    assert f"Codebook of challenges (9 themes): {exported}" in said(result.stdout)
    rows = list(csv.reader(io.StringIO(exported.read_text(encoding="utf-8"))))
    label = rows[0].index("label")
    funding = next(row for row in rows if row[0] == "funding")
    assert funding[label] == "Inadequate funding"
    funding[label] = "Money troubles"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    exported.write_text(buffer.getvalue(), encoding="utf-8")
    imported = shell.cwd / "ours.yaml"
    result = ok(shell.run("codebook", "import", exported, "--question", "challenges",
                          "-o", imported))
    assert f"Read 9 themes from {exported}; wrote {imported}" in said(result.stdout)
    return shell, imported


def test_codebook_show_export_import(own_codebook: tuple[Shell, Path]) -> None:
    shell, imported = own_codebook
    book = yaml.safe_load(imported.read_text(encoding="utf-8"))
    assert "Money troubles" in json.dumps(book)
    shown = json.loads(ok(shell.run("codebook", "show", "--question", "challenges",
                                    "--codebook", imported, "--json")).stdout)
    labels = {theme["id"]: theme["label"] for theme in shown["themes"]}
    assert labels["funding"] == "Money troubles" and len(labels) == 9
    table = ok(shell.run("codebook", "show", "--question", "facilitators")).stdout
    assert "Greatest facilitators of harm reduction efforts" in table
    assert "health_agencies" in table and "peers_lived_experience" in table
    refused(shell.run("codebook", "show", "--question", "org_type"), "org_type")


def _labelled(question: str) -> list[list[str]]:
    rows = list(csv.reader(DEVELOPMENT.open(encoding="utf-8")))
    return [row for row in rows[1:] if row[0] == question]


def test_code_answers_with_own_codebook_and_tuning_set(own_codebook: tuple[Shell, Path]) -> None:
    shell, imported = own_codebook
    rows = _labelled("challenges")
    tune = shell.cwd / "tune.csv"
    with tune.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["question", "text", "themes"], *rows[:50]])
    answers = shell.cwd / "answers.csv"
    texts = [row[1] for row in rows[50:]]
    with answers.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([["response_id", "text"],
                                      *[[f"a{i}", text] for i, text in enumerate(texts)]])
    out = shell.cwd / "coded.json"
    result = ok(shell.run("code", answers, "--format", "answers", "--question", "challenges",
                          "--codebook", imported, "--tune", tune, "--json", out))
    coded = json.loads(out.read_text(encoding="utf-8"))
    assert coded["tuning"]["source"] == "tune.csv" and coded["tuning"]["answers"] == 50
    assert coded["n"] == len(texts)
    assert [r["response_id"] for r in coded["responses"]] == [f"a{i}" for i in
                                                              range(len(texts))]
    assert {t["label"] for t in coded["themes"]} >= {"Money troubles"}
    assert "Money troubles" in result.stdout  # the table printed to the terminal
    assert f"Coded answers: {out}" in said(result.stdout)


def test_code_evaluate_against_labelled_answers(shell: Shell) -> None:
    out = shell.cwd / "evaluation.json"
    result = ok(shell.run("code", "--evaluate", DEVELOPMENT, "--question", "facilitators",
                          "--json", out))
    evaluation = json.loads(out.read_text(encoding="utf-8"))
    assert evaluation["answers"] == len(_labelled("facilitators"))
    assert set(evaluation["themes"]) == {
        "health_agencies", "peers_lived_experience", "collaboration", "leadership",
        "education_training", "community_support", "champion", "reimbursement"}
    # Each theme's support is the number of answers people labelled with it.
    for theme, stats in evaluation["themes"].items():
        assert stats["support"] == sum(1 for row in _labelled("facilitators")
                                       if theme in row[2].split(";")), theme
    assert "micro" in result.stdout and "facilitators: agreement with" in said(result.stdout)


# --- the audit -----------------------------------------------------------------------------

def test_audit_text_json_and_against_findings(shell: Shell, findings: Path) -> None:
    data = json.loads(findings.read_text(encoding="utf-8"))
    yes = data["questions"]["ta_receiving"]["options"]["yes"]
    n = data["questions"]["ta_receiving"]["n"]
    right = round(100 * yes["count"] / n)
    wrong = right + 9
    report = shell.cwd / "ours.md"
    report.write_text(
        "## Technical assistance\n\n"
        f"Of a total of {n} respondents, {wrong}% reported that their organization is "
        "currently receiving technical assistance.\n\n"
        "Of a total of 80 respondents, 40% strongly agree or agree that local agencies "
        "support harm reduction, 35% somewhat disagree, 20% strongly disagree and 15% "
        "don't know.\n", encoding="utf-8")
    text = ok(shell.run("audit", report)).stdout
    assert "Answer shares that do not add up to 100% (distribution-sum): 1" in text
    assert "40% + 35% + 20% + 15% = 110%" in said(text)
    assert text.rstrip().endswith("1 flag.")
    flags = json.loads(ok(shell.run("audit", report, "--json")).stdout)
    assert [f["kind"] for f in flags] == ["distribution-sum"]
    checked = json.loads(ok(shell.run("audit", report, "--findings", findings,
                                      "--json")).stdout)
    unmatched = [f for f in checked if f["kind"] == "unmatched-value"]
    assert any(f"not {wrong}%" in f["reason"] for f in unmatched), unmatched
    refused(shell.run("audit", report, "--findings", report), "not JSON")


# --- backups and the audit log -------------------------------------------------------------

def test_backup_restore_and_audit_log_export(shell: Shell, tmp_path: Path) -> None:
    ok(shell.run("user", "add", "ana", "--role", "admin", "--password-stdin",
                 stdin=PASSWORD + "\n"))
    made = ok(shell.run("backup", shell.root / "backup", "--key-dir", shell.root / "keys"))
    assert "keep it apart from the backup" in said(made.stdout)
    refused(shell.run("backup", shell.root / "backup"), "choose a new or empty folder")
    fresh_shell = new_shell(tmp_path / "fresh")
    refused(fresh_shell.run("restore", shell.root / "backup"), "give --key-dir")
    done = ok(fresh_shell.run("restore", shell.root / "backup", "--key-dir",
                              shell.root / "keys"))
    assert "Restored 0 responses and 0 contact entries" in said(done.stdout)
    ok(fresh_shell.run("audit-log", "export", "-o", fresh_shell.cwd / "audit.jsonl"))
    lines = (fresh_shell.cwd / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    actions = [json.loads(line)["action"] for line in lines]
    assert {"user_add", "backup", "restore", "audit_export"} <= set(actions)
    refused(shell.run("audit-log", "export", "-o", shell.cwd / "audit.xml"),
            "unknown format 'xml'")


# --- every command has its test ----------------------------------------------------------

COVERED: dict[tuple[str, ...], str] = {
    ("analyze",): "test_analyze_with_an_instrument_file_and_a_mapping",
    ("report",): "test_report_html_with_a_discussion",
    ("audit",): "test_audit_text_json_and_against_findings",
    ("convert",): "test_convert_to_parquet_and_csv_and_refuse_other_names",
    ("demo",): "demo",
    ("serve",): "test_serve_from_a_fresh_shell_without_a_data_dir",
    ("migrate",): "test_migrate_a_fresh_data_dir_then_again",
    ("wave", "create"): "test_wave_create_from_a_drafted_instrument_then_refuse_the_same_name",
    ("worker",): "test_worker_batch_on_a_fresh_data_dir",
    ("code",): "test_code_answers_with_own_codebook_and_tuning_set",
    ("plan",): "test_plan_with_and_without_staff_notes",
    ("demand",): "test_demand_json_and_page",
    ("cohorts",): "test_cohorts_min_size",
    ("instrument", "show"): "test_instrument_show_tree_json_language_and_a_file",
    ("instrument", "draft"): "test_instrument_draft_import_match_and_export",
    ("instrument", "import"): "test_instrument_draft_import_match_and_export",
    ("instrument", "match"): "test_instrument_draft_import_match_and_export",
    ("instrument", "export"): "test_instrument_draft_import_match_and_export",
    ("user", "add"): "test_user_add_creates_an_account_that_signs_in",
    ("user", "unlock"): "test_user_unlock_reopens_a_paused_account",
    ("codebook", "show"): "test_codebook_show_export_import",
    ("codebook", "export"): "own_codebook",
    ("codebook", "import"): "own_codebook",
    ("catalog", "list"): "test_catalog_import_then_list_in_the_users_home",
    ("catalog", "import"): "test_catalog_import_then_list_in_the_users_home",
    ("audit-log", "export"): "test_backup_restore_and_audit_log_export",
    ("backup",): "test_backup_restore_and_audit_log_export",
    ("restore",): "test_backup_restore_and_audit_log_export",
}


def _commands(command: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        yield path
        return
    for name, sub in subcommands.items():
        yield from _commands(sub, (*path, name))


def test_every_command_is_run_here() -> None:
    commands = set(_commands(typer.main.get_command(app)))
    assert len(commands) >= 18
    missing = sorted(" ".join(c) for c in commands - set(COVERED))
    assert not missing, f"hrta commands without a fresh-process test here: {missing}"
    assert not set(COVERED) - commands, "tests named for commands that no longer exist"
    functions = {node.name: ast.get_source_segment(SOURCE, node)
                 for node in ast.parse(SOURCE).body if isinstance(node, ast.FunctionDef)}
    for command, name in COVERED.items():
        # The named test (or fixture) really runs the command: its words are in the call.
        source = functions[name] or ""
        call = ", ".join(f'"{word}"' for word in command)
        assert f"shell.run({call}" in source or f"Served([HRTA, {call}" in source, \
            f"{name} does not run hrta {' '.join(command)}"
