"""The web application: the assessment for respondents, the dashboard for TA center staff.

One Django project; the analysis it shows comes from the same functions the CLI calls.
"""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django for use outside manage.py (the `hrta` command, tests, gunicorn)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hrta.web.settings")
    import django

    django.setup()
