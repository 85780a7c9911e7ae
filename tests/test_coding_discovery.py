"""Theme discovery with the real model: answers the codebook misses, grouped and described."""

from __future__ import annotations

from hrta.coding.autocode import UNCODED, coder_for
from hrta.coding.discovery import discover, words_of

# Answers about things the challenges codebook has no theme for: the weather and hospital
# mergers, with two odd ones out.
MISSED = [
    "Hurricane season shut our clinic for weeks.",
    "The hurricane flooded our building and destroyed our supplies storage.",
    "Flooding after the storm kept our outreach van off the roads.",
    "Our hospital system merged and the new owners are reviewing every program.",
    "A merger with a larger health system put all new programs on hold.",
    "We like cats.",
]


def test_candidates_group_like_answers_with_their_words():
    coder = coder_for("challenges")
    vectors, index = coder.vectors(MISSED)
    assert list(index) == list(range(len(MISSED)))
    candidates = discover(MISSED, vectors)
    groups = [set(c.answers) for c in candidates]
    assert {0, 1, 2} <= next(g for g in groups if 0 in g)
    assert {3, 4} <= next(g for g in groups if 3 in g)
    assert not any(5 in g for g in groups), "an answer alone is no theme"
    storm = next(c for c in candidates if 0 in c.answers)
    assert {"hurricane", "flooded", "flooding"} & set(storm.words)
    assert storm.representatives[0] in MISSED[:3]
    assert storm.suggested_label


def test_words_leave_out_filler():
    assert words_of("We don't have any of the funding we'd need") == ["funding", "need"]


def test_too_few_answers_propose_nothing():
    coder = coder_for("challenges")
    vectors, _ = coder.vectors(MISSED[:1])
    assert discover(MISSED[:1], vectors) == []


def test_answers_no_theme_fits_are_left_uncoded():
    coded = coder_for("challenges").code([*MISSED, "Not applicable to us."])
    assert coded[5].status == UNCODED and coded[6].status == UNCODED


def test_many_answers_are_sampled_then_joined_to_their_group(monkeypatch):
    import numpy as np

    from hrta.coding import discovery

    monkeypatch.setattr(discovery, "MAX_CLUSTERED", 200)
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(1_000, 384)).astype(np.float32)
    vectors[:150] = vectors[0] + 0.05 * vectors[:150]  # one tight group among noise
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    texts = [f"answer {i}" for i in range(1_000)]
    (candidate,) = discover(texts, vectors)
    assert candidate.answers == tuple(range(150)), "sampled or not, the whole group is found"
