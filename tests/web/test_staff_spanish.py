"""Every staff page in Spanish: an admin who chooses Español walks every staff page (lists,
forms, the dashboard, coding, TA requests, the catalog, task pages, accounts, the audit
log) and meets no common English interface word. Names of products and file formats are
allowed, and so is the instrument's own wording in the dashboard's figures (data, which the
report's translation covers)."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from hrta.web.assistance.models import CatalogEntry
from hrta.web.assistance.services import request_ta
from hrta.web.coding.models import CodingRun
from hrta.web.staff.selectors import reference
from hrta.web.surveys.models import Wave
from hrta.web.tasks.models import Job
from tests.web.staffdata import add_response, post, signed_in
from tests.web.tasking import empty_queue, work_queue
from tests.web.test_i18n import _Text

# Common English interface words that are not also Spanish words: one of them on a page
# in Spanish is a string someone forgot to mark or to translate.
ENGLISH = set(re.findall(r"[a-z]+", """
about account accounts action actions add added agreement all and answer answers
anyone apply approve archive are ask asked assign assigned attempt audit back before
bad below blind both browse but by cancel cancelled change changed changes chart charts
choose clear click close closed code codebook codes coder coding cohort cohorts confirm
confirmed contact copy create created current dashboard date day days deactivate delete
demand details done download downloads draft edit email empty enter every exclude
excluded export failed file files filter filters find first for from get give has have
here hide history home how import imported include into keep kept last later link list
live log login logout made make manage more name new next none not notes now off
old only open or other our out own page pages password people please
preview print question questions queued raffle read ready reason reload remove report
request requests required reset response responses result results retire retry review
role run running save saved search see select send sent settings show shown sign
since some start started state states status still stop submitted suggested summary
task tasks than that the their them there these this those time title to
try type until update updated upload user users view waiting was wave waves we when
where which who why will with without work working yes you your
"""))

# Names of products, formats and standards, and words of data the pages show as stored.
ALLOWED = {"SurveyMonkey", "Excel", "CSV", "XLSX", "PDF", "Word", "SPSS", "Stata", "JSON",
           "API", "REDCap", "Qualtrics", "KoboToolbox", "Google", "Forms", "XLSForm",
           "English", "Español", "UTC", "HTML", "DOCX", "R", "QDPX", "NVivo", "ATLAS.ti",
           "MAXQDA", "REFI-QDA", "Findings"}

# A word (of any alphabet: "allá" is not "all"); a file name such as report.html is one
# word, and a name.
WORD = re.compile(r"[^\W\d_][\w'’-]*(?:\.[a-z]+)?")
# What is typed as it is, in any language: addresses, command lines, the placeholders of
# a message and the column names of a list to upload.
LITERAL = re.compile(r"\S+://\S+|“hrta [a-z ]+”|\{\w+\}|\(name,email\)")


class _Shown(_Text):
    """The words a staff page shows; `data-count` there holds a key for the page's script,
    never words."""

    SPOKEN = tuple(name for name in _Text.SPOKEN if name != "data-count")


# Report figures speak the report's own words (its translation is separate) and the
# instrument's; keys on the keyboard keep their printed names.
NOT_INTERFACE = re.compile(r'<(figure|section) class="hrta-figure.*?</\1>|<kbd>.*?</kbd>', re.S)


def _sentences(html: str) -> set[str]:
    parser = _Shown()
    parser.feed(NOT_INTERFACE.sub("", html))
    return parser.words


def _english(html: str, data: frozenset[str] = frozenset()) -> set[str]:
    """The sentences of a page that hold an English interface word; `data` are sentences
    the page shows as stored (catalog titles, codebook themes), not interface words."""
    return {sentence for sentence in _sentences(html) - data
            if any(word.lower() in ENGLISH and word not in ALLOWED and "." not in word
                   for word in WORD.findall(LITERAL.sub("", sentence)))}


def _data(wave: Wave) -> frozenset[str]:
    """What the staff pages show as the data holds it, in English by design: catalog titles
    and publishers, the bundled codebook's themes, the report's section titles (the
    report's translation is its own work), and the titles staff gave waves (other tests'
    waves among them, e.g. "Test wave 12"), their slugs and their instruments' ids (one drafted
    from a file named responses.csv is "responses 1")."""
    from hrta.web.coding.selectors import wave_codebook
    from hrta.web.staff.selectors import dashboard

    shown = [text for e in CatalogEntry.objects.all() for text in (e.title, e.publisher)]
    shown += [theme.label for question in ("challenges", "facilitators")
              for theme in wave_codebook(wave, question).themes]
    shown += [part.title for part in dashboard(wave).parts]
    for title, slug, instrument, version in Wave.objects.values_list(
            "title", "slug", "instrument_id", "instrument_version"):
        shown += [title, slug, f"{instrument} {version}"]
    return frozenset(_sentences("".join(f"<p>{html.escape(text)}</p>" for text in shown)))


@pytest.fixture(scope="module")
def center():
    """A wave with answers, a coding run, a TA request, tasks in each state and an admin
    who reads Spanish."""
    wave = Wave.objects.create(slug=f"ola-{timezone.now():%H%M%S%f}", title="Ola de prueba")
    responses = [add_response(wave, {"org_type": "ccbhc", "state": "ny",
                                     "challenges": f"Falta de fondos {n}"}) for n in range(6)]
    add_response(wave, {"org_type": "ccbhc", "state": "tx"}, finish=False)
    admin, user = signed_in("admin")
    admin.cookies["django_language"] = "es"
    request = request_ta(response=responses[0], areas=["funding"], message="Necesitamos ayuda",
                         name="Ana", email="ana@example.org", may_contact=True)
    CodingRun.objects.create(wave=wave, question="challenges", status=CodingRun.Status.DONE,
                             themes=["funding"], total=1, done=1)
    jobs = {status: Job.objects.create(kind=kind, key=f"{kind}:{wave.pk}:{status}",
                                       wave=wave, status=status, params={"format": "pdf"},
                                       message="" if status != "failed" else "x")
            for status, kind in (("queued", "report"), ("running", "coding"),
                                 ("failed", "import"), ("cancelled", "findings"))}
    done = Job.objects.create(kind="report", key=f"done:{wave.pk}", wave=wave, status="done",
                              params={"format": "html"}, result_name="report.html",
                              expires_at=timezone.now() + timedelta(days=3))
    jobs["done"] = done
    return wave, admin, user, responses, request, jobs


def _pages(center) -> list[str]:
    wave, _admin, user, responses, request, jobs = center
    slug = wave.slug
    entry = CatalogEntry.objects.first()
    paths = ["/staff/", "/staff/waves/", "/staff/waves/new/", "/staff/waves/draft/",
             f"/staff/waves/{slug}/edit/", f"/staff/waves/{slug}/",
             f"/staff/waves/{slug}/?org_type=ccbhc", f"/staff/waves/{slug}/responses/",
             f"/staff/waves/{slug}/responses/?q=W-&state=ny&show=submitted",
             f"/staff/waves/{slug}/import/", f"/staff/waves/{slug}/downloads/",
             f"/staff/waves/{slug}/raffle/", f"/staff/responses/{responses[1].public_id}/",
             "/staff/audit/", "/staff/account/", "/staff/account/password/",
             "/staff/users/", f"/staff/users/{user.pk}/",
             f"/staff/waves/{slug}/coding/", f"/staff/waves/{slug}/coding/challenges/review/",
             f"/staff/waves/{slug}/coding/challenges/agreement/",
             f"/staff/waves/{slug}/coding/challenges/proposals/",
             f"/staff/waves/{slug}/coding/withheld-quotes/",
             "/staff/catalog/", "/staff/catalog/new/", f"/staff/catalog/{entry.pk}/",
             f"/staff/waves/{slug}/demand/", f"/staff/waves/{slug}/cohorts/",
             "/staff/requests/", f"/staff/requests/{request.pk}/",
             f"/staff/plans/{responses[0].public_id}/",
             f"/staff/plans/{responses[0].public_id}/print/",
             f"/staff/waves/{slug}/invitations/",
             f"/staff/waves/{slug}/invitations/write/invitation/",
             f"/staff/waves/{slug}/invitations/write/reminder/"]
    return paths + [f"/staff/tasks/{job.pk}/" for job in jobs.values()]


def test_every_staff_page_in_spanish_has_no_english_words(center):
    admin = center[1]
    data = _data(center[0])
    left: dict[str, list[str]] = {}
    for path in _pages(center):
        reply = admin.get(path, follow=True)
        assert reply.status_code == 200, (path, reply.status_code)
        page = reply.content.decode()
        assert '<html lang="es"' in page, path
        if words := _english(page, data):
            left[path] = sorted(words)
    assert not left, "\n".join(f"{path}: {words}" for path, words in left.items())


def test_audit_details_are_named_not_coded(center):
    """The audit log's details name what they hold in Spanish: the keys, the questions a
    saved page held and a response's status, never their codes."""
    page = center[1].get(f"/staff/audit/?wave={center[0].slug}&action=answers_save")
    shown = " | ".join(_sentences(page.content.decode()))
    assert "preguntas:" in shown and "Tipo de organización, Estado" in shown
    assert "estado:" in shown and "En curso" in shown
    assert not re.search(r"\b(in_progress|org_type|questions|status):?\b", shown), shown


def test_forms_sent_wrong_answer_in_spanish(center):
    """The same pages with what a staff member sends wrong: every form's errors, and the
    page around them, in Spanish."""
    wave, admin, _user, responses, request, _jobs = center
    sent = {f"/staff/waves/{wave.slug}/edit/": {"slug": wave.slug, "title": "",
                                                "opens_on": "31/12", "closes_on": "x"},
            "/staff/waves/new/": {"slug": "Not A Slug!", "title": ""},
            "/staff/waves/draft/": {},
            f"/staff/waves/{wave.slug}/import/": {"format": "auto"},
            f"/staff/responses/{responses[1].public_id}/exclusion/": {"action": "exclude"},
            f"/staff/requests/{request.pk}/": {"status": "nonsense", "on": "yesterday"},
            "/staff/account/password/": {"current": "wrong", "new": "short",
                                         "again": "other"},
            "/staff/users/": {"username": "bad name!", "email": "not-an-address",
                              "role": "nobody"},
            "/staff/account/": {"name": ""}}
    left = {}
    for path, data in sent.items():
        reply = post(admin, path, data, follow=True)
        assert reply.status_code in (200, 400, 413), (path, reply.status_code)
        if words := _english(reply.content.decode(), _data(wave)):
            left[path] = sorted(words)
    assert not left, "\n".join(f"{path}: {words}" for path, words in left.items())


def test_signed_out_staff_pages_in_spanish():
    client = Client()
    client.cookies["django_language"] = "es"
    page = client.get("/staff/login/").content.decode()
    assert not _english(page)
    assert "Iniciar sesión" in page


def test_task_states_and_reasons_read_in_spanish(center):
    """The task page's status line, a cancel and the reason it gives, and a refused retry,
    in the staff member's language; the polled state carries the same words."""
    admin, jobs = center[1], center[5]
    page = admin.get(f"/staff/tasks/{jobs['failed'].pk}/").content.decode()
    assert "Falló." in page and "Volver a intentarlo" in page
    queued = Job.objects.create(kind="report", key=f"cancel:{center[0].pk}", wave=center[0],
                                params={"format": "pdf"})
    cancelled = post(admin, f"/staff/tasks/{queued.pk}/cancel/", follow=True)
    assert "Cancelado." in cancelled.content.decode()
    state = admin.get(f"/staff/tasks/{queued.pk}/status/").json()
    assert state["message"] == "Cancelado."
    again = post(admin, f"/staff/tasks/{jobs['done'].pk}/retry/", follow=True)
    assert "Este trabajo ya terminó" in again.content.decode()


def test_a_worker_writes_in_the_language_of_who_asked(center):
    """The notice a worker leaves (here: the wave changed while the report waited) reads
    in the language of the staff member who asked for the work, not the worker's."""
    wave, admin = center[0], center[1]
    empty_queue()
    page = post(admin, f"/staff/waves/{wave.slug}/report/", {"format": "html"})["Location"]
    add_response(wave, {"org_type": "ccbhc", "state": "ny"})  # new data while it waits
    work_queue()
    job = Job.objects.get(wave=wave, kind=Job.Kind.REPORT, params__format="html",
                          status=Job.Status.DONE, result_name__endswith=".html",
                          key__startswith="report")
    assert job.notice.startswith("Las respuestas de la ronda cambiaron"), job.notice
    assert "Las respuestas de la ronda cambiaron" in admin.get(page).content.decode()


def test_the_walk_reads_an_english_page_as_english(center):
    """The same walk in English finds the stop-list words: the list is not empty by
    accident, and the test reads the pages it means to."""
    admin = center[1]
    english = Client()
    english.cookies = admin.cookies
    english.cookies["django_language"] = "en"
    page = english.get(f"/staff/waves/{center[0].slug}/downloads/").content.decode()
    assert {"Downloads", "The report", "The clean data"} <= _english(page)
    assert reference(center[3][0])  # the responses exist and have staff names
