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
    join_words,
)
from hrta.report.lookup import open_ended
from hrta.wording import plural as plural_of

# The question's noun as the report uses it: "the most cited challenge".
_NOUNS = {"challenges": ("challenge", "challenges"),
          "facilitators": ("facilitator", "facilitators")}
# How the themes after the first are introduced, in turn, so that the section does not
# read as one sentence repeated.
_MIDDLES = ("Several respondents also commented on {theme} ({share}).",
            "{Theme} was named by {count} respondents ({percent}).",
            "Respondents also pointed to {theme} ({share}).",
            "Others described {theme} ({share}).")
_LEADS = ("Some respondents explained,", "Respondents commented,", "Respondents reported,",
          "They wrote,")
QUOTES = 3  # at most this many quotes per theme
MACHINE_CODED = "machine-coded, not yet reviewed"


# Review ----------------------------------------------------------------------------------

def reviewed(coding: CodedThemes) -> bool:
    """Whether people confirmed the codes of every answer that has words to code."""
    return coding.confirmed > 0 and coding.confirmed >= coding.n - coding.uncodable


def _review_sentence(coding: CodedThemes) -> str:
    if coding.confirmed == 0:
        return (f"These themes are {MACHINE_CODED}: no person has confirmed the codes, so "
                "they are not carried into the executive summary.")
    return (f"These themes are {MACHINE_CODED} in full: a reviewer confirmed the codes of "
            f"{format_count(coding.confirmed)} of the {format_count(coding.n)} answers, so "
            "they are not carried into the executive summary.")


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
    theme: str
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
        quote_id = f"{qid}-{index + 1}"
        flagged = None if quote_id in released else screen(text_)
        found.append(Quote(quote_id, text_, theme.label, flagged))
    return found[:QUOTES]


def _all_quotes(findings: Findings, released: frozenset[str]) -> list[Quote]:
    found = []
    for qid, entry in findings.questions.items():
        if isinstance(entry, TextQuestion) and isinstance(entry.coding, CodedThemes):
            for theme in entry.coding.themes:
                found += quotes_of(qid, entry, entry.coding, theme, released)
    return found


def withheld_quotes(findings: Findings,
                    released: frozenset[str] = frozenset()) -> list[Quote]:
    """Every quote the screen holds back, for the analyst to read (and release)."""
    return [quote for quote in _all_quotes(findings, released) if quote.withheld]


def quote_ids(findings: Findings) -> set[str]:
    """The ids of every quote the report may show (confirmed answers only)."""
    return {quote.id for quote in _all_quotes(findings, frozenset())}


def coding_of(item: SectionItem, findings: Findings) -> Coding | None:
    if item.kind != "open_ended":
        return None
    return open_ended(findings, item.questions[0]).coding


def _coded(item: SectionItem, findings: Findings) -> CodedThemes | None:
    """The item's coding when its answers were coded (and there were any)."""
    coding = coding_of(item, findings)
    return coding if isinstance(coding, CodedThemes) and coding.n else None


def _noun(qid: str, plural: bool = False) -> str:
    singular, many = _NOUNS.get(qid, ("theme", "themes"))
    return many if plural else singular


def _named(theme: ThemeTally) -> str:
    return in_sentence(theme.label)


def theme_sentences(item: SectionItem, findings: Findings, *,
                    verbatims: bool = False) -> list[str] | None:
    """The sentences that open a coded open-ended question, or None when it has no
    coding (the listing's own sentence stands). `verbatims`: the answers are printed in
    the appendix."""
    coding = coding_of(item, findings)
    entry = open_ended(findings, item.questions[0])
    if coding is None or entry.n == 0:
        return None
    answered = (f"A total of {format_count(entry.n)} respondents answered this "
                "open-ended question.")
    where = answers_shown(verbatims)
    if not isinstance(coding, CodedThemes):
        return [answered, "Its answers could not be coded into themes for this report, "
                f"because the text model could not be loaded ({coding.message}); {where}."]
    used = [t for t in coding.themes if t.count > 0]
    if not used:
        return [answered, f"None of the answers fit a theme of the codebook; {where}."]
    listed = "; ".join(_named(t) for t in used[:-1])
    listed = f"{listed}; and {_named(used[-1])}" if len(used) > 2 else join_words(
        [_named(t) for t in used])
    sentences = [answered, f"Common themes that emerged included {listed}."]
    return sentences if reviewed(coding) else [*sentences, _review_sentence(coding)]


def answers_shown(verbatims: bool) -> str:
    """Where a question's answers are: in the appendix, or (by default) not printed."""
    if verbatims:
        return "the answers are listed as written in the appendix of open-ended answers"
    return ("the answers themselves are not printed, as they can name people, places and "
            "agencies")


def headline(item: SectionItem, findings: Findings) -> str | None:
    """One sentence for the executive summary: the most named themes, each with its count
    and base; only for themes people reviewed."""
    coding = _coded(item, findings)
    if coding is None or not reviewed(coding):
        return None
    used = [t for t in coding.themes if t.count > 0][:3]
    if not used:
        return None
    qid = item.questions[0]
    parts = [f"{_named(t)} ({format_count(t.count)} of {format_count(coding.n)}, "
             f"{format_percent(t.percent)})" for t in used]
    verb = "were" if len(used) > 1 else "was"
    return (f"The {_noun(qid, plural=len(used) > 1)} respondents wrote of most often "
            f"{verb} {join_words(parts)}.")


def summary_themes(findings: Findings) -> list[str]:
    """The headline of every open-ended question whose themes people reviewed."""
    return [line for section in findings.sections for item in section.items
            if item.kind == "open_ended" and (line := headline(item, findings))]


def theme_blocks(item: SectionItem, findings: Findings,
                 released: frozenset[str] = frozenset()) -> tuple[Block, ...]:
    """The themes table and, per theme, its sentence and the quotes that may be shown."""
    coding = _coded(item, findings)
    if coding is None:
        return ()
    qid = item.questions[0]
    entry = open_ended(findings, qid)
    n = coding.n
    label = "" if reviewed(coding) else f", {MACHINE_CODED}"
    table = Table(
        (Column("Respondents"), Column("Percent"), Column("95% CI")),
        tuple(Row(clean_text(t.label), (format_count(t.count),
                                        format_percent(t.percent),
                                        format_interval(t.ci_low, t.ci_high)))
              for t in coding.themes),
        stub="Theme",
        caption=f"Themes of {item.title.lower().removeprefix('the ')} "
                f"(n={format_count(n)}){label}",
        notes=(_method_note(coding),))
    blocks: list[Block] = [table]
    used = [t for t in coding.themes if t.count > 0]
    top = [t for t in used if t.count == used[0].count] if used else []
    withheld = 0
    for position, theme in enumerate(used):
        quotes = quotes_of(qid, entry, coding, theme, released)
        shown = [q for q in quotes if not q.withheld]
        withheld += len(quotes) - len(shown)
        sentence = _theme_sentence(qid, theme, n, position, len(used), top, bool(shown))
        if sentence:
            blocks.append(paragraph(sentence))
        if shown:
            blocks.append(Bullets(tuple(text(f"“{clean_text(q.text.strip())}”")
                                        for q in shown)))
    if withheld:
        held = ("One quote was withheld because it may" if withheld == 1 else
                f"{format_count(withheld)} {plural_of(withheld, 'quote')} were withheld because "
                "they may")
        blocks.append(paragraph(f"{held} name a person, place or agency.", role="note"))
    return tuple(blocks)


def _theme_sentence(qid: str, theme: ThemeTally, n: int, position: int, total: int,
                    top: list[ThemeTally], quoted: bool) -> str:
    share = f"n={format_count(theme.count)}, {format_percent(theme.percent)}"
    lead = _LEADS[position % len(_LEADS)] if quoted else ""
    if position == 0 and len(top) > 1:
        opening = (f"{capitalize(join_words([_named(t) for t in top]))} were the most cited "
                   f"{_noun(qid, plural=True)} among respondents to this question, named by "
                   f"{format_count(theme.count)} respondents each "
                   f"({format_percent(theme.percent)} of {format_count(n)}).")
        return f"{opening} On {_named(theme)}, {_lower(lead)}" if lead else opening
    if 0 < position < len(top):
        return f"On {_named(theme)}, {_lower(lead)}" if lead else ""
    if position == 0:
        opening = (f"{capitalize(_named(theme))} was the most cited {_noun(qid)} among "
                   f"respondents to this question ({share} of {format_count(n)}).")
    elif theme.count == 1:
        opening = f"One respondent named {_named(theme)} ({share})."
        lead = "They wrote," if quoted else ""
    elif position == total - 1 and total > 2:
        opening = (f"Finally, {format_count(theme.count)} respondents named "
                   f"{_named(theme)} ({format_percent(theme.percent)}).")
    else:
        opening = _MIDDLES[position % len(_MIDDLES)].format(
            theme=_named(theme), Theme=capitalize(_named(theme)), share=share,
            count=format_count(theme.count), percent=format_percent(theme.percent))
    return f"{opening} {lead}".strip()


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _method_note(coding: CodedThemes) -> str:
    confirmed = coding.confirmed
    people = (f" {format_count(confirmed)} of the {format_count(coding.n)} answers were "
              "confirmed or corrected by a reviewer, whose codes are used." if confirmed
              else " No answer has been reviewed by a person yet.")
    left = [f"{format_count(count)} {'answer' if count == 1 else 'answers'} {what}"
            for count, what in ((coding.uncoded, "fit no theme"),
                                (coding.uncodable, "had no words to code")) if count]
    return ("Themes were coded against the question's codebook by a sentence-embedding "
            f"model ({coding.model}); an answer can have several themes, so percentages "
            "of the respondents who answered can add up to more than 100%."
            f"{people}" + (f" {capitalize(join_words(left))}." if left else ""))
