"""The pipeline mechanism: ordered stages after ingestion, run as idempotent Celery tasks.

Each ad carries the stage it waits for. A stage task claims the ads still waiting for that stage
(a conditional, locking select), runs the stage's handler on them, records a StageRun and moves them
on, all in one transaction, then enqueues the next stage after commit. A crash anywhere rolls
back to "still waiting", which the periodic sweep re-enqueues; repeated failures park the ad as
failed with its error (the dead letter that admins see), never silently dropped.

The stage order, declared once here (STAGES); each stage runs on the Celery queue of its name:

    ingest ──> extract ──> media ──> score ──> geocode ──> link ──> queue ──> done
    (ads/)     (ads/)      (ads/)   (analytics/) (maps/) (analytics/) (cases/)
                                                                   └─> alerts (watchlists)

A stage reads what the stages before it wrote and never calls back up.
"""

from __future__ import annotations

import base64
import json
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PIPELINE_DONE, Ad, PipelineStatus, StageRun

logger = logging.getLogger(__name__)


# Redis serves priority 0 (the default: fresh ads) before 3, 6 and 9; a backfill goes last.
BACKFILL_PRIORITY = 9
#: Stages whose batches run one at a time under a transaction-level advisory lock (the handler
#: takes it too): stage -> the lock key's import path. The claim takes the lock first and then
#: coalesces up to PIPELINE_COALESCE_BATCHES batches of the stage's waiting ads into one, so the
#: per-batch work of the stage (network refreshes) is done once for several batches.
SERIAL_STAGES: dict[str, str] = {"link": "analytics.stages.ADVISORY_LOCK_KEY"}
# A batch's ads that were locked at the claim are sent again after this many seconds.
SKIPPED_RETRY_SECONDS = 2.0

#: (name, handler path) in pipeline order; the name is also the stage's Celery queue.
STAGES: tuple[tuple[str, str], ...] = (
    ("extract", "ads.stages.ads_extract_entities"),
    ("media", "ads.media.ads_fetch_images"),
    ("score", "analytics.services.ads_score"),
    ("geocode", "maps.services.ads_geocode"),
    ("link", "analytics.stages.ads_link"),
    ("queue", "cases.stages.ads_queue_for_review"),
)


@dataclass(frozen=True)
class Stage:
    """One pipeline stage: its handler writes results for a batch of ads and returns its version."""

    name: str
    handler: Callable[[list[Ad]], str]
    queue: str


def stages() -> list[Stage]:
    return [Stage(name=name, handler=import_string(path), queue=name) for name, path in STAGES]


def stage_names() -> list[str]:
    return [name for name, _ in STAGES]


def first_stage() -> str:
    names = stage_names()
    return names[0] if names else PIPELINE_DONE


def next_stage(name: str) -> str:
    names = stage_names()
    index = names.index(name)
    return names[index + 1] if index + 1 < len(names) else PIPELINE_DONE


def get_stage(name: str) -> Stage:
    for stage in stages():
        if stage.name == name:
            return stage
    raise KeyError(f"unknown pipeline stage {name!r}")


_backfill: ContextVar[bool] = ContextVar("pipeline_backfill", default=False)


@contextmanager
def as_backfill() -> Iterator[None]:
    """Ads enqueued inside this block (a file ingest, however large) travel the whole pipeline at
    BACKFILL_PRIORITY, behind fresh ads (API, polled sources) on every stage's queue."""
    token = _backfill.set(True)
    try:
        yield
    finally:
        _backfill.reset(token)


def enqueue(
    *,
    stage: str,
    ad_ids: Sequence[int],
    countdown: float | None = None,
    backfill: bool | None = None,
) -> None:
    """Send the ads to their stage's queue in batches (in-process in embedded mode).

    `backfill` (default: inside an `as_backfill()` block) sends them at BACKFILL_PRIORITY: on
    Redis a queue is one list per priority step and workers pop the fresh lists first, so a
    backfill of millions of ads delays a fresh ad by no more than the batches already running.
    """
    if stage == PIPELINE_DONE or not ad_ids or not settings.PIPELINE_ENQUEUE:
        return
    from .tasks import run_stage

    late = _backfill.get() if backfill is None else backfill
    size = settings.PIPELINE_BATCH_SIZE
    for start in range(0, len(ad_ids), size):
        try:
            run_stage.apply_async(
                args=[stage, list(ad_ids[start : start + size])],
                kwargs={"backfill": True} if late else {},
                queue=stage,
                countdown=countdown,
                priority=BACKFILL_PRIORITY if late else None,
            )
        except _broker_errors() as error:
            # The ads are committed and still wait for this stage, so nothing is lost: the sweep
            # sends them again once the broker is back. Raising here would fail a request (or a
            # finished task) whose data is already stored.
            logger.error(
                "broker unavailable, %d ad(s) left to the sweep at stage %s (first ad %s): %s",
                len(ad_ids) - start,
                stage,
                ad_ids[start],
                error,
            )
            return


def _broker_errors() -> tuple[type[BaseException], ...]:
    """What a publish raises when Redis is down or restarting (kombu wraps most of them)."""
    from kombu.exceptions import OperationalError as BrokerOperationalError
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    return (BrokerOperationalError, RedisConnectionError, RedisTimeoutError, ConnectionError)


def enqueue_on_commit(*, stage: str, ad_ids: Sequence[int], backfill: bool | None = None) -> None:
    ids = list(ad_ids)
    late = _backfill.get() if backfill is None else backfill
    if ids:
        transaction.on_commit(lambda: enqueue(stage=stage, ad_ids=ids, backfill=late))


def _claim(stage: str, ad_ids: Sequence[int], *, extra: int = 0) -> list[Ad]:
    """Lock the batch's ads still waiting for `stage`, in id order (see docs/operations.md, lock
    order), skipping rows another transaction holds.

    FOR NO KEY UPDATE, not FOR UPDATE: a stage writes no key column of the ad, and the weaker lock
    does not conflict with the FOR KEY SHARE that every insert referencing the ad takes (links,
    network members, scores written by other batches), so a claim neither waits on nor skips an ad
    that another stage merely points at. The ads a claim still skips are left a task by
    `_requeue_skipped`.

    `extra` > 0 (a serial stage, under its lock): also claim up to that many other ads waiting for
    the stage, the longest waiting first; the tasks that carry them find nothing left to do.
    """
    waiting = Ad.objects.filter(
        pipeline_stage=stage, pipeline_status=PipelineStatus.PENDING
    ).select_related("source")
    if not connection.features.has_select_for_update_skip_locked:
        return list(waiting.filter(pk__in=ad_ids).order_by("pk"))
    # Another worker holding these rows is already doing this work: leave them to it.
    locking = waiting.select_for_update(skip_locked=True, no_key=True, of=("self",))
    ads = list(locking.filter(pk__in=ad_ids).order_by("pk"))
    if extra > 0:
        more = locking.exclude(pk__in=ad_ids).order_by("pipeline_updated_at", "pk")[:extra]
        ads = sorted([*ads, *more], key=lambda ad: ad.pk)
    return ads


def _requeue_skipped(stage: str, ad_ids: Sequence[int], claimed: Sequence[Ad]) -> None:
    """Leave a task to the ads of the batch that wait for `stage` but were locked at the claim.

    A locked ad is usually in another task of the same stage (a redelivery, the sweep), which then
    completes it and makes this task a no-op; but the lock may also be a short write that is not a
    stage (an ingest touching the ad), and then no task would be left for it until the sweep.
    One read without locks, only when the claim came back short.
    """
    taken = {ad.pk for ad in claimed}
    if taken.issuperset(ad_ids) or not connection.features.has_select_for_update_skip_locked:
        return
    skipped = [
        pk
        for pk in Ad.objects.filter(
            pk__in=ad_ids, pipeline_stage=stage, pipeline_status=PipelineStatus.PENDING
        )
        .order_by("pk")
        .values_list("pk", flat=True)
        if pk not in taken
    ]
    if skipped:
        logger.info(
            "stage %s: %d ad(s) locked at the claim (first ad %s), sent again",
            stage,
            len(skipped),
            skipped[0],
        )
        enqueue(stage=stage, ad_ids=skipped, countdown=SKIPPED_RETRY_SECONDS)


_STAGE_RUN_COLUMNS = ("ad_id", "revision", "stage", "version", "finished_at", "cpu_seconds")


def _complete(
    stage: Stage, ads: list[Ad], version: str, cpu_seconds: float, own: set[int]
) -> list[int]:
    now = timezone.now()
    share = cpu_seconds / len(ads)
    following = next_stage(stage.name)
    ids = [ad.pk for ad in ads]
    # Plain rows (COPY on PostgreSQL), not model instances: six ledger rows per ad.
    from .services import TableRows  # ads.services imports this module

    TableRows(StageRun, _STAGE_RUN_COLUMNS).insert(
        [(ad.pk, ad.revision_count, stage.name, version[:100], now, share) for ad in ads]
    )
    Ad.objects.filter(pk__in=ids).update(
        pipeline_stage=following, pipeline_attempts=0, pipeline_error="", pipeline_updated_at=now
    )
    enqueue_on_commit(stage=following, ad_ids=[pk for pk in ids if pk in own])
    # Ads coalesced from other tasks go on as fresh ads: whatever their task's priority was, a
    # fresh ad is never sent behind a backfill.
    enqueue_on_commit(stage=following, ad_ids=[pk for pk in ids if pk not in own], backfill=False)
    return ids


def _record_failure(ad: Ad, error: BaseException) -> None:
    attempts = ad.pipeline_attempts + 1
    failed = attempts >= settings.PIPELINE_MAX_ATTEMPTS
    Ad.objects.filter(pk=ad.pk, pipeline_stage=ad.pipeline_stage).update(
        pipeline_attempts=attempts,
        pipeline_error=f"{type(error).__name__}: {error}"[:2000],
        pipeline_status=PipelineStatus.FAILED if failed else PipelineStatus.PENDING,
        pipeline_updated_at=timezone.now(),
    )
    log = logger.error if failed else logger.warning
    log(
        "ad %s stage %s attempt %d failed%s: %s",
        ad.pk,
        ad.pipeline_stage,
        attempts,
        " (parked as failed)" if failed else "",
        error,
    )


def stage_run_batch(*, stage_name: str, ad_ids: Sequence[int], backfill: bool = False) -> list[int]:
    """Run one stage over the ads still waiting for it; returns the ids it completed.

    The batch runs in one transaction; if the handler raises, each ad is retried alone so that one
    poisonous ad fails by itself and the rest go on. A backfill batch sends its ads on as backfill.
    """
    if backfill and not _backfill.get():
        with as_backfill():
            return stage_run_batch(stage_name=stage_name, ad_ids=ad_ids, backfill=True)
    stage = get_stage(stage_name)
    try:
        with transaction.atomic():
            extra = _serialise(stage_name) * (settings.PIPELINE_COALESCE_BATCHES - 1)
            ads = _claim(stage_name, ad_ids, extra=extra * settings.PIPELINE_BATCH_SIZE)
            _requeue_skipped(stage_name, ad_ids, ads)
            if not ads:
                return []
            return _run_handler(stage, ads, set(ad_ids))
    except Exception as batch_error:  # noqa: BLE001 - isolated per ad below
        if getattr(batch_error, "stage_unavailable", False):
            # Say why the ads wait, without counting it against them.
            Ad.objects.filter(pk__in=ad_ids, pipeline_stage=stage_name).update(
                pipeline_error=f"waiting: {type(batch_error).__name__}: {batch_error}"[:2000]
            )
        if _is_infrastructure_error(batch_error):
            raise
        logger.warning(
            "stage %s batch of %d failed (%s); retrying ads one by one",
            stage_name,
            len(ad_ids),
            batch_error,
        )
    done: list[int] = []
    for ad_id in ad_ids:
        try:
            with transaction.atomic():
                ads = _claim(stage_name, [ad_id])
                _requeue_skipped(stage_name, [ad_id], ads)
                if not ads:
                    continue
                done.extend(_run_handler(stage, ads, {ad_id}))
        except Exception as error:  # noqa: BLE001 - recorded on the ad, shown to admins
            if _is_infrastructure_error(error):
                raise
            ad = Ad.objects.filter(pk=ad_id).first()
            if ad is not None and ad.pipeline_stage == stage_name:
                _record_failure(ad, error)
    return done


def _serialise(stage_name: str) -> bool:
    """For a serial stage on PostgreSQL, take its advisory lock before the claim (so that a batch
    waiting its turn holds no ads) and say that the batch may coalesce others."""
    path = SERIAL_STAGES.get(stage_name)
    if path is None or connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [import_string(path)])
    return True


def _run_handler(stage: Stage, ads: list[Ad], own: set[int]) -> list[int]:
    wall, cpu = time.perf_counter(), time.process_time()
    version = stage.handler(ads)
    cpu = time.process_time() - cpu
    done = _complete(stage, ads, version, cpu, own)
    logger.info(
        "stage %s: %d ads (first ad %s) in %.3f s, handler CPU %.3f s",
        stage.name,
        len(ads),
        ads[0].pk,
        time.perf_counter() - wall,
        cpu,
    )
    return done


def _is_infrastructure_error(error: BaseException) -> bool:
    """Database or broker trouble, or a service a stage needs being down (an exception class with
    `stage_unavailable = True`: the remote geocoder, no trained model), is not the ad's fault:
    the task retries and the sweep brings the ads back; their attempts are not counted."""
    from django.db import InterfaceError, OperationalError

    return isinstance(error, OperationalError | InterfaceError) or getattr(
        error, "stage_unavailable", False
    )


def pipeline_sweep(*, older_than: timedelta | None = None) -> dict[str, int]:
    """Re-enqueue committed work that was never finished (lost messages, killed workers).

    An ad that a queued message still carries is not sent again: in a backlog (a large ingest)
    every ad waits longer than the sweep's age, and re-sending them all doubled the messages.
    Ads in reserved messages are sent again (their worker may be dead; a live one holds their
    rows, so the duplicate skips them). Where the queued messages are too many to read, a stage
    whose queue is not empty is left to the next sweep.
    """
    age = (
        older_than
        if older_than is not None
        else timedelta(seconds=settings.PIPELINE_SWEEP_AFTER_SECONDS)
    )
    # Redis before the database (see stragglers()).
    queued = broker_ad_ids(include_reserved=False)
    lengths = broker_queue_lengths().get("queued") if queued is None else None
    cutoff = timezone.now() - age
    counts: dict[str, int] = {}
    for name in stage_names():
        if lengths and lengths.get(name):
            continue
        ids = list(
            Ad.objects.filter(
                pipeline_stage=name,
                pipeline_status=PipelineStatus.PENDING,
                pipeline_updated_at__lte=cutoff,
            )
            .order_by("pk")
            .values_list("pk", flat=True)[:50_000]
        )
        if queued is not None:
            ids = [pk for pk in ids if pk not in queued[name]]
        if ids:
            # Touch them so that the next sweep does not send them again while they are queued.
            Ad.objects.filter(pk__in=ids).update(pipeline_updated_at=timezone.now())
            enqueue(stage=name, ad_ids=ids)
            counts[name] = len(ids)
    if counts:
        logger.info("pipeline sweep re-enqueued %s", counts)
    return counts


def ads_retry_failed(*, ad_ids: Sequence[int] | None = None) -> int:
    """Send failed ads back to the stage they failed in (an admin action)."""
    query = Ad.objects.failed()
    if ad_ids is not None:
        query = query.filter(pk__in=ad_ids)
    by_stage: dict[str, list[int]] = {}
    for pk, stage in query.values_list("pk", "pipeline_stage"):
        by_stage.setdefault(stage, []).append(pk)
    with transaction.atomic():
        count = query.update(
            pipeline_status=PipelineStatus.PENDING,
            pipeline_attempts=0,
            pipeline_updated_at=timezone.now(),
        )
        for stage, ids in by_stage.items():
            enqueue_on_commit(stage=stage, ad_ids=ids)
    return count


def pipeline_status_report() -> dict[str, Any]:
    """Backlog per stage, failures, oldest unfinished ad, throughput and CPU per ad over the last
    hour, and the stragglers (ads waiting for a stage with no task queued or running for them)."""
    from django.db.models import Avg, Count, Max, Min

    hour_ago = timezone.now() - timedelta(hours=1)
    # Redis before the database: an ad that a task was carrying when Redis was read and that is
    # still waiting afterwards is seen in the message (see stragglers()).
    carried = broker_ad_ids()
    backlog = {
        row["pipeline_stage"]: row["n"]
        for row in Ad.objects.unfinished()
        .filter(pipeline_status=PipelineStatus.PENDING)
        .values("pipeline_stage")
        .annotate(n=Count("pk"))
    }
    failed = {
        row["pipeline_stage"]: row["n"]
        for row in Ad.objects.failed().values("pipeline_stage").annotate(n=Count("pk"))
    }
    runs = {
        row["stage"]: row
        for row in StageRun.objects.filter(finished_at__gte=hour_ago)
        .values("stage")
        .annotate(
            n=Count("pk"), cpu=Avg("cpu_seconds"), first=Min("finished_at"), last=Max("finished_at")
        )
    }
    oldest_ad = (
        Ad.objects.unfinished()
        .order_by("pipeline_updated_at", "pk")
        .only("pk", "pipeline_updated_at")
        .first()
    )
    oldest = oldest_ad.pipeline_updated_at if oldest_ad else None
    names = stage_names()
    return {
        "stages": names,
        "backlog": {name: backlog.get(name, 0) for name in names},
        "failed": {name: failed.get(name, 0) for name in names},
        "completed_last_hour": {name: runs[name]["n"] if name in runs else 0 for name in names},
        # While the stage was busy: ads completed between its first and last run of the hour.
        "busy_ads_per_second": {name: _busy_rate(runs.get(name)) for name in names},
        "cpu_ms_per_ad_last_hour": {
            name: round(1000 * (runs[name]["cpu"] or 0.0), 2) if name in runs else None
            for name in names
        },
        "stragglers": stragglers(carried, backlog),
        "oldest_unfinished": oldest.isoformat() if oldest else None,
        "oldest_unfinished_ad": oldest_ad.pk if oldest_ad else None,
        "queues": broker_queue_lengths(),
        "total_ads": Ad.objects.count(),
        "done": Ad.objects.filter(pipeline_stage=PIPELINE_DONE).count(),
    }


def _busy_rate(row: dict[str, Any] | None) -> float | None:
    if not row or row["n"] < 2:
        return None
    seconds = (row["last"] - row["first"]).total_seconds()
    return round(row["n"] / seconds, 1) if seconds > 0 else None


def stragglers(
    carried: dict[str, set[int]] | None, backlog: dict[str, int]
) -> dict[str, int] | None:
    """Per stage, the ads waiting for it for over STRAGGLER_GRACE_SECONDS that no task carries.

    `carried` (from broker_ad_ids, read before the ads) holds the ads of every message queued or
    reserved by a worker, retries and delayed re-sends included. An ad is given its task when it
    enters a stage (after commit), so past the grace period one that no message carries is a
    straggler: only the sweep would bring it back. None where it cannot be counted (embedded mode,
    broker down, or more than STRAGGLER_COUNT_LIMIT ads waiting).
    """
    if carried is None or sum(backlog.values()) > STRAGGLER_COUNT_LIMIT:
        return None
    cutoff = timezone.now() - timedelta(seconds=STRAGGLER_GRACE_SECONDS)
    waiting: dict[str, int] = {name: 0 for name in stage_names()}
    for pk, stage in Ad.objects.filter(
        pipeline_status=PipelineStatus.PENDING,
        pipeline_stage__in=list(waiting),
        pipeline_updated_at__lt=cutoff,
    ).values_list("pk", "pipeline_stage"):
        if pk not in carried.get(stage, ()):
            waiting[stage] += 1
    return waiting


# kombu's Redis transport keeps one list per queue and priority step; priority 0 is the bare name.
_PRIORITY_SUFFIXES = ("", "\x06\x163", "\x06\x166", "\x06\x169")
# Ads waiting for a stage this long with no task carrying them are stragglers.
STRAGGLER_GRACE_SECONDS = 30
# Past this many waiting ads the status page does not read every message to count stragglers.
STRAGGLER_COUNT_LIMIT = 200_000


def _redis_client() -> Any:
    import redis

    return redis.Redis.from_url(
        settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1
    )


def _uses_redis() -> bool:
    return not settings.EMBEDDED and settings.CELERY_BROKER_URL.startswith(
        ("redis://", "rediss://")
    )


def broker_ad_ids(*, include_reserved: bool = True) -> dict[str, set[int]] | None:
    """The ads each stage's task messages carry, queued or (`include_reserved`) reserved by a worker
    and unacknowledged, read in one Redis transaction; None in embedded mode, when the broker does
    not answer, or when the messages are too many to read for a status page."""
    if not _uses_redis():
        return None
    import redis

    client = _redis_client()
    names = stage_names()
    try:
        queued = sum(client.llen(name + suffix) for name in names for suffix in _PRIORITY_SUFFIXES)
        if queued * settings.PIPELINE_BATCH_SIZE > STRAGGLER_COUNT_LIMIT:
            return None
        with client.pipeline(transaction=True) as pipe:
            for name in names:
                for suffix in _PRIORITY_SUFFIXES:
                    pipe.lrange(name + suffix, 0, -1)
            if include_reserved:
                pipe.hvals("unacked")
            replies = pipe.execute()
    except redis.RedisError:
        return None
    finally:
        client.close()
    if not include_reserved:
        replies.append([])
    carried: dict[str, set[int]] = {name: set() for name in names}
    # A queued message is the message; a reserved one is [message, exchange, routing key].
    messages = [_json(raw) for reply in replies[:-1] for raw in reply]
    messages += [entry[0] for raw in replies[-1] if isinstance(entry := _json(raw), list) and entry]
    for message in messages:
        task = _stage_task_args(message)
        if task is not None and task[0] in carried:
            carried[task[0]].update(task[1])
    return carried


def _json(raw: bytes | str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return None


def _stage_task_args(message: Any) -> tuple[str, list[int]] | None:
    """(stage, ad ids) of a run_stage message as kombu stores it in Redis, else None."""
    try:
        if message.get("headers", {}).get("task") != "ads.tasks.run_stage":
            return None
        body = message["body"]
        if message.get("properties", {}).get("body_encoding") == "base64":
            body = base64.b64decode(body)
        args = json.loads(body)[0]
        return str(args[0]), [int(pk) for pk in args[1]]
    except (ValueError, TypeError, IndexError, KeyError, AttributeError):
        return None


def broker_queue_lengths() -> dict[str, Any]:
    """Messages waiting in each stage's Redis queue (LLEN) and reserved but unacknowledged.

    None in embedded mode (no broker); {"error": ...} when the broker does not answer, so that a
    status page still renders while Redis is down.
    """
    if not _uses_redis():
        return {"embedded": True}
    import redis

    client = _redis_client()
    try:
        with client.pipeline(transaction=False) as pipe:
            for name in stage_names():
                for suffix in _PRIORITY_SUFFIXES:
                    pipe.llen(name + suffix)
            pipe.hlen("unacked")
            counts = pipe.execute()
    except redis.RedisError as error:
        return {"error": f"{type(error).__name__}: {error}"}
    finally:
        client.close()
    per_queue = len(_PRIORITY_SUFFIXES)
    queued = {
        name: sum(counts[i * per_queue : (i + 1) * per_queue])
        for i, name in enumerate(stage_names())
    }
    return {"queued": queued, "unacked": counts[-1]}
