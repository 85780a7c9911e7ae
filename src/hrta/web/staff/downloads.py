"""What staff download: the report, the Findings JSON, the clean data as CSV and XLSX, and
the wide layout for SPSS (.sav), Stata (.dta), spreadsheets and R (CSV, XLSX, Parquet,
codebook, and the R script that reads the CSV).

Every file is drawn from the wave's Findings or its ResponseSet, which never hold contact
details. Spreadsheet cells that a spreadsheet program would read as a formula (starting
with = + - @ or their full-width forms, also after spaces or line breaks, or with a tab,
carriage return or line feed) are neutralised with a leading apostrophe (hrta.formulas): an
answer like "=HYPERLINK(...)" is shown as text and never run.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.utils.translation import get_language
from openpyxl import Workbook

from hrta.exports import surveymonkey_frame
from hrta.exports.data import (
    codebook_bytes,
    csv_bytes,
    parquet_bytes,
    r_script,
    write_wide,
    xlsx_bytes,
)
from hrta.exports.wide import WideData, wide_data
from hrta.findings.model import Findings
from hrta.formulas import neutralise, neutralise_frame
from hrta.ingest.layout import header_rows
from hrta.report import render_reports
from hrta.report.formatting import clean_text
from hrta.report.worded import in_wording
from hrta.report.words import ENGLISH, report_words
from hrta.responses import ResponseSet
from hrta.web.assessment.localized import localized_instrument
from hrta.web.coding.selectors import released_quotes
from hrta.web.staff.selectors import wave_findings, web_reference
from hrta.web.surveys.models import Wave
from hrta.web.surveys.selectors import analysed_responses, response_set


@dataclass(frozen=True)
class Download:
    name: str
    content_type: str
    body: bytes


@dataclass(frozen=True)
class Kind:
    suffix: str
    content_type: str
    build: Callable[[Wave], bytes]


def clean_data(wave: Wave) -> tuple[list[list[str]], pl.DataFrame]:
    """The analysed responses in the SurveyMonkey "expanded" layout, with the instrument's
    question texts and option labels, ready to write. `hrta analyze` reads it back.

    Web responses are named by their pseudonym (see selectors.web_reference), never by
    the random id that keys contact entries.
    """
    responses = _named_responses(wave)
    frame = surveymonkey_frame(responses)
    headers = [[neutralise(cell) or "" for cell in row]
               for row in header_rows(responses.instrument)]
    return headers, neutralise_frame(frame)


def _named_responses(wave: Wave) -> ResponseSet:
    """The analysed responses, web responses named by their pseudonym."""
    responses: ResponseSet = response_set(wave)
    names = {str(pid): web_reference(pid) for pid in analysed_responses(wave).filter(
        respondent_id="").values_list("public_id", flat=True)}
    respondents = responses.respondents.with_columns(
        pl.col("response_id").replace(names))
    return dataclasses.replace(responses, respondents=respondents)


def _wide(write: Callable[[WideData], bytes]) -> Callable[[Wave], bytes]:
    """A download of the wide layout (hrta.exports.wide) for statistics packages."""
    def build(wave: Wave) -> bytes:
        return write(wide_data(_named_responses(wave)))
    return build


def _through_file(suffix: str) -> Callable[[WideData], bytes]:
    """SPSS and Stata files are written to disk by their library, then read."""
    def write(data: WideData) -> bytes:
        with tempfile.TemporaryDirectory(prefix="hrta-data-") as folder:
            path = Path(folder) / f"responses{suffix}"
            write_wide(path, data)
            return path.read_bytes()
    return write


def _r_script(wave: Wave) -> bytes:
    """The R script that reads the wide CSV, by the name its download is given."""
    csv_name = f"{wave.slug}-responses-wide.csv"
    return r_script(wide_data(_named_responses(wave)), csv_name).encode("ascii")


def _csv(wave: Wave) -> bytes:
    headers, frame = clean_data(wave)
    buffer = io.StringIO()
    csv.writer(buffer).writerows(headers)
    frame.write_csv(buffer, include_header=False)
    # With the byte-order mark, Excel opens the file as UTF-8; `hrta` reads either way.
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx(wave: Wave) -> bytes:
    headers, frame = clean_data(wave)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Responses")
    for row in _xlsx_rows(headers, frame.iter_rows()):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_rows(headers: Sequence[Sequence[str]],
               rows: Iterable[Sequence[str | None]]) -> Iterable[list[str | None]]:
    # XLSX cannot hold control characters; they are shown as U+FFFD, as in the report.
    for row in [*headers, *rows]:
        yield [clean_text(cell) if cell else cell for cell in row]


def _findings_json(wave: Wave) -> bytes:
    return json.dumps(wave_findings(wave).model_dump(mode="json"), indent=2,
                      ensure_ascii=False).encode("utf-8")


def report_wording(wave: Wave, findings: Findings,
                   language: str | None) -> tuple[Findings, str]:
    """The Findings in the wording of the questionnaire in `language` (the page's), and
    the report language that goes with them: English where the report has no catalog."""
    written = report_words(language).language
    if written == ENGLISH:
        return findings, written
    return in_wording(findings, localized_instrument(wave, written)), written


def _report(suffix: str) -> Callable[[Wave], bytes]:
    def build(wave: Wave) -> bytes:
        findings, language = report_wording(wave, wave_findings(wave), get_language())
        with tempfile.TemporaryDirectory(prefix="hrta-report-") as folder:
            path = Path(folder) / f"report{suffix}"
            render_reports(findings, [path], language=language,
                           released=released_quotes(wave), on_web=True)
            return path.read_bytes()
    return build


# No PDF here: WeasyPrint takes tens of seconds of a shared server's core for one report.
# The HTML report prints as the PDF does (same print styles), and `hrta report -o x.pdf`
# writes the PDF itself.
KINDS: dict[str, Kind] = {
    "report.html": Kind(".html", "text/html; charset=utf-8", _report(".html")),
    "report.docx": Kind(".docx", "application/vnd.openxmlformats-officedocument"
                        ".wordprocessingml.document", _report(".docx")),
    "findings.json": Kind(".json", "application/json", _findings_json),
    "responses.csv": Kind(".csv", "text/csv; charset=utf-8", _csv),
    "responses.xlsx": Kind(".xlsx", "application/vnd.openxmlformats-officedocument"
                           ".spreadsheetml.sheet", _xlsx),
    # The wide layout: one row per response, one column per question, option or statement,
    # choices as numbers with their labels in the file or the codebook.
    "responses.sav": Kind(".sav", "application/x-spss-sav", _wide(_through_file(".sav"))),
    "responses.dta": Kind(".dta", "application/x-stata-dta", _wide(_through_file(".dta"))),
    "responses-wide.xlsx": Kind(".xlsx", "application/vnd.openxmlformats-officedocument"
                                ".spreadsheetml.sheet", _wide(xlsx_bytes)),
    "responses-wide.csv": Kind(".csv", "text/csv; charset=utf-8", _wide(csv_bytes)),
    "responses-wide.parquet": Kind(".parquet", "application/vnd.apache.parquet",
                                   _wide(parquet_bytes)),
    "codebook.csv": Kind(".csv", "text/csv; charset=utf-8", _wide(codebook_bytes)),
    "responses-wide.R": Kind(".R", "text/plain; charset=utf-8", _r_script),
}


def build_download(wave: Wave, name: str) -> Download:
    kind = KINDS[name]
    return Download(f"{wave.slug}-{name}", kind.content_type, kind.build(wave))
