"""Theme discovery: groups of answers no theme fits, proposed as candidate themes.

The answers left uncoded are clustered by their embeddings (average-linkage hierarchical
clustering on cosine distance, SciPy); each group of at least `min_size` answers becomes a
candidate with its most representative answers (nearest the group's centre) and its
distinctive words (frequent in the group, rare in the question's other answers: class-based
TF-IDF). A person names a candidate and adds it to the codebook; nothing is added by itself.

A question without a codebook (the open-ended questions of a questionnaire hrta does not
bundle codebooks for) is not coded at all: `discover_all` places every answer and proposes
themes among them all, the first step to a codebook.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from hrta.coding.embedder import Embedder

# Answers closer than this (cosine distance, 1 - cosine similarity, averaged between
# groups) are put together: about the distance of two phrasings of one idea.
MAX_DISTANCE = 0.6
MIN_SIZE = 2
# Clustering compares every pair of answers; beyond this many, a seeded sample is clustered
# and the other answers join the candidate whose centre is nearest, if near enough.
MAX_CLUSTERED = 2_000
REPRESENTATIVES = 3
WORDS = 5

# Words that say nothing about a theme in these answers.
_STOPWORD_TEXT = """
a about after all also am an and any are as at be been being but by can cannot could did do
does doing don dont for from had has have having he her here him his how i if in into is it
its just lack like lot lots many me more most much my no not now of on one only or other our
ours out over own so some such than that the their them then there these they this those
through to too up us very was we were what when where which while who why will with would
you your yet get getting got really still even well way ve re ll s t d m
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())
# Words, hyphenated ones whole; an apostrophe ends a word ("don't" reads as "don").
_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")


@dataclass(frozen=True)
class Candidate:
    """A proposed theme: the answers in it (indices into the texts given), the ones that
    show it best, and its distinctive words."""

    answers: tuple[int, ...]
    representatives: tuple[str, ...]
    words: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.answers)

    @property
    def suggested_label(self) -> str:
        return ", ".join(self.words[:3]).capitalize()


def words_of(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and len(w) > 2]


def discover(texts: Sequence[str], vectors: np.ndarray, *, background: Sequence[str] = (),
             min_size: int = MIN_SIZE, max_distance: float = MAX_DISTANCE) -> list[Candidate]:
    """Candidate themes among `texts` (the uncoded answers, `vectors` their unit-length
    embeddings), largest first. `background` (all the question's answers) sets which words
    are common anyway."""
    from scipy.cluster.hierarchy import fcluster, linkage

    if len(texts) < min_size:
        return []
    sample = np.arange(len(texts))
    if len(texts) > MAX_CLUSTERED:
        sample = np.sort(np.random.default_rng(0).choice(len(texts), MAX_CLUSTERED,
                                                         replace=False))
    if len(sample) == 1:
        found = np.array([1])
    else:
        picked = vectors[sample]
        distances = np.clip(1.0 - picked @ picked.T, 0.0, 2.0)
        condensed = distances[np.triu_indices(len(sample), k=1)]
        found = fcluster(linkage(condensed, method="average"), t=max_distance,
                         criterion="distance")
    groups = np.zeros(len(texts), dtype=np.int64)
    groups[sample] = found
    rest = np.setdiff1d(np.arange(len(texts)), sample)
    if rest.size:
        labels = np.unique(found)
        centres = np.stack([vectors[sample[found == g]].mean(axis=0) for g in labels])
        centres /= np.maximum(np.linalg.norm(centres, axis=1, keepdims=True), 1e-12)
        nearness = vectors[rest] @ centres.T
        best = nearness.argmax(axis=1)
        close = 1.0 - nearness[np.arange(rest.size), best] <= max_distance
        groups[rest[close]] = labels[best[close]]
    members = {g: np.flatnonzero(groups == g) for g in np.unique(groups) if g > 0}
    big = {g: rows for g, rows in members.items() if len(rows) >= min_size}
    documents = {g: Counter(w for i in rows for w in set(words_of(texts[int(i)])))
                 for g, rows in big.items()}
    corpus = list(background) or list(texts)
    spread = Counter(w for text in corpus for w in set(words_of(text)))
    candidates = []
    for g, rows in big.items():
        centre = vectors[rows].mean(axis=0)
        closeness = vectors[rows] @ centre
        order = rows[np.argsort(-closeness, kind="stable")]
        candidates.append(Candidate(
            answers=tuple(int(i) for i in sorted(rows)),
            representatives=tuple(texts[i] for i in order[:REPRESENTATIVES]),
            words=_distinctive(documents[g], spread, len(rows), len(corpus))))
    return sorted(candidates, key=lambda c: (-c.size, c.answers))


def _distinctive(counts: Counter[str], spread: Counter[str], size: int,
                 corpus: int) -> tuple[str, ...]:
    """Words used by at least two of the group's answers (or its only ones), weighted by
    how much more often the group uses them than the question's answers as a whole."""
    floor = 2 if size > 2 else 1
    scored = {w: (c / size) * np.log(1 + corpus / max(spread.get(w, 0), c))
              for w, c in counts.items() if c >= floor}
    return tuple(sorted(scored, key=lambda w: (-scored[w], w))[:WORDS])


@dataclass(frozen=True)
class Discovery:
    """Every answer of a question placed without a codebook: `vectors` has a row per answer
    (zeros for one with no words), `readable` the indices of the answers with words, and
    `candidates` the proposed themes (their answers index the texts given)."""

    vectors: np.ndarray
    readable: np.ndarray
    candidates: list[Candidate]


def discover_all(texts: Sequence[str | None], *, embedder: Embedder | None = None,
                 progress: Callable[[int], None] | None = None) -> Discovery:
    """Candidate themes among all of a question's answers, for a question that has no
    codebook yet."""
    from hrta.coding.autocode import answer_vectors
    from hrta.coding.embedder import DIMENSIONS, shared_embedder

    found, readable = answer_vectors(embedder or shared_embedder(), texts, progress=progress)
    vectors = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    vectors[readable] = found
    shown = [texts[int(i)] or "" for i in readable]
    candidates = [replace(c, answers=tuple(int(readable[i]) for i in c.answers))
                  for c in discover(shown, found, background=shown)]
    return Discovery(vectors, readable, candidates)
