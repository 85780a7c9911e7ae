"""Scoring and plan rules as data: their shape, and their check against the instrument.

The bundled rules for an instrument live beside it, in
instrument/assessments/readiness/<instrument id>.yaml. Every question, statement and option
id they name is checked when they load; an error names the file, the line and the field.
"""

from __future__ import annotations

import string
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hrta.assistance.positions import line_of, load_with_lines
from hrta.errors import InputError
from hrta.instrument import Instrument, Option, Question

PLACEHOLDERS = ("answer", "matched", "count", "total")
"""Names a plan rule's reason may use in braces."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Level(_Model):
    id: str
    label: str
    min: float = Field(ge=0, le=100)


class AgreementRules(_Model):
    points: dict[str, float]
    strength: tuple[str, ...]
    gap: tuple[str, ...]
    unknown: tuple[str, ...]


class ServicesDomain(_Model):
    id: str
    title: str
    kind: Literal["services"]
    direct: str
    referral: str
    planned: str
    credit: dict[Literal["direct", "referral"], float]


class PartnerGroup(_Model):
    id: str
    label: str
    weight: float = Field(default=1.0, gt=0)
    options: tuple[str, ...] = Field(min_length=1)


class PartnersDomain(_Model):
    id: str
    title: str
    kind: Literal["partners"]
    current: str
    planned: str
    groups: tuple[PartnerGroup, ...] = Field(min_length=1)


class AgreementDomain(_Model):
    id: str
    title: str
    kind: Literal["agreement"]
    statements: tuple[str, ...] = Field(min_length=1)


Domain = Annotated[ServicesDomain | PartnersDomain | AgreementDomain, Field(discriminator="kind")]


class Condition(_Model):
    """A test of one question's answer, or all/any of several conditions.

    `options` is a list of option ids or an attribute filter such as {core: true}; the
    test is `chosen` (any or none of them), `at_least` N or `fewer_than` N of them.
    `excluding` names a question sharing the option list: options chosen there are not
    counted (planned services the organization already provides, say).
    """

    question: str | None = None
    options: tuple[str, ...] | dict[str, str | bool] | None = None
    excluding: str | None = None
    chosen: Literal["any", "none"] | None = None
    at_least: int | None = Field(default=None, ge=1)
    fewer_than: int | None = Field(default=None, ge=1)
    all_of: tuple[Condition, ...] | None = Field(default=None, alias="all", min_length=1)
    any_of: tuple[Condition, ...] | None = Field(default=None, alias="any", min_length=1)

    @model_validator(mode="after")
    def _one_form(self) -> Condition:
        forms = [self.question is not None, self.all_of is not None, self.any_of is not None]
        if sum(forms) != 1:
            raise ValueError("a condition needs exactly one of `question`, `all` or `any`")
        tests = [self.chosen is not None, self.at_least is not None,
                 self.fewer_than is not None]
        if sum(tests) > 1:
            raise ValueError("use one of `chosen`, `at_least` or `fewer_than`")
        if self.question is None and (any(tests) or self.options is not None
                                      or self.excluding is not None):
            raise ValueError("`all` and `any` take only a list of conditions")
        return self


class PlanRule(_Model):
    id: str
    area: str
    when: Condition
    reason: str = Field(min_length=1)
    kind: Literal["answers", "knowledge"] = "answers"


class Ranking(_Model):
    preferred_format: float = 0
    planned_service: float = 0
    provided_service: float = 0
    community: float = 0
    org_type: float = 0
    other_audience: float = 0


class PlanRules(_Model):
    areas_question: str
    formats_question: str
    receiving_question: str
    receiving: tuple[str, ...] = Field(min_length=1)
    not_receiving: tuple[str, ...] = Field(min_length=1)
    areas_shown: int = Field(ge=1)
    resources_per_area: int = Field(ge=1)
    format_names: dict[str, str]
    next_steps: dict[str, str]
    ranking: Ranking
    rules: tuple[PlanRule, ...]


class Organization(_Model):
    type: str
    location: str
    communities: str


class DemandRules(_Model):
    cohort_format: str
    cohort_min_size: int = Field(default=2, ge=1)


class Rules(_Model):
    instrument: str
    organization: Organization
    levels: tuple[Level, ...] = Field(min_length=1)
    agreement: AgreementRules
    statements: dict[str, str]
    domains: tuple[Domain, ...] = Field(min_length=1)
    demand: DemandRules
    plan: PlanRules
    origin: str = ""

    def domain(self, kind: str) -> Any:
        """The first domain of a kind (services, partners), or None."""
        return next((d for d in self.domains if d.kind == kind), None)

    def level_of(self, score: float) -> Level:
        for level in self.levels:
            if score >= level.min:
                return level
        return self.levels[-1]

    def statement_label(self, qid: str) -> str:
        return self.statements[qid]


# What a rules translation may give, by section: readiness/<instrument id>.<language>.yaml.
_WORDING = ("levels", "statements", "domains", "groups", "format_names", "next_steps",
            "reasons")


def localize_rules(rules: Rules, language: str) -> Rules:
    """The rules with their words (level names, domain titles, statement and group names,
    format names, next steps and reasons) in `language`, from the translation beside the
    bundled rules; scoring, ids and conditions are the rules' own. A word the translation
    lacks stays as the rules say it."""
    key = (id(rules), language)
    cached = _LOCALIZED.get(key)
    if cached is not None and cached[0] is rules:
        return cached[1]
    overlay = _rules_wording(rules.instrument, language)
    localized = rules if overlay is None else _apply_wording(rules, overlay)
    _LOCALIZED[key] = (rules, localized)
    return localized


_LOCALIZED: dict[tuple[int, str], tuple[Rules, Rules]] = {}


def _rules_wording(instrument_id: str, language: str) -> dict[str, dict[str, str]] | None:
    path = bundled_rules_path(instrument_id).with_name(f"{instrument_id}.{language}.yaml")
    if not path.is_file():
        return None
    data, lines = load_with_lines(path.read_text(encoding="utf-8"), origin=str(path))
    if not isinstance(data, dict):
        raise InputError("a rules translation must hold a mapping", file=str(path))
    for section, entries in data.items():
        if section not in _WORDING:
            raise InputError(f"unknown section {section!r}; a rules translation holds "
                             f"{', '.join(_WORDING)}", file=str(path),
                             row=line_of(lines, (section,)))
        if not isinstance(entries, dict) or not all(isinstance(v, str)
                                                    for v in entries.values()):
            raise InputError(f"{section}: give each id its words", file=str(path),
                             row=line_of(lines, (section,)))
    for rule_id, reason in (data.get("reasons") or {}).items():
        bad = {name for _, name, _, _ in string.Formatter().parse(reason)
               if name is not None and name not in PLACEHOLDERS}
        if bad:
            raise InputError(f"reasons.{rule_id}: unknown placeholder {{{sorted(bad)[0]}}}",
                             file=str(path), row=line_of(lines, ("reasons", rule_id)))
    return data


def _apply_wording(rules: Rules, words: dict[str, dict[str, str]]) -> Rules:
    def said(section: str, key: str, own: str) -> str:
        return " ".join((words.get(section) or {}).get(key, own).split())

    data = rules.model_dump(by_alias=True, exclude_none=True)
    for level in data["levels"]:
        level["label"] = said("levels", level["id"], level["label"])
    data["statements"] = {qid: said("statements", qid, name)
                          for qid, name in data["statements"].items()}
    for domain in data["domains"]:
        domain["title"] = said("domains", domain["id"], domain["title"])
        for group in domain.get("groups", ()):
            group["label"] = said("groups", group["id"], group["label"])
    plan = data["plan"]
    plan["format_names"] = {fid: said("format_names", fid, name)
                            for fid, name in plan["format_names"].items()}
    plan["next_steps"] = {area: said("next_steps", area, step)
                          for area, step in plan["next_steps"].items()}
    for rule in plan["rules"]:
        rule["reason"] = said("reasons", rule["id"], rule["reason"])
    return Rules.model_validate(data)


def bundled_rules_path(instrument_id: str) -> Path:
    folder = resources.files("hrta.instrument") / "assessments" / "readiness"
    return Path(str(folder / f"{instrument_id}.yaml"))


def load_rules(instrument: Instrument, path: Path | None = None) -> Rules:
    """The rules for `instrument`: the bundled ones, or those in `path`, checked."""
    if path is None:
        bundled = bundled_rules_path(instrument.id)
        if not bundled.is_file():
            raise InputError(f"no readiness rules are bundled for instrument {instrument.id!r}; "
                             "pass a rules file")
        # Kept per instrument object: a web request or a wave of plans loads them once.
        key = (id(instrument), str(bundled))
        cached = _BUNDLED.get(key)
        if cached is None or cached[0] is not instrument:
            cached = _BUNDLED[key] = (instrument, _load(instrument, bundled))
        return cached[1]
    return _load(instrument, Path(path))


_BUNDLED: dict[tuple[int, str], tuple[Instrument, Rules]] = {}


def _load(instrument: Instrument, path: Path) -> Rules:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the rules: {exc}", file=str(path)) from exc
    return parse_rules(text, instrument, origin=str(path))


def parse_rules(text: str, instrument: Instrument, *, origin: str) -> Rules:
    data, lines = load_with_lines(text, origin=origin)
    if not isinstance(data, dict):
        raise InputError("a rules file must hold a mapping", file=origin)
    try:
        rules = Rules.model_validate({**data, "origin": origin})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = tuple(p for p in first["loc"] if not isinstance(p, str) or p not in _TAGS)
        raise InputError(f"{_dotted(where)}: {first['msg']}", file=origin,
                         row=line_of(lines, where)) from exc
    _Checker(rules, instrument, lines, origin).check()
    return rules


# Pydantic puts the discriminator tag of a union member, and `[key]` for a bad mapping key,
# into an error's location.
_TAGS = frozenset({"services", "partners", "agreement", "[key]"})


def _dotted(path: tuple[Any, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


class _Checker:
    """Every id in the rules must exist in the instrument, with the right kind."""

    def __init__(self, rules: Rules, instrument: Instrument, lines: dict[Any, int],
                 origin: str) -> None:
        self.rules = rules
        self.instrument = instrument
        self.lines = lines
        self.origin = origin
        self.matrix: dict[str, Question] = {}
        for question in instrument.questions:
            if question.type == "matrix":
                self.matrix.update(dict.fromkeys(question.statement_qids(), question))

    def fail(self, path: tuple[Any, ...], message: str) -> InputError:
        return InputError(f"{_dotted(path)}: {message}", file=self.origin,
                          row=line_of(self.lines, path))

    def check(self) -> None:
        rules = self.rules
        if rules.instrument != self.instrument.id:
            raise self.fail(("instrument",), f"these rules are for {rules.instrument!r}, "
                            f"not for the instrument in use, {self.instrument.id!r}")
        minimums = [level.min for level in rules.levels]
        if minimums != sorted(minimums, reverse=True) or minimums[-1] != 0:
            raise self.fail(("levels",), "levels must run from the highest `min` down to a "
                            "last level with min 0")
        self.question(("organization", "type"), rules.organization.type, "single")
        location = self.question(("organization", "location"), rules.organization.location,
                                 "single")
        if not any(option.region for option in location.options):
            raise self.fail(("organization", "location"), f"the options of {location.id!r} "
                            "carry no `region`")
        self.question(("organization", "communities"), rules.organization.communities, "multi")
        self.check_agreement()
        for qid in rules.statements:
            self.statement(("statements", qid), qid)
        ids = [domain.id for domain in rules.domains]
        for index, domain in enumerate(rules.domains):
            path = ("domains", index)
            if ids.count(domain.id) > 1:
                raise self.fail((*path, "id"), f"domain id {domain.id!r} is used twice")
            if isinstance(domain, ServicesDomain):
                self.check_services(domain, path)
            elif isinstance(domain, PartnersDomain):
                self.check_partners(domain, path)
            else:
                for position, qid in enumerate(domain.statements):
                    self.statement((*path, "statements", position), qid)
                    if qid not in rules.statements:
                        raise self.fail((*path, "statements", position),
                                        f"give {qid!r} a short name under `statements`")
        self.check_plan()

    def check_agreement(self) -> None:
        options = {o for q in self.matrix.values() for o in q.option_ids}
        agreement = self.rules.agreement
        for field, ids in (("points", list(agreement.points)), ("strength", agreement.strength),
                           ("gap", agreement.gap), ("unknown", agreement.unknown)):
            for position, option in enumerate(ids):
                if option not in options:
                    raise self.fail(("agreement", field, position if field != "points"
                                     else option),
                                    f"{option!r} is not an answer of the agreement scale; "
                                    f"answers: {', '.join(sorted(options))}")
        unscored = options - set(agreement.points) - set(agreement.unknown)
        if unscored:
            raise self.fail(("agreement", "points"), f"give points to {sorted(unscored)} or "
                            "list them under `unknown`")

    def statement(self, path: tuple[Any, ...], qid: str) -> Question:
        if qid not in self.matrix:
            raise self.fail(path, f"{qid!r} is not a statement of a matrix question "
                            "(write MATRIX.STATEMENT, e.g. fb_policy.adequate_funding)")
        return self.matrix[qid]

    def question(self, path: tuple[Any, ...], qid: str, kind: str) -> Question:
        try:
            question = self.instrument.question(qid)
        except KeyError:
            raise self.fail(path, f"{qid!r} is not a question of {self.instrument.id!r}") \
                from None
        if question.type != kind:
            raise self.fail(path, f"{qid!r} is a {question.type} question; a {kind} "
                            "question is needed here")
        return question

    def check_services(self, domain: ServicesDomain, path: tuple[Any, ...]) -> None:
        for field in ("direct", "referral", "planned"):
            question = self.question((*path, field), getattr(domain, field), "multi")
            if not any(option.core for option in question.options):
                raise self.fail((*path, field), f"{question.id!r} marks no option `core`")
        for kind in ("direct", "referral"):
            if kind not in domain.credit:
                raise self.fail((*path, "credit"), f"give the credit for {kind!r} services")

    def check_partners(self, domain: PartnersDomain, path: tuple[Any, ...]) -> None:
        current = self.question((*path, "current"), domain.current, "multi")
        planned = self.question((*path, "planned"), domain.planned, "multi")
        if current.option_ids != planned.option_ids:
            raise self.fail((*path, "planned"), f"{planned.id!r} and {current.id!r} must share "
                            "one option list")
        seen: dict[str, str] = {}
        for g_index, group in enumerate(domain.groups):
            for o_index, option in enumerate(group.options):
                where = (*path, "groups", g_index, "options", o_index)
                if option not in current.option_ids:
                    raise self.fail(where, f"{option!r} is not an option of {current.id!r}")
                if option in seen:
                    raise self.fail(where, f"{option!r} is already in group {seen[option]!r}")
                seen[option] = group.id
        missing = [o.id for o in current.options if not o.other and o.id not in seen]
        if missing:
            raise self.fail((*path, "groups"), f"put every partner in a group; missing: "
                            f"{', '.join(missing)}")

    def check_plan(self) -> None:
        plan = self.rules.plan
        areas = self.question(("plan", "areas_question"), plan.areas_question, "multi")
        formats = self.question(("plan", "formats_question"), plan.formats_question, "multi")
        for option in formats.options:
            if not option.other and option.id not in plan.format_names:
                raise self.fail(("plan", "format_names"), f"give a short name for the format "
                                f"{option.id!r}")
        for name in plan.format_names:
            if name not in formats.option_ids:
                raise self.fail(("plan", "format_names", name), f"{name!r} is not an option of "
                                f"{formats.id!r}: {', '.join(formats.option_ids)}")
        if self.rules.demand.cohort_format not in formats.option_ids:
            raise self.fail(("demand", "cohort_format"), f"{self.rules.demand.cohort_format!r} "
                            f"is not an option of {formats.id!r}: {', '.join(formats.option_ids)}")
        receiving = self.question(("plan", "receiving_question"), plan.receiving_question,
                                  "single")
        for field in ("receiving", "not_receiving"):
            for index, option in enumerate(getattr(plan, field)):
                if option not in receiving.option_ids:
                    raise self.fail(("plan", field, index), f"{option!r} is not an option of "
                                    f"{receiving.id!r}: {', '.join(receiving.option_ids)}")
        if set(plan.receiving) & set(plan.not_receiving):
            raise self.fail(("plan", "not_receiving"), "an answer cannot mean both receiving "
                            "and not receiving TA")
        for area in plan.next_steps:
            if area not in areas.option_ids:
                raise self.fail(("plan", "next_steps", area),
                                f"{area!r} is not an option of {areas.id!r}")
        missing = [a for a in areas.option_ids if a not in plan.next_steps]
        if missing:
            raise self.fail(("plan", "next_steps"), f"give a next step for {', '.join(missing)}")
        ids = [rule.id for rule in plan.rules]
        for index, rule in enumerate(plan.rules):
            path = ("plan", "rules", index)
            if ids.count(rule.id) > 1:
                raise self.fail((*path, "id"), f"rule id {rule.id!r} is used twice")
            if rule.area not in areas.option_ids:
                raise self.fail((*path, "area"), f"{rule.area!r} is not an option of "
                                f"{areas.id!r}: {', '.join(areas.option_ids)}")
            self.condition(rule.when, (*path, "when"))
            self.reason(rule.reason, (*path, "reason"))

    def condition(self, condition: Condition, path: tuple[Any, ...]) -> None:
        for name, parts in (("all", condition.all_of), ("any", condition.any_of)):
            for index, part in enumerate(parts or ()):
                self.condition(part, (*path, name, index))
        if condition.question is None:
            return
        qid = condition.question
        if qid in self.matrix:
            question = self.matrix[qid]
            if qid not in self.rules.statements:
                raise self.fail((*path, "question"), f"give {qid!r} a short name under "
                                "`statements`")
        else:
            try:
                question = self.instrument.question(qid)
            except KeyError:
                raise self.fail((*path, "question"), f"{qid!r} is not a question or matrix "
                                f"statement of {self.instrument.id!r}") from None
            if question.type not in ("single", "multi"):
                raise self.fail((*path, "question"), f"{qid!r} is a {question.type} question; "
                                "rules test closed questions only")
        if condition.excluding is not None:
            try:
                other = self.instrument.question(condition.excluding)
            except KeyError:
                raise self.fail((*path, "excluding"), f"{condition.excluding!r} is not a "
                                f"question of {self.instrument.id!r}") from None
            if other.option_ids != question.option_ids:
                raise self.fail((*path, "excluding"), f"{other.id!r} does not share the "
                                f"options of {qid!r}")
        options = condition.options
        if isinstance(options, dict):
            known = set(Option.model_fields) - {"id", "label", "source"}
            for attribute, value in options.items():
                if attribute not in known:
                    raise self.fail((*path, "options", attribute),
                                    f"options have no attribute {attribute!r}")
                if not any(getattr(o, attribute) == value for o in question.options):
                    raise self.fail((*path, "options", attribute), f"no option of {qid!r} "
                                    f"has {attribute} = {value!r}")
        elif options is not None:
            for index, option in enumerate(options):
                if option not in question.option_ids:
                    raise self.fail((*path, "options", index),
                                    f"{option!r} is not an option of {qid!r}; expected one "
                                    f"of: {', '.join(question.option_ids)}")

    def reason(self, text: str, path: tuple[Any, ...]) -> None:
        try:
            fields = [(name, spec, conversion) for _, name, spec, conversion
                      in string.Formatter().parse(text) if name is not None]
        except ValueError as exc:
            raise self.fail(path, f"unbalanced braces: {exc}") from exc
        bad = [name for name, spec, conversion in fields
               if spec or conversion or name not in PLACEHOLDERS]
        if bad:
            raise self.fail(path, f"unknown placeholder {{{bad[0]}}}; use "
                            f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}")
