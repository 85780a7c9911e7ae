"""Synthetic waves of the assessment, shaped like the 2022 study's published findings.

One generator makes both the 161-response demo and million-response benchmark waves: every
question is drawn whole with numpy, never respondent by respondent. Targets (targets.yaml)
give each question's n and marginals; they are met as exact counts (largest remainder), not
sampled, so a small wave reads like the report and a large one keeps its shape. Who answers
what comes from two latent traits per respondent: persistence (drives dropout and skipped
questions) and harm-reduction maturity (makes services, partners and ratings go together).
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import polars as pl
import yaml

from hrta.instrument import Condition, Instrument, Question
from hrta.responses import (
    CONTACT_SCHEMA,
    ResponseSet,
    answer_option_ids,
    answer_question_ids,
    answer_schema,
)

# How strongly a capped multi-choice question ("top three") hands options to respondents
# with fewer picks so far: most people use all their choices, as they do in real exports.
_FILL_PREFERENCE = 1.0
# Repair rounds that move picks onto respondents who answered but picked nothing; each
# round serves every such respondent it can, so a handful suffice.
_MAX_REPAIR_ROUNDS = 50
# SurveyMonkey numbers responses from one counter shared by all its surveys; in 2022 the
# ids were 11-digit numbers that grew by a few hundred a second.
_ID_BASE = 11_790_000_000
_IDS_PER_SECOND = 200
_DURATION_SPREAD = 0.45  # log-sd of minutes taken: some people rush, some get interrupted


class TargetError(ValueError):
    """targets.yaml or texts.yaml names something the instrument does not have."""


# --- targets ---------------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionTarget:
    question: Question
    n: int
    """Answered in the reference wave."""
    weights: tuple[np.ndarray, ...]
    """single: one distribution; matrix: one per statement; multi: one array of shares."""
    loading: float = 0.0


@dataclass(frozen=True)
class Fieldwork:
    first_day: date
    last_day: date
    holidays: tuple[date, ...]
    median_minutes: float
    daily_decay: float
    start_hour_mean: float
    start_hour_sd: float


@dataclass(frozen=True)
class Targets:
    total: int
    ineligible: int
    fieldwork: Fieldwork
    skip_noise: float
    contacts: dict[str, str]
    questions: dict[str, QuestionTarget]

    @property
    def eligible(self) -> int:
        return self.total - self.ineligible


@dataclass(frozen=True)
class TaggedText:
    text: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class TextBank:
    themes: dict[str, tuple[str, ...]]
    """Open-ended question id -> the theme ids of its codebook."""
    answers: dict[str, tuple[TaggedText, ...]]
    other: dict[str, tuple[str, ...]]
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]


@cache
def _bundled_yaml(name: str) -> dict[str, Any]:
    text = (resources.files("hrta.demo") / name).read_text(encoding="utf-8")
    # LibYAML's parser where PyYAML has it: the text bank is read on every coded report.
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def load_targets(instrument: Instrument, raw: dict[str, Any] | None = None, *,
                 follow_up: bool = False) -> Targets:
    """The bundled targets (or `raw`, the same shape), checked against the instrument;
    with `follow_up`, those of the demo's follow-up wave (follow_up.yaml read over them)."""
    raw = _bundled_yaml("targets.yaml") if raw is None else raw
    if follow_up:
        raw = _overlaid(raw, _bundled_yaml("follow_up.yaml"))
    reference = raw["reference"]
    work = raw["fieldwork"]
    questions = {qid: _question_target(instrument, qid, spec)
                 for qid, spec in raw["questions"].items()}
    _check_complete(instrument, questions)
    return Targets(
        total=int(reference["responses"]),
        ineligible=int(reference["ineligible"]),
        fieldwork=Fieldwork(
            first_day=work["first_day"], last_day=work["last_day"],
            holidays=tuple(work.get("holidays") or ()),
            median_minutes=float(work["median_minutes"]),
            daily_decay=float(work["daily_decay"]),
            start_hour_mean=float(work["start_hour_mean"]),
            start_hour_sd=float(work["start_hour_sd"])),
        skip_noise=float(raw["skip_noise"]),
        contacts=_contact_kinds(instrument, raw.get("contacts") or {}),
        questions=questions,
    )


def _overlaid(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """`base` with each value of `over` in place of its own, mappings merged key by key."""
    merged = dict(base)
    for key, value in over.items():
        below = merged.get(key)
        merged[key] = (_overlaid(below, value) if isinstance(below, dict)
                       and isinstance(value, dict) else value)
    return merged


def _known_question(instrument: Instrument, qid: object) -> Question:
    try:
        return instrument.question(str(qid))
    except KeyError:
        raise TargetError(f"targets name question {qid!r}, which {instrument.id!r} "
                          "does not have") from None


def _check_ids(where: str, given: dict[Any, Any], known: tuple[str, ...]) -> None:
    # PyYAML reads bare yes/no/on/off keys as booleans; catch them with the unknown ids.
    unknown = [key for key in given if not isinstance(key, str) or key not in known]
    if unknown:
        raise TargetError(f"{where} names unknown ids {unknown}; known: {', '.join(known)}")


def _distribution(where: str, spec: dict[str, float], question: Question) -> np.ndarray:
    _check_ids(where, spec, question.option_ids)
    weights = np.array([float(spec.get(o.id, 0)) for o in question.options])
    if (weights < 0).any() or weights.sum() <= 0:
        raise TargetError(f"{where} needs non-negative weights with a positive sum")
    return weights / weights.sum()


def _question_target(instrument: Instrument, qid: str, spec: dict[str, Any]) -> QuestionTarget:
    question = _known_question(instrument, qid)
    if question.pii or (instrument.eligibility and qid == instrument.eligibility.question):
        raise TargetError(f"targets cannot set {qid!r}: the screening question and contact "
                          "details are generated from `reference` and `contacts`")
    kind = question.type
    weights: tuple[np.ndarray, ...] = ()
    if kind == "single":
        weights = (_distribution(f"targets for {qid}", spec["distribution"], question),)
    elif kind == "matrix":
        statements = spec["statements"]
        _check_ids(f"targets for {qid}", statements, tuple(s.id for s in question.statements))
        missing = [s.id for s in question.statements if s.id not in statements]
        if missing:
            raise TargetError(f"targets for {qid} lack statements {missing}")
        weights = tuple(_distribution(f"targets for {qid}.{s.id}", statements[s.id], question)
                        for s in question.statements)
    elif kind == "multi":
        weights = (_shares(qid, spec["percent"], question),)
    return QuestionTarget(question, int(spec["n"]), weights, float(spec.get("loading", 0.0)))


def _shares(qid: str, percent: dict[str, float], question: Question) -> np.ndarray:
    _check_ids(f"targets for {qid}", percent, question.option_ids)
    missing = [o for o in question.option_ids if o not in percent]
    if missing:
        raise TargetError(f"targets for {qid} must give every option a percent; missing "
                          f"{missing}")
    shares = np.array([float(percent[o]) for o in question.option_ids]) / 100.0
    if ((shares < 0) | (shares > 1)).any():
        raise TargetError(f"targets for {qid}: percents must lie between 0 and 100")
    if shares.sum() < 1:
        raise TargetError(f"targets for {qid}: percents sum below 100, but everyone who "
                          "answers picks at least one option")
    cap = question.max_choices
    if cap is not None and shares.sum() > cap:
        raise TargetError(f"targets for {qid}: percents sum to {shares.sum():.0%}, more than "
                          f"{cap} choices each allow")
    return shares


def _check_complete(instrument: Instrument, questions: dict[str, QuestionTarget]) -> None:
    screening = instrument.eligibility.question if instrument.eligibility else None
    missing = [q.id for q in instrument.analysable_questions()
               if q.id != screening and q.id not in questions]
    if missing:
        raise TargetError(f"targets give nothing for questions {missing}")


def _contact_kinds(instrument: Instrument, spec: dict[str, str]) -> dict[str, str]:
    for qid, kind in spec.items():
        question = _known_question(instrument, qid)
        if not question.pii or question.show_if is None:
            raise TargetError(f"contacts: {qid!r} is not a conditional contact-detail question")
        if kind not in ("name", "email"):
            raise TargetError(f"contacts: {qid!r} must be 'name' or 'email', not {kind!r}")
    return dict(spec)


def load_texts(instrument: Instrument) -> TextBank:
    """The bundled open-ended answers, "Other" texts and name parts, checked."""
    raw = _bundled_yaml("texts.yaml")
    themes: dict[str, tuple[str, ...]] = {}
    answers: dict[str, tuple[TaggedText, ...]] = {}
    for qid, bank in raw["open_ended"].items():
        if _known_question(instrument, qid).type != "text":
            raise TargetError(f"texts.yaml: {qid!r} is not an open-ended question")
        themes[qid] = _codebook_ids(instrument, qid)
        answers[qid] = tuple(_tagged(qid, item, themes[qid]) for item in bank["answers"])
    other: dict[str, tuple[str, ...]] = {}
    for qid, texts in raw["other"].items():
        if not any(o.other for o in _known_question(instrument, qid).options):
            raise TargetError(f"texts.yaml: {qid!r} has no 'Other (please specify)' option")
        other[qid] = tuple(_safe(qid, text) for text in texts)
    names = raw["names"]
    return TextBank(themes, answers, other, tuple(names["first"]), tuple(names["last"]))


def _codebook_ids(instrument: Instrument, qid: str) -> tuple[str, ...]:
    """The theme ids of the question's codebook, which the bank's tags must use."""
    from hrta.coding.codebook import load_codebook
    from hrta.errors import InputError

    try:
        return load_codebook(qid, instrument_id=instrument.id).ids
    except InputError as exc:
        raise TargetError(f"texts.yaml: {qid!r} has tagged answers but {exc}") from None


def _safe(qid: str, text: str) -> str:
    if not text or text[0] in "=+-@":
        raise TargetError(f"texts.yaml: a text of {qid!r} is empty or starts like a "
                          f"spreadsheet formula: {text[:40]!r}")
    return text


def _tagged(qid: str, item: dict[str, Any], codebook: tuple[str, ...]) -> TaggedText:
    unknown = set(item["themes"]) - set(codebook)
    if unknown:
        raise TargetError(f"texts.yaml: {qid!r} answer tagged with themes {sorted(unknown)} "
                          f"that its codebook does not have; it has {', '.join(codebook)}")
    return TaggedText(_safe(qid, item["text"]), tuple(item["themes"]))


# --- drawing ---------------------------------------------------------------------------


def _rng(seed: int, name: str) -> np.random.Generator:
    """One stream per named part, so adding a question leaves the others' draws unchanged."""
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def _exact_counts(distribution: np.ndarray, n: int) -> np.ndarray:
    """n split by a distribution, rounded by largest remainder so the counts sum to n."""
    raw = distribution * n
    counts = np.floor(raw).astype(np.int64)
    short = n - int(counts.sum())
    counts[np.argsort(-(raw - counts), kind="stable")[:short]] += 1
    return counts


def _top(key: np.ndarray, k: int) -> np.ndarray:
    """Positions of the k largest keys, in no particular order."""
    if k <= 0:
        return np.empty(0, dtype=np.int64)
    if k >= key.size:
        return np.arange(key.size)
    return np.argpartition(-key, k - 1)[:k]


def _scale_codes(counts: np.ndarray, ordered: np.ndarray, maturity: np.ndarray,
                 loading: float, rng: np.random.Generator) -> np.ndarray:
    """One option per respondent with exact counts; the ordered options (a scale's
    agree-to-disagree steps) go in order of maturity, the rest (don't know) at random."""
    n = maturity.size
    codes = np.empty(n, dtype=np.int64)
    shuffled = rng.permutation(n)
    unordered = np.flatnonzero(~ordered)
    taken = int(counts[unordered].sum())
    codes[shuffled[:taken]] = np.repeat(unordered, counts[unordered])
    rest = shuffled[taken:]
    key = loading * maturity[rest] + rng.standard_normal(rest.size)
    ranked = rest[np.argsort(-key, kind="stable")]
    steps = np.flatnonzero(ordered)
    codes[ranked] = np.repeat(steps, counts[steps])
    return codes


def _multi_picks(counts: np.ndarray, maturity: np.ndarray, loading: float, cap: int | None,
                 rng: np.random.Generator) -> np.ndarray:
    """Boolean respondents x options with exact column counts, at least one pick a row,
    at most `cap`."""
    n, width = maturity.size, counts.size
    picks = np.zeros((n, width), dtype=bool)
    per_row = np.zeros(n, dtype=np.int64)
    for column in np.argsort(-counts, kind="stable"):
        key = rng.standard_normal(n) + loading * maturity
        if cap is not None:
            key -= _FILL_PREFERENCE * per_row
            key[per_row >= cap] = -np.inf
            if int((per_row < cap).sum()) < counts[column]:
                raise TargetError("targets ask for more choices than max_choices leaves room for")
        chosen = _top(key, int(counts[column]))
        picks[chosen, column] = True
        per_row[chosen] += 1
    _fill_empty_rows(picks, per_row, rng)
    return picks


def _fill_empty_rows(picks: np.ndarray, per_row: np.ndarray, rng: np.random.Generator) -> None:
    """Move one pick from a respondent with several to each who answered with none, so
    every option keeps its count."""
    for _ in range(_MAX_REPAIR_ROUNDS):
        empty = np.flatnonzero(per_row == 0)
        if not empty.size:
            return
        donors = np.flatnonzero(per_row >= 2)
        pairs = min(empty.size, donors.size)
        if not pairs:
            break
        receivers = rng.permutation(empty)[:pairs]
        givers = rng.choice(donors, size=pairs, replace=False)
        columns = ((1.0 - rng.random((pairs, picks.shape[1]))) * picks[givers]).argmax(axis=1)
        picks[givers, columns] = False
        picks[receivers, columns] = True
        per_row[givers] -= 1
        per_row[receivers] += 1
    raise TargetError("cannot give every respondent a pick: too few options chosen overall")


def _answerers(persistence: np.ndarray, k: int, noise: float,
               rng: np.random.Generator) -> np.ndarray:
    """Which eligible respondents answer (in row order): the most persistent, with
    scattered skips."""
    return np.sort(_top(persistence + noise * rng.standard_normal(persistence.size), k))


def _cycled(size: int, bank: int, rng: np.random.Generator) -> np.ndarray:
    """Indices into a bank: every entry once (shuffled) before any repeats."""
    if size == 0:
        return np.empty(0, dtype=np.int64)
    rounds = -(-size // bank)
    return np.argsort(rng.random((rounds, bank)), axis=1).ravel()[:size]


# --- the answers table ------------------------------------------------------------------


@dataclass(frozen=True)
class _Part:
    """Answer rows of one question id: rows, option codes (None: open-ended) and the
    typed texts (None: a plain choice)."""

    rows: np.ndarray
    qid: str
    options: np.ndarray | None = None
    values: pl.Series | None = None


class _Codes:
    """Enum columns of the answers table built by gathering codes, not by parsing strings."""

    def __init__(self, instrument: Instrument) -> None:
        schema = answer_schema(instrument)
        self.schema = schema
        self.question_ids = pl.Series(answer_question_ids(instrument),
                                      dtype=schema["question_id"])
        option_ids = answer_option_ids(instrument)
        self.option_series = pl.Series(option_ids, dtype=schema["option_id"])
        self._option_index = {o: i for i, o in enumerate(option_ids)}
        self._question_index = {q: i for i, q in enumerate(answer_question_ids(instrument))}

    def option_codes(self, question: Question) -> np.ndarray:
        return np.array([self._option_index[o] for o in question.option_ids], dtype=np.int64)

    def _question_column(self, qid: str, height: int) -> pl.Series:
        return self.question_ids.gather(np.full(height, self._question_index[qid],
                                                dtype=np.int64))

    def choices(self, parts: list[_Part]) -> pl.DataFrame:
        return pl.concat([pl.DataFrame({
            "row": pl.Series(part.rows, dtype=pl.UInt32),
            "question_id": self._question_column(part.qid, part.rows.size),
            "option_id": self.option_series.gather(part.options),
        }) for part in parts if part.options is not None])

    def texts(self, parts: list[_Part]) -> pl.DataFrame:
        frames = [pl.DataFrame({
            "row": pl.Series(part.rows, dtype=pl.UInt32),
            "question_id": self._question_column(part.qid, part.rows.size),
            "option_id": (self.option_series.gather(part.options) if part.options is not None
                          else pl.repeat(None, part.rows.size, dtype=self.schema["option_id"],
                                         eager=True)),
            "value": part.values.alias("value"),
        }) for part in parts if part.values is not None]
        return pl.concat(frames) if frames else pl.DataFrame(schema=self.schema)


class _Wave:
    """The draws of one wave: which rows are eligible, their latent traits, their answers."""

    def __init__(self, instrument: Instrument, targets: Targets, texts: TextBank, size: int,
                 ineligible: int, seed: int) -> None:
        self.instrument, self.targets, self.bank = instrument, targets, texts
        self.size, self.seed = size, seed
        self.codes = _Codes(instrument)
        rng = self.rng("eligibility")
        self.ineligible_rows = np.sort(rng.choice(size, size=ineligible, replace=False))
        eligible = np.ones(size, dtype=bool)
        eligible[self.ineligible_rows] = False
        self.eligible_rows = np.flatnonzero(eligible)
        self.persistence = rng.random(self.eligible_rows.size)
        self.maturity = rng.standard_normal(self.eligible_rows.size)
        self.answered = np.zeros(size, dtype=np.int64)
        self.singles: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self.parts: list[_Part] = []

    def rng(self, name: str) -> np.random.Generator:
        return _rng(self.seed, name)

    def scaled_n(self, target: QuestionTarget) -> int:
        share = target.n / self.targets.eligible
        return min(round(share * self.eligible_rows.size), self.eligible_rows.size)

    def draw(self) -> None:
        self._screening()
        for question in self.instrument.analysable_questions():
            target = self.targets.questions.get(question.id)
            if target is not None:
                self._question(target)

    def _screening(self) -> None:
        rule = self.instrument.eligibility
        if rule is None:
            return
        screen = self.instrument.question(rule.question)
        codes = self.codes.option_codes(screen)
        ids = list(screen.option_ids)
        eligible_id = next(o for o in ids if o not in rule.ineligible_options)
        chosen = np.full(self.size, codes[ids.index(eligible_id)])
        chosen[self.ineligible_rows] = codes[ids.index(rule.ineligible_options[0])]
        self.parts.append(_Part(np.arange(self.size), screen.id, chosen))
        self.answered += 1

    def _question(self, target: QuestionTarget) -> None:
        question = target.question
        rng = self.rng(question.id)
        who = _answerers(self.persistence, self.scaled_n(target), self.targets.skip_noise, rng)
        rows = self.eligible_rows[who]
        self.answered[rows] += 1
        maturity = self.maturity[who]
        if question.type == "single":
            self._single(question, target, rows, maturity, rng)
        elif question.type == "multi":
            self._multi(question, target, rows, maturity, rng)
        elif question.type == "matrix":
            self._matrix(question, target, rows, maturity, rng)
        else:
            self._text(question, rows, rng)

    def _single(self, question: Question, target: QuestionTarget, rows: np.ndarray,
                maturity: np.ndarray, rng: np.random.Generator) -> None:
        counts = _exact_counts(target.weights[0], rows.size)
        ordered = np.ones(len(question.options), dtype=bool)
        local = _scale_codes(counts, ordered, maturity, target.loading, rng)
        self.singles[question.id] = (rows, local)
        self._choices(question, rows, local, rng)

    def _multi(self, question: Question, target: QuestionTarget, rows: np.ndarray,
               maturity: np.ndarray, rng: np.random.Generator) -> None:
        counts = np.floor(target.weights[0] * rows.size + 0.5).astype(np.int64)
        picks = _multi_picks(counts, maturity, target.loading, question.max_choices, rng)
        where, local = np.nonzero(picks)
        self._choices(question, rows[where], local, rng)

    def _matrix(self, question: Question, target: QuestionTarget, rows: np.ndarray,
                maturity: np.ndarray, rng: np.random.Generator) -> None:
        has_nets = any(o.net for o in question.options)
        ordered = np.array([bool(o.net) or not has_nets for o in question.options])
        option_codes = self.codes.option_codes(question)
        for statement, weights in zip(question.statement_qids(), target.weights, strict=True):
            counts = _exact_counts(weights, rows.size)
            local = _scale_codes(counts, ordered, maturity, target.loading, rng)
            self.parts.append(_Part(rows, statement, option_codes[local]))

    def _choices(self, question: Question, rows: np.ndarray, local: np.ndarray,
                 rng: np.random.Generator) -> None:
        """Answer rows of chosen options; an "Other" choice carries the text typed with it."""
        option_codes = self.codes.option_codes(question)
        other = np.array([o.other for o in question.options], dtype=bool)[local]
        self.parts.append(_Part(rows[~other], question.id, option_codes[local[~other]]))
        if other.any():
            bank = self.bank.other.get(question.id)
            if not bank:
                raise TargetError(f"texts.yaml has no 'Other' texts for {question.id!r}, "
                                  "which the targets let respondents choose")
            texts = pl.Series(bank, dtype=pl.String).gather(
                rng.integers(0, len(bank), int(other.sum())))
            self.parts.append(_Part(rows[other], question.id, option_codes[local[other]],
                                    texts))

    def _text(self, question: Question, rows: np.ndarray, rng: np.random.Generator) -> None:
        bank = self.bank.answers.get(question.id)
        if not bank:
            raise TargetError(f"texts.yaml has no answers for open-ended {question.id!r}")
        pool = pl.Series([item.text for item in bank], dtype=pl.String)
        self.parts.append(_Part(rows, question.id, None,
                                pool.gather(_cycled(rows.size, len(bank), rng))))

    def choices(self) -> pl.DataFrame:
        return self.codes.choices(self.parts)

    def texts(self) -> pl.DataFrame:
        return self.codes.texts(self.parts)

    def contacts(self) -> pl.DataFrame:
        """Made-up names and example.org e-mails of those who opted into the raffle."""
        frames = []
        rng = self.rng("contacts")
        people = self._raffle_entrants()
        first = pl.Series(self.bank.first_names).gather(
            rng.integers(0, len(self.bank.first_names), people.size))
        last = pl.Series(self.bank.last_names).gather(
            rng.integers(0, len(self.bank.last_names), people.size))
        person = pl.DataFrame({"row": pl.Series(people, dtype=pl.UInt32),
                               "first": first, "last": last})
        for qid, kind in self.targets.contacts.items():
            condition = _shown_if(self.instrument, qid)
            rows = self._rows_answering(condition.question, condition.any_of)
            chosen = person.filter(pl.col("row").is_in(pl.Series(rows, dtype=pl.UInt32)
                                                       .implode()))
            frames.append(chosen.select("row", question_id=pl.lit(qid),
                                        value=_contact_value(kind)))
        if not frames:
            return pl.DataFrame(schema=CONTACT_SCHEMA)
        return pl.concat(frames).cast(pl.Schema(CONTACT_SCHEMA))

    def _raffle_entrants(self) -> np.ndarray:
        conditions = [_shown_if(self.instrument, qid) for qid in self.targets.contacts]
        rows = [self._rows_answering(c.question, c.any_of) for c in conditions]
        return np.unique(np.concatenate(rows)) if rows else np.empty(0, dtype=np.int64)

    def _rows_answering(self, qid: str, option_ids: tuple[str, ...]) -> np.ndarray:
        if qid not in self.singles:
            raise TargetError(f"contacts depend on {qid!r}, which the wave does not draw")
        rows, local = self.singles[qid]
        wanted = np.isin(self.instrument.question(qid).option_ids, option_ids)
        return rows[wanted[local]]

    def respondents(self) -> pl.DataFrame:
        starts, ends = _times(self.size, self.answered, self.targets.fieldwork,
                              self.rng("fieldwork"))
        return pl.DataFrame({
            "response_id": _response_ids(starts, self.rng("ids")),
            "started_at": _stamp(starts),
            "ended_at": _stamp(ends),
        })


def _shown_if(instrument: Instrument, qid: str) -> Condition:
    """The condition of a contact-detail question (load_targets checked it has one)."""
    condition = instrument.question(qid).show_if
    assert condition is not None, qid
    return condition


def _contact_value(kind: str) -> pl.Expr:
    if kind == "name":
        return pl.concat_str("first", pl.lit(" "), "last")
    # Decomposed accents drop out with the other non-letters: Tomás -> tomas.
    local = (pl.concat_str(pl.col("first"), pl.lit("."), pl.col("last"))
             .str.normalize("NFKD").str.to_lowercase().str.replace_all(r"[^a-z.]", ""))
    # The row number keeps addresses unique when two entrants share a name.
    return pl.concat_str(local, pl.col("row").cast(pl.String), pl.lit("@example.org"))


def _times(size: int, answered: np.ndarray, work: Fieldwork,
           rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Start and end times (epoch seconds), rows in order of starting."""
    days = np.arange(np.datetime64(work.first_day), np.datetime64(work.last_day)
                     + np.timedelta64(1, "D"))
    days = days[np.is_busday(days, holidays=np.array(work.holidays, dtype="datetime64[D]"))]
    weights = work.daily_decay ** np.arange(days.size)
    day = days[rng.choice(days.size, size=size, p=weights / weights.sum())]
    hours = np.clip(rng.normal(work.start_hour_mean, work.start_hour_sd, size), 7.0, 20.99)
    # Local wall-clock times, written without a zone as SurveyMonkey does.
    starts = np.sort(day.astype("datetime64[s]").astype(np.int64) + (hours * 3600).astype(np.int64))
    progress = answered / max(int(answered.max(initial=1)), 1)
    minutes = (work.median_minutes * rng.lognormal(0.0, _DURATION_SPREAD, size)
               * (0.08 + 0.92 * progress))
    ends = starts + np.maximum(minutes * 60, 20).astype(np.int64)
    return starts, ends


def _stamp(seconds: np.ndarray) -> pl.Series:
    return (pl.Series(seconds * 1000, dtype=pl.Int64).cast(pl.Datetime("ms"))
            .dt.strftime("%m/%d/%Y %I:%M:%S %p"))


def _response_ids(starts: np.ndarray, rng: np.random.Generator) -> pl.Series:
    """Increasing 11-digit ids whose gaps follow the time between responses."""
    elapsed = np.diff(starts, prepend=starts[:1])
    gaps = 1 + (elapsed * _IDS_PER_SECOND * rng.uniform(0.5, 1.5, starts.size)).astype(np.int64)
    ids = _ID_BASE + int(rng.integers(0, 50_000_000)) + np.cumsum(gaps)
    return pl.Series(ids, dtype=pl.Int64).cast(pl.String)


# --- public ----------------------------------------------------------------------------


def synthetic_responses(instrument: Instrument, n: int, *, seed: int,
                        ineligible_share: float | None = None,
                        follow_up: bool = False) -> ResponseSet:
    """A synthetic wave of n responses with the 2022 study's shape, drawn with numpy.

    `ineligible_share` defaults to the reference wave's (10 of 161). Each question's n is
    its reference n scaled to this wave's eligible respondents; marginals are exact counts
    of the targets. The same seed gives the same wave. `follow_up` draws the demo's
    follow-up wave, fielded two years later with some answers moved (follow_up.yaml).
    """
    if n < 1:
        raise ValueError("a wave needs at least one response")
    targets = load_targets(instrument, follow_up=follow_up)
    share = targets.ineligible / targets.total if ineligible_share is None else ineligible_share
    if not 0 <= share < 1:
        raise ValueError("ineligible_share must be at least 0 and below 1")
    wave = _Wave(instrument, targets, load_texts(instrument), n, round(n * share), seed)
    wave.draw()
    return ResponseSet.build(instrument, wave.respondents(), choices=wave.choices(),
                             texts=wave.texts(), contacts=wave.contacts(),
                             source=f"synthetic wave (seed {seed})")


def demo_responses(instrument: Instrument, *, seed: int = 2022,
                   follow_up: bool = False) -> ResponseSet:
    """The demo wave: as many responses as the 2022 study, so every n matches its report.
    `follow_up` gives the demo's follow-up wave instead (follow_up.yaml)."""
    targets = load_targets(instrument, follow_up=follow_up)
    return synthetic_responses(instrument, targets.total, seed=seed, follow_up=follow_up)
