"""The API: `GET /api/waves/<slug>/findings`, the wave's Findings JSON, described by the
OpenAPI document `openapi.json` beside this file (served at `GET /api/openapi.json`; the
API tests run schemathesis against a live server from it).

Open to a signed-in staff user (session) or a personal token sent as
`Authorization: Token …`, with the permission to see the dashboard. Answers are JSON:
401 when no valid session or token comes with the request, 403 without the permission,
404 for an unknown wave.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from hrta.web.accounts.tokens import user_for_token
from hrta.web.staff.access import VIEW
from hrta.web.staff.selectors import wave_findings
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import record

SCHEME = "Token"
DESCRIPTION = Path(__file__).with_name("openapi.json")


def _caller(request: HttpRequest) -> tuple[User | None, str]:
    """The user making the request and how they proved it, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != SCHEME.lower():
            return None, ""
        return user_for_token(token), "token"
    user = request.user
    return (user, "session") if isinstance(user, User) else (None, "")


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = SCHEME
    return response


# csrf_exempt: the API serves GET alone, which changes nothing; any other method, known or
# not (PUT, QUERY), must get 405 as the description says, not the CSRF refusal (403).
@csrf_exempt
@require_GET
def findings(request: HttpRequest, slug: str) -> JsonResponse:
    user, how = _caller(request)
    if user is None:
        return _error(401, "Sign in, or send a valid API token as 'Authorization: Token …'.")
    if not user.has_perm(VIEW):
        return _error(403, "Your account may not read Findings.")
    wave = Wave.objects.filter(slug=slug).first()
    if wave is None:
        return _error(404, f"No wave {slug!r}.")
    found = wave_findings(wave)
    record(action="download", user=user, wave=wave, detail={"file": "findings.json", "via": how})
    return JsonResponse(found.model_dump(mode="json"), json_dumps_params={"ensure_ascii": False})


OpenAPI = dict[str, Any]
"""The OpenAPI document as parsed JSON: served as written, its shape is OpenAPI's."""


@cache
def _description() -> OpenAPI:
    return json.loads(DESCRIPTION.read_text(encoding="utf-8"))


@csrf_exempt
@require_GET
def openapi(request: HttpRequest) -> JsonResponse:
    """The OpenAPI description of the API: public, as it holds nothing but the API's shape."""
    return JsonResponse(_description(), json_dumps_params={"ensure_ascii": False})
