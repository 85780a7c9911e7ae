"""Staff pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required, permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hrta.web.surveys.models import Wave


@login_required
@permission_required("staff.view_dashboard", raise_exception=True)
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "staff/dashboard.html", {"waves": Wave.objects.all()})
