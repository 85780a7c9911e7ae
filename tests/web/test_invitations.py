"""Invitations by e-mail, read at a real SMTP server (aiosmtpd) in the test process: a CSV of
invitees with bad and repeated rows (reported by row, the rest kept), a preview, the send as
a task, personal links that start and resume a response in the wave, reminders only to
those who have not finished, unsubscribing, a refusal shown and tried a limited number of
times, the rate limit, a cohort's message, and the audit trail."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.test import Client, override_settings

from hrta.web.contacts.services import save_contact
from hrta.web.invitations import roster
from hrta.web.invitations.models import Delivery, Invitee, Mailing, Unsubscribe
from hrta.web.invitations.pace import Rate, parse_rate
from hrta.web.mail.services import digest
from hrta.web.surveys import services as surveys
from hrta.web.surveys.models import AuditEntry, Response, Wave
from hrta.web.tasks.models import Job
from tests.web import respondents
from tests.web.mailserver import ECHOED, REFUSED
from tests.web.staffdata import add_response, signed_in
from tests.web.staffdata import post as staff_post
from tests.web.tasking import empty_queue, work_queue
from tests.web.test_assistance_web import RICH, text_of

LINK = re.compile(r"https?://[^\s]+/invite/([A-Za-z0-9_-]+)/")
UNSUBSCRIBE = re.compile(r"https?://[^\s]+(/unsubscribe/[^\s/]+/)")

CSV = ("name,email\r\n"
       "Harbor Health,harbor@example.org\r\n"
       "No Address Clinic,not-an-address\r\n"
       "Río Grande Outreach,rio@example.org\r\n"
       "Harbor again,HARBOR@example.org\r\n"
       ",\r\n"
       "Pine Ridge,\r\n"
       "Delta Services,delta@example.org\r\n")


@pytest.fixture(autouse=True)
def _quiet_queue():
    empty_queue()
    yield
    empty_queue()


def _admin() -> Client:
    client, _user = signed_in("admin")
    return client


def _add(client: Client, wave: Wave, **data) -> str:
    reply = staff_post(client, f"/staff/waves/{wave.slug}/invitations/", data)
    assert reply.status_code in (200, 400), reply.status_code
    return reply.content.decode()


def _send(client: Client, wave: Wave, kind: str = "invitation", **data) -> Job:
    url = f"/staff/waves/{wave.slug}/invitations/write/{kind}/"
    page = client.get(url).content.decode()
    subject = re.search(r'id="subject" name="subject" maxlength="200" value="([^"]*)"', page)
    body = re.search(r'<textarea[^>]*id="body"[^>]*>(.*?)</textarea>', page, re.S)
    fields = {"subject": text_of(subject.group(1)), "body": _unescape(body.group(1)), **data}
    reply = staff_post(client, url, {**fields, "action": "send"})
    assert reply.status_code == 302, reply.content.decode()[:2000]
    job = Job.objects.get(pk=reply["Location"].rstrip("/").rsplit("/", 1)[-1])
    assert job.kind == Job.Kind.EMAIL
    return job


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _invited(client: Client, wave: Wave, *addresses: str) -> None:
    lines = "\n".join(f"Org {n},{address}" for n, address in enumerate(addresses, 1))
    page = _add(client, wave, pasted=lines)
    assert f"{len(addresses)} organization" in page


# --- reading the list ---------------------------------------------------------------------------

def test_a_csv_with_bad_and_repeated_rows_reports_them_by_row_and_keeps_the_rest(wave):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = _admin()
    upload = SimpleUploadedFile("invitees.csv", b"\xef\xbb\xbf" + CSV.encode("utf-8"),
                                content_type="text/csv")
    page = text_of(_add(admin, wave, file=upload))
    assert "3 organizations added." in page
    assert "Row 3: “not-an-address” is not an e-mail address; left out." in page
    assert "Row 5: the same address as row 2; left out." in page
    assert "Row 7: no e-mail address; left out." in page
    assert "Row 6" not in page  # an empty row is no invitee and no problem
    kept = {i.address: i.name for i in Invitee.objects.filter(wave_slug=wave.slug)}
    assert kept == {"harbor@example.org": "Harbor Health", "rio@example.org":
                    "Río Grande Outreach", "delta@example.org": "Delta Services"}
    # Kept encrypted, never plain, in the contacts database.
    stored = Invitee.objects.filter(wave_slug=wave.slug).values(
        "name_encrypted", "address_encrypted", "token_encrypted").first()
    assert "example.org" not in str(stored) and "Harbor" not in str(stored)
    # The same list again: every row already invited, reported, nothing doubled.
    again = text_of(_add(admin, wave, pasted="harbor@example.org\ndelta@example.org"))
    assert "0 organizations added." in again
    assert "Row 1: harbor@example.org is already invited to this wave; left out." in again
    assert Invitee.objects.filter(wave_slug=wave.slug).count() == 3
    entry = AuditEntry.objects.filter(action="invitees_add", wave=wave).order_by("id").first()
    assert entry.detail == {"source": "file", "added": 3, "left_out": 3}
    assert "example.org" not in str(entry.detail)


def test_roster_reads_windows_1252_columns_in_either_order_and_no_header():
    text, note = roster.decode("email,name\r\nana@example.org,Peña Clinic\r\n".encode("cp1252"))
    assert "Windows-1252" in note
    found = roster.read_roster(text)
    assert [(r.number, r.name, r.address) for r in found.rows] == [
        (2, "Peña Clinic", "ana@example.org")]
    plain = roster.read_roster("A,a@example.org\nB,b@example.org\n")
    assert [r.number for r in plain.rows] == [1, 2] and not plain.problems


def test_a_file_that_is_empty_or_too_large_is_refused_with_a_message(wave):
    from django.core.files.uploadedfile import SimpleUploadedFile

    admin = _admin()
    empty = staff_post(admin, f"/staff/waves/{wave.slug}/invitations/", {"pasted": "  "})
    assert empty.status_code == 400
    assert "Please choose a CSV file or paste names and addresses." in empty.content.decode()
    big = SimpleUploadedFile("big.csv", b"a,b@example.org\n" * 70_000)
    reply = staff_post(admin, f"/staff/waves/{wave.slug}/invitations/", {"file": big})
    assert reply.status_code == 400 and "larger than 1 MB" in reply.content.decode()
    assert not Invitee.objects.filter(wave_slug=wave.slug).exists()


def test_only_staff_who_may_see_contacts_open_the_invitations(wave):
    analyst, _user = signed_in("analyst")
    assert analyst.get(f"/staff/waves/{wave.slug}/invitations/").status_code == 403
    admin = _admin()
    assert f'href="/staff/waves/{wave.slug}/invitations/"' in admin.get(
        f"/staff/waves/{wave.slug}/responses/").content.decode()


# --- the message ------------------------------------------------------------------------------

def test_the_preview_shows_the_message_as_sent_and_refuses_a_message_without_the_link(wave):
    admin = _admin()
    _invited(admin, wave, "harbor@example.org")
    url = f"/staff/waves/{wave.slug}/invitations/write/invitation/"
    missing = staff_post(admin, url, {"subject": "Hello", "body": "No link here, {name}.",
                                      "action": "preview"})
    assert missing.status_code == 400 and "Please keep {link} in the text" in \
        missing.content.decode()
    unknown = staff_post(admin, url, {"subject": "Hi", "body": "{link} {org}",
                                      "action": "send"})
    assert unknown.status_code == 400 and "{org} is not a placeholder" in \
        unknown.content.decode()
    preview = staff_post(admin, url, {"subject": "Join {name}", "body": "Dear {name},\n{link}",
                                      "action": "preview"})
    page = text_of(preview.content.decode())
    assert preview.status_code == 200
    assert "Subject: Join Org 1" in page and "Dear Org 1," in page
    assert "/invite/PERSONAL-LINK/" in page and "/unsubscribe/UNSUBSCRIBE/" in page
    assert "Send to 1 organization" in page
    assert not Mailing.objects.filter(wave_slug=wave.slug).exists()  # nothing sent yet


# --- sending, links, reminders ------------------------------------------------------------------

def test_invitations_arrive_with_personal_links_that_start_and_resume_the_wave(wave, inbox):
    admin = _admin()
    _invited(admin, wave, "harbor@example.org", "rio@example.org")
    job = _send(admin, wave)
    # Waiting to be sent: a second invitation written now would not invite them twice.
    assert "This goes to 0 organizations not invited yet." in text_of(admin.get(
        f"/staff/waves/{wave.slug}/invitations/write/invitation/").content.decode())
    assert work_queue() == 1
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == ("done", 2, 2)
    assert "2 sent in all, 0 not sent" in admin.get(f"/staff/tasks/{job.pk}/").content.decode()
    analyst, _user = signed_in("analyst")  # a mailing's page leads to addresses
    assert analyst.get(f"/staff/tasks/{job.pk}/").status_code == 404
    links = {}
    for address in ("harbor@example.org", "rio@example.org"):
        [message] = inbox.to(address)
        body = message.get_content()
        links[address] = LINK.search(body).group(1)
        assert UNSUBSCRIBE.search(body)
        assert message["Subject"] == f"Invitation: {wave.title}"
    assert len(set(links.values())) == 2
    sent = AuditEntry.objects.filter(action="email_sent", wave=wave)
    assert sorted(e.detail["kind"] for e in sent) == ["invitation", "invitation"]
    queued = AuditEntry.objects.get(action="mailing_queue", wave=wave)
    assert queued.detail["recipients"] == 2 and queued.detail["kind"] == "invitation"
    assert "example.org" not in str([e.detail for e in sent])

    # The link's page starts nothing until asked (a mail scanner follows links).
    respondent = Client(enforce_csrf_checks=True)
    url = f"/invite/{links['harbor@example.org']}/"
    welcome = respondent.get(url)
    assert welcome.status_code == 200 and "Start the assessment" in welcome.content.decode()
    assert not Response.objects.filter(wave=wave).exists()
    started = respondents.post(respondent, url)
    assert started.status_code == 302 and "/resume/" in started["Location"]
    page_one = respondent.get(started["Location"])
    assert page_one["Location"] == f"/w/{wave.slug}/page/1/"
    [response] = Response.objects.filter(wave=wave)
    # The same link on another device resumes the same response, in this wave.
    again = Client(enforce_csrf_checks=True)
    back = again.get(url)
    assert back.status_code == 302
    assert again.get(back["Location"])["Location"] == f"/w/{wave.slug}/page/1/"
    assert again.get(f"/w/{wave.slug}/page/1/").status_code == 200
    assert Response.objects.filter(wave=wave).count() == 1
    page = text_of(admin.get(f"/staff/waves/{wave.slug}/invitations/").content.decode())
    assert "In progress" in page and "Not started" in page
    assert response.start_hash
    assert respondent.get("/invite/made-up-link-000000000000/").status_code == 404


def test_a_reminder_goes_only_to_those_who_have_not_finished(wave, inbox):
    admin = _admin()
    _invited(admin, wave, "done@example.org", "halfway@example.org", "never@example.org")
    _send(admin, wave)
    work_queue()
    token = LINK.search(inbox.to("done@example.org")[0].get_content()).group(1)
    respondent = Client(enforce_csrf_checks=True)
    respondents.post(respondent, f"/invite/{token}/")
    response = Response.objects.get(wave=wave)
    surveys.submit(response=response)
    inbox.clear()
    job = _send(admin, wave, "reminder")
    work_queue()
    assert sorted(a for rcpt, _m in inbox.messages for a in rcpt) == [
        "halfway@example.org", "never@example.org"]
    body = inbox.to("never@example.org")[0].get_content()
    assert "You have not finished it yet" in body and LINK.search(body)
    assert AuditEntry.objects.filter(action="email_sent", wave=wave,
                                     detail__kind="reminder").count() == 2
    job.refresh_from_db()
    assert job.status == "done"
    # The finished invitee's link now leads to their TA plan.
    opened = Client().get(f"/invite/{token}/")
    assert opened.status_code == 302


def test_unsubscribing_stops_mail_for_the_wave_or_for_all(wave, inbox):
    admin = _admin()
    _invited(admin, wave, "stop@example.org", "stay@example.org")
    _send(admin, wave)
    work_queue()
    path = UNSUBSCRIBE.search(inbox.to("stop@example.org")[0].get_content()).group(1)
    reader = Client(enforce_csrf_checks=True)
    assert reader.get(path).status_code == 200
    # Opening the link alone unsubscribes nobody (a mail scanner follows links).
    assert not Unsubscribe.objects.filter(digest=digest("stop@example.org")).exists()
    done = respondents.post(reader, path, {"scope": "wave"})
    assert done.status_code == 302
    assert "no more of these messages" in reader.get(path).content.decode()
    inbox.clear()
    _send(admin, wave, "reminder")
    work_queue()
    assert [rcpt for rcpt, _m in inbox.messages] == [["stay@example.org"]]
    page = text_of(admin.get(f"/staff/waves/{wave.slug}/invitations/").content.decode())
    assert "Unsubscribed: no more mail" in page
    entry = AuditEntry.objects.filter(action="invitation_unsubscribe", wave=wave).get()
    assert entry.detail == {"scope": "wave"} and entry.username == ""

    # "All": another wave's invitation to the same address is not sent either.
    other = Wave.objects.create(slug=f"{wave.slug}-b", title="Other wave")
    respondents.post(reader, path, {"scope": "all"})
    _invited(admin, other, "STOP@example.org", "new@example.org")
    inbox.clear()
    _send(admin, other)
    work_queue()
    assert [rcpt for rcpt, _m in inbox.messages] == [["new@example.org"]]


def test_a_refusal_is_shown_per_invitee_and_tried_a_limited_number_of_times(wave, inbox):
    admin = _admin()
    _invited(admin, wave, f"gone@{REFUSED}", "fine@example.org")
    _send(admin, wave)
    work_queue()
    assert [rcpt for rcpt, _m in inbox.messages] == [["fine@example.org"]]
    page = text_of(admin.get(f"/staff/waves/{wave.slug}/invitations/").content.decode())
    assert "Not sent: 550 5.1.1 Mailbox unavailable" in page
    assert f"gone@{REFUSED}: 550 5.1.1 Mailbox unavailable (tried 1 time)" in page
    failed = AuditEntry.objects.get(action="email_failed", wave=wave)
    assert failed.detail["kind"] == "invitation" and "550" in failed.detail["error"]
    mailing = Mailing.objects.get(wave_slug=wave.slug)
    with override_settings(HRTA_EMAIL_ATTEMPTS=2):
        retried = staff_post(admin, f"/staff/waves/{wave.slug}/invitations/{mailing.pk}/retry/")
        assert retried.status_code == 302
        work_queue()
        delivery = Delivery.objects.get(mailing=mailing, status="failed")
        assert delivery.attempts == 2
        page = text_of(admin.get(f"/staff/waves/{wave.slug}/invitations/").content.decode())
        assert "tried as often as allowed" in page
        # Asked again past the limit: nothing more is tried.
        staff_post(admin, f"/staff/waves/{wave.slug}/invitations/{mailing.pk}/retry/")
        work_queue()
        delivery.refresh_from_db()
        assert delivery.attempts == 2
    assert len(inbox.messages) == 1  # the one that arrived was never sent twice


def test_a_refusal_naming_the_address_keeps_it_out_of_the_audit_log(wave, inbox):
    admin = _admin()
    _invited(admin, wave, f"Who@{ECHOED}")
    _send(admin, wave)
    work_queue()
    page = text_of(admin.get(f"/staff/waves/{wave.slug}/invitations/").content.decode())
    assert f"<Who@{ECHOED}>: Recipient address rejected" in page  # staff see it all
    failed = AuditEntry.objects.get(action="email_failed", wave=wave)
    assert failed.detail["error"] == "550 5.1.1 <(the address)>: Recipient address rejected"


def test_a_message_its_worker_was_lost_sending_is_never_sent_again_unasked(wave, inbox):
    from django.utils import timezone

    from hrta.web.invitations.delivery import LOST

    admin = _admin()
    _invited(admin, wave, "maybe@example.org", "later@example.org")
    job = _send(admin, wave)
    # The first worker noted the message as tried, then died before the server answered.
    Delivery.objects.filter(mailing__wave_slug=wave.slug,
                            invitee__digest=digest("maybe@example.org")).update(
        tried_at=timezone.now())
    work_queue()
    assert [rcpt for rcpt, _m in inbox.messages] == [["later@example.org"]]
    lost = Delivery.objects.get(invitee__digest=digest("maybe@example.org"))
    assert (lost.status, lost.error, lost.attempts) == ("failed", LOST, 1)
    job.refresh_from_db()
    assert "1 sent in all, 1 not sent" in job.notice
    # Queued again by staff: now it is tried.
    staff_post(admin, f"/staff/waves/{wave.slug}/invitations/{lost.mailing_id}/retry/")
    work_queue()
    assert len(inbox.to("maybe@example.org")) == 1
    # A second invitation written now goes to nobody: both were sent one.
    page = text_of(admin.get(f"/staff/waves/{wave.slug}/invitations/write/invitation/")
                   .content.decode())
    assert "This goes to 0 organizations not invited yet." in page


def test_sending_keeps_to_the_rate_limit(wave, inbox):
    admin = _admin()
    addresses = [f"org{n}@example.org" for n in range(5)]
    _invited(admin, wave, *addresses)
    _send(admin, wave)
    with override_settings(HRTA_EMAIL_RATE=Rate(2, 1)):
        started = time.monotonic()
        work_queue()
        took = time.monotonic() - started
    assert len(inbox.messages) == 5
    tried = sorted(Delivery.objects.filter(mailing__wave_slug=wave.slug)
                   .values_list("tried_at", flat=True))
    # Never more than two in any one second: five take at least two seconds.
    for first, third in zip(tried, tried[2:], strict=False):
        assert third - first >= timedelta(seconds=1)
    assert took >= 2


def test_the_rate_setting_is_read_or_refused_with_a_message():
    from django.core.exceptions import ImproperlyConfigured

    assert parse_rate("60/minute") == Rate(60, 60)
    assert parse_rate(" 2 / seconds") == Rate(2, 1)
    with pytest.raises(ImproperlyConfigured, match="HRTA_EMAIL_RATE: 'fast'"):
        parse_rate("fast")


# --- a cohort -----------------------------------------------------------------------------------

def test_a_cohort_is_invited_at_the_addresses_given_with_consent(wave, inbox):
    from hrta.web.assistance.selectors import wave_cohorts

    instrument = wave.instrument
    members = [add_response(wave, {**RICH, "state": state}) for state in ("ny", "pa", "nj")]
    for response in members[:2]:
        assert save_contact(response=response, instrument=instrument, data={
            "raffle_opt_in": "no", "raffle_name": f"Org {response.pk}",
            "raffle_email": f"org{response.pk}@example.org", "may_contact": "yes"}) == {}
    [view] = [v for v in wave_cohorts(wave)[0] if v.cohort.area == "funding"]
    admin = _admin()
    cohorts = admin.get(f"/staff/waves/{wave.slug}/cohorts/").content.decode()
    url = f"/staff/waves/{wave.slug}/invitations/cohort/funding/{view.cohort.region}/"
    assert f'href="{url}"' in cohorts
    page = text_of(admin.get(url).content.decode())
    assert "This goes to 2 organizations of the cohort" in page
    reply = staff_post(admin, url, {"subject": "Cohort on funding",
                                    "body": "Hello {name}, join us.", "action": "send"})
    assert reply.status_code == 302
    work_queue()
    got = sorted(a for rcpt, _m in inbox.messages for a in rcpt)
    assert got == sorted(f"org{r.pk}@example.org" for r in members[:2])
    body = inbox.to(f"org{members[0].pk}@example.org")[0].get_content()
    assert f"Hello Org {members[0].pk}, join us." in body and UNSUBSCRIBE.search(body)
    assert AuditEntry.objects.filter(action="email_sent", wave=wave,
                                     detail__kind="cohort_invitation").count() == 2


def test_a_personal_link_is_scrubbed_from_the_logs_like_a_resume_code():
    from hrta.web.accesslog import scrub

    line = '"GET /invite/Abc_def-123456789012345678/ HTTP/1.1" 302 "-"'
    assert scrub(line) == '"GET /invite/-/ HTTP/1.1" 302 "-"'
