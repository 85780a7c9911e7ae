"""What each kind of Job does. A runner is given the Job and its means to report
(hrta.web.tasks.work.Working); it returns its result file's name and content type, or None
when the work leaves no file (a coding run's result is in the coding tables)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext_lazy, ngettext

from hrta.web.surveys.models import Wave
from hrta.web.tasks.models import Job
from hrta.web.tasks.work import Working

Outcome = tuple[str, str] | None

CHANGED = gettext_lazy("The wave's responses changed while this waited (an import, a "
                       "submission or an exclusion): it used them as they are now.")


def fingerprint(wave: Wave) -> str:
    """What the wave's analysed responses are now: a Job notes it when asked for, and says
    so when it finds them changed by the time it runs."""
    from hrta.web.staff.selectors import wave_version

    return wave_version(wave)


def _wave(working: Working) -> Wave:
    wave = working.job.wave
    if wave is None:
        raise ValueError("The wave this work was for no longer exists.")
    if working.job.input_fingerprint and fingerprint(wave) != working.job.input_fingerprint:
        working.notice(str(CHANGED))
    return wave


def coding(working: Working) -> Outcome:
    from hrta.web.coding.services import work_run

    _wave(working)
    work_run(run_id=int(working.job.params["run"]), working=working)
    return None


REPORTS: dict[str, tuple[str, str]] = {
    "html": (".html", "text/html; charset=utf-8"),
    "docx": (".docx", "application/vnd.openxmlformats-officedocument"
             ".wordprocessingml.document"),
    "pdf": (".pdf", "application/pdf"),
}


def report(working: Working) -> Outcome:
    from hrta.report import render_reports
    from hrta.web.staff.selectors import wave_findings

    wave = _wave(working)
    suffix, content_type = REPORTS[working.job.params["format"]]
    working.progress(0, 2)
    with translation.override(working.job.params.get("language") or None):
        findings = wave_findings(wave)
    working.progress(1, 2)
    name = f"{wave.slug}-report{suffix}"
    render_reports(findings, [working.result_file(name)])
    working.progress(2, 2)
    return name, content_type


# A `findings` Job makes them again while the wave keeps changing under it (new data
# arriving during a busy hour), up to this many times; a change after that queues a new Job.
FINDINGS_ROUNDS = 3


def findings(working: Working) -> Outcome:
    """The wave's Findings, dashboard figures and chart images made and cached, in every
    language, so the first person to look after new data does not wait for them."""
    from django.conf import settings

    from hrta.web.staff.selectors import findings_key

    wave = _wave(working)
    languages = [code for code, _name in settings.LANGUAGES]
    for _round in range(FINDINGS_ROUNDS):
        made = findings_key(wave)
        for done, language in enumerate(languages):
            working.progress(done, len(languages))
            with translation.override(language):
                _prepare(wave)
        working.progress(len(languages), len(languages))
        if findings_key(wave) == made:
            break  # nothing changed while they were made
    return None


def _prepare(wave: Wave) -> None:
    from hrta.web.staff import figures
    from hrta.web.staff.selectors import dashboard

    for part in dashboard(wave, now=True).parts:
        for block in part.blocks:
            figures.chart_svg(block)


GONE = "The uploaded file is no longer kept (the import ended earlier): upload it again."


def import_(working: Working) -> Outcome:
    """A large upload imported into the wave, as the import page imports a small one (one
    transaction: all of it or nothing), written only while the Job is still this worker's.
    The upload is removed once the import has ended, saved or refused."""
    from django.core.files.uploadedfile import UploadedFile

    from hrta.web.staff.services import import_upload
    from hrta.web.tasks.services import drop_upload, uploads_dir

    job = working.job
    wave = _wave(working)
    folder = uploads_dir() / str(job.params.get("folder", ""))
    names: dict[str, str] = job.params.get("files", {})
    if not (folder / "upload").is_file():
        raise ValueError(GONE)
    working.progress(1, 3)  # the file is there; reading and saving it is one step
    opened = {role: (folder / role).open("rb") for role in names}
    try:
        files = {role: UploadedFile(handle, name=names[role],
                                    size=(folder / role).stat().st_size)
                 for role, handle in opened.items()}
        with working.owned():
            count = import_upload(wave=wave, upload=files["upload"], user=job.created_by,
                                  fmt=job.params.get("format") or "auto",
                                  member=job.params.get("member", ""),
                                  definition=files.get("definition"))
            working.mine().update(done=3, total=3,
                                  notice=ngettext("Imported %(count)s response.",
                                                  "Imported %(count)s responses.", count)
                                  % {"count": f"{count:,}"})
    finally:
        for handle in opened.values():
            handle.close()
        drop_upload(job)
    return None


def email(working: Working) -> Outcome:
    """A mailing's messages sent (hrta.web.invitations.delivery)."""
    from hrta.web.invitations.delivery import run

    return run(working)


RUNNERS: dict[str, Callable[[Working], Outcome]] = {
    Job.Kind.IMPORT: import_,
    Job.Kind.CODING: coding,
    Job.Kind.REPORT: report,
    Job.Kind.FINDINGS: findings,
    Job.Kind.EMAIL: email,
}
