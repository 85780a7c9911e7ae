"""A Spanish-speaking respondent never meets English, from the first page to the plan's PDF:
real headless Chromium against gunicorn walks the landing page, every page of the
assessment, the review, the thank-you page, the TA plan, the printable plan and the PDF, and
checks each page's `lang` and its words. The only English allowed is the names of works in
the TA catalog (titles and publishers, marked lang="en"), the language switch's "English",
and the proper nouns and acronyms of the Spanish questionnaire itself. axe-core finds
nothing serious on the plan's pages."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from hrta.web.assistance.models import CatalogEntry
from hrta.web.surveys import flow
from tests.web.test_a11y import _SERIOUS, with_axe

pytestmark = pytest.mark.sqlite_only(
    reason="what a page says does not depend on the database")

# Words of English that Spanish never uses: one of them outside a catalog name is a string
# left untranslated.
ENGLISH = {"the", "and", "of", "your", "you", "to", "with", "is", "are", "for", "this",
           "that", "not", "our", "what", "which", "or", "in", "on", "more", "answers",
           "score", "level", "plan's", "step", "next", "print", "download", "back"}

# Text of the page outside elements marked lang="en", and the elements so marked.
_WORDS = """() => {
  const outside = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style")) continue;
    if (parent.closest("[lang]").getAttribute("lang") === "en") continue;
    outside.push(node.textContent);
  }
  for (const el of document.querySelectorAll("[aria-label], [title], [alt]")) {
    outside.push(el.getAttribute("aria-label") || el.getAttribute("title")
                 || el.getAttribute("alt"));
  }
  const english = [...document.querySelectorAll('body [lang="en"]')].map(el => ({
    inResources: Boolean(el.closest(".hrta-resources, ul.resources")),
    inSwitch: Boolean(el.closest("form[action*='i18n']")), text: el.textContent.trim()}));
  return {lang: document.documentElement.lang, outside: outside.join(" "), english};
}"""

# What the walk answers, by answer id (USWDS inputs are tapped through their labels).
TAPS = ["org_type-community_sud_treatment", "communities-rural", "communities-frontier",
        "services_direct-naloxone", "services_direct-counseling",
        "services_referral-methadone", "services_planned-safer_smoking_kits",
        "partners_current-local_public_health", "partners_planned-syringe_services_programs",
        "fb_organizational.leadership_support-strongly_agree",
        "fb_organizational.staff_knowledge-dont_know",
        "fb_community.trust_ssp-somewhat_disagree",
        "fb_policy.adequate_funding-strongly_disagree",
        "fb_policy.local_laws_help-dont_know",
        "ta_receiving-no", "ta_areas-funding", "ta_areas-staff_training",
        "ta_formats-toolkits", "ta_formats-individualized", "ta_formats-small_group"]


def english_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z']+", text.lower()) if w in ENGLISH}


def check(page, name: str, problems: list[str]) -> None:
    page.wait_for_load_state("load")
    seen = page.evaluate(_WORDS)
    if seen["lang"] != "es":
        problems.append(f"{name}: <html lang={seen['lang']!r}>")
    found = english_words(seen["outside"])
    if found:
        problems.append(f"{name}: English words {sorted(found)} in: {seen['outside'][:3000]}")
    for element in seen["english"]:
        # The language switch names English in English ("English", "Español").
        if element["inSwitch"] and element["text"] == "English":
            continue
        if not element["inResources"]:
            problems.append(f"{name}: marked English outside the catalog's names: "
                            f"{element['text'][:200]!r}")


def catalog_names() -> list[str]:
    names = [text for entry in CatalogEntry.objects.all()
             for text in (entry.title, entry.publisher) if text]
    return sorted(names, key=len, reverse=True)


def without_names(text: str, names: list[str]) -> str:
    """The PDF's text without the catalog's titles and publishers, whole or cut short with
    "..." on a trimmed page (and wrapped across lines)."""
    text = " ".join(text.split())
    for name in names:
        name = " ".join(name.split())
        for length in range(len(name), 20, -1):
            if name[:length] in text:
                text = text.replace(name[:length], " ")
                break
    return text


def test_spanish_respondent_meets_no_english_from_start_to_plan_pdf(browser, live_url, wave):
    context = browser.new_context(viewport={"width": 360, "height": 800},
                                  accept_downloads=True, locale="es-US")
    context.add_cookies([{"name": "django_language", "value": "es", "url": live_url}])
    with_axe(context)
    page = context.new_page()
    problems: list[str] = []
    try:
        page.goto(f"{live_url}/w/{wave.slug}/")
        check(page, "landing", problems)
        page.locator("form[action$='/start/'] button").click()
        page.wait_for_url(re.compile(r"/page/1/$"))
        check(page, "page 1", problems)
        page.locator('label[for="screening-employed"]').click()
        page.locator('button[name="action"][value="next"]').click()
        page.wait_for_url(re.compile(r"/saved/$"))
        check(page, "saved", problems)
        page.goto(f"{live_url}/w/{wave.slug}/page/2/")
        # The state list is in Spanish alphabetical order, territories after the states.
        states = page.locator("#state option").all_inner_texts()
        named = [s for s in states if s.strip()]
        assert named.index("Carolina del Norte") < named.index("Colorado")
        assert named.index("Nueva York") < named.index("Nuevo México") < named.index("Ohio")
        assert named[-5:] == ["Puerto Rico", "Guam", "Islas Vírgenes de los Estados Unidos",
                              "Samoa Estadounidense", "Islas Marianas del Norte"]
        for number in range(2, len(flow.pages(wave.instrument)) + 1):
            page.wait_for_url(re.compile(f"/page/{number}/$"))
            check(page, f"page {number}", problems)
            if page.locator("#state").count():
                page.locator("#state").select_option("ny")
            for answer in TAPS:
                label = page.locator(f'label[for="{answer}"]')
                if label.count():
                    label.click()
            page.locator('button[name="action"][value="next"]').click()
        page.wait_for_url(re.compile(r"/review/$"))
        check(page, "review", problems)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/thanks/$"))
        check(page, "thanks", problems)

        page.goto(f"{live_url}/w/{wave.slug}/plan/")
        check(page, "plan", problems)
        body = page.locator("main").inner_text()
        # Services and topics as the questionnaire put them, levels and steps in Spanish.
        assert "Conseguir fondos o reembolsos para estrategias de reducción de daños" in body
        assert "sitios de prevención de sobredosis o servicios de consumo supervisado" in body
        assert "Próximo paso:" in body and "Inicial" in body
        assert "comunidades que atiende: rurales y zonas muy remotas (frontier)" in body
        axe = page.evaluate(_SERIOUS)
        assert not axe, axe

        page.goto(f"{live_url}/w/{wave.slug}/plan/print/")
        check(page, "printable plan", problems)
        axe = page.evaluate(_SERIOUS)
        assert not axe, axe

        reply = page.request.get(f"{live_url}/w/{wave.slug}/plan/ta-plan.pdf")
        assert reply.status == 200
        pdf = PdfReader(io.BytesIO(reply.body()))
        assert len(pdf.pages) == 1
        text = pdf.pages[0].extract_text()
        assert "Su plan de asistencia técnica" in text
        names = catalog_names()
        left = without_names(text, names)
        # A one-page plan may shorten or wrap a catalog title ("… Hours — Our TA center"), so
        # the words of catalog names are allowed one by one as well.
        name_words = {word.casefold() for name in names for word in name.split()}
        found = {word for word in english_words(left) if word.casefold() not in name_words}
        if found:
            problems.append(f"PDF: English words {sorted(found)} in: {left}")
        language = pdf.trailer["/Root"].get("/Lang")
        assert language is None or str(language).startswith("es"), language
    finally:
        context.close()
    assert not problems, "\n".join(problems)
