"""The coder's tuning set is a labelled file of the coding package, not the demo's bank."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import yaml

from hrta.coding.codebook import load_codebook
from hrta.coding.labelled import TaggedAnswer, bundled_tuning
from hrta.defaults import DEFAULT_INSTRUMENT

CODING = Path(__file__).resolve().parents[1] / "src" / "hrta" / "coding"
TUNING = CODING / "tuning" / f"{DEFAULT_INSTRUMENT}.yaml"


def test_the_coding_package_never_imports_the_demo():
    """Not at the top of a module, nor inside a function: the demo's text bank may change
    without changing how real answers are coded."""
    found = []
    for path in sorted(CODING.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            found += [f"{path.name}:{node.lineno}" for name in names
                      if name == "hrta.demo" or name.startswith("hrta.demo.")]
    assert found == []


def test_reading_the_tuning_set_loads_nothing_of_the_demo():
    code = ("import sys\n"
            "from hrta.coding.autocode import tuning_answers\n"
            "from hrta.coding.codebook import load_codebook\n"
            "source, answers = tuning_answers(load_codebook('challenges'), "
            "'harm_reduction_ta_2022')\n"
            "assert answers, source\n"
            "print(sorted(m for m in sys.modules if m.startswith('hrta.demo')))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_the_tuning_file_says_what_it_is_and_how_to_retune():
    header = TUNING.read_text(encoding="utf-8").split("\n\n")[0]
    assert header.startswith("# Answers tagged by people: the automatic coder's tuning set")
    assert "To re-tune" in header and "hrta code --evaluate" in header


def test_bundled_tuning_is_the_file_with_the_codebooks_themes():
    raw = yaml.safe_load(TUNING.read_text(encoding="utf-8"))
    assert set(raw) == {"challenges", "facilitators"}
    for question, size in (("challenges", 64), ("facilitators", 54)):
        book = load_codebook(question)
        source, answers = bundled_tuning(book, DEFAULT_INSTRUMENT)
        assert source == f"coding/tuning/{DEFAULT_INSTRUMENT}.yaml"
        assert answers == [TaggedAnswer(a["text"], tuple(a["themes"])) for a in raw[question]]
        assert len(answers) == size
        assert {t for a in answers for t in a.themes} <= set(book.ids)
        assert sum(1 for a in answers if not a.themes) >= 1, "some answers fit no theme"


def test_another_codebook_or_instrument_has_no_bundled_tuning():
    from hrta.coding.codebook import Codebook, Theme

    other = Codebook("challenges", (Theme("money", "Money", "Funding."),))
    assert bundled_tuning(other, DEFAULT_INSTRUMENT) == ("", [])
    assert bundled_tuning(load_codebook("challenges"), "another_instrument") == ("", [])
