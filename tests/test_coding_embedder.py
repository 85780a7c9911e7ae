"""The embedding model: the packaged all-MiniLM-L6-v2 run by hrta, against the reference.

tests/data/reference_embeddings.npz holds vectors the reference implementation
(sentence-transformers on PyTorch) made for 30 varied texts, by
tests/data/make_reference_embeddings.py; hrta's embedder must give the same vectors.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hrta.coding.embedder import DIMENSIONS, Embedder, ModelUnavailableError, model_dir

REFERENCE = Path(__file__).parent / "data" / "reference_embeddings.npz"


@pytest.fixture(scope="module")
def reference() -> tuple[list[str], np.ndarray]:
    with np.load(REFERENCE) as data:
        return [str(t) for t in data["texts"]], data["vectors"]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder(cache=False)


def test_reference_covers_hard_texts(reference):
    texts, vectors = reference
    assert len(texts) == len(vectors) >= 30
    assert vectors.shape[1] == DIMENSIONS
    assert "" in texts and any(len(t) > 5_000 for t in texts)
    assert any("🙂" in t for t in texts) and any("financiamiento" in t for t in texts)


def test_embeddings_match_the_reference_implementation(embedder, reference):
    texts, expected = reference
    got = embedder.encode(texts)
    cosine = np.sum(got * expected, axis=1)
    worst = int(np.argmin(cosine))
    assert cosine.min() >= 0.999, f"{texts[worst][:60]!r}: cosine {cosine[worst]:.6f}"
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_batching_and_order_do_not_change_vectors(embedder, reference):
    texts, _ = reference
    together = embedder.encode(texts)
    alone = np.stack([embedder.encode([t])[0] for t in texts[:6]])
    assert np.allclose(together[:6], alone, atol=1e-5)
    backwards = embedder.encode(texts[::-1])[::-1]
    assert np.allclose(together, backwards, atol=1e-5)


def test_meaning_is_what_the_vectors_measure(embedder):
    money, grants, peers = embedder.encode(
        ["We do not have enough money.", "Our grants are too small.", "Peer specialists"])
    assert money @ grants > money @ peers


def test_cached_vectors_are_reused_within_and_across_runs(tmp_path):
    first = Embedder(cache=tmp_path)
    vectors = first.embed(["Funding", "Stigma", "Funding"])
    assert np.allclose(vectors[0], vectors[2])
    assert list(tmp_path.glob("pack-*.npz"))
    # A new process (here: a new embedder on the same folder) finds every vector on disk
    # and never builds the network.
    again = Embedder(cache=tmp_path)
    assert np.allclose(again.embed(["Stigma", "Funding"]), vectors[[1, 0]])
    assert not again.loaded
    again.embed(["Something new"])
    assert again.loaded


def test_a_damaged_cache_is_only_a_miss(tmp_path):
    Embedder(cache=tmp_path).embed(["Funding"])
    for pack in tmp_path.glob("pack-*.npz"):
        pack.write_bytes(b"not a numpy file")
    again = Embedder(cache=tmp_path)
    assert again.embed(["Funding"]).shape == (1, DIMENSIONS)


def test_no_texts_give_an_empty_matrix(embedder):
    assert embedder.embed([]).shape == (0, DIMENSIONS)


def test_a_missing_model_is_reported(monkeypatch, tmp_path):
    monkeypatch.setenv("HRTA_MODEL_DIR", str(tmp_path))
    with pytest.raises(ModelUnavailableError, match=r"model\.safetensors"):
        model_dir()
