"""Statistics stated correctly, on a wave small enough to count by hand.

    5 leaders:  employed; role executive director; ta_receiving yes; rate a policy statement
    3 staff:    employed; role peer support worker; ta_receiving no
    2 staff:    employed; role peer support worker
    1:          employed, nothing else
    1:          not employed (screened out: in no number)

Eligible: 11. Sections answered: About you 11 (the screening question), Your organization
10 (role), Services 0, Partners 0, What helps and what gets in the way 5 (the statement),
Technical assistance 8, the raffle 0 (its opt-in; its name and e-mail are contact
details, never counted).
ta_receiving: 5 of 8 (62.5% shown as 63%) and 3 of 8 (37.5%, shown as 38%) add up to 101:
a rounding note. role: 5 and 5 of 10, 50% + 50%: no note.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from hrta.analysis import build_findings
from hrta.findings.model import Findings
from hrta.instrument import Instrument
from hrta.report import build_document
from hrta.report.document import Document, Figure, Section, Table
from hrta.report.items import ROUNDING_NOTE
from tests.native_waves import load_wave

LEAD, STAFF = "executive_director", "peer_support_worker"
PEOPLE = [
    (5, {"screening": "employed", "role": LEAD, "ta_receiving": "yes",
         "fb_policy.local_laws_help": "strongly_agree"}),
    (3, {"screening": "employed", "role": STAFF, "ta_receiving": "no"}),
    (2, {"screening": "employed", "role": STAFF}),
    (1, {"screening": "employed"}),
    (1, {"screening": "not_employed", "role": LEAD, "ta_receiving": "yes"}),
]


@pytest.fixture(scope="module")
def findings(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    wave = load_wave(tmp_path_factory.mktemp("wave") / "wave.csv", instrument, PEOPLE)
    return build_findings(wave)


@pytest.fixture(scope="module")
def document(findings: Findings) -> Document:
    return build_document(findings)


def _sections(sections: tuple[Section, ...]) -> Iterator[Section]:
    for section in sections:
        yield section
        yield from _sections(section.subsections)


def _figures(document: Document) -> Iterator[Figure]:
    for section in _sections(tuple(document.sections)):
        yield from (b for b in section.blocks if isinstance(b, Figure))


def _figure(document: Document, starts: str) -> Figure:
    return next(f for f in _figures(document) if f.caption.startswith(starts))


def test_findings_count_who_answered_each_section(findings: Findings) -> None:
    assert findings.responses.eligible == 11
    assert [(s.title, s.questions, s.count) for s in findings.survey_sections or []] == [
        ("About you", 1, 11), ("Your organization", 4, 10),
        ("Services for people who use drugs", 3, 0), ("Partners", 2, 0),
        ("What helps and what gets in the way", 5, 5), ("Technical assistance", 3, 8),
        ("Conference registration raffle (optional)", 1, 0)]
    assert {s.n for s in findings.survey_sections or []} == {11}
    assert findings.survey_sections[-2].percent == pytest.approx(800 / 11)


def test_methods_show_drop_off_through_the_survey(document: Document) -> None:
    methods = next(s for s in document.sections if s.anchor == "methods")
    table = next(b for b in methods.blocks if isinstance(b, Table))
    assert table.caption == "Eligible respondents (of 11) who answered each section"
    assert [(r.label, *r.cells) for r in table.rows][:3] == [
        ("About you", "1", "11", "100%"), ("Your organization", "4", "10", "91%"),
        ("Services for people who use drugs", "3", "0", "0%")]
    assert ("Technical assistance", "3", "8", "73%") in [(r.label, *r.cells)
                                                         for r in table.rows]


def test_no_interval_on_who_answered(document: Document) -> None:
    # The first chapter's tables describe the respondents: counts and percents only.
    roles = _figure(document, "Table A2.")
    assert [c.label for c in roles.tables[0].columns] == ["Count", "Percent"]
    organizations = _figure(document, "Table 1.")
    assert "Organizations" in organizations.caption
    assert [c.label for c in organizations.tables[0].columns] == ["Count", "Percent"]
    body = _figure(document, "Figure 2.")
    assert "Counts and percentages: Table A2 in the appendix." in body.notes
    # Findings about what organizations do keep their intervals.
    receiving = next(f for f in _figures(document) if f.caption.startswith("Table A")
                     and "Receiving Technical Assistance" in f.caption)
    assert [c.label for c in receiving.tables[0].columns] == ["Count", "Percent", "95% CI"]


def test_rounding_note_where_shown_percents_do_not_add_to_100(document: Document) -> None:
    receiving = next(f for f in _figures(document) if f.caption.startswith("Figure")
                     and "Receiving Technical Assistance" in f.caption)
    assert ROUNDING_NOTE in receiving.notes  # 63% + 38% + 0%
    roles = _figure(document, "Figure 2.")
    assert ROUNDING_NOTE not in roles.notes  # 50% + 50%


def test_findings_json_keeps_the_sections_when_read_back(findings: Findings,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "findings.json"
    path.write_text(findings.model_dump_json(), encoding="utf-8")
    assert Findings.load(path).survey_sections == findings.survey_sections
