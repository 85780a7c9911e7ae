"""Forms of the staff pages: they check input; services change things."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from hrta.errors import InputError
from hrta.ingest import FORMATS
from hrta.instrument import bundled_ids, load
from hrta.web import inputerrors
from hrta.web.formfields import field_of
from hrta.web.surveys.instruments import from_yaml
from hrta.web.surveys.models import Wave

# Addresses under /staff/waves/ that are not waves.
RESERVED_SLUGS = frozenset({"new", "draft"})
# Chosen in the instrument list when the wave's instrument is a file or YAML of its own.
OWN_INSTRUMENT = ""


class WaveForm(forms.ModelForm):
    instrument_id = forms.ChoiceField(
        label=_("Instrument"), choices=(), required=False,
        help_text=_("A questionnaire bundled with hrta, or “its own instrument” to use the "
                    "file or YAML below."))
    instrument_file = forms.FileField(
        label=_("Instrument file"), required=False,
        help_text=_("An instrument YAML file, or the survey's own definition: a Qualtrics "
                    ".qsf, a REDCap Data Dictionary (.csv) or an XLSForm (.xlsx)."))
    instrument_yaml = forms.CharField(
        label=_("Instrument YAML"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=_("The wave's own instrument, e.g. one drafted from an export; used when "
                    "no bundled instrument and no file is chosen."))

    class Meta:
        model = Wave
        fields = ["slug", "title", "instrument_id", "instrument_file", "instrument_yaml",
                  "opens_on", "closes_on", "accepting"]
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
        field_of(self, "instrument_id", forms.ChoiceField).choices = [
            (i, f"{load(i).title} ({i})") for i in ids] + [
            (OWN_INSTRUMENT, _("Its own instrument (the file or YAML below)"))]
        if self.instance.instrument_yaml or self.initial.get("instrument_yaml"):
            self.initial["instrument_id"] = OWN_INSTRUMENT
        if self.instance.pk:
            # Links already handed out and contact entries name the wave by its slug.
            self.fields["slug"].disabled = True
            if self.instance.responses.exists():
                # Stored answers are keyed to the instrument's ids.
                for name in ("instrument_id", "instrument_file", "instrument_yaml"):
                    self.fields[name].disabled = True

    def clean_slug(self) -> str:
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise ValidationError(_("“%(slug)s” is used by the staff pages; choose another "
                                    "short name.") % {"slug": slug})
        return slug

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        opens, closes = cleaned.get("opens_on"), cleaned.get("closes_on")
        if opens and closes and closes < opens:
            raise ValidationError(_("The closing date must be on or after the opening date."))
        if self.fields["instrument_id"].disabled:
            # Kept as stored: the shown choice of a wave with its own YAML is not its id.
            for name in ("instrument_id", "instrument_file", "instrument_yaml"):
                cleaned.pop(name, None)
        else:
            self._clean_instrument(cleaned)
        return cleaned

    def _clean_instrument(self, cleaned: dict[str, Any]) -> None:
        """One instrument: the file if one is given, else the bundled choice, else the YAML.
        The wave keeps a file's or YAML's instrument as its YAML text."""
        from hrta.web.staff.services import instrument_upload

        upload, text = cleaned.get("instrument_file"), cleaned.get("instrument_yaml") or ""
        try:
            if upload:
                with tempfile.TemporaryDirectory(prefix="hrta-instrument-") as folder:
                    own = instrument_upload(upload, Path(folder))
            elif cleaned.get("instrument_id"):
                # A bundled instrument's translations come with hrta.
                cleaned["instrument_yaml"], cleaned["instrument_translations"] = "", {}
                return
            elif text.strip():
                own = from_yaml(text, name=str(_("the instrument YAML")))
            else:
                raise ValidationError(_("Choose a bundled instrument, an instrument file or "
                                        "the YAML of the wave's own instrument."))
        except InputError as exc:
            self.add_error("instrument_file" if upload else "instrument_yaml",
                           inputerrors.text(exc))
            return
        cleaned["instrument_id"], cleaned["instrument_yaml"] = own.instrument.id, own.yaml
        if upload or not self.instance.pk:
            # A file brings its languages; YAML edited in the box keeps the wave's.
            cleaned["instrument_translations"] = own.translations


class ExclusionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=1000, strip=True, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required. It is kept in the audit log with your name and the time."))


FORMAT_LABELS = {
    "auto": _("Recognise it (auto)"), "surveymonkey": _("SurveyMonkey (any layout)"),
    "qualtrics": _("Qualtrics"), "redcap": _("REDCap data export"),
    "kobo": _("KoboToolbox"), "googleforms": _("Google Forms"),
    "native": _("hrta's own format"),
}


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Survey export (CSV, XLSX or SurveyMonkey zip)"),
                           required=False)
    upload_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    """The zip kept on the server while staff choose one of its surveys (staff.kept)."""
    format = forms.ChoiceField(
        label=_("Survey tool"), initial="auto", required=False,
        choices=[(name, FORMAT_LABELS.get(name, name)) for name in FORMATS])
    member = forms.CharField(
        label=_("Survey in the zip"), required=False, max_length=300,
        help_text=_("Only for a SurveyMonkey zip that holds several surveys."))
    definition = forms.FileField(
        label=_("The survey's definition (if the tool has one)"), required=False,
        help_text=_("A Qualtrics .qsf, a REDCap Data Dictionary (.csv), an XLSForm (.xlsx) "
                    "or an instrument YAML: the wave then uses this questionnaire. Needed "
                    "for Qualtrics, REDCap and KoboToolbox exports of a survey hrta does "
                    "not bundle."))
    definition_choices = forms.FileField(
        label=_("The XLSForm's choices CSV (with its survey CSV)"), required=False,
        help_text=_("When the XLSForm is a pair of CSV files, give the survey CSV as the "
                    "definition and the choices CSV here, or both in one zip as the "
                    "definition."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("file") and not cleaned.get("upload_token"):
            self.add_error("file", _("Choose the survey export to import."))
        return cleaned


class DraftForm(forms.Form):
    file = forms.FileField(label=_("Survey export (CSV, XLSX or SurveyMonkey zip)"),
                           required=False)
    upload_token = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)
    """The zip kept on the server while staff choose one of its surveys (staff.kept)."""
    kept_wave = forms.CharField(required=False, max_length=50, widget=forms.HiddenInput)
    """The wave whose import page kept the zip; empty when this page kept it."""
    format = forms.ChoiceField(
        label=_("Survey tool"), initial="auto", required=False,
        choices=[(name, FORMAT_LABELS.get(name, name)) for name in FORMATS],
        help_text=_("Drafting reads SurveyMonkey exports and Google Forms responses."))
    member = forms.CharField(
        label=_("Survey in the zip"), required=False, max_length=300,
        help_text=_("Only for a SurveyMonkey zip that holds several surveys."))
    definition = forms.FileField(
        label=_("Or the survey's definition"), required=False,
        help_text=_("A Qualtrics .qsf, REDCap Data Dictionary (.csv) or XLSForm (.xlsx): "
                    "its questionnaire is converted rather than drafted."))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (cleaned.get("file") or cleaned.get("definition")
                or cleaned.get("upload_token")):
            raise ValidationError(_("Choose the export to draft from, or the survey's "
                                    "definition file."))
        return cleaned
