"""The Spanish questionnaire says what the English one asks (translator's review, rows 1-5).

Each of these wordings changed what respondents understood, and so the data: a drug-checking
item read as drug testing of people, a challenges question that invited a money reading.
"""

from __future__ import annotations

import pytest

from hrta.instrument import Instrument
from hrta.instrument.translation import translate


@pytest.fixture(scope="module")
def spanish(instrument: Instrument) -> Instrument:
    return translate(instrument, "es")


def _option(instrument: Instrument, option_id: str) -> str:
    return next(o.label for q in instrument.questions for o in q.options if o.id == option_id)


def _statement(instrument: Instrument, statement_id: str) -> str:
    return next(s.text for q in instrument.questions for s in q.statements
                if s.id == statement_id)


def test_drug_checking_is_about_what_drugs_contain(spanish: Instrument) -> None:
    label = _option(spanish, "other_drug_checking")
    assert "qué contienen las drogas" in label
    assert "servicios de análisis de drogas" not in label


def test_challenges_question_neither_invites_money_nor_presumes_adoption(
        spanish: Instrument) -> None:
    text = next(q.text for q in spanish.questions if q.id == "challenges")
    assert "costado" not in text and "al adoptar" not in text
    assert "mayores retos" in text and "si los ha habido" in text


def test_staff_knowledge_means_knowing_well(spanish: Instrument) -> None:
    text = _statement(spanish, "staff_knowledge")
    assert "tiene buenos conocimientos" in text
    assert "conoce los servicios" not in text


def test_trading_sex_is_explained(spanish: Instrument) -> None:
    assert _option(spanish, "outreach_sex_trade").endswith("por dinero, drogas u otras cosas")


def test_deflection_is_not_the_word_for_referral(spanish: Instrument) -> None:
    label = _option(spanish, "deflection_programs")
    # "derivación" is this questionnaire's word for referral; bare "diversion" reads as fun.
    assert "derivación" not in label
    assert "desvío" in label and "(pre-arrest diversion)" in label


# Rows 6-24 of the review: terminology and style a U.S. health-care reader expects.
@pytest.mark.parametrize(("option_id", "wanted"), [
    ("opioid_treatment_program", "trastorno por consumo de opioides (OTP)"),
    ("public_facilities", "Instituciones públicas"),
    ("health_centers", "calificados a nivel federal (FQHC)"),
    ("peer_support_worker", "Trabajador/a de apoyo entre pares"),
    ("safer_use_hotlines", "de apoyo para un consumo más seguro"),
    ("sud_counselor", "alcohol y drogas (TCS)"),
    ("short_resources", "listas de verificación"),
    ("toolkits", "conjuntos de herramientas (toolkits) u hojas de ruta"),
    ("individualized", "Asistencia técnica individualizada"),
    ("legal_policy", "Orientarse en las leyes"),
    ("social_services_referral", "Referidos a servicios"),
])
def test_review_rows_6_to_24(spanish: Instrument, option_id: str, wanted: str) -> None:
    assert wanted in _option(spanish, option_id)


def test_review_questions_and_approach(spanish: Instrument) -> None:
    def text(qid: str) -> str:
        return next(q.text for q in spanish.questions if q.id == qid)

    assert "drug checking" in next(a.label for a in spanish.program_approaches
                                   if a.id == "drug_checking")
    assert text("facilitators").endswith("si hubo algo?")
    assert text("ta_formats").endswith("Elija los tres que más le servirían.")
    assert "refiere" in text("services_referral")
