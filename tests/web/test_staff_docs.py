"""docs/web.md says what the app does: its settings table gives the defaults the app uses,
and its audit log section names every action the staff side records."""

from __future__ import annotations

import re

from django.conf import settings

from tests.web.conftest import ROOT

DOC = ROOT / "docs" / "web.md"
SETTINGS = {"HRTA_SUPPRESS_BELOW": "SUPPRESS_BELOW",
            "HRTA_LOGIN_FAILURE_LIMIT": "LOGIN_FAILURE_LIMIT",
            "HRTA_LOGIN_LOCKOUT_MINUTES": "LOGIN_LOCKOUT_MINUTES",
            "HRTA_LOGIN_LOCKOUT_MAX_MINUTES": "LOGIN_LOCKOUT_MAX_MINUTES",
            "HRTA_LOGIN_IP_FAILURE_LIMIT": "LOGIN_IP_FAILURE_LIMIT",
            "HRTA_IMPORT_MAX_BYTES": "IMPORT_MAX_BYTES"}


def test_settings_table_gives_the_defaults():
    text = DOC.read_text(encoding="utf-8")
    table = dict(re.findall(r"^\| `(HRTA_\w+)` \| (\d+)", text, re.M))
    assert set(table) == set(SETTINGS)
    for variable, name in SETTINGS.items():
        assert int(table[variable]) == getattr(settings, name), variable


def test_every_recorded_action_is_documented():
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("## The audit log"):text.index("## The API")]
    documented = set(re.findall(r"`(\w+)`", section))
    sources = [*(ROOT / "src/hrta/web/staff").rglob("*.py"),
               *(ROOT / "src/hrta/web/accounts").rglob("*.py"),
               ROOT / "src/hrta/web/surveys/services.py"]
    recorded = {name for path in sources
                for name in re.findall(r'action="(\w+)"', path.read_text(encoding="utf-8"))}
    # Chosen at run time: set_excluded records one of the first two, save_wave of the others.
    recorded |= {"exclude", "include", "wave_create", "wave_change"}
    assert recorded <= documented, recorded - documented
