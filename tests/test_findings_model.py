"""Findings as one typed model: its JSON, its published schema and reading files back."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from hrta.analysis import build_findings
from hrta.analysis.pipeline import analyse
from hrta.demo import demo_responses
from hrta.errors import InputError
from hrta.findings import schema
from hrta.findings.model import (
    Comparison,
    Findings,
    MatrixStatement,
    MultiQuestion,
    OptionTally,
    SingleQuestion,
    TextQuestion,
    Trend,
    Weighting,
)
from hrta.ingest import load_responses

DOCS = Path(__file__).parents[1] / "docs"
FIXTURES = Path(__file__).parent / "fixtures"
MARGINS = """\
margins:
  state.region: {northeast: 0.18, midwest: 0.22, south: 0.37, west: 0.23}
  role.group: {leadership: 0.5, staff: 0.5}
"""


@pytest.fixture(scope="module")
def demo(instrument):
    return demo_responses(instrument)


@pytest.fixture(scope="module")
def extended(demo, instrument, tmp_path_factory) -> Findings:
    """The demo wave with every block: comparisons, weighting and a trend."""
    margins = tmp_path_factory.mktemp("margins") / "margins.yaml"
    margins.write_text(MARGINS, encoding="utf-8")
    return analyse(demo, by="role.group", weights=margins,
                   previous=demo_responses(instrument, seed=2021), previous_label="2021.csv")


def test_published_schema_files_are_generated_from_the_model():
    """docs/findings-schema.md and docs/findings.schema.json: `python -m
    hrta.findings.schema docs` writes them; edit the model's descriptions instead."""
    assert (DOCS / "findings.schema.json").read_text(encoding="utf-8") == \
        schema.json_schema_text()
    assert (DOCS / "findings-schema.md").read_text(encoding="utf-8") == schema.markdown()


def test_every_key_of_every_part_is_described():
    page = schema.markdown()
    for model in schema.models():
        assert f"## {model.__name__}" in page
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            assert f"| `{name}` |" in page


def test_json_of_every_block_validates_against_the_published_schema(extended):
    data = extended.to_json()
    assert {"comparisons", "weighting", "trend"} <= set(data)
    published = json.loads((DOCS / "findings.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(data, published)
    broken = copy.deepcopy(data)
    broken["questions"]["ta_receiving"]["options"]["yes"]["count"] = "seven"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, published)


def test_blocks_are_typed(extended):
    assert isinstance(extended.comparisons, Comparison)
    assert isinstance(extended.weighting, Weighting)
    assert isinstance(extended.trend, Trend)
    assert extended.trend.compare_to == "2021.csv"
    assert extended.weighting.questions["ta_receiving"].nets is None
    questions = extended.questions
    assert isinstance(questions["role"], SingleQuestion)
    assert isinstance(questions["ta_formats"], MultiQuestion)
    assert isinstance(questions["fb_policy.adequate_funding"], MatrixStatement)
    assert isinstance(questions["challenges"], TextQuestion)
    assert set(extended.closed_questions()) == set(extended.weighting.questions)


def test_plain_findings_leave_out_the_blocks_and_absent_keys(demo):
    data = build_findings(demo).to_json()
    assert not {"comparisons", "weighting", "trend"} & set(data)
    options = data["questions"]["services_direct"]["options"]
    assert options["other"]["other"] is True
    assert "other" not in options["naloxone"] and "net" not in options["naloxone"]
    assert "other_texts" not in data["questions"]["ta_receiving"]
    assert "coding" not in data["questions"]["challenges"]
    assert data["questions"]["ta_formats"]["max_choices"] == 3


def test_json_round_trips_through_the_loader(extended):
    data = extended.to_json()
    again = Findings.load(data)
    assert again == extended
    assert json.dumps(again.to_json()) == json.dumps(data)  # the same keys in the same order


def test_a_file_written_before_the_model_loads_and_writes_back_unchanged(tmp_path):
    """tests/fixtures/findings_small_before_model.json is what `hrta analyze` wrote for
    small_surveymonkey.csv before Findings were a model."""
    path = FIXTURES / "findings_small_before_model.json"
    written = json.loads(path.read_text(encoding="utf-8"))
    loaded = Findings.load(path)
    assert loaded.to_json() == written
    assert loaded.questions["services_direct"].n == 3
    assert Findings.load(str(path)) == loaded


def test_findings_of_today_equal_the_file_written_before(small_export, instrument):
    """Same keys in the same order, numbers within 1e-9 (the intervals are now one
    formula, with exact 0 and 100 at the edges); keys added since are only added, at the
    end."""
    before = json.loads((FIXTURES / "findings_small_before_model.json").read_text("utf-8"))
    now = build_findings(load_responses(small_export, instrument)).to_json()
    assert list(now) == [*before, *ADDED]
    assert _close({key: now[key] for key in before}, before)


ADDED = ["survey_sections"]
"""Top-level keys Findings gained after the file above was written (documented in
docs/findings-schema.md)."""


def _close(a: object, b: object) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_close(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9
    return a == b and type(a) is type(b)


@pytest.mark.parametrize(("text", "message"), [
    ("{not json", r"bad\.json.*not JSON"),
    ("[1, 2]", "not a Findings document: it has no \"questions\" object"),
    ('{"questions": {}}', r"not a Findings document this hrta can read: at schema_version"),
])
def test_bad_files_name_the_file_and_the_place(tmp_path, text, message):
    path = tmp_path / "bad.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message) as caught:
        Findings.load(path)
    assert caught.value.file == str(path)


def test_a_wrong_value_is_named_by_its_place(small_export, instrument):
    data = build_findings(load_responses(small_export, instrument)).to_json()
    data["questions"]["services_direct"]["type"] = "ranking"
    with pytest.raises(InputError, match=r"at questions/services_direct: .*'single'"):
        Findings.load(data)
    with pytest.raises(InputError, match="no such file"):
        Findings.load(Path("nowhere.json"))


def test_a_missing_key_is_named_by_its_place_in_the_document(small_export, instrument):
    """The path is the document's own keys: no question type or coding status inserted
    between them, and the count of problems reads as English."""
    data = build_findings(load_responses(small_export, instrument)).to_json()
    del data["questions"]["ta_receiving"]["options"]["yes"]["rank"]
    with pytest.raises(InputError) as caught:
        Findings.load(data)
    assert str(caught.value) == ("findings: is not a Findings document this hrta can read: "
                                 "at questions/ta_receiving/options/yes/rank: Field required "
                                 "(1 problem)")
    data["questions"]["challenges"]["text"] = 7  # a text question's `text` field, not its type
    del data["warnings"]
    with pytest.raises(InputError, match=r"at questions/challenges/text: Input should be a "
                                         r"valid string \(3 problems\)$"):
        Findings.load(data)


def test_parts_are_immutable_and_built_through_their_constructor():
    option = OptionTally.of(2, 3, label="Naloxone", rank=1)
    assert option.to_json() == {"label": "Naloxone", "count": 2,
                                "percent": pytest.approx(200 / 3),
                                "ci_low": option.ci_low, "ci_high": option.ci_high, "rank": 1}
    with pytest.raises(ValueError, match="frozen"):
        option.count = 3  # type: ignore[misc]
    with pytest.raises(ValueError, match="extra"):
        OptionTally.of(2, 3, label="Naloxone", rank=1, colour="red")


def test_fielded_days_come_from_whichever_format_each_stamp_is_in():
    import polars as pl

    from hrta.analysis.findings import _fielded

    respondents = pl.DataFrame({
        "started_at": [" 05/02/2022 01:00:00 PM", "2022-05-03T10:00:00", "junk", None],
        "ended_at": ["2022-05-04 10:00:00", "2022-13-45", "2022-04-30", None]})
    fielded = _fielded(respondents)
    assert fielded is not None
    assert (str(fielded.first), str(fielded.last)) == ("2022-04-30", "2022-05-04")
    assert _fielded(pl.DataFrame({"started_at": ["junk"], "ended_at": [None]},
                                 schema={"started_at": pl.String, "ended_at": pl.String})) \
        is None
