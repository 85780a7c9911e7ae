"""Checking a report's figures against the Findings it should have been written from.

A 2022-sized Findings document holds hundreds of percents, so almost any whole
percentage equals *some* value in it by chance. A figure is therefore first compared
with the values it is most likely about: the options (or matrix statements) whose wording
matches what the sentence says the figure measures, narrowed by scope (future plans,
referrals) and by the stated n. Only when nothing matches its wording is it compared with
the values of the questions that share its n, and failing that with every value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from pydantic import BaseModel

from hrta.audit.checks import flag_at
from hrta.audit.claims import YES, Claim, Mention, answer_level, content_word_list, scope_of
from hrta.audit.conflicts import Similarity, claims_of, similar
from hrta.audit.flags import Flag
from hrta.audit.numbers import cites_another_study as _cites
from hrta.audit.numbers import find_counts, find_sample_sizes, qualifier_before, rounds_to
from hrta.audit.text import Document, Paragraph, Sentence
from hrta.findings import Findings
from hrta.findings.model import MatrixStatement, NetTally, OptionTally


@dataclass(frozen=True)
class DataValue:
    value: float
    where: str          # "Technical assistance formats (top three): Step-by-step …"
    n: int | None = None


@dataclass(frozen=True)
class DataItem:
    """One percent of the Findings with what it is a share of."""

    percent: float
    count: int
    n: int
    words: frozenset[str]       # option label; for a matrix statement, the statement
                                # and the answer's words when they are not a level
    level: frozenset[str]       # scale positions of a matrix option or net; empty otherwise
    scope: frozenset[str]
    where: str
    first: str = ""             # first content word of the label
    # Other printed values that are right too: a net written as the sum of its rounded
    # parts (4% + 11% = 15% where the net itself is 15.6%).
    alternatives: tuple[int, ...] = ()
    statement: frozenset[str] = frozenset()     # a matrix statement's words alone

    def accepts(self, value: Fraction, decimals: int) -> bool:
        return rounds_to(Fraction(self.percent), decimals, value) or (
            decimals == 0 and value in self.alternatives)


_COUNT_KEYS = frozenset({"count", "n", "total", "eligible", "excluded", "not_answered",
                         "state_represented"})
_SKIP_KEYS = frozenset({"answers", "other_texts", "warnings", "sections", "fielded",
                        "ci_low", "ci_high", "rank"})
_EXAMPLES = re.compile(r",?\s*\b(?:such\s+as|e\.g\.|for\s+example|including)\b.*$|\([^)]*\)",
                       re.IGNORECASE)


def data_values(findings: Findings) -> tuple[list[DataValue], list[DataValue]]:
    """Every percent and every count in a Findings document, each with where it is.

    The whole document is walked, comparisons, weighting and trends included: a report may
    quote any figure of it.
    """
    percents: list[DataValue] = []
    counts: list[DataValue] = []

    def walk(node: object, path: tuple[str, ...], n: int | None) -> None:
        # A part of the model and a mapping (questions by id, `profile`) are read alike:
        # each key is a field.
        if isinstance(node, BaseModel | dict):
            fields = {name: getattr(node, name) for name in type(node).model_fields} \
                if isinstance(node, BaseModel) else {str(k): v for k, v in node.items()}
            name = fields.get("title") or fields.get("label")
            if name and "statement" in fields and fields.get("text"):
                name = f"{name}, “{fields['text']}”"
            here = (*path[:-1], str(name)) if name and path else path
            if here[:1] == ("questions",):
                here = here[1:]
            local_n = fields["n"] if isinstance(fields.get("n"), int) else n
            for key, value in fields.items():
                if key in _SKIP_KEYS:
                    continue
                if key in _COUNT_KEYS and isinstance(value, int) and not isinstance(value, bool):
                    counts.append(DataValue(value, ": ".join((*here, key)), local_n))
                elif key == "percent" and isinstance(value, int | float):
                    percents.append(DataValue(float(value), ": ".join(here) or key, local_n))
                elif key not in ("options", "nets", "groups"):
                    walk(value, (*here, key), local_n)
                else:
                    walk(value, here, local_n)
        elif isinstance(node, list):
            for item in node:
                walk(item, path, n)

    walk(findings, (), None)
    return percents, [c for c in counts if c.value > 0]


def data_items(findings: Findings) -> list[DataItem]:
    """The option and net percents of every closed question, with their wording."""
    items: list[DataItem] = []
    for question in findings.closed_questions().values():
        n = question.n
        if n <= 0:
            continue
        title = question.title
        text = question.text or title
        scope = scope_of(f"{title} {text}")
        matrix = isinstance(question, MatrixStatement)
        options = question.options
        nets: dict[str, NetTally] = question.nets if isinstance(question, MatrixStatement) \
            else {}
        entries: list[OptionTally | NetTally] = [*options.values(), *nets.values()]
        for entry in entries:
            if entry.percent is None:
                continue
            label = entry.label
            level, span = answer_level(label)
            # A matrix rating is a share of its statement; a yes/no/unsure option is a share
            # of its question, whose short title a report paraphrases rather than its text.
            statement: list[str] = []
            if matrix:
                # An answer that is not an agreement level ("Always or often") is named by
                # its words, so a statement's "always or often" is told from its "Often".
                rest = label[:span[0]] + " " + label[span[1]:] if span else label
                statement = content_word_list(text)
                ordered = statement + content_word_list(rest)
            elif level:
                ordered = content_word_list(title or text)
            else:
                ordered = content_word_list(_EXAMPLES.sub("", label))
            where = f"{title}, “{text}”: {label}" if matrix else f"{title}: {label}"
            parts = [options[o].percent for o in entry.options if o in options] \
                if isinstance(entry, NetTally) else []
            alternatives = _rounded_sums(parts) if len(parts) > 1 else ()
            items.append(DataItem(entry.percent, entry.count, n, frozenset(ordered), level,
                                  scope, f"{where} (n={n})", ordered[0] if ordered else "",
                                  alternatives, frozenset(statement)))
    return items


def _rounded_sums(parts: list[float | None]) -> tuple[int, ...]:
    known = [p for p in parts if p is not None]
    if len(known) < len(parts):
        return ()
    half_up = sum(int(Fraction(p) + Fraction(1, 2)) for p in known)
    half_even = sum(round(Fraction(p)) for p in known)
    return tuple(sorted({half_up, half_even}))


def matching_items(claim: Claim, items: list[DataItem],
                   similarity: Similarity) -> list[DataItem]:
    """The Findings values a claim most likely restates; empty when none fits its wording.

    A share named by a scale level ("14% somewhat disagree") is matched with the same level
    of the matrix statement worded most like it; any other figure with the option worded
    most like it, or with the "Yes" of a yes/no question worded like it.
    """
    if claim.level:
        # The pool is already narrowed to one level, so a sentence that says more than the
        # statement is fine: most of the statement's words must be in it.
        scored = [(similarity.containment(i.words, claim.words), i) for i in items
                  if i.level == claim.level]
        scored = [(score, i) for score, i in scored if score >= 0.5]
    else:
        pool = [i for i in items if not i.level or i.level == frozenset({YES})]
        # "Respondents answered “Rarely or never” most often for “Staff turnover” (33%)
        # and “Transportation for clients” (33%)": a figure that names a statement and
        # none of its answers may be any answer of that statement.
        answers = [i for i in pool if i.statement and i.statement == claim.words]
        scored = [(1.0, i) for i in answers] or [
            (similarity(claim.words, i.words), i) for i in pool
            if similar(claim.words, i.words, claim.first, i.first, similarity)]
    # "Plan to partner with X" is about the planned-partners question even when the
    # current-partners option is worded a little closer.
    scored = [(score, i) for score, i in scored if i.scope == claim.scope] or scored
    if not scored:
        return []
    best = max(score for score, _ in scored)
    matched = [i for score, i in scored if score == best]
    n = claim.mention.n
    same_n = [i for i in matched if i.n == n]
    return same_n or matched


def check_unmatched(doc: Document, mentions: list[Mention],
                    findings: Findings) -> list[Flag]:
    """Every percentage and count of respondents the data do not give (`unmatched-value`)."""
    percents, counts = data_values(findings)
    items = data_items(findings)
    claims = {(c.mention.sentence.index, c.mention.percent.start): c
              for c in claims_of(mentions) if not c.derived_from}
    similarity = Similarity(doc)
    flags: list[Flag] = []
    for mention in mentions:
        if not mention.checkable:
            continue
        claim = claims.get((mention.sentence.index, mention.percent.start))
        matched = matching_items(claim, items, similarity) if claim else []
        reason = (_against_items(mention, matched) if matched
                  else _against_values(mention, percents))
        if reason:
            flags.append(flag_at("unmatched-value", mention, reason))
    flags += _unmatched_counts(doc, counts)
    return flags


def _against_items(mention: Mention, matched: list[DataItem]) -> str:
    percent = mention.percent
    if any(i.accepts(percent.value, percent.decimals) for i in matched):
        return ""
    given = "; ".join(f"{i.percent:.1f}% ({i.count} of {i.n}) for {i.where}"
                      for i in matched[:3])
    reason = f"the data give {given}, not {percent}"
    # Only when the count is far enough from its percent to tell the two apart.
    same = [i for i in matched if percent.value == i.count and abs(i.count - i.percent) >= 2]
    if same:
        reason += (f"; {same[0].count} is its count: a count printed as a percentage?")
    return reason


def _against_values(mention: Mention, percents: list[DataValue]) -> str:
    percent = mention.percent
    pool = [v for v in percents if v.n == mention.n] or percents
    # Only a value within half a printed unit can round to it: a float test narrows the
    # pool before the exact one (a report has hundreds of mentions, the data thousands).
    reach = 0.5 / 10 ** percent.decimals + 1e-9
    near = [v for v in pool if abs(v.value - float(percent.value)) <= reach]
    if any(rounds_to(Fraction(v.value), percent.decimals, percent.value) for v in near):
        return ""
    among = f"of the questions with n={mention.n}" if pool is not percents else "in the data"
    nearest = sorted(pool, key=lambda v: abs(v.value - float(percent.value)))[:3]
    reason = f"no percent {among} rounds to {percent}"
    if nearest:
        reason += "; nearest: " + "; ".join(f"{v.value:.1f}% ({_short(v.where)})"
                                            for v in nearest)
    return reason


def _unmatched_counts(doc: Document, counts: list[DataValue]) -> list[Flag]:
    flags: list[Flag] = []
    values = {int(c.value) for c in counts}
    for paragraph in doc.paragraphs:
        for sentence in paragraph.sentences:
            if _cites(sentence.text):
                continue
            stated = [(s.value, s.start, s.text) for s in find_sample_sizes(sentence.text)]
            stated += [(c.value, c.start, c.text) for c in find_counts(sentence.text)
                       if c.of_people]
            seen: set[int] = set()
            for value, start, text in sorted(stated, key=lambda s: s[1]):
                if value in values or value in seen:
                    continue
                seen.add(value)
                if qualifier_before(sentence.text[:start]):
                    continue     # "approximately 3,100 organizations" is not a survey count
                nearest = sorted(counts, key=lambda c: abs(c.value - value))[:3]
                reason = f"no count or n in the data is {value} (“{text}”)"
                if nearest:
                    reason += "; nearest: " + "; ".join(
                        f"{int(c.value)} ({_short(c.where)})" for c in nearest)
                flags.append(_sentence_flag(sentence, paragraph, reason))
    return flags


def _sentence_flag(sentence: Sentence, paragraph: Paragraph, reason: str) -> Flag:
    return Flag(kind="unmatched-value", sentence=sentence.text, location=paragraph.location,
                reason=reason, section=paragraph.section, order=sentence.index)


def _short(where: str, limit: int = 80) -> str:
    return where if len(where) <= limit else where[:limit - 1] + "…"
