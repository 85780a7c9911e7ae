"""The TA catalog: reading YAML and CSV, errors that name the place, imports all or nothing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hrta.assistance import (
    Vocabulary,
    check_resource,
    import_catalog,
    load_catalog,
    load_rules,
    read_catalog,
    user_catalog_path,
)
from hrta.assistance.catalog import bundled_catalog_path
from hrta.errors import InputError

HEADER = "id,title,publisher,format,topics,communities,link,last_reviewed\n"


@pytest.fixture(scope="module")
def rules(instrument):
    return load_rules(instrument)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def error_of(call) -> InputError:
    with pytest.raises(InputError) as caught:
        call()
    return caught.value


def test_bundled_catalog_is_valid_and_covers_every_area(instrument, rules, tmp_path):
    catalog = load_catalog(instrument, rules, user=tmp_path / "none.yaml")
    assert len(catalog.resources) >= 25
    assert all(r.origin == "bundled" for r in catalog.resources)
    areas = [o.id for o in instrument.question("ta_areas").options if not o.other]
    uncovered = [a for a in areas if not catalog.about(a)]
    assert not uncovered, f"no bundled resource on {uncovered}"
    formats = {r.format for r in catalog.resources}
    assert formats == {o.id for o in instrument.question("ta_formats").options if not o.other}


def test_bundled_links_are_only_those_the_2022_report_cites(rules):
    """No invented addresses: every link is one the report's reference list gives."""
    cited = {
        "https://harmreductionhelp.cdc.gov",
        "https://www.cdc.gov/ssp/docs/SSP-Summary.pdf",
        "https://www.samhsa.gov/find-help/harm-reduction",
        "https://www.hri.global/files/2021/05/05/What_is_Harm_Reduction_English_HRI.pdf",
        "https://harmreduction.org/wp-content/uploads/2020/08/NHRC-PDF-Principles_Of_Harm_"
        "Reduction.pdf",
    }
    data = yaml.safe_load(bundled_catalog_path(rules.instrument).read_text(encoding="utf-8"))
    links = {entry["link"] for entry in data["resources"] if entry.get("link")}
    assert links <= cited
    assert all(not entry.get("last_reviewed") for entry in data["resources"]), \
        "bundled entries are not reviewed until staff check them"


def test_csv_catalog_reads_lists_and_dates(instrument, rules, tmp_path):
    path = write(tmp_path / "new.csv", HEADER +
                 "office_hours,Office hours,Our TA center,small_group,funding; evaluation,"
                 "rural;frontier,https://example.org/hours,2024-03-01\n"
                 ",,,,,,,\n")
    (entry,) = read_catalog(path, instrument, rules)
    assert entry.topics == ("funding", "evaluation")
    assert entry.communities == ("rural", "frontier")
    assert entry.last_reviewed.isoformat() == "2024-03-01"
    assert entry.origin == str(path)


@pytest.mark.parametrize(("cells", "column", "message"), [
    ("x1,T,P,podcast,funding,,,", "D ('format')", "unknown format 'podcast'; formats are the "
     "options of 'ta_formats': toolkits, webinars, short_resources, small_group, convenings, "
     "individualized"),
    ("x1,T,P,toolkits,grants,,,", "E ('topics')", "unknown topic 'grants'; topics are the "
     "options of 'ta_areas'"),
    ("x1,T,P,toolkits,other,,,", "E ('topics')", "unknown topic 'other'"),
    ("x1,T,P,toolkits,funding,city,,", "F ('communities')", "unknown community 'city'"),
    ("x1,T,P,toolkits,funding,,javascript:alert(1),", "G ('link')", "must be an http:// or "
     "https:// address"),
    ("x1,T,P,toolkits,funding,,,2024-13-01", "H ('last_reviewed')", "is not a date written "
     "YYYY-MM-DD"),
    ("x1,T,P,toolkits,funding,,,2999-01-01", "H ('last_reviewed')", "is in the future"),
    ("X 1,T,P,toolkits,funding,,,", "A ('id')", "must be lower-case letters"),
    ("x1,,P,toolkits,funding,,,", "B ('title')", "'title' is required"),
])
def test_csv_errors_name_row_and_column(instrument, rules, tmp_path, cells, column, message):
    path = write(tmp_path / "new.csv", HEADER + "ok,Fine,P,toolkits,funding,,,\n" + cells + "\n")
    error = error_of(lambda: read_catalog(path, instrument, rules))
    assert (error.file, error.row, error.column) == (str(path), 3, column)
    assert message in error.message


def test_csv_header_and_repeats_are_checked(instrument, rules, tmp_path):
    path = write(tmp_path / "a.csv", "id,title,publisher,format,topics,colour\n")
    error = error_of(lambda: read_catalog(path, instrument, rules))
    assert (error.row, error.column) == (1, "F ('colour')")
    path = write(tmp_path / "b.csv", "id,title,publisher,topics\n")
    assert "missing columns: format" in error_of(lambda: read_catalog(path, instrument,
                                                                       rules)).message
    path = write(tmp_path / "c.csv", "id,title,publisher,format,topics\n"
                 "x,T,P,toolkits,funding\nx,U,P,toolkits,funding\n")
    error = error_of(lambda: read_catalog(path, instrument, rules))
    assert (error.row, error.message) == (3, "id 'x' is used by an earlier row")


def test_yaml_errors_name_the_line_and_field(instrument, rules, tmp_path):
    path = write(tmp_path / "new.yaml", """\
resources:
  - id: fine
    title: Fine
    publisher: P
    format: toolkits
    topics: [funding]
  - id: wrong
    title: Wrong
    publisher: P
    format: toolkits
    topics: [funding, grants]
""")
    error = error_of(lambda: read_catalog(path, instrument, rules))
    assert str(error).startswith(f"{path}, row 11, column topics: entry 2: unknown topic "
                                 "'grants'; topics are the options of 'ta_areas': funding, ")
    path = write(tmp_path / "extra.yaml", "resources:\n  - id: x\n    title: T\n"
                 "    publisher: P\n    format: toolkits\n    topics: [funding]\n"
                 "    colour: blue\n")
    error = error_of(lambda: read_catalog(path, instrument, rules))
    assert (error.row, error.column) == (7, "colour")
    path = write(tmp_path / "list.yaml", "- id: x\n")
    assert "one key, `resources:`" in error_of(lambda: read_catalog(path, instrument,
                                                                     rules)).message
    path = write(tmp_path / "bad.yaml", "resources: [\n")
    assert "not valid YAML" in error_of(lambda: read_catalog(path, instrument, rules)).message


def test_the_documented_error_messages_are_what_hrta_prints(instrument, rules, tmp_path):
    doc = (Path(__file__).parents[1] / "docs" / "assistance.md").read_text(encoding="utf-8")
    shown = re.findall(r"^error: (.+)$", doc, flags=re.MULTILINE)
    csv_path = write(tmp_path / "new.csv", HEADER + "ok,Fine,P,toolkits,funding,,,\n"
                     "x1,T,P,podcast,funding,,,\n")
    yaml_path = tmp_path / "new.yaml"
    write(yaml_path, "resources:\n" + "".join(
        f"  - id: e{i}\n    title: T\n    publisher: P\n    format: toolkits\n"
        f"    topics: [{topic}]\n" for i, topic in enumerate(["funding", "grants"])))
    # Pad the YAML so its second entry's topics sit on line 14, as the page shows.
    yaml_path.write_text("# a catalog\n" * 3 + yaml_path.read_text(encoding="utf-8"),
                         encoding="utf-8")
    for path, documented in ((csv_path, shown[0]), (yaml_path, shown[1])):
        actual = str(error_of(lambda path=path: read_catalog(path, instrument, rules)))
        actual = actual.replace(str(path), path.name)
        head, _, _ = documented.partition("...")
        assert actual.startswith(head), (documented, actual)


def test_import_adds_and_replaces_in_one_write(instrument, rules, tmp_path):
    user = tmp_path / "data" / "catalog.yaml"
    first = write(tmp_path / "first.csv", HEADER + "a1,A,P,toolkits,funding,,,\n"
                  "nhrtac,Our own copy,P,individualized,funding,,,\n")
    result = import_catalog(first, instrument, rules, user=user)
    assert (result.added, result.replaced, result.total) == (("a1", "nhrtac"), (), 2)
    second = write(tmp_path / "second.yaml", "resources:\n  - {id: a1, title: A again, "
                   "publisher: P, format: webinars, topics: [evaluation]}\n")
    result = import_catalog(second, instrument, rules, user=user)
    assert (result.added, result.replaced, result.total) == ((), ("a1",), 2)
    catalog = load_catalog(instrument, rules, user=user)
    by_id = catalog.by_id()
    assert by_id["a1"].title == "A again" and by_id["a1"].format == "webinars"
    # The user's entry replaces the bundled one of the same id.
    assert by_id["nhrtac"].title == "Our own copy"
    assert by_id["nhrtac"].origin == str(user)
    assert len(catalog.resources) == len(load_catalog(instrument, rules,
                                                      user=tmp_path / "no.yaml").resources) + 1


def test_failed_import_writes_nothing(instrument, rules, tmp_path):
    user = tmp_path / "catalog.yaml"
    import_catalog(write(tmp_path / "ok.csv", HEADER + "a1,A,P,toolkits,funding,,,\n"),
                   instrument, rules, user=user)
    before = user.read_bytes()
    bad = write(tmp_path / "bad.csv", HEADER + "a2,B,P,toolkits,funding,,,\n"
                "a3,C,P,tiktok,funding,,,\n")
    with pytest.raises(InputError, match="unknown format 'tiktok'"):
        import_catalog(bad, instrument, rules, user=user)
    assert user.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_user_catalog_path_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("HRTA_CATALOG", str(tmp_path / "mine.yaml"))
    assert user_catalog_path() == tmp_path / "mine.yaml"
    assert user_catalog_path(tmp_path / "given.yaml") == tmp_path / "given.yaml"
    monkeypatch.delenv("HRTA_CATALOG")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert user_catalog_path() == tmp_path / "xdg" / "hrta" / "catalog.yaml"


def test_a_form_entry_is_checked_the_same_way(instrument, rules):
    """The web app's staff form passes a dict and its own way to report a bad field."""
    def fail(field: str, message: str, params=None) -> InputError:
        return InputError(message, column=field, params=params)

    vocabulary = Vocabulary(instrument, rules)
    entry = check_resource({"id": "center_cohort", "title": "Funding cohort",
                            "publisher": "Our TA center", "format": "small_group",
                            "topics": ["funding"], "org_types": ["ccbhc"]},
                           vocabulary, origin="staff", fail=fail)
    assert entry.org_types == ("ccbhc",)
    error = error_of(lambda: check_resource(
        {"id": "x", "title": "T", "publisher": "P", "format": "toolkits", "topics": ["funding"],
         "org_types": ["prison"]}, vocabulary, origin="staff", fail=fail))
    assert error.column == "org_types"
    assert "unknown organization type 'prison'" in error.message
