"""The auditor's "who has seen this record" question, validated before it is answered."""

from __future__ import annotations

import re

from django import forms

from .selectors import SEEN_RECORDS, audit_record_exists

_ASCII_ID = re.compile(r"[0-9]{1,18}")


class WhoHasSeenForm(forms.Form):
    object_type = forms.ChoiceField(
        label="Record type", choices=[(k, k.replace("_", " ")) for k in SEEN_RECORDS]
    )
    object_id = forms.CharField(label="Id", max_length=30)

    def clean_object_id(self) -> str:
        value = self.cleaned_data["object_id"].strip()
        if not _ASCII_ID.fullmatch(value):
            raise forms.ValidationError("Give the record's id in ASCII digits (0-9).")
        return str(int(value))

    def clean(self) -> dict[str, str]:
        data = super().clean() or {}
        kind, pk = data.get("object_type"), data.get("object_id")
        if kind and pk and not audit_record_exists(object_type=kind, object_id=pk):
            raise forms.ValidationError(
                f"There is no {kind.replace('_', ' ')} {pk}, and the audit trail never named one."
            )
        return data
