"""Automatic coding: each answer gets zero or more themes of a codebook, with a confidence.

The coder is a linear read-out of the sentence embeddings, one per theme (ridge
regression), learnt from the codebook itself (each theme's label, description and
examples: few-shot) and from a tuning set of answers tagged by people. For the bundled
codebooks the tuning set is the coder's own labelled file, coding/tuning/INSTRUMENT.yaml;
any labelled CSV can be given instead. Everything that is chosen is chosen by measurement
on the tuning set, out of fold (each answer read out by a model that did not learn from
it): the strength of the ridge penalty (the best micro F1), each theme's threshold (the
best F1 for that theme) and the slope that turns a read-out value into a confidence. A
theme is coded when its confidence is 0.5 or more, which is exactly when its read-out
reaches its threshold. The evaluation set (tests/data/coding_development_set.csv) is
never used for any of this.

Answers with no letters at all (empty, emoji, punctuation, markup only) are "uncodable";
answers no theme fits are "uncoded" (other); the rest are "coded". HTML is read as the text
it shows; an answer longer than the model reads at once (256 tokens) is coded passage by
passage, each theme taking its best passage.

Training takes seconds (dozens of ridge solves and a search over thresholds), so what it
learns is kept on disk beside the embedding cache (`coders/` under the cache folder; see
`hrta.coding.embedder.cache_dir`), keyed by a hash of everything it is learnt from: the
codebook, the tuning answers and their tags, the tuning source's name, the model and this
module's own code. A report made again loads the same weights and thresholds instead of
training; any change to those inputs trains afresh.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from hrta.coding.codebook import Codebook, load_codebook
from hrta.coding.embedder import DIMENSIONS, Embedder, cache_dir, shared_embedder
from hrta.coding.labelled import TaggedAnswer, bundled_tuning
from hrta.defaults import DEFAULT_INSTRUMENT
from hrta.files import write_atomic

CODED, UNCODED, UNCODABLE = "coded", "uncoded", "uncodable"
# Ridge penalties tried; the tuning set picks one.
PENALTIES = (0.1, 0.3, 1.0, 3.0)
FOLDS = 5
THRESHOLDS = np.round(np.arange(-0.2, 1.0, 0.01), 2)
# Passages of at most this many words: well inside the model's 256 tokens.
PASSAGE_WORDS = 150
MAX_PASSAGES = 64  # about 10,000 words; the rest of a longer answer is not read
_SEED = 2022

Progress = Callable[[int], None]


@dataclass(frozen=True)
class ThemeConfidence:
    """A theme coded on an answer, with the chance that a person would give it."""

    theme: str
    confidence: float


@dataclass(frozen=True)
class CodedAnswer:
    text: str
    status: str  # coded, uncoded or uncodable
    themes: tuple[ThemeConfidence, ...] = ()  # coded themes, most confident first

    @property
    def theme_ids(self) -> tuple[str, ...]:
        return tuple(coded.theme for coded in self.themes)


@dataclass(frozen=True)
class Tuning:
    """What the tuning set measured: shown by `hrta code --evaluate` and in the docs."""

    source: str
    answers: int
    penalty: float
    slope: float
    thresholds: dict[str, float]
    f1: float  # micro F1 of the out-of-fold coding of the tuning set


# --- text --------------------------------------------------------------------------------

_SCRIPT = re.compile(r"<(script|style)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]{0,500}>")


def readable(text: str | None) -> str | None:
    """The words of an answer as a reader sees them (markup and entities resolved, spaces
    collapsed), or None when nothing in it is a letter: there is nothing to code."""
    if text is None:
        return None
    shown = html.unescape(_TAG.sub(" ", _SCRIPT.sub(" ", text)))
    shown = " ".join(shown.split())
    if not any(unicodedata.category(ch).startswith("L") for ch in shown):
        return None
    return shown


def passages(text: str) -> list[str]:
    """The answer whole when short, else runs of whole sentences of at most PASSAGE_WORDS
    words (a sentence longer than that is cut)."""
    words = text.split()
    if len(words) <= PASSAGE_WORDS:
        return [text]
    found: list[str] = []
    current: list[str] = []
    for sentence in re.split(r"(?<=[.!?;])\s+", text):
        sentence_words = sentence.split()
        while sentence_words:
            room = PASSAGE_WORDS - len(current)
            if len(sentence_words) > room and current:
                found.append(" ".join(current))
                current = []
                continue
            current.extend(sentence_words[:PASSAGE_WORDS])
            sentence_words = sentence_words[PASSAGE_WORDS:]
        if len(found) >= MAX_PASSAGES:
            break
    if current and len(found) < MAX_PASSAGES:
        found.append(" ".join(current))
    return found[:MAX_PASSAGES]


# --- the coder ---------------------------------------------------------------------------

class Coder:
    """A codebook's trained read-out. `code(texts)` codes answers; `confidences(texts)`
    gives every theme's confidence."""

    def __init__(self, codebook: Codebook, embedder: Embedder, weights: np.ndarray,
                 tuning: Tuning) -> None:
        self.codebook = codebook
        self.embedder = embedder
        self.weights = weights  # (385, themes): 384 dimensions and a bias
        self.tuning = tuning
        self.thresholds = np.array([tuning.thresholds[t] for t in codebook.ids])

    @classmethod
    def train(cls, codebook: Codebook, tuning: Sequence[TaggedAnswer] = (), *,
              source: str = "", embedder: Embedder | None = None) -> Coder:
        embedder = embedder or shared_embedder()
        key = _training_key(codebook, tuning, source, embedder)
        kept = _kept(key)
        if kept is not None:
            return cls(codebook, embedder, *kept)
        coder = cls._trained(codebook, tuning, source=source, embedder=embedder)
        _keep(key, coder.weights, coder.tuning)
        return coder

    @classmethod
    def _trained(cls, codebook: Codebook, tuning: Sequence[TaggedAnswer], *, source: str,
                 embedder: Embedder) -> Coder:
        from threadpoolctl import threadpool_limits

        texts, labels = _prototypes(codebook)
        proto_x = embedder.embed(texts)
        tuned = [a for a in tuning if readable(a.text) is not None]
        if tuned:
            tune_x = np.stack([_answer_vector(embedder, readable(a.text) or "")
                               for a in tuned])
            tune_y = label_matrix(codebook, [a.themes for a in tuned])
        else:
            # Without answers tagged by people, the codebook's examples tune themselves,
            # each scored by a read-out learnt from the others.
            tune_x, tune_y = proto_x, labels
        # Dozens of small solves: threads only wait on each other (ten times slower on two
        # busy cores than one thread alone).
        with threadpool_limits(limits=1, user_api="blas"):
            return cls._fit(codebook, embedder, labels, proto_x, tune_x, tune_y,
                            tuned=bool(tuned), source=source)

    @classmethod
    def _fit(cls, codebook: Codebook, embedder: Embedder, labels: np.ndarray,
             proto_x: np.ndarray, tune_x: np.ndarray, tune_y: np.ndarray, *, tuned: bool,
             source: str) -> Coder:
        best: tuple[float, float, np.ndarray, np.ndarray] | None = None
        for penalty in PENALTIES:
            readouts = _out_of_fold(proto_x, labels, tune_x, tune_y, penalty,
                                  self_tuned=not tuned)
            thresholds = _thresholds(readouts, tune_y)
            f1 = _f1(tune_y.ravel(), (readouts >= thresholds).ravel())
            if best is None or f1 > best[0] + 1e-9:
                best = (f1, penalty, readouts, thresholds)
        assert best is not None
        f1, penalty, readouts, thresholds = best
        slope = _slope(readouts - thresholds, tune_y)
        if tuned:
            train_x, train_y = np.vstack([proto_x, tune_x]), np.vstack([labels, tune_y])
        else:
            train_x, train_y = proto_x, labels
        weights = _ridge(train_x, train_y, penalty)
        record = Tuning(source=source or ("tuning set" if tuned else "codebook examples"),
                        answers=len(tune_x), penalty=penalty,
                        slope=slope, f1=f1,
                        thresholds={t: float(v) for t, v in
                                    zip(codebook.ids, thresholds, strict=True)})
        return cls(codebook, embedder, weights, record)

    def vectors(self, texts: Sequence[str | None], *,
                progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(vectors of the readable answers, their indices into `texts`)."""
        return answer_vectors(self.embedder, texts, progress=progress)

    def confidences(self, texts: Sequence[str | None], *,
               progress: Progress | None = None) -> np.ndarray:
        """Confidence of every theme for every answer, (len(texts), themes); 0 for
        uncodable answers."""
        shown = [readable(text) for text in texts]
        result = np.zeros((len(texts), len(self.codebook.themes)))
        pieces: list[str] = []
        owner: list[int] = []
        for i, text in enumerate(shown):
            if text is not None:
                parts = passages(text)
                pieces.extend(parts)
                owner.extend([i] * len(parts))
        if not pieces:
            return result
        vectors = self.embedder.embed(pieces, progress=_scaled(progress, len(pieces),
                                                               len(texts)))
        raw = _read_out(vectors, self.weights)
        best = np.full((len(texts), raw.shape[1]), -np.inf)
        np.maximum.at(best, np.asarray(owner), raw)
        readable_rows = np.isfinite(best[:, 0])
        result[readable_rows] = _confidence(best[readable_rows] - self.thresholds,
                                            self.tuning.slope)
        return result

    def code(self, texts: Sequence[str | None], *,
             progress: Progress | None = None) -> list[CodedAnswer]:
        confidences = self.confidences(texts, progress=progress)
        ids = self.codebook.ids
        coded = []
        for text, row in zip(texts, confidences, strict=True):
            if readable(text) is None:
                coded.append(CodedAnswer(text or "", UNCODABLE))
                continue
            row = row.copy()
            chosen = {int(i) for i in np.flatnonzero(row >= 0.5)}
            # A theme coded under a parent codes the parent too, at least as confidently.
            for i in sorted(chosen, key=lambda i: -row[i]):
                for parent in (ids.index(a) for a in self.codebook.ancestors(ids[i])):
                    row[parent] = max(row[parent], row[i])
                    chosen.add(parent)
            themes = tuple(ThemeConfidence(ids[i], round(float(row[i]), 3))
                           for i in sorted(chosen, key=lambda i: -row[i]))
            coded.append(CodedAnswer(text or "", CODED if themes else UNCODED, themes))
        return coded


def answer_vectors(embedder: Embedder, texts: Sequence[str | None], *,
                   progress: Progress | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(vectors of the readable answers, their indices into `texts`): a codebook is not
    needed to place answers (theme discovery on a question without one uses this too)."""
    shown = [readable(text) for text in texts]
    index = np.array([i for i, s in enumerate(shown) if s is not None], dtype=np.int64)
    pieces: list[str] = []
    owner: list[int] = []
    for position, i in enumerate(index):
        parts = passages(shown[i] or "")
        pieces.extend(parts)
        owner.extend([position] * len(parts))
    if not pieces:
        return np.zeros((0, DIMENSIONS), dtype=np.float32), index
    vectors = embedder.embed(pieces, progress=_scaled(progress, len(pieces), len(texts)))
    if len(pieces) == len(index):
        return vectors, index
    # A long answer's passages each keep their own vector for scoring; the answer as a
    # whole is their mean (for centrality and discovery).
    return _pooled(vectors, np.asarray(owner), len(index)), index


def _scaled(progress: Progress | None, pieces: int, answers: int) -> Progress | None:
    """Progress counted in answers while the embedder counts passages."""
    if progress is None:
        return None
    ratio = answers / max(pieces, 1)
    counted = 0.0
    shown = 0

    def advance(count: int) -> None:
        nonlocal counted, shown
        counted += count * ratio
        step = int(counted) - shown
        if step:
            shown += step
            progress(step)

    return advance


def _answer_vector(embedder: Embedder, text: str) -> np.ndarray:
    vectors = embedder.embed(passages(text))
    if len(vectors) == 1:
        return vectors[0]
    return _pooled(vectors, np.zeros(len(vectors), dtype=np.int64), 1)[0]


def _pooled(vectors: np.ndarray, owner: np.ndarray, count: int) -> np.ndarray:
    sums = np.zeros((count, vectors.shape[1]), dtype=np.float64)
    np.add.at(sums, owner, vectors)
    norms = np.linalg.norm(sums, axis=1, keepdims=True)
    return (sums / np.maximum(norms, 1e-12)).astype(np.float32)


def _prototypes(codebook: Codebook) -> tuple[list[str], np.ndarray]:
    """The codebook's own texts, each a positive example of its theme (and the theme's
    ancestors): the label, the label with its description, and every example; then the
    examples of answers that fit no theme, negative for all."""
    texts: list[str] = []
    tags: list[tuple[str, ...]] = []
    for theme in codebook.themes:
        own = [theme.label]
        if theme.description:
            own.append(f"{theme.label}: {theme.description}")
        own.extend(theme.examples)
        texts.extend(own)
        tags.extend([(theme.id,)] * len(own))
    texts.extend(codebook.uncoded_examples)
    tags.extend([()] * len(codebook.uncoded_examples))
    return texts, label_matrix(codebook, tags)


def label_matrix(codebook: Codebook, tags: Sequence[Sequence[str]]) -> np.ndarray:
    ids = codebook.ids
    matrix = np.zeros((len(tags), len(ids)), dtype=bool)
    for row, themes in enumerate(tags):
        for theme in themes:
            for tagged in (theme, *codebook.ancestors(theme)):
                matrix[row, ids.index(tagged)] = True
    return matrix


def _ridge(x: np.ndarray, y: np.ndarray, penalty: float) -> np.ndarray:
    """Ridge regression weights (dimensions + bias, themes). With fewer examples than
    dimensions (the usual case) the same solution is found from the examples' side, a
    smaller system."""
    design = np.hstack([x, np.ones((len(x), 1), dtype=x.dtype)]).astype(np.float64)
    target = y.astype(np.float64)
    if len(design) < design.shape[1]:
        gram = design @ design.T + penalty * np.eye(len(design))
        return design.T @ np.linalg.solve(gram, target)
    gram = design.T @ design + penalty * np.eye(design.shape[1])
    return np.linalg.solve(gram, design.T @ target)


def _read_out(x: np.ndarray, weights: np.ndarray) -> np.ndarray:
    return x.astype(np.float64) @ weights[:-1] + weights[-1]


def _out_of_fold(proto_x: np.ndarray, proto_y: np.ndarray, tune_x: np.ndarray,
                 tune_y: np.ndarray, penalty: float, *, self_tuned: bool) -> np.ndarray:
    folds = np.random.default_rng(_SEED).permutation(len(tune_x)) % FOLDS
    readouts = np.zeros(tune_y.shape)
    for fold in range(FOLDS):
        held = folds == fold
        if not held.any():
            continue
        if self_tuned:
            x, y = tune_x[~held], tune_y[~held]
        else:
            x = np.vstack([proto_x, tune_x[~held]])
            y = np.vstack([proto_y, tune_y[~held]])
        readouts[held] = _read_out(tune_x[held], _ridge(x, y, penalty))
    return readouts


def _f1(truth: np.ndarray, predicted: np.ndarray) -> float:
    tp = int((truth & predicted).sum())
    wrong = int((truth ^ predicted).sum())
    return 2 * tp / (2 * tp + wrong) if tp else 0.0


def _thresholds(readouts: np.ndarray, truth: np.ndarray) -> np.ndarray:
    """Per theme, the threshold with the best F1 on the tuning set; among equally good
    ones the nearest to the best single threshold for all themes, which is also what a
    theme the tuning set never uses gets."""
    shared = max(THRESHOLDS, key=lambda t: (_f1(truth.ravel(), (readouts >= t).ravel()), -t))
    found = []
    for column in range(truth.shape[1]):
        if not truth[:, column].any():
            found.append(shared)
            continue
        found.append(_best_threshold(readouts[:, column], truth[:, column], shared))
    return np.array(found)


def _best_threshold(readouts: np.ndarray, truth: np.ndarray, shared: float) -> float:
    def quality(t: float) -> tuple[float, float]:
        return _f1(truth, readouts >= t), -abs(t - shared)

    return max(THRESHOLDS, key=quality)


def _slope(margins: np.ndarray, truth: np.ndarray) -> float:
    """The logistic slope that best turns a read-out's distance from its threshold into the
    chance that a person would code the theme (maximum likelihood on the tuning set)."""
    from scipy.optimize import minimize_scalar

    x, y = margins.ravel(), truth.ravel().astype(float)

    def loss(slope: float) -> float:
        z = slope * x
        return float(np.sum(np.logaddexp(0, z) - y * z))

    return float(minimize_scalar(loss, bounds=(0.5, 200.0), method="bounded").x)


def _confidence(margins: np.ndarray, slope: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-slope * margins))


# --- trained coders kept on disk ---------------------------------------------------------

def _training_key(codebook: Codebook, tuning: Sequence[TaggedAnswer], source: str,
                  embedder: Embedder) -> str:
    """A hash of everything training reads. This file's own bytes stand for the method
    (penalties, folds, thresholds, seed): a changed method never meets old weights."""
    digest = hashlib.blake2b(digest_size=20)
    for part in (Path(__file__).read_bytes(), embedder.model_id.encode(),
                 codebook.fingerprint().encode(), source.encode(),
                 json.dumps([[a.text, list(a.themes)] for a in tuning],
                            ensure_ascii=False).encode()):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()


def _coders_dir() -> Path | None:
    embeddings = cache_dir()
    return embeddings.parent / "coders" if embeddings else None


def _kept(key: str) -> tuple[np.ndarray, Tuning] | None:
    """The weights and tuning record trained earlier on the same inputs, if kept; a
    missing or unreadable file is only a cache miss."""
    folder = _coders_dir()
    if folder is None:
        return None
    try:
        with np.load(folder / f"{key}.npz", allow_pickle=False) as data:
            weights = data["weights"]
            record = json.loads(str(data["tuning"]))
        tuning = Tuning(**record)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if weights.ndim != 2 or weights.shape[0] != DIMENSIONS + 1 \
            or weights.shape[1] != len(tuning.thresholds):
        return None
    return weights, tuning


def _keep(key: str, weights: np.ndarray, tuning: Tuning) -> None:
    folder = _coders_dir()
    if folder is None:
        return

    def save(tmp: Path) -> None:
        with tmp.open("wb") as handle:
            # JSON keeps every float exactly (Python writes the shortest repr that reads
            # back to the same value), so a kept coder codes exactly as a trained one.
            np.savez(handle, weights=weights, tuning=np.array(json.dumps(asdict(tuning))))

    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{key}.npz", save)
    except OSError:
        pass  # a cache that cannot be written only costs time on the next run


# --- the bundled coders ------------------------------------------------------------------

def tuning_answers(codebook: Codebook, instrument_id: str) -> tuple[str, list[TaggedAnswer]]:
    """The bundled tuning set's tagged answers of the codebook's question, when its tags are
    the codebook's themes (coding/tuning/INSTRUMENT.yaml)."""
    return bundled_tuning(codebook, instrument_id)


_coders: dict[tuple[str, str, int], Coder] = {}


def coder_for(question: str, *, codebook: Codebook | None = None,
              tuning: Sequence[TaggedAnswer] | None = None, tuning_source: str = "",
              instrument_id: str = DEFAULT_INSTRUMENT) -> Coder:
    """A trained coder for `question`: the bundled codebook and its tuning set unless
    others are given. Coders are kept for the life of the process."""
    book = codebook or load_codebook(question, instrument_id=instrument_id)
    if tuning is None:
        tuning_source, tuning = tuning_answers(book, instrument_id)
    key = (book.fingerprint(), tuning_source, hash(tuple(tuning)))
    if key not in _coders:
        _coders[key] = Coder.train(book, tuning, source=tuning_source)
    return _coders[key]


def summary_of(coded: Sequence[CodedAnswer], codebook: Codebook) -> dict[str, Any]:
    """Per theme, the respondents coded with it, as a count and percent of those who
    answered (n)."""
    n = len(coded)
    counts = {theme: 0 for theme in codebook.ids}
    for answer in coded:
        for theme in answer.theme_ids:
            counts[theme] += 1
    statuses = {status: sum(1 for a in coded if a.status == status)
                for status in (CODED, UNCODED, UNCODABLE)}
    return {"n": n, **statuses, "themes": [
        {"id": t.id, "label": t.label, "count": counts[t.id],
         "percent": round(100 * counts[t.id] / n, 1) if n else 0.0}
        for t in sorted(codebook.themes, key=lambda t: -counts[t.id])]}
