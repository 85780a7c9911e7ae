"""Logs that never hold a resume code.

A resume code opens a respondent's answers and TA plan. New resume links carry the code
after "#", which browsers never send; links handed out before that (`/resume/CODE/`)
still work, so their path is scrubbed from gunicorn's access and error logs (the request
line, the path, the Referer and any other field a log format may name) and from the app's
own log messages (Django logs every 404's path, e.g. an expired code's).
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from gunicorn import glogging

if TYPE_CHECKING:
    from gunicorn.config import Config

    # Declared by gunicorn's type stubs only: the atoms an access-log format may name.
    from gunicorn.glogging import _AtomsDict
    from gunicorn.http.message import Request
    from gunicorn.http.wsgi import Response

# An invitation's personal link opens a response as a resume code does.
RESUME_PATH = re.compile(r"(/resume/|/invite/)[^/?#\s\"']+")


def scrub(text: str) -> str:
    return RESUME_PATH.sub(r"\1-", text)


class ScrubResumeCodes(logging.Filter):
    """A logging filter that rewrites a record's message without resume codes."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = scrub(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class ScrubbingLogger(glogging.Logger):
    """gunicorn's logger (`--logger-class`), with resume codes scrubbed."""

    def setup(self, cfg: Config) -> None:
        super().setup(cfg)
        self.error_log.addFilter(ScrubResumeCodes())

    def atoms(self, resp: Response, req: Request, environ: MutableMapping[str, Any],
              request_time: timedelta) -> _AtomsDict:
        found = super().atoms(resp, req, environ, request_time)
        # The same keys as gunicorn's (request headers included, which its declared
        # atoms leave out), only the text scrubbed.
        return cast("_AtomsDict", {key: scrub(value) if isinstance(value, str) else value
                                   for key, value in found.items()})
