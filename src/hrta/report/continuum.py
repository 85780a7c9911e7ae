"""Written findings for a continuum figure: one option list asked as stages (services
provided directly, through referral, planned for the future), read across the stages.

Each question was told on its own in an earlier figure; these sentences only set the
stages side by side. Every percent printed is read from Findings; comparing two percents
only decides which options to name.
"""

from __future__ import annotations

from collections.abc import Sequence

from hrta.findings.model import ClosedQuestion, Findings, SectionItem
from hrta.report.formatting import format_count, format_percent, in_sentence
from hrta.report.lookup import closed, known_percent, leaders, reference, substantive
from hrta.report.words import Words, report_words

NAMED = 3  # options named in each sentence


def stage_names(entries: Sequence[ClosedQuestion], *,
                words: Words | None = None) -> tuple[str, list[str]]:
    """The words the questions' titles share, and what is left of each: ('services',
    ['provided directly', 'provided through referral', 'planned for the future']).
    A shared word that opens a clause ('Servicios que ofrece …': the catalog's
    continuum.linking) stays with each stage, so the noun is 'servicios'."""
    w = words or report_words()
    titles = [entry.title.split() for entry in entries]
    shared = 0
    while all(len(t) > shared + 1 and t[shared] == titles[0][shared] for t in titles):
        shared += 1
    linking = w("continuum.linking").split()
    while shared and titles[0][shared - 1].lower() in linking:
        shared -= 1
    noun = in_sentence(" ".join(titles[0][:shared])) if shared else w("continuum.options")
    return noun, [in_sentence(" ".join(t[shared:])) for t in titles]


def continuum_sentences(item: SectionItem, findings: Findings,
                        *, words: Words | None = None) -> list[str]:
    w = words or report_words()
    entries = [closed(findings, qid) for qid in item.questions]
    noun, stages = stage_names(entries, words=w)
    ref = reference(item, words=w)
    told = w.join([f"{stage} (n={format_count(e.n)})"
                   for stage, e in zip(stages, entries, strict=True)])
    sentences = [w("continuum.intro", figure=w("continuum.the_figure", ref=ref) if ref
                   else w("continuum.this_figure"), noun=noun, told=told)]
    first = entries[0]
    if first.n == 0:
        return sentences
    # Options the first stage ranks lowest, with what the later stages say of them: only
    # options someone chose (nobody's choice is said under the first stage's own figure),
    # ties taken whole or not at all, and only when there are more than a top and a bottom.
    options = substantive(first)
    chosen = [pair for pair in options if pair[1].count > 0]
    lowest = ([key for key, _ in leaders(list(reversed(chosen)), NAMED, whole_first=False)]
              if len(chosen) > 2 * NAMED else [])
    if lowest:
        # Each stage has its own n, so only the first stage's shares are given, each with
        # its count and base; the figure sets the other stages beside them.
        parts = [f"{in_sentence(first.options[key].label)} ({share})" for key in lowest
                 for share in [w("takeaway.of_n", count=format_count(first.options[key].count),
                                 n=format_count(first.n),
                                 percent=format_percent(first.options[key].percent))]]
        sentences.append(w("continuum.least", noun=noun, stage=stages[0],
                           named=w.join(parts)))
    for later, stage in zip(entries[1:], stages[1:], strict=True):
        sentence = _ahead(later, stage, first, stages[0], noun, [key for key, _ in options],
                          w)
        if sentence:
            sentences.append(sentence)
            break  # the stage right after the first; the figure shows the rest
    sentences[-1] = f"{sentences[-1].rstrip('.')}{f' ({ref})' if ref else ''}."
    return sentences


def _ahead(later: ClosedQuestion, stage: str, first: ClosedQuestion, first_stage: str,
           noun: str, keys: Sequence[str], words: Words) -> str | None:
    """How many options a later stage names more often than the first, and the widest."""
    if later.n == 0:
        return None
    # Both stages were answered here (n > 0), so every percent compared is a number.
    ahead = [key for key in keys
             if known_percent(later.options[key]) > known_percent(first.options[key])]
    if not ahead:
        return None
    widest = sorted(ahead, key=lambda key: known_percent(first.options[key])
                    - known_percent(later.options[key]))[:NAMED]
    named = words.join([f"{in_sentence(later.options[key].label)} ({gap})" for key in widest
                        for gap in [_against(later, first, key, words)]])
    return words("continuum.ahead", count=format_count(len(ahead)),
                 total=format_count(len(keys)), noun=noun, stage=stage,
                 first_stage=first_stage, named=named)


def _against(later: ClosedQuestion, first: ClosedQuestion, key: str, words: Words) -> str:
    """'43 of 93, 46%, against 15 of 101, 15%': the two stages' bases differ, so each
    percent is given with its count and base."""
    now, then = later.options[key], first.options[key]
    return words("continuum.against",
                 later_count=format_count(now.count), later_n=format_count(later.n),
                 later=format_percent(now.percent),
                 first_count=format_count(then.count), first_n=format_count(first.n),
                 first=format_percent(then.percent))
