"""The wording the audit reads in each report language.

The checks are written against English prose; a report in another language (its `lang`:
`<html lang>`, the Word document's language, the PDF's /Lang) swaps in that language's
version of the patterns that depend on wording — hedges before a figure, answer levels,
filler words, how a denominator or a question is named. A pattern a language does not
redefine keeps its English form, so an English report is read exactly as before.

The language is set for the length of one audit (`speaking`), not passed down every call:
the patterns are used deep inside sentence-level helpers that know nothing of the document.
Where a phrase is one the report's own catalog writes (the question openings, "Figura N"),
it is read from that catalog, hrta/report/messages/narrative.<language>.yaml.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")

_CURRENT: ContextVar[str] = ContextVar("audit_language", default="en")


@contextmanager
def speaking(language: str | None) -> Iterator[None]:
    """Read with `language`'s patterns ('es-US' reads 'es') until the block ends."""
    token = _CURRENT.set((language or "en").split("-")[0].split("_")[0].lower())
    try:
        yield
    finally:
        _CURRENT.reset(token)


def local(name: str, english: T) -> T:
    """The current language's version of the pattern `name`, or `english` when it has none."""
    language = _CURRENT.get()
    if language == "en":
        return english
    found: Any = _patterns(language).get(name, english)
    return found  # type: ignore[no-any-return]


@cache
def _patterns(language: str) -> dict[str, object]:
    return _spanish() if language == "es" else {}


def _catalog_prefixes(prefix: str, placeholder: str) -> list[str]:
    """The words before `placeholder` in every entry of the Spanish report catalog whose key
    starts with `prefix`: "Sobre {label}, ..." gives "Sobre"."""
    from hrta.report.words import report_words

    messages = report_words("es").messages
    found = {text.split(placeholder, 1)[0].strip() for key, text in messages.items()
             if key.startswith(prefix) and placeholder in text}
    return sorted((f for f in found if f), key=len, reverse=True)


def _spanish() -> dict[str, object]:
    i = re.IGNORECASE
    people = (r"(?:personas?\s+(?:encuestadas?|participantes|elegibles)|personas|encuestad[oa]s|"
              r"participantes|organizaciones|agencias|programas|proveedores)")
    number = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
    openings = "|".join(re.escape(p) for p in _catalog_prefixes("narrative.opening.", "{label}"))
    figure = _catalog_prefixes("narrative.figure", "{number}")
    table = _catalog_prefixes("narrative.table", "{number}")
    captions = "|".join(re.escape(w) for w in [*figure, *table, "Fig."])
    stopwords = frozenset(re.findall(r"\S+", """
        a al ante con contra de del desde en entre hacia hasta para por según sin sobre tras
        el la los las lo un una unos unas y e o u ni que quien quienes cual cuales cuyo
        su sus se le les nos nuestra nuestro nuestras nuestros este esta estos estas ese esa
        es son fue fueron era eran está están estaba estaban estuvo estuvieron ser sido
        ha han había hay tiene tienen tenía como más menos muy también solo sólo casi cerca
        todo toda todos todas cada otro otra otros otras ambos
        persona personas encuestada encuestadas encuestado encuestados participante
        participantes respondió respondieron respuesta respuestas opción opciones eligió
        eligieron elegida elegidas elegido elegidos mencionó mencionaron indicó indicaron
        señaló señalaron frecuente frecuentes principal principales común comunes
        organización organizaciones afirmación afirmaciones pregunta preguntas porcentaje
        porcentajes total mayoría seguida seguidas seguido seguidos luego actualmente
        ahora directamente preguntarles cuanto respecto
    """))
    return {
        # numbers.py
        "qualifier": re.compile(
            r"(más\s+de(?:l)?|menos\s+de(?:l)?|poco\s+más\s+de(?:l)?|poco\s+menos\s+de(?:l)?|"
            r"cerca\s+de(?:l)?|casi(?:\s+el)?|aproximadamente(?:\s+el)?|alrededor\s+de(?:l)?|"
            r"al\s+menos(?:\s+el)?|como\s+máximo(?:\s+el)?|como\s+mínimo(?:\s+el)?|"
            # "no suman 100%": the total shares add to, as "add up to 100%" says in English.
            r"hasta(?:\s+el)?|unos|unas|suman|sumaría[n]?|~|<|>|≤|≥|<=|>=)\s*$", i),
        # "IC del 95%", "intervalo de confianza de Wilson del 95%": the level comes first.
        "confidence_before": re.compile(
            r"(?:\bIC|\bconfianza(?:\s+de\s+\w+)?|\bintervalos?(?:\s+de\s+\w+)?)\s+(?:del?\s+)?$",
            i),
        "range_end": re.compile(r"\d(?:[.,]\d+)?\s*%?\s*(?:[-–—]|a|al)\s*$", i),
        "range_start": re.compile(r"\s*(?:[-–—]|a|al)\s*\d", i),
        "sample_patterns": [
            re.compile(r"\bn\s*=\s*(\d{1,3}(?:[.,]\d{3})+|\d+)", i),
            re.compile(rf"\b(?:en\s+)?total(?:,)?\s+(?:de\s+)?({number})\s+{people}", i),
            re.compile(rf"\b({number})\s+{people}\s+(?:respondieron|contestaron|completaron|"
                       rf"indicaron)\b", i),
            re.compile(rf"\b(?:de|entre)\s+(?:las\s+|los\s+|todas\s+las\s+|todos\s+los\s+|"
                       rf"estas\s+|estos\s+)?({number})\s+{people}", i),
            # "(12 de 61, 20%)": a count, its base and its percent, as the report writes them.
            re.compile(rf"(?<![\w.,%])\d+\s+de\s+({number})(?=,\s*(?:el\s+)?\d+(?:[.,]\d+)?\s*%)",
                       i),
        ],
        "question_level": re.compile(
            r"\b(?:respondieron|contestaron|respondió|contestó)\s+(?:esta|la|dicha)\s+"
            r"pregunta\b", i),
        "counted": re.compile(
            rf"\b({number})\s+(?:{people}|estados|territorios|de\s+ell[oa]s)\b", i),
        "not_a_quantity": re.compile(
            rf"(?:{captions}|figura|tabla|página|pág\.|p\.|pp\.|línea|sección|capítulo|"
            r"apéndice|anexo|pregunta|ítem|n\.º|nº|no\.|número|ola|paso|fase|nivel|versión|v|"
            r"A)\s*$", i),
        # claims.py
        "caption_start": re.compile(rf"^({captions})\s+(\d+[A-Za-z]?)\b", i),
        "figure_ref": re.compile(rf"\b({captions})s?\s+(\d+[A-Za-z]?)\b", i),
        "figure_word": figure[0] if figure else "Figura",
        "table_word": table[0] if table else "Tabla",
        "levels": _spanish_levels(),
        "ranking": re.compile(r"\b(?:más|menos|principal(?:es)?|frecuentes?|elegidas?|"
                              r"mayor(?:es)?|menor(?:es)?|común|comunes)\b", i),
        "continued_list": re.compile(
            r"^\W*(?:las?\s+|los?\s+)?(?:opci[oó]n(?:es)?\s+|respuestas?\s+)?(?:más|menos)\s+"
            r"(?:\w+\s+)?(?:fue|fueron|es|son|incluye|incluyen|incluyó|incluyeron)\b", i),
        "list_lead": re.compile(r"\b(?:incluye|incluyen|incluyó|incluyeron|incluidos?|"
                                r"incluidas?)\b|:"),
        "breaks": re.compile(r"\)\s*,|;|,\s+(?=y\b|e\b|el\b|la\b|mientras\b)"),
        "copula": re.compile(r"\s(?:fue|fueron|es|son|era|eran)\s"),
        "connector": re.compile(r"^(?:\W|y\b|e\b|o\b|u\b|seguidas?\s+de\b|seguidos?\s+de\b|"
                                r"luego\b|con\b|mientras\b|el\b|la\b|los\b|las\b)+", i),
        "anaphora": re.compile(r"\b(?:est[ea]s?|es[ea]s?|dich[oa]s?|el\s+mismo|la\s+misma)\s+"
                               r"(?:servicio|opción|actividad|área|tipo|recurso|práctica|"
                               r"programa|aliado)\w*", i),
        "elided": re.compile(r"\s*(?:con|a|para|en|de|desde|por|entre)\b", i),
        "noise": re.compile(r"\((?:[^()]*\b(?:figura|fig\.|tabla|n\s*=|p\.\s*ej\.|es\s+decir)"
                            r"[^()]*)\)", i),
        "examples": re.compile(r",?\s*\b(?:como\s+por\s+ejemplo|por\s+ejemplo|p\.\s*ej\.|"
                               r"incluidos?|incluidas?)\b.*$", i),
        "stopwords": stopwords,
        "word": re.compile(r"[^\W_]+"),
        "scopes": [
            ("future", re.compile(r"\b(?:futuro|planea|planean|planeado|planeados|planeadas?|"
                                  r"planificad[oa]s?|prevé|prevén|previsto|tiene\s+previsto)\b",
                                  i)),
            ("referral", re.compile(r"\b(?:refiere|refieren|referid[oa]s?|referencias?|"
                                    r"deriva|derivan|derivad[oa]s?|derivaciones|derivación)\b",
                                    i)),
        ],
        "quoted_subject": re.compile(r"^\W*(?:de|entre)\b[^“\"]*[“\"]([^”\"]+)[”\"]", i),
        "named_subject": re.compile(
            rf"^\W*(?:{openings}|sobre|en\s+cuanto\s+a|respecto\s+(?:a|de)|para|de|entre)"
            r"\s+(.+?),\s", i),
        "negation": frozenset({"no", "nunca", "ninguna", "ninguno", "ni"}),
        # text.py
        "summary_heading": re.compile(
            r"\b(discusión|resumen|conclusi(?:ón|ones)|hallazgos\s+clave|conclusiones\s+clave|"
            r"puntos\s+clave|aspectos\s+destacados|implicaciones|recomendaciones)\b", i),
        "boundary": re.compile(r"[.!?]+[\"”’»)\]]*\s+(?=[\"“‘«¿¡(\[]?[A-ZÁÉÍÓÚÑÜ0-9])"),
        "caption_head": re.compile(rf"^(?:{captions})\s+\d+[A-Za-z]?\.$", i),
        "abbreviations": frozenset(re.findall(r"\S+", """
            p. ej ej etc vs al dr dra sr sra srta lic ing núm nº fig figs aprox pág págs
            ee uu ee.uu eeuu ud uds ene feb mar abr may jun jul ago sep sept oct nov dic
        """)),
    }


def _spanish_levels() -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Agreement-scale levels as the Spanish questionnaire names them ("Muy o algo de
    acuerdo", "Algo en desacuerdo", "No sé"), tried in order like the English ones."""
    sa, a, n, d, sd, dk = ("strongly agree", "agree", "neutral", "disagree",
                           "strongly disagree", "don't know")
    said = r"(?:(?:dijo|dijeron|respondió|respondieron|eligió|eligieron|contestó|contestaron)\s+)?"
    table: list[tuple[str, tuple[str, ...]]] = [
        (r"\b(?:muy\s+o\s+algo\s+de\s+acuerdo|algo\s+o\s+muy\s+de\s+acuerdo|"
         r"muy\s+de\s+acuerdo\s+o\s+(?:algo\s+)?de\s+acuerdo|de\s+acuerdo\s+o\s+muy\s+de\s+"
         r"acuerdo)\b", (sa, a)),
        (r"\b(?:algo\s+o\s+muy\s+en\s+desacuerdo|muy\s+o\s+algo\s+en\s+desacuerdo|"
         r"muy\s+en\s+desacuerdo\s+o\s+(?:algo\s+)?en\s+desacuerdo|en\s+desacuerdo\s+o\s+muy\s+"
         r"en\s+desacuerdo)\b", (d, sd)),
        (r"\b(?:ni\s+de\s+acuerdo\s+ni\s+en\s+desacuerdo|neutral)\b", (n,)),
        (r"\bmuy\s+de\s+acuerdo\b", (sa,)),
        (r"\bmuy\s+en\s+desacuerdo\b", (sd,)),
        (r"\b(?:algo\s+)?en\s+desacuerdo\b", (d,)),
        (r"\b(?:algo\s+)?de\s+acuerdo\b", (a,)),
        (r"\b(?:no\s+(?:lo\s+)?sé|no\s+sabe|no\s+saben|no\s+estoy\s+segur[oa](?:/a)?|"
         r"no\s+está\s+segur[oa](?:/a)?|sin\s+opinión)(?!\w)", (dk,)),
        (rf"^\s*{said}[\"“']?sí(?!\w)", ("yes",)),
        # "No" the answer, not the start of "No sé".
        (rf"^\s*{said}[\"“']?no(?!\w)(?!\s+(?:lo\s+)?(?:sé|sabe|está|estoy))", ("no",)),
    ]
    return [(re.compile(p, re.IGNORECASE), frozenset(c)) for p, c in table]


__all__ = ["local", "speaking"]
