"""What each kind of Job does. A runner is given the Job and its means to report
(hrta.web.tasks.work.Working); it returns its result file's name and content type, or None
when the work leaves no file (a coding run's result is in the coding tables)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, ngettext

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
        raise ValueError(gettext("The wave this work was for no longer exists."))
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
    "brief": (".pdf", "application/pdf"),  # the one-page brief
}


def report(working: Working) -> Outcome:
    from hrta.report import render_reports
    from hrta.web.coding.selectors import released_quotes
    from hrta.web.staff.downloads import report_wording
    from hrta.web.staff.selectors import wave_findings

    wave = _wave(working)
    suffix, content_type = REPORTS[working.job.params["format"]]
    working.progress(0, 2)
    language = working.job.params.get("language") or None
    with translation.override(language):
        findings = wave_findings(wave)
    working.progress(1, 2)
    brief = working.job.params["format"] == "brief"
    name = f"{wave.slug}-{'brief' if brief else 'report'}{suffix}"
    # The report reads in the language of the person who asked for it.
    findings, language = report_wording(wave, findings, language)
    if brief:
        from hrta.report.brief import render_brief

        render_brief(findings, working.result_file(name), language=language)
    else:
        # Quotes and write-ins an analyst released from the name screen (the coding pages).
        render_reports(findings, [working.result_file(name)], language=language,
                       released=released_quotes(wave), on_web=True)
    working.progress(2, 2)
    return name, content_type


def findings(working: Working) -> Outcome:
    """The wave's Findings, dashboard figures and chart images made and cached, in every
    language, so the first person to look after new data does not wait for them.

    New data while this runs queues nothing itself (this Job is the wave's one active
    refresh): once it has ended, if the wave changed since it began, it queues exactly one
    more (hrta.web.tasks.services.prepare_findings), which covers every submission since."""
    from django.conf import settings

    from hrta.web.staff.selectors import findings_key
    from hrta.web.tasks.services import prepare_findings_now

    def state() -> str:
        # The key names a language too: compare in one, whichever is active where this runs.
        with translation.override(settings.LANGUAGE_CODE):
            return findings_key(wave)

    wave = _wave(working)
    made = state()
    languages = [code for code, _name in settings.LANGUAGES]
    for done, language in enumerate(languages):
        working.progress(done, len(languages))
        with translation.override(language):
            _prepare(wave)
    working.progress(len(languages), len(languages))

    def again() -> None:
        # Checked once this Job has ended, so data that came in at any moment before is
        # seen here, and data after it queued its own refresh.
        if state() != made:
            prepare_findings_now(wave)

    working.afterwards.append(again)
    return None


def _prepare(wave: Wave) -> None:
    from django.template.loader import render_to_string

    from hrta.web.staff.selectors import dashboard

    view = dashboard(wave, now=True)  # its chart images drawn before the view is kept
    # The page's figures as HTML too (kept under the view's key), so its first view after
    # new data renders none of them.
    for can_release in (False, True):  # as those who may release a write-in see them too
        render_to_string("staff/_figures.html", {"view": view, "wave": wave, "query": "",
                                                 "can_release": can_release})


GONE = gettext_lazy("The uploaded file is no longer kept (the import ended earlier): "
                    "upload it again.")


def import_(working: Working) -> Outcome:
    """A large upload imported into the wave, as the import page imports a small one (one
    transaction: all of it or nothing), written only while the Job is still this worker's.
    The upload is removed once the import has ended, saved or refused."""
    from django.core.files.uploadedfile import UploadedFile

    from hrta.web.inputerrors import notice
    from hrta.web.staff.services import import_upload
    from hrta.web.tasks.services import drop_upload, uploads_dir

    job = working.job
    wave = _wave(working)
    folder = uploads_dir() / str(job.params.get("folder", ""))
    names: dict[str, str] = job.params.get("files", {})
    if not (folder / "upload").is_file():
        raise ValueError(str(GONE))  # in the asker's language: the runner runs in it
    working.progress(1, 3)  # the file is there; reading and saving it is one step
    opened = {role: (folder / role).open("rb") for role in names}
    try:
        files = {role: UploadedFile(handle, name=names[role],
                                    size=(folder / role).stat().st_size)
                 for role, handle in opened.items()}
        with working.owned():
            imported = import_upload(wave=wave, upload=files["upload"],
                                     user=job.created_by,
                                     fmt=job.params.get("format") or "auto",
                                     member=job.params.get("member", ""),
                                     definition=files.get("definition"))
            count = imported.count
            # What the reader noticed, one a line under the count, in the asker's language.
            working.mine().update(done=3, total=3, notice="\n".join([
                ngettext("Imported %(count)s response.", "Imported %(count)s responses.", count)
                % {"count": f"{count:,}"},
                *(notice(found) for found in imported.notices)]))
    finally:
        for handle in opened.values():
            handle.close()
        drop_upload(job)
    return None


def email(working: Working) -> Outcome:
    """A mailing's messages sent (hrta.web.invitations.delivery)."""
    from hrta.web.invitations.delivery import run

    return run(working)


def message(working: Working) -> Outcome:
    """One message, to a respondent or a staff account (hrta.web.mail.services): its
    address and text looked up now, tried once; a refusal or a silent server fails the
    Job with the server's answer (the audit log has it too), and nothing tries it again
    on its own."""
    from hrta.web.mail.services import send_queued

    working.progress(0, 1)
    sent = send_queued(working.job)
    if not sent.ok:
        raise ValueError(sent.error)
    working.progress(1, 1)
    return None


RUNNERS: dict[str, Callable[[Working], Outcome]] = {
    Job.Kind.IMPORT: import_,
    Job.Kind.CODING: coding,
    Job.Kind.REPORT: report,
    Job.Kind.FINDINGS: findings,
    Job.Kind.EMAIL: email,
    Job.Kind.MESSAGE: message,
}
