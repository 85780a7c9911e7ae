"""Report audit: hand-written reports with one fault of each kind, and clean lines beside them.

Every fault below is one a reader can check with a calculator; every clean line is a trap
a naive check would fall into (multi-choice lists adding past 100%, a summary's net that
is the sum of two rounded parts, the same item in "now" and "future" lists).
"""

from __future__ import annotations

import json
import re
from fractions import Fraction
from pathlib import Path

import pytest

from hrta.audit import (
    Flag,
    audit,
    flags_to_json,
    format_flags,
    load_findings,
    read_document,
)
from hrta.audit.numbers import (
    find_counts,
    find_percents,
    find_sample_sizes,
    is_possible,
    word_to_int,
)
from hrta.audit.text import split_sentences
from hrta.errors import InputError
from hrta.findings import Findings, ranks
from hrta.findings.model import (
    Matrix,
    MatrixStatement,
    MultiQuestion,
    NetTally,
    OptionTally,
    ResponseCounts,
)
from tests.conftest import run_hrta

SEED = (Path(__file__).resolve().parents[2] / "shared" / "seeds"
        / "000_5615df9b51167696.txt")

REPORT = """\
# Findings

## Receiving technical assistance

Of a total of 80 respondents, 10% reported that their organization is receiving technical \
assistance, 15% were unsure and 75% reported that it is not receiving technical assistance \
(Figure 1).

**Figure 1. Receiving technical assistance (n=80)**

## Community factors

Sixty percent of respondents strongly agree or agree that their organization has built \
trusting relationships with PWUD, 20% somewhat disagree, 10% strongly disagree and 10% do \
not know. Forty percent of respondents strongly agree or agree that their local health \
agencies support harm reduction services, 35% somewhat disagree, 20% strongly disagree and \
15% don't know.

Only 5% of respondents strongly agree that there is adequate funding available to support \
harm reduction, 11% somewhat agree, 30% somewhat disagree, 40% strongly disagree and 13% \
don't know (Figure 2).

**Figure 2. Community factors (n=80)**

## Services

A total of 80 respondents answered this question. The most common services were peer \
support services (88%), individual or group counseling (85%) and community outreach (79%). \
Only 7% of respondents reported that they distribute syringes. Seventeen respondents (17%) \
reported that they offer mobile services. Of all respondents, 104% reported having a \
naloxone policy. Referrals to treatment rose by 150% since 2020.

## Referrals

A total of 93 individuals responded to this question. The most common services provided \
through referrals include methadone treatment (48%) and peer support services (45%). For \
example, 90% reported they provide peer support services directly and 46% reported they \
provide this service through referrals as well.

The least common services referred to include mobile methadone treatment (14%).

## Partners

The least common types of partners included drug user unions (5%).

## Future partners

The least common types of future partners included drug user unions (10%).

## Technical assistance needs

Among a total of 80 respondents, the most requested activities included step-by-step \
implementation documents, such as toolkits or roadmaps (85%), national webinars and \
recorded presentations (60%) and shorter resources, such as one-page handouts (50%).

# Discussion

Only 5% of respondents partnered with drug user unions and 10% plan to partner with drug \
user unions in the future. Only 16% of respondents agree or somewhat agree that their \
organization has adequate funding to support harm reduction.

Step-by-step implementation guidance was identified as the most useful modality (68%), \
followed by national webinars and recorded presentations (48%) and shorter resources (50%).
"""


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "report.md"
    path.write_text(REPORT, encoding="utf-8")
    return path


def _of(flags: list[Flag], kind: str) -> list[Flag]:
    return [f for f in flags if f.kind == kind]


def _flagged(flags: list[Flag], kind: str, fragment: str) -> list[Flag]:
    return [f for f in _of(flags, kind) if fragment in f.sentence]


# --- numbers ------------------------------------------------------------------------------

def test_numbers_in_words_and_digits():
    assert word_to_int("Seventy-eight") == 78
    assert word_to_int("fifteen") == 15
    assert word_to_int("1,024") == 1024
    assert word_to_int("twenty-nineteen") is None
    percents = find_percents("Seventy-eight percent agree, 8.5 percent do not, more than 30% "
                             "chose toolkits (84%) and Ten percent are unsure.")
    assert [(str(p), p.approximate, p.parenthetical) for p in percents] == [
        ("78%", False, False), ("8.5%", False, False), ("30%", True, False),
        ("84%", False, True), ("10%", False, False)]
    assert percents[1].value == Fraction(17, 2)


def test_sample_sizes_and_counts():
    sizes = find_sample_sizes("Of a total of 87 respondents, 8% said yes (n=87).")
    assert [(s.value, s.question_level) for s in sizes] == [(87, False), (87, False)]
    declared = find_sample_sizes("Sixty-one respondents answered this question.")
    assert [(s.value, s.question_level) for s in declared] == [(61, True)]
    counts = find_counts("In 2022, 161 individuals responded, 10 of whom were excluded "
                         "(Figure 3); 33 states took part and 45% agreed.")
    assert [(c.value, c.of_people) for c in counts] == [(161, True), (10, True), (33, True)]


def test_possible_percentages_follow_both_rounding_rules():
    assert is_possible(Fraction(8), 0, 87)          # 7 of 87 is 8.05%
    assert not is_possible(Fraction(35), 0, 87)     # 30 of 87 is 34.5%, 31 is 35.6%
    assert is_possible(Fraction(33), 0, 80)         # 26 of 80 is 32.5%: 33 rounding half up
    assert is_possible(Fraction(12), 0, 80)         # 10 of 80 is 12.5%: 12 rounding half even
    assert not is_possible(Fraction(7), 0, 80)      # 6.25% or 7.5%
    assert is_possible(Fraction("8.0"), 1, 87)
    assert not is_possible(Fraction("8.1"), 1, 87)  # 8.0% or 9.2%
    assert all(is_possible(Fraction(p), 0, 101) for p in range(101))


def test_sentences_do_not_split_at_abbreviations_or_captions():
    text = ("The U.S. Department of Health (HHS) funds it, e.g. toolkits. Figure 10. Services "
            "provided (n=87) are listed. Javadi et al. (2021) found 90%.")
    assert split_sentences(text) == [
        "The U.S. Department of Health (HHS) funds it, e.g. toolkits.",
        "Figure 10. Services provided (n=87) are listed.",
        "Javadi et al. (2021) found 90%.",
    ]


# --- the checks on a hand-written report --------------------------------------------------

def test_distribution_that_does_not_add_up_is_flagged_and_others_are_not(report):
    flags = audit(report)
    sums = _of(flags, "distribution-sum")
    assert [f.sentence.startswith("Forty percent") for f in sums] == [True]
    assert "40% + 35% + 20% + 15% = 110%" in sums[0].reason
    assert sums[0].section == "Community factors"
    # 100% (yes / unsure / no), 100% and 99% (rounding) are fine; 88 + 85 + 79 is a
    # multi-choice list and no distribution at all.
    assert not _flagged(flags, "distribution-sum", "Sixty percent")
    assert not _flagged(flags, "distribution-sum", "adequate funding")
    assert not _flagged(flags, "distribution-sum", "peer support services (88%)")


def test_partition_with_unsure_share_is_checked(tmp_path):
    path = tmp_path / "r.txt"
    path.write_text("Of a total of 87 respondents, only 8% reported that their organization is "
                    "receiving technical assistance, 16% were unsure and 66% reported that it "
                    "is not.\n", encoding="utf-8")
    [flag] = audit(path)
    assert flag.kind == "distribution-sum"
    assert "= 90%" in flag.reason and "rest is missing" in flag.reason
    assert flag.location == "line 1"


def test_same_finding_with_two_figures_is_flagged(report):
    flags = _of(audit(report), "conflicting-figures")
    toolkits = [f for f in flags if "(68%)" in f.reason or "68% here" in f.reason]
    assert len(toolkits) == 1
    [flag] = toolkits
    assert flag.section == "Discussion"
    assert "68% here, but 85%" in flag.reason
    assert "68 of n=80 is 85.0%" in flag.reason and "count printed as a percentage" in flag.reason
    assert "step-by-step implementation documents" in flag.related[0].sentence
    assert any("48% here, but 60%" in f.reason for f in flags)
    # Body against body in one section: 46% of referrals for peer support, listed as 45%.
    assert any("46% here, but 45%" in f.reason for f in flags)
    # Not conflicts: shorter resources 50% twice; 5% now and 10% in future for unions; a
    # 16% net that is 5% + 11%; methadone and mobile methadone are different options.
    reasons = " ".join(f.reason for f in flags)
    assert "50% here" not in reasons and "but 50%" not in reasons
    assert "unions" not in " ".join(f.sentence for f in flags)
    assert "16%" not in reasons
    assert "14%" not in reasons
    assert len(flags) == 3


def test_lists_of_different_questions_are_not_conflicts(tmp_path):
    path = tmp_path / "r.md"
    path.write_text(
        "## Services\n\n"
        "The most common services provided directly were naloxone distribution (67%) and "
        "harm reduction vending machines (4%). The most common services provided through "
        "referral were naloxone distribution (53%). The least common were harm reduction "
        "vending machines (8%).\n\n"
        "Respondents agreed most that leadership supports harm reduction (91% strongly or "
        "somewhat agree, n=90) and disagreed most that funding is adequate (70% somewhat or "
        "strongly disagree, n=90).\n", encoding="utf-8")
    assert audit(path) == []


def test_ranges_intervals_and_table_rows_are_not_shares(tmp_path):
    path = tmp_path / "r.md"
    path.write_text(
        "## Partners\n\n"
        "A total of 90 respondents answered this question. Local agencies were named by 83% "
        "(95% CI 75–90%) and state agencies by 60% (50 to 69%).\n\n"
        "| Option | Count | Percent | 95% CI |\n|---|---|---|---|\n"
        "| Faith-based groups | 22 | 25% | 15–35% |\n", encoding="utf-8")
    # No count of 90 gives 75%, 35% or 25%, but 75% and 35% end intervals, and the table
    # row gives no n of its own (its column might be of another question).
    assert audit(path) == []
    path.write_text(path.read_text(encoding="utf-8").replace("75–90%", "75%"),
                    encoding="utf-8")
    assert [f.kind for f in audit(path)] == ["impossible-percentage"]


def test_impossible_and_count_as_percentage(report):
    flags = audit(report)
    impossible = _of(flags, "impossible-percentage")
    assert [f.sentence for f in impossible] == [
        "Only 7% of respondents reported that they distribute syringes."]
    assert "n=80 (from “A total of 80 respondents answered this question”" in impossible[0].reason
    assert "5 of 80 is 6.25%" in impossible[0].reason
    assert "6 of 80 is 7.50%" in impossible[0].reason
    counts = _of(flags, "count-as-percentage")
    assert [f.sentence.split(" ")[0] for f in counts] == ["Seventeen", "Of"]
    assert "equals the count 17" in counts[0].reason
    assert "over 100%" in counts[1].reason
    assert not _flagged(flags, "count-as-percentage", "rose by 150%")


def test_output_is_grouped_readable_and_serialisable(report):
    flags = audit(report)
    text = format_flags(flags)
    assert text.index("Answer shares that do not add up") < text.index("The same finding")
    assert "“Forty percent of respondents strongly agree or agree" in text
    assert "Why: 40% + 35% + 20% + 15% = 110%" in text
    assert text.rstrip().endswith(f"{len(flags)} flags.")
    data = flags_to_json(flags)
    assert json.loads(json.dumps(data)) == data
    assert set(data[0]) == {"kind", "sentence", "location", "section", "reason", "related"}
    assert [d["kind"] for d in data] == [f.kind for f in flags]
    assert format_flags([]) == "No inconsistencies found.\n"


# --- against the Findings -----------------------------------------------------------------

def _tallies(labels: dict[str, str], counts: dict[str, int], n: int,
             **extra: dict[str, object]) -> dict[str, OptionTally]:
    """Option tallies as the analysis makes them: percent and interval from the count."""
    rank = dict(zip(counts, ranks(list(counts.values())), strict=True))
    return {option: OptionTally.of(count, n, label=labels[option], rank=rank[option],
                                   **extra.get(option, {}))
            for option, count in counts.items()}


_AGREE = {"strongly_agree": "Strongly agree", "somewhat_agree": "Somewhat agree",
          "somewhat_disagree": "Somewhat disagree", "strongly_disagree": "Strongly disagree",
          "dont_know": "I don't know"}
_FUNDING = {"strongly_agree": 4, "somewhat_agree": 9, "somewhat_disagree": 23,
            "strongly_disagree": 30, "dont_know": 14}

# A whole Findings document of two questions, 80 answering each of 151 eligible: every
# figure below is one the report under test prints or misprints (68, 48 and 40 of 80 are
# 85%, 60% and 50%; 4 + 9 = 13 of 80 agree, 16.25%).
FINDINGS = Findings(
    schema_version=1, generator="hrta 0.1.0", instrument="harm_reduction_ta_2022",
    instrument_version="2022.1", title="Harm Reduction Technical Assistance Stakeholder Analysis",
    source="wave.csv", responses=ResponseCounts(total=161, eligible=151, excluded=10),
    questions={
        "ta_formats": MultiQuestion(
            type="multi", title="Technical assistance formats", n=80, not_answered=71,
            text="Which types of technical assistance would benefit your organization?",
            options=_tallies(
                {"toolkits": "Step-by-step implementation documents, such as toolkits",
                 "webinars": "National webinars and recorded presentations",
                 "short_resources": "Shorter resources, such as one-page handouts",
                 "small_group": "Facilitated discussions or conversations with smaller groups",
                 "convenings": "In-person convenings or conferences",
                 "individualized": "Individualized technical assistance",
                 "other": "Other (please specify)"},
                {"toolkits": 68, "webinars": 48, "short_resources": 40, "small_group": 30,
                 "convenings": 20, "individualized": 18, "other": 2}, 80,
                other={"other": True}),
            max_choices=3, other_texts=["Peer mentoring", "Site visits"]),
        "fb_policy.adequate_funding": MatrixStatement(
            type="matrix_statement", title="Funding", matrix="fb_policy",
            statement="adequate_funding", n=80, not_answered=71,
            text="There is adequate funding available to support harm reduction.",
            options=_tallies(_AGREE, _FUNDING, 80, **{
                option: {"net": "agree" if "agree" in option and "dis" not in option
                         else "disagree"} for option in _AGREE if option != "dont_know"}),
            nets={"agree": NetTally.of(13, 80, label="Strongly or somewhat agree",
                                       options=["strongly_agree", "somewhat_agree"]),
                  "disagree": NetTally.of(53, 80, label="Somewhat or strongly disagree",
                                          options=["somewhat_disagree", "strongly_disagree"])}),
    },
    matrices={"fb_policy": Matrix(
        title="Law, policy and funding factors", n=80,
        text="How much do you agree with each statement about law, policy and funding?",
        statements=["fb_policy.adequate_funding"])},
    profile={}, sections=[], warnings=[],
)


def test_unmatched_values_against_findings(tmp_path):
    path = tmp_path / "r.md"
    path.write_text(
        "A total of 80 respondents answered this question. The most requested were "
        "step-by-step implementation documents (85%), national webinars and recorded "
        "presentations (55%) and shorter resources (50%).\n\n"
        "A total of 90 respondents answered the next question. Seventy percent of them "
        "wanted more.\n\n"
        "Only 16% of respondents strongly agree or somewhat agree that there is adequate "
        "funding available to support harm reduction.\n\n"
        "A total of 161 individuals responded to the survey, 10 of whom were excluded.\n",
        encoding="utf-8")
    flags = _of(audit(path, FINDINGS), "unmatched-value")
    reasons = [f.reason for f in flags]
    assert any("the data give 60.0% (48 of 80) for Technical assistance formats: National "
               "webinars" in r and "not 55%" in r for r in reasons)
    assert any("no count or n in the data is 90" in r for r in reasons)
    assert any("rounds to 70%" in r for r in reasons)
    assert len(flags) == 3       # 85%, 50%, 16% (a net: 5 + 11), 80, 161 and 10 all match


def test_findings_file_is_read_as_findings(tmp_path):
    good = tmp_path / "findings.json"
    good.write_text(json.dumps(FINDINGS.to_json()), encoding="utf-8")
    loaded = load_findings(good)
    assert isinstance(loaded, Findings) and loaded == FINDINGS
    assert loaded.questions["ta_formats"].n == 80
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.json.*not JSON"):
        load_findings(bad)
    other = tmp_path / "other.json"
    other.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(InputError, match="not a Findings document"):
        load_findings(other)


def test_audit_command_reads_findings_through_the_model(tmp_path):
    """`hrta audit --findings` takes what Findings.load takes: a file written before the
    model still loads; a document that only looks like Findings is refused by its place."""
    report = tmp_path / "r.md"
    report.write_text("A total of 3 respondents answered. Of them, 67% provide naloxone.\n",
                      encoding="utf-8")
    older = Path(__file__).parent / "fixtures" / "findings_small_before_model.json"
    result = run_hrta("audit", report, "--findings", older, "--json")
    assert result.returncode == 0, result.stderr
    assert isinstance(json.loads(result.stdout), list)
    data = FINDINGS.to_json()
    data["questions"]["ta_formats"]["n"] = "eighty"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(data), encoding="utf-8")
    refused = run_hrta("audit", report, "--findings", broken)
    assert refused.returncode == 2
    message = " ".join(refused.stderr.split())
    assert "broken.json" in message and "questions/ta_formats" in message, message
    assert refused.stdout == ""


# --- formats and bad input ----------------------------------------------------------------

def test_docx_paragraphs_headings_and_tables(tmp_path):
    docx = pytest.importorskip("docx", reason="python-docx is needed to write the test file")
    document = docx.Document()
    document.add_heading("Law and policy factors", level=1)
    document.add_paragraph(
        "Seventy-eight percent of respondents strongly agree or agree that their local and "
        "state health agencies support harm reduction services, 14% somewhat disagree, 6% "
        "strongly disagree and 8% don't know.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Answer"
    table.cell(0, 1).text = "Share"
    table.cell(1, 0).text = "Staff trained"
    table.cell(1, 1).text = "112%"
    path = tmp_path / "report.docx"
    document.save(str(path))

    doc = read_document(path)
    assert doc.paragraphs[0].headings == ("Law and policy factors",)
    assert doc.paragraphs[0].location == "paragraph 2"
    flags = audit(path)
    [total] = _of(flags, "distribution-sum")
    assert "= 106%" in total.reason and total.location == "paragraph 2"
    [over] = _of(flags, "count-as-percentage")
    assert over.location == "table 1, row 2" and over.sentence == "Staff trained; 112%"


def write_pdf(path: Path, pages: list[list[str]]) -> Path:
    """A minimal PDF with one line of Helvetica per string: real text for pypdf to extract."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    pages_id = len(objects) + 1 + 2 * len(pages)
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(f"({escaped}) Tj T*")
        ops.append("ET")
        stream = "\n".join(ops).encode("latin-1")
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 842] "
                        b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
                        % (pages_id, font, content)))
    add(b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, catalog, xref)
    path.write_bytes(bytes(out))
    return path


def test_pdf_text_is_read_by_page(tmp_path):
    pytest.importorskip("pypdf", reason="pypdf is needed to read PDF reports")
    path = write_pdf(tmp_path / "report.pdf", [
        ["FINDINGS",
         "Among a total of 87 respondents, the top activities included step-by-step",
         "implementation documents, such as toolkits or roadmaps (84%) and national",
         "webinars and recorded presentations (62%)."],
        ["DISCUSSION",
         "Step-by-step implementation guidance was identified as the modality that would",
         "benefit organizations the most (73%)."],
    ])
    flags = audit(path)
    [conflict] = _of(flags, "conflicting-figures")
    assert conflict.location == "page 2" and conflict.section == "DISCUSSION"
    assert "73% here, but 84%" in conflict.reason and conflict.related[0].location == "page 1"


def test_html_reads_headings_paragraphs_and_rows_not_chart_text(tmp_path):
    # The SVG's axis ticks (0%, 50%, 100%) would add up to 150% as one distribution.
    path = tmp_path / "report.html"
    path.write_text(
        "<html><head><title>T</title><style>p{}</style></head><body>"
        "<h2>Findings</h2><p>Of the 80 respondents, 60% agreed and 40% disagreed.</p>"
        "<figure><svg><text>0%</text><text>50%</text><text>100%</text></svg>"
        "<figcaption>Figure 1. Agreement (n=80)</figcaption></figure>"
        "<table><tr><th>Option</th><th>Percent</th></tr><tr><td>Agree</td><td>60%</td></tr>"
        "</table></body></html>", encoding="utf-8")
    doc = read_document(path)
    assert [(p.text, p.section, p.table) for p in doc.paragraphs] == [
        ("Of the 80 respondents, 60% agreed and 40% disagreed.", "Findings", False),
        ("Figure 1. Agreement (n=80)", "Findings", False),
        ("Option; Percent", "Findings", True),
        ("Agree; 60%", "Findings", True)]
    assert audit(path) == []


@pytest.mark.parametrize(("name", "content", "message"), [
    ("report.rtf", b"{\\rtf1 hello}", "cannot audit a .rtf"),
    ("report.txt", b"caf\xe9 au lait\n", "not UTF-8"),
    ("report.docx", b"this is no zip", "cannot be read as a Word document"),
    ("report.pdf", b"%PDF-1.4 broken", "cannot be read as a PDF|has no text"),
])
def test_unreadable_input_names_the_file(tmp_path, name, content, message):
    if name.endswith(".docx"):
        pytest.importorskip("docx", reason="python-docx reads Word reports")
    if name.endswith(".pdf"):
        pytest.importorskip("pypdf", reason="pypdf reads PDF reports")
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as caught:
        audit(path)
    assert name in str(caught.value)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        audit(tmp_path / "nowhere.md")


# --- the 2022 report ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def seed_flags() -> list[Flag]:
    if not SEED.is_file():
        pytest.fail(f"the 2022 report is not at {SEED}: these tests audit it, so shared/seeds "
                    "must lie beside the repository (as in CI and on developers' machines)")
    return audit(SEED)


def test_2022_report_health_agency_shares_add_to_106(seed_flags):
    [flag] = _flagged(seed_flags, "distribution-sum", "local and state health agencies")
    assert "78% + 14% + 6% + 8% = 106%" in flag.reason
    # Funding (99%), trust in SSPs (101%) and community support (99%) are rounding.
    assert not _flagged(seed_flags, "distribution-sum", "adequate funding")
    assert not _flagged(seed_flags, "distribution-sum", "SSPs or other community-based")
    assert len(_of(seed_flags, "distribution-sum")) == 1


def test_2022_report_toolkits_84_against_73(seed_flags):
    conflicts = _of(seed_flags, "conflicting-figures")
    [toolkits] = [f for f in conflicts if "73% here, but 84%" in f.reason]
    assert toolkits.section == "TECHNICAL ASSISTANCE OPPORTUNITIES"
    assert "step-by-step implementation documents" in toolkits.related[0].sentence
    assert "73 of n=87 is 83.9%" in toolkits.reason
    # "Only 15% ... agree or somewhat agree ... adequate funding" is 4% + 11%: consistent.
    assert not [f for f in conflicts if "15%" in f.reason]


def test_2022_report_impossible_percentages(seed_flags):
    impossible = _of(seed_flags, "impossible-percentage")
    assert any(f.sentence.startswith("Thirty-five percent") and "n=87" in f.reason
               for f in impossible)


def test_docs_show_what_the_audit_prints_on_the_2022_report(seed_flags):
    docs = (Path(__file__).resolve().parents[1] / "docs" / "audit.md").read_text(
        encoding="utf-8")
    shown = docs.split("```text\n", 1)[1].split("```", 1)[0]
    assert shown == format_flags(seed_flags)


def _percent(count: int, n: int, places: int) -> Fraction:
    """count/n as a percentage rounded half up to `places`, by integer arithmetic."""
    scale = 10 ** places
    return Fraction((200 * scale * count + n) // (2 * n), scale)


def test_docs_numbers_hold_by_hand():
    """The figures the docs print, worked out again with a calculator: independent of the
    audit's own arithmetic, which the test above only copies."""
    docs = (Path(__file__).resolve().parents[1] / "docs" / "audit.md").read_text(
        encoding="utf-8")
    shown = " ".join(docs.split("```text\n", 1)[1].split("```", 1)[0].split())
    # "flags nine figures": nine reasons, the headings' counts add up, the closing line.
    assert "flags nine figures" in " ".join(docs.split())
    assert shown.count("→ Why:") == 9 and shown.endswith("9 flags.")
    assert sum(int(n) for n in re.findall(r"\(\S+\): (\d+) =", shown)) == 9
    sums = re.findall(r"((?:\d+% \+ )+\d+%) = (\d+)%", shown)
    assert sums == [("78% + 14% + 6% + 8%", "106")]
    assert 78 + 14 + 6 + 8 == 106
    # "73 of n=87 is 83.9%": the Discussion's figure is the count behind the body's percent.
    behind = re.findall(r"(\d+) of n=(\d+) is ([\d.]+)%, which is the (\d+)% printed", shown)
    assert sorted(behind) == [("52", "87", "59.8", "60"), ("54", "87", "62.1", "62"),
                              ("73", "87", "83.9", "84")]
    for count, n, exact, printed in behind:
        assert _percent(int(count), int(n), 1) == Fraction(exact)
        assert _percent(int(count), int(n), 0) == int(printed)
    # "no count rounds to 35%: 30 of 87 is 34.48% and 31 of 87 is 35.63%": the two counts
    # either side, neither within half a point of the printed figure.
    impossible = re.findall(r"with n=(\d+) .*? no count rounds to (\d+)%: (\d+) of \1 is "
                            r"([\d.]+)% and (\d+) of \1 is ([\d.]+)%", shown)
    assert [(n, p) for n, p, *_ in impossible] == [("93", "7"), ("90", "25"), ("87", "35")]
    for n, printed, below, below_pct, above, above_pct in impossible:
        n_, p, k = int(n), Fraction(printed), int(below)
        assert int(above) == k + 1
        assert _percent(k, n_, 2) == Fraction(below_pct)
        assert _percent(k + 1, n_, 2) == Fraction(above_pct)
        assert Fraction(100 * k, n_) < p - Fraction(1, 2) < p + Fraction(1, 2) < \
            Fraction(100 * (k + 1), n_)
    # "with n = 87 these are not: 4, 12, 19, …": every whole percent no k/87 reaches.
    listed = re.search(r"with n = 87 these\s+are not: ([\d, ]+)\.", docs)
    assert listed
    unreachable = [p for p in range(101)
                   if not any(abs(Fraction(100 * k, 87) - p) <= Fraction(1, 2)
                              for k in range(88))]
    assert [int(p) for p in listed.group(1).split(", ")] == unreachable
