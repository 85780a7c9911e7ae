"""The coded themes of an open-ended question, as the 2022 report tells them.

"Sixty-one respondents answered this question. Common themes that emerged included …",
then a table of the themes ranked by the number of respondents, then each theme in turn
with its n and percent and up to three quotes. Everything is read from the question's
`coding` block in Findings; quotes are plain strings that each renderer escapes.

People's review decides what the report may say (docs/reading-the-report.md):
- a question's themes are *reviewed* when a reviewer confirmed the codes of every answer
  that has words to code; only reviewed themes reach the executive summary, and the
  others are labelled "machine-coded, not yet reviewed" in their section;
- a quote is shown only when a reviewer confirmed that answer's codes, and only when the
  screen below finds no name of a person, place or agency in it, unless the analyst
  released it by its id (`QUESTION-N`, the answer's place among the question's answers).
The same screen and release hold for the write-ins under "Other (please specify)"
(`QUESTION-other-N`, the text's place among the question's write-ins), which the report
lists with the figures' tables (hrta.report.appendix.screened_write_ins).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from hrta.findings.model import (
    CodedThemes,
    Coding,
    Findings,
    QuestionEntry,
    SectionItem,
    TextQuestion,
    ThemeTally,
)
from hrta.report.document import Block, Bullets, Column, Row, Table, paragraph, text
from hrta.report.formatting import (
    capitalize,
    clean_text,
    format_count,
    format_interval,
    format_percent,
    in_sentence,
)
from hrta.report.items import MAX_LISTED
from hrta.report.lookup import open_ended, other_texts
from hrta.report.words import Words, report_words

# The question's noun as the report uses it ("the most cited challenge") is the catalog's
# theme.noun.<question id>, else theme.noun.theme. How the themes after the first are
# introduced (theme.middle.<i>) and their quotes led in (theme.lead.<i>) go in turn, so that
# the section does not read as one sentence repeated.
_NOUNS = frozenset({"challenges", "facilitators"})
MIDDLES = 4
LEADS = 4
QUOTES = 3  # at most this many quotes per theme


# Review ----------------------------------------------------------------------------------

def reviewed(coding: CodedThemes) -> bool:
    """Whether people confirmed the codes of every answer that has words to code."""
    return coding.confirmed > 0 and coding.confirmed >= coding.n - coding.uncodable


def _review_sentence(coding: CodedThemes, words: Words) -> str:
    machine = words("theme.machine_coded")
    if coding.confirmed == 0:
        return words("theme.unreviewed", machine=machine)
    return words("theme.part_reviewed", machine=machine,
                 confirmed=format_count(coding.confirmed), n=format_count(coding.n))


# Quotes ----------------------------------------------------------------------------------
# The screen withholds a quote that may name a person, a place or an agency. It is a
# screen, not a guarantee: it errs towards withholding, and the analyst reads and releases.

_TITLES = re.compile(
    r"\b(?:Dr|Mr|Mrs|Ms|Mx|Miss|Rev|Prof|Sgt|Lt|Capt|Sheriff|Officer|Deputy|Judge|Chief|"
    r"Commissioner|Mayor|Governor|Senator|Rep|Representative|Director|Pastor|Father|"
    r"Sister)\.?\s+[A-Z][\w’'-]+")
_AGENCY_WORDS = re.compile(
    r"\b(?:sheriffs?|police|county|counties|parish|borough|township|city of|town of|"
    r"department of|health department|district attorney|prosecutor|courthouse|jail|"
    r"prison|DA'?s office)\b", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE = re.compile(r"(?:\+?1[\s.-]?)?\(?\b\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}\b")
_WEB = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_SENTENCES = re.compile(r"(?<=[.!?])\s+")
_WORD = re.compile(r"[\w’'-]+")
_TITLE_CASE = re.compile(r"[A-Z][a-z’'-]+")


@cache
def _place_names() -> re.Pattern[str]:
    """The names of the states and territories (the map's tiles), as whole words."""
    text = (resources.files("hrta.report") / "state_tiles.csv").read_text(encoding="utf-8")
    names = sorted((row["name"] for row in csv.DictReader(text.splitlines())), key=len,
                   reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")


def _name_runs(text: str) -> str | None:
    """Two or more capitalised words in a row, not counting a sentence's first word."""
    for sentence in _SENTENCES.split(text):
        words = _WORD.findall(sentence)[1:]
        run: list[str] = []
        for word in [*words, ""]:
            if _TITLE_CASE.fullmatch(word):
                run.append(word)
                continue
            if len(run) >= 2:
                return " ".join(run)
            run = []
    return None


def screen(text: str) -> str | None:
    """What in `text` may name a person, place or agency (the matched words), or None."""
    for pattern in (_EMAIL, _PHONE, _WEB, _TITLES, _place_names(), _AGENCY_WORDS):
        found = pattern.search(text)
        if found:
            return found.group(0)
    return _name_runs(text)


@dataclass(frozen=True)
class Quote:
    id: str  # QUESTION-N: the answer's place (from 1) among the question's answers
    text: str
    theme: str  # the theme it is quoted for; for a write-in, the question's title
    withheld: str | None  # the words the screen found, when the quote is held back


def quotes_of(qid: str, entry: TextQuestion, coding: CodedThemes, theme: ThemeTally,
              released: frozenset[str] = frozenset()) -> list[Quote]:
    """The theme's quotes from answers a reviewer confirmed (at most QUOTES), each
    screened; machine-coded answers are never quoted."""
    found = []
    for text_ in theme.quotes:
        index = next((i for i, answer in enumerate(entry.answers)
                      if answer == text_ and i < len(coding.sources)
                      and coding.sources[i] == "confirmed" and theme.id in coding.codes[i]),
                     None)
        if index is None:
            continue
        found.append(screened(f"{qid}-{index + 1}", text_, theme.label, released))
    return found[:QUOTES]


def screened(quote_id: str, text_: str, under: str, released: frozenset[str]) -> Quote:
    """A text that may be printed, with what the screen found in it (None when released)."""
    return Quote(quote_id, text_, under, None if quote_id in released else screen(text_))


def write_in_id(qid: str, index: int) -> str:
    """The id of a question's write-in: its place (from 1) among the question's write-ins."""
    return f"{qid}-other-{index + 1}"


def write_ins(qid: str, entry: QuestionEntry, released: frozenset[str] = frozenset(),
              *, listed: int | None = None) -> list[Quote]:
    """The question's write-ins under "Other (please specify)" (the first `listed`, as
    the report lists them), each screened as a quote is."""
    texts = [] if isinstance(entry, TextQuestion) else other_texts(entry)
    return [screened(write_in_id(qid, i), text_, entry.title, released)
            for i, text_ in enumerate(texts[:listed])]


def _all_quotes(findings: Findings, released: frozenset[str]) -> list[Quote]:
    found = []
    for qid, entry in findings.questions.items():
        if isinstance(entry, TextQuestion) and isinstance(entry.coding, CodedThemes):
            for theme in entry.coding.themes:
                found += quotes_of(qid, entry, entry.coding, theme, released)
        found += write_ins(qid, entry, released, listed=MAX_LISTED)
    return found


def withheld_quotes(findings: Findings,
                    released: frozenset[str] = frozenset()) -> list[Quote]:
    """Every quote and write-in the screen holds back, for the analyst to read (and
    release)."""
    return [quote for quote in _all_quotes(findings, released) if quote.withheld]


def quote_ids(findings: Findings) -> set[str]:
    """The ids of every quote (confirmed answers only) and write-in the report may show."""
    return {quote.id for quote in _all_quotes(findings, frozenset())}


def coding_of(item: SectionItem, findings: Findings) -> Coding | None:
    if item.kind != "open_ended":
        return None
    return open_ended(findings, item.questions[0]).coding


def _coded(item: SectionItem, findings: Findings) -> CodedThemes | None:
    """The item's coding when its answers were coded (and there were any)."""
    coding = coding_of(item, findings)
    return coding if isinstance(coding, CodedThemes) and coding.n else None


def _noun(qid: str, words: Words, plural: bool = False) -> str:
    name = qid if qid in _NOUNS else "theme"
    return words(f"theme.noun.{name}.{'other' if plural else 'one'}")


def _named(theme: ThemeTally) -> str:
    return in_sentence(theme.label)


def theme_sentences(item: SectionItem, findings: Findings, *,
                    verbatims: bool = False,
                    words: Words | None = None) -> list[str] | None:
    """The sentences that open a coded open-ended question, or None when it has no
    coding (the listing's own sentence stands). `verbatims`: the answers are printed in
    the appendix."""
    w = words or report_words()
    coding = coding_of(item, findings)
    entry = open_ended(findings, item.questions[0])
    if coding is None or entry.n == 0:
        return None
    answered = w("theme.answered", n=format_count(entry.n))
    where = answers_shown(verbatims, words=w)
    if not isinstance(coding, CodedThemes):
        return [answered, w("theme.not_coded", message=coding.message, where=where)]
    used = [t for t in coding.themes if t.count > 0]
    if not used:
        return [answered, w("theme.none_fit", where=where)]
    listed = "; ".join(_named(t) for t in used[:-1])
    listed = w("theme.and_last", listed=listed, last=_named(used[-1])) if len(used) > 2 \
        else w.join([_named(t) for t in used])
    sentences = [answered, w("theme.common", listed=listed)]
    return sentences if reviewed(coding) else [*sentences, _review_sentence(coding, w)]


def answers_shown(verbatims: bool, *, words: Words | None = None) -> str:
    """Where a question's answers are: in the appendix, or (by default) not printed."""
    w = words or report_words()
    return w("theme.shown_appendix" if verbatims else "theme.shown_not")


def headline(item: SectionItem, findings: Findings, *, words: Words | None = None) -> str | None:
    """One sentence for the executive summary: the most named themes, each with its count
    and base; only for themes people reviewed."""
    w = words or report_words()
    coding = _coded(item, findings)
    if coding is None or not reviewed(coding):
        return None
    used = [t for t in coding.themes if t.count > 0][:3]
    if not used:
        return None
    qid = item.questions[0]
    parts = [f"{_named(t)} ({share})" for t in used
             for share in [w("takeaway.of_n", count=format_count(t.count),
                             n=format_count(coding.n), percent=format_percent(t.percent))]]
    return w.count("theme.headline", len(used), noun=_noun(qid, w, plural=len(used) > 1),
                   parts=w.join(parts))


def summary_themes(findings: Findings, *, words: Words | None = None) -> list[str]:
    """The headline of every open-ended question whose themes people reviewed."""
    return [line for section in findings.sections for item in section.items
            if item.kind == "open_ended" and (line := headline(item, findings, words=words))]


def theme_blocks(item: SectionItem, findings: Findings,
                 released: frozenset[str] = frozenset(),
                 *, words: Words | None = None) -> tuple[Block, ...]:
    """The themes table and, per theme, its sentence and the quotes that may be shown."""
    w = words or report_words()
    coding = _coded(item, findings)
    if coding is None:
        return ()
    qid = item.questions[0]
    entry = open_ended(findings, qid)
    n = coding.n
    label = "" if reviewed(coding) else f", {w('theme.machine_coded')}"
    table = Table(
        (Column(w("theme.column_respondents")), Column(w("theme.column_percent")),
         Column(w("theme.column_ci"))),
        tuple(Row(clean_text(t.label), (format_count(t.count),
                                        format_percent(t.percent),
                                        format_interval(t.ci_low, t.ci_high)))
              for t in coding.themes),
        stub=w("theme.stub"),
        caption=w("theme.caption", title=item.title.lower().removeprefix("the "),
                  n=format_count(n), label=label),
        notes=(_method_note(coding, w),))
    blocks: list[Block] = [table]
    used = [t for t in coding.themes if t.count > 0]
    top = [t for t in used if t.count == used[0].count] if used else []
    withheld = 0
    for position, theme in enumerate(used):
        quotes = quotes_of(qid, entry, coding, theme, released)
        shown = [q for q in quotes if not q.withheld]
        withheld += len(quotes) - len(shown)
        sentence = _theme_sentence(qid, theme, n, position, len(used), top, bool(shown), w)
        if sentence:
            blocks.append(paragraph(sentence))
        if shown:
            blocks.append(Bullets(tuple(text(f"“{clean_text(q.text.strip())}”")
                                        for q in shown)))
    if withheld:
        blocks.append(paragraph(w.count("theme.withheld", withheld,
                                        quotes=format_count(withheld)), role="note"))
    return tuple(blocks)


def _theme_sentence(qid: str, theme: ThemeTally, n: int, position: int, total: int,
                    top: list[ThemeTally], quoted: bool, words: Words) -> str:
    # "12 of 61, 20%": a bare "(n=12, 20%)" writes the count where readers expect the base.
    share = words("takeaway.of_n", count=format_count(theme.count), n=format_count(n),
                  percent=format_percent(theme.percent))
    lead = words(f"theme.lead.{position % LEADS}") if quoted else ""
    if position == 0 and len(top) > 1:
        opening = words("theme.top_tied", themes=capitalize(words.join([_named(t) for t in top])),
                        nouns=_noun(qid, words, plural=True), count=format_count(theme.count),
                        percent=format_percent(theme.percent), n=format_count(n))
        on = words("theme.on", theme=_named(theme), lead=_lower(lead))
        return f"{opening} {on}" if lead else opening
    if 0 < position < len(top):
        return words("theme.on", theme=_named(theme), lead=_lower(lead)) if lead else ""
    if position == 0:
        opening = words("theme.top", theme=capitalize(_named(theme)), noun=_noun(qid, words),
                        share=share, n=format_count(n))
    elif theme.count == 1:
        opening = words("theme.one_named", theme=_named(theme), share=share)
        lead = words("theme.they_wrote") if quoted else ""
    elif position == total - 1 and total > 2:
        opening = words("theme.finally", theme=_named(theme), share=share)
    else:
        opening = words(f"theme.middle.{position % MIDDLES}",
                        theme=_named(theme), Theme=capitalize(_named(theme)), share=share,
                        count=format_count(theme.count), percent=format_percent(theme.percent))
    return f"{opening} {lead}".strip()


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _method_note(coding: CodedThemes, words: Words) -> str:
    confirmed = coding.confirmed
    people = (words("theme.method_confirmed", confirmed=format_count(confirmed),
                    n=format_count(coding.n)) if confirmed
              else words("theme.method_unconfirmed"))
    left = [words.count(key, count, answers=format_count(count))
            for count, key in ((coding.uncoded, "theme.left_unfit"),
                               (coding.uncodable, "theme.left_empty")) if count]
    return (words("theme.method", model=coding.model) + f" {people}"
            + (f" {capitalize(words.join(left))}." if left else ""))
