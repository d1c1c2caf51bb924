"""Input validation for the desk's forms (labels here are what screen readers announce)."""

from __future__ import annotations

import math
from typing import Any

from django import forms

from .models import DecisionKind, Frequency, WatchKind


class NoteForm(forms.Form):
    text = forms.CharField(label="Note", max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class DueForm(forms.Form):
    due_at = forms.DateTimeField(
        label="Due", required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="Decision", choices=DecisionKind.choices)
    reason = forms.CharField(
        label="Reason", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    case_number = forms.CharField(
        label="Add to existing case (number)", max_length=20, required=False
    )
    case_title = forms.CharField(label="Or title of a new case", max_length=200, required=False)
    case_pick = forms.IntegerField(min_value=1, required=False)


class AssignForm(forms.Form):
    username = forms.CharField(label="Assign to (username)", max_length=150)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=1000)


class SavedViewForm(forms.Form):
    name = forms.CharField(label="Name this view", max_length=100)
    query = forms.CharField(max_length=1000, required=False, widget=forms.HiddenInput)


class CaseForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    summary = forms.CharField(
        label="Summary", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachForm(forms.Form):
    """Add a record to a case: an open case by id, or the title of a new one."""

    kind = forms.ChoiceField(choices=[(k, k) for k in ("ad", "network", "entity")])
    object_id = forms.IntegerField(label="Id", min_value=1)
    case = forms.IntegerField(label="Case", min_value=1, required=False)
    case_title = forms.CharField(label="Or open a new case titled", max_length=200, required=False)
    next = forms.CharField(max_length=500, required=False)


class MemberForm(forms.Form):
    username = forms.CharField(label="Add member (username)", max_length=150)


class WatchlistForm(forms.Form):
    kind = forms.ChoiceField(label="Watch", choices=WatchKind.choices)
    value = forms.CharField(
        label="Value (phone, email, handle, payment identifier or keyword)",
        max_length=300,
        required=False,
    )
    label = forms.CharField(label="Label", max_length=200, required=False)
    min_lat = forms.FloatField(
        label="South (min latitude)", required=False, min_value=-90, max_value=90
    )
    min_lng = forms.FloatField(
        label="West (min longitude)", required=False, min_value=-180, max_value=180
    )
    max_lat = forms.FloatField(
        label="North (max latitude)", required=False, min_value=-90, max_value=90
    )
    max_lng = forms.FloatField(
        label="East (max longitude)", required=False, min_value=-180, max_value=180
    )
    frequency = forms.ChoiceField(label="Tell me", choices=Frequency.choices)

    def clean(self) -> dict[str, Any]:
        """An area's box, checked corner by corner so the message says what to change."""
        data = super().clean()
        if data.get("kind") != WatchKind.AREA:
            return data
        edges = {"min_lat": "South", "min_lng": "West", "max_lat": "North", "max_lng": "East"}
        missing = [name for name in edges if data.get(name) is None and name not in self.errors]
        for name in missing:
            self.add_error(name, f"An area needs its {edges[name].lower()} edge.")
        if missing or any(name in self.errors for name in edges):
            return data
        if data["min_lat"] >= data["max_lat"]:
            self.add_error(
                "max_lat",
                f"North ({data['max_lat']:g}) must be above South ({data['min_lat']:g}).",
            )
        if data["min_lng"] >= data["max_lng"]:
            self.add_error(
                "max_lng",
                f"East ({data['max_lng']:g}) must be east of West ({data['min_lng']:g}); "
                "a box across the 180th meridian is not supported.",
            )
        return data

    AREA_FIELDS = ("min_lat", "min_lng", "max_lat", "max_lng")

    @classmethod
    def initial_from_query(cls, params: Any) -> dict[str, Any]:
        """A new watch prefilled from a link ("Watch this view" on the map): the area's edges as
        numbers within range, rounded to about 100 m; anything else in the query is ignored."""
        initial: dict[str, Any] = {}
        for name in cls.AREA_FIELDS:
            try:
                value = float(params.get(name, ""))
            except ValueError:
                continue
            limit = 90 if name.endswith("lat") else 180
            if math.isfinite(value):
                initial[name] = round(min(max(value, -limit), limit), 3)
        if len(initial) == len(cls.AREA_FIELDS):
            initial["kind"] = WatchKind.AREA
        return initial

    def bbox(self) -> tuple[float, float, float, float] | None:
        keys = self.AREA_FIELDS
        values = [self.cleaned_data.get(k) for k in keys]
        if any(v is None for v in values):
            return None
        return (values[0], values[1], values[2], values[3])


class ExportForm(forms.Form):
    """Every export names why it is made; the reason is stored in the audit trail."""

    justification = forms.CharField(
        label="Why are you exporting? (recorded in the audit trail)", max_length=500
    )


class QueueExportForm(ExportForm):
    # The queue's filters as the page shows them (its query string), so the file has its rows.
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


class PacketForm(ExportForm):
    images = forms.ChoiceField(
        label="Images in the packet",
        choices=[],
        initial="blurred",
        required=False,  # none chosen: blurred copies
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        from .exports import ImageChoice

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["images"].choices = ImageChoice.choices

    def clean_images(self) -> str:
        from .exports import ImageChoice

        return self.cleaned_data.get("images") or ImageChoice.BLURRED
