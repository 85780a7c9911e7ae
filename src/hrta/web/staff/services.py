"""What staff pages change: waves, imports and raffle draws, each audited."""

from __future__ import annotations

import hashlib
import tempfile
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from hrta.errors import InputError, Notice
from hrta.ingest import load_responses
from hrta.instrument.translation import versions
from hrta.web.accounts.users import Someone
from hrta.web.contacts.models import Contact, draw_winner
from hrta.web.surveys.instruments import (
    DEFINITION_SUFFIXES,
    YAML_SUFFIXES,
    InstrumentText,
    draft_from_export,
    read_instrument_file,
)
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import ImportedBeforeError, import_responses, record

IMPORT_SUFFIXES = (".csv", ".xlsx", ".zip")
WAVE_FIELDS = ("title", "instrument_id", "instrument_yaml", "instrument_translations",
               "opens_on", "closes_on", "accepting")


def save_wave(*, user: Someone, values: Mapping[str, Any], wave: Wave | None = None) -> Wave:
    """Create a wave, or change one; the instrument version follows the instrument."""
    with transaction.atomic():
        created = wave is None
        if wave is None:
            wave = Wave(slug=values["slug"])
        # Compared with the stored row: a bound form may already have changed `wave`.
        stored = Wave.objects.filter(pk=wave.pk).values(*WAVE_FIELDS).first() or {}
        changed = {name: _plain(name, values[name]) for name in WAVE_FIELDS
                   if name in values and stored.get(name) != values[name]}
        for name in WAVE_FIELDS:
            if name in values:
                setattr(wave, name, values[name])
        wave.instrument_version = wave.instrument.version
        wave.save()
        record(action="wave_create" if created else "wave_change", user=user, wave=wave,
               detail=changed)
    return wave


def _plain(name: str, value: Any) -> Any:
    if name == "instrument_yaml":
        return digest(value) if value else ""
    if name == "instrument_translations":
        return sorted(value)  # which languages, not all their words
    return value.isoformat() if isinstance(value, date) else value


@dataclass(frozen=True)
class Imported:
    count: int
    """Responses saved."""
    notices: tuple[Notice, ...]
    """What the reader noticed (a file read as Windows-1252, columns not read), each
    naming the file as staff know it."""


def import_upload(*, wave: Wave, upload: UploadedFile, user: Someone, fmt: str = "auto",
                  member: str = "", definition: UploadedFile | None = None) -> Imported:
    """Import an uploaded export (any layout `hrta analyze` reads: SurveyMonkey, Qualtrics,
    REDCap, KoboToolbox, Google Forms, a SurveyMonkey zip, hrta's own) into a wave, with
    the same ingest as the command, in one transaction. InputError names the uploaded
    file, row and column; nothing is saved on any error. What the reader noticed comes
    back with the count, for the page to show.

    `definition` is the survey's own questionnaire (a .qsf, REDCap Data Dictionary,
    XLSForm or instrument YAML) where the export names questions by that tool's ids: the
    wave's instrument becomes it, which a wave holding answers to another questionnaire
    refuses. `member` chooses one survey of a zip that holds several."""
    name = _upload_name(upload, IMPORT_SUFFIXES, "choose a survey export saved as CSV, XLSX "
                        "or a SurveyMonkey zip")
    with tempfile.TemporaryDirectory(prefix="hrta-import-") as folder:
        own = _wave_instrument(wave, definition, Path(folder)) if definition else None
        instrument = own.instrument if own else wave.instrument
        # The questionnaire's other languages, which a multi-language export may answer in.
        translated = (versions(own.instrument, own.translations) if own else wave.versions)
        path = saved_upload(upload, Path(folder), "upload")
        several = _zip_surveys(path, name) if not member else []
        if len(several) > 1:
            raise SeveralSurveysError(several, file=name)
        try:
            responses = load_responses(path, instrument, fmt=fmt, member=member or None,
                                       translated=translated)
        except InputError as exc:
            raise _named(exc, path, name) from None
    notices = tuple(notice.renamed(str(path), name).about(name)
                    for notice in responses.warnings)
    try:
        with transaction.atomic():
            if own is not None and definition is not None:
                _adopt(wave=wave, own=own, user=user, source=definition.name or "")
            count = import_responses(wave=wave, responses=responses, user=user,
                                     source_name=name)
            return Imported(count, notices)
    except ImportedBeforeError as exc:
        raise InputError(exc.template, file=name, params=exc.params) from None
    except ValueError as exc:
        raise InputError(str(exc), file=name) from None


_SEVERAL = {
    "import": "the zip holds %(count)s surveys: %(names)s. Choose which one to import",
    "draft": "the zip holds %(count)s surveys: %(names)s. Choose which one to draft from",
}


class SeveralSurveysError(InputError):
    """A zip holds several surveys: staff choose one (`member`) to import or draft from."""

    def __init__(self, names: list[str], *, file: str, then: str = "import") -> None:
        super().__init__(_SEVERAL[then], file=file,
                         params={"count": len(names), "names": "; ".join(names)})
        self.names = names


def saved_upload(upload: UploadedFile, folder: Path, stem: str) -> Path:
    """The upload written to `folder` under a fixed name: only the suffix of the user's own
    file name reaches the disk."""
    suffix = Path(upload.name or "").suffix.lower()
    path = folder / f"{stem}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


def _upload_name(upload: UploadedFile, suffixes: tuple[str, ...], ask: str) -> str:
    name = Path(upload.name or "upload").name
    if Path(name).suffix.lower() not in suffixes:
        raise InputError(ask, file=name)
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise InputError("the file is larger than the limit of %(mb)s MB", file=name,
                         params={"mb": settings.IMPORT_MAX_BYTES // (1024 * 1024)})
    return name


def _zip_surveys(path: Path, name: str) -> list[str]:
    from hrta.ingest import archive

    if not archive.is_archive(path):
        return []
    with zipfile.ZipFile(path) as opened:
        return sorted(PurePosixPath(info.filename).stem
                      for info in archive.surveys(opened).values())


def _named(error: InputError, path: Path, name: str) -> InputError:
    """The error as staff know the file: by its own name, not the temporary copy's."""
    file = name if error.file is None or str(path) in error.file else error.file
    if error.file and str(path) in error.file:
        file = error.file.replace(str(path), name)
    return error.renamed(str(path), name, file=file)


def instrument_upload(upload: UploadedFile, folder: Path) -> InstrumentText:
    """An uploaded instrument YAML or questionnaire definition, as the wave will keep it."""
    name = _upload_name(upload, (*YAML_SUFFIXES, *DEFINITION_SUFFIXES),
                        "choose an instrument YAML file or a questionnaire definition "
                        "(Qualtrics .qsf, REDCap Data Dictionary .csv, XLSForm .xlsx)")
    return read_instrument_file(saved_upload(upload, folder, "instrument"), name=name)


def draft_upload(*, upload: UploadedFile | None, fmt: str = "auto", member: str = "",
                 definition: UploadedFile | None = None) -> InstrumentText:
    """The instrument for a new wave, from an upload: the definition's when one is given,
    else drafted from the export's header rows and answers (SurveyMonkey, Google Forms)."""
    with tempfile.TemporaryDirectory(prefix="hrta-draft-") as folder:
        if definition is not None:
            return instrument_upload(definition, Path(folder))
        if upload is None:
            raise InputError("choose the export to draft from, or the survey's definition file")
        name = _upload_name(upload, IMPORT_SUFFIXES, "choose a survey export saved as CSV, "
                            "XLSX or a SurveyMonkey zip")
        path = saved_upload(upload, Path(folder), "upload")
        several = _zip_surveys(path, name) if not member else []
        if len(several) > 1:
            raise SeveralSurveysError(several, file=name, then="draft")
        return _draft(path, name, fmt, member)


def _draft(path: Path, name: str, fmt: str, member: str) -> InstrumentText:
    from hrta.ingest import archive
    from hrta.ingest.tables import first_row

    if archive.is_archive(path):
        with archive.survey_file(path, member or None) as (inner, label):
            return _draft(inner, label, fmt, "")
    if fmt == "auto":
        from hrta.ingest import googleforms

        fmt = "googleforms" if googleforms.is_googleforms(first_row(path)) else "surveymonkey"
    return draft_from_export(path, name=name, fmt=fmt)


def _wave_instrument(wave: Wave, upload: UploadedFile, folder: Path) -> InstrumentText:
    own = instrument_upload(upload, folder)
    if wave.responses.exists() and own.instrument != wave.instrument:
        raise InputError("this wave already holds answers to another questionnaire, so its "
                         "instrument cannot change; create a new wave for this survey (Waves "
                         "→ Create a wave), or import without the definition file",
                         file=Path(upload.name or "").name)
    return own


def _adopt(*, wave: Wave, own: InstrumentText, user: Someone, source: str) -> None:
    """The wave takes the uploaded questionnaire as its instrument; audited."""
    if wave.instrument_yaml == own.yaml and wave.instrument_translations == own.translations:
        return
    wave.instrument_yaml = own.yaml
    wave.instrument_translations = own.translations
    wave.instrument_id = own.instrument.id
    wave.instrument_version = own.instrument.version
    wave.save(update_fields=["instrument_yaml", "instrument_translations", "instrument_id",
                             "instrument_version"])
    record(action="wave_change", user=user, wave=wave,
           detail={"instrument_id": own.instrument.id, "instrument_file": Path(source).name,
                   "instrument_yaml": digest(own.yaml),
                   "instrument_translations": sorted(own.translations)})


def digest(text: str) -> str:
    """A short fingerprint of an instrument's YAML: the audit log says which text, not all
    of it."""
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


def draw_raffle(*, wave: Wave, user: Someone) -> Contact | None:
    """Draw a raffle winner among the wave's entrants not drawn before; audited (which
    entry, never the details)."""
    winner = draw_winner(wave_slug=wave.slug)
    record(action="raffle_draw", user=user, wave=wave,
           detail={"entry": winner.pk if winner else None})
    return winner


def reveal_winner(*, wave: Wave, entry: int, user: Someone) -> Contact | None:
    """An earlier winner's entry, to show their details again; audited."""
    winner = Contact.objects.filter(pk=entry, wave_slug=wave.slug,
                                    drawn_at__isnull=False).first()
    if winner is not None:
        record(action="raffle_show", user=user, wave=wave, detail={"entry": winner.pk})
    return winner
