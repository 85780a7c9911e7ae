"""SurveyMonkey's download as it comes: `Data_All_YYMMDD.zip`.

The zip holds a `CSV/` and/or an `Excel/` folder with one file per survey, beside a
`CollectorList` file and a READ_ME. The survey's file is read (the CSV when both are
there); the rest is ignored. A zip of several surveys names them, to choose one.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from hrta.errors import InputError
from hrta.ingest.xlsx import LIMITS

_SURVEY_SUFFIXES = (".csv", ".xlsx")
_NOT_SURVEYS = ("collectorlist", "read_me", "readme", "read me")


def is_archive(path: Path) -> bool:
    """A zip that is not itself an XLSX workbook (which is a zip of XML parts)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return "[Content_Types].xml" not in archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False


def surveys(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Survey name -> its member, the CSV preferred over the XLSX of the same survey."""
    found: dict[str, zipfile.ZipInfo] = {}
    for info in archive.infolist():
        member = PurePosixPath(info.filename)
        if info.is_dir() or member.suffix.lower() not in _SURVEY_SUFFIXES \
                or any(part.startswith((".", "__MACOSX")) for part in member.parts) \
                or any(word in member.stem.casefold() for word in _NOT_SURVEYS):
            continue
        name = member.stem
        if name not in found or member.suffix.lower() == ".csv":
            found[name] = info
    return found


@contextmanager
def survey_file(path: Path, member: str | None = None) -> Iterator[tuple[Path, str]]:
    """The survey file of a SurveyMonkey download, unpacked to a temporary folder, and the
    name to call it by in messages (`Data_All.zip: CSV/Survey.csv`)."""
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError("not a readable zip file: %(reason)s", file=name,
                         params={"reason": str(exc)}) from exc
    with archive, tempfile.TemporaryDirectory(prefix="hrta-zip-") as folder:
        info = _choose(archive, surveys(archive), member, name)
        if info.file_size > LIMITS.uncompressed_bytes:
            raise InputError("%(member)r unpacks to %(size)s bytes, more than the limit of "
                             "%(limit)s", file=name,
                             params={"member": info.filename, "size": f"{info.file_size:,}",
                                     "limit": f"{LIMITS.uncompressed_bytes:,}"})
        target = Path(folder) / PurePosixPath(info.filename).name
        try:
            with archive.open(info) as source, target.open("wb") as sink:
                shutil.copyfileobj(source, sink)
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise InputError("cannot unpack %(member)r: %(reason)s", file=name,
                             params={"member": info.filename, "reason": str(exc)}) from exc
        yield target, f"{name}: {info.filename}"


def _choose(archive: zipfile.ZipFile, found: dict[str, zipfile.ZipInfo], member: str | None,
            name: str) -> zipfile.ZipInfo:
    if member is not None:
        for survey, info in found.items():
            if member in (survey, info.filename, PurePosixPath(info.filename).name):
                return info
        if not found:
            raise InputError("the zip holds no survey %(member)r; it holds: none", file=name,
                             params={"member": member})
        raise InputError("the zip holds no survey %(member)r; it holds: %(surveys)s",
                         file=name, params={"member": member, "surveys": _listing(found)})
    if not found:
        listed = ", ".join(archive.namelist()[:6])
        if not listed:
            raise InputError("the zip holds no CSV or XLSX survey file (SurveyMonkey's "
                             "download has them in CSV/ or Excel/); it holds nothing",
                             file=name)
        raise InputError("the zip holds no CSV or XLSX survey file (SurveyMonkey's download "
                         "has them in CSV/ or Excel/); it holds %(files)s", file=name,
                         params={"files": listed})
    if len(found) > 1:
        first = PurePosixPath(next(iter(found.values())).filename).stem
        raise InputError("the zip holds %(count)s surveys: %(surveys)s. Choose one with "
                         "--member NAME (e.g. --member %(first)r), or unzip it and read its "
                         "file", file=name,
                         params={"count": len(found), "surveys": _listing(found),
                                 "first": first})
    return next(iter(found.values()))


def _listing(found: dict[str, zipfile.ZipInfo]) -> str:
    return "; ".join(repr(info.filename) for info in found.values())
