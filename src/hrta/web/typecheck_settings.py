"""The settings the type checker loads (`[tool.django-stubs]` in pyproject.toml).

django-stubs sets Django up inside mypy to learn the models and read the settings' types.
The real settings, imported as they are, would make ./var (or the operator's HRTA_DATA_DIR)
and generate its keys wherever mypy happens to run. Here the keys are given and the data
folder is a fixed, empty one of the user's in the temporary folder, so `mypy` works from a
clean checkout with no environment and writes no secret anywhere. The values are
placeholders: only the settings' names and types matter to the checker.
"""

from __future__ import annotations

import getpass
import os
import tempfile
from pathlib import Path

os.environ["HRTA_DATA_DIR"] = str(
    Path(tempfile.gettempdir()) / f"hrta-typecheck-{getpass.getuser()}")
os.environ["HRTA_SECRET_KEY"] = "type-checking-only"
# A well-formed Fernet key (32 zero bytes), never used to encrypt anything.
os.environ["HRTA_CONTACTS_KEY"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

from hrta.web.settings import *  # noqa: F403
