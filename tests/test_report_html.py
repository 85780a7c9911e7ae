"""The HTML report: built from a real native CSV through the real import and analysis."""

from __future__ import annotations

import csv
import re
from typing import Any

import pytest

from hrta.analysis import build_findings
from hrta.findings import Findings
from hrta.ingest import load_responses
from hrta.instrument import load_bundled
from hrta.report import charts, render_html
from hrta.report.html import NO_ANSWERS, format_interval, format_percent, render_html_document
from hrta.report.layout import build_document

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example","click")'
IMG = "<img src=x onerror=alert(2)>"

# Six eligible respondents and one ineligible; some questions left unanswered on purpose.
ANSWERS: list[tuple[str, str, str, str]] = [
    ("r1", "screening", "employed", ""),
    ("r1", "state", "ny", ""),
    ("r1", "role", "executive_director", ""),
    ("r1", "org_type", "ccbhc", ""),
    ("r1", "communities", "urban", ""),
    ("r1", "communities", "rural", ""),
    ("r1", "services_direct", "peer_support", ""),
    ("r1", "services_direct", "naloxone", ""),
    ("r1", "services_referral", "naloxone", ""),
    ("r1", "partners_current", "local_public_health", ""),
    ("r1", "fb_organizational.leadership_support", "strongly_agree", ""),
    ("r1", "fb_organizational.staff_support", "somewhat_agree", ""),
    ("r1", "fb_policy.adequate_funding", "strongly_disagree", ""),
    ("r1", "challenges", "", SCRIPT),
    ("r1", "ta_receiving", "yes", ""),
    ("r1", "ta_areas", "funding", ""),
    ("r1", "ta_formats", "toolkits", ""),
    ("r1", "ta_formats", "webinars", ""),
    ("r2", "screening", "employed", ""),
    ("r2", "state", "ny", ""),
    ("r2", "role", "other", FORMULA),
    ("r2", "org_type", "ccbhc", ""),
    ("r2", "communities", "rural", ""),
    ("r2", "services_direct", "naloxone", ""),
    ("r2", "services_planned", "fentanyl_test_strips", ""),
    ("r2", "fb_organizational.leadership_support", "somewhat_agree", ""),
    ("r2", "fb_policy.adequate_funding", "dont_know", ""),
    ("r2", "challenges", "", "Stigma & fear\nin the county"),
    ("r2", "ta_receiving", "no", ""),
    ("r3", "screening", "employed", ""),
    ("r3", "state", "fl", ""),
    ("r3", "role", "peer_support_worker", ""),
    ("r3", "org_type", "other", "<b>bold</b> clinic"),
    ("r3", "services_direct", "naloxone", ""),
    ("r3", "services_direct", "other", IMG),
    ("r3", "fb_organizational.leadership_support", "dont_know", ""),
    ("r3", "ta_receiving", "no", ""),
    ("r4", "screening", "employed", ""),
    ("r4", "state", "md", ""),
    ("r4", "services_referral", "peer_support", ""),
    ("r5", "screening", "employed", ""),
    ("r6", "screening", "employed", ""),
    ("r7", "screening", "not_employed", ""),
]

CAPTIONS = [
    "Figure 1. Number of Survey Respondents by State (n=4)",
    "Figure 2. Professional Role or Title of Survey Respondents (n=3)",
    "Table 1. Types of Organizations Represented (n=3)",
    "Table 2. Communities Served by Respondent Organizations (n=2)",
    "Figure 3. Services to Support PWUD Provided Directly and/or through Referral "
    "(Services provided directly n=3; Services provided through referral n=2)",
    "Figure 4. Partnering Organizations Engaged to Improve the Health of PWUD (n=1)",
    "Figure 5. Harm Reduction Services Respondent Organizations Plan to Provide in the Future "
    "(n=1)",
    "Figure 5a. Services to Support PWUD Provided Directly, through Referral and Planned for "
    "the Future (Services provided directly n=3; Services provided through referral n=2; "
    "Services planned for the future n=1)",
    "Figure 6. Future Partners that will be Engaged to Improve the Health of PWUD (n=0)",
    "Figure 7. Organizational Factors that Impact Harm Reduction Adoption (n=3)",
    "Figure 8. Community Support Factors that Impact Harm Reduction Adoption (n=0)",
    "Figure 9. Law, Policy and Funding Factors that Impact Harm Reduction Adoption (n=2)",
    "Challenges to Adopting Harm Reduction Services (n=2)",
    "Facilitators to Adopting Harm Reduction Services (n=0)",
    "Figure 10. Organizations Currently Receiving Technical Assistance to Support Harm "
    "Reduction Efforts (n=3)",
    "Figure 11. Technical Assistance Areas Organizations Would Benefit from the Most (n=1)",
    "Figure 12. Types of Technical Assistance Organizations Would Benefit from the Most (n=1)",
]
ANSWERED_FIGURES = [1, 2, 3, 4, 5, "5a", 7, 9, 10, 11, 12]
UNANSWERED_FIGURES = [6, 8]


@pytest.fixture(scope="module")
def findings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    path = tmp_path_factory.mktemp("wave") / "responses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "question_id", "option_id", "value"])
        writer.writerows(ANSWERS)
    return build_findings(load_responses(path, load_bundled(), fmt="native")).to_json()


@pytest.fixture(scope="module")
def page(findings: dict[str, Any]) -> str:
    # With the appendix of open-ended answers, whose text from the data must be escaped.
    return render_html(findings, verbatims=True)


def test_the_report_takes_the_model_and_its_json_alike(findings: dict[str, Any],
                                                      page: str) -> None:
    """The model is what the report reads; its JSON form is loaded at the edge, once."""
    model = Findings.load(findings)
    assert render_html(model, verbatims=True) == page


def _block(page: str, anchor: str) -> str:
    """The markup of one report item, from its opening tag to the next item, followed by
    that of its table of numbers in the appendix when it has one."""
    return "\n".join(_one(page, where) for where in (anchor, f"{anchor}-numbers")
                     if f'id="{where}"' in page)


def _one(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    following = re.search(r'<(figure|section) class="item', page[start + 1:])
    return page[start:start + 1 + following.start()] if following else page[start:]


def _table_row(label: str, *cells: str) -> re.Pattern[str]:
    tds = r"\s*".join(rf"<td[^>]*>{re.escape(cell)}</td>" for cell in cells)
    return re.compile(rf"<th scope=\"row\">{re.escape(label)}</th>\s*{tds}")


def test_header_gives_response_counts(page: str) -> None:
    assert page.startswith("<!doctype html>")
    counts = re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page)
    assert counts == [("Responses", "7"), ("Eligible respondents", "6"),
                      ("Excluded as ineligible", "1")]


def test_every_item_is_captioned_with_its_n(page: str) -> None:
    for caption in CAPTIONS:
        assert caption in page, caption
    # Open-ended answers are listed in an appendix; the body keeps the section order.
    body = page[:page.index('id="appendix-numbers"')]
    positions = [body.index(caption) for caption in CAPTIONS if caption in body]
    assert len(positions) >= len(CAPTIONS) - 2
    assert positions == sorted(positions), "items must follow the Findings' section order"


def test_each_answered_figure_has_a_chart_with_alt_text_and_a_table(page: str) -> None:
    for number in ANSWERED_FIGURES:
        block = _block(page, f"figure-{number}")
        assert block.count("<svg") == 1, number
        assert re.search(r'<div class="chart" role="img" aria-label="[^"]{20,}">', block)
        assert "<table" in block
        # Figure 5a's table gives the percents it draws; Figures 1 and 2 (states, roles)
        # describe who answered, without intervals; the others give the intervals.
        assert ("95% CI" in block) != (number in ("5a", 1, 2))
    assert page.count("<svg") == len(ANSWERED_FIGURES)


def test_unanswered_items_say_so_instead_of_drawing(page: str) -> None:
    for number in UNANSWERED_FIGURES:
        block = _block(page, f"figure-{number}")
        assert NO_ANSWERS in block
        assert "<svg" not in block and "<table" not in block
    assert NO_ANSWERS in _block(page, "open_ended-facilitators")


def test_tables_carry_counts_percents_and_intervals(page: str) -> None:
    # ta_receiving: 2 of 3 answered "No" -> 67%, Wilson 95% interval 21–94%.
    assert _table_row("No", "2", "67%", "21–94%").search(_block(page, "figure-10"))
    assert _table_row("Yes", "1", "33%", "6–79%").search(_block(page, "figure-10"))


def test_state_figure_lists_only_represented_states(page: str) -> None:
    block = _block(page, "figure-1")
    assert _table_row("New York", "2", "50%").search(block)
    assert "Florida" in block and "Maryland" in block
    assert "Alabama" not in block
    assert "3 states or territories were represented" in block


def test_role_chart_drops_empty_options_but_its_table_keeps_them(page: str) -> None:
    block = _block(page, "figure-2")
    table = block[block.index("<table"):]
    chart = block[:block.index("<table")]
    assert _table_row("President", "0", "0%").search(table)
    assert "President" not in chart
    assert "Executive Director" in chart
    assert "left out of the chart" in block


def test_grouped_figure_names_both_questions(page: str) -> None:
    block = _block(page, "figure-3")
    assert "Services provided directly (n=3)" in block
    assert "Services provided through referral (n=2)" in block
    # Naloxone: 3 of 3 directly, 1 of 2 through referral, in one row.
    assert _table_row("Naloxone distribution", "3", "100%", "44–100%",
                      "1", "50%", "9–91%").search(block)
    # Sorted by the first question: naloxone (3) before peer support (1).
    assert block.index("Naloxone distribution") < block.index("Peer support services")


def test_continuum_figure_sets_three_questions_side_by_side(page: str) -> None:
    block = _block(page, "figure-5a")
    chart = block[:block.index("<table")]
    for panel in ("Services provided directly (n=3)", "Services provided through referral",
                  "Services planned for the future (n=1)"):
        assert panel in chart
    # Fentanyl test strips: planned by r2 only (1 of 1); nobody provides or refers to them.
    assert _table_row("Fentanyl test strips distribution", "0%", "0%", "100%").search(block)
    assert _table_row("Naloxone distribution", "100%", "50%", "0%").search(block)
    assert "Counts and 95% confidence intervals are in the tables of Figure 3 and Figure 5." \
        in block
    assert "Written in under" not in block  # the "Other" texts stay with Figures 3 and 5
    # Rows in the order of the first question: naloxone (3 of 3) first.
    table = block[block.index("<table"):]
    assert table.index("Naloxone distribution") < table.index("Peer support services")


def test_agreement_figure_has_a_table_per_rated_statement_with_nets(page: str) -> None:
    block = _block(page, "figure-7")
    assert "Our organizational leadership supports harm reduction services. (n=3)" in block
    assert "Staff in our organization support harm reduction services. (n=1)" in block
    assert _table_row("Strongly or somewhat agree", "2", "67%").search(block)
    assert _table_row("I don&#39;t know", "1", "33%").search(block)
    # Statements nobody rated get a note, not an empty bar or table.
    assert "No eligible respondent rated" in block
    assert block.count("<table") == 2


def test_open_ended_answers_are_all_listed(page: str) -> None:
    block = _block(page, "open_ended-challenges")
    assert "Stigma &amp; fear\nin the county" in block
    assert block.count("<li>") == 2


def test_text_from_data_is_escaped(findings: dict[str, Any], page: str) -> None:
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script" not in page.lower()
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<img" not in page.lower()
    assert "&lt;b&gt;bold&lt;/b&gt; clinic" in page
    # The formula holds a web address, so the name screen withholds it until released.
    assert "evil.example" not in page and "--release-quote role-other-1" in page
    released = render_html_document(build_document(findings, verbatims=True,
                                                   released=frozenset({"role-other-1"})))
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;click&#34;)" in released


def test_page_loads_nothing_from_the_network(page: str) -> None:
    assert not re.search(r"<(script|link|img|iframe|object|embed)\b", page, re.IGNORECASE)
    assert not re.search(r"\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", page, re.IGNORECASE)
    assert not re.search(r"url\(\s*[\"']?\s*(https?:)?//", page, re.IGNORECASE)
    assert "@import" not in page
    assert not re.search(r"\burl\((?!#)", page), "only local url(#id) references"


def test_element_ids_are_unique_across_charts(page: str) -> None:
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


def test_how_to_read_note_and_warnings(findings: dict[str, Any], page: str) -> None:
    assert "How to read this report" in page
    assert "Wilson 95%" in page
    assert "Warnings about these data" not in page
    warned = render_html({**findings, "warnings": ["3 rows had <unknown> option ids"]})
    assert "Warnings about these data" in warned
    assert "3 rows had &lt;unknown&gt; option ids" in warned


def test_chart_svg_escapes_labels() -> None:
    bars = [charts.Bar(SCRIPT, 50.0, "50%"), charts.Bar('A & "B" </text>', 25.0, "25%")]
    svg = charts.to_svg(charts.bar_spec(bars, description=SCRIPT), prefix="t")
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    assert "&lt;/text&gt;" in svg
    # The alt text becomes the SVG's title (a tagged PDF's figure description), escaped.
    titled = charts.to_svg(charts.bar_spec(bars, description="d"), prefix="t",
                           title=f"{SCRIPT} & </title>")
    assert re.search(r"<svg\b[^>]*><title>&lt;script&gt;alert\(1\)&lt;/script&gt; &amp; "
                     r"&lt;/title&gt;</title>", titled)
    assert "<script" not in titled


def test_chart_specs_carry_their_data_inline() -> None:
    spec = charts.bar_spec([charts.Bar("Yes", 40.0, "40%")], description="d")
    text = repr(spec)
    assert "'url'" not in text
    assert "Yes" in text


def test_percent_formatting_rounds_halves_up() -> None:
    assert format_percent(12.5) == "13%"
    assert format_percent(66.66666) == "67%"
    assert format_percent(None) == "–"
    assert format_interval(0.4, 99.5) == "0–100%"

