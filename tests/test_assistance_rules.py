"""The rules file: checked against the instrument with errors naming the line; docs kept true."""

from __future__ import annotations

from pathlib import Path

import pytest

from hrta.assistance import load_rules, parse_rules
from hrta.assistance.explain import END, START, rules_markdown
from hrta.assistance.rules import bundled_rules_path
from hrta.errors import InputError

DOC = Path(__file__).parents[1] / "docs" / "assistance.md"


@pytest.fixture(scope="module")
def bundled_text(instrument) -> str:
    return bundled_rules_path(instrument.id).read_text(encoding="utf-8")


def broken(instrument, text: str, old: str, new: str,
           at: str | None = None) -> tuple[InputError, int]:
    """The error of the rules with `old` replaced by `new`, and the line of `at` (by
    default `new`), where the error should point."""
    assert text.count(old) == 1, old
    changed = text.replace(old, new)
    mark = at or new
    line = changed[:changed.index(mark)].count("\n") + 1
    with pytest.raises(InputError) as caught:
        parse_rules(changed, instrument, origin="rules.yaml")
    return caught.value, line


def test_bundled_rules_load(instrument):
    rules = load_rules(instrument)
    assert [d.id for d in rules.domains] == ["services", "partnerships", "organizational",
                                             "community", "policy"]
    assert len(rules.plan.rules) >= 10
    assert load_rules(instrument) is rules  # kept, not read again for every plan


# (text in the bundled rules, its replacement, the error, where the error points if not at
# the replacement)
CASES = [
    ("when: {question: fb_policy.adequate_funding, options: [dont_know]}",
     "when: {question: fb_policy.adequate_funding, options: [dunno]}",
     "plan.rules[1].when.options[0]: 'dunno' is not an option of 'fb_policy.adequate_funding'"),
    ("  fb_policy.adequate_funding: funding\n", "  fb_policy.adequate_fundng: funding\n",
     "statements.fb_policy.adequate_fundng: 'fb_policy.adequate_fundng' is not a statement"),
    ("      area: funding\n      kind: knowledge", "      area: grants\n      kind: knowledge",
     "plan.rules[1].area: 'grants' is not an option of 'ta_areas'"),
    ("reason: You plan to partner with {matched}.", "reason: You plan to partner with {who}.",
     "plan.rules[4].reason: unknown placeholder {who}"),
    ("        options: [public_facilities, faith_based, national_ta_orgs]",
     "        options: [public_facilities, faith_based]",
     "domains[1].groups: put every partner in a group; missing: national_ta_orgs",
     "    groups:\n      - id: harm_reduction"),
    ("        options: [public_facilities, faith_based, national_ta_orgs]",
     "        options: [public_facilities, faith_based, national_ta_orgs, libraries]",
     "domains[1].groups[4].options[3]: 'libraries' is not an option of 'partners_current'"),
    ("    direct: services_direct", "    direct: ta_areas",
     "domains[0].direct: 'ta_areas' marks no option `core`"),
    ("    referral: services_referral", "    referral: state",
     "domains[0].referral: 'state' is a single question; a multi question is needed here"),
    ("  - {id: developing, label: Developing, min: 40}",
     "  - {id: developing, label: Developing, min: 80}",
     "levels: levels must run from the highest `min` down", "levels:\n  - {id: strong"),
    ("  unknown: [dont_know]", "  unknown: []",
     "agreement.points: give points to ['dont_know'] or list them under `unknown`",
     "  points:"),
    ("  cohort_format: small_group", "  cohort_format: zoom",
     "demand.cohort_format: 'zoom' is not an option of 'ta_formats'"),
    ("    evaluation: >-", "    evaluations: >-",
     "plan.next_steps.evaluations: 'evaluations' is not an option of 'ta_areas'"),
    ("    individualized: individualized TA\n", "",
     "plan.format_names: give a short name for the format 'individualized'"),
    ("      when: {question: services_direct, options: {core: true}, fewer_than: 2}",
     "      when: {question: services_direct, options: {core: true}, fewer_than: 2, "
     "at_least: 1}",
     "plan.rules[15].when: Value error, use one of `chosen`, `at_least` or `fewer_than`"),
    ("      when: {question: services_planned, options: {core: true}, excluding: services_direct}",
     "      when: {question: services_planned, options: {colour: blue}}",
     "plan.rules[14].when.options.colour: options have no attribute 'colour'"),
    ("      when: {question: services_planned, options: {core: true}, excluding: services_direct}",
     "      when: {question: challenges}",
     "plan.rules[14].when.question: 'challenges' is a text question"),
    ("{core: true}, excluding: services_direct}", "{core: true}, excluding: partners_current}",
     "plan.rules[14].when.excluding: 'partners_current' does not share the options of "
     "'services_planned'"),
    ("    credit: {direct: 1.0, referral: 0.5}", "    credit: {direct: 1.0, referal: 0.5}",
     "domains[0].credit.referal: Input should be 'direct' or 'referral'"),
]


@pytest.mark.parametrize(("old", "new", "message", "at"),
                         [case if len(case) == 4 else (*case, None) for case in CASES])
def test_errors_name_the_line_and_field(instrument, bundled_text, old, new, message, at):
    error, line = broken(instrument, bundled_text, old, new, at)
    assert error.file == "rules.yaml"
    assert message in error.message
    if new.strip() or at:
        assert error.row == line, (error.row, line, str(error))


def test_rules_for_another_instrument_are_refused(instrument, bundled_text):
    error, _ = broken(instrument, bundled_text, "instrument: harm_reduction_ta_2022",
                      "instrument: other_survey")
    assert "these rules are for 'other_survey', not for the instrument in use" in error.message
    assert error.row == 4


def test_a_rules_file_of_ones_own(instrument, bundled_text, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(bundled_text.replace("areas_shown: 5", "areas_shown: 3"), encoding="utf-8")
    assert load_rules(instrument, path).plan.areas_shown == 3
    with pytest.raises(InputError, match="cannot read the rules"):
        load_rules(instrument, tmp_path / "absent.yaml")


def test_docs_explain_every_rule_as_the_file_says(instrument):
    """docs/assistance.md carries the rules as generated from the rules file; after changing
    the rules, run `python -m hrta.assistance.explain docs/assistance.md`."""
    doc = DOC.read_text(encoding="utf-8")
    generated = doc.partition(START)[2].partition(END)[0]
    assert generated == "\n" + rules_markdown(load_rules(instrument), instrument), \
        "docs/assistance.md is out of date: python -m hrta.assistance.explain docs/assistance.md"
    rules = load_rules(instrument)
    for rule in rules.plan.rules:
        assert f"`{rule.id}`" in generated
    for domain in rules.domains:
        assert f"(`{domain.id}`)" in generated
