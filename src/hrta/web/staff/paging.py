"""A staff list cut into pages, with the filters it was chosen by kept in every link
(the pages template, staff/_pages.html, reads `page` and `keep`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.http import urlencode

PER_PAGE = 50


@dataclass(frozen=True)
class Listing:
    page: Page
    query: str  # the filters chosen, as a query string ("" when none)
    keep: str  # the same, ready to stand before "page=N" in a link


def paged(request: HttpRequest, items: QuerySet[Any] | Sequence[Any],
          filters: Iterable[tuple[str, str]]) -> Listing:
    """The page of `items` the request asks for; `filters` (name, value) left out when
    blank."""
    query = urlencode({name: value for name, value in filters if value})
    return Listing(page=Paginator(items, PER_PAGE).get_page(request.GET.get("page")),
                   query=query, keep=f"{query}&" if query else "")
