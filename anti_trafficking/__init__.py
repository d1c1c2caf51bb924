"""The project package: settings, the Celery app, URLs."""

from __future__ import annotations

from .celery import app as celery_app

__all__ = ["celery_app"]
