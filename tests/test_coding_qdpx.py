"""REFI-QDA projects (.qdpx): written valid against the REFI-QDA Project 1.0 schema, opened
as a QDA program would open them, and codes made there read back as people's codes by
`hrta code --import-qdpx`; a project of other answers is refused whole."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from hrta.coding.codebook import Codebook, load_codebook, theme_guid
from hrta.coding.qdpx import (
    MACHINE_USER,
    SUGGESTED_GROUP,
    project_answers,
    qdpx_bytes,
    read_qdpx,
)
from hrta.coding.review import Confirmation
from hrta.coding.themes import question_answers
from hrta.demo import demo_responses
from hrta.errors import InputError
from hrta.exports import write_surveymonkey_csv
from hrta.instrument import Instrument
from hrta.responses import ResponseSet
from tests.conftest import run_hrta

SCHEMA = Path(__file__).parent / "data" / "refi-qda" / "Project.xsd"
NS = "urn:QDA-XML:project:1.0"
Q = f"{{{NS}}}"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


@pytest.fixture(scope="module")
def responses(instrument: Instrument) -> ResponseSet:
    return demo_responses(instrument)


@pytest.fixture(scope="module")
def book(instrument: Instrument) -> Codebook:
    return load_codebook("challenges", instrument_id=instrument.id)


@pytest.fixture(scope="module")
def demo_export(responses: ResponseSet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("qdpx") / "responses.csv"
    write_surveymonkey_csv(path, responses)
    return path


def _answers(responses: ResponseSet) -> list[tuple[str, str]]:
    texts, ids = question_answers(responses, "challenges")
    return list(zip(ids, texts, strict=True))


def _project(data: bytes) -> tuple[etree._Element, zipfile.ZipFile]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return etree.fromstring(archive.read("project.qde")), archive


def _rewrite(data: bytes, path: Path, change) -> Path:
    """The project as another program would save it after `change(root, archive)`."""
    root, archive = _project(data)
    change(root, archive)
    with zipfile.ZipFile(path, "w") as out:
        for name in archive.namelist():
            out.writestr(name, etree.tostring(root, xml_declaration=True, encoding="utf-8")
                         if name == "project.qde" else archive.read(name))
    return path


def _code_in(root: etree._Element, source_name: str, code_guid: str, user: str,
             start: int = 0, end: int = 5) -> None:
    """Code part of a source's text as a QDA program records it: a new selection."""
    source = next(s for s in root.iter(f"{Q}TextSource") if s.get("name") == source_name)
    selection = etree.SubElement(source, f"{Q}PlainTextSelection", guid=str(uuid.uuid4()),
                                 startPosition=str(start), endPosition=str(end),
                                 creatingUser=user)
    coding = etree.SubElement(selection, f"{Q}Coding", guid=str(uuid.uuid4()),
                              creatingUser=user)
    etree.SubElement(coding, f"{Q}CodeRef", targetGUID=code_guid)


def _add_user(root: etree._Element, name: str) -> str:
    guid = "{" + str(uuid.uuid4()).upper() + "}"  # braces and capitals, as the schema allows
    etree.SubElement(root.find(f"{Q}Users"), f"{Q}User", guid=guid, name=name)
    return guid


def test_a_project_is_valid_refi_qda_and_holds_answers_codes_and_respondents(
        responses: ResponseSet, book: Codebook, schema: etree.XMLSchema):
    answers = _answers(responses)
    first, second = answers[0][0], answers[1][0]
    variables, items = project_answers(responses, "challenges",
                                       {first: ("stigma",), second: ("funding", "resources")})
    people = [Confirmation(first, "challenges", ("funding", "stigma"), coder="ana"),
              Confirmation(second, "challenges", (), coder="ana"),
              Confirmation(second, "challenges", ("resources",), coder="ben", primary=False)]
    data = qdpx_bytes(book, items, people, variables=variables,
                      question_text="What have been the greatest challenges?")
    root, archive = _project(data)
    assert schema.validate(root), schema.error_log

    # Every answer a source of its own, its text in Sources/ and named QUESTION RESPONSE_ID.
    sources = root.findall(f"{Q}Sources/{Q}TextSource")
    assert len(sources) == len(answers)
    for source, (rid, text) in zip(sources, answers, strict=True):
        assert source.get("name") == f"challenges {rid}"
        inner = source.get("plainTextPath").removeprefix("internal://")
        assert archive.read(f"Sources/{inner}").decode("utf-8") == text

    # The codebook's themes as codes (the .qdc's GUIDs), the suggested ones apart.
    top = root.findall(f"{Q}CodeBook/{Q}Codes/{Q}Code")
    assert [c.get("name") for c in top] == [t.label for t in book.themes] + [SUGGESTED_GROUP]
    assert top[0].get("guid") == theme_guid("challenges", book.themes[0].id)
    assert top[-1].get("isCodable") == "false"
    assert {c.get("name") for c in top[-1]} >= {f"{t.label} (suggested)" for t in book.themes}
    members = root.findall(f"{Q}Sets/{Q}Set/{Q}MemberCode")
    assert len(members) == len(book.themes)

    # Codings: people's by their user on the themes, the machine's on the suggested codes.
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{Q}User")}
    names = {c.get("guid"): c.get("name") for c in root.iter(f"{Q}Code")}

    def codings(rid: str) -> set[tuple[str, str]]:
        source = next(s for s in sources if s.get("name") == f"challenges {rid}")
        return {(users[c.get("creatingUser")], names[c.find(f"{Q}CodeRef").get("targetGUID")])
                for c in source.iter(f"{Q}Coding")}

    label = {t.id: t.label for t in book.themes}
    assert codings(first) == {("ana", label["funding"]), ("ana", label["stigma"]),
                              (MACHINE_USER, f"{label['stigma']} (suggested)")}
    assert codings(second) == {("ben", label["resources"]),
                               (MACHINE_USER, f"{label['funding']} (suggested)"),
                               (MACHINE_USER, f"{label['resources']} (suggested)")}
    selection = next(s for s in sources if s.get("name") == f"challenges {first}") \
        .find(f"{Q}PlainTextSelection")
    assert (selection.get("startPosition"), selection.get("endPosition")) == \
        ("0", str(len(answers[0][1])))

    # Respondents as cases with their attributes as variables.
    declared = {v.get("guid"): v.get("name") for v in root.iter(f"{Q}Variable")}
    assert {"State", "Region", "Organization type", "Professional role or title"} <= \
        set(declared.values())
    case = next(c for c in root.iter(f"{Q}Case") if c.get("name") == first)
    values = {declared[v.find(f"{Q}VariableRef").get("targetGUID")]: v.findtext(f"{Q}TextValue")
              for v in case.findall(f"{Q}VariableValue")}
    row = responses.respondents["response_id"].to_list().index(first)
    chosen = {str(q): str(o) for q, o in responses.choices.filter(
        responses.choices["row"] == row).select("question_id", "option_id").iter_rows()}
    org = responses.instrument.question("org_type").option(chosen["org_type"])
    state = responses.instrument.question("state").option(chosen["state"])
    assert values["Organization type"] == org.label
    assert (values["State"], values["Region"]) == (state.label, state.region)
    assert case.find(f"{Q}SourceRef").get("targetGUID") == sources[0].get("guid")


def test_codes_made_in_a_qda_program_come_back_as_people_codes(
        responses: ResponseSet, book: Codebook, tmp_path: Path):
    answers = _answers(responses)
    variables, items = project_answers(responses, "challenges", {answers[0][0]: ("stigma",)})
    data = qdpx_bytes(book, items, variables=variables)
    funding, staff = theme_guid("challenges", "funding"), theme_guid("challenges", "staff_capacity")
    suggested = theme_guid("challenges", "suggested/stigma")

    def coded_elsewhere(root, _archive):
        maria = _add_user(root, "Maria")
        _code_in(root, f"challenges {answers[0][0]}", funding, maria)
        _code_in(root, f"challenges {answers[0][0]}", staff.upper(), maria, 6, 9)
        _code_in(root, f"challenges {answers[0][0]}", suggested, maria)  # not a theme: left
        _code_in(root, f"challenges {answers[1][0]}", staff, maria)

    path = _rewrite(data, tmp_path / "coded.qdpx", coded_elsewhere)
    imported = read_qdpx(path, book, answers)
    assert imported.coders == ("Maria",) and imported.sources == len(answers)
    assert imported.coded == 2
    codes = {c.response_id: c.themes for c in imported.confirmations}
    assert codes == {answers[0][0]: ("funding", "staff_capacity"),
                     answers[1][0]: ("staff_capacity",)}


@pytest.mark.parametrize(("change", "message"), [
    ("text", "its text differs from response"),
    ("question", "is an answer to 'facilitators', not to 'challenges'"),
    ("response", "has no answer to 'challenges' in these responses"),
    ("name", "is not an answer hrta exported"),
    ("code", "are not themes of the 'challenges' codebook: 'Parking'"),
])
def test_a_project_that_does_not_match_the_answers_is_refused(
        responses: ResponseSet, book: Codebook, tmp_path: Path, change: str, message: str):
    answers = _answers(responses)
    _variables, items = project_answers(responses, "challenges")
    data = qdpx_bytes(book, items)
    rid = answers[0][0]

    def edit(root, archive):
        source = next(s for s in root.iter(f"{Q}TextSource")
                      if s.get("name") == f"challenges {rid}")
        if change == "text":
            etree.SubElement(source, f"{Q}PlainTextContent").text = "A different answer."
            del source.attrib["plainTextPath"]
        elif change == "question":
            source.set("name", f"facilitators {rid}")
        elif change == "response":
            source.set("name", "challenges 999")
        elif change == "name":
            source.set("name", "Interview3")
        else:
            codes = root.find(f"{Q}CodeBook/{Q}Codes")
            etree.SubElement(codes, f"{Q}Code", guid=str(uuid.uuid4()), name="Parking",
                             isCodable="true")

    path = _rewrite(data, tmp_path / "other.qdpx", edit)
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        read_qdpx(path, book, answers)
    assert caught.value.file == str(path)


def test_not_a_project_is_refused(book: Codebook, tmp_path: Path):
    (tmp_path / "notes.qdpx").write_text("hello", encoding="utf-8")
    with pytest.raises(InputError, match="not a REFI-QDA project"):
        read_qdpx(tmp_path / "notes.qdpx", book, [])
    with zipfile.ZipFile(tmp_path / "empty.qdpx", "w") as archive:
        archive.writestr("readme.txt", "no project here")
    with pytest.raises(InputError, match=re.escape("holds no project.qde")):
        read_qdpx(tmp_path / "empty.qdpx", book, [])


def test_hrta_code_writes_a_project_and_reads_codes_made_elsewhere(
        demo_export: Path, responses: ResponseSet, schema: etree.XMLSchema, tmp_path: Path):
    project = tmp_path / "challenges.qdpx"
    result = run_hrta("code", demo_export, "--question", "challenges", "--qdpx", project)
    assert result.returncode == 0, result.stderr
    assert f"REFI-QDA project: {project}" in result.stdout
    data = project.read_bytes()
    root, _archive = _project(data)
    assert schema.validate(root), schema.error_log
    answers = _answers(responses)
    assert len(root.findall(f"{Q}Sources/{Q}TextSource")) == len(answers)
    machine = {c.get("creatingUser") for c in root.iter(f"{Q}Coding")}
    assert len(machine) == 1  # the machine's suggestions only; no person has coded yet

    funding = theme_guid("challenges", "funding")

    def two_people(root, _archive):
        maria, li = _add_user(root, "Maria"), _add_user(root, "Li")
        for rid, _text in answers[:10]:
            _code_in(root, f"challenges {rid}", funding, maria)
        for rid, _text in answers[:6]:
            _code_in(root, f"challenges {rid}", funding, li)

    coded = _rewrite(data, tmp_path / "coded.qdpx", two_people)
    out = tmp_path / "coded.json"
    refused = run_hrta("code", demo_export, "--question", "challenges", "--import-qdpx", coded,
                       "--json", out)
    assert refused.returncode == 2 and "--reviewer" in refused.stderr
    assert "Li, Maria" in refused.stderr and not out.exists()

    again = tmp_path / "again.qdpx"
    result = run_hrta("code", demo_export, "--question", "challenges", "--import-qdpx", coded,
                      "--reviewer", "Maria", "--json", out, "--qdpx", again)
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["people"] == {"source": "coded.qdpx", "coders": ["Li", "Maria"],
                              "reviewer": "Maria", "answers": 10}
    by_id = {r["response_id"]: r for r in data["responses"]}
    first = by_id[answers[0][0]]
    assert first["people"] == {"Maria": ["funding"], "Li": ["funding"]}
    assert first["final"] == ["funding"] and first["final_source"] == "confirmed"
    untouched = by_id[answers[20][0]]
    assert untouched["final_source"] == "machine" and untouched["people"] == {}
    assert untouched["final"] == [t["id"] for t in untouched["themes"]]
    count = next(t["count"] for t in data["reviewed_themes"] if t["id"] == "funding")
    assert count == sum(1 for r in data["responses"] if "funding" in r["final"])
    assert data["agreement"]["machine_vs_reviewer"]["answers"] == 10
    assert data["agreement"]["between_people"][0]["coders"] == ["Li", "Maria"]
    assert "Machine against Maria on 10 answers" in result.stderr
    # The project written with them holds both people's codes, still valid.
    root, _archive = _project(again.read_bytes())
    assert schema.validate(root), schema.error_log
    assert {u.get("name") for u in root.iter(f"{Q}User")} == {MACHINE_USER, "Li", "Maria"}


def test_hrta_code_refuses_a_project_of_other_answers_and_writes_nothing(
        demo_export: Path, responses: ResponseSet, book: Codebook, tmp_path: Path):
    answers = _answers(responses)
    _variables, items = project_answers(responses, "challenges")
    data = qdpx_bytes(book, items)

    def changed(root, archive):
        source = next(s for s in root.iter(f"{Q}TextSource")
                      if s.get("name") == f"challenges {answers[3][0]}")
        etree.SubElement(source, f"{Q}PlainTextContent").text = "Someone else's answer."
        del source.attrib["plainTextPath"]

    other = _rewrite(data, tmp_path / "other.qdpx", changed)
    out, project = tmp_path / "coded.json", tmp_path / "new.qdpx"
    result = run_hrta("code", demo_export, "--question", "challenges", "--import-qdpx", other,
                      "--json", out, "--qdpx", project)
    assert result.returncode == 2
    assert f"challenges {answers[3][0]}" in result.stderr
    assert "its text differs" in result.stderr and "other.qdpx" in result.stderr
    assert set(tmp_path.iterdir()) == {other}  # no JSON, no project, no partial file
