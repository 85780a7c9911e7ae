"""The one-page brief: takeaways, four small charts, what this means for TA, where to read more.

`hrta report EXPORT -o brief.pdf --brief` (also .html and .docx). It is drawn from the same
Findings as the full report and says nothing the report does not: the takeaways and TA
priorities are `report.takeaways`' sentences, and each chart is the top options of a
question the report charts in full.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from pathlib import Path

from hrta.errors import InputError
from hrta.files import write_atomic
from hrta.findings.model import Findings, MultiQuestion, SingleQuestion
from hrta.report import charts
from hrta.report.contract import check_findings
from hrta.report.lookup import FindingsSource, as_findings, known_percent, ordered
from hrta.report.narrative import fielded_sentence, key_findings
from hrta.report.takeaways import ta_priorities, ta_roles, takeaways
from hrta.report.words import Words, report_words
from hrta.wording import clean_text, format_count, format_percent

CHARTS = 4
BARS = 5  # the top options of each question; the report charts every one
LABEL_WIDTH = 30
PLOT_WIDTH = 170
WRITERS = (".html", ".htm", ".pdf", ".docx")


@dataclass(frozen=True)
class SmallChart:
    title: str  # with the question's n
    spec: charts.ChartSpec
    alt: str


@dataclass(frozen=True)
class Brief:
    title: str
    fielded: str
    takeaways: tuple[str, ...]
    charts: tuple[SmallChart, ...]
    priorities: tuple[str, ...]
    more: str
    draft: bool
    language: str = "en"


def build_brief(source: FindingsSource, *, report_name: str | None = None,
                draft: bool = True, words: Words | None = None) -> Brief:
    """The brief of Findings in the language of `words` (English by default);
    `report_name` what the reader is sent to for more (default: the full report)."""
    words = words or report_words()
    findings = as_findings(source)
    check_findings(findings)
    points = takeaways(findings, words=words) or [
        words("brief.finding", title=title, text=text)
        for title, text in key_findings(findings, words=words)[:4]]
    r = findings.responses
    fielded = " ".join(s for s in (fielded_sentence(findings, words=words), words(
        "brief.sample", eligible=format_count(r.eligible), total=format_count(r.total)))
        if s)
    return Brief(
        title=findings.title, fielded=fielded, takeaways=tuple(points),
        charts=tuple(_small_chart(findings, qid, words) for qid in _chosen(findings)),
        priorities=tuple(ta_priorities(findings, words=words)),
        more=words("brief.more", report=report_name or words("brief.full_report")),
        draft=draft, language=words.language)


def _chosen(findings: Findings) -> list[str]:
    """The TA areas and formats asked for, the services planned and the current partners
    (the questions the takeaways speak of), then the first charted questions, up to four."""
    roles = ta_roles(findings)
    wanted = [roles.areas_question, roles.formats_question] if roles else []
    continuum = [item for section in findings.sections for item in section.items
                 if item.chart == "continuum"]
    if continuum:
        wanted.append(continuum[0].questions[-1])
    if roles and roles.partners_question:
        wanted.append(roles.partners_question)
    wanted += [qid for section in findings.sections for item in section.items
               if item.kind == "figure" and item.chart in ("bar", "grouped", None)
               for qid in item.questions]
    chosen: list[str] = []
    for qid in wanted:
        entry = findings.questions.get(qid)
        if (qid not in chosen and isinstance(entry, SingleQuestion | MultiQuestion)
                and entry.n > 0 and f"{qid}_represented" not in findings.profile):
            chosen.append(qid)
    return chosen[:CHARTS]


def _small_chart(findings: Findings, qid: str, words: Words) -> SmallChart:
    entry = findings.questions[qid]
    assert isinstance(entry, SingleQuestion | MultiQuestion)
    top = [o for _, o in ordered(entry) if o.count > 0][:BARS]
    bars = [charts.Bar(clean_text(o.label), known_percent(o), format_percent(o.percent))
            for o in top]
    shown = "; ".join(f"{b.label}: {b.text}" for b in bars)
    title = words("brief.chart.title", title=clean_text(entry.title), n=format_count(entry.n))
    alt = words("brief.chart.alt", title=title, count=len(bars), shown=shown)
    spec = charts.bar_spec(bars, description=alt, label_width=LABEL_WIDTH, width=PLOT_WIDTH)
    return SmallChart(title, spec, alt)


# Writing ---------------------------------------------------------------------------------

def render_brief(source: FindingsSource, path: Path | str, *, draft: bool = True,
                 language: str = "en") -> None:
    """Write the brief to `path` as HTML, PDF or DOCX by its extension, whole or not at all,
    in `language` (hrta.report.words)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in WRITERS:
        raise InputError("name the brief *.html, *.pdf or *.docx", file=str(target))
    charts.warm_up()
    brief = build_brief(source, draft=draft, words=report_words(language))
    if suffix == ".docx":
        write_atomic(target, lambda tmp: _write_docx(brief, tmp))
    elif suffix == ".pdf":
        write_atomic(target, lambda tmp: _write_pdf(brief, tmp))
    else:
        write_atomic(target, lambda tmp: _write_html(brief, tmp))


def brief_html(brief: Brief, *, images: bool = False) -> str:
    from hrta.report.html import environment

    drawn: list[dict[str, object]] = []
    # The PDF takes the charts as pictures (see `charts.to_print`), the page inline SVG.
    pictures = (charts.draw_prints([c.spec for c in brief.charts]) if images
                else [None] * len(brief.charts))
    for chart, picture in zip(brief.charts, pictures, strict=True):
        svg = charts.to_svg(chart.spec, prefix=f"brief-{len(drawn)}", title=chart.alt)
        image = ("data:image/jpeg;base64," + base64.b64encode(picture).decode("ascii")
                 if picture is not None else None)
        drawn.append({"chart": chart, "svg": svg, "image": image})
    return environment().get_template("brief.html.j2").render(
        brief=brief, drawn=drawn, words=report_words(brief.language))


def _write_html(brief: Brief, path: Path) -> None:
    path.write_text(brief_html(brief), encoding="utf-8")


def _write_pdf(brief: Brief, path: Path) -> None:
    import weasyprint

    from hrta.report.pdf import PDF_VARIANT

    weasyprint.HTML(string=brief_html(brief, images=True)).write_pdf(
        path, pdf_variant=PDF_VARIANT)


def _write_docx(brief: Brief, path: Path) -> None:
    import docx as python_docx
    from docx.shared import Inches, Pt, RGBColor

    from hrta.report.docx import DRAFT_RED, FONT, set_proofing_language

    words = report_words(brief.language)
    word = python_docx.Document()
    set_proofing_language(word, brief.language)
    for section in word.sections:
        section.left_margin = section.right_margin = Inches(0.7)
        section.top_margin = section.bottom_margin = Inches(0.6)
    word.styles["Normal"].font.name = FONT
    word.styles["Normal"].font.size = Pt(9.5)
    if brief.draft:
        mark = word.add_paragraph().add_run(words("doc.draft"))
        mark.bold = True
        mark.font.color.rgb = RGBColor.from_string(DRAFT_RED)
    word.add_heading(brief.title, level=1)
    word.add_paragraph(brief.fielded).runs[0].italic = True
    word.add_heading(words("doc.takeaways"), level=2)
    for point in brief.takeaways:
        word.add_paragraph(point, style="List Number")
    grid = word.add_table(rows=2, cols=2)
    for index, chart in enumerate(brief.charts):
        cell = grid.rows[index // 2].cells[index % 2]
        caption = cell.paragraphs[0]
        caption.style = word.styles["Caption"]
        caption.add_run(chart.title)
        run = cell.add_paragraph().add_run()
        run.add_picture(io.BytesIO(charts.to_png(chart.spec)), width=Inches(3.2))
        picture = run._r.xpath(".//wp:docPr")[0]
        picture.set("descr", chart.alt)
    if brief.priorities:
        word.add_heading(words("doc.for_ta"), level=2)
        for line in brief.priorities:
            word.add_paragraph(line, style="List Bullet")
    word.add_heading(words("brief.read_more"), level=2)
    word.add_paragraph(brief.more)
    word.core_properties.title = words("brief.document", title=brief.title)
    word.save(str(path))
