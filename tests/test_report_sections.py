"""Chapters filled in from the data (methods, limitations, appendix), the analyst's
discussion, and the optional chapters other stages add to Findings (comparisons, weighting,
trend), drawn from hand-made blocks that follow the documented contract."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from hrta.analysis import build_findings
from hrta.analysis.subgroups import compare_subgroups
from hrta.analysis.trends import compare_waves
from hrta.analysis.weighting import weight, weighted_findings
from hrta.demo import demo_responses
from hrta.instrument import Instrument
from hrta.report import build_document, render_html, render_report
from hrta.report.document import Bullets, Document, Figure, Heading, Paragraph, Section, Table
from tests.raw_counts import Raw, whole_percent

GROUP_LABEL = "<b>North</b>east"

COMPARISONS = {
    "by": "region", "by_label": "Region", "threshold": 5, "alpha": 0.05,
    "correction": "benjamini-hochberg", "min_group": 10,
    # The groups' sizes: fewer of each answered a given question (its own n per group).
    "groups": [{"id": "northeast", "label": GROUP_LABEL, "n": 30},
               {"id": "south", "label": "South", "n": 31},
               {"id": "combined", "label": "All other groups", "n": 15}],
    "small_groups": [{"id": "west", "label": "West", "n": 9},
                     {"id": "midwest", "label": "Midwest", "n": 4}],
    "left_out": 0, "not_grouped": 12,
    "questions": {
        "communities": {
            "type": "multi", "title": "Communities served",
            "text": "Which communities does your organization serve?", "test": None,
            "options": {
                "rural": {"label": "Rural", "test": {
                    "method": "fisher-exact", "statistic": 1.2, "p": 0.4, "p_adjusted": 0.8,
                    "significant": False}, "groups": {
                        "northeast": {"count": 10, "n": 25, "percent": 40.0, "suppressed": False},
                        "south": {"count": 12, "n": 28, "percent": 42.86, "suppressed": False},
                        "combined": {"count": 5, "n": 13, "percent": 38.46,
                                     "suppressed": False}}},
                "urban": {"label": "Urban", "test": {
                    "method": "chi-square", "statistic": 0.1, "p": 0.3, "p_adjusted": 0.7,
                    "significant": False}, "groups": {
                        "northeast": {"count": 15, "n": 25, "percent": 60.0, "suppressed": False},
                        "south": {"count": 16, "n": 28, "percent": 57.14, "suppressed": False},
                        "combined": {"count": 8, "n": 13, "percent": 61.54,
                                     "suppressed": False}}},
            },
        },
        "ta_receiving": {
            "type": "single", "title": "Currently receiving technical assistance",
            "text": "Is your organization currently receiving technical assistance to support "
                    "its harm reduction efforts?",
            "test": {"method": "chi-square", "statistic": 9.87, "p": 0.007,
                     "p_adjusted": 0.021, "significant": True},
            "options": {
                "yes": {"label": "Yes", "test": None, "groups": {
                    "northeast": {"count": None, "n": 25, "percent": None, "suppressed": True},
                    "south": {"count": 6, "n": 28, "percent": 21.43, "suppressed": False},
                    "combined": {"count": None, "n": 13, "percent": None, "suppressed": True}}},
                "no": {"label": "No", "test": {"method": "fisher-exact", "statistic": 3.1,
                                               "p": 0.004, "p_adjusted": 0.012,
                                               "significant": True},
                       # 20 of 25 and 14 of 28: Wilson 60.87–91.14 and 32.63–67.37, so
                       # 30 − √(19.13² + 17.37²) and 30 + √(11.14² + 17.37²).
                       "difference": {"high": "northeast", "low": "south", "difference": 30.0,
                                      "ci_low": 4.16, "ci_high": 50.63},
                       "groups": {
                           "northeast": {"count": 20, "n": 25, "percent": 80.0,
                                         "suppressed": False},
                           "south": {"count": 14, "n": 28, "percent": 50.0,
                                     "suppressed": False},
                           "combined": {"count": 8, "n": 13, "percent": 61.54,
                                        "suppressed": False}}},
                "unsure": {"label": "Unsure", "test": {"method": "fisher-exact",
                                                       "statistic": 0.2, "p": 0.6,
                                                       "p_adjusted": 0.6, "significant": False},
                           "groups": {
                               "northeast": {"count": None, "n": 25, "percent": None,
                                             "suppressed": True},
                               "south": {"count": 8, "n": 28, "percent": 28.57,
                                         "suppressed": False},
                               "combined": {"count": None, "n": 13, "percent": None,
                                            "suppressed": True}}},
            },
        },
    },
    "significant": [
        {"question": "ta_receiving", "option": "no", "method": "fisher-exact",
         "p_adjusted": 0.012},
        {"question": "ta_receiving", "option": None, "method": "chi-square",
         "p_adjusted": 0.021}],
}

WEIGHTING = {
    "margins": ["region", "organization type"], "source": "margins.yaml", "raked": 120,
    "not_raked": 31, "design_effect": 1.4213, "effective_n": 106.3,
    "questions": {"ta_receiving": {"n": 87, "effective_n": 61.2, "options": {
        "yes": {"percent": 9.6, "ci_low": 4.1, "ci_high": 18.2},
        "no": {"percent": 74.5, "ci_low": 63.0, "ci_high": 83.4},
        "unsure": {"percent": 15.9, "ci_low": 9.0, "ci_high": 26.5}}}},
}

TREND = {
    "compare_to": "the 2022 wave", "label": "the 2022 wave",
    "fielded_before": {"first": "2021-05-03", "last": "2021-06-11"},
    "questions": {"ta_receiving": {
        "title": "Currently receiving technical assistance", "n": 100, "n_before": 87,
        "options": {
            "yes": {"label": "Yes", "percent": 20.0, "percent_before": 8.0, "difference": 12.0,
                    "ci_low": 3.2, "ci_high": 20.8, "changed": True},
            "no": {"label": "No", "percent": 70.0, "percent_before": 76.0, "difference": -6.0,
                   "ci_low": -15.0, "ci_high": 3.0, "changed": False},
            "unsure": {"label": "Unsure", "percent": None, "percent_before": 16.0,
                       "difference": None, "ci_low": None, "ci_high": None,
                       "changed": None}}}},
}

DISCUSSION = """# What the numbers say

Funding is the **main barrier**, and *staff* support is strong.
Raw markup stays text: <script>alert(1)</script>

- toolkits first
- then webinars

## Next steps

1. Build the funding toolkit.
2. Run a peer cohort.
"""


@pytest.fixture(scope="module")
def findings(instrument: Instrument) -> dict[str, Any]:
    return build_findings(demo_responses(instrument)).to_json()


@pytest.fixture(scope="module")
def extended(findings: dict[str, Any]) -> dict[str, Any]:
    return {**copy.deepcopy(findings), "comparisons": COMPARISONS, "weighting": WEIGHTING,
            "trend": TREND}


@pytest.fixture(scope="module")
def real_blocks(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory
                ) -> dict[str, dict[str, Any]]:
    """The same blocks as the analysis makes them, from the demo waves."""
    responses = demo_responses(instrument)
    margins = tmp_path_factory.mktemp("margins") / "margins.yaml"
    margins.write_text("margins:\n  role.group: {leadership: 0.5, staff: 0.5}\n",
                       encoding="utf-8")
    weights, info = weight(responses, margins)
    return {
        "comparisons": [compare_subgroups(responses, by).to_json()
                        for by in ("role.group", "ta_receiving")],
        "weighting": [weighted_findings(responses, weights, info).to_json()],
        "trend": [compare_waves(build_findings(responses).to_json(),
                                build_findings(demo_responses(instrument, seed=2021))
                                .to_json(), "the 2022 wave").to_json()],
    }


ID_KEYED = {"questions", "options", "groups", "nets"}


def _nodes(value: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], frozenset]]:
    """Every object in a block with the path to it; entries keyed by ids share one path."""
    if isinstance(value, dict):
        if path and path[-1] in ID_KEYED:
            for child in value.values():
                yield from _nodes(child, (*path, "*"))
            return
        yield path, frozenset(value)
        for key, child in value.items():
            yield from _nodes(child, (*path, key))
    elif isinstance(value, list):
        for child in value:
            yield from _nodes(child, (*path, "[]"))


def _key_sets(blocks: list[Any]) -> dict[tuple[str, ...], list[frozenset]]:
    found: dict[tuple[str, ...], list[frozenset]] = {}
    for block in blocks:
        for path, keys in _nodes(block):
            found.setdefault(path, []).append(keys)
    return found


@pytest.mark.parametrize(("name", "stand_in"), [
    ("comparisons", COMPARISONS), ("weighting", WEIGHTING), ("trend", TREND)])
def test_stand_ins_have_the_shape_of_the_analysis_output(
        real_blocks: dict[str, list[dict[str, Any]]], name: str, stand_in: dict[str, Any]):
    """The hand-made blocks must be what the analysis writes: no key missing, none made up,
    no value (a test method) the analysis never emits."""
    real = _key_sets(real_blocks[name])
    for path, key_sets in _key_sets([stand_in]).items():
        assert path in real, f"{name}: {'/'.join(path)} is not in the analysis output"
        everything = frozenset().union(*real[path])
        always = frozenset.intersection(*real[path])
        for keys in key_sets:
            assert always <= keys, f"{name}: {'/'.join(path)} lacks {sorted(always - keys)}"
            assert keys <= everything, f"{name}: {'/'.join(path)} has {sorted(keys - everything)}"
    if name == "comparisons":
        def methods(block: dict[str, Any]) -> set[str]:
            tests = [entry["test"] for entry in block["questions"].values()] + [
                option["test"] for entry in block["questions"].values()
                for option in entry["options"].values()]
            return {test["method"] for test in tests if test}

        emitted = set().union(*(methods(block) for block in real_blocks[name]))
        assert methods(stand_in) <= emitted, emitted


@pytest.fixture(scope="module")
def document(extended: dict[str, Any]) -> Document:
    return build_document(extended, discussion=DISCUSSION, verbatims=True)


def _chapter(document: Document, anchor: str) -> Section:
    return next(section for section in document.sections if section.anchor == anchor)


def _text(section: Section) -> str:
    parts = []
    for block in section.blocks:
        if isinstance(block, Paragraph):
            parts.append(block.text)
        elif isinstance(block, Bullets):
            parts += ["".join(run.text for run in item) for item in block.items]
    return " ".join(parts)


def _tables(section: Section) -> list[Table]:
    found: list[Table] = []
    for block in section.blocks:
        if isinstance(block, Table):
            found.append(block)
        elif isinstance(block, Figure):
            found += block.tables
    return found


def _row(table: Table, label: str) -> tuple[str, ...]:
    return next(row.cells for row in table.rows if row.label == label)


# Chapters filled in from the data --------------------------------------------------------

def test_chapters_in_order(document: Document, findings: dict[str, Any]) -> None:
    assert [s.title for s in document.sections] == [
        "Executive summary", "Methods", "Findings", "Comparisons by region",
        "Change since the 2022 wave", "Discussion", "Limitations",
        "Appendix A: Tables of the figures", "Appendix B: Questions and their n",
        "Appendix C: Open-ended answers", "Appendix D: The instrument"]
    assert [s.appendix for s in document.sections] == [False] * 7 + [True] * 4
    plain = build_document(findings)
    assert "Comparisons by region" not in [s.title for s in plain.sections]
    assert [s.title for s in _chapter(plain, "findings").subsections] == [
        s["title"] for s in findings["sections"]]


def test_methods_give_dates_counts_and_every_question_n(findings: dict[str, Any]) -> None:
    methods = _chapter(build_document(findings), "methods")
    text = _text(methods)
    assert text.startswith("Responses were collected between May 16, 2022 and June 3, 2022. "
                           "A total of 161 individuals responded to the survey, 10 of whom")
    assert "counts below 5 are not shown for small subgroups" in text
    # The table of every question's n runs to pages: methods point to it in an appendix,
    # which leaves out the screening and raffle questions no figure draws.
    assert "The appendix “Questions and their n” lists every question analysed" in text
    assert not any(s.anchor == "methods-questions" for s in methods.subsections)
    (table,) = _tables(_chapter(build_document(findings), "appendix-questions"))
    assert len(table.rows) == len(findings["questions"]) - 2
    labels = " ".join(row.label for row in table.rows).lower()
    assert "raffle" not in labels and "employed at a mental health" not in labels
    assert _row(table, "Technical assistance formats (top three)") == (
        "Choose up to 3", "87", "64")
    assert _row(table, "Law, policy and funding factors: There is adequate funding available "
                       "to support harm reduction within our organization.") == (
        "Agreement statement", "90", "61")


def test_limitations_name_sample_missing_answers_and_suppression(
        instrument: Instrument, findings: dict[str, Any]) -> None:
    text = _text(_chapter(build_document(findings), "limitations"))
    assert "convenience sample" in text
    # The numbers, counted from the raw answers of the same wave.
    raw = Raw.of(demo_responses(instrument))
    qids = [qid for q in instrument.analysable_questions()
            for qid in (q.statement_qids() if q.type == "matrix" else (q.id,))]
    answered = {qid: raw.answered(qid) for qid in qids}
    eligible = len(raw.eligible)
    most = sorted(qids, key=lambda qid: answered[qid])[:3]
    assert most == ["facilitators", "challenges", "role"]
    low, high = min(answered.values()), max(answered.values())
    facilitators, challenges, role = (eligible - answered[qid] for qid in most)
    assert (f"n ranges from {low} to {high} of the {eligible} eligible respondents. The "
            "questions left unanswered most often were greatest facilitators (not answered "
            f"by {facilitators}), greatest challenges (not answered by {challenges}) and "
            f"professional role or title (not answered by {role}).") in text
    leadership = {o.id for o in instrument.question("role").options if o.group == "leadership"}
    share = whole_percent(len(raw.who_chose("role", leadership)), answered["role"])
    assert f"{share}% held leadership positions" in text
    assert "counts below 5 are not shown for small subgroups" in text
    assert "did not compare subgroups" in text


def test_appendix_lists_the_instrument_from_findings(findings: dict[str, Any]) -> None:
    appendix = _chapter(build_document(findings), "appendix")
    text = _text(appendix)
    for qid, entry in findings["questions"].items():
        assert entry["text"] in text, qid
    assert "Q1. Are you currently employed" in text
    states = next(b for b in appendix.blocks if isinstance(b, Bullets) and b.inline)
    assert len(states.items) == len(findings["questions"]["state"]["options"])
    assert "Agreement grid: each statement rated on one scale (Strongly agree" in text


def test_discussion_placeholder_without_markdown(findings: dict[str, Any]) -> None:
    discussion = _chapter(build_document(findings), "discussion")
    assert discussion.blocks[0].role == "placeholder"  # type: ignore[union-attr]
    assert "--discussion" in _text(discussion)


def test_discussion_markdown_becomes_blocks(document: Document) -> None:
    blocks = _chapter(document, "discussion").blocks
    headings = [(b.text, b.level) for b in blocks if isinstance(b, Heading)]
    assert headings == [("What the numbers say", 2), ("Next steps", 3)]
    first = next(b for b in blocks if isinstance(b, Paragraph))
    assert [(r.text, r.bold, r.italic) for r in first.runs if r.bold or r.italic] == [
        ("main barrier", True, False), ("staff", False, True)]
    assert "<script>alert(1)</script>" in first.text
    lists = [b for b in blocks if isinstance(b, Bullets)]
    assert [b.ordered for b in lists] == [False, True]
    assert len(lists[1].items) == 2


# Optional chapters -----------------------------------------------------------------------

def test_comparisons_table_marks_significance_and_suppression(document: Document) -> None:
    chapter = _chapter(document, "comparisons")
    overview, table = _tables(chapter)
    # Each group is headed by its members who answered this question (25 of the 30
    # northeasterners), not by the group's size.
    assert [c.label for c in table.columns] == [
        f"{GROUP_LABEL} (n=25)", "South (n=28)", "All other groups (n=13)",
        "Difference, points (95% CI)", "p", "Adjusted p"]
    assert _row(table, "No *") == ("80% (20)", "50% (14)", "62% (8)", "+30 (+4 to +51)",
                                   "0.004", "0.012")
    # A gap to hidden cells is hidden too; a p-value per option of a question tested as a
    # whole does not apply.
    assert _row(table, "Yes") == ("–", "21% (6)", "–", "–", "n/a", "n/a")
    notes = " ".join(table.notes)
    assert "– Not shown to protect privacy: fewer than 5 respondents" in notes
    assert "n/a Not applicable: the question has one test of its whole table" in notes
    assert "the highest shown percent minus the lowest shown" in notes
    assert "* Significant after adjustment (α = 0.05)" in notes
    assert "Chi-square, statistic 9.87, p=0.007, adjusted p=0.021 (significant)" in notes
    # Every question gets a line in the overview, with its p before and after adjustment;
    # only the one that differs gets a table.
    assert _row(overview, "Communities served") == ("One per option (2)", "0.300", "0.700",
                                                    "No")
    assert _row(overview, "Currently receiving technical assistance *") == (
        "Chi-square", "0.007", "0.021", "Yes")
    captions = [b.caption for b in chapter.blocks if isinstance(b, Figure)]
    assert captions == ["Every question tested by region",
                        "Currently receiving technical assistance, by region"]
    text = _text(chapter)
    assert ("Groups with fewer than 10 respondents are compared together as “All other "
            "groups”: West (9) and Midwest (4).") in text
    assert "for the 1 question with a significant difference" in text
    assert ("For currently receiving technical assistance, the share choosing “No” differed "
            f"by region: {GROUP_LABEL} 80% (n=25), South 50% (n=28) and All other groups 62% "
            "(n=13) (adjusted p=0.012).")\
        in text
    assert "“Unsure” differed" not in text
    # The whole question differs too: the option with the widest published gap is named.
    assert ("Answers to “Is your organization currently receiving technical assistance to "
            "support its harm reduction efforts?” differed by region (adjusted p=0.021); the "
            "largest gap was in “No”") in text
    assert "Benjamini–Hochberg false discovery rate, α = 0.05" in text


def test_no_significant_difference_is_said(extended: dict[str, Any]) -> None:
    quiet = copy.deepcopy(extended)
    quiet["comparisons"]["significant"] = []
    question = quiet["comparisons"]["questions"]["ta_receiving"]
    question["test"]["significant"] = False
    for option in question["options"].values():
        option["test"] = None
    # A group none of whose members answered the question has no percent: not applicable.
    for option in question["options"].values():
        option["groups"]["combined"] = {"count": 0, "n": 0, "percent": None,
                                        "suppressed": False}
        option.pop("difference", None)
    chapter = _chapter(build_document(quiet), "comparisons")
    text = _text(chapter)
    assert "No difference between groups was statistically significant" in text
    # Still, the questions of the report's last section are described by group.
    assert ("No difference is significant; to describe the groups, the tables below give "
            "the 1 question on technical assistance needs and preferences by group.") in text
    table = _tables(chapter)[1]
    assert table.columns[2].label == "All other groups (n=0)"
    assert _row(table, "No") == ("80% (20)", "50% (14)", "n/a", "n/a", "n/a", "n/a")
    notes = " ".join(table.notes)
    assert "A group none of whose members answered has no percent." in notes
    assert "Shown to describe the groups: no difference in this question is significant" \
        in notes


def test_small_groups_too_few_even_together_are_left_out(extended: dict[str, Any]) -> None:
    sparse = copy.deepcopy(extended)
    sparse["comparisons"]["groups"] = sparse["comparisons"]["groups"][:2]
    sparse["comparisons"]["small_groups"] = [{"id": "west", "label": "West", "n": 6}]
    sparse["comparisons"]["left_out"] = 6
    text = _text(_chapter(build_document(sparse), "comparisons"))
    assert ("Groups with fewer than 10 respondents are too small to compare, and even "
            "together they are too few, so they are left out: West (6).") in text


def test_weighting_adds_a_methods_note_and_weighted_columns(document: Document) -> None:
    text = _text(_chapter(document, "methods"))
    # How many could be placed on the margins, and the design effect and effective n in
    # words; no claim of a random sample's precision for a convenience sample.
    assert ("120 of the 151 eligible respondents could be placed on the margins and were "
            "weighted; 31 could not (an answer to region or organization type missing) and "
            "keep weight 1.") in text
    assert ("The weights have a design effect of 1.42: unequal weights widen the weighted "
            "intervals about as much as having about 106 respondents (the effective n) instead of "
            "151 would.") in text
    assert "simple random sample" not in text
    assert ("The charts, the executive summary and the takeaways give the unweighted "
            "percentages: those are the headline estimates.") in text
    # The weighted columns are in the figure's table, which the appendix carries.
    numbers = _chapter(document, "appendix-numbers")
    receiving = next(b for b in numbers.blocks
                     if isinstance(b, Figure) and b.caption.startswith("Table A10."))
    table = receiving.tables[0]
    assert [c.label for c in table.columns] == [
        "Count", "Percent", "95% CI", "Weighted %", "Weighted 95% CI"]
    assert _row(table, "No")[3:] == ("75%", "63–83%")
    # Questions without weights keep the plain columns.
    formats = next(b for b in numbers.blocks
                   if isinstance(b, Figure) and b.caption.startswith("Table A12."))
    assert len(formats.tables[0].columns) == 3


def test_trend_table_and_sentences(document: Document) -> None:
    chapter = _chapter(document, "trend")
    overview, table = _tables(chapter)
    # One line per question: the option that moved most, and whether anything changed.
    assert [c.label for c in overview.columns] == [
        "Largest change in", "Change (points)", "95% CI of change", "Any change beyond chance"]
    assert _row(overview, "Currently receiving technical assistance") == (
        "Yes", "+12", "+3 to +21", "Yes")
    assert [c.label for c in table.columns] == [
        "The 2022 wave (n=87)", "This wave (2022, n=100)", "Change (points)",
        "95% CI of change"]
    assert _row(table, "Yes") == ("8%", "20%", "+12", "+3 to +21")
    assert _row(table, "No") == ("76%", "70%", "−6", "−15 to +3")
    assert _row(table, "Unsure") == ("16%", "–", "–", "–")
    text = _text(chapter)
    assert ("For currently receiving technical assistance, the share choosing “Yes” rose from "
            "8% of 87 to 20% of 100 (+12 points; 95% CI +3 to +21).") in text
    assert "“No” fell" not in text  # its interval includes zero
    assert "for the 1 question with a change" in text
    # Waves are named, with the dates they were fielded.
    assert ("This chapter compares this wave (fielded May 16, 2022 to June 3, 2022) with "
            "the 2022 wave (fielded May 3, 2021 to June 11, 2021)") in text


def test_unnamed_earlier_wave_is_never_called_by_its_file_name(
        extended: dict[str, Any]) -> None:
    unnamed = copy.deepcopy(extended)
    unnamed["trend"].pop("label")
    unnamed["trend"]["compare_to"] = "responses_2021_final.csv"
    chapter = _chapter(build_document(unnamed), "trend")
    assert chapter.title == "Change since the earlier wave"
    text = _text(chapter)
    assert ".csv" not in text
    assert "with the earlier wave (fielded May 3, 2021 to June 11, 2021)" in text
    assert _tables(chapter)[1].columns[0].label == "The earlier wave (2021, n=87)"


def test_unchanged_questions_get_a_line_not_a_table(extended: dict[str, Any]) -> None:
    steady = copy.deepcopy(extended)
    steady["trend"]["questions"]["ta_receiving"]["options"]["yes"].update(
        difference=2.0, ci_low=-4.0, ci_high=8.0, changed=False)
    chapter = _chapter(build_document(steady), "trend")
    (overview,) = _tables(chapter)
    assert _row(overview, "Currently receiving technical assistance") == (
        "No", "−6", "−15 to +3", "No")
    assert "the tables of each question are not printed" in _text(chapter)


def test_optional_chapters_render_in_html_and_word(extended: dict[str, Any],
                                                   tmp_path: Path) -> None:
    page = render_html(extended, discussion=DISCUSSION)
    assert "Comparisons by region" in page and "Change since the 2022 wave" in page
    assert "&lt;b&gt;North&lt;/b&gt;east (n=25)" in page
    assert "<b>North" not in page
    assert "<strong>main barrier</strong>" in page and "<em>staff</em>" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    path = tmp_path / "report.docx"
    render_report(extended, path, discussion=DISCUSSION)
    word = docx.Document(str(path))
    headings = [(p.style.name, p.text) for p in word.paragraphs
                if p.style.name.startswith("Heading")]
    assert ("Heading 1", "Comparisons by region") in headings
    assert ("Heading 2", "What the numbers say") in headings
    assert ("Heading 3", "Next steps") in headings
    cells = [[c.text for c in row.cells] for t in word.tables for row in t.rows]
    assert ["No *", "80% (20)", "50% (14)", "62% (8)", "+30 (+4 to +51)", "0.004",
            "0.012"] in cells
    # Each numbered list restarts at 1: the key findings and the discussion's steps have
    # numberings of their own.
    numbered = {p._p.pPr.numPr.numId.val for p in word.paragraphs
                if p.style.name == "List Number"}
    assert len(numbered) == 2
    bold = [r.text for p in word.paragraphs for r in p.runs if r.bold]
    assert "main barrier" in bold
    assert any("<script>alert(1)</script>" in p.text for p in word.paragraphs)


def test_how_to_read_box_explains_intervals_for_a_convenience_sample(
        findings: dict[str, Any]) -> None:
    methods = _chapter(build_document(findings), "methods")
    box = next(s for s in methods.subsections if s.anchor == "methods-reading")
    text = _text(box)
    # What a 95% interval means here, why it still helps, and what it cannot do.
    assert "a range of plausible values for the percentage among people like those " \
           "who answered" in text
    assert "still useful" in text and "cannot" in text and "convenience sample" in text
    # The body no longer repeats each chart as a table, nor lists every question's n.
    assert "Every chart is followed by a table" not in text
    assert "table of questions below" not in _text(methods)
    assert "the tables of the figures in the appendix" in text


def test_trend_leaves_out_screening_and_names_no_largest_change_of_zero(
        extended: dict[str, Any]) -> None:
    changed = copy.deepcopy(extended)
    questions = changed["trend"]["questions"]
    steady = {"label": "Yes", "percent": 100.0, "percent_before": 100.0, "difference": 0.0,
              "ci_low": -3.0, "ci_high": 3.0, "changed": False}
    empty = {"label": "No", "percent": 0.0, "percent_before": 0.0, "difference": 0.0,
             "ci_low": -3.0, "ci_high": 3.0, "changed": False}
    questions["screening"] = {"title": "Employed", "n": 100, "n_before": 87,
                              "options": {"yes": steady, "no": empty}}
    questions["raffle_opt_in"] = {"title": "Raffle", "n": 100, "n_before": 87,
                                  "options": {"yes": {**steady, "difference": 5.0}}}
    questions["ta_formats"] = {"title": "Formats", "n": 80, "n_before": 70,
                               "options": {"webinars": {**empty, "label": "Webinars"}}}
    chapter = _chapter(build_document(changed), "trend")
    overview = _tables(chapter)[0]
    labels = [row.label for row in overview.rows]
    # Screening and contact questions are not compared: no figure draws them.
    assert not any("employed" in label.lower() or "raffle" in label.lower()
                   for label in labels)
    # A largest change of zero, or from cells empty in both waves, is not named.
    formats = next(row.cells for row in overview.rows if row.label != labels[0])
    assert formats == ("–", "0", "–", "No")
    # The number of comparisons is said, with what it means for chance findings.
    notes = " ".join(next(b for b in chapter.blocks
                          if isinstance(b, Figure) and b.anchor == "trend-overview").notes)
    assert "3 options of 2 questions were compared" in notes
    assert "about 1 in 20" in notes
