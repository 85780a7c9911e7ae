"""Forms of the staff pages: they check input; services change things."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrta.instrument import bundled_ids, load
from hrta.web.surveys.models import Wave

# Addresses under /staff/waves/ that are not waves.
RESERVED_SLUGS = frozenset({"new"})


class WaveForm(forms.ModelForm):
    instrument_id = forms.ChoiceField(label=_("Instrument"), choices=())

    class Meta:
        model = Wave
        fields = ["slug", "title", "instrument_id", "opens_on", "closes_on", "accepting"]
        labels = {"slug": _("Short name for links"), "title": _("Title"),
                  "opens_on": _("Opens on"), "closes_on": _("Closes on"),
                  "accepting": _("Accepting answers")}
        help_texts = {
            "slug": _("Lowercase letters, digits and dashes, e.g. 2026-spring. It becomes part "
                      "of the public link and cannot change later."),
            "opens_on": _("Leave empty to open at once. Format: 2026-03-31."),
            "closes_on": _("Leave empty to stay open until you untick “accepting answers”."),
            "accepting": _("Respondents can answer only while this is ticked and today is "
                           "between the dates."),
        }
        widgets = {"opens_on": forms.DateInput(attrs={"type": "date"}),
                   "closes_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = bundled_ids()
        self.fields["instrument_id"].choices = [(i, f"{load(i).title} ({i})") for i in ids]
        if self.instance.pk:
            # Links already handed out and contact entries name the wave by its slug.
            self.fields["slug"].disabled = True
            if self.instance.responses.exists():
                # Stored answers are keyed to the instrument's ids.
                self.fields["instrument_id"].disabled = True

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("“%(slug)s” is used by the staff pages; choose another "
                                    "short name.") % {"slug": slug})
        return slug

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            raise ValidationError(_("The closing date must be on or after the opening date."))
        return cleaned


class ExclusionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, strip=True, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. It is kept in the audit log with your name and the time."))


class ImportForm(forms.Form):
    file = forms.FileField(label=_("SurveyMonkey export (CSV or XLSX)"))
