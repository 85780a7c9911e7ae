"""Forms of the TA pages: they read and check input; services change things.

A catalog entry's fields are checked by the catalog's own rules (services.save_catalog_entry
calls hrta.assistance.check_resource), so the form only collects them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hrta.instrument import Instrument
from hrta.web.assistance.models import TARequest
from hrta.web.assistance.services import MAX_FIELD, MAX_MESSAGE
from hrta.web.contacts.services import EMAIL
from hrta.web.formfields import field_of

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class _OpenChoice(forms.ChoiceField):
    """Offers its choices but lets any value through, for the catalog's own checks to
    judge (and word the error as `hrta catalog import` does)."""

    def valid_value(self, value: Any) -> bool:
        return True


class _OpenMultipleChoice(forms.MultipleChoiceField):
    def valid_value(self, value: Any) -> bool:
        return True


class CatalogEntryForm(forms.Form):
    id = forms.CharField(label=_("Id"), max_length=80, required=False, help_text=_(
        "Lower-case letters, digits and underscores, e.g. center_office_hours. Plans cite "
        "it, so it cannot change later."))
    title = forms.CharField(label=_("Title"), max_length=300, required=False)
    publisher = forms.CharField(label=_("Publisher"), max_length=300, required=False,
                                help_text=_("For the center's own offerings, the center."))
    format = _OpenChoice(label=_("Format"), required=False)
    topics = _OpenMultipleChoice(label=_("TA areas it helps with"), required=False,
                                       widget=forms.CheckboxSelectMultiple)
    approaches = _OpenMultipleChoice(label=_("Program approaches"), required=False,
                                           widget=forms.CheckboxSelectMultiple)
    services = _OpenMultipleChoice(label=_("Services"), required=False,
                                         widget=forms.CheckboxSelectMultiple)
    communities = _OpenMultipleChoice(
        label=_("Communities it is meant for"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: for all."))
    org_types = _OpenMultipleChoice(
        label=_("Organization types it is meant for"), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("None ticked: for all."))
    link = forms.CharField(label=_("Link"), max_length=500, required=False, help_text=_(
        "An http:// or https:// address you have checked. Leave it empty when unsure."))
    year = forms.CharField(label=_("Year published"), max_length=4, required=False)
    last_reviewed = forms.DateField(label=_("Last reviewed"), required=False, widget=DATE,
                                    help_text=_("The day staff last checked the entry."))
    notes = forms.CharField(label=_("Staff notes"), required=False, widget=forms.Textarea(
        attrs={"rows": 3}), max_length=4000, help_text=_(
        "Shown to staff only, for example funding restrictions on particular supplies."))

    def __init__(self, *args: Any, instrument: Instrument, choices: dict[str, list[tuple[str,
                 str]]], editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, options in choices.items():
            first = [("", _("Choose a format"))] if name == "format" else []
            field_of(self, name, forms.ChoiceField).choices = [*first, *options]
        if editing:
            self.fields["id"].disabled = True

    def data_for_catalog(self) -> dict[str, Any]:
        """The fields as a catalog entry: empty values left out, as in a catalog file."""
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if v not in (None, "", [])}


class RetireForm(forms.Form):
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=1000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class TARequestForm(forms.Form):
    """What an organization sends to ask for individualized TA."""

    areas = forms.MultipleChoiceField(label=_("What do you want help with?"), required=False,
                                      widget=forms.CheckboxSelectMultiple)
    message = forms.CharField(label=_("Tell us more (optional)"), required=False,
                              max_length=MAX_MESSAGE, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("For example, what you have tried and what would "
                                          "help most. Do not include anyone's health "
                                          "information."))
    name = forms.CharField(label=_("Your name (optional)"), required=False,
                           max_length=MAX_FIELD)
    email = forms.CharField(label=_("Your e-mail address"), max_length=MAX_FIELD,
                            help_text=_("We use it only to reach you about this request."),
                            error_messages={"required": _("Please give an e-mail address "
                                                          "so we can reach you.")})
    may_contact = forms.BooleanField(
        label=_("You may also invite us to small-group discussions with other organizations "
                "on these topics."), required=False)
    updates = forms.BooleanField(
        label=_("E-mail me when my request is scheduled or delivered."), required=False)

    def __init__(self, *args: Any, areas: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "areas", forms.ChoiceField).choices = areas

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        if not EMAIL.match(email):
            raise ValidationError(_("Please check the e-mail address."))
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if not cleaned.get("areas") and not (cleaned.get("message") or "").strip() \
                and "areas" not in self.errors:
            self.add_error("areas", _("Please choose at least one area, or tell us what you "
                                      "need."))
        return cleaned


def ta_staff() -> QuerySet[User]:
    """Accounts that may be assigned a request: those allowed to track requests."""
    permission = Permission.objects.filter(content_type__app_label="assistance",
                                           codename="manage_requests").first()
    users = get_user_model().objects.filter(is_active=True)
    if permission is None:
        return users.none()
    return users.filter(Q(groups__permissions=permission) | Q(user_permissions=permission)
                        | Q(is_superuser=True)).distinct().order_by("username")


class RequestUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=TARequest.Status.choices)
    on = forms.DateField(label=_("Day it happened"), widget=DATE,
                         help_text=_("Today, or the day the step was taken if you record it "
                                     "later."))
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=None, required=False,
        empty_label=_("No one yet"))
    scheduled_for = forms.DateField(label=_("Scheduled for"), required=False, widget=DATE,
                                    help_text=_("The day the TA is to take place."))
    note = forms.CharField(label=_("Note"), required=False, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    outcome = forms.CharField(label=_("Outcome"), required=False, max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 3}), help_text=_(
                                  "What was delivered and what changed; or why the request "
                                  "is closed."))

    def __init__(self, *args: Any, request_obj: TARequest, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {
            "status": request_obj.status, "on": timezone.localdate(),
            "assignee": request_obj.assignee_id, "scheduled_for": request_obj.scheduled_for,
            "outcome": request_obj.outcome})
        super().__init__(*args, **kwargs)
        field_of(self, "assignee", forms.ModelChoiceField).queryset = ta_staff()
