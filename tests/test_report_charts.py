"""The report's chart specs: plain Vega-Lite dicts, the same JSON the charts have always
been drawn from, and built without loading a chart library or statistics package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hrta.report import charts

# Inputs and the Vega-Lite JSON they gave when the specs were built with Vega-Altair:
# the demo report's map, bars, panels and agreement chart, the brief's small bars, and
# titled, empty and off-scale cases. Equal JSON means byte-equal SVG from vl-convert.
CASES = json.loads((Path(__file__).parent / "data" / "chart_specs.json")
                   .read_text(encoding="utf-8"))
KINDS = {"Bar": charts.Bar, "Segment": charts.Segment, "MapTile": charts.MapTile}


def _decoded(value: Any) -> Any:
    if isinstance(value, dict) and value.get("kind") in KINDS:
        fields = {k: v for k, v in value.items() if k != "kind"}
        return KINDS[value["kind"]](**fields)
    if isinstance(value, list):
        return [_decoded(item) for item in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['builder']}" for i, c in enumerate(CASES)])
def test_spec_is_the_vega_lite_the_charts_are_drawn_from(case: dict[str, Any]) -> None:
    builder = getattr(charts, case["builder"])
    spec = builder(*_decoded(case["args"]), **{k: _decoded(v) for k, v in case["kwargs"].items()})
    # Compared as canonical JSON, so 50 and 50.0 differ as they would to vl-convert.
    assert json.dumps(spec, sort_keys=True) == json.dumps(case["spec"], sort_keys=True)


def test_a_report_loads_no_chart_library_or_statistics_package(tmp_path: Path) -> None:
    """A plain HTML report in a fresh process: Altair (seconds of spec building), SciPy,
    statsmodels and pandas stay unloaded."""
    script = (
        "import sys\n"
        "from hrta.analysis.pipeline import analyse\n"
        "from hrta.demo import demo_responses\n"
        "from hrta.instrument import load_bundled\n"
        "from hrta.report import render_report\n"
        f"render_report(analyse(demo_responses(load_bundled())), {str(tmp_path / 'r.html')!r})\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'altair', 'scipy', 'statsmodels', 'pandas'}))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env={**os.environ, "HRTA_CACHE_DIR": str(tmp_path / "cache")},
                          check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "<svg" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_javascript_runtime_starts_early_only_for_charts_not_drawn_before(
        tmp_path, monkeypatch):
    """A report made again finds its charts in the cache folder: no runtime is started
    beside its work. A first report (an empty folder) starts it while it analyses."""
    from hrta.report import charts as module

    monkeypatch.setenv("HRTA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(module, "_warming", None)
    (tmp_path / "charts").mkdir()
    (tmp_path / "charts" / "kept.svg").write_text("<svg/>")
    module.warm_up()
    assert module._warming is None

    (tmp_path / "charts" / "kept.svg").unlink()
    module.warm_up()
    assert module._warming is not None
    module._warming.join()
