"""`hrta serve`, `hrta user add`, `hrta wave create` and the demo wave's loading: the web
app from the command line. Django is set up only when one of these runs, so the analysis
commands stay fast."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from hrta.defaults import DEFAULT_INSTRUMENT
from hrta.errors import InputError

if TYPE_CHECKING:
    from hrta.web.surveys.models import Wave

user_app = typer.Typer(no_args_is_help=True, help="TA center staff accounts.")
wave_app = typer.Typer(no_args_is_help=True, help="Waves of the web assessment.")
# Markup off: names, paths and settings are printed as they are, "[" and "]" included.
out = Console(markup=False)
err = Console(stderr=True, markup=False)

DEMO_WAVE = "demo-2022"
DEMO_ADMIN = "admin"


def prepare() -> None:
    """Set Django up and bring both databases up to date."""
    from hrta.web import setup

    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("migrate", database="contacts", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)  # the Findings cache, shared by servers
    from hrta.web.accounts.roles import ensure_roles
    from hrta.web.audit import record_settings

    ensure_roles()
    record_settings()


def migrate() -> None:
    """Bring both databases (answers and contact details) up to date after an upgrade.

    `hrta serve` does the same when it starts; this shows each step."""
    from hrta.web import setup

    setup()
    from django.core.management import call_command

    from hrta.web.accounts.roles import ensure_roles

    for alias in ("default", "contacts"):
        out.print(f"Database {alias!r}:", highlight=False)
        call_command("migrate", database=alias, interactive=False, verbosity=1)
    call_command("createcachetable", verbosity=1)
    ensure_roles()
    from hrta.web.audit import record_settings

    record_settings()


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(
        "--workers", min=0, help="Worker processes; 0 means 2 per core + 1.")] = 0,
    threads: Annotated[int, typer.Option(
        "--threads", min=1, help="Threads per worker process.")] = 4,
) -> None:
    """Serve the assessment and the staff pages with gunicorn.

    Slow work (coding runs, reports) waits in the task queue for `hrta worker`: run at
    least one beside the servers (`make run` starts both)."""
    prepare()
    bind = f"{host}:{port}"
    if port == 0:
        # Port 0 asks the system for a free port; binding it here, before gunicorn takes
        # this process's place, lets the line below name the port actually served.
        listener = socket.create_server((host, 0))
        listener.set_inheritable(True)
        port = listener.getsockname()[1]
        bind = f"fd://{listener.fileno()}"
    command = gunicorn_command(bind=bind, workers=workers, threads=threads)
    out.print(f"Serving at http://{host}:{port}/  (staff pages: http://{host}:{port}/staff/)",
              highlight=False)
    sys.stdout.flush()
    # gunicorn takes this process's place, so a service manager's signals (stop, reload)
    # reach it directly and no parent is left behind.
    os.execve(command[0], command, {**os.environ, "DJANGO_SETTINGS_MODULE": "hrta.web.settings"})


def worker(
    interval: Annotated[float, typer.Option(
        "--interval", min=0.05, help="Seconds between looks at an empty queue.")] = 1.0,
    worker_id: Annotated[str, typer.Option(
        "--id", help="This worker's name in the queue and the logs (default: host-pid); "
                     "unique among the workers.")] = "",
    batch: Annotated[bool, typer.Option(
        "--batch", help="Work what is queued, then exit (for cron or a one-off run).")] = False,
) -> None:
    """Work the queued tasks (coding runs, reports, Findings): run one or more beside
    `hrta serve`, on any machine that reaches the database and the shared folder.

    A worker killed in the middle of a task loses it for HRTA_TASK_LEASE seconds; then
    another worker (or this one, restarted) takes it over. Stop it with SIGTERM or Ctrl-C:
    it finishes the task in hand first."""
    prepare()
    from hrta.web.tasks.worker import Worker
    from hrta.web.tasks.worker import worker_id as default_id

    name = worker_id or default_id()
    if len(name) > 64:
        raise InputError("--id: at most 64 characters")
    out.print(f"Worker {name} working the task queue", highlight=False)
    sys.stdout.flush()
    queue_worker = Worker(worker_id=name, interval=interval, batch=batch)
    queue_worker.configure_signals()
    queue_worker.run()
    if batch:
        out.print("No queued tasks left.", highlight=False)


def gunicorn_command(*, bind: str, workers: int = 0, threads: int = 4) -> list[str]:
    """gunicorn with threaded workers: a respondent's page waits on the database, not the
    CPU, so threads keep the cores busy while requests wait. The app is loaded once and
    then forked (--preload): workers start at once and share the imported libraries, which
    matters most when the server is restarted under load."""
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or \
        shutil.which("gunicorn")
    if gunicorn is None:
        raise InputError("gunicorn is not installed in this environment")
    count = workers or (2 * (os.cpu_count() or 1) + 1)
    return [gunicorn, "hrta.web.wsgi:application", "--bind", bind,
            "--workers", str(count), "--threads", str(threads), "--worker-class", "gthread",
            "--preload", "--timeout", "120", "--graceful-timeout", "10",
            "--access-logfile", "-", "--logger-class", "hrta.web.accesslog.ScrubbingLogger",
            *_forwarded_allow_ips()]


def _forwarded_allow_ips() -> list[str]:
    """The proxies whose X-Forwarded-For the app believes (HRTA_TRUSTED_PROXIES) are the
    ones whose X-Forwarded-Proto gunicorn believes; unset, gunicorn keeps its own default
    (FORWARDED_ALLOW_IPS, else loopback)."""
    from django.conf import settings

    proxies = settings.HRTA_TRUSTED_PROXIES
    return ["--forwarded-allow-ips", ",".join(proxies)] if proxies else []


def load_demo(*, seed: int = 2022) -> str:
    """Load the demo wave (if not loaded yet) and a demo admin; return the admin's password,
    or an empty string when the admin existed already."""
    prepare()
    from django.contrib.auth import get_user_model

    from hrta.demo import demo_responses
    from hrta.instrument import load_bundled
    from hrta.web.accounts.roles import assign_role
    from hrta.web.surveys.models import Wave
    from hrta.web.surveys.services import import_responses, record

    instrument = load_bundled()
    wave, created = Wave.objects.get_or_create(
        slug=DEMO_WAVE, defaults={"title": "Demo wave (synthetic, shaped like 2022)",
                                  "instrument_id": instrument.id,
                                  "instrument_version": instrument.version})
    if created:
        record(action="wave_create", wave=wave, detail={"title": wave.title, "demo": True})
    if created or not wave.responses.exists():
        import_responses(wave=wave, responses=demo_responses(instrument, seed=seed),
                         source_name="demo")
    users = get_user_model()
    if users.objects.filter(username=DEMO_ADMIN).exists():
        return ""
    password = secrets.token_urlsafe(12)
    user = users.objects.create_user(DEMO_ADMIN, password=password)
    assign_role(user, "admin")
    record(action="user_add", detail={"account": DEMO_ADMIN, "role": "admin"})
    return password


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The login name.")],
    role: Annotated[str, typer.Option("--role", help="admin, analyst or viewer.")],
    password_stdin: Annotated[bool, typer.Option(
        "--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create a staff account (or reset its password and role)."""
    try:
        _add_user(name, role, password_stdin)
    except InputError as exc:
        from hrta.commandline import fail

        fail(exc)


def _add_user(name: str, role: str, password_stdin: bool) -> None:
    from hrta.web import setup

    # Settings first: the roles module imports Django's models, which need them. The
    # databases are brought up to date only once the role and password are known good.
    setup()
    from hrta.web.accounts.roles import ROLES

    if role not in ROLES:
        raise InputError(f"unknown role {role!r}; choose one of: {', '.join(ROLES)}")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    prepare()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from hrta.web.accounts.roles import assign_role

    users = get_user_model()
    user = users.objects.filter(username=name).first() or users(username=name)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InputError("password refused: " + " ".join(exc.messages)) from exc
    from hrta.web.surveys.services import record

    created = user.pk is None
    user.set_password(password)
    user.save()
    assign_role(user, role)
    # The account is named in the detail: the one who acted is the command's user.
    record(action="user_add" if created else "user_change",
           detail={"account": name, "role": role, "password": "set"})
    out.print(f"Staff account {name!r} ({role}) is ready.", highlight=False)


@user_app.command("unlock")
def user_unlock(
    name: Annotated[str, typer.Argument(help="The login name.")],
    address: Annotated[str, typer.Option(
        "--address", help="Also lift the pause on this client address, for every username.")
    ] = "",
) -> None:
    """Lift the sign-in pauses on a staff account (from every address)."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        _unlock_user(name, address)
    except (InputError, ImproperlyConfigured) as exc:
        from rich.text import Text

        # As Text, not markup: a name or a setting may hold "[" and "]".
        err.print(Text.assemble(("error:", "bold red"), f" {exc}"), highlight=False,
                  soft_wrap=True)
        raise typer.Exit(2) from None


def _unlock_user(name: str, address: str) -> None:
    prepare()
    from django.contrib.auth import get_user_model

    from hrta.web.accounts import lockout

    if address:
        import ipaddress

        try:
            address = str(ipaddress.ip_address(address.strip()))
        except ValueError:
            raise InputError(f"--address: {address!r} is not an IP address") from None
    if not get_user_model().objects.filter(username__iexact=name.strip()).exists():
        raise InputError(f"no staff account named {name!r}")
    lifted = lockout.unlock(username=name, address=address)
    out.print(f"Sign-in for {lockout.normalise(name)!r} is open again "
              f"({lifted} pause{'s' if lifted != 1 else ''} lifted).",
              highlight=False)


@wave_app.command("create")
def wave_create(
    slug: Annotated[str, typer.Argument(help="Short name for links, e.g. 2026-spring.")],
    instrument: Annotated[str, typer.Option(
        "--instrument", help="A bundled instrument id, an instrument YAML file, or the "
                             "survey's own definition (Qualtrics .qsf, REDCap Data "
                             "Dictionary .csv, XLSForm .xlsx).")] = DEFAULT_INSTRUMENT,
    title: Annotated[str, typer.Option("--title", help="The wave's title.")] = "",
    opens: Annotated[str, typer.Option("--opens", help="Opening date, e.g. 2026-03-31; "
                                                      "empty: open at once.")] = "",
    closes: Annotated[str, typer.Option("--closes", help="Closing date; empty: no end "
                                                        "date.")] = "",
) -> None:
    """Create a wave of the web assessment, of a bundled instrument or one from a file."""
    from hrta.commandline import fail

    try:
        wave = _create_wave(slug, instrument, title, opens, closes)
    except InputError as exc:
        fail(exc)
    out.print(f"Wave {wave.slug!r} ({wave.instrument_id}) is ready: /w/{wave.slug}/",
              highlight=False)


def _create_wave(slug: str, instrument: str, title: str, opens: str, closes: str) -> Wave:
    from datetime import date

    from django.utils.text import slugify

    from hrta.instrument import bundled_ids

    if slugify(slug) != slug:
        raise InputError(f"the short name {slug!r} must be lowercase letters, digits and "
                         "dashes, e.g. 2026-spring")
    try:
        dates = {name: date.fromisoformat(text) if text else None
                 for name, text in (("opens_on", opens), ("closes_on", closes))}
    except ValueError as exc:
        raise InputError(f"--opens/--closes: {exc}; write dates as 2026-03-31") from None
    own = None
    if instrument not in bundled_ids():
        from hrta.web.surveys.instruments import read_instrument_file

        path = Path(instrument)
        if not path.is_file():
            raise InputError(f"no bundled instrument {instrument!r} and no such file; bundled: "
                             f"{', '.join(bundled_ids())}", file=str(path))
        own = read_instrument_file(path, name=str(path))
    prepare()
    from hrta.web.staff.services import save_wave
    from hrta.web.surveys.models import Wave

    if Wave.objects.filter(slug=slug).exists():
        raise InputError(f"a wave named {slug!r} exists already; choose another short name")
    values = {"slug": slug, "title": title or slug, "accepting": True, **dates,
              "instrument_id": own.instrument.id if own else instrument,
              "instrument_yaml": own.yaml if own else "",
              "instrument_translations": own.translations if own else {}}
    return save_wave(user=None, values=values)
