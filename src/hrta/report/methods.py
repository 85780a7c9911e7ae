"""Methods and limitations, filled in from the data: dates, counts, n, missing answers."""

from __future__ import annotations

from hrta.findings.model import Findings, MultiQuestion, QuestionEntry, TextQuestion, Weighting
from hrta.report.comparisons import correction
from hrta.report.document import (
    Block,
    Column,
    Paragraph,
    Row,
    Section,
    Table,
    bullets,
    paragraph,
)
from hrta.report.formatting import (
    clean_text,
    format_count,
    format_percent,
    in_sentence,
    join_words,
    subject,
)
from hrta.report.items import MAX_LISTED
from hrta.report.lookup import (
    other_texts,
    profile_groups,
    question_label,
    suppression_threshold,
)
from hrta.report.narrative import fielded_sentence, group_name, overview_sentences
from hrta.report.trend import earlier_wave
from hrta.report.words import Words, report_words

MOST_MISSED = 3


def question_type(entry: QuestionEntry, words: Words | None = None) -> str:
    """The kind of question in the report's words ("Single choice", "Choose up to 3")."""
    words = words or report_words()
    if isinstance(entry, MultiQuestion):
        limit = entry.max_choices
        return (words("methods.type.choose_up_to", limit=limit) if limit
                else words("methods.type.multi"))
    key = f"methods.type.{entry.type}"
    return words(key) if key in words.messages else entry.type


def methods_section(findings: Findings, *, words: Words | None = None) -> Section:
    words = words or report_words()
    r = findings.responses
    collected = [s for s in (fielded_sentence(findings, words=words),) if s]
    used = (words("methods.used.export", source=findings.source,
                  instrument=findings.instrument, version=findings.instrument_version)
            if findings.source else
            words("methods.used", instrument=findings.instrument,
                  version=findings.instrument_version))
    blocks = [
        paragraph(" ".join([*collected, overview_sentences(findings, words=words)[0]])),
        paragraph(words("methods.computed", used=used, eligible=format_count(r.eligible))),
        paragraph(words("methods.own_n")),
        *_dropoff(findings, words),
        paragraph(words("methods.privacy", threshold=suppression_threshold(findings))),
    ]
    weighting = findings.weighting
    if weighting:
        blocks.append(paragraph(_weighting_note(weighting, findings, words)))
    subsections = [
        Section("methods-reading", words("methods.reading"), (
            paragraph(words("methods.reading.percent")),
            paragraph(words("methods.reading.charts")),
            paragraph(words("methods.reading.interval")),
        )),
        Section("methods-questions", words("doc.appendix.questions"),
                (questions_table(findings, words),)),
    ]
    if findings.warnings:
        subsections.append(Section("methods-warnings", words("methods.warnings"), (
            paragraph(words("methods.warnings.about")),
            bullets(list(findings.warnings)),
        )))
    return Section("methods", words("methods.title"), tuple(blocks), tuple(subsections))


def margin_name(findings: Findings, by: str, words: Words) -> str:
    """A margin in words, as the comparisons chapter names its groups: 'state.region' is
    'state (Census region)', 'communities=rural' 'communities served: rural'."""
    head, _, option = by.partition("=")
    qid, attribute = head, ""
    if not option and head not in findings.questions:  # QID.ATTRIBUTE
        qid, _, attribute = head.rpartition(".")
    entry = findings.questions.get(qid)
    if entry is None:
        return by
    title = in_sentence(clean_text(question_label(findings, qid)))
    if option:
        chosen = None if isinstance(entry, TextQuestion) else entry.options.get(option)
        return f"{title}: {in_sentence(clean_text(chosen.label)) if chosen else option}"
    if attribute:
        key = f"methods.weighting.margin.{attribute}"
        return f"{title} ({words(key) if key in words.messages else attribute})"
    return title


def _weighting_note(weighting: Weighting, findings: Findings, words: Words) -> str:
    eligible = findings.responses.eligible
    margins = [margin_name(findings, by, words) for by in weighting.margins]
    sentences = [words("methods.weighting.adjust", margins=words.join(margins))]
    if weighting.raked is not None and weighting.not_raked is not None:
        sentences.append(words(
            "methods.weighting.placed", raked=format_count(weighting.raked),
            eligible=format_count(eligible), not_raked=format_count(weighting.not_raked),
            margins=join_words(margins, words("or"))))
    # A design effect says what weighting costs in precision, nothing more: the sample is
    # still one of convenience, so no "as precise as a random sample of N".
    sentences += [
        words("methods.weighting.design_effect", design_effect=f"{weighting.design_effect:.2f}",
              effective=format_count(round(weighting.effective_n)),
              eligible=format_count(eligible)),
        words("methods.weighting.headline")]
    return " ".join(sentences)


def _dropoff(findings: Findings, words: Words) -> tuple[Block, ...]:
    """How far respondents went: a sentence and the table of sections, where Findings
    count them."""
    table = _dropoff_table(findings, words)
    if table is None:
        return ()
    return (paragraph(words("methods.dropoff")), table)


def _dropoff_table(findings: Findings, words: Words) -> Table | None:
    """Respondents who answered each section of the questionnaire, in order: where they
    stopped. None for Findings written before sections were counted."""
    sections = findings.survey_sections
    eligible = findings.responses.eligible
    if not sections or not eligible:
        return None
    rows = tuple(Row(clean_text(s.title), (format_count(s.questions), format_count(s.count),
                                           format_percent(s.percent)))
                 for s in sections)
    return Table((Column(words("methods.dropoff.questions")),
                  Column(words("methods.dropoff.answered")),
                  Column(words("methods.dropoff.percent"))),
                 rows, stub=words("methods.dropoff.section"),
                 caption=words("methods.dropoff.caption", eligible=format_count(eligible)),
                 notes=(words("methods.dropoff.note"),))


def questions_table(findings: Findings, words: Words,
                    drawn: set[str] | None = None) -> Table:
    """Each question (of `drawn`, when given) with its type, n and answers missing."""
    eligible = findings.responses.eligible
    rows = tuple(Row(question_label(findings, qid),
                     (question_type(entry, words), format_count(entry.n),
                      format_count(entry.not_answered)))
                 for qid, entry in findings.questions.items()
                 if drawn is None or qid in drawn)
    return Table((Column(words("methods.questions.type"), numeric=False), Column("n"),
                  Column(words("methods.questions.missing"))), rows,
                 stub=words("methods.questions.question"),
                 caption=words("methods.questions.caption", eligible=format_count(eligible)))


def limitations_section(findings: Findings, *, words: Words | None = None) -> Section:
    words = words or report_words()
    r = findings.responses
    blocks: list[Paragraph] = [paragraph(words("limits.convenience",
                                               eligible=format_count(r.eligible)))]
    missing = _missing_sentence(findings, words)
    if missing:
        blocks.append(paragraph(missing))
    for qid, grouping in profile_groups(findings):
        if grouping.n:
            name, group = max(grouping.groups.items(), key=lambda g: g[1].count)
            asked = subject(findings.questions[qid].title)
            named = group_name(name, words)
            blocks.append(paragraph(words(
                "limits.roles", asked=asked, n=format_count(grouping.n),
                percent=format_percent(group.percent), name=named)))
    threshold = suppression_threshold(findings)
    blocks.append(paragraph(words("limits.privacy", threshold=threshold)))
    comparisons = findings.comparisons
    if comparisons:
        blocks.append(paragraph(words("limits.comparisons",
                                      by=comparisons.by_label.lower(),
                                      correction=correction(comparisons, words=words))))
    else:
        blocks.append(paragraph(words("limits.no_comparisons")))
    if findings.trend:
        blocks.append(paragraph(words("limits.trend", before=earlier_wave(findings.trend,
                                                                          words=words))))
    if findings.weighting:
        blocks.append(paragraph(words("limits.weighting")))
    if _capped(findings):
        blocks.append(paragraph(words("limits.capped", limit=MAX_LISTED)))
    return Section("limitations", words("limits.title"), tuple(blocks))


def _missing_sentence(findings: Findings, words: Words) -> str | None:
    eligible = findings.responses.eligible
    entries = list(findings.questions.items())
    if not entries or eligible == 0:
        return None
    ns = [entry.n for _, entry in entries]
    missed = sorted(entries, key=lambda pair: -pair[1].not_answered)[:MOST_MISSED]
    missed = [(qid, e) for qid, e in missed if e.not_answered > 0]
    if not missed:
        return words("limits.all_answered")
    named = words.join([words("limits.missed_one",
                              question=in_sentence(question_label(findings, qid)),
                              count=format_count(e.not_answered)) for qid, e in missed])
    return words("limits.missing", low=format_count(min(ns)), high=format_count(max(ns)),
                 eligible=format_count(eligible), named=named)


def _capped(findings: Findings) -> bool:
    """Whether a question has more open-ended answers (or "Other" texts) than are listed."""
    return any(len(e.answers if isinstance(e, TextQuestion) else other_texts(e)) > MAX_LISTED
               for e in findings.questions.values())
