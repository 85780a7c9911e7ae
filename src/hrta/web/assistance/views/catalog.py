"""The TA catalog's staff pages: list, add, change, retire and restore entries, and take
in new entries from the catalog files."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hrta.assistance.catalog import user_catalog_path
from hrta.assistance.rules import localize_rules
from hrta.errors import InputError
from hrta.instrument import DEFAULT_INSTRUMENT
from hrta.web import inputerrors
from hrta.web.assessment.localized import localized_instrument
from hrta.web.assistance import selectors, services
from hrta.web.assistance.forms import CatalogEntryForm, RetireForm
from hrta.web.assistance.models import CatalogEntry
from hrta.web.assistance.rules import vocabulary as catalog_vocabulary
from hrta.web.staff.access import VIEW, staff_page

MANAGE_CATALOG = "assistance.manage_catalog"


def _choices(instrument_id: str) -> dict[str, list[tuple[str, str]]]:
    """Each list field's allowed ids (the catalog's vocabulary) with their labels."""
    _instrument, rules = selectors.instrument_and_rules(instrument_id)
    # Labels in the reader's language; the catalog stores the ids, the same in each.
    language = get_language() or "en"
    instrument = localized_instrument(instrument_id, language)
    rules = localize_rules(rules, language)
    vocabulary = catalog_vocabulary(instrument_id)
    approaches = {a.id: a.label for a in instrument.program_approaches}
    choices = {}
    for name, ids in vocabulary.allowed.items():
        if name == "approaches":
            labels = approaches
        elif name == "format":
            labels = {k: v[:1].upper() + v[1:] for k, v in rules.plan.format_names.items()}
        else:
            labels = {o.id: o.label for o in instrument.question(
                vocabulary.questions[name]).options}
        choices[name] = [(i, labels.get(i, i)) for i in ids]
    return choices


def _labels(instrument_id: str) -> dict[str, dict[str, str]]:
    return {name: dict(pairs) for name, pairs in _choices(instrument_id).items()}


@require_GET
@staff_page(VIEW)
def catalog_list(request: HttpRequest) -> HttpResponse:
    instrument_id = DEFAULT_INSTRUMENT
    choices = _choices(instrument_id)
    topic = request.GET.get("topic", "")
    topic = topic if topic in dict(choices["topics"]) else ""
    kind = request.GET.get("format", "")
    kind = kind if kind in dict(choices["format"]) else ""
    show = request.GET.get("show", "")
    retired = {"retired": True, "all": None}.get(show, False)
    entries = selectors.catalog_entries(instrument_id=instrument_id, retired=retired,
                                        topic=topic, resource_format=kind)
    labels = _labels(instrument_id)
    rows = [{"entry": e, "format": labels["format"].get(e.format, e.format),
             "topics": [labels["topics"].get(t, t) for t in e.topics]} for e in entries]
    return render(request, "assistance/catalog_list.html", {
        "rows": rows, "choices": choices, "topic": topic, "format": kind, "show": show,
        "total": CatalogEntry.objects.filter(instrument_id=instrument_id,
                                             retired_at__isnull=True).count(),
        "user_catalog": user_catalog_path(),
    })


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_CATALOG)
def catalog_new(request: HttpRequest) -> HttpResponse:
    return _edit(request, None)


@require_http_methods(["GET", "POST"])
@staff_page(MANAGE_CATALOG)
def catalog_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, get_object_or_404(CatalogEntry, pk=pk))


def _initial(entry: CatalogEntry) -> dict[str, object]:
    resource = entry.to_resource()
    data = {name: getattr(resource, name) for name in (
        "title", "publisher", "format", "link", "last_reviewed", "notes")}
    data.update({name: list(getattr(resource, name)) for name in (
        "topics", "approaches", "services", "communities", "org_types")})
    data["id"] = entry.resource_id
    data["year"] = str(entry.year) if entry.year else ""
    return data


def _edit(request: HttpRequest, entry: CatalogEntry | None) -> HttpResponse:
    instrument_id = entry.instrument_id if entry else DEFAULT_INSTRUMENT
    instrument, _rules = selectors.instrument_and_rules(instrument_id)
    form = CatalogEntryForm(request.POST or None, instrument=instrument,
                            choices=_choices(instrument_id), editing=entry is not None,
                            initial=_initial(entry) if entry else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = services.save_catalog_entry(
                    instrument_id=instrument_id, data=form.data_for_catalog(),
                    user=request.user, entry=entry)
            except services.FieldError as problem:
                form.add_error(problem.field if problem.field in form.fields else None,
                               inputerrors.message(problem))
            else:
                messages.success(request, _("Saved “%(title)s”.") % {"title": saved.title})
                return redirect("ta:catalog")
        status = 400
    return render(request, "assistance/catalog_form.html", {
        "form": form, "entry": entry, "retire_form": RetireForm(),
        "errors": [(form[name] if name in form.fields else None, error)
                   for name, found in form.errors.items() for error in found],
    }, status=status)


@require_POST
@staff_page(MANAGE_CATALOG)
def catalog_retire(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(CatalogEntry, pk=pk)
    action = request.POST.get("action")
    if action not in ("retire", "restore"):
        raise Http404("no such action")
    form = RetireForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.set_retired(entry=entry, retired=action == "retire", user=request.user,
                         reason=reason)
    messages.success(request, _("“%(title)s” is retired: plans no longer point to it.")
                     % {"title": entry.title} if action == "retire" else
                     _("“%(title)s” is back in the catalog.") % {"title": entry.title})
    return redirect("ta:catalog")


@require_POST
@staff_page(MANAGE_CATALOG)
def catalog_update(request: HttpRequest) -> HttpResponse:
    """Take in what the catalog files gained (a new release, `hrta catalog import`)."""
    try:
        result = services.seed_catalog(user=request.user, audit=True)
    except InputError as exc:
        messages.error(request, _("The catalog files were not read: %(error)s")
                       % {"error": inputerrors.text(exc)})
    else:
        messages.success(request, _(
            "Catalog files read. New entries: %(added)s; updated: %(updated)s; left as staff "
            "changed them: %(kept)s.") % {"added": len(result.added),
                                              "updated": len(result.updated),
                                              "kept": len(result.kept)})
    return redirect("ta:catalog")
