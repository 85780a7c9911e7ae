"""Propose a mapping file for an export whose wording differs from its instrument.

The contract: `mapping_yaml` returns a mapping file (the format `load_mapping` reads) that
maps each reworded question, option label and grid statement of the export to the
instrument by text: the same normalized text first, then the closest meaning by the
similarity function given (the command passes sentence embeddings). Each proposal carries
its similarity as a comment; what matches nothing well enough is listed for the analyst
(questions as `ignore`, labels as comments), and options or statements the export has no
column for are listed under `absent`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from hrta.ingest.draft import Export, ExportQuestion, comment_lines
from hrta.ingest.labels import clean_header, header_key
from hrta.ingest.layout import OPEN_ENDED, RESPONSE
from hrta.instrument import Instrument, Question

Similarity = Callable[[Sequence[str], Sequence[str]], np.ndarray]
"""(texts A, texts B) -> a len(A) x len(B) matrix of similarities in [0, 1]."""

# Below these a proposal is no proposal: the item is listed for the analyst instead.
QUESTION_THRESHOLD = 0.55
LABEL_THRESHOLD = 0.5
# Below this a proposal is marked CHECK.
SURE = 0.8


@dataclass
class _Pairs:
    """Export texts matched to instrument ids, with their similarity; the rest unmatched."""

    matched: list[tuple[str, str, float]] = field(default_factory=list)
    unmatched: list[tuple[str, str | None, float]] = field(default_factory=list)
    """(export text, closest id or None, its similarity)."""
    missing: list[str] = field(default_factory=list)
    """Instrument ids no export text matched."""


def pair(texts: Sequence[str], targets: Sequence[tuple[str, str]], similarity: Similarity,
         threshold: float) -> _Pairs:
    """Match export texts one-to-one to (id, text) targets: equal texts, then the closest."""
    result = _Pairs()
    free_texts = list(dict.fromkeys(texts))
    free_targets = list(targets)
    for text in list(free_texts):
        same = next((t for t in free_targets if header_key(t[1]) == header_key(text)), None)
        if same is not None:
            result.matched.append((text, same[0], 1.0))
            free_texts.remove(text)
            free_targets.remove(same)
    if free_texts and free_targets:
        scores = similarity([clean_header(t) for t in free_texts],
                            [clean_header(t[1]) for t in free_targets])
        best = {text: (free_targets[int(np.argmax(row))][0], float(np.max(row)))
                for text, row in zip(free_texts, scores, strict=True)}
        # Greedy on the best pair left: one export text per instrument item.
        order = sorted(((float(scores[i, j]), i, j) for i in range(len(free_texts))
                        for j in range(len(free_targets))), reverse=True)
        used_texts: set[int] = set()
        used_targets: set[int] = set()
        for score, i, j in order:
            if score < threshold:
                break
            if i in used_texts or j in used_targets:
                continue
            used_texts.add(i)
            used_targets.add(j)
            result.matched.append((free_texts[i], free_targets[j][0], score))
        result.unmatched = [(t, *best[t]) for i, t in enumerate(free_texts) if i not in used_texts]
        free_targets = [t for j, t in enumerate(free_targets) if j not in used_targets]
    else:
        result.unmatched = [(t, None, 0.0) for t in free_texts]
    result.missing = [t[0] for t in free_targets]
    return result


def _shape(question: ExportQuestion) -> tuple[str, ...]:
    """The instrument types an export question's columns can be."""
    keys = [header_key(c.label) for c in question.columns]
    if header_key(RESPONSE) in keys:
        return ("single",)
    if len(keys) == 1 and keys[0] in (header_key(OPEN_ENDED), ""):
        return ("text",)
    return ("multi", "matrix")


@dataclass
class _Proposal:
    questions: list[tuple[str, str, float]] = field(default_factory=list)
    unmatched: list[tuple[str, str | None, float]] = field(default_factory=list)
    labels: dict[str, dict[str, list[tuple[str, str, float]]]] = field(default_factory=dict)
    """'options' or 'statements' -> question id -> (export label, id, similarity)."""
    unmatched_labels: list[tuple[str, str, str | None, float]] = field(default_factory=list)
    absent: dict[str, list[str]] = field(default_factory=dict)
    not_in_export: list[str] = field(default_factory=list)


def propose(export: Export, instrument: Instrument, similarity: Similarity) -> _Proposal:
    proposal = _Proposal()
    by_shape: dict[tuple[str, ...], list[ExportQuestion]] = {}
    for question in export.questions:
        by_shape.setdefault(_shape(question), []).append(question)
    matched_ids: set[str] = set()
    for shape, questions in by_shape.items():
        targets = [(q.id, q.text) for q in instrument.questions if q.type in shape]
        found = pair([q.text for q in questions], targets, similarity, QUESTION_THRESHOLD)
        proposal.questions += found.matched
        proposal.unmatched += found.unmatched
        texts = {header_key(q.text): q for q in questions}
        for text, qid, _ in found.matched:
            matched_ids.add(qid)
            _labels(proposal, texts[header_key(text)], instrument.question(qid), similarity)
    # In the export's order, as the analyst reads the file beside it.
    order = {header_key(q.text): q.first for q in export.questions}
    proposal.questions.sort(key=lambda item: order[header_key(item[0])])
    proposal.unmatched.sort(key=lambda item: order[header_key(item[0])])
    proposal.not_in_export = [q.id for q in instrument.questions if q.id not in matched_ids]
    return proposal


def _labels(proposal: _Proposal, found: ExportQuestion, question: Question,
            similarity: Similarity) -> None:
    """Options and statements of one matched question."""
    boxes = [c.label for c in found.columns if header_key(c.label) != header_key(RESPONSE)]
    if question.type == "text" or question.pii:
        return
    if question.type == "matrix":
        _record(proposal, "statements", question, pair(
            boxes, [(s.id, s.text) for s in question.statements], similarity, LABEL_THRESHOLD))
        absent = _missing(proposal, "statements", question)
        values = [v for c in found.columns for v in c.values]
        _record(proposal, "options", question, pair(
            values, [(o.id, o.label) for o in question.options], similarity, LABEL_THRESHOLD))
    elif question.type == "multi":
        _record(proposal, "options", question, pair(
            boxes, [(o.id, o.label) for o in question.options], similarity, LABEL_THRESHOLD))
        absent = _missing(proposal, "options", question)
    else:
        values = [v for c in found.columns if header_key(c.label) == header_key(RESPONSE)
                  for v in c.values]
        others = [o for o in question.options if o.other]
        _record(proposal, "options", question, pair(
            [*values, *boxes], [(o.id, o.label) for o in question.options], similarity,
            LABEL_THRESHOLD))
        chosen = {oid for _, oid, _ in proposal.labels.get("options", {}).get(question.id, [])}
        absent = [o.id for o in others if o.id not in chosen]
    if absent:
        proposal.absent[question.id] = absent


def _record(proposal: _Proposal, kind: str, question: Question, found: _Pairs) -> None:
    proposal.labels.setdefault(kind, {}).setdefault(question.id, []).extend(found.matched)
    proposal.unmatched_labels += [(question.id, text, best, score)
                                  for text, best, score in found.unmatched]


def _missing(proposal: _Proposal, kind: str, question: Question) -> list[str]:
    matched = {item_id for _, item_id, _ in proposal.labels.get(kind, {}).get(question.id, [])}
    items = question.statements if kind == "statements" else question.options
    return [item.id for item in items if item.id not in matched]


# --- the YAML -------------------------------------------------------------------------------

def mapping_yaml(export: Export, instrument: Instrument, similarity: Similarity, *,
                 method: str) -> str:
    proposal = propose(export, instrument, similarity)
    same = sum(score == 1.0 for _, _, score in proposal.questions)
    lines = [
        f"# Proposed by `hrta instrument match` from {export.file.rsplit('/', 1)[-1]} for "
        f"{instrument.id}.",
        *comment_lines("", f"Texts were matched word for word first, then by {method}; "
                           "each line says how close it is (1.00: the same text). Check the "
                           "lines marked CHECK, then run `hrta analyze EXPORT --mapping "
                           "THIS_FILE`."),
        f"# {same} of {len(proposal.questions)} matched questions have the instrument's text.",
        "questions:",
    ]
    for text, qid, score in proposal.questions:
        lines.append(f"  {_quote(clean_header(text))}: {qid}  # {_score(score)}")
    for text, best, score in proposal.unmatched:
        closest = f" (closest: {best}, {score:.2f})" if best else ""
        lines += comment_lines("  ", f"UNMATCHED: no question of {instrument.id} fits"
                                     f"{closest}. Ignored; write its question id instead "
                                     "of `ignore` to read it.")
        lines.append(f"  {_quote(clean_header(text))}: ignore")
    if proposal.not_in_export:
        lines += comment_lines("  ", "Not in this export (left unanswered): "
                                     + ", ".join(proposal.not_in_export) + ".")
    for kind in ("options", "statements"):
        lines += _label_block(kind, proposal)
    if proposal.unmatched_labels:
        lines.append("# UNMATCHED labels: the export has them, the instrument does not. Map "
                     "each by hand")
        lines.append("# (under options or statements) or `hrta analyze` refuses the file:")
        lines += [f"#   {qid}: {_quote(text)}"
                  + (f" (closest: {best}, {score:.2f})" if best else "")
                  for qid, text, best, score in proposal.unmatched_labels]
    if proposal.absent:
        lines.append("absent:  # options or statements this export has no column for")
        lines += [f"  {qid}: [{', '.join(ids)}]" for qid, ids in proposal.absent.items()]
    return "\n".join(lines) + "\n"


def _label_block(kind: str, proposal: _Proposal) -> list[str]:
    """Only the labels worded differently: the same text needs no line."""
    block = {qid: [item for item in items if item[2] < 1.0]
             for qid, items in proposal.labels.get(kind, {}).items()}
    block = {qid: items for qid, items in block.items() if items}
    if not block:
        return []
    lines = [f"{kind}:"]
    for qid, items in block.items():
        lines.append(f"  {qid}:")
        lines += [f"    {_quote(clean_header(text))}: {item_id}  # {_score(score)}"
                  for text, item_id, score in items]
    return lines


def _score(score: float) -> str:
    return f"{score:.2f}" if score >= SURE else f"{score:.2f} CHECK"


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)
