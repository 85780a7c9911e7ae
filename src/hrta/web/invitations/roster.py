"""Reading a list of invitees: CSV text or an uploaded file of names and e-mail addresses.

Columns are `name,email` (either order when a header names them; the header is optional),
UTF-8 with or without a BOM, or Windows-1252 as older spreadsheets save it. A row whose
address is not deliverable, or repeats an earlier row's, is reported by its row number and
left out; the other rows are kept.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from hrta.web.mail.sending import clean_address

MAX_ROWS = 5000
MAX_NAME = 200
_HEADER_NAMES = {"name", "organization", "organisation", "nombre"}
_HEADER_EMAILS = {"email", "e-mail", "email address", "e-mail address", "address", "correo"}


@dataclass(frozen=True)
class Row:
    number: int
    name: str
    address: str


@dataclass
class Roster:
    rows: list[Row] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Each says its row number: what was wrong and that the row was left out."""
    encoding_note: str = ""


def decode(data: bytes) -> tuple[str, str]:
    """The text of an upload, and a note when it was not UTF-8."""
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), _(
            "The file is not UTF-8: it was read as Windows-1252. Check that names with "
            "accents look right.")


def _columns(header: list[str]) -> tuple[int, int] | None:
    """(name column, e-mail column) when the row is a header naming them."""
    cells = [cell.strip().casefold() for cell in header]
    email = next((i for i, cell in enumerate(cells) if cell in _HEADER_EMAILS), None)
    if email is None:
        return None
    name = next((i for i, cell in enumerate(cells) if cell in _HEADER_NAMES), None)
    return (name if name is not None else -1), email


def read_roster(text: str, *, known: dict[str, int] | None = None) -> Roster:
    """The rows of `text` to invite. `known` maps the digests of addresses already invited
    to this wave to 0 (reported as such); pass the mail digest function's results."""
    from hrta.web.mail.services import digest

    roster = Roster()
    seen: dict[str, int] = {}
    reader = csv.reader(io.StringIO(text.replace("\x00", "")))
    name_at, email_at = 0, 1
    first = True
    for number, cells in enumerate(reader, 1):
        if not any(cell.strip() for cell in cells):
            continue
        if first and (found := _columns(cells)) is not None:
            name_at, email_at = found
            first = False
            continue
        first = False
        if len(cells) == 1:
            name_at, email_at = -1, 0  # a list of addresses alone
        if len(roster.rows) >= MAX_ROWS:
            roster.problems.append(_("Row %(row)s and those after it: more than %(limit)s "
                                     "invitees at once; add them in another list.")
                                   % {"row": number, "limit": MAX_ROWS})
            break
        given = cells[email_at].strip() if email_at < len(cells) else ""
        name = cells[name_at].strip()[:MAX_NAME] if 0 <= name_at < len(cells) else ""
        address = clean_address(given)
        if address is None:
            roster.problems.append(
                _("Row %(row)s: “%(given)s” is not an e-mail address; left out.")
                % {"row": number, "given": given[:80]} if given else
                _("Row %(row)s: no e-mail address; left out.") % {"row": number})
            continue
        key = digest(address)
        if key in seen:
            roster.problems.append(_("Row %(row)s: the same address as row %(first)s; left "
                                     "out.") % {"row": number, "first": seen[key]})
            continue
        seen[key] = number
        if known and key in known:
            roster.problems.append(_("Row %(row)s: %(address)s is already invited to this "
                                     "wave; left out.") % {"row": number, "address": address})
            continue
        roster.rows.append(Row(number, name, address))
    return roster
