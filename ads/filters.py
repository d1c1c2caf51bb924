"""The source filter every FilterSet of ads, queue items and map rows shares."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms

from ads.models import Source
from core.filters import MAX_ID

# No source has this id: a name that names no source matches nothing (rather than everything).
NO_SOURCE = 0


class SourceField(forms.CharField):
    """A source by id (as the pages' menus send it) or by name (as API callers write it)."""

    widget = forms.Select

    def to_python(self, value: Any) -> int | None:
        text = str(value or "").strip()
        if not text:
            return None
        if text.isascii() and text.isdigit():
            number = int(text)
            if number > MAX_ID:
                raise forms.ValidationError("Not a source id.", code="invalid")
            return number
        found = Source.objects.filter(name=text[:100]).values_list("pk", flat=True).first()
        return NO_SOURCE if found is None else found


class SourceFilter(django_filters.Filter):
    """Rows of one source; `field_name` is the row's source id column."""

    field_class = SourceField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Source")
        super().__init__(*args, **kwargs)


def source_choices(user: Any) -> list[tuple[str, str]]:
    """The menu of a source filter: the sources the user may see, by name."""
    sources = Source.objects.visible_to(user).order_by("name").values_list("pk", "name")
    return [("", "All sources"), *((str(pk), name) for pk, name in sources)]
