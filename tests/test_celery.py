"""The queues are one list (config/celery.py QUEUES): each task and stage runs on one of them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

from ads import pipeline
from config.celery import QUEUES, ROUTES, app

ROOT = Path(__file__).resolve().parents[1]


def _our_tasks() -> set[str]:
    app.loader.import_default_modules()
    return {name for name in app.tasks if not name.startswith("celery.")}


def _queue_of(name: str) -> str:
    route = app.amqp.router.route({}, name)
    return route["queue"].name


def test_every_routed_task_exists_and_its_queue_is_in_the_list():
    tasks = _our_tasks()
    for name, queue in ROUTES.items():
        assert name in tasks
        assert queue in QUEUES
        assert _queue_of(name) == queue


def test_a_task_without_a_route_runs_on_the_default_queue():
    assert _queue_of("audit.tasks.audit_checkpoint") == "default"
    assert "default" in QUEUES


@pytest.mark.full_pipeline
def test_every_pipeline_stage_has_its_queue_in_the_list():
    assert [stage.queue for stage in pipeline.stages()] == [name for name, _ in pipeline.STAGES]
    for stage in pipeline.stages():
        assert stage.queue in QUEUES


def test_beat_runs_registered_tasks_only():
    tasks = _our_tasks()
    assert settings.CELERY_BEAT_SCHEDULE
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in tasks


def test_the_readme_worker_command_lists_exactly_the_queues():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    (listed,) = re.findall(r"celery -A config worker -l info -Q (\S+)", readme)
    assert tuple(listed.split(",")) == QUEUES
