"""The R script written beside a wide CSV, run by R itself (`Rscript`, Debian's
r-base-core): it reads every row, turns the missing codes into NA, gives choices their
options' labels and variables their questions, in a UTF-8 and in a C locale alike."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from hrta.exports.data import r_script_path, write_wide
from hrta.exports.wide import wide_data
from hrta.ingest import load_responses
from hrta.instrument import Instrument, parse
from hrta.responses import ResponseSet

FORM = """
id: r_check
version: "1"
title: R check
eligibility: {question: works, ineligible_options: ["no"]}
sections:
  - id: main
    title: Main
    questions:
      - {id: works, type: single, text: Do you work here?,
         options: [{id: "yes", label: "Sí"}, {id: "no", label: "No"}]}
      - {id: naloxone, type: single, text: "¿Do you hand out \\"naloxone\\"?",
         options: [{id: "yes", label: "Yes — daily"}, {id: "no", label: "No"}]}
      - id: where
        type: multi
        text: Where?
        options: [{id: clinic, label: In the clinic}, {id: street, label: On the street}]
      - {id: story, type: text, text: Tell us more.}
"""
STORY = "Más fondos — 資金, \"quoted\"\nand a second line"


def _rscript(folder: Path, program: str, locale: str) -> str:
    rscript = shutil.which("Rscript")
    assert rscript, "Rscript is missing: install Debian's r-base-core (make system-test)"
    (folder / "check.R").write_text(program, encoding="ascii")
    result = subprocess.run([rscript, "--vanilla", "check.R"], cwd=folder, text=True,
                            capture_output=True, timeout=120,
                            env={**os.environ, "LANG": locale, "LC_ALL": locale})
    assert result.returncode == 0, result.stderr
    return result.stdout


def _text(codes: str) -> str:
    """Text R printed as its code points (utf8ToInt), the same in every locale."""
    return "".join(chr(int(code)) for code in codes.split())


@pytest.fixture(scope="module")
def responses() -> ResponseSet:
    instrument = parse(FORM, origin="test")
    respondents = pl.DataFrame({"response_id": ["r1", "r2", "r3", "r4"],
                                "started_at": ["s"] * 4, "ended_at": ["e"] * 4})
    rows = [
        (0, "works", "yes", None), (0, "naloxone", "yes", None), (0, "where", "clinic", None),
        (0, "where", "street", None), (0, "story", None, STORY),
        (1, "works", "yes", None), (1, "naloxone", "no", None), (1, "where", "street", None),
        (2, "works", "yes", None),
        (3, "works", "no", None),
    ]
    answers = pl.DataFrame(rows, schema=["row", "question_id", "option_id", "value"],
                           orient="row")
    return ResponseSet.from_answers(instrument, respondents, answers)


@pytest.mark.parametrize("locale", ["C.UTF-8", "C"])
def test_r_reads_the_wide_csv_with_its_labels(responses: ResponseSet, tmp_path: Path,
                                              locale: str):
    write_wide(tmp_path / "wave.csv", wide_data(responses))
    script = r_script_path(tmp_path / "wave.csv")
    assert script.read_text(encoding="utf-8").isascii()
    out = _rscript(tmp_path, """
source("wave.R")
cat("rows:", nrow(data), "\\n")
cat("first column:", names(data)[1], "\\n")
n <- data[["naloxone"]]
cat("naloxone:", as.vector(table(n)), sum(is.na(n)), "\\n")
cat("naloxone levels:", utf8ToInt(paste(levels(n), collapse = "|")), "\\n")
cat("naloxone label:", utf8ToInt(attr(n, "label")), "\\n")
cat("works levels:", utf8ToInt(levels(data[["works"]])[1]), "\\n")
street <- data[["where_street"]]
cat("where_street:", as.vector(table(street)), sum(is.na(street)), "\\n")
story <- data[["story"]]
cat("story:", nchar(story[1]), utf8ToInt(story[1])[c(2, 12, 14)], is.na(story[2]), "\\n")
""", locale)
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert lines["rows"].strip() == "4"
    assert lines["first column"].strip() == "response_id"
    # r1 yes, r2 no, r3 not answered, r4 screened out: the last two NA.
    assert lines["naloxone"].split() == ["1", "1", "2"]
    assert _text(lines["naloxone levels"]) == "Yes — daily|No"
    assert _text(lines["naloxone label"]) == '¿Do you hand out "naloxone"?'
    assert _text(lines["works levels"]) == "Sí"
    # Not selected 0, selected 2 (r1, r2); r3 answered nothing and r4 was screened out.
    assert lines["where_street"].split() == ["0", "2", "2"]
    assert lines["story"].split() == [str(len(STORY)), str(ord("á")), str(ord("—")),
                                      str(ord("資")), "TRUE"]


def test_r_reads_the_bundled_questionnaire_export(instrument: Instrument, small_export: Path,
                                                  tmp_path: Path):
    responses = load_responses(small_export, instrument)
    data = wide_data(responses)
    write_wide(tmp_path / "wave.csv", data)
    # The single-choice question the most respondents answered.
    variable = max((v for v in data.variables if v.kind == "code" and v.item_id is None),
                   key=lambda v: sum(1 for c in data.frame[v.name].to_list() if c > 0))
    out = _rscript(tmp_path, f"""
source("wave.R")
cat("rows:", nrow(data), "\\n")
cat("columns:", ncol(data), "\\n")
x <- data[["{variable.name}"]]
seen <- table(x)[table(x) > 0]
cat("counts:", paste(names(seen), seen, sep = "=", collapse = "|"), "\\n")
cat("missing:", sum(is.na(x)), "\\n")
cat("label:", attr(x, "label"), "\\n")
""", "C")
    lines = dict(line.split(": ", 1) for line in out.strip().splitlines())
    assert lines["rows"].strip() == str(responses.total)
    assert lines["columns"].strip() == str(len(data.variables))
    question = instrument.question(variable.question_id or "")
    assert lines["label"].strip() == question.text
    codes = data.frame[variable.name].to_list()
    expected = {question.options[code - 1].label: codes.count(code)
                for code in set(codes) if code > 0}
    assert expected
    printed = dict(part.rsplit("=", 1) for part in lines["counts"].strip().split("|"))
    assert {label: int(count) for label, count in printed.items()} == expected
    assert lines["missing"].strip() == str(sum(1 for c in codes if c < 0))
