"""REFI-QDA projects (`.qdpx`): one open-ended question's answers, its codebook, the codes
given so far and who the respondents are, for NVivo, ATLAS.ti, MAXQDA, QDA Miner, Transana
or QualCoder; and the codes people made there, read back.

A `.qdpx` is a zip of `project.qde` (the REFI-QDA Project 1.0 XML) and a `Sources/` folder.
What hrta writes:

- every answer is a text source of its own (`Sources/GUID.txt`, UTF-8), named
  `QUESTION RESPONSE_ID` (e.g. `challenges 11822724187`): that name is how an answer is
  found again when the project comes back;
- the codebook's themes are the codes (nested as in the codebook), with the same GUIDs as
  `hrta codebook export --question Q -o Q.qdc` gives them;
- each person's codes are codings of the whole answer by that person (a `<User>` each);
- the machine's suggestions are codings of separate codes, "THEME (suggested)", nested under
  the non-codable code "Suggested by hrta (not reviewed)" and gathered in a set of that name,
  made by the user "hrta (machine suggestions)": they never mix with people's codes;
- each respondent is a case holding the respondent's attributes as variables (each
  single-choice question of the questionnaire, contact questions aside, its region where the
  options carry one, and attributes an export brought such as demographics).

Reading back (`read_qdpx`), every coding a person made anywhere in an answer's source counts
as that person coding the answer with that code; the suggested codes and the machine user
are left out. Sources must be answers of the same question and wave, with the same text.
"""

from __future__ import annotations

import io
import re
import uuid
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from xml.etree import ElementTree

import polars as pl

from hrta.coding.codebook import Codebook, Theme, theme_guid
from hrta.coding.review import Confirmation
from hrta.errors import InputError
from hrta.files import write_atomic
from hrta.responses import ResponseSet

NAMESPACE = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SUGGESTED_GROUP = "Suggested by hrta (not reviewed)"
SUGGESTED_SUFFIX = " (suggested)"
MACHINE_USER = "hrta (machine suggestions)"
# GUIDs are derived from what they name, so exporting the same wave twice gives the same
# GUIDs and a QDA program sees the same sources, codes and cases.
_NAMESPACE_GUID = uuid.UUID("0d5e7f52-2b8e-4f8c-9d7a-3c1b6a4e9f21")
# Limits on what an uploaded project may unpack to, so a crafted zip cannot fill the disk.
MAX_UNPACKED = 256 * 1024 * 1024
MAX_SOURCE = 1024 * 1024


@dataclass(frozen=True)
class ProjectAnswer:
    """One answer as it goes into a project."""

    response_id: str
    text: str
    attributes: tuple[tuple[str, str], ...] = ()  # (variable, value), the respondent's
    suggested: tuple[str, ...] = ()  # the machine's theme ids


@dataclass(frozen=True)
class Variable:
    name: str
    description: str


@dataclass(frozen=True)
class ImportedCodes:
    """People's codes read from a project: per coder and answer, the themes given."""

    confirmations: tuple[Confirmation, ...]
    coders: tuple[str, ...]
    sources: int  # answers the project holds
    coded: int  # answers at least one person coded


def _guid(*parts: str) -> str:
    return str(uuid.uuid5(_NAMESPACE_GUID, "/".join(parts)))


def source_name(question: str, response_id: str) -> str:
    return f"{question} {response_id}"


# --- respondents' attributes -----------------------------------------------------------------

def respondent_variables(responses: ResponseSet) -> tuple[list[Variable], list[dict[str, str]]]:
    """The variables a case carries, and per response row its values: the label of the option
    chosen in each single-choice question (contact questions aside), the region of that
    option where the questionnaire gives one, and each attribute an export brought."""
    variables: list[Variable] = []
    rows: list[dict[str, str]] = [{} for _ in range(responses.total)]
    taken: set[str] = set()

    def add(name: str, description: str) -> str:
        unique, number = name, 2
        while unique in taken:
            unique, number = f"{name} ({number})", number + 1
        taken.add(unique)
        variables.append(Variable(unique, description))
        return unique

    choices = responses.choices.with_columns(pl.col("question_id").cast(pl.String),
                                             pl.col("option_id").cast(pl.String))
    for question in responses.instrument.analysable_questions():
        if question.type != "single":
            continue
        part = choices.filter(pl.col("question_id") == question.id) \
            .unique("row", keep="first", maintain_order=True)
        name = add(question.title, question.text)
        regional = any(option.region for option in question.options)
        region = add("Region", f"The region of the answer to: {question.text}") \
            if regional else ""
        for row, option_id in zip(part["row"].to_list(), part["option_id"].to_list(),
                                  strict=True):
            option = question.option(option_id)
            rows[row][name] = option.label
            if region and option.region:
                rows[row][region] = option.region
    attributes = responses.attributes
    for column in attributes.columns:
        name = add(column, f"{column} (from the export)")
        for row, value in enumerate(attributes[column].cast(pl.String).to_list()):
            if value:
                rows[row][name] = value
    return variables, rows


def project_answers(responses: ResponseSet, question: str,
                    suggested: Mapping[str, Sequence[str]] | None = None,
                    ) -> tuple[list[Variable], list[ProjectAnswer]]:
    """The eligible answers of `question` (as Findings list them) with their respondents'
    attributes and, from `suggested` (response id -> theme ids), the machine's themes."""
    from hrta.coding.themes import question_answers

    variables, values = respondent_variables(responses)
    texts, ids = question_answers(responses, question)
    row_of = {rid: row for row, rid in enumerate(
        str(r) for r in responses.respondents["response_id"].to_list())}
    given = suggested or {}
    answers = [ProjectAnswer(rid, text, tuple(values[row_of[rid]].items()),
                             tuple(given.get(rid, ())))
               for text, rid in zip(texts, ids, strict=True)]
    return variables, answers


# --- writing ---------------------------------------------------------------------------------

def _tag(name: str) -> str:
    return f"{{{NAMESPACE}}}{name}"


def _add(parent: ElementTree.Element, name: str, attributes: Mapping[str, str] | None = None,
         text: str | None = None) -> ElementTree.Element:
    element = ElementTree.SubElement(parent, _tag(name), dict(attributes or {}))
    if text is not None:
        element.text = text
    return element


def qdpx_bytes(book: Codebook, answers: Sequence[ProjectAnswer],
               confirmations: Iterable[Confirmation] = (), *,
               variables: Sequence[Variable] = (), name: str = "",
               question_text: str = "", created: datetime | None = None) -> bytes:
    """The project as the bytes of a .qdpx file."""
    question = book.question
    when = (created or datetime.now(UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    people = _people_codes(confirmations, question)
    coders = sorted({coder for coder, _ in people})
    machine = _guid("user", MACHINE_USER)
    users = {coder: _guid("user", coder) for coder in coders}
    ElementTree.register_namespace("", NAMESPACE)
    root = ElementTree.Element(_tag("Project"), {
        "name": name or f"hrta: {question}", "origin": "hrta", "creatingUserGUID": machine,
        "creationDateTime": when})
    listed = _add(root, "Users")
    _add(listed, "User", {"guid": machine, "name": MACHINE_USER, "id": "hrta"})
    for coder, guid in users.items():
        _add(listed, "User", {"guid": guid, "name": coder, "id": coder})
    _codebook(root, book)
    if variables:
        declared = _add(root, "Variables")
        for variable in variables:
            element = _add(declared, "Variable", {"guid": _guid("variable", variable.name),
                                                  "name": variable.name,
                                                  "typeOfVariable": "Text"})
            _add(element, "Description", text=variable.description)
    files: dict[str, str] = {}
    if answers:
        cases = _add(root, "Cases")
        sources = _add(root, "Sources")
        for answer in answers:
            source = _guid("source", question, answer.response_id)
            case = _add(cases, "Case", {"guid": _guid("case", answer.response_id),
                                        "name": answer.response_id})
            for attribute, value in answer.attributes:
                held = _add(case, "VariableValue")
                _add(held, "VariableRef", {"targetGUID": _guid("variable", attribute)})
                _add(held, "TextValue", text=value)
            _add(case, "SourceRef", {"targetGUID": source})
            files[f"Sources/{source}.txt"] = answer.text
            codings = [(machine, theme_guid(question, f"suggested/{theme}"))
                       for theme in answer.suggested if theme in book.ids]
            codings += [(users[coder], theme_guid(question, theme))
                        for coder, themes in _by_answer(people, answer.response_id)
                        for theme in themes if theme in book.ids]
            _source(sources, source, answer, question, question_text, codings, machine, when)
    if book.themes:
        sets = _add(root, "Sets")
        gathered = _add(sets, "Set", {"guid": _guid("set", question, "suggested"),
                                      "name": SUGGESTED_GROUP})
        _add(gathered, "Description", text="The themes hrta's automatic coder suggested, "
                                           "which no person has reviewed.")
        for theme in book.themes:
            _add(gathered, "MemberCode",
                 {"targetGUID": theme_guid(question, f"suggested/{theme.id}")})
    if question_text:
        _add(root, "Description", text=f"Answers to: {question_text}")
    ElementTree.indent(root)
    xml = ('<?xml version="1.0" encoding="utf-8"?>\n'
           + ElementTree.tostring(root, encoding="unicode") + "\n")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(PROJECT_FILE, xml.encode("utf-8"))
        for path, text in files.items():
            archive.writestr(path, text.encode("utf-8"))
    return buffer.getvalue()


def _codebook(root: ElementTree.Element, book: Codebook) -> None:
    codes = _add(_add(root, "CodeBook"), "Codes")
    question = book.question

    def add(parent: ElementTree.Element, theme: Theme, suggested: bool) -> None:
        key = f"suggested/{theme.id}" if suggested else theme.id
        code = _add(parent, "Code", {
            "guid": theme_guid(question, key),
            "name": theme.label + (SUGGESTED_SUFFIX if suggested else ""),
            "isCodable": "true"})
        description = theme.description or theme.label
        _add(code, "Description", text=(f"Suggested by hrta's automatic coder: {description}"
                                        if suggested else description) + f"\n\nId: {theme.id}")
        for child in book.children(theme.id):
            add(code, child, suggested)

    for theme in book.children(None):
        add(codes, theme, False)
    if book.themes:
        group = _add(codes, "Code", {"guid": theme_guid(question, "suggested"),
                                     "name": SUGGESTED_GROUP, "isCodable": "false"})
        _add(group, "Description", text="Codes hrta's automatic coder gave, for people to "
                                         "check; they are not anyone's codes.")
        for theme in book.children(None):
            add(group, theme, True)


def _source(sources: ElementTree.Element, guid: str, answer: ProjectAnswer, question: str,
            question_text: str, codings: list[tuple[str, str]], machine: str,
            when: str) -> None:
    source = _add(sources, "TextSource", {
        "guid": guid, "name": source_name(question, answer.response_id),
        "plainTextPath": f"internal://{guid}.txt", "creatingUser": machine,
        "creationDateTime": when})
    _add(source, "Description",
         text=f"Response {answer.response_id}"
              + (f" to: {question_text}" if question_text else f", question {question}"))
    if not codings or not answer.text:
        return
    selection = _add(source, "PlainTextSelection", {
        "guid": _guid("selection", question, answer.response_id), "name": "Whole answer",
        "startPosition": "0", "endPosition": str(len(answer.text)), "creatingUser": machine,
        "creationDateTime": when})
    for user, code in codings:
        coding = _add(selection, "Coding", {
            "guid": _guid("coding", question, answer.response_id, user, code),
            "creatingUser": user, "creationDateTime": when})
        _add(coding, "CodeRef", {"targetGUID": code})


def _people_codes(confirmations: Iterable[Confirmation],
                  question: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(coder, response id) -> the coder's latest themes for the answer."""
    return {(c.coder, c.response_id): c.themes for c in confirmations
            if c.question == question}


def _by_answer(people: Mapping[tuple[str, str], tuple[str, ...]],
               response_id: str) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((coder, themes) for (coder, rid), themes in people.items()
                  if rid == response_id)


def write_qdpx(path: Path, book: Codebook, answers: Sequence[ProjectAnswer],
               confirmations: Iterable[Confirmation] = (), *,
               variables: Sequence[Variable] = (), name: str = "",
               question_text: str = "") -> None:
    """Write the project to `path`, whole or not at all."""
    if path.suffix.lower() != ".qdpx":
        raise InputError("name the project file *.qdpx", file=str(path))
    data = qdpx_bytes(book, answers, confirmations, variables=variables, name=name,
                      question_text=question_text)

    def write(tmp: Path) -> None:
        tmp.write_bytes(data)

    write_atomic(path, write)


# --- reading back ----------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ElementTree.Element, name: str) -> list[ElementTree.Element]:
    return [child for child in element if _local(child.tag) == name]


def _words(text: str) -> str:
    return " ".join(text.split())


def read_qdpx(path: Path, book: Codebook,
              answers: Sequence[tuple[str, str]]) -> ImportedCodes:
    """People's codes from a project, matched to `answers` ((response id, text) pairs of
    the wave's answers to the book's question). Refused whole, naming the source, when a
    source is not one of those answers or its text differs, or a code is not a theme."""
    name = str(path)
    root, archive = _open(path)
    with archive:
        texts = dict(answers)
        users = _users(root)
        codes = _codes(root, book, name)
        sources = [s for group in _children(root, "Sources")
                   for s in _children(group, "TextSource")]
        if not sources:
            raise InputError("the project has no text sources: nothing to read", file=name)
        given: dict[tuple[str, str], set[str]] = {}
        # A coding whose user is unknown (or only the machine, who owns the sources hrta
        # wrote) was made by a person whose program did not say who: named after the file.
        anyone = path.stem
        fallback = _norm(root.get("creatingUserGUID"))
        seen: set[str] = set()
        for source in sources:
            response_id = _match(source, archive, book.question, texts, name)
            if response_id in seen:
                raise InputError(f"two sources hold response {response_id}'s answer",
                                 file=name, column=source.get("name") or "")
            seen.add(response_id)
            owner = _norm(source.get("creatingUser")) or fallback
            for coding, by in _codings(source, owner):
                theme = codes.get(_ref(coding))
                if theme is None:
                    continue  # one of the machine's suggested codes
                coder = users.get(_norm(coding.get("creatingUser")) or by, "")
                if coder in ("", MACHINE_USER):
                    coder = anyone
                given.setdefault((coder, response_id), set()).add(theme)
    order = list(book.ids)
    confirmations = tuple(
        Confirmation(response_id=rid, question=book.question,
                     themes=tuple(sorted(themes, key=order.index)), coder=coder,
                     primary=False)
        for (coder, rid), themes in sorted(given.items()))
    return ImportedCodes(confirmations, tuple(sorted({c for c, _ in given})), len(seen),
                         len({rid for _, rid in given}))


def _open(path: Path) -> tuple[ElementTree.Element, zipfile.ZipFile]:
    name = str(path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        raise InputError(f"not a REFI-QDA project (.qdpx, a zip file): {exc}",
                         file=name) from exc
    try:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED:
            raise InputError(f"the project unpacks to more than {MAX_UNPACKED // 2**20} MB",
                             file=name)
        entry = next((info for info in archive.infolist()
                      if info.filename.lower() == PROJECT_FILE), None)
        if entry is None:
            raise InputError(f"not a REFI-QDA project: it holds no {PROJECT_FILE}", file=name)
        try:
            root = ElementTree.fromstring(archive.read(entry))
        except ElementTree.ParseError as exc:
            line, column = exc.position
            raise InputError(f"{PROJECT_FILE} is not valid XML: {exc}", file=name, row=line,
                             column=str(column + 1)) from exc
        if _local(root.tag) != "Project":
            raise InputError(f"not a REFI-QDA project: the root element is "
                             f"<{_local(root.tag)}>, not <Project>", file=name)
    except BaseException:
        archive.close()
        raise
    return root, archive


def _users(root: ElementTree.Element) -> dict[str, str]:
    """User GUID -> the coder's name (else id, else the GUID itself)."""
    found: dict[str, str] = {}
    for group in _children(root, "Users"):
        for user in _children(group, "User"):
            guid = _norm(user.get("guid"))
            found[guid] = (user.get("name") or user.get("id") or guid).strip() or guid
    return found


def _codes(root: ElementTree.Element, book: Codebook, name: str) -> dict[str, str | None]:
    """Code GUID -> the theme it stands for; None for the machine's suggested codes."""
    by_guid = {theme_guid(book.question, t.id): t.id for t in book.themes}
    by_label = {_words(t.label).casefold(): t.id for t in book.themes}
    found: dict[str, str | None] = {}
    unknown: list[str] = []

    def visit(element: ElementTree.Element, suggested: bool) -> None:
        for code in _children(element, "Code"):
            guid = _norm(code.get("guid"))
            label = _words(code.get("name") or "")
            inside = suggested or label == SUGGESTED_GROUP or guid == theme_guid(
                book.question, "suggested")
            if inside:
                found[guid] = None
            elif guid in by_guid or label.casefold() in by_label:
                found[guid] = by_guid.get(guid) or by_label[label.casefold()]
            else:
                unknown.append(label or guid)
            visit(code, inside)

    for codebook in _children(root, "CodeBook"):
        for codes in _children(codebook, "Codes"):
            visit(codes, False)
    if unknown:
        raise InputError(
            f"{len(unknown)} code(s) are not themes of the {book.question!r} codebook: "
            f"{', '.join(repr(u) for u in unknown[:5])}{' …' if len(unknown) > 5 else ''}. "
            "Add them to the codebook first (hrta codebook import), or remove them in the "
            "project", file=name)
    return found


def _match(source: ElementTree.Element, archive: zipfile.ZipFile, question: str,
           texts: Mapping[str, str], name: str) -> str:
    """The response id of the answer `source` holds, its name and its text checked."""
    label = (source.get("name") or "").strip()
    stem = re.sub(r"\.txt$", "", label, flags=re.IGNORECASE)
    asked, _, response_id = stem.rpartition(" ")
    if not asked or not response_id:
        raise InputError(f"source {label!r} is not an answer hrta exported: sources are "
                         "named 'QUESTION RESPONSE_ID'", file=name)
    if asked.strip() != question:
        raise InputError(f"source {label!r} is an answer to {asked.strip()!r}, not to "
                         f"{question!r}", file=name)
    if response_id not in texts:
        raise InputError(f"source {label!r}: response {response_id} has no answer to "
                         f"{question!r} in these responses (another wave?)", file=name)
    held = _source_text(source, archive, label, name)
    if _words(held) != _words(texts[response_id]):
        raise InputError(f"source {label!r}: its text differs from response {response_id}'s "
                         "answer (a different wave, or an answer changed since the export)",
                         file=name)
    return response_id


def _source_text(source: ElementTree.Element, archive: zipfile.ZipFile, label: str,
                 name: str) -> str:
    content = _children(source, "PlainTextContent")
    if content:
        return content[0].text or ""
    where = source.get("plainTextPath") or ""
    if not where.startswith("internal://"):
        raise InputError(f"source {label!r} has no text inside the project", file=name)
    inner = "Sources/" + where.removeprefix("internal://")
    entry = next((info for info in archive.infolist()
                  if info.filename.lower() == inner.lower()), None)
    if entry is None:
        raise InputError(f"source {label!r}: {inner} is missing from the project", file=name)
    if entry.file_size > MAX_SOURCE:
        raise InputError(f"source {label!r} is longer than any answer", file=name)
    data = archive.read(entry)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else \
            data.decode("utf-8", errors="replace")


def _codings(source: ElementTree.Element,
             owner: str) -> list[tuple[ElementTree.Element, str]]:
    """Every coding in a source, with the user it falls back to when it names none."""
    found = [(coding, owner) for coding in _children(source, "Coding")]
    for selection in _children(source, "PlainTextSelection"):
        by = _norm(selection.get("creatingUser")) or owner
        found += [(coding, by) for coding in _children(selection, "Coding")]
    return found


def _ref(coding: ElementTree.Element) -> str:
    refs = _children(coding, "CodeRef")
    return _norm(refs[0].get("targetGUID")) if refs else ""


def _norm(guid: str | None) -> str:
    """A GUID as compared: braces and case aside (the schema allows both)."""
    return (guid or "").strip().strip("{}").lower()
