"""The instrument as people read it (a Rich tree) and as programs read it (JSON)."""

from __future__ import annotations

from typing import Any

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


def _question_label(question: Question) -> str:
    notes = [question.type]
    if question.max_choices:
        notes.append(f"choose up to {question.max_choices}")
    if question.required:
        notes.append("required")
    if question.pii:
        notes.append("contact details, kept apart")
    if question.show_if:
        notes.append(f"shown if {question.show_if.question} is "
                     f"{' or '.join(question.show_if.any_of)}")
    return f"[bold]{question.id}[/bold] [dim]({'; '.join(notes)})[/dim]\n{question.text}"


def instrument_tree(instrument: Instrument) -> Tree:
    tree = Tree(f"[bold]{instrument.title}[/bold] [dim]{instrument.id} v{instrument.version}[/dim]")
    if instrument.eligibility:
        rule = instrument.eligibility
        tree.add(f"[italic]Eligibility: answering {', '.join(rule.ineligible_options)} to "
                 f"{rule.question} ends the assessment and marks the response ineligible[/italic]")
    for section in instrument.sections:
        branch = tree.add(f"[bold cyan]{section.title}[/bold cyan]")
        for question in section.questions:
            node = branch.add(_question_label(question))
            for statement in question.statements:
                node.add(f"[green]{statement.id}[/green]  {statement.text}")
            if question.type == "matrix":
                node.add("scale: " + " / ".join(o.label for o in question.options))
                continue
            for option in question.options:
                extra = " [dim](added)[/dim]" if option.source == "added" else ""
                node.add(f"[green]{option.id}[/green]  {option.label}{extra}")
    return tree
