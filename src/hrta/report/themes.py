"""The coded themes of an open-ended question, as the 2022 report tells them.

"Sixty-one respondents answered this question. Common themes that emerged included …",
then a table of the themes ranked by the number of respondents, then each theme in turn
with its n and percent and two or three quotes. Everything is read from the question's
`coding` block in Findings; quotes are plain strings that each renderer escapes.
"""

from __future__ import annotations

from hrta.findings.model import CodedThemes, Coding, Findings, SectionItem, ThemeTally
from hrta.report.document import Block, Bullets, Column, Row, Table, paragraph, text
from hrta.report.formatting import (
    capitalize,
    clean_text,
    format_count,
    format_interval,
    format_percent,
    in_sentence,
    join_words,
)
from hrta.report.lookup import open_ended

# The question's noun as the report uses it: "the most cited challenge".
_NOUNS = {"challenges": ("challenge", "challenges"),
          "facilitators": ("facilitator", "facilitators")}
# How the themes after the first are introduced, in turn, so that the section does not
# read as one sentence repeated.
_MIDDLES = ("Several respondents also commented on {theme} ({share}).",
            "{Theme} was named by {count} respondents ({percent}).",
            "Respondents also pointed to {theme} ({share}).",
            "Others described {theme} ({share}).")
_LEADS = ("Some respondents explained,", "Respondents commented,", "Respondents reported,",
          "They wrote,")


def coding_of(item: SectionItem, findings: Findings) -> Coding | None:
    if item.kind != "open_ended":
        return None
    return open_ended(findings, item.questions[0]).coding


def _coded(item: SectionItem, findings: Findings) -> CodedThemes | None:
    """The item's coding when its answers were coded (and there were any)."""
    coding = coding_of(item, findings)
    return coding if isinstance(coding, CodedThemes) and coding.n else None


def _noun(qid: str, plural: bool = False) -> str:
    singular, many = _NOUNS.get(qid, ("theme", "themes"))
    return many if plural else singular


def _named(theme: ThemeTally) -> str:
    return in_sentence(theme.label)


def theme_sentences(item: SectionItem, findings: Findings) -> list[str] | None:
    """The sentences that open a coded open-ended question, or None when it has no
    coding (the listing's own sentence stands)."""
    coding = coding_of(item, findings)
    entry = open_ended(findings, item.questions[0])
    if coding is None or entry.n == 0:
        return None
    answered = (f"A total of {format_count(entry.n)} respondents answered this "
                "open-ended question.")
    if not isinstance(coding, CodedThemes):
        return [answered, "Its answers could not be coded into themes for this report, "
                f"because the text model could not be loaded ({coding.message}); they "
                "are listed as written."]
    used = [t for t in coding.themes if t.count > 0]
    if not used:
        return [answered, "None of the answers fit a theme of the codebook; they are listed "
                "as written."]
    listed = "; ".join(_named(t) for t in used[:-1])
    listed = f"{listed}; and {_named(used[-1])}" if len(used) > 2 else join_words(
        [_named(t) for t in used])
    return [answered, f"Common themes that emerged included {listed}."]


def headline(item: SectionItem, findings: Findings) -> str | None:
    """One sentence for the executive summary: the most common themes with n."""
    coding = _coded(item, findings)
    if coding is None:
        return None
    used = [t for t in coding.themes if t.count > 0][:3]
    if not used:
        return None
    qid = item.questions[0]
    parts = [f"{_named(t)} ({format_percent(t.percent)}"
             + (f", n={format_count(coding.n)})" if i == 0 else ")")
             for i, t in enumerate(used)]
    verb = "were" if len(used) > 1 else "was"
    return (f"The most common {_noun(qid, plural=len(used) > 1)} named in open-ended answers "
            f"{verb} {join_words(parts)}.")


def theme_blocks(item: SectionItem, findings: Findings) -> tuple[Block, ...]:
    """The themes table and, per theme, its sentence and quotes."""
    coding = _coded(item, findings)
    if coding is None:
        return ()
    qid = item.questions[0]
    n = coding.n
    table = Table(
        (Column("Respondents"), Column("Percent"), Column("95% CI")),
        tuple(Row(clean_text(t.label), (format_count(t.count),
                                        format_percent(t.percent),
                                        format_interval(t.ci_low, t.ci_high)))
              for t in coding.themes),
        stub="Theme",
        caption=f"Themes of {item.title.lower().removeprefix('the ')} (n={format_count(n)})",
        notes=(_method_note(coding),))
    blocks: list[Block] = [table]
    used = [t for t in coding.themes if t.count > 0]
    top = [t for t in used if t.count == used[0].count] if used else []
    for position, theme in enumerate(used):
        sentence = _theme_sentence(qid, theme, n, position, len(used), top)
        if sentence:
            blocks.append(paragraph(sentence))
        if theme.quotes:
            blocks.append(Bullets(tuple(text(f"“{clean_text(q.strip())}”")
                                        for q in theme.quotes)))
    return tuple(blocks)


def _theme_sentence(qid: str, theme: ThemeTally, n: int, position: int, total: int,
                    top: list[ThemeTally]) -> str:
    share = f"n={format_count(theme.count)}, {format_percent(theme.percent)}"
    lead = _LEADS[position % len(_LEADS)] if theme.quotes else ""
    if position == 0 and len(top) > 1:
        opening = (f"{capitalize(join_words([_named(t) for t in top]))} were the most cited "
                   f"{_noun(qid, plural=True)} among respondents to this question, named by "
                   f"{format_count(theme.count)} respondents each "
                   f"({format_percent(theme.percent)} of {format_count(n)}).")
        return f"{opening} On {_named(theme)}, {_lower(lead)}" if lead else opening
    if 0 < position < len(top):
        return f"On {_named(theme)}, {_lower(lead)}" if lead else ""
    if position == 0:
        opening = (f"{capitalize(_named(theme))} was the most cited {_noun(qid)} among "
                   f"respondents to this question ({share} of {format_count(n)}).")
    elif theme.count == 1:
        opening = f"One respondent named {_named(theme)} ({share})."
        lead = "They wrote," if theme.quotes else ""
    elif position == total - 1 and total > 2:
        opening = (f"Finally, {format_count(theme.count)} respondents named "
                   f"{_named(theme)} ({format_percent(theme.percent)}).")
    else:
        opening = _MIDDLES[position % len(_MIDDLES)].format(
            theme=_named(theme), Theme=capitalize(_named(theme)), share=share,
            count=format_count(theme.count), percent=format_percent(theme.percent))
    return f"{opening} {lead}".strip()


def _lower(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _method_note(coding: CodedThemes) -> str:
    confirmed = coding.confirmed
    people = (f" {format_count(confirmed)} of the {format_count(coding.n)} answers were "
              "confirmed or corrected by a reviewer, whose codes are used." if confirmed
              else " No answer has been reviewed by a person yet.")
    left = [f"{format_count(count)} {'answer' if count == 1 else 'answers'} {what}"
            for count, what in ((coding.uncoded, "fit no theme"),
                                (coding.uncodable, "had no words to code")) if count]
    return ("Themes were coded against the question's codebook by a sentence-embedding "
            f"model ({coding.model}); an answer can have several themes, so percentages "
            "of the respondents who answered can add up to more than 100%."
            f"{people}" + (f" {capitalize(join_words(left))}." if left else ""))
