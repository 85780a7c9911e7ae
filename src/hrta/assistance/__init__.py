"""Acting on the assessment: a readiness profile and a TA plan for each organization, the TA
catalog plans point to, and the TA center's view of demand and cohorts.

Plain functions over the instrument, a ResponseSet (or one respondent's `Answers`) and the
catalog; the command line and the web app call the same ones:

    instrument = load_bundled(); rules = load_rules(instrument)
    catalog = load_catalog(instrument, rules)
    answers = answers_of(responses, "11822724187")      # or answers_from_mapping(...)
    plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog)
    plan.to_json()       # pages and PDFs of plans: hrta.report.plans.write_plan
    build_demand(responses, rules=rules)
    find_cohorts(responses, rules=rules, consenting={"11822724187", ...})
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

# Where each public name lives. They load on first use: the `hrta` command imports this
# package for its subcommands and should not pay for Polars, Jinja2 and charts up front.
_HOMES = {
    "answers": ("Answers", "all_answers", "answers_from_mapping", "answers_of"),
    "catalog": ("Catalog", "Resource", "Vocabulary", "check_resource", "import_catalog",
                "load_catalog", "read_catalog", "user_catalog_path"),
    "cohorts": ("Cohort", "consenting_ids", "find_cohorts"),
    "demand": ("build_demand",),
    "plan": ("Plan", "PlanArea", "build_plan"),
    "profile": ("DomainResult", "Profile", "build_profile"),
    "rules": ("Rules", "load_rules", "parse_rules"),
}
_MODULE = {name: module for module, names in _HOMES.items() for name in names}

__all__ = sorted(_MODULE)


def __getattr__(name: str) -> Any:
    if name not in _MODULE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{_MODULE[name]}"), name)
