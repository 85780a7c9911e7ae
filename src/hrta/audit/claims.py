"""Percentages in context: which n each one is of, and what each one is a share of.

A *mention* is a printed percentage with the sentence around it and the n it most
likely refers to. A *claim* is a mention reduced to what it says: a value, a label of
content words ("step implementation document"), the answer level when it is a share of an
agreement scale, and its scope (future plans, referrals, a year) — the words that make
"partner with SSPs" and "plan to partner with SSPs" different findings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from hrta.audit.language import local
from hrta.audit.numbers import (
    Percent,
    SampleSize,
    cites_another_study,
    find_percents,
    find_sample_sizes,
)
from hrta.audit.text import Document, Paragraph, Sentence


@dataclass(frozen=True)
class Mention:
    percent: Percent
    sentence: Sentence
    paragraph: Paragraph
    n: int | None
    n_source: str       # where the n came from, for a reader: "from “n=87” in the same sentence"
    cited: bool         # the sentence cites another study: its figures are not ours

    @property
    def checkable(self) -> bool:
        return not (self.cited or self.percent.approximate or self.percent.interval)


def find_mentions(doc: Document) -> list[Mention]:
    """Every percentage in the document, each with the n it is most likely a share of.

    The n is, in order of preference: one stated in the same sentence (the nearest before
    the percentage, else the first after it); one stated earlier in the paragraph; the
    single n in the caption of a figure or table the sentence or paragraph refers to; the
    n of the last "N respondents answered this question" in the same section. A table row
    takes only an n printed in the row: its columns may each have their own.
    """
    captions = _caption_sizes(doc)
    mentions: list[Mention] = []
    declared: tuple[tuple[str, ...], int, str] | None = None
    for paragraph in doc.paragraphs:
        if declared and declared[0] != paragraph.headings:
            declared = None
        earlier: tuple[SampleSize, str] | None = None
        for sentence in paragraph.sentences:
            sizes = find_sample_sizes(sentence.text)
            cited = cites_another_study(sentence.text)
            for percent in find_percents(sentence.text):
                n, source = _n_for(percent, sizes, earlier, paragraph, sentence,
                                   {} if paragraph.table else captions,
                                   None if paragraph.table else declared)
                mentions.append(Mention(percent, sentence, paragraph, n, source, cited))
            if sizes:
                earlier = sizes[-1], sentence.text
                for size in sizes:
                    if size.question_level:
                        declared = (paragraph.headings, size.value,
                                    f"from “{_quote(sentence.text, size.text)}”, "
                                    f"{paragraph.location}")
    return mentions


def _n_for(percent: Percent, sizes: list[SampleSize], earlier: tuple[SampleSize, str] | None,
           paragraph: Paragraph, sentence: Sentence,
           captions: dict[str, tuple[int, str]],
           declared: tuple[tuple[str, ...], int, str] | None) -> tuple[int | None, str]:
    before = [s for s in sizes if s.end <= percent.start]
    if before:
        return before[-1].value, f"from “{before[-1].text}” in the same sentence"
    after = [s for s in sizes if s.start >= percent.end]
    if after:
        return after[0].value, f"from “{after[0].text}” in the same sentence"
    if earlier:
        size, text = earlier
        return size.value, f"from “{_quote(text, size.text)}” earlier in the paragraph"
    for text in (sentence.text, paragraph.text):
        for ref in _figure_refs(text):
            if ref in captions:
                n, where = captions[ref]
                return n, f"from the caption of {ref}, {where}"
    if declared:
        return declared[1], declared[2]
    return None, ""


def _quote(sentence: str, match: str) -> str:
    return sentence.rstrip(".") if len(sentence) <= 100 else match


_CAPTION_START = re.compile(r"^(Figure|Fig\.|Table|Exhibit|Chart)\s+(\d+[A-Za-z]?)\b",
                            re.IGNORECASE)
_FIGURE_REF = re.compile(r"\b(Figure|Fig\.|Table|Exhibit|Chart)s?\s+(\d+[A-Za-z]?)\b",
                         re.IGNORECASE)


def _ref_key(kind: str, number: str) -> str:
    kind = "Figure" if kind.lower().startswith("fig") else kind.capitalize()
    return f"{kind} {number}"


def _caption_sizes(doc: Document) -> dict[str, tuple[int, str]]:
    """Figures and tables whose caption states exactly one n."""
    captions: dict[str, tuple[int, str]] = {}
    for paragraph in doc.paragraphs:
        match = local("caption_start", _CAPTION_START).match(paragraph.text)
        if not match:
            continue
        values = {s.value for s in find_sample_sizes(paragraph.text)}
        if len(values) == 1:
            captions[_ref_key(match.group(1), match.group(2))] = (values.pop(),
                                                                  paragraph.location)
    return captions


def _figure_refs(text: str) -> list[str]:
    if local("caption_start", _CAPTION_START).match(text):
        return []
    return [_ref_key(m.group(1), m.group(2))
            for m in local("figure_ref", _FIGURE_REF).finditer(text)]


# --- Answer levels of an agreement scale --------------------------------------------------

SA, A, N, D, SD, DK = "strongly agree", "agree", "neutral", "disagree", "strongly disagree", \
    "don't know"
YES, NO = "yes", "no"

# Tried in order; the earliest match in a label wins, the first listed at a tie.
_LEVELS: list[tuple[re.Pattern[str], frozenset[str]]] = [(re.compile(p, re.IGNORECASE),
                                                          frozenset(c)) for p, c in [
    (r"\b(?:strongly\s+agree\s+or\s+(?:somewhat\s+)?agree|(?:somewhat\s+)?agree\s+or\s+"
     r"strongly\s+agree|agree\s+or\s+somewhat\s+agree|somewhat\s+agree\s+or\s+agree|"
     r"strongly\s+or\s+somewhat\s+agree|somewhat\s+or\s+strongly\s+agree)\b", (SA, A)),
    (r"\b(?:strongly\s+disagree\s+or\s+(?:somewhat\s+)?disagree|(?:somewhat\s+)?disagree\s+"
     r"or\s+strongly\s+disagree|disagree\s+or\s+somewhat\s+disagree|somewhat\s+disagree\s+or"
     r"\s+disagree|strongly\s+or\s+somewhat\s+disagree|somewhat\s+or\s+strongly\s+disagree)\b",
     (D, SD)),
    (r"\b(?:neither\s+agree\s+nor\s+disagree|neutral)\b", (N,)),
    (r"\bstrongly\s+agree\b", (SA,)),
    (r"\bstrongly\s+disagree\b", (SD,)),
    (r"\b(?:somewhat\s+)?disagree\b", (D,)),
    (r"\b(?:somewhat\s+)?agree\b", (A,)),
    (r"\b(?:(?:i\s+)?(?:don['’]?t|do\s+not|did\s+not|didn['’]t)\s+know|unsure|not\s+sure|"
     r"uncertain|no\s+opinion)\b", (DK,)),
    (r"^\s*(?:(?:said|answered|responded|chose|selected|replied)\s+)?[\"“']?yes\b", (YES,)),
    (r"^\s*(?:(?:said|answered|responded|chose|selected|replied)\s+)?[\"“']?no\b", (NO,)),
]]
FULL_SCALE = frozenset({SA, A, D, SD})


def answer_level(label: str) -> tuple[frozenset[str], tuple[int, int] | None]:
    """The scale positions a label names ("strongly agree or agree" -> {SA, A}) and where."""
    label = re.sub(r"[\"“”‘’']", lambda m: "'" if m.group(0) in "’'" else " ", label)
    best: tuple[int, int, frozenset[str], tuple[int, int]] | None = None
    for rank, (pattern, covered) in enumerate(local("levels", _LEVELS)):
        match = pattern.search(label)
        if match and (best is None or (match.start(), rank) < best[:2]):
            best = (match.start(), rank, covered, match.span())
    return (best[2], best[3]) if best else (frozenset(), None)


def level_name(covered: frozenset[str]) -> str:
    if covered == frozenset({SA, A}):
        return "agree (net)"
    if covered == frozenset({D, SD}):
        return "disagree (net)"
    return " / ".join(sorted(covered))


# --- Labels --------------------------------------------------------------------------------

_RANKING = re.compile(r"\b(?:most|least|top|highest|lowest|main|primary|leading|largest|"
                      r"smallest|common)\b", re.IGNORECASE)
# A sentence that goes on with the list of the one before: "The least common were ...".
_CONTINUED_LIST = re.compile(
    r"^\W*(?:the\s+)?(?:most|least)\s+(?:\w+\s+)?(?:was|were|is|are|includes?|included)\b",
    re.IGNORECASE)
_LIST_LEAD = re.compile(r"\b(?:includes?|included|including)\b|:")
_COPULA = re.compile(r"\s(?:was|were|is|are)\s")
_CONNECTOR = re.compile(r"^(?:\W|and\b|or\b|followed\s+by\b|then\b|with\b|while\b)+",
                        re.IGNORECASE)
_ANAPHORA = re.compile(r"\b(?:this|that|these|those|the\s+same)\s+(?:service|option|item|"
                       r"activit|area|type|resource|practice|program|partner|one)\w*",
                       re.IGNORECASE)
_ELIDED = re.compile(r"\s*(?:with|to|for|in|on|at|from|by|among|through|of\s+(?:those|them))\b",
                     re.IGNORECASE)
_NOISE = re.compile(r"\((?:[^()]*\b(?:figure|fig\.|table|n\s*=|e\.g\.|i\.e\.)[^()]*)\)",
                    re.IGNORECASE)
_EXAMPLES = re.compile(r",?\s*\b(?:such\s+as|e\.g\.|for\s+example|including)\b.*$",
                       re.IGNORECASE)


def percent_labels(sentence: str, percents: list[Percent]) -> list[tuple[str, int]]:
    """For each percentage, the words that say what it is a share of, and where they begin.

    "toolkits (84%), webinars (62%)": a bracketed figure measures the words before it,
    back to the previous figure or to "included"; "14% somewhat disagree, 2% ...": a
    leading figure measures the words after it, up to the next figure.
    """
    labels: list[tuple[str, int]] = []
    for i, p in enumerate(percents):
        if p.parenthetical:
            start = _after_previous(sentence, percents, i)
            segment = sentence[start:p.start].rstrip(" (")
            lead = list(local("list_lead", _LIST_LEAD).finditer(segment))
            if lead:
                start += lead[-1].end()
                segment = segment[lead[-1].end():]
            copula = local("copula", _COPULA).search(segment)
            if copula:
                subject = segment[:copula.start()]
                if local("ranking", _RANKING).search(subject) or not content_words(subject):
                    # "The most common services were peer support (88%)": the subject is
                    # the list's heading, what follows the verb is the item.
                    start += copula.end()
                    segment = segment[copula.end():]
                else:
                    # "Step-by-step guidance was identified as the most useful (73%)".
                    segment = subject
            if not content_words(local("examples", _EXAMPLES).sub("", segment)):
                # "nearly half (44%) reported that they serve rural communities"
                segment = _following_clause(sentence, percents, i)
        else:
            segment = _following_clause(sentence, percents, i)
            start = p.end
        labels.append((segment, start))
    return labels


def _after_previous(sentence: str, percents: list[Percent], i: int) -> int:
    if i == 0:
        return 0
    previous = percents[i - 1]
    if previous.parenthetical:
        close = sentence.find(")", previous.end)
        return close + 1 if close >= 0 else previous.end
    # A leading figure before: this label starts after the last clause break between them.
    between = sentence[previous.end:percents[i].start]
    breaks = [m.end() for m in local("breaks", _BREAKS).finditer(between)]
    return previous.end + (breaks[-1] if breaks else 0)


_BREAKS = re.compile(r"\)\s*,|;|,\s+(?=and\b|the\b|while\b)")


def _following_clause(sentence: str, percents: list[Percent], i: int) -> str:
    p = percents[i]
    end = percents[i + 1].start if i + 1 < len(percents) else len(sentence)
    segment = sentence[p.end:end]
    if percents[i + 1:] and percents[i + 1].parenthetical:
        segment = segment.rstrip(" (")
    if "(" in sentence[:p.start].rsplit(")", 1)[-1]:
        segment = segment.split(")", 1)[0]        # the figure sits inside brackets
    return segment.split(";", 1)[0]


_STOPWORDS = frozenset(re.findall(r"\S+", """
    a an the and or of to in on for with by at from as that this these those their they them
    you your yours
    it its is are was were be been being has have had do does did nor but if than then
    so such into about over under who whom whose which what when where while also only just
    very more most less least all any each every some other both either neither one ones
    respondent respondents participant participants percent per cent reported report reports
    reporting said indicated identified identifying noted chose chosen selected answered
    responded organization organizations organisation organisations organizational our we
    us majority total among well would could should may might can will nearly almost about
    approximately common commonly most currently current provide provides provided providing
    directly identify say says survey surveyed followed there within through via across
    between after before during without against toward towards upon
"""))

_SCOPES: list[tuple[str, re.Pattern[str]]] = [
    ("future", re.compile(r"\b(?:future|plan|plans|planned|planning|intend|intends|intended|"
                          r"intending)\b", re.IGNORECASE)),
    ("referral", re.compile(r"\b(?:referrals?|refer|refers|referred|referring)\b",
                            re.IGNORECASE)),
]
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_WORD = re.compile(r"[a-z0-9]+")


def scope_of(text: str) -> frozenset[str]:
    """Words that set which finding a figure belongs to: future plans, referrals, a year."""
    scopes = {name for name, pattern in local("scopes", _SCOPES) if pattern.search(text)}
    scopes |= set(_YEAR.findall(text))
    return frozenset(scopes)


def content_word_list(text: str) -> list[str]:
    """Stemmed words that say what a figure measures, in order; filler and scope words out."""
    words: list[str] = []
    stopwords, scopes = local("stopwords", _STOPWORDS), local("scopes", _SCOPES)
    for raw in local("word", _WORD).findall(text.lower()):
        if raw in stopwords or raw.isdigit() or len(raw) < 2:
            continue
        if any(p.fullmatch(raw) for _, p in scopes):
            continue
        words.append(_stem(raw))
    return words


def content_words(text: str) -> frozenset[str]:
    return frozenset(content_word_list(text))


def _stem(word: str) -> str:
    # Crude, but the same on both sides of a comparison, which is all it needs.
    for suffix, repl, minimum in (("ies", "y", 5), ("ing", "", 6), ("ed", "", 5), ("s", "", 4)):
        if word.endswith(suffix) and len(word) >= minimum and not word.endswith("ss"):
            return word[:len(word) - len(suffix)] + repl
    return word


# A lead that names, in quotes, what the sentence's figures are shares of: "Of 7
# respondents rating “Lack of funding”, ...", "Among those asked “Do you ...?”, ...".
_QUOTED_SUBJECT = re.compile(r"^\W*(?:of|among)\b[^“\"]*[“\"]([^”\"]+)[”\"]",
                             re.IGNORECASE)
# A lead that names the question: "On X, the most common answers were ...", "For X, ...",
# "Asked about X, ...", "Of the 8 respondents who answered the question on X, ...".
_NAMED_SUBJECT = re.compile(r"^\W*(?:on|for|of|among|asked\s+about)\s+(.+?),\s", re.IGNORECASE)


def _lead_subject(lead: str) -> list[str]:
    match = local("quoted_subject", _QUOTED_SUBJECT).match(lead)
    return content_word_list(match.group(1)) if match else []


def _named_subject(lead: str) -> frozenset[str]:
    match = local("named_subject", _NAMED_SUBJECT).match(lead)
    return content_words(match.group(1)) if match else frozenset()


@dataclass(frozen=True)
class Claim:
    mention: Mention
    value: Fraction
    decimals: int
    words: frozenset[str]       # content words of what the figure measures
    label: str                  # those words as printed, for quoting
    level: frozenset[str]       # scale positions for an agreement share; empty otherwise
    scope: frozenset[str]
    tolerance: Fraction = Fraction(0)   # a derived net adds rounding of its parts
    derived_from: tuple[Mention, ...] = ()
    first: str = ""             # the first content word: in English, the distinguishing one
    subject: frozenset[str] = frozenset()   # what the sentence's lead says it is about

    @property
    def in_summary(self) -> bool:
        return self.mention.paragraph.in_summary


def sentence_claims(sentence: Sentence, mentions: list[Mention],
                    previous_scope: frozenset[str] = frozenset()) -> list[Claim]:
    """The claims of one sentence's percentages, in order (``mentions`` are that sentence's).

    ``previous_scope`` is the scope of the sentence before in the paragraph, which a
    sentence continuing its list ("The least common were ...") takes over.
    """
    text = sentence.text
    percents = [m.percent for m in mentions]
    labels = percent_labels(text, percents)
    first_start = min((start for _, start in labels), default=0)
    lead = text[:min(first_start, percents[0].start if percents else 0)]
    lead_scope = scope_of(lead)
    if local("continued_list", _CONTINUED_LIST).match(lead) and not lead_scope:
        lead_scope = previous_scope
    ordered_subject = _lead_subject(lead)
    subject = frozenset(ordered_subject)
    named = subject or _named_subject(lead)
    claims: list[Claim] = []
    previous_end = 0
    for mention, (label, start) in zip(mentions, labels, strict=True):
        percent = mention.percent
        # The words between the figure before (with its label) and this one, when a share
        # names its level only: "(91% agree) and disagreed most that funding ... (70% ...)".
        begin = start if percent.parenthetical else percent.start
        noise = local("noise", _NOISE)
        between = noise.sub(" ", text[previous_end:begin]) if begin > previous_end else ""
        previous_end = max(percent.end, start + len(label),
                           text.find(")", percent.end) + 1 if percent.parenthetical else 0)
        scope = lead_scope | scope_of(label)
        if claims and not mention.percent.parenthetical and local("elided", _ELIDED).match(label):
            # "19% plan to partner with SSPs, 6% with drug user unions": the verb, and with
            # it the scope, carries over from the figure before.
            scope |= claims[-1].scope
        anaphora = local("anaphora", _ANAPHORA)
        if anaphora.search(label) and claims:
            # "88% provide peer support directly and 46% provide this service through
            # referrals": "this service" is what the figure before it measured.
            label = anaphora.sub(claims[-1].label, label, count=1)
        clean = noise.sub(" ", label)
        level, span = answer_level(clean)
        words_text = clean[:span[0]] + " " + clean[span[1]:] if span else clean
        ordered = content_word_list(local("examples", _EXAMPLES).sub("", words_text))
        words, first = frozenset(ordered), ordered[0] if ordered else ""
        if level and not words:
            ordered = content_word_list(between)
            if ordered:
                # "Of those asked whether they receive TA, 76% answered No": the words
                # before the figure say what it is a share of.
                words, first = frozenset(ordered), ordered[0]
            elif claims and claims[-1].level:
                # "..., 14% somewhat disagree": a share of the statement the run began with.
                words, first = claims[-1].words, claims[-1].first
                scope |= claims[-1].scope
        if subject and not subject <= words:
            # "Of 7 respondents rating “Lack of funding”, 86% answered always or often":
            # a share of that statement, not of every statement rated always or often.
            words, first = words | subject, ordered_subject[0]
        printed = local("connector", _CONNECTOR).sub("", re.sub(r"\s+", " ", clean).strip(" ,.;:"))
        printed = re.sub(r"(?:,|\s+(?:and|or))$", "", printed)
        claims.append(Claim(mention, mention.percent.value, mention.percent.decimals, words,
                            printed, level, scope, first=first, subject=named))
    return claims
