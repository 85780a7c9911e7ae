"""Every staff page and download refuses anonymous users (to the sign-in page) and the
wrong role (403), and opens for the roles that may use it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.web.staffdata import add_response, signed_in, token

ROLES = ("viewer", "analyst", "admin")


@pytest.fixture(scope="module")
def clients():
    made = {role: signed_in(role)[0] for role in ROLES}
    made["none"] = signed_in(None)[0]
    return made


@pytest.fixture(scope="module")
def place():
    """A wave with one response, shared by the checks of this module."""
    from hrta.instrument import load_bundled
    from hrta.web.surveys.models import Wave

    instrument = load_bundled()
    wave = Wave.objects.create(slug="access-checks", title="Access checks",
                               instrument_id=instrument.id,
                               instrument_version=instrument.version)
    response = add_response(wave, {"org_type": "ccbhc", "state": "ny"})
    return {"slug": wave.slug, "response": str(response.public_id)}


# (path, lowest role that may open it)
PAGES = [
    ("/staff/", "viewer"),
    ("/staff/waves/{slug}/", "viewer"),
    ("/staff/waves/{slug}/live/", "viewer"),
    ("/staff/waves/{slug}/charts/figure-1.svg", "viewer"),
    ("/staff/waves/{slug}/downloads/", "viewer"),
    ("/staff/waves/{slug}/downloads/findings.json", "viewer"),
    ("/staff/waves/{slug}/downloads/responses.csv", "viewer"),
    ("/staff/waves/{slug}/downloads/responses.xlsx", "viewer"),
    ("/staff/waves/{slug}/responses/", "analyst"),
    ("/staff/responses/{response}/", "analyst"),
    ("/staff/waves/{slug}/import/", "analyst"),
    ("/staff/audit/", "analyst"),
    ("/staff/waves/", "admin"),
    ("/staff/waves/new/", "admin"),
    ("/staff/waves/{slug}/edit/", "admin"),
    ("/staff/waves/{slug}/raffle/", "admin"),
]

POSTS = [
    ("/staff/responses/{response}/exclusion/", "analyst", {"action": "exclude", "reason": "x"}),
    ("/staff/waves/{slug}/import/", "analyst", {}),
    ("/staff/waves/new/", "admin", {"slug": "made-by-wrong-role", "title": "x"}),
    ("/staff/waves/{slug}/raffle/", "admin", {"action": "draw"}),
]


@pytest.mark.parametrize(("path", "lowest"), PAGES)
def test_anonymous_users_are_sent_to_sign_in(place, path, lowest):
    url = path.format(**place)
    reply = Client().get(url)
    assert reply.status_code == 302
    assert reply["Location"].startswith("/staff/login/?next=")


@pytest.mark.parametrize(("path", "lowest"), PAGES)
def test_each_role_opens_only_its_pages(clients, place, path, lowest):
    url = path.format(**place)
    allowed = ROLES[ROLES.index(lowest):]
    for role, client in clients.items():
        status = client.get(url).status_code
        if role in allowed:
            assert status in (200, 302), (role, url, status)
        else:
            assert status == 403, (role, url, status)


@pytest.mark.parametrize(("path", "lowest", "data"), POSTS)
def test_changes_are_refused_to_the_wrong_role(clients, place, path, lowest, data):
    from hrta.web.surveys.models import AuditEntry, Response, Wave

    url = path.format(**place)
    before = AuditEntry.objects.count()
    below = (*ROLES[:ROLES.index(lowest)], "none")
    for role in below:
        client = clients[role]
        reply = client.post(url, {**data, "csrfmiddlewaretoken": token(client)})
        assert reply.status_code == 403, (role, url)
    assert Client().post(url, data).status_code in (302, 403)  # 403: no CSRF token at all
    assert AuditEntry.objects.count() == before
    assert not Response.objects.get(public_id=place["response"]).excluded
    assert not Wave.objects.filter(slug="made-by-wrong-role").exists()


def test_forbidden_page_is_the_site_page(clients, place):
    reply = clients["viewer"].get(f"/staff/waves/{place['slug']}/raffle/")
    assert reply.status_code == 403
    assert "You cannot open this page" in reply.content.decode()
