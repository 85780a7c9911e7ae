"""Response headers that keep hrta's pages private.

The Content-Security-Policy comes from django-csp (settings.CONTENT_SECURITY_POLICY); HSTS
and secure cookies from Django's own settings when HRTA_HTTPS is on. This module adds what
neither does: no page of the app is kept in a browser's or a proxy's cache.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

# Always "no-store" here, whatever a view says: staff pages and downloads hold answers and
# contact details (the raffle winner's among them), the API the same as JSON.
STAFF_PREFIXES = ("/staff/", "/api/")


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page the app makes.

    A cached staff page (the raffle reveal, a download) would outlive the sign-out on a
    shared computer; a respondent's pages show their answers and resume code, often on a
    borrowed phone. Only static files, served by WhiteNoise before this runs, are cached.
    Elsewhere a view that sets Cache-Control itself (the health checks) keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (request.path_info.startswith(STAFF_PREFIXES)
                or not response.has_header("Cache-Control")):
            add_never_cache_headers(response)
        return response
