"""Profiles and TA plans in Spanish: every sentence from the Spanish message catalog, the
rules' words from their Spanish translation, services and topics in the questionnaire's own
Spanish wording; the catalogs complete; names sorted for Spanish readers; `hrta plan --lang es`.
"""

from __future__ import annotations

import json
import re

import pytest
import yaml

from hrta.assistance import Catalog, answers_of, build_plan, load_rules, read_catalog
from hrta.assistance.rules import bundled_rules_path, localize_rules
from hrta.assistance.words import placeholders, words
from hrta.ingest import load_responses
from hrta.instrument.translation import in_reading_order, translate
from hrta.report.plans import render_plan_html
from hrta.wording import collation_key
from tests.conftest import FIXTURES, run_hrta

ENGLISH = {"the", "and", "of", "your", "you", "to", "with", "is", "are", "for", "not",
           "which", "or", "in", "more", "services", "plans", "partners", "statements"}


@pytest.fixture(scope="module")
def wave(instrument):
    return load_responses(FIXTURES / "assistance_profiles.csv", instrument, fmt="native")


@pytest.fixture(scope="module")
def rules(instrument):
    return load_rules(instrument)


@pytest.fixture(scope="module")
def catalog(instrument, rules):
    return Catalog(tuple(read_catalog(FIXTURES / "assistance_catalog.yaml", instrument, rules)))


def _sentences(data, skip=("id", "type", "level", "kind", "rule", "location", "region",
                           "communities", "instrument", "response_id", "link", "format",
                           "title_en", "publisher", "notes", "topics", "services",
                           "org_types", "last_reviewed", "year")) -> list[str]:
    """Every string a reader sees in a plan's JSON (resources' own titles aside)."""
    if isinstance(data, dict):
        if "publisher" in data:  # a catalog resource: its names are the work's own
            return _sentences({k: v for k, v in data.items() if k in ("format_label", "why")})
        return [s for key, value in data.items() if key not in skip
                for s in _sentences(value)]
    if isinstance(data, list):
        return [s for item in data for s in _sentences(item)]
    # Ids (`syringe_services_programs`) are keys, not words anyone reads.
    return [data] if isinstance(data, str) and not re.fullmatch(r"[a-z0-9_.]+", data) else []


def test_a_plan_in_spanish_has_no_english_sentence(wave, rules, catalog, instrument):
    for respondent in ("full", "unknown"):
        answers = answers_of(wave, respondent)
        plan = build_plan(answers, instrument=instrument, rules=rules, catalog=catalog,
                          language="es")
        # What the respondent typed is theirs, in whatever language they wrote it.
        typed = answers.text("ta_areas", "other") or "\0"
        english = [s for s in _sentences(plan.to_json())
                   if ENGLISH & set(re.findall(r"[a-z]+", s.replace(typed, "").lower()))]
        assert english == [], english
    assert plan.language == "es" and plan.profile.language == "es"
    levels = {d.level_label for d in plan.profile.domains}
    assert levels <= {"Sólido", "En desarrollo", "Inicial", "Sin evaluar", "Se desconoce"}


def test_services_are_named_as_the_questionnaire_put_them(wave, rules, catalog, instrument):
    for language, wording, never in (
            ("en", "overdose prevention sites or supervised consumption services",
             "drug consumption rooms"),
            ("es", "sitios de prevención de sobredosis o servicios de consumo supervisado",
             "salas de consumo")):
        plan = build_plan(answers_of(wave, "full"), instrument=instrument, rules=rules,
                          catalog=catalog, language=language)
        gaps = " ".join(plan.profile.domain("services").gaps)
        assert wording in gaps and never not in gaps.lower()
    spanish = build_plan(answers_of(wave, "full"), instrument=instrument, rules=rules,
                         catalog=catalog, language="es")
    areas = translate(instrument, "es").question("ta_areas")
    assert [a.label for a in spanish.areas] == [areas.option(a.id).label for a in spanish.areas]


def test_the_printed_plan_is_spanish_and_marks_the_catalogs_english_names(
        wave, rules, catalog, instrument):
    plan = build_plan(answers_of(wave, "full"), instrument=instrument, rules=rules,
                      catalog=catalog, language="es")
    html = render_plan_html(plan, rules=rules)
    assert '<html lang="es">' in html
    assert "<h1>Su plan de asistencia técnica</h1>" in html
    assert "Próximo paso:" in html and "Maryland (Sur)" in html
    assert "Inicial, menos de 40" in html
    assert '<cite lang="en">A funding toolkit</cite>' in html
    english = render_plan_html(build_plan(answers_of(wave, "full"), instrument=instrument,
                                          rules=rules, catalog=catalog), rules=rules)
    assert '<html lang="en">' in english and 'lang="en">A funding' not in english


def test_message_catalogs_and_rules_translation_are_complete():
    english, spanish = words("en"), words("es")
    assert set(spanish.messages) - {k for k in spanish.messages if k.startswith("region.")} \
        == set(english.messages)
    for key, text in english.messages.items():
        found, wanted = placeholders(spanish.messages[key]), placeholders(text)
        # A count's singular may say "the statement" rather than "1 statement".
        assert found == wanted or (key.endswith(".one") and found == wanted - {"count"}), key
    path = bundled_rules_path("harm_reduction_ta_2022")
    own = yaml.safe_load(path.read_text(encoding="utf-8"))
    wording = yaml.safe_load(path.with_name("harm_reduction_ta_2022.es.yaml")
                             .read_text(encoding="utf-8"))
    assert set(wording["levels"]) == {level["id"] for level in own["levels"]}
    assert set(wording["statements"]) == set(own["statements"])
    assert set(wording["domains"]) == {domain["id"] for domain in own["domains"]}
    groups = {g["id"] for d in own["domains"] for g in d.get("groups", ())}
    assert set(wording["groups"]) == groups
    assert set(wording["format_names"]) == set(own["plan"]["format_names"])
    assert set(wording["next_steps"]) == set(own["plan"]["next_steps"])
    reasons = {rule["id"]: rule["reason"] for rule in own["plan"]["rules"]}
    assert set(wording["reasons"]) == set(reasons)
    for rule_id, reason in reasons.items():
        assert placeholders(wording["reasons"][rule_id]) == placeholders(reason), rule_id


def test_localized_rules_keep_scores_and_conditions(rules):
    spanish = localize_rules(rules, "es")
    assert [(level.id, level.min) for level in spanish.levels] == \
        [(level.id, level.min) for level in rules.levels]
    assert [r.when for r in spanish.plan.rules] == [r.when for r in rules.plan.rules]
    assert spanish.levels[0].label == "Sólido"
    assert localize_rules(rules, "xx") is rules


def test_spanish_joins_with_y_and_e():
    said = words("es")
    assert said.join(["vivienda", "servicios legales"]) == "vivienda y servicios legales"
    assert said.join(["apoyo", "información"]) == "apoyo e información"
    assert words("es-US").language == "es" and words("fr").language == "en"


def test_states_sort_for_spanish_readers(instrument):
    spanish = in_reading_order(translate(instrument, "es"), instrument, "es")
    states = [o.label for o in spanish.question("state").options]
    assert states.index("Carolina del Norte") < states.index("Colorado")
    assert states.index("Míchigan") < states.index("Minnesota")
    assert states[-5:] == ["Puerto Rico", "Guam", "Islas Vírgenes de los Estados Unidos",
                           "Samoa Estadounidense", "Islas Marianas del Norte"]
    assert sorted(o.id for o in spanish.question("state").options) == \
        sorted(instrument.question("state").option_ids)
    # Other lists keep the instrument's order; English keeps it everywhere.
    assert spanish.question("ta_formats").option_ids == \
        instrument.question("ta_formats").option_ids
    assert in_reading_order(instrument, instrument, "en") is instrument
    assert collation_key("ñandú", "es") > collation_key("nutria", "es")


def test_cli_writes_the_plan_in_spanish(tmp_path):
    page = tmp_path / "plan.html"
    data = tmp_path / "plan.json"
    result = run_hrta("plan", str(FIXTURES / "assistance_profiles.csv"), "--respondent", "full",
                      "--format", "native", "--lang", "es", "-o", str(page),
                      "--json", str(data))
    assert result.returncode == 0, result.stderr
    assert '<html lang="es">' in page.read_text(encoding="utf-8")
    plan = json.loads(data.read_text(encoding="utf-8"))
    assert plan["headline"].startswith("7 temas de asistencia técnica")
    bad = run_hrta("plan", str(FIXTURES / "assistance_profiles.csv"), "--respondent", "full",
                   "--format", "native", "--lang", "xx", "-o", str(tmp_path / "x.html"))
    assert bad.returncode == 2 and "--lang" in bad.stderr
    assert not (tmp_path / "x.html").exists()
