"""The API: `GET /api/waves/<slug>/findings`, the wave's Findings JSON.

Open to a signed-in staff user (session) or a personal token sent as
`Authorization: Token …`, with the permission to see the dashboard. Answers are JSON:
401 when no valid session or token comes with the request, 403 without the permission,
404 for an unknown wave.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from hrta.web.accounts.tokens import user_for_token
from hrta.web.staff.access import VIEW
from hrta.web.staff.selectors import wave_findings
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import record

SCHEME = "Token"


def _caller(request: HttpRequest) -> tuple[object | None, str]:
    """The user making the request and how they proved it, or None."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != SCHEME.lower():
            return None, ""
        return user_for_token(token), "token"
    user = request.user
    return (user, "session") if user.is_authenticated else (None, "")


def _error(status: int, message: str) -> JsonResponse:
    response = JsonResponse({"error": message, "status": status}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = SCHEME
    return response


@require_GET
def findings(request: HttpRequest, slug: str) -> JsonResponse:
    user, how = _caller(request)
    if user is None:
        return _error(401, "Sign in, or send a valid API token as 'Authorization: Token …'.")
    if not user.has_perm(VIEW):  # type: ignore[attr-defined]
        return _error(403, "Your account may not read Findings.")
    wave = Wave.objects.filter(slug=slug).first()
    if wave is None:
        return _error(404, f"No wave {slug!r}.")
    found = wave_findings(wave)
    record(action="download", user=user, wave=wave, detail={"file": "findings.json", "via": how})
    return JsonResponse(found, json_dumps_params={"ensure_ascii": False})
