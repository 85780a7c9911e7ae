"""Reading Findings the way every part of the report needs: ordered options, captions, n.

These functions only look things up and order them; every number they return is already
in Findings. Findings reach the report as the typed model (hrta.findings.model); the
accessors below narrow a question entry to the kind a figure draws, which report/contract
has checked before anything is drawn.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

# The one default threshold (hrta.analysis.suppression names the same value): read from the
# bottom layer, since the report never imports the analysis.
from hrta.defaults import DEFAULT_THRESHOLD
from hrta.errors import InputError
from hrta.findings.model import (
    ClosedQuestion,
    Findings,
    MatrixStatement,
    MultiQuestion,
    OptionTally,
    ProfileGroups,
    SectionItem,
    TextQuestion,
    WeightedProportion,
)
from hrta.findings.proportion import Proportion
from hrta.report.formatting import format_count
from hrta.report.words import Words, report_words

# What the report entry points take: the model, or its JSON form (a parsed document or the
# file `hrta analyze --json` wrote), loaded once at the edge.
FindingsSource = Findings | dict[str, Any]

Option = tuple[str, OptionTally]


def as_findings(source: FindingsSource) -> Findings:
    """The model itself, or the model read from its JSON form (InputError naming the first
    key that does not fit)."""
    return source if isinstance(source, Findings) else Findings.load(source)


# Question entries, narrowed -----------------------------------------------------------------

def closed(findings: Findings, qid: str) -> ClosedQuestion:
    """A single-choice, select-all or rated-statement entry: one with options."""
    entry = findings.questions[qid]
    if isinstance(entry, TextQuestion):
        raise _misfit(qid, "is open-ended where the report draws options")
    return entry


def statement(findings: Findings, qid: str) -> MatrixStatement:
    entry = findings.questions[qid]
    if not isinstance(entry, MatrixStatement):
        raise _misfit(qid, "is not a rated statement of an agreement grid")
    return entry


def open_ended(findings: Findings, qid: str) -> TextQuestion:
    entry = findings.questions[qid]
    if not isinstance(entry, TextQuestion):
        raise _misfit(qid, "is not an open-ended question")
    return entry


def _misfit(qid: str, why: str) -> InputError:
    return InputError(f"the Findings do not fit the report: {qid!r} {why}")


def other_texts(entry: ClosedQuestion) -> list[str]:
    """The texts typed with "Other (please specify)"; none for a rated statement."""
    return [] if isinstance(entry, MatrixStatement) else entry.other_texts or []


def max_choices(entry: ClosedQuestion) -> int | None:
    """The most options a select-all question lets a respondent choose (None: no limit, or
    not a select-all question)."""
    return entry.max_choices if isinstance(entry, MultiQuestion) else None


# Options --------------------------------------------------------------------------------

def ordered(entry: ClosedQuestion) -> list[Option]:
    """Options with their ids by count, highest first (Findings' rank), ties kept in
    instrument order."""
    return sorted(entry.options.items(), key=lambda pair: pair[1].rank)


def substantive(entry: ClosedQuestion) -> list[Option]:
    """Ordered options a sentence may name: "Other (please specify)" says nothing alone."""
    return [(key, option) for key, option in ordered(entry) if not option.other]


def leaders(options: list[Option], k: int, *, whole_first: bool = True) -> list[Option]:
    """The first options of an ordered list, ties taken whole: runs of equal count are added
    while the total stays within k. The first run is taken whatever its length (the top
    answers, however many tie), unless `whole_first` is false."""
    chosen: list[Option] = []
    for _, run in groupby(options, key=lambda pair: pair[1].count):
        tied = list(run)
        if (chosen or not whole_first) and len(chosen) + len(tied) > k:
            break
        chosen.extend(tied)
        if len(chosen) >= k:
            break
    return chosen


def known_percent(estimate: Proportion | WeightedProportion) -> float:
    """The percent of an estimate whose n is above 0, where it is never null: what charts
    draw and sentences compare (only questions somebody answered are). A null one reads
    as 0, no bar."""
    return 0.0 if estimate.percent is None else estimate.percent


# Items ----------------------------------------------------------------------------------

def caption(item: SectionItem, findings: Findings, *, words: Words | None = None) -> str:
    """'Figure N. Title (n=…)', naming each question's n when a figure draws several."""
    ns = item.n
    if len(ns) == 1:
        n_text = f"n={format_count(next(iter(ns.values())))}"
    else:
        n_text = "; ".join(f"{findings.questions[qid].title} n={format_count(n)}"
                           for qid, n in ns.items())
    ref = reference(item, words=words)
    prefix = f"{ref}. " if ref else ""
    return f"{prefix}{item.title} ({n_text})"


def reference(item: SectionItem, *, words: Words | None = None) -> str:
    """'Figure 3', 'Figure 5a' or 'Table 1'; empty for unnumbered items (open-ended
    listings)."""
    if item.kind not in ("figure", "table") or item.number is None:
        return ""
    return (words or report_words())(f"narrative.{item.kind}",
                                     number=f"{item.number}{item.suffix}")


def anchor(item: SectionItem) -> str:
    if item.number is None:
        return f"{item.kind}-{item.questions[0]}"
    return f"{item.kind}-{item.number}{item.suffix}"


# The optional blocks --------------------------------------------------------------------

def suppression_threshold(findings: Findings) -> int:
    """Counts below this are not shown for subgroups: the comparison's own threshold, or
    the default when Findings compare no subgroups."""
    comparisons = findings.comparisons
    return comparisons.threshold if comparisons and comparisons.threshold else DEFAULT_THRESHOLD


def weighted(findings: Findings, qid: str, option_id: str) -> WeightedProportion | None:
    """The weighted estimate of one option, when Findings carry weights for it."""
    question = findings.weighting.questions.get(qid) if findings.weighting else None
    return question.options.get(option_id) if question else None


def is_weighted(findings: Findings, qid: str) -> bool:
    """Whether Findings carry weighted estimates for this question."""
    return findings.weighting is not None and qid in findings.weighting.questions


# Who answered ---------------------------------------------------------------------------

def represented(findings: Findings, qid: str) -> int | None:
    """How many states or territories a state question's answers cover (None: the question
    is not one of states)."""
    value = findings.profile.get(f"{qid}_represented")
    return value if isinstance(value, int) else None


def profile_groups(findings: Findings) -> list[tuple[str, ProfileGroups]]:
    """(question id, groups) for each question whose options gather into role groups."""
    return [(key.removesuffix("_groups"), value) for key, value in findings.profile.items()
            if key.endswith("_groups") and isinstance(value, ProfileGroups)]


def state_questions(findings: Findings) -> list[tuple[str, int]]:
    """(question id, states or territories represented), in Findings' order."""
    return [(key.removesuffix("_represented"), value)
            for key, value in findings.profile.items()
            if key.endswith("_represented") and isinstance(value, int)]


# Names ----------------------------------------------------------------------------------

def title_of(findings: Findings, qid: str) -> str:
    """The short title of a question or of an agreement grid (which has no question entry)."""
    entry = findings.questions.get(qid) or findings.matrices.get(qid)
    return entry.title if entry else qid


def question_label(findings: Findings, qid: str) -> str:
    """A question's name in a table: its title, or for a rated statement, grid and text."""
    entry = findings.questions.get(qid)
    if entry is None:
        return qid
    if isinstance(entry, MatrixStatement):
        return f"{entry.title}: {entry.text}"
    return entry.title
