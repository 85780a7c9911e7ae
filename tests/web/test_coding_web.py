"""The coding pages with Django's test client on the real database: a run started by a
button and worked in the background, the review of one answer at a time, blind second
coding, agreement, hidden quotes, proposed themes, and confirmed codes in the dashboard,
the Findings and the report."""

from __future__ import annotations

import html
import json
import re
import time

import pytest

from hrta.findings.model import CodedThemes, TextQuestion
from hrta.web.coding import selectors
from hrta.web.coding.models import CodingRun, HumanCode, ProposedTheme, WaveTheme
from hrta.web.coding.services import save_code, start_run
from hrta.web.staff.selectors import wave_findings
from tests.web.staffdata import add_response, post, signed_in
from tests.web.tasking import work_queue

CHALLENGES = [
    "We simply do not have the funding; grants ran out last year.",
    "Stigma from the community and from our own board.",
    "Staff are burned out and we cannot hire enough people.",
    "State law makes syringe services hard to run.",
    "Our county sheriff, Jim Doe, blocks everything we try.",
    "The elevator is always broken",
    "The copier keeps breaking",
    "The elevator broke again",
    "<b>Money</b> & training",
]


def _wave_with_answers(wave) -> list:
    return [add_response(wave, {"challenges": text}) for text in CHALLENGES]


def _run(client, wave, question: str = "challenges") -> CodingRun:
    """Start a run with the page's button and wait for the background work to finish."""
    reply = post(client, f"/staff/waves/{wave.slug}/coding/{question}/run/")
    assert reply.status_code == 302, reply.content[:300]
    assert reply["Location"].endswith(f"#question-{question}"), reply["Location"]
    work_queue()
    deadline = time.monotonic() + 120
    while True:
        run = CodingRun.objects.get(wave=wave, question=question)
        if run.status in (CodingRun.Status.DONE, CodingRun.Status.FAILED):
            break
        assert time.monotonic() < deadline, "the coding run did not finish"
        time.sleep(0.2)
    assert run.status == CodingRun.Status.DONE, run.message
    return run


def _answers(wave) -> TextQuestion:
    entry = wave_findings(wave).questions["challenges"]
    assert isinstance(entry, TextQuestion)
    return entry


def _coding(wave) -> CodedThemes:
    coding = _answers(wave).coding
    assert isinstance(coding, CodedThemes)
    return coding


def _position_of(wave, text: str) -> int:
    stored = selectors.stored_run(selectors.current_run(wave, "challenges"), vectors=False)
    return stored.texts.index(text)


def test_coding_pages_need_the_right_role(wave):
    viewer, _user = signed_in("viewer")
    for path in ("", "challenges/review/", "challenges/agreement/", "challenges/proposals/"):
        assert viewer.get(f"/staff/waves/{wave.slug}/coding/{path}").status_code == 403
    assert post(viewer, f"/staff/waves/{wave.slug}/coding/challenges/run/").status_code == 403
    from django.test import Client

    anonymous = Client().get(f"/staff/waves/{wave.slug}/coding/")
    assert anonymous.status_code == 302 and "/staff/login/" in anonymous["Location"]
    analyst, _user = signed_in("analyst")
    assert analyst.get(f"/staff/waves/{wave.slug}/coding/nonsense/review/").status_code == 404
    page = analyst.get(f"/staff/waves/{wave.slug}/coding/").content.decode()
    assert "These answers have not been coded yet." in page
    assert not CodingRun.objects.filter(wave=wave).exists()  # a page view codes nothing


def test_run_review_and_confirmed_codes_everywhere(wave):
    _wave_with_answers(wave)
    client, user = signed_in("analyst")
    run = _run(client, wave)
    assert run.total == len(CHALLENGES) and run.done == run.total
    assert run.suggestions.count() == len(CHALLENGES)
    funding = run.suggestions.get(text=CHALLENGES[0])
    assert [t for t, _c in funding.themes] == ["funding"]
    status = json.loads(client.get(f"/staff/waves/{wave.slug}/coding/challenges/status/")
                        .content)
    assert status == {"status": "done", "done": 9, "total": 9, "message": ""}

    overview = client.get(f"/staff/waves/{wave.slug}/coding/").content.decode()
    assert "Confirmed by a reviewer: 0 of 9." in overview

    # The review page: the closest call first, its text escaped, shortcuts shown.
    page = client.get(f"/staff/waves/{wave.slug}/coding/challenges/review/").content.decode()
    assert "Coded 0 of 9" in page and "Keyboard shortcuts" in page
    assert "<kbd>J</kbd>" in page and "<kbd>Enter</kbd>" in page
    at = _position_of(wave, CHALLENGES[8])
    page = client.get(f"/staff/waves/{wave.slug}/coding/challenges/review/?at={at}")
    text = page.content.decode()
    # Escaped once: the answer reads as typed, markup and ampersand included.
    assert "&lt;b&gt;Money&lt;/b&gt; &amp; training" in text
    assert "<b>Money</b>" not in text and "&amp;amp;" not in text
    assert "confidence" in text  # a primary reviewer sees the machine's confidences

    # Machine alone: the funding answer counts for funding.
    before = _coding(wave)
    assert before.confirmed == 0
    count = {t.id: t.count for t in before.themes}
    # The reviewer says the funding answer is about policy instead.
    at = _position_of(wave, CHALLENGES[0])
    reply = post(client, f"/staff/waves/{wave.slug}/coding/challenges/review/",
                 {"at": at, "themes": ["policy_legal"]})
    assert reply.status_code == 302 and "at=" in reply["Location"]
    code = HumanCode.objects.get(wave=wave, coder=user)
    assert code.themes == ["policy_legal"] and code.primary and not code.hide_quote
    after = _coding(wave)
    assert after.confirmed == 1
    counted = {t.id: t.count for t in after.themes}
    assert counted["funding"] == count["funding"] - 1
    assert counted["policy_legal"] == count["policy_legal"] + 1
    index = after.sources.index("confirmed")
    assert after.codes[index] == ["policy_legal"]

    # The dashboard and the report draw the confirmed codes.
    dashboard = client.get(f"/staff/waves/{wave.slug}/").content.decode()
    assert 'id="coded-themes"' in dashboard and "1 confirmed by a reviewer" in dashboard
    report = client.get(f"/staff/waves/{wave.slug}/downloads/report.html")
    body = b"".join(report.streaming_content if report.streaming else [report.content])
    assert "1 of the 9 answers were" in body.decode()

    # An unknown theme is refused and nothing changes.
    reply = post(client, f"/staff/waves/{wave.slug}/coding/challenges/review/",
                 {"at": at, "themes": ["no_such_theme"]})
    assert HumanCode.objects.get(wave=wave, coder=user).themes == ["policy_legal"]
    page = client.get(reply["Location"]).content.decode()
    assert "Unknown themes: no_such_theme." in page


def test_blind_coder_sees_no_codes_and_changes_nothing(wave):
    _wave_with_answers(wave)
    first, first_user = signed_in("analyst")
    _run(first, wave)
    at = _position_of(wave, CHALLENGES[1])
    post(first, f"/staff/waves/{wave.slug}/coding/challenges/review/",
         {"at": at, "themes": ["stigma", "community_support"]})
    counts = {t.id: t.count for t in _coding(wave).themes}

    second, second_user = signed_in("analyst")
    page = second.get(f"/staff/waves/{wave.slug}/coding/challenges/review/?mode=blind&at={at}")
    text = page.content.decode()
    assert "You are coding blind" in text
    assert "confidence" not in text and "suggested" not in text
    assert " checked" not in text  # neither the machine's nor the first coder's ticks
    assert first_user.username not in text
    reply = post(second, f"/staff/waves/{wave.slug}/coding/challenges/review/?mode=blind",
                 {"at": at, "themes": ["stigma"]})
    assert "mode=blind" in reply["Location"]
    code = HumanCode.objects.get(wave=wave, coder=second_user)
    assert code.themes == ["stigma"] and not code.primary
    # A blind code is compared, never used.
    assert {t.id: t.count for t in _coding(wave).themes} == counts
    again = second.get(f"/staff/waves/{wave.slug}/coding/challenges/review/?mode=blind&at={at}")
    assert 'value="stigma" data-key="6" checked' in again.content.decode()


def test_agreement_between_people_and_machine(wave):
    """Two coders on four answers, funding only: the first says yes, yes, no, no, the
    second yes, no, no, no. Cohen's kappa: observed 3/4, chance 0.5*0.25 + 0.5*0.75 = 0.5,
    so (0.75 - 0.5) / (1 - 0.5) = 0.50. Krippendorff's alpha (nominal): the coincidences
    are 2 yes-yes, 4 no-no and 2 mixed of 8 values (3 yes, 5 no), so the observed
    disagreement is 2/8 and the expected 2*3*5/(8*7) = 30/56; alpha = 1 - 0.25/0.5357 =
    0.53."""
    responses = _wave_with_answers(wave)
    client, first = signed_in("analyst")
    _run(client, wave)
    _other, second = signed_in("analyst")
    for response, a, b in zip(responses[:4], (["funding"], ["funding"], [], []),
                              (["funding"], [], [], []), strict=True):
        save_code(wave=wave, question="challenges", response=response, user=first, themes=a,
                  primary=True, hide_quote=False)
        save_code(wave=wave, question="challenges", response=response, user=second, themes=b,
                  primary=False, hide_quote=False)
    page = client.get(f"/staff/waves/{wave.slug}/coding/challenges/agreement/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "A reviewer has confirmed 4 of 9 answers." in text
    pair = text[text.index("hrta-pair-table"):]
    row = pair[pair.index("Inadequate funding") if "Inadequate funding" in pair else
               pair.index("unding"):]
    row = row[:row.index("</tr>")]
    # The table heads its columns by coder name, in the page's order of the two names.
    head = pair[:pair.index("</thead>")]
    counts = ("2", "1") if head.index(first.username) < head.index(second.username) \
        else ("1", "2")
    assert row.endswith(f"<td>{counts[0]}</td><td>{counts[1]}</td><td>0.50</td>"), row
    alpha = text[text.index('id="alpha-table"'):]
    alpha_row = alpha[alpha.index("unding"):]
    assert "<td>0.53</td></tr>" in alpha_row[:alpha_row.index("</tr>") + 5]
    report = selectors.agreement(wave, "challenges")
    assert report["between_people"][0]["themes"]["funding"]["kappa"] == 0.5
    assert report["alpha_people"]["themes"]["funding"] == pytest.approx(0.533, abs=0.001)
    assert report["machine_vs_reviewer"]["answers"] == 4
    assert "Machine and people" in text and "The machine against the reviewer" in text


def test_hidden_quote_never_reaches_the_report(wave):
    _wave_with_answers(wave)
    client, _user = signed_in("analyst")
    _run(client, wave)

    def report() -> str:
        reply = client.get(f"/staff/waves/{wave.slug}/downloads/report.html")
        return b"".join(reply.streaming_content if reply.streaming else
                        [reply.content]).decode()

    # Unreviewed, the answer is in the Findings but the report quotes no machine-coded
    # answer and prints answers only with its verbatims.
    assert any("Jim Doe" in a for a in _answers(wave).answers)
    assert "Jim Doe" not in report()
    at = _position_of(wave, CHALLENGES[4])
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/review/",
         {"at": at, "themes": ["policy_legal"], "hide_quote": "on"})
    text = report()
    assert "Jim Doe" not in text
    assert selectors.WITHHELD in _answers(wave).answers
    assert not any("Jim Doe" in q for t in _coding(wave).themes for q in t.quotes)
    assert "Jim Doe" not in client.get(f"/staff/waves/{wave.slug}/").content.decode()


def test_proposed_theme_is_named_and_added_to_the_wave_codebook(wave):
    _wave_with_answers(wave)
    client, _user = signed_in("analyst")
    run = _run(client, wave)
    proposals = list(run.proposals.all())
    proposal = next((p for p in proposals if "elevator" in p.words), None)
    assert proposal is not None, [(p.words, p.representatives) for p in proposals]
    page = client.get(f"/staff/waves/{wave.slug}/coding/challenges/proposals/").content.decode()
    assert "Distinctive words:" in page and html.escape(proposal.representatives[0]) in page
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/proposals/",
         {"proposal": proposal.pk, "action": "add", "label": "Broken equipment",
          "description": "The building or its machines do not work.",
          "examples": "the elevator is broken\nour copier broke"})
    theme = WaveTheme.objects.get(wave=wave)
    assert (theme.theme_id, theme.examples) == ("broken_equipment",
                                                ["the elevator is broken", "our copier broke"])
    proposal.refresh_from_db()
    assert proposal.status == ProposedTheme.Status.ADDED
    assert "broken_equipment" in selectors.wave_codebook(wave, "challenges").ids
    review = client.get(f"/staff/waves/{wave.slug}/coding/challenges/review/").content.decode()
    assert "Broken equipment" in review
    # The same name twice is refused; a run with the new theme codes the equipment answers.
    post(client, f"/staff/waves/{wave.slug}/coding/challenges/proposals/",
         {"action": "add", "label": "Broken equipment"})
    assert WaveTheme.objects.filter(wave=wave).count() == 1
    run = _run(client, wave)
    assert "broken_equipment" in run.themes
    coded = {s.text: [t for t, _c in s.themes] for s in run.suggestions.all()}
    assert sum("broken_equipment" in coded[text] for text in CHALLENGES[5:8]) >= 2, coded


def test_one_run_per_wave_at_a_time_held_by_the_database(wave, analyst):
    """A second start while one is queued, for any question of the wave, from any server,
    is refused (the active Job's key is unique in the database, not a process's lock); once
    the first is cancelled, a run may start again."""
    from hrta.web.coding.services import CodingError
    from hrta.web.tasks.models import Job
    from hrta.web.tasks.services import cancel

    _wave_with_answers(wave)
    start_run(wave=wave, question="challenges", user=analyst)
    with pytest.raises(CodingError):
        start_run(wave=wave, question="challenges", user=analyst)
    with pytest.raises(CodingError):
        start_run(wave=wave, question="facilitators", user=analyst)
    client, _user = signed_in("analyst")
    reply = post(client, f"/staff/waves/{wave.slug}/coding/challenges/run/")
    assert "already being coded" in client.get(reply["Location"]).content.decode()
    jobs = Job.objects.filter(wave=wave, kind=Job.Kind.CODING)
    assert jobs.count() == 1
    cancel(job=jobs.get())
    assert CodingRun.objects.get(wave=wave, question="challenges").status == "failed"
    run = start_run(wave=wave, question="challenges", user=analyst, wait=True)
    assert run.status == CodingRun.Status.DONE and run.total == len(CHALLENGES)


# A run as stored by an earlier rule (answer order); each answer's confidences for the two
# themes. Closest calls (nearest 0.5): the third, fifth, second and first; the fourth has no
# words to code, so it is never asked.
STORED = [("Funding", "coded", [0.97, 0.02]),
          ("Stigma, and some money", "coded", [0.30, 0.90]),
          ("Staff leave", "uncoded", [0.48, 0.10]),
          ("🙂", "uncodable", [0.0, 0.0]),
          ("The board", "uncoded", [0.40, 0.20])]
REVIEW_ORDER = ["Staff leave", "The board", "Stigma, and some money", "Funding"]


def _stored_run(wave) -> CodingRun:
    run = CodingRun.objects.create(wave=wave, question="challenges",
                                   status=CodingRun.Status.DONE, themes=["funding", "stigma"],
                                   total=len(STORED), done=len(STORED))
    for position, (text, status, confidences) in enumerate(STORED):
        response = add_response(wave, {"challenges": text})
        themes = [[theme, c] for theme, c in zip(run.themes, confidences, strict=True)
                  if c >= 0.5]
        run.suggestions.create(response=response, response_key=str(response.public_id),
                               text=text, status=status, themes=themes,
                               confidences=confidences, position=position)
    return run


def _shown(client, url: str) -> tuple[str, str]:
    """The answer a review page shows, and its position."""
    page = client.get(url).content.decode()
    text = html.unescape(re.search(r'id="answer" dir="auto">(.*?)</blockquote>', page)[1])
    return text, re.search(r'name="at" value="(\d+)"', page)[1]


def test_review_page_asks_the_closest_calls_first(wave):
    """The page follows hrta.coding.review's queue, whatever order a run was stored in:
    confirming an answer leads to the next closest call, uncodable answers never come."""
    _stored_run(wave)
    client, _user = signed_in("analyst")
    review = f"/staff/waves/{wave.slug}/coding/challenges/review/"
    shown, url = [], review
    for _answer in REVIEW_ORDER:
        text, at = _shown(client, url)
        shown.append(text)
        url = post(client, review, {"at": at, "themes": []})["Location"]
    assert shown == REVIEW_ORDER
    assert url.endswith("#question-challenges")  # every answer coded: back to the overview

    # A blind second coder meets the same order, the answers a reviewer confirmed included.
    second, _second_user = signed_in("analyst")
    assert _shown(second, f"{review}?mode=blind")[0] == REVIEW_ORDER[0]
