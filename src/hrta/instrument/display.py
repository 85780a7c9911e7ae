"""The instrument as people read it (a Rich tree) and as programs read it (JSON)."""

from __future__ import annotations

from typing import Any

from rich.markup import escape
from rich.text import Text
from rich.tree import Tree

from hrta.instrument.schema import Instrument, Question


def instrument_json(instrument: Instrument) -> dict[str, Any]:
    """The public JSON shape of `hrta instrument show --json`, questions in survey order."""
    questions = []
    for question in instrument.questions:
        entry: dict[str, Any] = {
            "id": question.id,
            "type": question.type,
            "text": question.text,
            "options": [{"id": o.id, "label": o.label} for o in question.options],
        }
        if question.type == "matrix":
            entry["statements"] = [{"id": s.id, "text": s.text} for s in question.statements]
        if question.type == "multi":
            entry["max_choices"] = question.max_choices
        entry["pii"] = question.pii
        questions.append(entry)
    return {"id": instrument.id, "title": instrument.title, "questions": questions}


def _question_label(question: Question) -> Text:
    notes: list[str] = [question.type]
    if question.max_choices:
        notes.append(f"choose up to {question.max_choices}")
    if question.required:
        notes.append("required")
    if question.pii:
        notes.append("contact details, kept apart")
    if question.show_if:
        notes.append(f"shown if {question.show_if.question} is "
                     f"{' or '.join(question.show_if.any_of)}")
    return _markup(f"[bold]{escape(question.id)}[/bold] [dim]({escape('; '.join(notes))})[/dim]"
                   f"\n{escape(question.text)}")


def _markup(text: str) -> Text:
    # Styled here, so that the tree prints the same on a console that reads no markup;
    # every text from the instrument file is escaped ("[/]" in a label is a label).
    return Text.from_markup(text)


def instrument_tree(instrument: Instrument) -> Tree:
    tree = Tree(_markup(f"[bold]{escape(instrument.title)}[/bold] "
                        f"[dim]{escape(instrument.id)} v{escape(instrument.version)}[/dim]"))
    if instrument.eligibility:
        rule = instrument.eligibility
        tree.add(Text(f"Eligibility: answering {', '.join(rule.ineligible_options)} to "
                      f"{rule.question} ends the assessment and marks the response ineligible",
                      style="italic"))
    for section in instrument.sections:
        branch = tree.add(Text(section.title, style="bold cyan"))
        for question in section.questions:
            node = branch.add(_question_label(question))
            for statement in question.statements:
                node.add(Text.assemble((statement.id, "green"), "  ", statement.text))
            if question.type == "matrix":
                node.add(Text("scale: " + " / ".join(o.label for o in question.options)))
                continue
            for option in question.options:
                extra = (" (added)", "dim") if option.source == "added" else ""
                node.add(Text.assemble((option.id, "green"), "  ", option.label, extra))
    return tree
