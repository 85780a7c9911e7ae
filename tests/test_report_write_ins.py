"""Write-ins ("Other (please specify)" texts) in the report's Appendix A, run as a user
runs `hrta report`: each is screened for names of people, places and agencies by the same
rule as the quotes, held back with a note and its id when it may name someone, counted,
and printed once the analyst releases it with `--release-quote`, in English and Spanish.
"""

from __future__ import annotations

import html
import re
import subprocess
from pathlib import Path

import pytest

from tests.conftest import run_hrta, write_rows

NAMED = "Rides from Sheriff Brown's deputies in Jefferson County"
PLAIN = "Needle exchange vans"
NAMED_ID = "services_direct-other-2"  # the second write-in under services provided directly
ROLE_NAMED = "Liaison to the county health department"
ROLE_ID = "role-other-1"

ROWS = [
    ("r1", "screening", "employed", ""),
    ("r1", "role", "other", ROLE_NAMED),
    ("r1", "services_direct", "naloxone", ""),
    ("r1", "services_direct", "other", PLAIN),
    ("r2", "screening", "employed", ""),
    ("r2", "role", "peer_support_worker", ""),
    ("r2", "services_direct", "naloxone", ""),
    ("r2", "services_direct", "other", NAMED),
    ("r3", "screening", "employed", ""),
    ("r3", "services_direct", "peer_support", ""),
]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("write_ins")
    write_rows(folder / "wave.csv", [["response_id", "question_id", "option_id", "value"],
                                     *[list(row) for row in ROWS]])
    return folder


def _report(folder: Path, name: str, *options: str) -> tuple[str, subprocess.CompletedProcess[str]]:
    out = folder / f"{name}.html"
    result = run_hrta("report", folder / "wave.csv", "--format", "native", "--no-themes",
                      "-o", out, *options)
    assert result.returncode == 0, result.stderr
    return out.read_text(encoding="utf-8"), result


def _appendix_a(page: str) -> str:
    start = page.index('<section id="appendix-numbers"')
    following = page.find("<section id=", start + 1)
    part = page[start:following if following > 0 else len(page)]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", part)))


@pytest.fixture(scope="module")
def screened(folder: Path) -> tuple[str, subprocess.CompletedProcess[str]]:
    return _report(folder, "screened")


def test_a_write_in_that_may_name_someone_is_withheld(screened) -> None:
    page, result = screened
    appendix = _appendix_a(page)
    assert PLAIN in appendix
    assert NAMED not in page and "Sheriff Brown" not in page
    assert ROLE_NAMED not in page
    assert (f"(withheld: may name a person, place or agency — release with --release-quote "
            f"{NAMED_ID})") in appendix
    assert f"--release-quote {ROLE_ID})" in appendix
    # Counted where it was withheld.
    assert appendix.count("One write-in was withheld because it may name a person, place "
                          "or agency.") == 2
    # The analyst is told which, and how to release it.
    told = " ".join(result.stderr.split())
    assert f"quote {NAMED_ID}" in told and f"--release-quote {NAMED_ID}" in told
    assert NAMED in told


def test_a_released_write_in_is_shown(folder: Path) -> None:
    page, result = _report(folder, "released", "--release-quote", NAMED_ID)
    appendix = _appendix_a(page)
    assert NAMED in appendix and PLAIN in appendix
    assert f"--release-quote {NAMED_ID})" not in appendix
    assert ROLE_NAMED not in page  # only the one released
    assert "no quote" not in result.stderr  # the id is known


def test_write_ins_are_withheld_in_spanish(folder: Path) -> None:
    page, _result = _report(folder, "spanish", "--lang", "es")
    appendix = _appendix_a(page)
    assert NAMED not in page and PLAIN in appendix
    assert (f"(omitida: podría mencionar a una persona, un lugar o un organismo; se muestra "
            f"con --release-quote {NAMED_ID})") in appendix
    assert ("Se omitió una respuesta escrita porque podría mencionar a una persona, un lugar "
            "o un organismo.") in appendix


def test_write_ins_are_withheld_in_word(folder: Path) -> None:
    from docx import Document

    out = folder / "screened.docx"
    result = run_hrta("report", folder / "wave.csv", "--format", "native", "--no-themes",
                      "-o", out)
    assert result.returncode == 0, result.stderr
    texts = [p.text for p in Document(str(out)).paragraphs]
    assert not any(NAMED in t for t in texts)
    assert (f"(withheld: may name a person, place or agency — release with --release-quote "
            f"{NAMED_ID})") in texts
    assert "One write-in was withheld because it may name a person, place or agency." in texts
