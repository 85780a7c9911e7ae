"""A form's field by name, as the kind of field it was declared: forms whose choices or
query set depend on the request set them on the form's own copy of the field."""

from __future__ import annotations

from typing import TypeVar

from django import forms

F = TypeVar("F", bound=forms.Field)


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, "
                        f"not a {kind.__name__}")
    return field
