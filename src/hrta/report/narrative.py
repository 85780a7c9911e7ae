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
from hrta.report.themes import answers_shown, theme_sentences
from hrta.report.themes import headline as theme_headline

MOST = 5  # options named as the most common
LEAST = 3  # and as the least common, when a question has enough options to have both
FEW = 4  # single-choice questions with this many options or fewer are told in full
TOP_STATES = 4
MAJORITY = 50.0  # percent: "most respondents"


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
                       name: str | None = None,
                       provided: Sequence[ClosedQuestion] = (), turn: int = 0) -> list[str]:
    """One comparative sentence on a single- or multi-choice question: its leaders, the
    ones that follow, and the least chosen where that says something. `provided`: the
    earlier stages of the continuum this question is a later stage of (`_telling_least`);
    `turn` picks the sentence's opening (the question's place in the Findings)."""
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
    least = [] if entry.type == "single" else _telling_least(
        [pair for pair in chosen if pair not in most], most, provided)
    return [_compared(label, most, n, least, turn=turn), *_unchosen(options)]


# How a question's sentence opens, in turn from one question to the next, so that the
# findings do not read as one sentence repeated. Each names the question before its
# answers, and what it ranks ("most common", "leading", "top") before the first figure.
_OPENINGS = ("On {label}, the most common {answer} {was}",
             "For {label}, the leading {answer} {was}",
             "Asked about {label}, respondents' top {choice} {was}")


def _compared(label: str, pairs: Sequence[Option], n: int, least: Sequence[Option], *,
              turn: int = 0) -> str:
    """'On services provided directly, the most common answer was peer support services
    (88%, n=101), followed by …; the least common were …': the leaders (ties together),
    the ones that follow, and the least chosen when given."""
    top = [pair for pair in pairs if pair[1].count == pairs[0][1].count]
    rest = list(pairs[len(top):])
    many = len(top) > 1
    opening = _OPENINGS[turn % len(_OPENINGS)].format(
        label=label, was="were" if many else "was", answer="answers" if many else "answer",
        choice="choices" if many else "choice")
    sentence = f"{opening} {_listed(top, n)}"
    following = _listed(rest, n, with_n=False)
    if rest:
        sentence += f", followed by {following}"
    if not least:
        return f"{sentence}."
    verb = "were" if len(least) > 1 else "was"
    # After a list run together with semicolons another clause would blur where it ends.
    joint = ". The" if ";" in following else "; the"
    return f"{sentence}{joint} least common {verb} {_listed(least, n, with_n=False)}."


def _telling_least(rest: Sequence[Option], most: Sequence[Option],
                   provided: Sequence[ClosedQuestion]) -> list[Option]:
    """The least chosen options, named only where that says something:
    - there must be more than LEAST options beyond the leaders to choose from;
    - the share of the least chosen must be at most half the leader's, or the least are
      not far behind and naming them says nothing;
    - for a later stage of a continuum (services planned), an option most respondents
      already have at an earlier stage (provided directly or through referral) is not
      named: few plan what they already provide."""
    rest = [pair for pair in rest
            if not any(pair[0] in stage.options
                       and (stage.options[pair[0]].percent or 0.0) >= MAJORITY
                       for stage in provided)]
    if len(rest) <= LEAST or not most:
        return []
    # A run of ties longer than LEAST would make a list, not a finding: it is left out.
    least = leaders(list(reversed(rest)), LEAST, whole_first=False)
    top = most[0][1].percent or 0.0
    if not least or (least[-1][1].percent or 0.0) > top / 2:
        return []
    return least


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
    top = leaders([pair for pair in options if pair[1].count > 0], 3)
    if not top:
        return None
    return _compared(label, top, entry.n, [])


# Agreement statements --------------------------------------------------------------------

def statement_sentence(statement: MatrixStatement) -> str:
    """'Of 90 respondents, 93% strongly or somewhat agree that …, 4% … and 3% answered
    “I don't know”.'"""
    claim = third_person(statement.text)
    if statement.n == 0:
        return f"No eligible respondent rated the statement that {claim}."
    nets = list(statement.nets.values())
    if not nets:  # a scale with no agree / disagree (how often, how much): each answer
        parts = [f"{format_percent(o.percent)} answered “{o.label}”"
                 for o in statement.options.values()]
        return (f"Of {format_count(statement.n)} respondents rating “{statement.text}”, "
                f"{join_words(parts)}.")
    netted = {key for net in nets for key in net.options}
    parts = [f"{format_percent(net.percent)} {net.label.lower()}" for net in nets]
    if "agree" not in statement.nets:  # another scale (how often): no claim to agree with
        parts = [f"{format_percent(net.percent)} answered {net.label.lower()}" for net in nets]
        parts += [f"{format_percent(o.percent)} answered “{o.label}”"
                  for key, o in statement.options.items() if key not in netted]
        return (f"Of {format_count(statement.n)} respondents rating “{statement.text}”, "
                f"{join_words(parts)}.")
    parts[0] = f"{parts[0]} that {claim}"
    parts += [f"{format_percent(o.percent)} answered “{o.label}”"
              for key, o in statement.options.items() if key not in netted]
    return f"Of {format_count(statement.n)} respondents, {join_words(parts)}."


def agreement_extremes(statements: Sequence[MatrixStatement]) -> list[str]:
    """Which statements respondents agreed with most and disagreed with most; one sentence
    per scale, since a section's grids can rate on different scales (agreement, how often)
    whose nets are not comparable."""
    scales: dict[tuple[str, ...], list[MatrixStatement]] = {}
    for rated in (s for s in statements if s.n > 0 and s.nets):
        scales.setdefault(tuple(rated.nets), []).append(rated)
    return [sentence for names, rated in scales.items()
            for sentence in _extremes(names, rated)]


def _extremes(names: tuple[str, ...], rated: Sequence[MatrixStatement]) -> list[str]:
    agreement = names[0] == "agree"
    sides = (names[0],) if len(names) == 1 else (names[0], names[-1])
    clauses = []
    for net_name, verb in zip(sides, ("agreed", "disagreed"), strict=False):
        # A rated statement (n > 0) has a percent for every net of its scale.
        best = max(s.nets[net_name].percent or 0.0 for s in rated)
        if best == 0:
            continue
        tied = [s for s in rated if s.nets[net_name].percent == best]
        label = tied[0].nets[net_name].label
        if agreement:
            claims = join_words([f"{third_person(s.text)} "
                                 f"({format_percent(best)} {label.lower()}, "
                                 f"n={format_count(s.n)})" for s in tied])
            clauses.append(f"{verb} most that {claims}")
        else:
            rows = join_words([f"“{s.text}” ({format_percent(best)}, n={format_count(s.n)})"
                               for s in tied])
            clauses.append(f"answered “{label}” most often for {rows}")
    if agreement:
        return [f"Respondents {join_words(clauses)}."] if clauses else []
    # One sentence per side, each with its own statements' n.
    return [f"Respondents {clause}." for clause in clauses]


# Items and sections ----------------------------------------------------------------------

def item_sentences(item: SectionItem, findings: Findings, *,
                   verbatims: bool = False) -> list[str]:
    """The sentences that open a figure or table: what it shows, with percent and n.
    `verbatims`: open-ended answers are printed in the appendix."""
    questions = findings.questions
    qid = item.questions[0]
    profile = findings.profile
    if item.kind == "open_ended":
        coded = theme_sentences(item, findings, verbatims=verbatims)
        if coded is not None:
            return coded
        entry = questions[qid]
        if entry.n == 0:
            return [f"No eligible respondent answered the open-ended question on "
                    f"{subject(entry.title)}."]
        return [f"A total of {format_count(entry.n)} respondents answered this open-ended "
                f"question; {answers_shown(verbatims)}."]
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
    turn = _turn(item, findings)
    sentences = [s for position, q in enumerate(item.questions)
                 for s in question_sentences(closed(findings, q), item,
                                             provided=_earlier_stages(findings, q),
                                             turn=turn + position)]
    sentences[-1] = _end(sentences[-1], item)
    return sentences


def _turn(item: SectionItem, findings: Findings) -> int:
    """The item's place among the figures told by `question_sentences`, so that one after
    another they open in turn."""
    told = [each for section in findings.sections for each in section.items
            if each.kind != "open_ended" and each.chart not in ("agreement", "continuum")]
    return told.index(item) if item in told else 0


def _earlier_stages(findings: Findings, qid: str) -> list[ClosedQuestion]:
    """The stages before `qid` of the continuum figure that has it as a later stage."""
    for section in findings.sections:
        for item in section.items:
            if item.chart == "continuum" and qid in item.questions[1:]:
                index = item.questions.index(qid)
                return [closed(findings, q) for q in item.questions[:index]]
    return []


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
