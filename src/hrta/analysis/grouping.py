"""Split eligible respondents into groups by an answer: the `--by` and margin variables.

One syntax serves subgroup comparisons (`--by`) and raking margins (`--weights`):

`QID`            a single-choice question or a matrix statement (`MATRIX.STATEMENT`);
                 one group per option
`QID.ATTRIBUTE`  an option attribute of such a question (`state.region`, `role.group`,
                 `fb_policy.adequate_funding.net`); one group per attribute value
`QID=OPTION`     any closed question: those who chose OPTION against those who answered
                 the question without choosing it (`communities=rural`)
`ATTRIBUTE`      a respondent attribute an export holds beside the answers (SurveyMonkey
                 Audience `Gender`, `Age`, ...); one group per value

Each eligible respondent falls in at most one group; respondents who did not answer the
question (or whose option has no value for the attribute) are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

from hrta.analysis.frequencies import categories
from hrta.errors import InputError
from hrta.instrument import Instrument, Question
from hrta.responses import ResponseSet
from hrta.wording import in_sentence

MIN_GROUP_FACTOR = 2
"""Groups smaller than this many times the suppression threshold are combined."""
COMBINED = "combined"
COMBINED_LABEL = "All other groups"

ATTRIBUTES = {"group": "group", "region": "Census region", "net": "agreement"}
"""Option attributes that can split respondents, with the word used in labels."""


@dataclass(frozen=True)
class Group:
    id: str
    label: str


@dataclass(frozen=True)
class Grouping:
    by: str
    label: str
    source_qid: str
    """The question (or matrix statement) id the groups come from."""
    groups: tuple[Group, ...]
    codes: np.ndarray
    """Group index per respondent row; -1 for ineligible or ungrouped respondents."""

    @property
    def sizes(self) -> np.ndarray:
        return np.bincount(self.codes[self.codes >= 0], minlength=len(self.groups))


@dataclass(frozen=True)
class _Spec:
    """A parsed `by` string: which question, and which options make which group."""

    source_qid: str
    label: str
    groups: tuple[Group, ...]
    option_group: dict[str, int]
    """Option id -> group index; options absent here leave their respondents ungrouped."""
    answered_group: int | None = None
    """Group of respondents who answered without choosing a listed option (QID=OPTION)."""


def closed_qids(instrument: Instrument) -> list[tuple[str, Question]]:
    """Every closed question id Findings reports, in survey order, with its question."""
    qids: list[tuple[str, Question]] = []
    for question in instrument.analysable_questions():
        if question.type == "matrix":
            qids.extend((qid, question) for qid in question.statement_qids())
        elif question.type in ("single", "multi"):
            qids.append((question.id, question))
    return qids


def groups_to_compare(responses: ResponseSet, by: str, *, threshold: int,
                      min_group: int | None = None
                      ) -> tuple[Grouping, list[dict[str, Any]], int, int]:
    """The groups a `--by` comparison compares, after combining the small ones; also the
    small groups, how many respondents were left out, and the smallest group size used.

    Cheap (no statistics library): the pipeline calls it before any costly step, so a
    `--by` that names nothing, or leaves fewer than two groups, is refused at once.
    """
    if threshold < 1:
        raise InputError(f"the suppression threshold must be at least 1, not {threshold}")
    smallest = MIN_GROUP_FACTOR * threshold if min_group is None else min_group
    if smallest < 1:
        raise InputError(f"the smallest group size must be at least 1, not {smallest}")
    grouping, small_groups, left_out = combine_small_groups(resolve_grouping(responses, by),
                                                            smallest)
    return grouping, small_groups, left_out, smallest


def combine_small_groups(grouping: Grouping, smallest: int
                         ) -> tuple[Grouping, list[dict[str, Any]], int]:
    """Compare the groups with fewer than `smallest` members as one group, COMBINED.

    Nine organization types among 86 respondents leave groups of four, whose every cell
    is suppressed and whose tests have no power; a reader is better served by the large
    groups and one "all other groups". When even together the small groups have fewer
    than `smallest` members they are left out of the comparison instead.
    Returns the new grouping, the small groups (id, label, n) and how many respondents
    were left out. Raises InputError when fewer than two groups are left to compare.
    """
    sizes = grouping.sizes
    small = sizes < smallest
    found = [{"id": g.id, "label": g.label, "n": int(sizes[i])}
             for i, g in enumerate(grouping.groups) if small[i]]
    together = int(sizes[small].sum())
    keep = np.flatnonzero(~small)
    target = np.full(len(grouping.groups) + 1, -1, dtype=np.int64)  # the last: -1 stays -1
    target[keep] = np.arange(keep.size)
    groups = [grouping.groups[i] for i in keep]
    left_out = together
    if found and together >= smallest:
        target[np.flatnonzero(small)] = keep.size
        groups.append(Group(COMBINED, COMBINED_LABEL))
        left_out = 0
    if len(groups) < 2:
        listed = ", ".join(f"{g.label} {size}"
                           for g, size in zip(grouping.groups, sizes, strict=True))
        raise InputError(
            f"{grouping.by!r}: fewer than two groups of at least {smallest} respondents to "
            f"compare (group sizes: {listed}); compare coarser groups (e.g. state.region, "
            "role.group) or lower the smallest group size (--min-group)")
    combined = Grouping(grouping.by, grouping.label, grouping.source_qid, tuple(groups),
                        target[grouping.codes])
    return combined, found, left_out


def resolve_grouping(responses: ResponseSet, by: str, *, file: str | None = None) -> Grouping:
    """Groups of eligible respondents by the answer `by` names; InputError if it names nothing.

    Groups nobody belongs to are dropped, so every listed group has at least one member.
    """
    attribute = _attribute_column(responses, by.strip())
    if attribute is not None:
        spec, codes = _respondent_attribute(responses, attribute)
    else:
        spec = _parse(responses.instrument, by.strip(), file)
        codes = _codes(responses, spec)
    sizes = np.bincount(codes[codes >= 0], minlength=len(spec.groups))
    kept = np.flatnonzero(sizes)
    renumber = np.full(len(spec.groups) + 1, -1, dtype=np.int64)
    renumber[kept] = np.arange(kept.size)
    codes = renumber[codes]  # -1 indexes the trailing -1
    return Grouping(by.strip(), spec.label, spec.source_qid,
                    tuple(spec.groups[i] for i in kept), codes)


def _attribute_column(responses: ResponseSet, by: str) -> str | None:
    """The respondent attribute (e.g. an Audience `Gender` column) `by` names, if any."""
    wanted = " ".join(by.split()).casefold()
    return next((name for name in responses.attributes.columns
                 if " ".join(name.split()).casefold() == wanted), None)


def _respondent_attribute(responses: ResponseSet, name: str) -> tuple[_Spec, np.ndarray]:
    """One group per value of a respondent attribute, in order of first appearance."""
    values = responses.attributes[name].str.strip_chars().replace("", None)
    names = values.drop_nulls().unique(maintain_order=True).to_list()
    lookup = {value: index for index, value in enumerate(names)}
    codes = np.array([-1 if v is None else lookup[v] for v in values.to_list()],
                     dtype=np.int64)
    codes[~responses.respondents["eligible"].to_numpy()] = -1
    groups = tuple(Group(_slug(value) or f"value_{i}", value) for i, value in enumerate(names))
    return _Spec(f"attribute:{name}", name, groups, {}), codes


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in text.casefold()).strip("_")


def _parse(instrument: Instrument, by: str, file: str | None) -> _Spec:
    closed = dict(closed_qids(instrument))
    if "=" in by:
        qid, _, option_id = (part.strip() for part in by.partition("="))
        question = _closed(closed, qid, by, file)
        if option_id not in question.option_ids:
            raise InputError(f"{by!r}: question {qid!r} has no option {option_id!r}; "
                             f"its options are {', '.join(question.option_ids)}", file=file)
        label = question.option(option_id).label
        # In English whatever the instrument's language: a report in another language
        # names this group from its catalog (compare.not_chosen).
        unchosen = Group(f"not_{option_id}", f"Not {in_sentence(label)}")
        return _Spec(qid, f"{question.title}: {label}", (Group(option_id, label), unchosen),
                     {option_id: 0}, answered_group=1)
    if by in closed:
        return _single_spec(closed, by, by, file)
    qid, dot, attribute = by.rpartition(".")
    if dot and qid in closed:
        return _attribute_spec(closed, qid, attribute, by, file)
    raise _unknown(by, by, file)


def _unknown(qid: str, by: str, file: str | None) -> InputError:
    return InputError(f"{by!r}: {qid!r} is not a closed question of the instrument "
                      "(see `hrta instrument show`); write QID, QID.ATTRIBUTE or QID=OPTION",
                      file=file)


def _closed(closed: dict[str, Question], qid: str, by: str, file: str | None) -> Question:
    if qid not in closed:
        raise _unknown(qid, by, file)
    return closed[qid]


def _single_valued(closed: dict[str, Question], qid: str, by: str,
                   file: str | None) -> Question:
    question = closed[qid]
    if question.type == "multi":
        example = question.option_ids[0]
        raise InputError(f"{by!r}: {qid!r} allows several answers, so it cannot split "
                         f"respondents into groups; name one option, e.g. {qid}={example}",
                         file=file)
    return question


def _single_spec(closed: dict[str, Question], qid: str, by: str, file: str | None) -> _Spec:
    question = _single_valued(closed, qid, by, file)
    groups = tuple(Group(o.id, o.label) for o in question.options)
    label = question.title
    if question.type == "matrix":
        statement = qid.partition(".")[2]
        label = next(s.text for s in question.statements if s.id == statement)
    return _Spec(qid, label, groups, {o.id: i for i, o in enumerate(question.options)})


def _attribute_spec(closed: dict[str, Question], qid: str, attribute: str, by: str,
                    file: str | None) -> _Spec:
    question = _single_valued(closed, qid, by, file)
    values = {o.id: getattr(o, attribute, None) for o in question.options} \
        if attribute in ATTRIBUTES else {}
    names = list(dict.fromkeys(v for v in values.values() if v))
    if not names:
        known = [a for a in ATTRIBUTES if any(getattr(o, a) for o in question.options)]
        hint = (f"its options have {', '.join(known)}" if known
                else "its options carry no attribute to group by")
        raise InputError(f"{by!r}: question {qid!r} has no option attribute {attribute!r}; "
                         f"{hint}", file=file)
    groups = tuple(Group(name, _attribute_label(question, attribute, name)) for name in names)
    return _Spec(qid, f"{question.title} ({ATTRIBUTES[attribute]})", groups,
                 {option: names.index(v) for option, v in values.items() if v})


def _attribute_label(question: Question, attribute: str, value: str) -> str:
    if attribute == "net" and value in question.nets:
        return question.nets[value]
    return value.replace("_", " ").capitalize()


def _codes(responses: ResponseSet, spec: _Spec) -> np.ndarray:
    """Group index of each respondent row (-1 when ungrouped), by array lookups."""
    choices = responses.choices
    option_ids = categories(choices["option_id"])
    lookup = np.full(len(option_ids), -1, dtype=np.int64)
    for option_id, group in spec.option_group.items():
        lookup[option_ids.index(option_id)] = group
    picked = choices.filter(pl.col("question_id") == spec.source_qid)
    rows = picked["row"].to_numpy()
    groups = lookup[picked["option_id"].to_physical().to_numpy()]
    codes = np.full(responses.total, -1, dtype=np.int64)
    if spec.answered_group is not None:
        codes[rows] = spec.answered_group
        codes[rows[groups >= 0]] = groups[groups >= 0]
    else:
        codes[rows] = groups
    codes[~responses.respondents["eligible"].to_numpy()] = -1
    return codes
