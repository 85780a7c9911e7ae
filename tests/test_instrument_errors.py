"""A user's own instrument file: read by path, and every mistake in it refused with a message
that names the file and the question at fault."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hrta.errors import InputError
from hrta.instrument import load
from hrta.instrument.loader import bundled_ids


def base() -> dict[str, Any]:
    """The smallest instrument that uses every part the checks look at."""
    return {
        "id": "our_check_in",
        "version": "1",
        "title": "Our Check-in",
        "scales": {"agreement": {
            "options": [{"id": "agree", "label": "Agree", "net": "agree"},
                        {"id": "disagree", "label": "Disagree", "net": "disagree"},
                        {"id": "dont_know", "label": "I don't know"}],
            "nets": {"agree": "Agree", "disagree": "Disagree"}}},
        "option_lists": {"services": [{"id": "naloxone", "label": "Naloxone"},
                                      {"id": "peer", "label": "Peer support"}]},
        "eligibility": {"question": "screening", "ineligible_options": ["elsewhere"]},
        "sections": [{"id": "about", "title": "About you", "questions": [
            {"id": "screening", "type": "single", "required": True,
             "text": "Do you work at a treatment organization?",
             "options": [{"id": "works", "label": "Yes"}, {"id": "elsewhere", "label": "No"}]},
            {"id": "services", "type": "multi", "text": "Which services?",
             "option_list": "services", "max_choices": 2},
            {"id": "grid", "type": "matrix", "text": "How much do you agree?",
             "scale": "agreement",
             "statements": [{"id": "funding", "text": "Funding is adequate."}]},
            {"id": "peer_detail", "type": "text", "text": "Tell us about peer support.",
             "show_if": {"question": "services", "any_of": ["peer"]}},
            {"id": "email", "type": "text", "text": "Your e-mail", "pii": True},
        ]}],
        "report": {"title": "Our Check-in Report", "sections": [
            {"id": "services", "title": "Services", "items": [
                {"kind": "figure", "title": "Services", "questions": ["services"],
                 "chart": "bar"}]}]},
    }


def questions(raw: dict[str, Any]) -> list[dict[str, Any]]:
    return raw["sections"][0]["questions"]


def write(path: Path, raw: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


def refused(path: Path, *fragments: str) -> InputError:
    with pytest.raises(InputError) as caught:
        load(path)
    message = str(caught.value)
    assert caught.value.file == str(path)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message, message
    return caught.value


def test_a_users_instrument_is_read_by_path(tmp_path: Path):
    for name in ("ours.yaml", "ours.yml"):
        instrument = load(write(tmp_path / name, base()))
        assert (instrument.id, instrument.version) == ("our_check_in", "1")
        # Shared option lists and scales are expanded into each question.
        assert instrument.question("services").option_ids == ("naloxone", "peer")
        assert instrument.question("grid").nets == {"agree": "Agree", "disagree": "Disagree"}
        assert [q.id for q in instrument.analysable_questions()] == [
            "screening", "services", "grid", "peer_detail"]
    # A file without a YAML suffix is read too, when it exists.
    plain = write(tmp_path / "instrument.txt", base())
    assert load(plain).id == "our_check_in"
    assert load(str(plain)).id == "our_check_in"


def test_unknown_bundled_id_lists_the_bundled_ones():
    with pytest.raises(InputError) as caught:
        load("harm_reduction_2031")
    assert str(caught.value) == ("no bundled instrument 'harm_reduction_2031'; bundled: "
                                 + ", ".join(bundled_ids()))
    assert "harm_reduction_ta_2022" in bundled_ids()


def test_missing_and_unreadable_files(tmp_path: Path):
    refused(tmp_path / "absent.yaml", "cannot read instrument", "No such file")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("title: Évaluation\n".encode("latin-1"))
    refused(latin, "cannot read instrument", "utf-8")


def test_yaml_errors_name_the_line(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("id: ours\nversion: '1'\nsections: [\n  - id: a\n", encoding="utf-8")
    assert refused(broken, "not valid YAML").row == 4
    tabs = tmp_path / "tabs.yaml"
    tabs.write_text("id: ours\n\tversion: 1\n", encoding="utf-8")
    assert refused(tabs, "not valid YAML").row == 2
    listed = tmp_path / "list.yaml"
    listed.write_text("- id: ours\n", encoding="utf-8")
    refused(listed, "an instrument file must hold a mapping")
    empty = tmp_path / "empty.yaml"
    empty.write_text("", encoding="utf-8")
    refused(empty, "an instrument file must hold a mapping")


def _broken(change: Callable[[dict[str, Any]], object]) -> dict[str, Any]:
    raw = copy.deepcopy(base())
    change(raw)
    return raw


def _set(target: dict[str, Any], **fields: Any) -> None:
    target.update(fields)


CASES = [
    ("options on a text question",
     lambda raw: _set(questions(raw)[3], options=[{"id": "a", "label": "A"}]),
     ["text question 'peer_detail' cannot have options"]),
    ("a matrix without statements",
     lambda raw: questions(raw)[2].pop("statements"),
     ["matrix question 'grid' needs statements"]),
    ("statements on a single-choice question",
     lambda raw: _set(questions(raw)[0], statements=[{"id": "s", "text": "S"}]),
     ["only matrix questions have statements ('screening')"]),
    ("a closed question without options",
     lambda raw: questions(raw)[1].pop("option_list"),
     ["question 'services' (multi) needs options"]),
    ("a question id used twice",
     lambda raw: _set(questions(raw)[3], id="services"),
     ["question id 'services' is used twice"]),
    ("an option id used twice",
     lambda raw: raw["option_lists"]["services"].append({"id": "peer", "label": "Peers"}),
     ["question 'services' repeats option ids ['peer']"]),
    ("a statement id used twice",
     lambda raw: questions(raw)[2]["statements"].append({"id": "funding", "text": "Again."}),
     ["question 'grid' repeats statement ids ['funding']"]),
    ("an option naming an undeclared net",
     lambda raw: raw["scales"]["agreement"]["nets"].pop("disagree"),
     ["option grid.disagree names undeclared net 'disagree'"]),
    ("show_if pointing forward",
     lambda raw: _set(questions(raw)[1], show_if={"question": "grid", "any_of": ["agree"]}),
     ["question 'services' depends on 'grid', which is not an earlier question"]),
    ("show_if naming an option the question lacks",
     lambda raw: _set(questions(raw)[3], show_if={"question": "services",
                                                  "any_of": ["vending"]}),
     ["question 'peer_detail' show_if names unknown options ['vending']"]),
    ("a report item naming a contact-details question",
     lambda raw: raw["report"]["sections"][0]["items"][0].update(questions=["email"]),
     ["report item 'Services' names 'email', which is not an analysable question"]),
    ("a report item naming no question of the instrument",
     lambda raw: raw["report"]["sections"][0]["items"][0].update(questions=["budget"]),
     ["report item 'Services' names 'budget', which is not an analysable question"]),
    ("an unknown option list",
     lambda raw: _set(questions(raw)[1], option_list="servces"),
     ["question 'services' names unknown option list 'servces'"]),
    ("an unknown scale",
     lambda raw: _set(questions(raw)[2], scale="agreemnt"),
     ["question 'grid' names unknown scale 'agreemnt'"]),
    ("max_choices on a single-choice question",
     lambda raw: _set(questions(raw)[0], max_choices=1),
     ["max_choices applies to multi questions only ('screening')"]),
    ("eligibility on a question that is not single choice",
     lambda raw: _set(raw["eligibility"], question="services"),
     ["eligibility.question must name an earlier single-choice question"]),
    ("eligibility naming an unknown option",
     lambda raw: _set(raw["eligibility"], ineligible_options=["retired"]),
     ["eligibility names unknown options ['retired']"]),
    ("a misspelt key",
     lambda raw: _set(questions(raw)[0], requierd=True),
     ["sections.0.questions.0.requierd", "Extra inputs are not permitted"]),
    ("an id that is not an identifier",
     lambda raw: _set(questions(raw)[0], id="Screening Question"),
     ["sections.0.questions.0.id", "String should match pattern"]),
    ("no question at all",
     lambda raw: _set(raw, sections=[{"id": "about", "title": "About", "questions": []}],
                      eligibility=None, report=None),
     ["an instrument needs at least one question"]),
]


@pytest.mark.parametrize(("change", "fragments"), [case[1:] for case in CASES],
                         ids=[case[0] for case in CASES])
def test_each_mistake_is_named(tmp_path: Path, change: Callable[[dict[str, Any]], object],
                               fragments: list[str]):
    path = write(tmp_path / "ours.yaml", _broken(change))
    error = refused(path, "invalid instrument", *fragments)
    assert error.exit_code == 2
