"""The investigator's desk: queues, triage, cases, watchlists and evidence exports."""

from __future__ import annotations

from django.apps import AppConfig


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = "Cases and queues"
