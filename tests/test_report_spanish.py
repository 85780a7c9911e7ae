"""The report and the brief in Spanish (`--lang es`): every heading, label, note and chart
in Spanish, questions and options in the questionnaire's own Spanish wording, the language
declared in each format, and every number the same as in the English report."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from hrta.analysis import build_findings
from hrta.demo import demo_responses
from hrta.exports import write_surveymonkey_csv
from hrta.instrument import Instrument
from hrta.instrument.translation import translate
from hrta.report.worded import in_wording
from hrta.report.words import report_words
from tests.conftest import run_hrta

# Common English words of the report's own text that are not also Spanish words: one of
# them in the Spanish report is a sentence left in English.
ENGLISH = set(re.findall(r"[a-z]+", """
about above agree agreement all and answer answered answers any appendix are as at below
by chart choose chosen confidence contents count counts disagree discussion draft each
eligible every excluded executive figure figures findings first for from given how in
interval intervals is it its least limitations methods more most not number numbers of
on one only option options or other page percent percentage percentages question
questions read report respondents responses section shown showing skipped small summary
table tables takeaways than that the their these this those to under was were what when
where which who with without wrote written
"""))
# Names that read the same in both languages, and the words of data: answers written in
# under "Other" are shown as their respondents wrote them.
ALLOWED = {"hrta", "n", "TA", "JSON", "Findings", "Markdown", "Wilson", "PDF", "Word"}
# A word (of any alphabet); a file name such as responses.csv is one word, and a name.
WORD = re.compile(r"[^\W\d_][\w'’-]*(?:\.[a-z]+)?")
# Two capitals are a state's postal code on the map (IN, OR), in any language.
CODE = re.compile(r"[A-Z]{2}")
# A command's option (--discussion) is typed as it is, in any language.
OPTION = re.compile(r"--[a-z-]+")
PERCENT = re.compile(r"(?<![\d.])\d{1,3}(?:\.\d)?%")


@pytest.fixture(scope="module")
def export(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("wave") / "responses.csv"
    write_surveymonkey_csv(path, demo_responses(instrument))
    return path


@pytest.fixture(scope="module")
def write_ins(instrument: Instrument) -> list[str]:
    """What the demo's respondents typed under "Other" and in open-ended answers."""
    findings = build_findings(demo_responses(instrument))
    return [answer for entry in findings.questions.values()
            for answer in (getattr(entry, "other_texts", None) or getattr(entry, "answers", None)
                           or [])]


@pytest.fixture(scope="module")
def reports(export: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo report in both languages and all three formats, and the brief."""
    folder = tmp_path_factory.mktemp("reports")
    made: dict[str, Path] = {}
    for lang in ("en", "es"):
        for suffix in ("html", "docx", "pdf"):
            target = folder / f"report-{lang}.{suffix}"
            result = run_hrta("report", export, "-o", target, "--no-themes", "--lang", lang)
            assert result.returncode == 0, result.stderr
            made[f"{lang}.{suffix}"] = target
        for suffix in ("html", "docx", "pdf") if lang == "es" else ("html",):
            target = folder / f"brief-{lang}.{suffix}"
            result = run_hrta("report", export, "-o", target, "--brief", "--no-themes",
                              "--lang", lang)
            assert result.returncode == 0, result.stderr
            made[f"brief-{lang}.{suffix}"] = target
    return made


class _Visible(HTMLParser):
    """The text a reader sees or hears: text, alt and aria-label, not styles or the
    write-ins respondents typed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.lang = ""
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "html":
            self.lang = found.get("lang") or ""
        classes = (found.get("class") or "").split()
        if self._skip or tag in ("style", "script") or "others" in classes \
                or "answers" in classes:
            self._skip.append(tag)
            return
        for name in ("alt", "aria-label", "title"):
            if found.get(name):
                self.parts.append(found[name] or "")

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible(page: str) -> tuple[str, str]:
    parser = _Visible()
    parser.feed(page)
    return parser.lang, " ".join(parser.parts)


def _english(text: str) -> list[str]:
    text = OPTION.sub("", text)
    return sorted({word for word in WORD.findall(text)
                   if word.lower() in ENGLISH and word not in ALLOWED
                   and not CODE.fullmatch(word)})


def _percents(text: str) -> Counter[str]:
    return Counter(PERCENT.findall(text))


def test_an_unknown_language_is_refused_naming_the_choices(export: Path,
                                                           tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    result = run_hrta("report", export, "-o", target, "--no-themes", "--lang", "fr")
    assert result.returncode == 2
    assert "'fr'" in result.stderr and "en, es" in result.stderr
    assert not target.exists()


def test_spanish_html_speaks_spanish_with_the_english_numbers(reports: dict[str, Path]) -> None:
    lang, text = _visible(reports["es.html"].read_text(encoding="utf-8"))
    _, english = _visible(reports["en.html"].read_text(encoding="utf-8"))
    assert lang == "es"
    assert _english(text) == []
    # The questionnaire's own Spanish wording names questions and options.
    assert "Resumen ejecutivo" in text and "BORRADOR" in text
    assert _percents(text) == _percents(english)
    assert sum(_percents(text).values()) > 100


def test_spanish_docx_declares_its_language_and_speaks_spanish(
        reports: dict[str, Path], write_ins: list[str]) -> None:
    word = docx.Document(str(reports["es.docx"]))
    paragraphs = [p.text for p in word.paragraphs]
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    text = "\n".join(paragraphs + cells)
    english = docx.Document(str(reports["en.docx"]))
    english_text = "\n".join([p.text for p in english.paragraphs] + [
        cell.text for table in english.tables for row in table.rows for cell in row.cells])
    assert _english(_without_write_ins(text, write_ins)) == []
    assert _percents(text) == _percents(english_text)
    with zipfile.ZipFile(reports["es.docx"]) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    assert 'w:val="es-US"' in styles


def test_spanish_pdf_declares_its_language_and_speaks_spanish(reports: dict[str, Path],
                                                            write_ins: list[str]) -> None:
    reader = PdfReader(reports["es.pdf"])
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("es")
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Resumen ejecutivo" in text
    english = " ".join(page.extract_text() for page in PdfReader(reports["en.pdf"]).pages)
    assert _english(_without_write_ins(re.sub(r"\s*\n\s*", "\n", text), write_ins)) == []
    # "95%" is also the intervals' level, which the prose of each language names a different
    # number of times ("95% CI" in a header, "del 95%" in a note); every other percent is a
    # finding and matches.
    spanish_percents, english_percents = _percents(text), _percents(english)
    del spanish_percents["95%"], english_percents["95%"]
    assert spanish_percents == english_percents
    # The body (cover to limitations) keeps to 20 pages in either language, though Spanish
    # runs about a fifth longer and its lead paragraphs are never split across pages.
    appendix = next(number for number, page in enumerate(reader.pages, 1)
                    if "Apéndice A:" in page.extract_text()
                    and "Contenido" not in page.extract_text())
    english_body = next(number for number, page in enumerate(PdfReader(reports["en.pdf"]).pages, 1)
                        if "Appendix A:" in page.extract_text()
                        and "Contents" not in page.extract_text()) - 1
    assert english_body <= 20, f"the English body runs to {english_body} pages"
    assert appendix - 1 <= 20, f"the Spanish body runs to {appendix - 1} pages"


def test_spanish_brief_speaks_spanish(reports: dict[str, Path]) -> None:
    lang, text = _visible(reports["brief-es.html"].read_text(encoding="utf-8"))
    assert lang == "es"
    assert _english(text) == []
    word = docx.Document(str(reports["brief-es.docx"]))
    assert _english(" ".join(p.text for p in word.paragraphs)) == []
    # Still one page, though Spanish runs longer than English.
    reader = PdfReader(reports["brief-es.pdf"])
    assert len(reader.pages) == 1 and str(reader.trailer["/Root"]["/Lang"]) == "es"
    assert _english(reader.pages[0].extract_text()) == []


def test_findings_in_spanish_carry_its_labels_and_the_english_numbers(
        instrument: Instrument) -> None:
    responses = demo_responses(instrument)
    spanish = translate(instrument, "es")
    english = build_findings(responses)
    direct = build_findings(replace(responses, instrument=spanish))
    # The dashboard's and the staff download's way (relabelled) is the command's (analysed
    # under the Spanish wording), label for label.
    assert in_wording(english, spanish).to_json() == direct.to_json()
    assert direct.questions["ta_receiving"].options["yes"].label == "Sí"
    assert direct.sections[0].items[0].title == "Número de personas encuestadas por estado"
    for qid, entry in english.questions.items():
        worded = direct.questions[qid]
        assert worded.n == entry.n and worded.not_answered == entry.not_answered
        for key, option in getattr(entry, "options", {}).items():
            assert (worded.options[key].count, worded.options[key].percent) == (
                option.count, option.percent)


def test_every_english_catalog_entry_has_its_spanish_one() -> None:
    english, spanish = report_words("en"), report_words("es")
    assert spanish.language == "es"
    assert set(english.messages) == set(spanish.messages)


def _without_write_ins(text: str, written: list[str]) -> str:
    """The text less what respondents wrote (shown as written, in any language): Word and
    PDF lose the HTML's markup that says which lines those are."""
    for answer in sorted(written, key=len, reverse=True):
        text = text.replace(answer, " ")
    return text


@pytest.mark.parametrize(("lang", "said"), [
    ("es", "windows_1252.csv no está en UTF-8: se leyó como Windows-1252"),
    ("en", "windows_1252.csv is not UTF-8: read as Windows-1252")])
def test_what_the_import_noticed_is_in_the_reports_language(tmp_path: Path, lang: str,
                                                            said: str) -> None:
    """The methods' "Warnings about these data" come from the shared messages' catalog in the
    report's language, and name the export by its file name, not the folder it sat in."""
    export = Path(__file__).parent / "fixtures" / "surveymonkey" / "windows_1252.csv"
    report = tmp_path / "r.html"
    done = run_hrta("report", export, "--lang", lang, "--no-themes", "-o", report)
    assert done.returncode == 0, done.stderr
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", report.read_text(encoding="utf-8")))
    text = text.replace("&#39;", "'")
    assert said in text
    assert str(export.parent) not in text
