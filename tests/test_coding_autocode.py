"""Automatic coding with the real model: confidence, thresholds, hard input, accuracy."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from hrta.coding.autocode import (
    CODED,
    UNCODABLE,
    UNCODED,
    Coder,
    coder_for,
    label_matrix,
    passages,
    readable,
    summary_of,
)
from hrta.coding.codebook import Codebook, Theme, load_codebook
from hrta.coding.labelled import TaggedAnswer
from hrta.coding.reliability import reliability

DEVELOPMENT = Path(__file__).parent / "data" / "coding_development_set.csv"


@pytest.fixture(scope="module")
def challenges() -> Coder:
    return coder_for("challenges")


@pytest.fixture(scope="module")
def facilitators() -> Coder:
    return coder_for("facilitators")


def development(question: str) -> list[TaggedAnswer]:
    with DEVELOPMENT.open(encoding="utf-8", newline="") as handle:
        return [TaggedAnswer(row["text"], tuple(t for t in row["themes"].split(";") if t))
                for row in csv.DictReader(handle) if row["question"] == question]


def test_plain_answers_get_their_theme(challenges, facilitators):
    cases = [(challenges, "Not enough money.", "funding"),
             (challenges, "stigma", "stigma"),
             (challenges, "Paraphernalia laws in our state.", "policy_legal"),
             (facilitators, "Our peer specialists", "peers_lived_experience"),
             (facilitators, "The county health department gave us naloxone.",
              "health_agencies")]
    for coder, text, theme in cases:
        answer = coder.code([text])[0]
        assert answer.status == CODED and theme in answer.theme_ids, (text, answer)


def test_an_answer_can_have_several_themes(challenges):
    answer = challenges.code(["Funding is short and the stigma in our county is intense."])[0]
    assert {"funding", "stigma"} <= set(answer.theme_ids)
    confidences = [s.confidence for s in answer.themes]
    assert confidences == sorted(confidences, reverse=True)


def test_confidence_is_half_exactly_at_the_threshold(challenges):
    texts = ["Funding", "We need more staff", "Nothing comes to mind", "Rural transport"]
    confidences = challenges.confidences(texts)
    assert ((confidences >= 0) & (confidences <= 1)).all()
    for text, row in zip(texts, confidences, strict=True):
        coded = set(challenges.code([text])[0].theme_ids)
        assert coded == {t for t, c in zip(challenges.codebook.ids, row, strict=True)
                         if c >= 0.5}


def test_thresholds_are_measured_per_theme(challenges):
    tuning = challenges.tuning
    assert tuning.source == "coding/tuning/harm_reduction_ta_2022.yaml"
    assert tuning.answers == 64
    assert set(tuning.thresholds) == set(challenges.codebook.ids)
    assert len(set(tuning.thresholds.values())) > 2, "one threshold per theme, measured"
    assert tuning.penalty in (0.1, 0.3, 1.0, 3.0)
    assert 0.6 < tuning.f1 <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "🙂🙂", "!!!", "<br><p></p>", "&nbsp;"])
def test_nothing_to_code_is_uncodable(challenges, text):
    assert challenges.code([text])[0].status == UNCODABLE
    assert challenges.confidences([text]).max() == 0


def test_hard_input_is_coded_or_left_never_a_crash(challenges):
    long = ("Funding is our biggest problem and the grants we have cannot pay for supplies. "
            * 120) + "Also the stigma in town."
    texts = [long, "Funding", "Falta de financiamiento y estigma.", "资金不足",
             "<script>alert(1)</script><b>Funding</b> &amp; stigma", "💸💸 money 💸",
             "=SUM(A1:A3)", None]
    coded = challenges.code(texts)
    assert [a.status for a in coded][:2] == [CODED, CODED]
    assert "funding" in coded[0].theme_ids
    assert {"funding", "stigma"} <= set(coded[4].theme_ids)
    assert "funding" in coded[5].theme_ids
    assert coded[7].status == UNCODABLE
    assert all(a.status in (CODED, UNCODED, UNCODABLE) for a in coded)


def test_markup_is_read_as_the_words_it_shows():
    assert readable("<p>Funding &amp; <b>stigma</b></p>") == "Funding & stigma"
    assert readable("<script>alert(1)</script> peers") == "peers"
    assert readable("🙂 ok") == "🙂 ok"
    assert readable("  \n ") is None


def test_long_answers_are_read_in_passages():
    text = ". ".join(f"Sentence {i} about funding and staff" for i in range(100))
    parts = passages(text)
    assert len(parts) > 3
    assert all(len(p.split()) <= 150 for p in parts)
    assert " ".join(parts).split() == text.split()
    assert passages("short answer") == ["short answer"]


def test_counts_and_percent_of_those_who_answered(challenges):
    coded = challenges.code(["Funding", "Money and stigma", "N/A", "🙂"])
    summary = summary_of(coded, challenges.codebook)
    assert (summary["n"], summary["coded"], summary["uncoded"], summary["uncodable"]) == (
        4, 2, 1, 1)
    funding = next(t for t in summary["themes"] if t["id"] == "funding")
    assert (funding["count"], funding["percent"]) == (2, 50.0)
    assert summary["themes"][0]["id"] == "funding"


def test_a_codebook_without_tuning_set_tunes_on_its_examples():
    book = Codebook("challenges", (
        Theme("money", "Money", "Funding, grants and budgets.",
              examples=("No funding", "Grants are too small", "Budget cuts", "money",
                        "We cannot afford it")),
        Theme("weather", "Weather", "Storms, floods and heat.",
              examples=("The hurricane", "Flooding closed us", "Snow storms",
                        "Extreme heat", "Wildfire smoke")),
        Theme("floods", "Floods", "Water damage.", examples=("Flooded basement",
                                                             "Rising river"),
              parent="weather"),
    ))
    coder = Coder.train(book)
    assert coder.tuning.source == "codebook examples"
    coded = coder.code(["Our budget was cut again", "The flood soaked our files"])
    assert "money" in coded[0].theme_ids
    assert "weather" in coded[1].theme_ids, "a child theme brings its parent"
    confidence = {s.theme: s.confidence for s in coded[1].themes}
    if "floods" in confidence:
        assert confidence["weather"] >= confidence["floods"]


def test_labelled_tuning_set_can_replace_the_bundled_one():
    tuning = [TaggedAnswer("We ran out of money", ("funding",)),
              TaggedAnswer("The neighbors hate us", ("community_support",)),
              TaggedAnswer("none", ())] * 3
    coder = Coder.train(load_codebook("challenges"), tuning, source="mine.csv")
    assert coder.tuning.source == "mine.csv" and coder.tuning.answers == 9


def test_development_set_is_large_varied_and_labelled():
    rows = development("challenges") + development("facilitators")
    assert len(rows) >= 150
    assert sum(1 for r in rows if not r.themes) >= 10
    assert sum(1 for r in rows if len(r.themes) > 1) >= 30
    lengths = [len(r.text) for r in rows]
    assert min(lengths) < 10 and max(lengths) > 120


def test_reliability_against_people_on_the_development_set(challenges, facilitators):
    """The evaluation the docs report: micro Cohen's kappa of the machine against the
    labels of tests/data/coding_development_set.csv, which tuned nothing."""
    truth, predicted = [], []
    for coder, question in ((challenges, "challenges"), (facilitators, "facilitators")):
        rows = development(question)
        coded = coder.code([r.text for r in rows])
        truth.append(label_matrix(coder.codebook, [r.themes for r in rows]).ravel())
        predicted.append(label_matrix(coder.codebook, [c.theme_ids for c in coded]).ravel())
    pooled = reliability(np.concatenate(truth)[:, None], np.concatenate(predicted)[:, None],
                         ["all"])
    assert pooled["micro"]["kappa"] >= 0.7, pooled["micro"]
    assert pooled["micro"]["f1"] >= 0.75, pooled["micro"]


def test_a_trained_coder_is_kept_on_disk_and_read_back_identical(tmp_path, monkeypatch):
    """Training is done once per codebook + tuning set + model: a second run on the same
    inputs reads the kept coder (and codes exactly as the trained one); a changed tuning
    set trains afresh instead of being served the old coder."""
    monkeypatch.setenv("HRTA_CACHE_DIR", str(tmp_path))
    book = load_codebook("challenges")
    tuning = [TaggedAnswer("We ran out of money", ("funding",)),
              TaggedAnswer("The neighbors hate us", ("community_support",)),
              TaggedAnswer("none", ())] * 3
    answers = ["Not enough money.", "stigma", "Paraphernalia laws in our state.", "n/a"]
    trained = Coder.train(book, tuning, source="mine.csv")
    kept = list((tmp_path / "coders").glob("*.npz"))
    assert len(kept) == 1

    again = Coder.train(book, tuning, source="mine.csv")
    assert again.tuning == trained.tuning
    assert np.array_equal(again.weights, trained.weights)
    assert again.code(answers) == trained.code(answers)

    # Proof that the second run read the file rather than trained: what the file holds
    # (here altered on purpose) is what it gets.
    with np.load(kept[0]) as data:
        record = data["tuning"]
    with kept[0].open("wb") as handle:
        np.savez(handle, weights=-trained.weights, tuning=record)
    assert np.array_equal(Coder.train(book, tuning, source="mine.csv").weights,
                          -trained.weights)

    changed = [*tuning, TaggedAnswer("Rent keeps going up and grants are small", ("funding",))]
    fresh = Coder.train(book, changed, source="mine.csv")
    assert fresh.tuning.answers == len(changed)
    assert not np.array_equal(fresh.weights, -trained.weights)
    assert len(list((tmp_path / "coders").glob("*.npz"))) == 2
