"""The Celery app and its queues, in one place.

One queue per kind of work so that slow scoring never starves ingestion. QUEUES is the list a
worker consumes (`./dev worker`, docker-compose, the integration tests and bench/load.py read it);
ROUTES says which queue each task runs on (everything else runs on "default"); the pipeline's stage
task is sent to the queue named after its stage (ads.pipeline.STAGES). Beat's schedule is
CELERY_BEAT_SCHEDULE in settings. tests/test_celery.py checks that these agree.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

QUEUES: tuple[str, ...] = (
    "default",
    "ingest",
    "extract",
    "media",
    "score",
    "geocode",
    "link",
    "queue",
    "alerts",
)

#: task name -> queue, for every task not on "default" (ads.tasks.run_stage: its stage's queue).
ROUTES: dict[str, str] = {
    "ads.tasks.poll_source": "ingest",
    "analytics.tasks.rescore_all": "score",
    "cases.tasks.watchlists_match": "alerts",
}

app = Celery("anti_trafficking")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_routes = {name: {"queue": queue} for name, queue in ROUTES.items()}
app.autodiscover_tasks()
