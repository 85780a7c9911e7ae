"""The report's generated sentences in Spanish (`hrta report --lang es`): every kind read
from Findings built under the questionnaire's Spanish wording, with the same numbers as
in English. The small wave is test_report_narrative's (eight eligible respondents, counted
by hand there); the demo wave gives the continuum, themes, comparisons and trend."""

from __future__ import annotations

import csv
import string
from dataclasses import replace
from importlib import resources
from pathlib import Path

import pytest
import yaml

from hrta.analysis import build_findings
from hrta.analysis.pipeline import analyse
from hrta.coding.themes import add_themes
from hrta.demo.generator import demo_responses
from hrta.findings.model import Findings, MatrixStatement, SectionItem
from hrta.ingest import load_responses
from hrta.instrument import Instrument
from hrta.instrument.translation import in_reading_order, translate
from hrta.report import comparisons, narrative, takeaways, themes, trend
from hrta.report.continuum import continuum_sentences
from hrta.report.document import Paragraph, Table
from hrta.report.words import report_words
from hrta.responses import ResponseSet
from hrta.wording import format_count, format_percent
from tests.test_report_narrative import _answers

ES = report_words("es")


def _in_spanish(responses: ResponseSet, instrument: Instrument) -> ResponseSet:
    """The responses under the Spanish wording, as `hrta report --lang es` reads them."""
    return replace(responses, instrument=in_reading_order(translate(instrument, "es"),
                                                          instrument, "es"))


@pytest.fixture(scope="module")
def small(instrument: Instrument, tmp_path_factory: pytest.TempPathFactory) -> Findings:
    path = tmp_path_factory.mktemp("small") / "responses.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["response_id", "question_id", "option_id", "value"])
        writer.writerows(_answers())
    return build_findings(_in_spanish(load_responses(path, instrument, fmt="native"),
                                      instrument))


@pytest.fixture(scope="module")
def demo(instrument: Instrument) -> ResponseSet:
    return _in_spanish(demo_responses(instrument), instrument)


def _item(findings: Findings, qid: str, chart: str | None = None) -> SectionItem:
    return next(item for section in findings.sections for item in section.items
                if item.questions[0] == qid and (chart is None or item.chart == chart))


# Catalogs ---------------------------------------------------------------------------------

def _catalog(language: str) -> dict[str, str]:
    path = resources.files("hrta.report") / "messages" / f"narrative.{language}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_hold_the_same_keys_with_the_same_placeholders() -> None:
    english, spanish = _catalog("en"), _catalog("es")
    assert sorted(english) == sorted(spanish)
    differ = {key: (_placeholders(english[key]), _placeholders(spanish[key]))
              for key in english if _placeholders(english[key]) != _placeholders(spanish[key])}
    assert differ == {}
    # Each key names the part that writes it (the document's keys are another catalog's).
    prefixes = ("narrative.", "takeaway.", "theme.", "compare.", "trend.", "continuum.")
    assert [key for key in english if not key.startswith(prefixes)] == []


def test_every_count_has_both_forms() -> None:
    keys = set(_catalog("es"))
    counted = {key.rsplit(".", 1)[0] for key in keys if key.endswith((".one", ".other"))}
    assert counted and all({f"{k}.one", f"{k}.other"} <= keys for k in counted)


# Respondents ------------------------------------------------------------------------------

def test_overview_one_and_several_excluded(small: Findings) -> None:
    one = narrative.overview_sentences(small, words=ES)
    assert one[0] == ("En total, 9 personas respondieron la encuesta; una de ellas no cumplía "
                      "los criterios de participación y se excluyó del análisis, por lo que "
                      "quedaron 8 personas encuestadas elegibles.")
    assert one[1] == ("Entre las 3 personas encuestadas que indicaron su estado, hubo "
                      "representación de 2 estados o territorios.")
    several = small.model_copy(update={"responses": small.responses.model_copy(
        update={"total": 1208, "excluded": 1200})})
    assert narrative.overview_sentences(several, words=ES)[0] == (
        "En total, 1,208 personas respondieron la encuesta; 1,200 de ellas no cumplían los "
        "criterios de participación y se excluyeron del análisis, por lo que quedaron 8 "
        "personas encuestadas elegibles.")


def test_states_sentence(small: Findings) -> None:
    assert narrative.item_sentences(_item(small, "state"), small, words=ES) == [
        "En total, 3 personas encuestadas indicaron en qué estado se encuentra su "
        "organización; hubo representación de 2 estados o territorios.",
        "Las personas encuestadas provenían de Nueva York (2) y Florida (1) (Figura 1)."]


def test_fielded_dates_in_spanish(demo: ResponseSet) -> None:
    findings = build_findings(demo)
    assert findings.fielded is not None
    sentence = narrative.fielded_sentence(findings, words=ES)
    first, last = findings.fielded.first, findings.fielded.last
    months = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
              "septiembre", "octubre", "noviembre", "diciembre"]
    assert sentence == (f"Las respuestas se recopilaron entre el {first.day} de "
                        f"{months[first.month - 1]} de {first.year} y el {last.day} de "
                        f"{months[last.month - 1]} de {last.year}.")


# Closed questions and statements ----------------------------------------------------------

def test_comparative_sentence_one_leader_and_tied_leaders(small: Findings) -> None:
    # services_direct: naloxone 3 of 3; partners_current: local health and EMS tie at 67%.
    assert narrative.item_sentences(_item(small, "services_direct"), small,
                                    words=ES)[0] == (
        "Sobre servicios que ofrece directamente, la respuesta principal fue distribución de "
        "naloxona (100%, n=3), seguida de servicios de apoyo entre pares (33%) y consejería "
        "individual o en grupo (33%).")
    assert narrative.item_sentences(_item(small, "partners_current"), small, words=ES) == [
        "Al preguntarles por aliados actuales, las opciones más elegidas fueron agencias "
        "locales de salud pública (67%, n=3) y servicios médicos de emergencia (67%), "
        "seguidas de seguridad pública o policía (33%).",
        "Ninguna persona encuestada eligió 18 de las opciones de la lista (Figura 4)."]


def test_single_choice_told_in_full(small: Findings) -> None:
    assert narrative.item_sentences(_item(small, "ta_receiving"), small, words=ES) == [
        "De las 3 personas encuestadas que respondieron la pregunta sobre recibe asistencia "
        "técnica ahora, el 67% respondió “No”; el 33%, “Sí”; y el 0%, “No estoy seguro/a” "
        "(Figura 10)."]


def test_nobody_answered(small: Findings) -> None:
    assert narrative.item_sentences(_item(small, "ta_formats"), small, words=ES) == [
        "Ninguna de las personas encuestadas elegibles respondió la pregunta sobre tipos de "
        "asistencia técnica (Figura 12)."]


def test_statements_quoted_as_respondents_read_them(small: Findings) -> None:
    funding = small.questions["fb_policy.adequate_funding"]
    assert isinstance(funding, MatrixStatement)
    assert narrative.statement_sentence(funding, words=ES) == (
        "De las 3 personas encuestadas, el 0% está muy o algo de acuerdo con la afirmación "
        "“Hay suficientes fondos para apoyar la reducción de daños en nuestra organización”, "
        "el 67% está algo o muy en desacuerdo y el 33% respondió “No sé”.")
    section = next(s for s in small.sections if s.id == "facilitators_barriers")
    assert narrative.section_sentences(section, small, words=ES) == [
        "Las personas encuestadas estuvieron más de acuerdo con “La dirección de nuestra "
        "organización apoya los servicios de reducción de daños” (100% muy o algo de acuerdo, "
        "n=3) y estuvieron más en desacuerdo con “Hay suficientes fondos para apoyar la "
        "reducción de daños en nuestra organización” (67% algo o muy en desacuerdo, n=3)."]


# Executive summary ------------------------------------------------------------------------

def test_takeaways_with_counts_and_bases(small: Findings) -> None:
    assert takeaways.takeaways(small, words=ES) == [
        "Pocas organizaciones reciben asistencia técnica en la actualidad (1 de 3, 33%), "
        "mientras que el área más solicitada, superar el estigma y el rechazo a la reducción "
        "de daños en las comunidades, fue elegida por 8 de 8, 100%.",
        "Las personas encuestadas estuvieron más de acuerdo con “La dirección de nuestra "
        "organización apoya los servicios de reducción de daños” (3 de 3, 100%, muy o algo "
        "de acuerdo) y más en desacuerdo con “Hay suficientes fondos para apoyar la reducción "
        "de daños en nuestra organización” (2 de 3, 67%, algo o muy en desacuerdo)."]


def test_what_this_means_for_ta(small: Findings) -> None:
    assert takeaways.ta_priorities(small, words=ES) == [
        "Áreas que conviene ofrecer primero, según la proporción de las 8 personas "
        "encuestadas que las solicitaron: superar el estigma y el rechazo a la reducción de "
        "daños en las comunidades (8 de 8, 100%), poner en marcha prácticas o servicios "
        "concretos de reducción de daños (3 de 8, 38%) y conseguir fondos o reembolsos para "
        "estrategias de reducción de daños (1 de 8, 13%)."]


def test_most_planned_and_weakest_links(demo: ResponseSet) -> None:
    findings = build_findings(demo)
    found = takeaways.takeaways(findings, words=ES)
    planned = findings.questions["services_planned"]
    partners = findings.questions["partners_current"]
    assert any(s.startswith("En cuanto a servicios que planea ofrecer, la") for s in found)
    assert any(s.startswith("Los vínculos más débiles fueron con ") for s in found)
    text = " ".join(found)
    assert f" de {format_count(planned.n)}, " in text
    assert f" de {format_count(partners.n)}, " in text
    assert " of " not in text and "respondents" not in text


# Continuum --------------------------------------------------------------------------------

def test_continuum_reads_across_stages(demo: ResponseSet) -> None:
    findings = build_findings(demo)
    item = _item(findings, "services_direct", "continuum")
    sentences = continuum_sentences(item, findings, words=ES)
    direct, referral, planned = (findings.questions[q] for q in item.questions)
    assert sentences[0] == (
        f"La Figura {item.number}{item.suffix} presenta lado a lado, para cada opción de "
        "servicios, el porcentaje de respuestas en cada etapa: que ofrece directamente "
        f"(n={direct.n}), a los que refiere (n={referral.n}) y que planea ofrecer "
        f"(n={planned.n}).")
    assert sentences[1].startswith("Las opciones de servicios que ofrece directamente con "
                                   "menor frecuencia fueron ")
    assert f" de {direct.n}, " in sentences[1]
    assert sentences[2].startswith("En ") and " frente a " in sentences[2]
    assert "el porcentaje en la etapa “a los que refiere” superó al de la etapa “que ofrece " \
           "directamente”" in sentences[2]


# Themes -----------------------------------------------------------------------------------

def test_theme_sentences_and_notes(demo: ResponseSet) -> None:
    findings = analyse(demo, themes=add_themes)
    item = _item(findings, "challenges")
    coding = findings.questions["challenges"].coding
    assert coding is not None and coding.status == "coded"
    opening = narrative.item_sentences(item, findings, words=ES)
    assert opening[0] == (f"En total, {coding.n} personas encuestadas respondieron esta "
                          "pregunta abierta.")
    assert opening[1].startswith("Entre los temas comunes que surgieron figuran ")
    assert opening[2].startswith("Estos temas están codificados automáticamente, aún sin "
                                 "revisar: ninguna persona ha confirmado los códigos")
    blocks = themes.theme_blocks(item, findings, words=ES)
    table = blocks[0]
    assert isinstance(table, Table)
    assert [c.label for c in table.columns] == ["Personas encuestadas", "Porcentaje",
                                                "IC del 95%"]
    assert table.stub == "Tema"
    assert "mediante un modelo de representación semántica" in table.notes[0]
    first = coding.themes[0]
    said = [b.text for b in blocks if isinstance(b, Paragraph)]
    top = [t for t in coding.themes if t.count == first.count]
    if len(top) > 1:
        assert f"fueron los desafíos más citados por quienes respondieron esta pregunta: " \
               f"{first.count} personas mencionaron cada uno " \
               f"({format_percent(first.percent)} de {coding.n})" in said[0]
    else:
        assert f"fue el desafío más citado por quienes respondieron esta pregunta " \
               f"(n={first.count}, {format_percent(first.percent)} de {coding.n})" in said[0]


def test_reviewed_theme_headline_one_and_several(demo: ResponseSet) -> None:
    findings = analyse(demo, themes=add_themes)
    item = _item(findings, "challenges")
    entry = findings.questions["challenges"]
    coding = entry.coding
    reviewed = coding.model_copy(update={"confirmed": coding.n})
    several = findings.model_copy(update={"questions": {
        **findings.questions, "challenges": entry.model_copy(update={"coding": reviewed})}})
    line = themes.headline(item, several, words=ES)
    assert line is not None and line.startswith(
        "Los desafíos que las personas encuestadas mencionaron con más frecuencia fueron ")
    t = reviewed.themes[0]
    assert f"({t.count} de {reviewed.n}, {format_percent(t.percent)})" in line
    alone = reviewed.model_copy(update={"themes": [t.model_copy()] + [
        other.model_copy(update={"count": 0, "percent": 0.0}) for other in reviewed.themes[1:]]})
    one = findings.model_copy(update={"questions": {
        **findings.questions, "challenges": entry.model_copy(update={"coding": alone})}})
    assert themes.headline(item, one, words=ES) == (
        "El desafío que las personas encuestadas mencionaron con más frecuencia fue "
        f"{t.label[0].lower() + t.label[1:]} ({t.count} de {reviewed.n}, "
        f"{format_percent(t.percent)}).")


# Comparisons and trend --------------------------------------------------------------------

def test_subgroup_comparison_sentences(demo: ResponseSet) -> None:
    findings = analyse(demo, by="org_type")
    compared = findings.comparisons
    assert compared is not None
    section = comparisons.comparisons_section(findings, words=ES)
    assert section is not None
    assert section.title == f"Comparaciones según {compared.by_label.lower()}"
    intro = section.blocks[0]
    assert isinstance(intro, Paragraph)
    assert intro.text.startswith("En este capítulo se comparan las respuestas de las personas "
                                 f"encuestadas según {compared.by_label.lower()}, "
                                 "en estos grupos: ")
    assert "tasa de falsos descubrimientos de Benjamini-Hochberg, α = 0.05" in intro.text
    combined = next(g for g in compared.groups if g.id == "combined")
    assert "se comparan juntos como “Todos los demás grupos”: " in intro.text
    assert f"Todos los demás grupos (n={combined.n})" in intro.text
    # A significant difference, set by hand on one multi-choice option, with its percents.
    qid, question = next((q, c) for q, c in compared.questions.items()
                         if c.type == "multi" and any(o.test for o in c.options.values()))
    key, option = next((k, o) for k, o in question.options.items() if o.test)
    marked = option.model_copy(update={"test": option.test.model_copy(
        update={"significant": True, "p_adjusted": 0.0004})})
    changed = compared.model_copy(update={"questions": {
        **compared.questions, qid: question.model_copy(update={"options": {
            **question.options, key: marked}})}})
    sentence = comparisons.comparison_sentences(changed, findings, words=ES)[0]
    assert sentence.startswith("En ") and f"“{option.label}” varió según" in sentence
    assert sentence.endswith("(p ajustado<0.001).")
    shown = [(g, option.groups[g.id]) for g in compared.groups if g.id in option.groups]
    for group, cell in shown:
        if not cell.suppressed:
            assert f"{group.label} {format_percent(cell.percent)} (n={cell.n})" in sentence


def test_trend_sentences(demo: ResponseSet, instrument: Instrument) -> None:
    findings = analyse(demo, previous=demo)
    assert trend.trend_sentences(findings.trend, findings, words=ES) == [
        "Desde la ronda anterior, ningún cambio fue mayor de lo que explicaría el azar."]
    qid, question = next(iter(findings.trend.questions.items()))
    key, change = next(iter(question.options.items()))
    moved = change.model_copy(update={"percent_before": 20.0, "percent": 35.0,
                                      "difference": 15.0, "ci_low": 3.0, "ci_high": 27.0})
    changed = findings.trend.model_copy(update={"label": "la encuesta de 2021", "questions": {
        qid: question.model_copy(update={"options": {key: moved}})}})
    (sentence,) = trend.trend_sentences(changed, findings, words=ES)
    n = f"{question.n:,}"
    assert sentence.endswith(f"aumentó del 20% de {question.n_before:,} al 35% de {n} "
                             "(+15 puntos; IC del 95%: +3 a +27).")
    section = trend.trend_section(findings.model_copy(update={"trend": changed}), words=ES)
    assert section is not None and section.title == "Cambio desde la encuesta de 2021"


def test_english_is_the_default(small: Findings) -> None:
    assert narrative.item_sentences(_item(small, "ta_formats"), small) == [
        "No eligible respondent answered the question on tipos de asistencia técnica "
        "(Figure 12)."]


def test_report_words_fall_back_to_english_for_an_unknown_language() -> None:
    assert report_words("fr").language == "en"
    assert Path(str(resources.files("hrta.report") / "messages" / "narrative.es.yaml")).is_file()


# Figures and weighting ---------------------------------------------------------------------

def test_figure_labels_notes_and_weighted_columns(demo: ResponseSet, tmp_path: Path) -> None:
    from hrta.report.items import build_item

    margins = tmp_path / "margins.yaml"
    margins.write_text("margins:\n  role.group: {leadership: 0.45, staff: 0.55}\n",
                       encoding="utf-8")
    findings = analyse(demo, weights=margins)
    item = _item(findings, "ta_areas")
    figure = build_item(item, findings, words=ES)
    entry = findings.questions["ta_areas"]
    assert figure.caption == f"Figura {item.number}{item.suffix}. {item.title} (n={entry.n})"
    (table,) = figure.tables
    assert [c.label for c in table.columns] == [
        "Recuento", "Porcentaje", "IC del 95%", "% ponderado", "IC del 95% ponderado"]
    first = table.rows[0]
    option = next(o for o in entry.options.values() if o.label == first.label)
    assert first.cells[:2] == (format_count(option.count), format_percent(option.percent))
    assert figure.notes[0] in (
        "Las personas encuestadas podían elegir más de una opción, por lo que los porcentajes "
        "suman más del 100%.",) or figure.notes[0].startswith(
        "Las personas encuestadas eligieron hasta ")
    assert figure.chart is not None and figure.chart.alt.endswith(
        "La tabla de la figura en el apéndice presenta todos los valores.")
    grid = build_item(_item(findings, "fb_organizational"), findings, words=ES)
    assert grid.chart is not None and grid.chart.alt.split(". ")[1].startswith(
        "Gráfico de barras apiladas divergentes por afirmación")
    assert "← de acuerdo · en desacuerdo →" in str(grid.chart.spec)


def test_role_groups_named_in_spanish(demo: ResponseSet) -> None:
    findings = build_findings(demo)
    grouping = findings.profile["role_groups"]
    leadership = grouping.groups["leadership"]
    assert narrative.overview_sentences(findings, words=ES)[-1] == (
        f"De quienes indicaron su función o cargo profesional (n={grouping.n}), el "
        f"{format_percent(leadership.percent)} ocupaba puestos de dirección.")
