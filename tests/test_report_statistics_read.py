"""The optional chapters read as a statistician would: every label says what its number
is, weighted tables fit the page, and changes of rounded percents are explained."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from hrta.analysis import build_findings
from hrta.analysis.grouping import resolve_grouping
from hrta.analysis.weighting import weight, weighted_findings
from hrta.demo import demo_responses
from hrta.instrument import Instrument
from hrta.report import build_document, render_html
from hrta.report.document import Figure, Section
from hrta.report.words import report_words
from hrta.wording import in_sentence
from tests.test_report_sections import COMPARISONS, TREND


@pytest.fixture(scope="module")
def findings(instrument: Instrument) -> dict[str, Any]:
    return build_findings(demo_responses(instrument)).to_json()


@pytest.fixture(scope="module")
def weighted(instrument: Instrument, findings: dict[str, Any],
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo wave raked by region and role group, as `--weights` does it."""
    margins = tmp_path_factory.mktemp("margins") / "margins.yaml"
    margins.write_text("margins:\n"
                       "  state.region: {northeast: 0.18, midwest: 0.22, south: 0.37,"
                       " west: 0.23}\n"
                       "  role.group: {leadership: 0.5, staff: 0.5}\n", encoding="utf-8")
    responses = demo_responses(instrument)
    weights, info = weight(responses, margins)
    return {**copy.deepcopy(findings),
            "weighting": weighted_findings(responses, weights, info).to_json()}


def _chapter(findings: dict[str, Any], anchor: str) -> Section:
    document = build_document(findings)
    return next(s for s in document.sections if s.anchor == anchor)


def _paragraphs(section: Section) -> str:
    return " ".join(getattr(block, "text", "") for block in section.blocks)


def test_weighted_statement_tables_are_not_set_side_by_side(
        findings: dict[str, Any], weighted: dict[str, Any]) -> None:
    """Two tables of five numeric columns in half a page each run off it: a figure's
    tables share a row only when each has the plain three."""
    def grids(page: str) -> list[str]:
        return re.findall(r'<div class="table-grid">(.*?)</div>', page, flags=re.S)

    # Unweighted, an agreement grid's statement tables pair up.
    assert grids(render_html(findings))
    page = render_html(weighted)
    for grid in grids(page):
        assert "Weighted" not in grid
    # The weighted statement tables are there, one under the other.
    assert page.count("Weighted 95% CI") >= 12


def test_weighting_names_its_margins_in_words(weighted: dict[str, Any]) -> None:
    text = _paragraphs(_chapter(weighted, "methods"))
    assert "state.region" not in text and "role.group" not in text
    assert ("Weighted percentages adjust the answers to known totals by state (Census "
            "region) and professional role or title (group).") in text
    assert "(an answer to state (Census region) or professional role or title (group) " \
           "missing)" in text


def test_subgroup_difference_is_said_to_be_between_shown_cells(
        findings: dict[str, Any]) -> None:
    """A row with hidden cells has its gap between the published ones only: the note must
    not call it the highest group minus the lowest."""
    compared = {**copy.deepcopy(findings), "comparisons": COMPARISONS}
    chapter = _chapter(compared, "comparisons")
    notes = [note for block in chapter.blocks if isinstance(block, Figure)
             for table in block.tables for note in table.notes]
    cells = next(note for note in notes if note.startswith("Cells show"))
    assert "the highest group's percent minus the lowest group's" not in cells
    assert "highest shown percent minus the lowest shown" in cells
    assert "hidden cells take no part" in cells


def _trended(findings: dict[str, Any], **yes: Any) -> dict[str, Any]:
    trended = {**copy.deepcopy(findings), "trend": copy.deepcopy(TREND)}
    trended["trend"]["questions"]["ta_receiving"]["options"]["yes"].update(yes)
    return trended


def test_trend_sentences_give_each_percent_its_base(findings: dict[str, Any]) -> None:
    text = _paragraphs(_chapter(_trended(findings), "trend"))
    assert ("the share choosing “Yes” rose from 8% of 87 to 20% of 100 (+12 points; "
            "95% CI +3 to +21).") in text


def test_trend_table_explains_a_change_that_differs_from_its_rounded_percents(
        findings: dict[str, Any]) -> None:
    # 7 of 87 (8.05%) to 17 of 87 (19.54%): shown as 8% and 20%, a change of +11.49.
    chapter = _chapter(_trended(findings, percent=19.54, percent_before=8.05,
                                difference=11.49), "trend")
    figure = next(b for b in chapter.blocks
                  if isinstance(b, Figure) and b.anchor == "trend-1")
    assert any("unrounded" in note for note in figure.notes)
    # Without such a row, no note.
    steady = _chapter(_trended(findings), "trend")
    figure = next(b for b in steady.blocks if isinstance(b, Figure) and b.anchor == "trend-1")
    assert not any("unrounded" in note for note in figure.notes)


def test_trend_limitations_say_the_waves_are_compared_as_independent(
        findings: dict[str, Any]) -> None:
    text = _paragraphs(_chapter(_trended(findings), "limitations"))
    assert "independent" in text and "the 2022 wave" in text
    # A report without --compare says nothing of waves.
    assert "independent" not in _paragraphs(_chapter(findings, "limitations"))


def test_appendix_table_keeps_its_rounding_note(findings: dict[str, Any]) -> None:
    """Read on its own, an appendix table whose percents do not add to 100% says why."""
    document = build_document(findings)
    numbers = next(s for s in document.sections if s.anchor == "appendix-numbers")
    # After the table, so that a caption never ends a page above a note.
    rounded = [b for b in numbers.blocks if isinstance(b, Figure)
               and any("because each is rounded" in note for note in b.tables[-1].notes)]
    assert rounded
    assert not any(b.notes for b in numbers.blocks if isinstance(b, Figure))



def test_groups_follow_a_by_label_without_a_second_colon(findings: dict[str, Any]) -> None:
    """`--by communities=rural` is labelled "Communities served: rural": the groups must not
    follow it after another colon ("…: rural: Rural (n=38)")."""
    compared = {**copy.deepcopy(findings), "comparisons": {
        **copy.deepcopy(COMPARISONS), "by_label": "Communities served: rural"}}
    intro = _chapter(compared, "comparisons").blocks[0]
    text = getattr(intro, "text", "")
    assert "rural: " not in text
    assert ("This chapter compares the answers of respondents by communities served: rural, "
            "in these groups: ") in text


def test_map_note_reads_right_under_its_appendix_table(findings: dict[str, Any]) -> None:
    """The state map's note follows its table in the appendix too: it names the map
    rather than "squares", which the table has none of."""
    document = build_document(findings)
    numbers = next(s for s in document.sections if s.anchor == "appendix-numbers")
    states = next(b for b in numbers.blocks if isinstance(b, Figure)
                  and b.caption.startswith("Table A1."))
    (note,) = [n for n in states.tables[-1].notes if "were represented" in n]
    assert "Squares" not in note
    assert note.endswith("the map shows the others in light grey.")


def test_trend_columns_name_each_wave_with_its_year(findings: dict[str, Any]) -> None:
    """A table read on its own still says which wave is which: "the earlier wave" and
    "this wave" carry the year they were fielded; a wave the analyst named keeps its name."""
    unnamed = _trended(findings)
    unnamed["trend"].pop("label")
    table = next(b for b in _chapter(unnamed, "trend").blocks
                 if isinstance(b, Figure) and b.anchor == "trend-1").tables[0]
    assert [c.label for c in table.columns][:2] == [
        "The earlier wave (2021, n=87)", "This wave (2022, n=100)"]
    named = next(b for b in _chapter(_trended(findings), "trend").blocks
                 if isinstance(b, Figure) and b.anchor == "trend-1").tables[0]
    assert [c.label for c in named.columns][:2] == [
        "The 2022 wave (n=87)", "This wave (2022, n=100)"]


def test_a_label_opening_with_the_article_reads_in_lower_case_mid_sentence() -> None:
    """A theme "A champion" reads "respondents named a champion" (and "señalaron a
    champion"), while a pronoun or a lone letter keeps its capital."""
    assert in_sentence("A champion") == "a champion"
    assert in_sentence("A veces") == "a veces"
    assert in_sentence("A New York partner") == "A New York partner"
    assert in_sentence("I don't know") == "I don't know"
    assert in_sentence("T cells") == "T cells"
    assert in_sentence("A") == "A"


def test_appendix_table_names_appendix_tables_where_its_figure_names_figures(
        findings: dict[str, Any]) -> None:
    """A figure drawing several questions points to their tables; in the body it names
    their figures, in the appendix the appendix tables that hold the counts."""
    document = build_document(findings)
    body_notes = [note for section in document.walk() if not section.anchor.startswith(
        "appendix") for block in section.blocks if isinstance(block, Figure)
        for note in block.notes if "confidence intervals are in" in note]
    assert body_notes and all(re.search(r"Figure \d+", note) for note in body_notes)
    numbers = next(s for s in document.sections if s.anchor == "appendix-numbers")
    notes = [note for block in numbers.blocks if isinstance(block, Figure)
             for table in block.tables for note in table.notes
             if "confidence intervals are in" in note]
    assert notes
    for note in notes:
        assert "Figure" not in note
        assert re.fullmatch(r"Counts and 95% confidence intervals are in Tables? A\d+\w*"
                            r"( and A\d+\w*)?\.", note), note


def test_trend_overview_gives_an_unchanged_question_its_interval(
        findings: dict[str, Any]) -> None:
    """A question whose every option held still shows a change of 0 with the 95% interval
    of the option least precisely measured, not a dash."""
    trended = _trended(findings, percent=8.0, difference=0.0, ci_low=-7.9, ci_high=8.4)
    trended["trend"]["questions"]["ta_receiving"]["options"]["no"].update(
        percent=76.0, difference=0.0, ci_low=-12.6, ci_high=12.9)
    overview = next(b for b in _chapter(trended, "trend").blocks
                    if isinstance(b, Figure) and b.anchor == "trend-overview")
    (row,) = overview.tables[0].rows
    assert list(row.cells) == ["No", "0", "−13 to +13", "No"]
    assert any("no option changed" in note for note in overview.notes)


def test_the_group_of_those_who_did_not_choose_an_option_reads_in_sentence_case(
        instrument: Instrument) -> None:
    grouping = resolve_grouping(demo_responses(instrument), "communities=rural")
    assert [g.label for g in grouping.groups] == ["Rural", "Not rural"]


def test_the_group_of_those_who_did_not_choose_an_option_is_named_in_spanish(
        findings: dict[str, Any]) -> None:
    compared = {**copy.deepcopy(findings), "comparisons": {
        **copy.deepcopy(COMPARISONS), "by_label": "Comunidades atendidas: rurales",
        "groups": [{"id": "rural", "label": "Rurales", "n": 38},
                   {"id": "not_rural", "label": "Not rurales", "n": 48}]}}
    document = build_document(compared, words=report_words("es"))
    intro = next(s for s in document.sections if s.anchor == "comparisons").blocks[0]
    text = getattr(intro, "text", "")
    assert "Rurales (n=38) y No rurales (n=48)" in text, text
