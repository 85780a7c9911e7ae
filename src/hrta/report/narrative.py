"""Written findings: sentences in the 2022 report's register, built from Findings alone.

Every number in a sentence is read from Findings and formatted like the tables (whole
percents, halves up); none is typed here. Each sentence names its n, so a reader can
check it against the figure it introduces. Questions nobody answered and ties are said
plainly rather than skipped.
"""

from __future__ import annotations

from collections.abc import Sequence

from hrta.findings.model import (
    ClosedQuestion,
    Findings,
    MatrixStatement,
    MultiQuestion,
    QuestionEntry,
    Section,
    SectionItem,
    SingleQuestion,
)
from hrta.report.continuum import continuum_sentences
from hrta.report.formatting import (
    capitalize,
    format_count,
    format_date,
    format_percent,
    in_sentence,
    join_words,
    subject,
    third_person,
)
from hrta.report.lookup import (
    Option,
    closed,
    leaders,
    profile_groups,
    reference,
    represented,
    state_questions,
    statement,
    substantive,
    title_of,
)
from hrta.report.themes import headline as theme_headline
from hrta.report.themes import theme_sentences

MOST = 5  # options named as the most common
LEAST = 3  # and as the least common, when a question has enough options to have both
FEW = 4  # single-choice questions with this many options or fewer are told in full
TOP_STATES = 4


# Pieces ----------------------------------------------------------------------------------

def _listed(pairs: Sequence[Option], n: int, *, with_n: bool = True) -> str:
    """'peer support services (88%, n=101), counseling (86%) and …': n once, first."""
    parts = []
    for index, (_, option) in enumerate(pairs):
        percent = format_percent(option.percent)
        detail = f"{percent}, n={format_count(n)}" if index == 0 and with_n else percent
        parts.append(f"{in_sentence(option.label)} ({detail})")
    return join_words(parts)


def _see(item: SectionItem) -> str:
    ref = reference(item)
    return f" ({ref})" if ref else ""


def _end(sentence: str, item: SectionItem) -> str:
    return f"{sentence.rstrip('.')}{_see(item)}."


def _none_answered(item: SectionItem, findings: Findings) -> str:
    names = join_words([subject(title_of(findings, q)) for q in item.questions])
    return _end(f"No eligible respondent answered the question on {names}", item)


def fielded_sentence(findings: Findings) -> str | None:
    fielded = findings.fielded
    if not fielded:
        return None
    first, last = format_date(fielded.first), format_date(fielded.last)
    if first == last:
        return f"Responses were collected on {first}."
    return f"Responses were collected between {first} and {last}."


# Respondents -----------------------------------------------------------------------------

def overview_sentences(findings: Findings) -> list[str]:
    """Who responded: the total, the exclusions, states represented, leadership share."""
    r = findings.responses
    if r.excluded:
        excluded = "one of whom" if r.excluded == 1 else f"{format_count(r.excluded)} of whom"
        sentences = [f"A total of {format_count(r.total)} individuals responded to the "
                     f"survey, {excluded} did not meet the participation criteria and "
                     f"{'was' if r.excluded == 1 else 'were'} excluded from the analysis, "
                     f"leaving {format_count(r.eligible)} eligible respondents."]
    else:
        sentences = [f"A total of {format_count(r.total)} individuals responded to the "
                     "survey; all met the participation criteria."]
    for qid, count in state_questions(findings):
        entry = findings.questions[qid]
        sentences.append(f"Of the {format_count(entry.n)} respondents who identified their "
                         f"{subject(entry.title)}, "
                         f"{format_count(count)} states or territories were represented.")
    for qid, grouping in profile_groups(findings):
        if grouping.n:
            largest_name, largest = max(grouping.groups.items(), key=lambda g: g[1].count)
            sentences.append(
                f"Of those who identified their {subject(findings.questions[qid].title)} "
                f"(n={format_count(grouping.n)}), {format_percent(largest.percent)} held "
                f"{largest_name} positions.")
    return sentences


def _state_sentences(item: SectionItem, findings: Findings) -> list[str]:
    qid = item.questions[0]
    entry = closed(findings, qid)
    chosen = [pair for pair in substantive(entry) if pair[1].count > 0]
    opening = (f"A total of {format_count(entry.n)} respondents identified the "
               f"{subject(entry.title)} in which their organization was located; "
               f"{format_count(represented(findings, qid) or 0)} states or territories were "
               "represented.")
    if len(chosen) <= TOP_STATES:
        return [opening, _end(f"Respondents came from {_counts(chosen)}", item)]
    top = leaders(chosen, TOP_STATES)
    verb = "had the highest number of respondents" if len(top) > 1 else "had the most respondents"
    return [opening, _end(f"{join_words([o.label for _, o in top])} {verb}, with "
                          f"{join_words([format_count(o.count) for _, o in top])}", item)]


def _counts(pairs: Sequence[Option]) -> str:
    return join_words([f"{o.label} ({format_count(o.count)})" for _, o in pairs])


def _group_sentences(item: SectionItem, findings: Findings) -> list[str]:
    qid = item.questions[0]
    entry = closed(findings, qid)
    grouping = dict(profile_groups(findings))[qid]
    groups = sorted(grouping.groups.items(), key=lambda g: -g[1].count)
    parts = []
    for index, (name, group) in enumerate(groups):
        chosen = [entry.options[o].label for o in group.options
                  if entry.options[o].count > 0 and not entry.options[o].other]
        roles = f": {join_words(chosen, 'or')}" if index == 0 and chosen else ""
        parts.append(f"{format_percent(group.percent)} held {name} positions{roles}")
    lead = (f"Of the respondents who identified their {subject(entry.title)} "
            f"(n={format_count(entry.n)}), {parts[0]}")
    if len(parts) == 1:
        return [_end(lead, item)]
    return [f"{lead}.", _end(capitalize(join_words(parts[1:])), item)]


# Closed questions ------------------------------------------------------------------------

def question_sentences(entry: ClosedQuestion, item: SectionItem | None = None, *,
                       name: str | None = None) -> list[str]:
    """The most and least common answers of a single- or multi-choice question."""
    label = name or subject(entry.title)
    n = entry.n
    if n == 0:
        return [f"No eligible respondent answered the question on {label}."]
    options = substantive(entry)
    if entry.type == "single" and len(options) <= FEW:
        told = [f"{format_percent(o.percent)} “{o.label}”" for _, o in options]
        told[0] = told[0].replace(" “", " answered “", 1)
        return [f"Of the {format_count(n)} respondents who answered the question on {label}, "
                f"{join_words(told)}."]
    chosen = [pair for pair in options if pair[1].count > 0]
    most = leaders(chosen, MOST)
    if entry.type == "single":
        return [_followed(label, most, n), *_unchosen(options)]
    verb = "were" if len(most) > 1 else "was"
    sentences = [f"A total of {format_count(n)} respondents answered the question on {label}.",
                 f"The most common {label} {verb} {_listed(most, n)}."]
    rest = [pair for pair in chosen if pair not in most]
    if len(rest) > LEAST:
        # A run of ties longer than LEAST would make a list, not a finding: it is left out.
        least = leaders(list(reversed(rest)), LEAST, whole_first=False)
        if least:
            verb = "were" if len(least) > 1 else "was"
            sentences.append(f"The least common {verb} {_listed(least, n, with_n=False)}.")
    return sentences + _unchosen(options)


def _unchosen(options: Sequence[Option]) -> list[str]:
    """Options no respondent chose: named when few, counted when many."""
    nobody = [in_sentence(o.label) for _, o in options if o.count == 0]
    if not nobody:
        return []
    if len(nobody) <= LEAST:
        return [f"No respondent chose {join_words(nobody, 'or')}."]
    return [f"No respondent chose {format_count(len(nobody))} of the options listed."]


def headline(entry: QuestionEntry, *, name: str | None = None) -> str | None:
    """One short sentence for the executive summary: the leading answers and n."""
    label = name or subject(entry.title)
    if entry.n == 0 or not isinstance(entry, SingleQuestion | MultiQuestion):
        return None
    options = substantive(entry)
    if entry.type == "single" and len(options) <= FEW:
        return question_sentences(entry, name=label)[0]
    top = leaders(options, 3)
    if entry.type == "single":
        return _followed(label, top, entry.n)
    verb = "were" if len(top) > 1 else "was"
    return f"The most common {label} {verb} {_listed(top, entry.n)}."


def _followed(label: str, pairs: Sequence[Option], n: int) -> str:
    """A single-choice question's leader, then the runners-up: 'The most common … was A
    (33%, n=86), followed by B (15%) and C (14%).'"""
    rest = f", followed by {_listed(pairs[1:], n, with_n=False)}" if len(pairs) > 1 else ""
    return f"The most common {label} was {_listed(pairs[:1], n)}{rest}."


# Agreement statements --------------------------------------------------------------------

def statement_sentence(statement: MatrixStatement) -> str:
    """'Of 90 respondents, 93% strongly or somewhat agree that …, 4% … and 3% answered
    “I don't know”.'"""
    claim = third_person(statement.text)
    if statement.n == 0:
        return f"No eligible respondent rated the statement that {claim}."
    nets = list(statement.nets.values())
    netted = {key for net in nets for key in net.options}
    parts = [f"{format_percent(net.percent)} {net.label.lower()}" for net in nets]
    parts[0] = f"{parts[0]} that {claim}"
    parts += [f"{format_percent(o.percent)} answered “{o.label}”"
              for key, o in statement.options.items() if key not in netted]
    return f"Of {format_count(statement.n)} respondents, {join_words(parts)}."


def agreement_extremes(statements: Sequence[MatrixStatement]) -> list[str]:
    """Which statements respondents agreed with most and disagreed with most."""
    rated = [s for s in statements if s.n > 0 and s.nets]
    if not rated:
        return []
    names = list(rated[0].nets)
    clauses = []
    for net_name, verb in ((names[0], "agreed"), (names[-1], "disagreed")):
        # A rated statement (n > 0) has a percent for every net.
        best = max(s.nets[net_name].percent or 0.0 for s in rated)
        if best == 0:
            continue
        tied = [s for s in rated if s.nets[net_name].percent == best]
        claims = join_words([f"{third_person(s.text)} "
                             f"({format_percent(best)} {s.nets[net_name].label.lower()}, "
                             f"n={format_count(s.n)})" for s in tied])
        clauses.append(f"{verb} most that {claims}")
    return [f"Respondents {join_words(clauses)}."] if clauses else []


# Items and sections ----------------------------------------------------------------------

def item_sentences(item: SectionItem, findings: Findings) -> list[str]:
    """The sentences that open a figure or table: what it shows, with percent and n."""
    questions = findings.questions
    qid = item.questions[0]
    profile = findings.profile
    if item.kind == "open_ended":
        coded = theme_sentences(item, findings)
        if coded is not None:
            return coded
        entry = questions[qid]
        if entry.n == 0:
            return [f"No eligible respondent answered the open-ended question on "
                    f"{subject(entry.title)}."]
        return [f"A total of {format_count(entry.n)} respondents answered this open-ended "
                "question; their answers are listed as written."]
    if item.chart == "agreement":
        statements = [statement(findings, s) for s in item.rows]
        if not any(s.n for s in statements):
            return [_none_answered(item, findings)]
        sentences = [statement_sentence(s) for s in statements]
        sentences[-1] = _end(sentences[-1], item)
        return sentences
    if all(questions[q].n == 0 for q in item.questions):
        return [_none_answered(item, findings)]
    if item.chart == "continuum":
        return continuum_sentences(item, findings)
    if f"{qid}_represented" in profile and len(item.questions) == 1:
        return _state_sentences(item, findings)
    if f"{qid}_groups" in profile and len(item.questions) == 1:
        return _group_sentences(item, findings)
    sentences = [s for q in item.questions
                 for s in question_sentences(closed(findings, q), item)]
    sentences[-1] = _end(sentences[-1], item)
    return sentences


def section_sentences(section: Section, findings: Findings) -> list[str]:
    """Sentences that open a section of the findings, before its first figure."""
    statements = [statement(findings, qid) for item in section.items
                  if item.chart == "agreement" for qid in item.rows]
    return agreement_extremes(statements)


def key_findings(findings: Findings) -> list[tuple[str, str]]:
    """One point per section of the findings, (section title, sentences), with the leading
    numbers and n."""
    points = []
    for section in findings.sections:
        sentences = section_sentences(section, findings)
        for item in section.items:
            if item.kind == "open_ended":
                line = theme_headline(item, findings)
                if line:
                    sentences.append(line)
                continue
            if item.chart in ("agreement", "continuum"):
                continue
            qid = item.questions[0]
            profile = findings.profile
            if f"{qid}_represented" in profile or f"{qid}_groups" in profile:
                continue  # who answered is told in the summary's opening
            line = headline(findings.questions[qid])
            if line:
                sentences.append(line)
        if sentences:
            points.append((section.title, " ".join(sentences)))
    return points
