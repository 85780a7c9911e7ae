"""Spanish, shipped: the interface catalogue is complete and compiled, the instrument has
Spanish wording for every label, every respondent page in Spanish has no English left,
the language chosen on the landing page sticks, and answers keep the instrument's ids."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.test import Client

from hrta.instrument import load_bundled
from hrta.instrument.translation import available_languages, translate, untranslated
from hrta.web.surveys.models import Response, Wave
from tests.conftest import run_hrta
from tests.web.respondents import csrf, page_count, page_of, post, reach, resume_code

LOCALE = Path(__file__).resolve().parents[2] / "src" / "hrta" / "web" / "locale"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


# The checks shared with the command line (import errors, catalog checks) have their own
# catalogue, which makemessages in src/hrta/web does not see (hrta.web.inputerrors).
SHARED_LOCALE = LOCALE.parents[1] / "locale"


def _catalogues() -> list[Path]:
    found = sorted(LOCALE.glob("*/LC_MESSAGES/django.po"))
    assert found, f"no catalogue under {LOCALE}"
    shared = sorted(SHARED_LOCALE.glob("*/LC_MESSAGES/django.po"))
    assert shared, f"no catalogue under {SHARED_LOCALE}"
    return found + shared


def _entry(entry: polib._BaseEntry) -> tuple:
    plurals = tuple(sorted((int(k), v) for k, v in entry.msgstr_plural.items()))
    return entry.msgctxt or "", entry.msgid, entry.msgid_plural or "", entry.msgstr, plurals


@pytest.mark.parametrize("po_path", _catalogues(), ids=lambda p: "/".join(p.parts[-5:-2]))
def test_catalogue_is_translated_and_compiled(po_path: Path):
    po = polib.pofile(str(po_path))
    assert not po.metadata_is_fuzzy, f"{po_path}: the header is marked fuzzy"
    problems = [f"untranslated: {e.msgid!r}" for e in po.untranslated_entries()]
    problems += [f"fuzzy: {e.msgid!r}" for e in po.fuzzy_entries()]
    problems += [f"obsolete: {e.msgid!r}" for e in po.obsolete_entries()]
    forms = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"])[1])
    for entry in po.translated_entries():
        # A count whose form is missing is shown in English ("7 responses.").
        if entry.msgid_plural and sorted(k for k, v in entry.msgstr_plural.items() if v) != \
                list(range(forms)):
            problems.append(f"not all {forms} plural forms: {entry.msgid!r}")
        wanted = set(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                problems.append(f"placeholders differ: {entry.msgid!r} -> {text!r}")
    assert not problems, f"{po_path}:\n" + "\n".join(problems)

    # The compiled catalogue holds exactly the .po's translations: a .mo compiled from an
    # older .po fails here (run `django-admin compilemessages` in src/hrta/web).
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.is_file(), f"{mo_path} is missing: compile the catalogue"
    compiled = {_entry(e) for e in polib.mofile(str(mo_path)) if e.msgid}
    source = {_entry(e) for e in po.translated_entries()}
    stale = sorted(source ^ compiled, key=str)
    assert not stale, f"{mo_path} does not match {po_path.name}: {stale[:5]}"
    with mo_path.open("rb") as handle:  # the reader Django itself uses
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.info()["plural-forms"] == po.metadata["Plural-Forms"]


def test_django_serves_the_spanish_catalogue():
    from django.utils import translation

    with translation.override("es"):
        assert translation.gettext("Save and continue") == "Guardar y continuar"
        assert translation.ngettext("Choose up to %(limit)s answer.",
                                    "Choose up to %(limit)s answers.", 3) \
            % {"limit": 3} == "Elija hasta 3 respuestas."


# Words that are the same in English and Spanish, allowed to stay as they are.
SAME_IN_BOTH = {("ta_receiving", "no"), ("raffle_opt_in", "no")}
PLACE_NAMES = "state"


def test_instrument_has_spanish_wording_for_every_label():
    instrument = load_bundled()
    assert "es" in available_languages(instrument.id)
    assert untranslated(instrument, "es") == []
    spanish = translate(instrument, "es")
    english_left = []
    for question in instrument.questions:
        other = spanish.question(question.id)
        # Only words change: ids, order, types and skip logic stay the instrument's own.
        assert other.option_ids == question.option_ids
        assert [s.id for s in other.statements] == [s.id for s in question.statements]
        assert (other.type, other.required, other.show_if, other.max_choices) == \
            (question.type, question.required, question.show_if, question.max_choices)
        if other.text == question.text:
            english_left.append(question.id)
        if question.short and other.short == question.short:
            english_left.append(f"{question.id} (short)")
        for option, label in zip(question.options, other.options, strict=True):
            if (label.label == option.label and question.id != PLACE_NAMES
                    and (question.id, option.id) not in SAME_IN_BOTH):
                english_left.append(f"{question.id}.{option.id}: {option.label}")
        for statement, text in zip(question.statements, other.statements, strict=True):
            if text.text == statement.text:
                english_left.append(f"{question.id}.{statement.id}")
    for section, other_section in zip(instrument.sections, spanish.sections, strict=True):
        if section.title == other_section.title:
            english_left.append(f"section {section.id}")
    assert spanish.title != instrument.title
    assert not english_left, english_left


def test_a_missing_label_is_reported(tmp_path):
    instrument = load_bundled()
    # A translation covers every label of the instrument it was written for; an instrument
    # with a question it does not know is reported, not silently shown in English.
    data = instrument.model_dump()
    data["sections"][1]["questions"][0]["options"][0]["id"] = "new_place"
    changed = type(instrument).model_validate(data)
    assert "questions.state.options.new_place" in untranslated(changed, "es")


def test_cli_shows_the_instrument_in_spanish():
    result = run_hrta("instrument", "show", "--language", "es", "--json")
    assert result.returncode == 0, result.stderr
    assert '"label": "Nueva York"' in result.stdout
    assert '"id": "ny"' in result.stdout
    unknown = run_hrta("instrument", "show", "--language", "xx")
    assert unknown.returncode == 2
    assert "no 'xx' wording" in unknown.stderr


def _spanish_client() -> Client:
    client = Client(enforce_csrf_checks=True)
    client.cookies["django_language"] = "es"
    return client


def test_answering_in_spanish_stores_the_same_ids(wave):
    client = _spanish_client()
    reach(client, wave, 2)
    page = client.get(f"/w/{wave.slug}/page/2/").content.decode()
    assert 'lang="es"' in page
    assert "¿En qué estado o territorio está su organización?" in page
    assert ">Nueva York<" in page and 'value="ny"' in page
    post(client, f"/w/{wave.slug}/page/2/", {"state": "ny", "role": "other",
                                             "role__other__text": "Enfermera jefa",
                                             "communities": ["rural", "frontier"],
                                             "action": "next"})
    response = Response.objects.get(wave=wave)
    assert response.language == "es"
    assert set(response.answers.values_list("question_id", "option_id", "value")) == {
        ("screening", "employed", None), ("state", "ny", None),
        ("role", "other", "Enfermera jefa"), ("communities", "rural", None),
        ("communities", "frontier", None)}
    # The same answers, read back in English, are the instrument's own labels.
    english = Client()
    english.cookies = client.cookies
    english.cookies["django_language"] = "en"
    again = english.get(f"/w/{wave.slug}/page/2/").content.decode()
    assert re.search(r'<option value="ny" selected>New York</option>', again)


def test_spanish_errors_and_numbers(wave):
    client = _spanish_client()
    number = page_of(wave, "challenges")
    reach(client, wave, number)
    reply = post(client, f"/w/{wave.slug}/page/{number}/",
                 {"challenges": "a" * 10_001, "action": "next"})
    assert reply.status_code == 400
    body = reply.content.decode()
    assert "Su respuesta tiene 10\xa0001 caracteres. Acórtela a 10\xa0000 caracteres o " \
           "menos." in body
    assert "Corrija 1 respuesta" in body


def test_language_chosen_on_the_landing_page_sticks_and_is_recorded(wave):
    client = Client(enforce_csrf_checks=True)
    landing = client.get(f"/w/{wave.slug}/").content.decode()
    assert re.search(r'<button[^>]*name="language" value="es" lang="es">Español</button>',
                     landing)
    token = client.cookies["csrftoken"].value
    chosen = client.post("/i18n/setlang/", {"language": "es", "next": f"/w/{wave.slug}/",
                                            "csrfmiddlewaretoken": token})
    assert chosen.status_code == 302 and chosen["Location"] == f"/w/{wave.slug}/"
    assert "Comenzar la evaluación" in client.get(f"/w/{wave.slug}/").content.decode()
    post(client, f"/w/{wave.slug}/start/")
    first = client.get(f"/w/{wave.slug}/page/1/").content.decode()
    assert "Sobre usted" in first and "Guardar y continuar" in first
    post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed", "action": "next"})
    assert Response.objects.get(wave=wave).language == "es"
    code = resume_code(client, wave)

    # A new device without any cookie comes back in the respondent's language.
    fresh = Client()
    reply = fresh.get(f"/resume/{code}/")
    assert reply.status_code == 302
    assert fresh.cookies["django_language"].value == "es"
    assert "Su organización" in fresh.get(reply["Location"]).content.decode()

    # Switching part way is recorded with the next saved page.
    fresh.cookies["django_language"] = "en"
    csrf(fresh, f"/w/{wave.slug}/page/2/")
    post(fresh, f"/w/{wave.slug}/page/2/", {"state": "pa", "action": "next"})
    assert Response.objects.get(wave=wave).language == "en"


class _Text(HTMLParser):
    """The words a page shows or reads out: text and the attributes people hear."""

    SPOKEN = ("aria-label", "title", "alt", "placeholder", "data-count", "data-full")

    def __init__(self) -> None:
        super().__init__()
        self.words: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            if name in self.SPOKEN and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text: str) -> None:
        # Sentence by sentence, so an English sentence beside a Spanish one is caught too.
        for sentence in re.split(r"(?<=[.!?:;])\s+| — ", " ".join(text.split())):
            if re.search(r"[A-Za-z]{2}", sentence):
                self.words.add(sentence)


def _words(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    return parser.words


def test_no_english_left_on_any_respondent_page_in_spanish(wave):
    """The same steps in English and in Spanish: a text that reads the same in both is
    an untranslated string (a missing catalogue entry or instrument label)."""
    closed = Wave.objects.create(slug=f"{wave.slug}-closed", title=wave.title,
                                 accepting=False)
    Wave.objects.create(slug=f"{wave.slug}-other", title=wave.title)  # a choice of two
    instrument = load_bundled()
    same = {wave.title, "English", "Español", "Error:", "ABCD-EFGH-JKLM-…"}
    same |= {o.label for o in instrument.question(PLACE_NAMES).options}
    same |= {"No"} | set(Wave.objects.values_list("title", flat=True))  # names, not words
    clients = {"en": Client(enforce_csrf_checks=True), "es": _spanish_client()}
    pages: dict[str, dict[str, str]] = {"en": {}, "es": {}}

    def visit(name: str, step) -> None:
        for language, client in clients.items():
            reply = step(client)
            assert reply.status_code in (200, 400, 404, 410), (name, reply)
            pages[language][name] = reply.content.decode()

    visit("landing", lambda c: c.get(f"/w/{wave.slug}/"))
    visit("choose wave", lambda c: c.get("/"))
    for client in clients.values():
        csrf(client, f"/w/{wave.slug}/")
        post(client, f"/w/{wave.slug}/start/")
    visit("page 1", lambda c: c.get(f"/w/{wave.slug}/page/1/"))
    visit("page 1 with errors", lambda c: post(c, f"/w/{wave.slug}/page/1/",
                                               {"action": "next"}))
    for client in clients.values():
        post(client, f"/w/{wave.slug}/page/1/", {"screening": "employed", "action": "next"})
    visit("saved", lambda c: c.get(f"/w/{wave.slug}/saved/"))
    for number in range(2, page_count(wave) + 1):
        visit(f"page {number}", lambda c, n=number: c.get(f"/w/{wave.slug}/page/{n}/"))
        if number == page_of(wave, "ta_formats"):
            visit("top three error", lambda c, n=number: post(
                c, f"/w/{wave.slug}/page/{n}/",
                {"ta_formats": ["toolkits", "webinars", "small_group", "convenings"],
                 "role": "x", "action": "next"}))
        for client in clients.values():
            post(client, f"/w/{wave.slug}/page/{number}/",
                 {"action": "next", "role": "ceo", "ta_formats": ["toolkits"],
                  "fb_policy.local_laws_help": "dont_know"})
    visit("review", lambda c: c.get(f"/w/{wave.slug}/review/"))
    for client in clients.values():
        post(client, f"/w/{wave.slug}/review/")
    visit("thanks", lambda c: c.get(f"/w/{wave.slug}/thanks/"))
    visit("thanks with errors", lambda c: post(c, f"/w/{wave.slug}/thanks/",
                                               {"raffle_opt_in": "yes", "raffle_email": "x"}))
    visit("resume", lambda c: c.get("/resume/"))
    visit("resume error", lambda c: post(c, "/resume/", {"code": "nope"}))
    visit("resume link error", lambda c: c.get(f"/resume/{'B' * 32}/"))
    visit("closed", lambda c: c.get(f"/w/{closed.slug}/"))
    visit("not found", lambda c: c.get("/w/no-such-wave/"))
    for client in clients.values():
        client.cookies.pop("sessionid", None)
    for client in clients.values():
        reach(client, wave, 1)
        post(client, f"/w/{wave.slug}/page/1/", {"screening": "not_employed",
                                                 "action": "next"})
    visit("ineligible", lambda c: c.get(f"/w/{wave.slug}/ineligible/"))

    left = {name: sorted(_words(pages["es"][name]) & _words(pages["en"][name]) - same)
            for name in pages["es"]}
    left = {name: words for name, words in left.items() if words}
    assert not left, left
    assert [name for name, html in pages["es"].items() if 'lang="es"' not in html] == []
