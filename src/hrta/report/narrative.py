"""Written findings: sentences in the 2022 report's register, built from Findings alone.

Every number in a sentence is read from Findings and formatted like the tables (whole
percents, halves up); none is typed here. Each sentence names its n, so a reader can
check it against the figure it introduces. Questions nobody answered and ties are said
plainly rather than skipped.

The words are the report's catalog (messages/narrative.<language>.yaml, through `words`):
each public builder takes the catalog of the report's language, English by default.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

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
from hrta.report.words import ENGLISH, Words, report_words

MOST = 5  # options named as the most common
LEAST = 3  # and as the least common, when a question has enough options to have both
FEW = 4  # single-choice questions with this many options or fewer are told in full
TOP_STATES = 4
MAJORITY = 50.0  # percent: "most respondents"


# Pieces ----------------------------------------------------------------------------------

def _listed(pairs: Sequence[Option], n: int, *, with_n: bool = True,
            words: Words | None = None) -> str:
    """'peer support services (88%, n=101), counseling (86%) and …': n once, first."""
    parts = []
    for index, (_, option) in enumerate(pairs):
        percent = format_percent(option.percent)
        detail = f"{percent}, n={format_count(n)}" if index == 0 and with_n else percent
        parts.append(f"{in_sentence(option.label)} ({detail})")
    return (words or report_words()).join(parts)


def _see(item: SectionItem, words: Words) -> str:
    ref = reference(item, words=words)
    return f" ({ref})" if ref else ""


def _end(sentence: str, item: SectionItem, words: Words) -> str:
    return f"{sentence.rstrip('.')}{_see(item, words)}."


def _none_answered(item: SectionItem, findings: Findings, words: Words) -> str:
    names = words.join([subject(title_of(findings, q)) for q in item.questions])
    return _end(words("narrative.none_answered", names=names), item, words)


def _or(items: Sequence[str], words: Words) -> str:
    """'A, B or C' in the report's language."""
    return join_words(items, words("narrative.or"))


def group_name(name: str, words: Words) -> str:
    """A role group ('leadership') as the report's language names it: the catalog's
    narrative.group.<name>, else the instrument's own name."""
    key = f"narrative.group.{name}"
    return words(key) if key in words.messages else name


def day_of(day: date, words: Words) -> str:
    """A date as the report's language writes it: 'May 16, 2022', '16 de mayo de 2022'."""
    return words("narrative.date", day=day.day, year=day.year,
                 month=words(f"narrative.month.{day.month}"))


def claim_of(text: str, words: Words) -> str:
    """A rated statement as a sentence retells it: in English in the third person ('their
    staff support …'); a language with no such rewrite quotes it as respondents read it."""
    if words.language == ENGLISH:
        return third_person(text)
    return f"“{text.strip().rstrip('.')}”"


def fielded_sentence(findings: Findings, *, words: Words | None = None) -> str | None:
    w = words or report_words()
    fielded = findings.fielded
    if not fielded:
        return None
    first, last = day_of(fielded.first, w), day_of(fielded.last, w)
    if first == last:
        return w("narrative.fielded_on", day=first)
    return w("narrative.fielded_between", first=first, last=last)


# Respondents -----------------------------------------------------------------------------

def overview_sentences(findings: Findings, *, words: Words | None = None) -> list[str]:
    """Who responded: the total, the exclusions, states represented, leadership share."""
    w = words or report_words()
    r = findings.responses
    if r.excluded:
        sentences = [w.count("narrative.overview_excluded", r.excluded,
                             total=format_count(r.total), excluded=format_count(r.excluded),
                             eligible=format_count(r.eligible))]
    else:
        sentences = [w("narrative.overview_all", total=format_count(r.total))]
    for qid, count in state_questions(findings):
        entry = findings.questions[qid]
        sentences.append(w("narrative.overview_states", n=format_count(entry.n),
                           subject=subject(entry.title), states=format_count(count)))
    for qid, grouping in profile_groups(findings):
        if grouping.n:
            largest_name, largest = max(grouping.groups.items(), key=lambda g: g[1].count)
            sentences.append(w("narrative.overview_group",
                               subject=subject(findings.questions[qid].title),
                               n=format_count(grouping.n),
                               percent=format_percent(largest.percent),
                               group=group_name(largest_name, w)))
    return sentences


def _state_sentences(item: SectionItem, findings: Findings, words: Words) -> list[str]:
    qid = item.questions[0]
    entry = closed(findings, qid)
    chosen = [pair for pair in substantive(entry) if pair[1].count > 0]
    opening = words("narrative.states_opening", n=format_count(entry.n),
                    subject=subject(entry.title),
                    states=format_count(represented(findings, qid) or 0))
    if len(chosen) <= TOP_STATES:
        return [opening, _end(words("narrative.states_from", counts=_counts(chosen, words)),
                              item, words)]
    top = leaders(chosen, TOP_STATES)
    return [opening, _end(words.count(
        "narrative.states_top", len(top), names=words.join([o.label for _, o in top]),
        counts=words.join([format_count(o.count) for _, o in top])), item, words)]


def _counts(pairs: Sequence[Option], words: Words) -> str:
    return words.join([f"{o.label} ({format_count(o.count)})" for _, o in pairs])


def _group_sentences(item: SectionItem, findings: Findings, words: Words) -> list[str]:
    qid = item.questions[0]
    entry = closed(findings, qid)
    grouping = dict(profile_groups(findings))[qid]
    groups = sorted(grouping.groups.items(), key=lambda g: -g[1].count)
    parts = []
    for index, (name, group) in enumerate(groups):
        chosen = [entry.options[o].label for o in group.options
                  if entry.options[o].count > 0 and not entry.options[o].other]
        roles = f": {_or(chosen, words)}" if index == 0 and chosen else ""
        parts.append(words("narrative.group_held", percent=format_percent(group.percent),
                           group=group_name(name, words), roles=roles))
    lead = words("narrative.group_lead", subject=subject(entry.title),
                 n=format_count(entry.n), first=parts[0])
    if len(parts) == 1:
        return [_end(lead, item, words)]
    return [f"{lead}.", _end(capitalize(words.join(parts[1:])), item, words)]


# Closed questions ------------------------------------------------------------------------

def question_sentences(entry: ClosedQuestion, item: SectionItem | None = None, *,
                       name: str | None = None,
                       provided: Sequence[ClosedQuestion] = (), turn: int = 0,
                       words: Words | None = None) -> list[str]:
    """One comparative sentence on a single- or multi-choice question: its leaders, the
    ones that follow, and the least chosen where that says something. `provided`: the
    earlier stages of the continuum this question is a later stage of (`_telling_least`);
    `turn` picks the sentence's opening (the question's place in the Findings)."""
    w = words or report_words()
    label = name or subject(entry.title)
    n = entry.n
    if n == 0:
        return [w("narrative.question_none", label=label)]
    options = substantive(entry)
    if entry.type == "single" and len(options) <= FEW:
        told = [w("narrative.told_first" if index == 0 else "narrative.told",
                  percent=format_percent(o.percent), label=o.label)
                for index, (_, o) in enumerate(options)]
        return [w("narrative.question_few", n=format_count(n), label=label,
                  told=w.join(told))]
    chosen = [pair for pair in options if pair[1].count > 0]
    most = leaders(chosen, MOST)
    least = [] if entry.type == "single" else _telling_least(
        [pair for pair in chosen if pair not in most], most, provided)
    return [_compared(label, most, n, least, turn=turn, words=w), *_unchosen(options, w)]


# How a question's sentence opens, in turn from one question to the next, so that the
# findings do not read as one sentence repeated. Each names the question before its
# answers, and what it ranks ("most common", "leading", "top") before the first figure:
# the catalog's narrative.opening.<turn>.
OPENINGS = 3


def _compared(label: str, pairs: Sequence[Option], n: int, least: Sequence[Option], *,
              turn: int = 0, words: Words | None = None) -> str:
    """'On services provided directly, the most common answer was peer support services
    (88%, n=101), followed by …; the least common were …': the leaders (ties together),
    the ones that follow, and the least chosen when given."""
    w = words or report_words()
    top = [pair for pair in pairs if pair[1].count == pairs[0][1].count]
    rest = list(pairs[len(top):])
    opening = w.count(f"narrative.opening.{turn % OPENINGS}", len(top), label=label)
    sentence = f"{opening} {_listed(top, n, words=w)}"
    following = _listed(rest, n, with_n=False, words=w)
    if rest:
        sentence += w.count("narrative.followed_by", len(top), following=following)
    if not least:
        return f"{sentence}."
    clause = w.count("narrative.least", len(least),
                     least=_listed(least, n, with_n=False, words=w))
    # After a list run together with semicolons another clause would blur where it ends.
    return (f"{sentence}. {capitalize(clause)}." if ";" in following
            else f"{sentence}; {clause}.")


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


def _unchosen(options: Sequence[Option], words: Words) -> list[str]:
    """Options no respondent chose: named when few, counted when many."""
    nobody = [in_sentence(o.label) for _, o in options if o.count == 0]
    if not nobody:
        return []
    if len(nobody) <= LEAST:
        return [words("narrative.unchosen_named", options=_or(nobody, words))]
    return [words("narrative.unchosen_counted", count=format_count(len(nobody)))]


def headline(entry: QuestionEntry, *, name: str | None = None,
             words: Words | None = None) -> str | None:
    """One short sentence for the executive summary: the leading answers and n."""
    label = name or subject(entry.title)
    if entry.n == 0 or not isinstance(entry, SingleQuestion | MultiQuestion):
        return None
    options = substantive(entry)
    if entry.type == "single" and len(options) <= FEW:
        return question_sentences(entry, name=label, words=words)[0]
    top = leaders([pair for pair in options if pair[1].count > 0], 3)
    if not top:
        return None
    return _compared(label, top, entry.n, [], words=words)


# Agreement statements --------------------------------------------------------------------

def statement_sentence(statement: MatrixStatement, *, words: Words | None = None) -> str:
    """'Of 90 respondents, 93% strongly or somewhat agree that …, 4% … and 3% answered
    “I don't know”.'"""
    w = words or report_words()
    claim = claim_of(statement.text, w)
    n = format_count(statement.n)
    if statement.n == 0:
        return w("narrative.statement_none", claim=claim)

    def answered(percent: float | None, label: str) -> str:
        return w("narrative.statement_answered", percent=format_percent(percent), label=label)

    nets = list(statement.nets.values())
    if not nets:  # a scale with no agree / disagree (how often, how much): each answer
        parts = [answered(o.percent, o.label) for o in statement.options.values()]
        return w("narrative.statement_rating", n=n, text=statement.text, parts=w.join(parts))
    netted = {key for net in nets for key in net.options}
    parts = [w("narrative.statement_net", percent=format_percent(net.percent),
               net=net.label.lower()) for net in nets]
    if "agree" not in statement.nets:  # another scale (how often): no claim to agree with
        parts = [w("narrative.statement_answered_net", percent=format_percent(net.percent),
                   net=net.label.lower()) for net in nets]
        parts += [answered(o.percent, o.label)
                  for key, o in statement.options.items() if key not in netted]
        return w("narrative.statement_rating", n=n, text=statement.text, parts=w.join(parts))
    parts[0] = w("narrative.statement_claim", net=parts[0], claim=claim)
    parts += [answered(o.percent, o.label)
              for key, o in statement.options.items() if key not in netted]
    return w("narrative.statement_agreement", n=n, parts=w.join(parts))


def agreement_extremes(statements: Sequence[MatrixStatement],
                       *, words: Words | None = None) -> list[str]:
    """Which statements respondents agreed with most and disagreed with most; one sentence
    per scale, since a section's grids can rate on different scales (agreement, how often)
    whose nets are not comparable."""
    scales: dict[tuple[str, ...], list[MatrixStatement]] = {}
    for rated in (s for s in statements if s.n > 0 and s.nets):
        scales.setdefault(tuple(rated.nets), []).append(rated)
    w = words or report_words()
    return [sentence for names, rated in scales.items()
            for sentence in _extremes(names, rated, w)]


def _extremes(names: tuple[str, ...], rated: Sequence[MatrixStatement],
              words: Words) -> list[str]:
    agreement = names[0] == "agree"
    sides = (names[0],) if len(names) == 1 else (names[0], names[-1])
    clauses = []
    for net_name, side in zip(sides, ("agreed", "disagreed"), strict=False):
        # A rated statement (n > 0) has a percent for every net of its scale.
        best = max(s.nets[net_name].percent or 0.0 for s in rated)
        if best == 0:
            continue
        tied = [s for s in rated if s.nets[net_name].percent == best]
        label = tied[0].nets[net_name].label
        if agreement:
            claims = words.join([f"{claim_of(s.text, words)} "
                                 f"({format_percent(best)} {label.lower()}, "
                                 f"n={format_count(s.n)})" for s in tied])
            clauses.append(words(f"narrative.extremes_{side}", claims=claims))
        else:
            rows = words.join([f"“{s.text}” ({format_percent(best)}, n={format_count(s.n)})"
                               for s in tied])
            clauses.append(words("narrative.extremes_often", label=label, rows=rows))
    if agreement:
        return [words("narrative.extremes", clauses=words.join(clauses))] if clauses else []
    # One sentence per side, each with its own statements' n.
    return [words("narrative.extremes", clauses=clause) for clause in clauses]


# Items and sections ----------------------------------------------------------------------

def item_sentences(item: SectionItem, findings: Findings, *,
                   verbatims: bool = False,
                   words: Words | None = None) -> list[str]:
    """The sentences that open a figure or table: what it shows, with percent and n.
    `verbatims`: open-ended answers are printed in the appendix."""
    w = words or report_words()
    questions = findings.questions
    qid = item.questions[0]
    profile = findings.profile
    if item.kind == "open_ended":
        coded = theme_sentences(item, findings, verbatims=verbatims, words=w)
        if coded is not None:
            return coded
        entry = questions[qid]
        if entry.n == 0:
            return [w("narrative.open_none", subject=subject(entry.title))]
        return [w("narrative.open_answered", n=format_count(entry.n),
                  where=answers_shown(verbatims, words=w))]
    if item.chart == "agreement":
        statements = [statement(findings, s) for s in item.rows]
        if not any(s.n for s in statements):
            return [_none_answered(item, findings, w)]
        sentences = [statement_sentence(s, words=w) for s in statements]
        sentences[-1] = _end(sentences[-1], item, w)
        return sentences
    if all(questions[q].n == 0 for q in item.questions):
        return [_none_answered(item, findings, w)]
    if item.chart == "continuum":
        return continuum_sentences(item, findings, words=w)
    if f"{qid}_represented" in profile and len(item.questions) == 1:
        return _state_sentences(item, findings, w)
    if f"{qid}_groups" in profile and len(item.questions) == 1:
        return _group_sentences(item, findings, w)
    turn = _turn(item, findings)
    sentences = [s for position, q in enumerate(item.questions)
                 for s in question_sentences(closed(findings, q), item,
                                             provided=_earlier_stages(findings, q),
                                             turn=turn + position, words=w)]
    sentences[-1] = _end(sentences[-1], item, w)
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


def section_sentences(section: Section, findings: Findings,
                      *, words: Words | None = None) -> list[str]:
    """Sentences that open a section of the findings, before its first figure."""
    statements = [statement(findings, qid) for item in section.items
                  if item.chart == "agreement" for qid in item.rows]
    return agreement_extremes(statements, words=words)


def key_findings(findings: Findings, *, words: Words | None = None) -> list[tuple[str, str]]:
    """One point per section of the findings, (section title, sentences), with the leading
    numbers and n."""
    points = []
    for section in findings.sections:
        sentences = section_sentences(section, findings, words=words)
        for item in section.items:
            if item.kind == "open_ended":
                line = theme_headline(item, findings, words=words)
                if line:
                    sentences.append(line)
                continue
            if item.chart in ("agreement", "continuum"):
                continue
            qid = item.questions[0]
            profile = findings.profile
            if f"{qid}_represented" in profile or f"{qid}_groups" in profile:
                continue  # who answered is told in the summary's opening
            line = headline(findings.questions[qid], words=words)
            if line:
                sentences.append(line)
        if sentences:
            points.append((section.title, " ".join(sentences)))
    return points
