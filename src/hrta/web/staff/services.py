"""What staff pages change: waves, imports and raffle draws, each audited."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from hrta.errors import InputError
from hrta.ingest import load_responses
from hrta.instrument import load
from hrta.web.contacts.models import Contact, draw_winner
from hrta.web.surveys.models import Wave
from hrta.web.surveys.services import import_responses, record

IMPORT_SUFFIXES = (".csv", ".xlsx")
WAVE_FIELDS = ("title", "instrument_id", "opens_on", "closes_on", "accepting")


def save_wave(*, user: Any, values: Mapping[str, Any], wave: Wave | None = None) -> Wave:
    """Create a wave, or change one; the instrument version follows the instrument."""
    with transaction.atomic():
        created = wave is None
        if wave is None:
            wave = Wave(slug=values["slug"])
        # Compared with the stored row: a bound form may already have changed `wave`.
        stored = Wave.objects.filter(pk=wave.pk).values(*WAVE_FIELDS).first() or {}
        changed = {name: _plain(values[name]) for name in WAVE_FIELDS
                   if name in values and stored.get(name) != values[name]}
        for name in WAVE_FIELDS:
            if name in values:
                setattr(wave, name, values[name])
        wave.instrument_version = load(wave.instrument_id).version
        wave.save()
        record(action="wave_create" if created else "wave_change", user=user, wave=wave,
               detail=changed)
    return wave


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def import_upload(*, wave: Wave, upload: UploadedFile, user: Any) -> int:
    """Import an uploaded SurveyMonkey export (CSV or XLSX) into a wave, with the same
    ingest as `hrta analyze`, in one transaction. InputError names the uploaded file, row
    and column; nothing is saved on any error."""
    name = Path(upload.name or "upload").name
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise InputError("choose a SurveyMonkey export saved as CSV or XLSX", file=name)
    if upload.size is not None and upload.size > settings.IMPORT_MAX_BYTES:
        raise InputError(f"the file is larger than the limit of "
                         f"{settings.IMPORT_MAX_BYTES // (1024 * 1024)} MB", file=name)
    with tempfile.TemporaryDirectory(prefix="hrta-import-") as folder:
        # Saved under a fixed name: only the suffix of the user's name reaches the disk.
        path = Path(folder) / f"upload{suffix}"
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            responses = load_responses(path, wave.instrument)
        except InputError as exc:
            raise InputError(exc.message, file=name, row=exc.row, column=exc.column) from None
    try:
        return import_responses(wave=wave, responses=responses, user=user, source_name=name)
    except ValueError as exc:
        raise InputError(str(exc), file=name) from None


def draw_raffle(*, wave: Wave, user: Any) -> Contact | None:
    """Draw a raffle winner among the wave's entrants not drawn before; audited (which
    entry, never the details)."""
    winner = draw_winner(wave_slug=wave.slug)
    record(action="raffle_draw", user=user, wave=wave,
           detail={"entry": winner.pk if winner else None})
    return winner


def reveal_winner(*, wave: Wave, entry: int, user: Any) -> Contact | None:
    """An earlier winner's entry, to show their details again; audited."""
    winner = Contact.objects.filter(pk=entry, wave_slug=wave.slug,
                                    drawn_at__isnull=False).first()
    if winner is not None:
        record(action="raffle_show", user=user, wave=wave, detail={"entry": winner.pk})
    return winner
