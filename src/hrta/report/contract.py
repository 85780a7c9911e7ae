"""What the report needs of Findings beyond their shape, checked before anything is drawn.

The model (hrta.findings.model) checks every key and value when Findings are loaded:
`Findings.load` names the first that does not fit. What it cannot see is how the parts
refer to each other: a figure naming a question the Findings lack, a grid listing a
statement that is not there, a listing of a question that is not open-ended. Those get
one error naming the item and the id, never a KeyError from inside a chart.
"""

from __future__ import annotations

from hrta.errors import InputError
from hrta.findings.model import Findings, MatrixStatement, Section, SectionItem, TextQuestion


class _MisfitError(Exception):
    """Raised inside the check; check_findings turns it into one InputError."""


def check_findings(findings: Findings) -> None:
    """Raise InputError when the report cannot be drawn from `findings`."""
    try:
        _check(findings)
    except _MisfitError as exc:
        raise InputError(f"the Findings do not fit the report: {exc}") from None


def _check(findings: Findings) -> None:
    for mid, matrix in findings.matrices.items():
        for qid in matrix.statements:
            if not isinstance(findings.questions.get(qid), MatrixStatement):
                raise _MisfitError(f"matrices[{mid!r}] lists statement {qid!r}, which is not "
                                   "among the Findings' rated statements")
    for section in findings.sections:
        for item in section.items:
            _item(item, section, findings)


def _item(item: SectionItem, section: Section, findings: Findings) -> None:
    named = f"{item.kind} {item.number} ({item.title}) in section {section.id!r}"
    for qid in (*item.questions, *item.rows, *item.n):
        if qid not in findings.questions and qid not in findings.matrices:
            raise _MisfitError(f"{named} names {qid!r}, which is neither a question nor a "
                               "grid of the Findings")
    if item.kind == "open_ended":
        _all(item.questions, findings, TextQuestion, f"{named} lists {{}}, which is not an "
                                                     "open-ended question")
    elif item.chart == "agreement":
        _all(item.rows, findings, MatrixStatement, f"{named} draws {{}}, which is not a "
                                                   "statement of an agreement grid")
    else:
        for qid in item.questions:
            if qid not in findings.questions or isinstance(findings.questions[qid],
                                                           TextQuestion):
                raise _MisfitError(f"{named} draws {qid!r}, which is not a question with "
                                   "options")


def _all(ids: list[str], findings: Findings, kind: type, message: str) -> None:
    for qid in ids:
        if not isinstance(findings.questions.get(qid), kind):
            raise _MisfitError(message.format(repr(qid)))
