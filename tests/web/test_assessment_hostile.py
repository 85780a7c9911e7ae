"""Hostile input on the respondent's side, with Django's test client on the real database:
whatever a respondent (or someone posing as one) sends is stored exactly as given, except
NUL, shown escaped, refused with a clear message when it breaks a rule, and never a 500."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from hrta.web.surveys.models import Answer, Response
from tests.web.respondents import csrf, page_count, page_of, post, reach, start

TEXT_QUESTION = "challenges"

HOSTILE_TEXTS = {
    "script": "<script>alert('x')</script><img src=x onerror=alert(1)>",
    "formula_equals": '=HYPERLINK("http://example.invalid","click")',
    "formula_plus": "+1+1",
    "formula_minus": "-2+3",
    "formula_at": "@SUM(A1:A9)",
    "rtl_override": "abc\u202edcba\u202c and back",
    "zero_width_joiner": "family: 👩\u200d👩\u200d👧\u200d👦",
    "emoji": "👩🏽‍⚕️ 🏳️‍🌈 🇵🇷",
    "combining": "Z\u0351\u0354a\u0308\u0301l\u0327g\u0300o\u0301",
    "newlines": "line one\r\nline two\n\n\tindented",
    "quotes": "\"double\" 'single' `back` & ampersand </textarea>",
}


def _text_page(client, wave) -> tuple[str, Response]:
    number = page_of(wave, TEXT_QUESTION)
    reach(client, wave, number)
    return f"/w/{wave.slug}/page/{number}/", Response.objects.get(wave=wave)


def _stored(response: Response, question_id: str) -> list[str | None]:
    return list(Answer.objects.filter(response=response, question_id=question_id)
                .values_list("value", flat=True))


@pytest.mark.parametrize("name", sorted(HOSTILE_TEXTS))
def test_hostile_text_is_stored_as_given_and_shown_escaped(client, wave, name):
    text = HOSTILE_TEXTS[name]
    url, response = _text_page(client, wave)
    reply = post(client, url, {TEXT_QUESTION: text, "action": "next"})
    assert reply.status_code == 302
    assert _stored(response, TEXT_QUESTION) == [text]
    # The page itself shows it back escaped, in the text box.
    again = client.get(url).content.decode()
    assert escape(text) in again
    for n in range(page_of(wave, TEXT_QUESTION) + 1, page_count(wave) + 1):
        post(client, f"/w/{wave.slug}/page/{n}/", {"action": "next"})
    review = client.get(f"/w/{wave.slug}/review/")
    assert review.status_code == 200
    body = review.content.decode()
    assert escape(text) in body
    if "<" in text:
        assert text not in body  # never as markup
    assert "<script>alert" not in body


def test_nul_is_the_one_character_dropped(client, wave):
    url, response = _text_page(client, wave)
    reply = post(client, url, {TEXT_QUESTION: "before\x00after\x00", "action": "next"})
    assert reply.status_code == 302
    assert _stored(response, TEXT_QUESTION) == ["beforeafter"]


def test_ten_thousand_characters_are_kept_and_one_more_is_refused(client, wave):
    url, response = _text_page(client, wave)
    longest = ("ñ" + "a" * 98 + "\n") * 100
    assert len(longest) == 10_000
    assert post(client, url, {TEXT_QUESTION: longest, "action": "next"}).status_code == 302
    assert _stored(response, TEXT_QUESTION) == [longest]

    reply = post(client, url, {TEXT_QUESTION: longest + "!", "action": "next"})
    assert reply.status_code == 400
    page = reply.content.decode()
    assert "Your answer is 10,001 characters long. Please shorten it to 10,000 characters" \
        in page
    # What was typed is shown again so nothing is lost, and the saved answer is untouched.
    assert escape(longest + "!") in page
    assert _stored(response, TEXT_QUESTION) == [longest]


def test_long_answers_made_of_emoji_count_characters_not_bytes(client, wave):
    url, response = _text_page(client, wave)
    emoji = "👍" * 10_000  # 40,000 bytes in UTF-8, 10,000 characters
    assert post(client, url, {TEXT_QUESTION: emoji, "action": "next"}).status_code == 302
    assert _stored(response, TEXT_QUESTION) == [emoji]


def test_other_text_is_kept_up_to_its_limit_and_a_longer_one_is_refused(client, wave):
    reach(client, wave, page_of(wave, "role"))
    number = page_of(wave, "role")
    url = f"/w/{wave.slug}/page/{number}/"
    response = Response.objects.get(wave=wave)
    other = "=cmd|' /C calc'!A0 " + "x" * 481
    assert len(other) == 500
    assert post(client, url, {"role": "other", "role__other__text": other,
                              "action": "next"}).status_code == 302
    assert _stored(response, "role") == [other]

    very_long = "<b>" + "y" * 20_000
    reply = post(client, url, {"role": "other", "role__other__text": very_long,
                               "state": "ny", "action": "next"})
    assert reply.status_code == 400
    body = reply.content.decode()
    assert "This is 20,003 characters long. Please shorten it to 500 characters" in body
    assert 'aria-describedby="role__other__text-error"' in body
    assert "&lt;b&gt;yyy" in body and "<b>yyy" not in body
    assert _stored(response, "role") == [other]
    assert not Answer.objects.filter(response=response, question_id="state").exists()


@pytest.mark.parametrize(("data", "message"), [
    ({"state": "zz"}, "Please choose one of the answers shown."),
    ({"state": "ny<script>"}, "Please choose one of the answers shown."),
    ({"state": "ny\x00"}, "Please choose one of the answers shown."),
    ({"state": ["ny", "pa"]}, "Please choose only one answer."),
    ({"communities": ["rural", "moon"]}, "Please choose one of the answers shown."),
    ({"org_type": "A" * 5000}, "Please choose one of the answers shown."),
])
def test_tampered_option_ids_are_refused_and_nothing_is_saved(client, wave, data, message):
    number = page_of(wave, "state")
    reach(client, wave, number)
    reply = post(client, f"/w/{wave.slug}/page/{number}/",
                 {**data, "role": "ceo", "action": "next"})
    assert reply.status_code == 400
    assert message in reply.content.decode()
    response = Response.objects.get(wave=wave)
    assert list(response.answers.values_list("question_id", flat=True)) == ["screening"]


def test_tampered_matrix_ratings_and_unknown_fields(client, wave):
    number = page_of(wave, "fb_organizational")
    reach(client, wave, number)
    url = f"/w/{wave.slug}/page/{number}/"
    reply = post(client, url, {"fb_organizational.leadership_support": "maybe",
                               "action": "next"})
    assert reply.status_code == 400
    assert "Please choose one of the answers shown." in reply.content.decode()
    assert 'aria-describedby="fb_organizational.leadership_support-error"' in \
        reply.content.decode()
    # Fields the page does not ask are ignored, never stored.
    reply = post(client, url, {"fb_organizational.made_up": "strongly_agree",
                               "screening": "not_employed", "raffle_email": "a@b.example",
                               "fb_organizational.staff_support": "somewhat_agree",
                               "action": "next"})
    assert reply.status_code == 302
    response = Response.objects.get(wave=wave)
    assert set(response.answers.values_list("question_id", "option_id")) == {
        ("screening", "employed"), ("fb_organizational.staff_support", "somewhat_agree")}
    assert response.status == Response.Status.IN_PROGRESS


@pytest.mark.parametrize("number", ["0", "3", "99", "100000000000000000000000"])
def test_tampered_page_numbers_lead_back_to_where_you_left_off(client, wave, number):
    reach(client, wave, 2)  # screening answered: page 2 is next
    reply = client.get(f"/w/{wave.slug}/page/{number}/")
    assert reply.status_code == 302
    assert reply["Location"] == f"/w/{wave.slug}/page/2/"
    posted = post(client, f"/w/{wave.slug}/page/{number}/", {"state": "ny", "action": "next"})
    assert posted.status_code == 302
    assert posted["Location"] == f"/w/{wave.slug}/page/2/"
    assert not Answer.objects.filter(response__wave=wave, question_id="state").exists()
    follow = client.get(f"/w/{wave.slug}/page/2/")
    assert "That page is not open to you yet. This is where you left off." in \
        follow.content.decode()


@pytest.mark.parametrize("path", ["page/-1/", "page/abc/", "page/1.5/", "nowhere/"])
def test_malformed_addresses_get_a_plain_not_found_page(client, wave, path):
    reply = client.get(f"/w/{wave.slug}/{path}")
    assert reply.status_code == 404
    assert "We could not find that page" in reply.content.decode()


def test_unknown_wave_is_not_found(client):
    reply = client.get("/w/no-such-wave/page/1/")
    assert reply.status_code == 404
    assert "We could not find that page" in reply.content.decode()


def test_posting_to_a_closed_wave_saves_nothing_and_says_why(client, wave):
    reach(client, wave, 2)
    response = Response.objects.get(wave=wave)
    wave.accepting = False
    wave.save()
    reply = post(client, f"/w/{wave.slug}/page/2/", {"state": "ny", "action": "next"})
    assert reply.status_code == 410
    body = reply.content.decode()
    assert "This assessment is closed" in body
    assert "We could not save the answers you just sent, because the assessment is closed." \
        in body
    assert not response.answers.filter(question_id="state").exists()
    assert post(client, f"/w/{wave.slug}/start/").status_code == 410
    assert Response.objects.filter(wave=wave).count() == 1
    for path in ("", "page/2/", "review/", "saved/"):
        assert client.get(f"/w/{wave.slug}/{path}").status_code == 410


def test_a_wave_not_yet_open_is_closed_too(client, wave):
    from datetime import timedelta

    from django.utils import timezone

    wave.opens_on = timezone.localdate() + timedelta(days=3)
    wave.save()
    csrf(client, "/resume/")
    reply = post(client, f"/w/{wave.slug}/start/")
    assert reply.status_code == 410
    assert not Response.objects.filter(wave=wave).exists()


def test_answers_cannot_change_after_submission(client, wave):
    reach(client, wave, page_count(wave) + 1)
    post(client, f"/w/{wave.slug}/review/")
    response = Response.objects.get(wave=wave)
    assert response.status == Response.Status.SUBMITTED
    before = set(response.answers.values_list("question_id", "option_id", "value"))
    submitted_at = response.submitted_at

    reply = post(client, f"/w/{wave.slug}/page/2/", {"state": "ny", "action": "next"})
    assert reply.status_code == 302
    assert reply["Location"] == f"/w/{wave.slug}/thanks/"
    thanks = client.get(reply["Location"]).content.decode()
    assert "You already sent your answers, so they can no longer be changed." in thanks
    assert post(client, f"/w/{wave.slug}/review/")["Location"] == f"/w/{wave.slug}/thanks/"
    assert post(client, f"/w/{wave.slug}/page/1/",
                {"screening": "not_employed", "action": "next"}).status_code == 302
    response.refresh_from_db()
    assert response.status == Response.Status.SUBMITTED
    assert response.submitted_at == submitted_at
    assert set(response.answers.values_list("question_id", "option_id", "value")) == before


def test_pages_without_a_started_assessment_redirect(client, wave):
    for path in ("page/1/", "page/4/", "review/", "saved/", "thanks/"):
        reply = client.get(f"/w/{wave.slug}/{path}")
        assert reply.status_code == 302
        assert reply["Location"] == f"/w/{wave.slug}/"
    csrf(client, f"/w/{wave.slug}/")
    reply = post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed"})
    assert reply.status_code == 302
    assert not Response.objects.filter(wave=wave).exists()


@pytest.mark.parametrize("code", [
    "<script>alert(1)</script>", "\x00" * 10, "A" * 10_000, "ABCD-" * 8, "‮ABCD‬", "",
])
def test_hostile_resume_codes_are_refused_clearly(client, code):
    csrf(client, "/resume/")
    reply = post(client, "/resume/", {"code": code})
    assert reply.status_code == 400
    body = reply.content.decode()
    assert "We could not find an assessment for that code." in body
    assert "<script>alert(1)" not in body


@pytest.mark.parametrize("code", ["%3Cscript%3E", "A" * 500, "%E2%80%AE" + "A" * 32])
def test_hostile_resume_links_are_refused(client, code):
    reply = client.get(f"/resume/{code}/")
    assert reply.status_code == 404
    assert "This resume link does not work." in reply.content.decode()


def test_bytes_that_are_not_utf8_are_not_an_error(client, wave):
    number = page_of(wave, TEXT_QUESTION)
    reach(client, wave, number)
    token = client.cookies["csrftoken"].value
    body = (f"csrfmiddlewaretoken={token}&action=next&{TEXT_QUESTION}=caf%E9%FF%FE").encode()
    reply = client.post(f"/w/{wave.slug}/page/{number}/", body,
                        content_type="application/x-www-form-urlencoded")
    # Django decodes the form as UTF-8, replacing what is not: the answer is kept, each
    # stray byte shown as U+FFFD, and the respondent moves on.
    assert reply.status_code == 302
    stored = Answer.objects.get(response__wave=wave, question_id=TEXT_QUESTION)
    assert stored.value == "caf\ufffd\ufffd\ufffd"


def test_oversized_and_overstuffed_posts_get_a_clear_400(client, wave):
    number = page_of(wave, TEXT_QUESTION)
    reach(client, wave, number)
    url = f"/w/{wave.slug}/page/{number}/"
    huge = post(client, url, {TEXT_QUESTION: "z" * (6 * 1024 * 1024), "action": "next"})
    assert huge.status_code == 400
    assert "We could not read what you sent" in huge.content.decode()
    many = post(client, url, {f"field{i}": "1" for i in range(1500)})
    assert many.status_code == 400
    assert not Answer.objects.filter(response__wave=wave, question_id=TEXT_QUESTION).exists()


def test_hostile_contact_details_are_kept_apart_and_shown_escaped(client, wave):
    reach(client, wave, page_count(wave) + 1)
    post(client, f"/w/{wave.slug}/review/")
    bad = post(client, f"/w/{wave.slug}/thanks/", {
        "raffle_opt_in": "yes", "raffle_name": "<script>x</script>\x00‮",
        "raffle_email": "not-an-address"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Please check the e-mail address." in body
    assert 'value="&lt;script&gt;x&lt;/script&gt;' in body  # what was typed is kept
    assert 'aria-describedby="raffle_email-error"' in body
    ok = post(client, f"/w/{wave.slug}/thanks/", {
        "raffle_opt_in": "yes", "raffle_name": "<script>x</script>\x00‮",
        "raffle_email": "a@b.example"})
    assert ok.status_code == 302
    from hrta.web.contacts.models import Contact

    response = Response.objects.get(wave=wave)
    contact = Contact.objects.get(response_key=response.public_id)
    assert contact.details == {"raffle_name": "<script>x</script>‮",
                               "raffle_email": "a@b.example"}
    assert not response.answers.filter(question_id__in=["raffle_name",
                                                        "raffle_email"]).exists()


def test_starting_twice_keeps_one_response(client, wave):
    start(client, wave)
    again = post(client, f"/w/{wave.slug}/start/")
    assert again["Location"] == f"/w/{wave.slug}/page/1/"
    assert Response.objects.filter(wave=wave).count() == 1
