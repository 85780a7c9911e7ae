"""People in the loop: confirmed codes override the machine, quotes can be hidden, the
review queue puts close calls first and agreement is measured."""

from __future__ import annotations

import numpy as np

from hrta.coding.autocode import CodedAnswer, ThemeConfidence
from hrta.coding.codebook import load_codebook
from hrta.coding.review import (
    Confirmation,
    agreement_report,
    confirmations_from_rows,
    final_codes,
    review_order,
    review_progress,
    review_queue,
)
from hrta.coding.themes import coding_block

IDS = ["r1", "r2", "r3", "r4"]
MACHINE = [
    CodedAnswer("Funding", "coded", (ThemeConfidence("funding", 0.99),)),
    CodedAnswer("Stigma and money", "coded", (ThemeConfidence("stigma", 0.9),
                                              ThemeConfidence("funding", 0.55))),
    CodedAnswer("n/a", "uncoded"),
    CodedAnswer("🙂", "uncodable"),
]
CONFIRMED = [
    Confirmation("r2", "challenges", ("stigma",), coder="ana"),
    Confirmation("r3", "challenges", ("staff_capacity",), coder="ana", hide_quote=True),
    Confirmation("r1", "challenges", ("funding",), coder="ben", primary=False),
    Confirmation("r2", "challenges", ("stigma", "funding"), coder="ben", primary=False),
    Confirmation("r1", "facilitators", ("champion",), coder="ana"),
]


def test_confirmed_codes_override_the_machine():
    final = final_codes(MACHINE, IDS, CONFIRMED, "challenges")
    assert [(f.themes, f.source) for f in final] == [
        (("funding",), "machine"), (("stigma",), "confirmed"),
        (("staff_capacity",), "confirmed"), ((), "uncodable")]


def test_review_queue_puts_close_calls_first():
    confidences = np.array([[0.99, 0.01], [0.55, 0.9], [0.3, 0.2], [0.0, 0.0]])
    assert review_queue(MACHINE, confidences, IDS, [], "challenges") == [1, 2, 0]
    assert review_queue(MACHINE, confidences, IDS, CONFIRMED, "challenges") == [0]
    assert review_progress(IDS, CONFIRMED, "challenges") == {
        "answers": 4, "reviewed": 2, "remaining": 2}


def test_review_order_keeps_every_answer_and_puts_uncodable_ones_last():
    confidences = np.array([[0.0, 0.0], [0.99, 0.01], [0.55, 0.9], [0.3, 0.2]])
    coded = [MACHINE[3], *MACHINE[:3]]
    assert review_order(coded, confidences) == [2, 3, 1, 0]
    # A codebook without themes yet: nothing is a close call, answers keep their order.
    assert review_order(coded, np.zeros((4, 0))) == [1, 2, 3, 0]
    assert review_queue(coded, np.zeros((4, 0)), IDS, [], "challenges") == [1, 2, 3]
    assert review_order([], np.zeros((0, 2))) == []


def test_blind_coder_queue_skips_only_their_own_codes():
    confidences = np.array([[0.99, 0.01], [0.55, 0.9], [0.3, 0.2], [0.0, 0.0]])
    # ben coded r1 and r2 blind; ana's confirmations of r2 and r3 do not take them away.
    assert review_queue(MACHINE, confidences, IDS, CONFIRMED, "challenges",
                        coder="ben") == [2]
    assert review_queue(MACHINE, confidences, IDS, CONFIRMED, "challenges",
                        coder="cy") == [1, 2, 0]


def test_agreement_between_machine_and_people():
    report = agreement_report(MACHINE, IDS, CONFIRMED, "challenges",
                              ["funding", "stigma", "staff_capacity"])
    assert report["coders"] == ["ana", "ben"]
    machine = report["machine_vs_reviewer"]
    # ana reviewed r2 (stigma; machine: stigma and funding) and r3 (staff; machine: none).
    assert machine["answers"] == 2
    assert machine["themes"]["stigma"]["f1"] == 1.0
    assert machine["themes"]["funding"]["false_positives"] == 1
    assert machine["themes"]["staff_capacity"]["false_negatives"] == 1
    (pair,) = report["between_people"]
    assert pair["coders"] == ["ana", "ben"] and pair["answers"] == 1  # r2 only
    assert report["alpha_all"]["coders"] == ["machine", "ana", "ben"]
    assert report["alpha_people"]["answers"] == 3


def test_confirmations_from_plain_rows():
    rows = [{"response_id": 7, "question": "challenges", "themes": "funding; stigma",
             "coder": "ana", "hide_quote": 1}]
    (confirmation,) = confirmations_from_rows(rows)
    assert confirmation == Confirmation("7", "challenges", ("funding", "stigma"), "ana",
                                        True, True)


def test_findings_block_uses_confirmed_codes_and_hides_quotes():
    texts = ["Not enough money for supplies.", "Funding", "Our budget is tiny.",
             "Grants will not pay for syringes.", "Staff turnover"]
    ids = ["a", "b", "c", "d", "e"]
    confirmations = [Confirmation("e", "challenges", ("funding",)),
                     Confirmation("b", "challenges", ("funding",), hide_quote=True)]
    block = coding_block(load_codebook("challenges"), texts, ids, confirmations)
    funding = next(t for t in block["themes"] if t["id"] == "funding")
    assert funding["count"] == 5 and funding["percent"] == 100.0
    assert block["confirmed"] == 2 and block["sources"][4] == "confirmed"
    assert funding["quotes"][0] == "Staff turnover", "a confirmed answer is quoted first"
    assert "Funding" not in funding["quotes"], "a hidden answer is never quoted"
    assert len(funding["quotes"]) == 3
    assert block["codes"][4] == ["funding"]
