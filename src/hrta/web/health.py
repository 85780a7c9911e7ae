"""Health checks for load balancers and monitors.

`/healthz` answers without touching a database, so it measures the server and Django alone
(the load benchmark uses it as the framework's ceiling); `/healthz/db` also asks both
databases, so a monitor can tell a stopped database from a stopped app.
"""

from __future__ import annotations

from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def alive(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
def databases_ready(request: HttpRequest) -> HttpResponse:
    lines = []
    healthy = True
    for alias in ("default", "contacts"):
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT 1")
            lines.append(f"{alias}: ok")
        except DatabaseError as exc:
            healthy = False
            lines.append(f"{alias}: unavailable ({type(exc).__name__})")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8",
                        status=200 if healthy else 503)
