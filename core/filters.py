"""What every FilterSet is built from: the base FilterSet and one filter per kind of value.

Query strings are never trusted. Each app declares FilterSets of its rows (`ads/filters.py`,
`cases/filters.py`, `maps/filters.py`) from these pieces, and the API and the pages use the same
FilterSet: the API through DRF's filter backend, which answers an invalid value with a 400; a
page through `FilterSet.qs`, which drops an invalid value, filters by the rest and shows the form
with the error beside the field (`templates/_filter_form.html`, the one form partial).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.forms.boundfield import BoundField
from django.http import QueryDict
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django_filters.fields import IsoDateTimeField

MAX_ID = 2**63 - 1  # PostgreSQL bigint

# A checkbox or boolean parameter is on for these spellings only.
TRUE_VALUES = frozenset({"1", "on", "true"})
_NOT_IN_A_CODE = re.compile(r"[^a-z0-9_.:-]")

# The "seen within" / "posted within" windows of the desk.
WINDOWS = {
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
    "30d": timedelta(days=30),
    "90d": timedelta(days=90),
}
WINDOW_CHOICES = [
    ("24h", "Last 24 hours"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
]


# --- Fields ---------------------------------------------------------------------------------------
class FlagInput(forms.CheckboxInput):
    """A checkbox sent as "1"; read as on for "1", "on" or "true" only."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"value": "1", **(attrs or {})}, check_test=bool)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool:
        return data.get(name) in TRUE_VALUES


class FlagField(forms.BooleanField):
    widget = FlagInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["required"] = False
        super().__init__(*args, **kwargs)


class CodeField(forms.CharField):
    """An indicator code as the lexicon writes them (a-z, 0-9, `_.:-`), at most 60 characters."""

    def to_python(self, value: Any) -> str:
        return _NOT_IN_A_CODE.sub("", str(value or "").lower())[:60]


class ShortTextField(forms.CharField):
    """Free text, trimmed and cut to `limit` characters rather than refused."""

    def __init__(self, *args: Any, limit: int = 100, **kwargs: Any) -> None:
        self.limit = limit
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> str:
        return str(value or "").strip()[: self.limit]


class DayOrMomentField(forms.Field):
    """A date (the whole day: its end when `end_of_day`) or a date-time, in the current zone.

    An unusable value reads as not given, as a date input that the browser left half-typed.
    """

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

    def __init__(self, *args: Any, end_of_day: bool = False, **kwargs: Any) -> None:
        self.end_of_day = end_of_day
        kwargs["required"] = False
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> datetime | None:
        text = str(value or "").strip()[:40]
        if not text:
            return None
        try:
            day = parse_date(text) if len(text) == 10 else None
            if day is not None:
                zone = timezone.get_current_timezone()
                moment = datetime(day.year, day.month, day.day, tzinfo=zone)
                if self.end_of_day:
                    moment += timedelta(days=1) - timedelta(microseconds=1)
                return moment
            parsed = parse_datetime(text)
        except ValueError:
            return None
        if parsed is None:
            return None
        if timezone.is_naive(parsed):
            parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
        return parsed


class UtcIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, converted to UTC. Any offset Python accepts (up to ±23:59) is valid
    ISO, but PostgreSQL refuses offsets past ±15:59 with an error (a 500); in UTC the value always
    fits, and one that cannot be expressed in UTC (year 1 minus an offset) is a 400."""

    def to_python(self, value: Any) -> datetime | None:
        parsed = super().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except OverflowError as exc:
            raise forms.ValidationError("Date out of range.", code="invalid") from exc


# --- Filters --------------------------------------------------------------------------------------
class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    """`IsoDateTimeFilter` with `UtcIsoDateTimeField`: a filter on a timestamp never reaches the
    database with an offset it refuses."""

    field_class = UtcIsoDateTimeField


class IdFilter(django_filters.NumberFilter):
    """A primary key: a whole number that fits the database, else invalid (not a 500 overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


class FlagFilter(django_filters.BooleanFilter):
    """A checkbox: when ticked, only the rows where the field is true; else no filter."""

    field_class = FlagField

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        return super().filter(qs, True) if value else qs


class CodeFilter(django_filters.CharFilter):
    """An indicator code; each FilterSet says how its rows hold codes (`method`)."""

    field_class = CodeField


class TextFilter(django_filters.CharFilter):
    field_class = ShortTextField


class RiskFilter(django_filters.NumberFilter):
    """A risk from 0 to 1, as a float (the map's rollup compares it with its band edges)."""

    field_class = forms.FloatField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 1)
        super().__init__(*args, **kwargs)


class WindowFilter(django_filters.ChoiceFilter):
    """Rows whose `field_name` falls within the last 24 hours, 7, 30 or 90 days."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("choices", WINDOW_CHOICES)
        kwargs.setdefault("empty_label", "Any time")
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if value not in WINDOWS:
            return qs
        return qs.filter(**{f"{self.field_name}__gte": timezone.now() - WINDOWS[value]})


class WeekFilter(django_filters.DateFilter):
    """Rows whose `field_name` falls in the week (Monday to Sunday, UTC) of the given day."""

    def filter(self, qs: QuerySet[Any], value: Any) -> QuerySet[Any]:
        if not value:
            return qs
        monday = value - timedelta(days=value.weekday())
        start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
        return qs.filter(
            **{
                f"{self.field_name}__gte": start,
                f"{self.field_name}__lt": start + timedelta(days=7),
            }
        )


class DayFilter(django_filters.Filter):
    """From a day (`lookup_expr="gte"`) or to the end of a day (`end_of_day=True`, "lte")."""

    field_class = DayOrMomentField


def page_number(request: Any) -> int:
    """The `page` of a list's query string: a whole number from 1 to 10,000, else 1."""
    value = request.GET.get("page", "1")
    return max(1, min(int(value), 10_000)) if value.isdigit() else 1


# --- The base FilterSet ---------------------------------------------------------------------------
class FilterSet(django_filters.FilterSet):
    """A FilterSet for the API and the pages alike.

    Always bound (no query string is an empty one), so `FilterSet()` is "no filters". Every filter
    is called, also with an empty or invalid value (as None), so that one may stand for a default
    (the queue's status "open", its order). `page_fields` are the filters the form partial shows,
    in order; any other filter that has a value rides along as a hidden input (a pivot's entity
    stays when the reader refines the search), unless the page places it itself (`placed_fields`).
    `user` scopes what the form offers (the sources they may see) and what "mine" means; it
    defaults to the request's.
    """

    page_fields: tuple[str, ...] = ()
    placed_fields: tuple[str, ...] = ()
    id_prefix = "f"

    def __init__(
        self,
        data: Any = None,
        queryset: QuerySet[Any] | None = None,
        *,
        request: Any = None,
        prefix: str | None = None,
        user: Any = None,
    ) -> None:
        self.user = user if user is not None else getattr(request, "user", None)
        if queryset is None:
            # Fail closed: without rows to start from, the rows the user may see (none if no user).
            queryset = (
                self._meta.model._default_manager.none()
                if self.user is None
                else self.visible_rows(self.user)
            )
        super().__init__(
            QueryDict() if data is None else data, queryset, request=request, prefix=prefix
        )

    def visible_rows(self, user: Any) -> QuerySet[Any]:
        """The rows to filter when none are given: the model's `visible_to(user)`."""
        return self._meta.model._default_manager.visible_to(user)

    @property
    def form(self) -> forms.Form:
        if not hasattr(self, "_form"):
            form_class = self.get_form_class()
            self._form = form_class(
                self.data, prefix=self.form_prefix, auto_id=f"{self.id_prefix}-%s", label_suffix=""
            )
            self.prepare_form(self._form)
        return self._form

    def prepare_form(self, form: forms.Form) -> None:
        """Set choices that depend on the user (a hook for subclasses)."""

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        cleaned = self.cleaned
        for name, filter_ in self.filters.items():
            queryset = filter_.filter(queryset, cleaned[name])
        return queryset

    @property
    def cleaned(self) -> dict[str, Any]:
        """Every filter's value: the cleaned one, or None where it was missing or invalid."""
        self.form.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        return {name: data.get(name) for name in self.filters}

    def chosen(self) -> dict[str, Any]:
        """The filters the query sets: a valid, non-empty value (a checkbox only when ticked)."""
        cleaned = self.cleaned
        valid = getattr(self.form, "cleaned_data", {})
        return {
            name: cleaned[name]
            for name, filter_ in self.filters.items()
            if name in valid
            and str(self.data.get(name, "")).strip()
            and not (isinstance(filter_, FlagFilter) and not cleaned[name])
        }

    def as_detail(self) -> dict[str, Any]:
        """For the audit trail: only the filters that are set."""
        return {
            name: value.isoformat() if isinstance(value, datetime) else value
            for name, value in self.chosen().items()
        }

    def shown_fields(self) -> list[BoundField]:
        return [self.form[name] for name in self.page_fields]

    def kept_fields(self) -> list[BoundField]:
        placed = (*self.page_fields, *self.placed_fields)
        return [self.form[name] for name in self.chosen() if name not in placed]
