"""Waves and the raffle on the staff pages (admins): create and change waves with their
public link, respondents see only open waves, and a raffle draw shows only its winner."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hrta.web.contacts.models import Contact
from hrta.web.contacts.services import save_contact
from hrta.web.surveys.models import AuditEntry, Wave
from tests.web.staffdata import add_response, post, signed_in


@pytest.fixture(scope="module")
def admin():
    return signed_in("admin")


def _slug(name: str) -> str:
    return f"{name}-{timezone.now().strftime('%H%M%S%f')}"


def test_create_a_wave_and_see_its_public_link(admin):
    client, user = admin
    slug = _slug("spring")
    today = timezone.localdate()
    reply = post(client, "/staff/waves/new/", {
        "slug": slug, "title": "Spring <wave>", "instrument_id": "harm_reduction_ta_2022",
        "opens_on": str(today - dt.timedelta(days=1)),
        "closes_on": str(today + dt.timedelta(days=30)), "accepting": "on"})
    assert reply.status_code == 302, reply.content.decode()[:2000]
    wave = Wave.objects.get(slug=slug)
    assert wave.instrument_version == wave.instrument.version and wave.is_open()
    listing = client.get("/staff/waves/").content.decode()
    assert f"http://testserver/w/{slug}/" in listing and "Spring &lt;wave&gt;" in listing
    entry = AuditEntry.objects.get(wave=wave, action="wave_create")
    assert entry.user == user and entry.detail["title"] == "Spring <wave>"
    # Respondents can open it.
    assert Client().get(f"/w/{slug}/").status_code == 200


def test_closing_a_wave_hides_it_from_respondents(admin, wave):
    client, _ = admin
    add_response(wave, {"org_type": "ccbhc"})
    form = client.get(f"/staff/waves/{wave.slug}/edit/").content.decode()
    assert f"http://testserver/w/{wave.slug}/" in form
    assert 'id="id_slug" name="slug" type="text"' in form and "disabled" in form
    reply = post(client, f"/staff/waves/{wave.slug}/edit/", {
        "slug": "renamed", "title": "Closed now", "instrument_id": wave.instrument_id,
        "opens_on": "", "closes_on": ""})  # "accepting" unticked
    assert reply.status_code == 302
    wave.refresh_from_db()
    assert wave.slug != "renamed" and wave.title == "Closed now" and not wave.accepting
    assert not wave.is_open()
    from hrta.web.surveys.selectors import open_waves

    assert wave not in open_waves()
    assert Client().get(f"/w/{wave.slug}/").status_code in (404, 410)  # a closed page
    change = AuditEntry.objects.get(wave=wave, action="wave_change")
    assert change.detail == {"title": "Closed now", "accepting": False}


def test_wave_form_checks_dates_slugs_and_instruments(admin):
    client, _ = admin
    bad = post(client, "/staff/waves/new/", {
        "slug": _slug("dates"), "title": "x", "instrument_id": "harm_reduction_ta_2022",
        "opens_on": "2026-05-02", "closes_on": "2026-05-01"})
    assert bad.status_code == 400
    assert "The closing date must be on or after the opening date." in bad.content.decode()
    reserved = post(client, "/staff/waves/new/", {
        "slug": "new", "title": "x", "instrument_id": "harm_reduction_ta_2022"})
    assert reserved.status_code == 400 and "used by the staff pages" in reserved.content.decode()
    unknown = post(client, "/staff/waves/new/", {
        "slug": _slug("unknown"), "title": "x", "instrument_id": "../../etc/passwd"})
    assert unknown.status_code == 400
    assert "Select a valid choice" in unknown.content.decode()
    assert not Wave.objects.filter(title="x").exists()


def _entrant(wave, name: str, email: str):
    response = add_response(wave, {"org_type": "ccbhc"})
    assert save_contact(response=response, instrument=wave.instrument, data={
        "raffle_opt_in": "yes", "raffle_name": name, "raffle_email": email}) == {}
    return response


def test_raffle_draw_shows_only_the_winner(admin, wave):
    client, user = admin
    people = {f"person{n}@example.net": f"Person {n}" for n in range(3)}
    for email, name in people.items():
        _entrant(wave, name, email)
    page = client.get(f"/staff/waves/{wave.slug}/raffle/").content.decode()
    assert "3 entrants have not been drawn yet." in page
    assert not any(email in page for email in people)
    drawn = post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"}).content.decode()
    shown = [email for email in people if email in drawn]
    assert len(shown) == 1
    assert people[shown[0]] in drawn and "Your e-mail address" in drawn
    assert sum(name in drawn for name in people.values()) == 1
    winner = Contact.objects.get(wave_slug=wave.slug, drawn_at__isnull=False)
    assert winner.details["raffle_email"] == shown[0]
    entry = AuditEntry.objects.get(wave=wave, action="raffle_draw")
    assert entry.user == user and entry.detail == {"entry": winner.pk}
    assert shown[0] not in str(entry.detail)
    # Draw the other two, then there is nobody left.
    post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"})
    post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"})
    empty = post(client, f"/staff/waves/{wave.slug}/raffle/", {"action": "draw"}).content.decode()
    assert "There is no one left to draw" in empty
    assert not any(email in empty for email in people)
    again = post(client, f"/staff/waves/{wave.slug}/raffle/",
                 {"action": "show", "entry": str(winner.pk)}).content.decode()
    assert shown[0] in again and "An earlier winner" in again
    assert AuditEntry.objects.filter(wave=wave, action="raffle_show").count() == 1
    # An entry of another wave cannot be shown through this one.
    other = Wave.objects.create(slug=_slug("other"), title="Other wave")
    post(client, f"/staff/waves/{other.slug}/raffle/", {"action": "draw"})
    leak = post(client, f"/staff/waves/{other.slug}/raffle/",
                {"action": "show", "entry": str(winner.pk)}).content.decode()
    assert shown[0] not in leak
