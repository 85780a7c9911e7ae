"""Bad input never crashes or hangs: every kind of file hrta reads, mutated at random.

The invariant, for the real `hrta` command in a child process: exit 0 with valid output,
or exit 2 with a message naming the file and nothing written; never a traceback, never
more than 30 s or 1 GB. The readers are also fuzzed in-process, where an example costs
milliseconds rather than a process start-up: there, a reader returns or raises InputError
naming the file, and nothing else.

`make test` runs a small fixed set of examples (derandomized, so every run is the same);
`make fuzz` runs many more, drawn at random (HRTA_FUZZ_EXAMPLES sets how many).
"""

from __future__ import annotations

import copy
import csv
import io
import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hrta.analysis.pipeline import analyse
from hrta.assistance.catalog import read_catalog
from hrta.assistance.rules import bundled_rules_path, load_rules, parse_rules
from hrta.coding.codebook import read_codebook
from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.ingest.mapping import load_mapping
from hrta.instrument import loader as instrument_loader
from hrta.instrument.loader import parse as parse_instrument
from tests.conftest import FIXTURES, read_rows
from tests.limits import MEMORY_BYTES, Run, run_limited
from tests.xlsxfiles import damaged, sheet_xml, xlsx_bytes

# Examples are whole files: Hypothesis warns that their repr is long, which is the point.
pytestmark = pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisWarning")
FUZZ = int(os.environ.get("HRTA_FUZZ_EXAMPLES", "0") or 0)
ASSESSMENTS = Path(instrument_loader.__file__).parent / "assessments"
INSTRUMENT_YAML = ASSESSMENTS / "harm_reduction_ta_2022.yaml"
RULES_YAML = ASSESSMENTS / "readiness" / "harm_reduction_ta_2022.yaml"
CATALOG_YAML = FIXTURES / "assistance_catalog.yaml"
CODEBOOK_YAML = ASSESSMENTS / "codebooks" / "harm_reduction_ta_2022" / "challenges.yaml"
SMALL_EXPORT = FIXTURES / "small_surveymonkey.csv"
NATIVE = FIXTURES / "assistance_profiles.csv"


def fuzz(examples: int, *, child: bool = False) -> settings:
    """`examples` fixed ones by default; with HRTA_FUZZ_EXAMPLES=N, N random runs of the
    command in a child process, or ten times as many in-process, per property."""
    if FUZZ:
        examples = FUZZ if child else FUZZ * 10
    # A child process is held to 30 s by run_limited; an example in-process takes a tenth
    # of a second, so one over 20 s is a slow path found.
    return settings(max_examples=examples, derandomize=not FUZZ, database=None,
                    deadline=None if child else timedelta(seconds=20),
                    suppress_health_check=list(HealthCheck), print_blob=True)


# --- what hostile input looks like --------------------------------------------------------

HOSTILE_TEXT = [
    "[/]", "[bold]x", "[link=file:///etc/passwd]x[/link]", "\\[/]", "[", "]", "[/bold red]",
    "=1+1", " =HYPERLINK(\"http://x\")", "\n=cmd", "＝1", "+1", "-1", "@SUM(A1)", "\t", "\r",
    "\x00", "\x1b[31m", "\ufeff", "\u202e", '"', '""', "'", ",", "\n", "\r\n", "   ", "",
    "Strongly agree", "Yes, I work at a mental health or SUD treatment organization",
    "Response", "Open-Ended Response", "Respondent ID", "response_id", "1001", "NaN",
    "1e400", "-0", "9" * 40, "é" * 3, "\U0001f600", "x" * 5000,
]
cell_text = st.one_of(st.sampled_from(HOSTILE_TEXT), st.text(max_size=20))
index = st.integers(min_value=0, max_value=10_000)

table_op = st.one_of(
    st.tuples(st.just("delete_column"), index),
    st.tuples(st.just("duplicate_column"), index),
    st.tuples(st.just("swap_columns"), index, index),
    st.tuples(st.just("delete_row"), index),
    st.tuples(st.just("duplicate_row"), index),
    st.tuples(st.just("swap_rows"), index, index),
    st.tuples(st.just("set_cell"), index, index, cell_text),
    st.tuples(st.just("cut_row"), index, index),
    st.tuples(st.just("extend_row"), index, st.integers(1, 3)),
    st.tuples(st.just("wide_row"), index, st.sampled_from([17_000, 60_000])),
    st.tuples(st.just("long_cell"), index, index, st.sampled_from([140_000, 1_000_000])),
)
byte_op = st.one_of(
    st.tuples(st.just("flip"), index, st.integers(1, 255)),
    st.tuples(st.just("truncate"), index),
    st.tuples(st.just("insert"), index, st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), index, st.integers(1, 64)),
)
# Sheet XML edits: sizes declared or real far beyond what is there, and broken XML.
xml_op = st.one_of(
    st.just(("dimension", "A1:XFD1048576")),
    st.just(("dimension", "A1:A1048576")),
    st.just(("dimension", "A1:ZZZZ99999999")),
    st.just(("dimension", "nonsense")),
    st.just(("cell", '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>')),
    st.just(("cell", '<row r="2000000"><c r="A2000000" t="inlineStr"><is><t>x</t></is></c></row>')),
    st.just(("cell", '<row r="3"><c r="XFD3" t="inlineStr"><is><t>x</t></is></c></row>')),
    st.just(("cell", '<row r="3"><c r="ZZZZ3" t="inlineStr"><is><t>x</t></is></c></row>')),
    st.just(("cell", '<row r="3"><c r="A0"><v>1</v></c></row>')),
    st.just(("cell", '<row r="3"><c r="B3" t="s"><v>99</v></c></row>')),
    st.just(("cell", '<row r="3"><c r="B3" t="n"><v>abc</v></c></row>')),
    st.just(("cell", '<row r="3"><c r="B3" t="b"><v>x</v></c></row>')),
    st.just(("cell", '<row r="x"><c><v>1</v></c></row>')),
    st.just(("cell", '<row r="1.5"><c><v>1</v></c></row>')),
    st.just(("cell", "<row>" + "<c/>" * 20_000 + "</row>")),
    st.just(("entities", "")),
    st.tuples(st.just("xml_bytes"), byte_op),
)


def edit_table(rows: list[list[str]], ops: list[tuple[Any, ...]]) -> list[list[str]]:
    rows = [list(row) for row in rows]
    for op in ops:
        if not rows:
            break
        kind, *args = op
        width = max(len(row) for row in rows) or 1
        r = args[0] % len(rows)
        if kind == "delete_column":
            for row in rows:
                if row:
                    del row[args[0] % len(row)]
        elif kind == "duplicate_column":
            for row in rows:
                if row:
                    at = args[0] % len(row)
                    row.insert(at, row[at])
        elif kind == "swap_columns":
            a, b = args[0] % width, args[1] % width
            for row in rows:
                if a < len(row) and b < len(row):
                    row[a], row[b] = row[b], row[a]
        elif kind == "delete_row":
            del rows[r]
        elif kind == "duplicate_row":
            rows.insert(r, list(rows[r]))
        elif kind == "swap_rows":
            s = args[1] % len(rows)
            rows[r], rows[s] = rows[s], rows[r]
        elif kind in ("set_cell", "long_cell"):
            row = rows[r]
            if row:
                text = args[2] if kind == "set_cell" else "y" * args[2]
                row[args[1] % len(row)] = text
        elif kind == "cut_row":
            rows[r] = rows[r][: args[1] % (len(rows[r]) + 1)]
        elif kind == "extend_row":
            rows[r] += ["extra"] * args[1]
        elif kind == "wide_row":
            rows[r] += [""] * args[1]
    return rows


def edit_bytes(data: bytes, ops: list[tuple[Any, ...]]) -> bytes:
    buffer = bytearray(data)
    for kind, at, *args in ops:
        at = at % (len(buffer) + 1)
        if kind == "flip" and at < len(buffer):
            buffer[at] ^= args[0]
        elif kind == "truncate":
            del buffer[at:]
        elif kind == "insert":
            buffer[at:at] = args[0]
        elif kind == "delete":
            del buffer[at:at + args[0]]
    return bytes(buffer)


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


_BOMB = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
         + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">'
                   for i in range(9))
         + "]>")


def edit_sheet(xml: str, ops: list[tuple[Any, ...]]) -> bytes:
    data = xml.encode("utf-8")
    for op in ops:
        kind, arg = op
        if kind == "dimension":
            data = data.replace(b"<sheetData>",
                                f'<dimension ref="{arg}"/><sheetData>'.encode(), 1)
        elif kind == "cell":
            data = data.replace(b"</sheetData>", arg.encode() + b"</sheetData>", 1)
        elif kind == "entities":
            data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n',
                                _BOMB.encode(), 1).replace(b"<sheetData>",
                                                           b"<sheetData><row><c t=\"inlineStr\">"
                                                           b"<is><t>&lol8;</t></is></c></row>", 1)
        elif kind == "xml_bytes":
            data = edit_bytes(data, [arg])
    return data


# --- an export, mutated ------------------------------------------------------------------

BASE_EXPORT = read_rows(SMALL_EXPORT)


@st.composite
def exports(draw: st.DrawFn) -> tuple[str, bytes]:
    """A mutated SurveyMonkey export: (file suffix, bytes)."""
    rows = edit_table(BASE_EXPORT, draw(st.lists(table_op, max_size=4)))
    if draw(st.booleans()):
        sheet = edit_sheet(sheet_xml(rows), draw(st.lists(xml_op, max_size=2)))
        data = xlsx_bytes(sheet)
        suffix = ".xlsx"
    else:
        data = csv_bytes(rows, draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252"])))
        suffix = ".csv"
    return suffix, edit_bytes(data, draw(st.lists(byte_op, max_size=2)))


BASE_NATIVE = read_rows(NATIVE)


@st.composite
def natives(draw: st.DrawFn) -> tuple[str, bytes]:
    """A mutated file in hrta's own long format: CSV, XLSX or Parquet."""
    rows = edit_table(BASE_NATIVE, draw(st.lists(table_op, max_size=4)))
    kind = draw(st.sampled_from([".csv", ".xlsx", ".parquet"]))
    if kind == ".csv":
        data = csv_bytes(rows)
    elif kind == ".xlsx":
        data = xlsx_bytes(edit_sheet(sheet_xml(rows), draw(st.lists(xml_op, max_size=1))))
    else:
        data = _parquet(rows)
    return kind, edit_bytes(data, draw(st.lists(byte_op, max_size=2)))


def _parquet(rows: list[list[str]]) -> bytes:
    header, *body = rows or [[]]
    names = [f"{name or 'blank'}{i}" if header.count(name) > 1 or not name else name
             for i, name in enumerate(header)]
    frame = pl.DataFrame({name: [row[i] if i < len(row) else None for row in body]
                          for i, name in enumerate(names)}, schema=dict.fromkeys(names, pl.String))
    buffer = io.BytesIO()
    frame.write_parquet(buffer)
    return buffer.getvalue()


# --- YAML, mutated as data and as text ---------------------------------------------------

yaml_value = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=True),
    cell_text, st.lists(cell_text, max_size=3),
    st.dictionaries(cell_text, cell_text, max_size=2),
)
tree_op = st.tuples(st.sampled_from(["replace", "delete", "duplicate", "rename"]),
                    st.lists(index, min_size=1, max_size=7), yaml_value)
# Aliases that fan out to millions of nodes in a few lines, and other YAML oddities.
HOSTILE_YAML = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\n",
    "a: &a [*a]\n", "!!python/object/apply:os.system ['true']\n", "- - - - - - - - - -\n" * 3,
    "[" * 5000, "{a: 1, a: 2}\n", "\t- x\n", "%YAML 9.9\n---\na: 1\n", "? [a, b]\n: c\n",
    "a: !!binary AAAA\n", "a: 2022-13-45\n", "a: .nan\n", "a: 0x_\n", "",
]


def edit_tree(tree: Any, op: tuple[str, list[int], Any]) -> Any:
    kind, path, value = op
    parent, key = None, None
    node = tree
    for step in path:
        keys = list(node) if isinstance(node, dict) else range(len(node)) \
            if isinstance(node, list) else []
        if not keys:
            break
        parent, key = node, keys[step % len(keys)]
        node = node[key]
    if parent is None:
        return value if kind == "replace" else tree
    if kind == "replace":
        parent[key] = value
    elif kind == "delete":
        del parent[key]
    elif kind == "duplicate" and isinstance(parent, list):
        parent.insert(key, parent[key])
    elif kind == "rename" and isinstance(parent, dict):
        parent[str(value)] = parent.pop(key)
    return tree


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump_yaml(tree: Any) -> bytes:
    return yaml.dump(tree, Dumper=_DUMPER, allow_unicode=True, sort_keys=False).encode()


def yaml_texts(base: Path) -> st.SearchStrategy[bytes]:
    original = base.read_text(encoding="utf-8")
    parsed = yaml.load(original, Loader=_LOADER)

    @st.composite
    def texts(draw: st.DrawFn) -> bytes:
        way = draw(st.sampled_from(["tree", "bytes", "hostile"]))
        if way == "hostile":
            return draw(st.sampled_from(HOSTILE_YAML)).encode()
        if way == "bytes":
            return edit_bytes(original.encode(), draw(st.lists(byte_op, min_size=1,
                                                               max_size=3)))
        tree = copy.deepcopy(parsed)
        for op in draw(st.lists(tree_op, min_size=1, max_size=4)):
            tree = edit_tree(tree, op)
        return dump_yaml(tree)

    return texts()


MAPPING = {
    "questions": {"Which of these services does your organization currently provide directly "
                  "to people who use drugs (PWUD)? Select all that apply.": "services_direct",
                  "How did you hear about this survey?": "ignore"},
    "options": {"services_direct": {"Peer support": "peer_support"}},
    "statements": {"fb_organizational": {"Leadership supports harm reduction":
                                         "leadership_support"}},
}


@st.composite
def mappings(draw: st.DrawFn) -> bytes:
    way = draw(st.sampled_from(["tree", "bytes", "hostile"]))
    text = yaml.safe_dump(MAPPING, allow_unicode=True)
    if way == "hostile":
        return draw(st.sampled_from(HOSTILE_YAML)).encode()
    if way == "bytes":
        return edit_bytes(text.encode(), draw(st.lists(byte_op, min_size=1, max_size=3)))
    tree = json.loads(json.dumps(MAPPING))
    for op in draw(st.lists(tree_op, min_size=1, max_size=3)):
        tree = edit_tree(tree, op)
    return dump_yaml(tree)


CODEBOOK_CSV = "id,label,parent,description,include,exclude,examples\n" \
               "funding,Inadequate funding,,Money,Grants,,\"Funding\nMoney\"\n" \
               "stigma,Stigma,,Attitudes,,,Stigma\n"
CODEBOOK_QDC = ('<?xml version="1.0" encoding="utf-8"?><CodeBook xmlns="urn:QDA-XML:codebook:1.0"'
                ' origin="x"><Codes><Code guid="11111111-1111-1111-1111-111111111111" '
                'name="Funding" isCodable="true"><Description>Money</Description></Code>'
                "</Codes></CodeBook>")


@st.composite
def codebooks(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from([".yaml", ".csv", ".qdc", ".xlsx"]))
    if kind == ".yaml":
        return kind, draw(yaml_texts(CODEBOOK_YAML))
    rows = edit_table(read_rows_text(CODEBOOK_CSV), draw(st.lists(table_op, max_size=3)))
    if kind == ".csv":
        data = csv_bytes(rows)
    elif kind == ".xlsx":
        data = xlsx_bytes(sheet_xml(rows))
    else:
        data = CODEBOOK_QDC.encode()
    return kind, edit_bytes(data, draw(st.lists(byte_op, max_size=2)))


def read_rows_text(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@st.composite
def catalogs(draw: st.DrawFn) -> tuple[str, bytes]:
    kind = draw(st.sampled_from([".yaml", ".csv"]))
    if kind == ".yaml":
        return kind, draw(yaml_texts(CATALOG_YAML))
    rows = [["id", "title", "publisher", "format", "topics", "link"],
            ["own_cohort", "Our cohort", "The center", "small_group", "funding",
             "https://example.org"]]
    rows = edit_table(rows, draw(st.lists(table_op, max_size=3)))
    return kind, edit_bytes(csv_bytes(rows), draw(st.lists(byte_op, max_size=2)))


# --- in-process: many examples, each a few milliseconds ----------------------------------


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(folder: Path, name: str, data: bytes) -> Path:
    # In a folder whose path reads "a[/b]": Rich markup, if a message is ever read as such.
    path = folder / "a[" / "b]" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _refused_or_read(read: Callable[[], Any], file: Path | str) -> Any:
    """What `read` returns, or None when it refused the file with an InputError naming it."""
    try:
        return read()
    except InputError as exc:
        assert exc.file == str(file), f"the error names {exc.file!r}, not {str(file)!r}: {exc}"
        assert exc.message.strip()
        return None


def _analysed_in_process(responses: Any) -> None:
    # Whatever the reader accepts, the analysis takes: Findings JSON, never a crash.
    if responses is not None:
        assert analyse(responses).to_json()["responses"]["total"] == responses.total


@fuzz(200)
@given(export=exports())
def test_exports_in_process(export, folder, instrument):
    path = _write(folder, f"export{export[0]}", export[1])
    _analysed_in_process(_refused_or_read(lambda: load_responses(path, instrument), path))


@fuzz(100)
@given(native=natives())
def test_native_files_in_process(native, folder, instrument):
    path = _write(folder, f"wave{native[0]}", native[1])
    _analysed_in_process(_refused_or_read(lambda: load_responses(path, instrument), path))


@fuzz(60)
@given(text=yaml_texts(INSTRUMENT_YAML))
def test_instruments_in_process(text):
    _refused_or_read(lambda: parse_instrument(text.decode("utf-8", errors="replace"),
                                              origin="mine.yaml"), "mine.yaml")


@fuzz(60)
@given(text=yaml_texts(RULES_YAML))
def test_rules_in_process(text, instrument):
    _refused_or_read(lambda: parse_rules(text.decode("utf-8", errors="replace"), instrument,
                                         origin="rules.yaml"), "rules.yaml")


@fuzz(60)
@given(book=codebooks())
def test_codebooks_in_process(book, folder):
    path = _write(folder, f"book{book[0]}", book[1])
    _refused_or_read(lambda: read_codebook(path, question="challenges"), path)


@fuzz(60)
@given(catalog=catalogs())
def test_catalogs_in_process(catalog, folder, instrument):
    path = _write(folder, f"catalog{catalog[0]}", catalog[1])
    rules = load_rules(instrument)
    _refused_or_read(lambda: read_catalog(path, instrument, rules), path)


@fuzz(60)
@given(text=mappings())
def test_mappings_in_process(text, folder, instrument):
    path = _write(folder, "map.yaml", text)
    _refused_or_read(lambda: load_mapping(path, instrument), path)


# --- the real command, in a child process ------------------------------------------------


def check_run(run: Run, *, file: Path, outputs: dict[Path, bytes | None],
              valid: Callable[[], None], names: tuple[Path, ...] = ()) -> None:
    """Exit 0 with valid output, or 2 naming the file (or one of `names`, files read with
    it) with every output as it was."""
    said = run.stderr
    assert "Traceback" not in said, said
    assert run.max_rss < MEMORY_BYTES, f"{run.max_rss:,} bytes"
    if run.returncode == 0:
        valid()
        return
    assert run.returncode == 2, f"exit {run.returncode}: {said}"
    assert "error:" in said, said
    assert any(str(f) in said for f in (file, *names)), f"no file named: {said}"
    for path, before in outputs.items():
        now = path.read_bytes() if path.exists() else None
        assert now == before, f"{path} was written although the command failed"
        partial = [p.name for p in path.parent.glob(".*partial")]
        assert not partial, partial


def _home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


def _analysed(findings: Path) -> Callable[[], None]:
    def valid() -> None:
        data = json.loads(findings.read_text(encoding="utf-8"))
        assert data["responses"]["total"] >= 0 and "questions" in data
    return valid


@fuzz(2, child=True)
@given(export=exports())
@example(export=(".xlsx", damaged(BASE_EXPORT, "broken xml")))
def test_analyze_export(export, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, f"export [b]{export[0]}", export[1])
    findings = home / "findings.json"
    run = run_limited("analyze", path, "--no-themes", "--json", findings, home=home)
    check_run(run, file=path, outputs={findings: None}, valid=_analysed(findings))


@fuzz(2, child=True)
@given(native=natives())
def test_analyze_native(native, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, f"wave{native[0]}", native[1])
    findings = home / "findings.json"
    run = run_limited("analyze", path, "--no-themes", "--json", findings, home=home)
    check_run(run, file=path, outputs={findings: None}, valid=_analysed(findings))


@fuzz(2, child=True)
@given(text=yaml_texts(INSTRUMENT_YAML))
def test_instrument_show(text, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, "mine.yaml", text)
    # The tree, not --json: it is the one that styles the instrument's own texts.
    run = run_limited("instrument", "show", "--instrument", path, home=home)
    check_run(run, file=path, outputs={}, valid=lambda: run.stdout.strip())


@fuzz(2, child=True)
@given(text=yaml_texts(RULES_YAML))
def test_demand_with_rules(text, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, "rules.yaml", text)
    out = home / "demand.json"
    run = run_limited("demand", NATIVE, "--rules", path, "--json", out, home=home)
    check_run(run, file=path, outputs={out: None},
              valid=lambda: json.loads(out.read_text(encoding="utf-8"))["areas"])


@fuzz(2, child=True)
@given(book=codebooks())
def test_codebook_import(book, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, f"book{book[0]}", book[1])
    out = home / "codebook.yaml"
    run = run_limited("codebook", "import", path, "--question", "challenges", "-o", out,
                      home=home)
    check_run(run, file=path, outputs={out: None},
              valid=lambda: read_codebook(out, question="challenges"))


@fuzz(2, child=True)
@given(catalog=catalogs())
def test_catalog_import(catalog, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, f"catalog{catalog[0]}", catalog[1])
    user = home / "catalog.yaml"
    run = run_limited("catalog", "import", path, home=home)
    check_run(run, file=path, outputs={user: None},
              valid=lambda: yaml.safe_load(user.read_text(encoding="utf-8")))


@fuzz(2, child=True)
@given(text=mappings())
def test_analyze_with_mapping(text, tmp_path_factory):
    home = _home(tmp_path_factory)
    path = _write(home, "map.yaml", text)
    findings = home / "findings.json"
    run = run_limited("analyze", SMALL_EXPORT, "--mapping", path, "--no-themes", "--json",
                      findings, home=home)
    check_run(run, file=path, outputs={findings: None}, valid=_analysed(findings),
              names=(SMALL_EXPORT,))


def test_rules_are_bundled_where_the_fuzzer_looks():
    # The fuzzer mutates the bundled files; this holds it to the real ones.
    assert bundled_rules_path("harm_reduction_ta_2022") == RULES_YAML
    assert INSTRUMENT_YAML.is_file() and CODEBOOK_YAML.is_file() and CATALOG_YAML.is_file()
