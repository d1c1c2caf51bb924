"""Writes for analytics: the scoring stage, training, versions, activation and re-scoring, and
investigators' corrections of linking (detach an ad, split a network)."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from ads.models import Ad

from .models import (
    AdEmbedding,
    AdNetwork,
    AdScore,
    CorrectionKind,
    KeptApart,
    Link,
    ModelVersion,
    Network,
    NetworkCorrection,
)
from .scoring import decisions as learnt
from .scoring import lead
from .scoring.encoder import Encoder
from .scoring.model import Featurizer, TrainedModel
from .scoring.training import LabelledExample, load_seed_corpus, train

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_loaded: dict[str, TrainedModel] = {}


class NoActiveModelError(RuntimeError):
    """Scoring needs a trained, active model; until there is one, ads wait (not failed)."""

    stage_unavailable = True


def encoder_cache_dir() -> Path:
    return Path(settings.MODEL_DIR) / "encoders"


def active_model_version() -> ModelVersion | None:
    return ModelVersion.objects.filter(active=True).first()


def model_load(version: ModelVersion) -> TrainedModel:
    """Load a model once per worker process (the encoder is the expensive part)."""
    with _lock:
        model = _loaded.get(version.version)
        if model is None:
            model = TrainedModel.load(
                version.path,
                cache_dir=encoder_cache_dir(),
                backend=settings.RISK_ENCODER_BACKEND,
                threads=settings.RISK_ENCODER_THREADS,
            )
            _loaded.clear()  # one model in memory per process
            _loaded[version.version] = model
        return model


def scoring_evidence(ad: Ad) -> dict[str, Any] | None:
    """What scoring reads besides the text: the extraction, with the ages the source stated
    (its age column) added to the ages found in the text."""
    extraction = dict(ad.extracted or {})
    stated = list(ad.stated.ages)
    if stated:
        found = list(extraction.get("ages") or [])
        extraction["ages"] = found + [a for a in stated if a not in found]
    return extraction or None


def _save_scores(ads: list[Ad], model: TrainedModel, version: str) -> None:
    results = model.score([ad.document for ad in ads], [scoring_evidence(ad) for ad in ads])
    now = timezone.now()
    scores = []
    embeddings = []
    for ad, result in zip(ads, results, strict=True):
        data = result.as_dict()
        indicators = data.get("indicators", [])
        scores.append(
            AdScore(
                ad=ad,
                scorable=result.scorable,
                not_scorable_reason=result.not_scorable_reason or "",
                risk=result.risk,
                minor=result.minor,
                flagged=result.flagged,
                possible_minor=result.possible_minor,
                category=result.category or "",
                category_probabilities=result.category_probabilities,
                indicators=indicators,
                counter_indicators=data.get("counter_indicators", []),
                indicator_codes=sorted({i["code"] for i in indicators}),
                reason=result.reason,
                notes=list(result.notes),
                truncated=result.truncated,
                low_confidence=result.low_confidence,
                model_version=version,
                revision=ad.revision_count,
                scored_at=now,
            )
        )
        if result.embedding is not None:
            embeddings.append(
                AdEmbedding(
                    ad=ad,
                    encoder=version,
                    vector=np.asarray(result.embedding, dtype=np.float32).tobytes(),
                )
            )
    ids = [ad.pk for ad in ads]
    # The linking stage's boost belongs to the network, not to the model: keep it across re-scores.
    boosts = dict(AdScore.objects.filter(ad_id__in=ids).values_list("ad_id", "network_boost"))
    for score in scores:
        score.network_boost = boosts.get(score.ad_id, 0.0)
    AdScore.objects.filter(ad_id__in=ids).delete()
    AdScore.objects.bulk_create(scores)
    AdEmbedding.objects.filter(ad_id__in=ids).delete()
    AdEmbedding.objects.bulk_create(embeddings)


def ads_score(ads: list[Ad]) -> str:
    """Pipeline stage: score each ad with the active model; returns the model version."""
    version = active_model_version()
    if version is None:
        raise NoActiveModelError("no active risk model: run `manage.py train_risk_model`")
    _save_scores(ads, model_load(version), version.version)
    return version.version


def decision_examples() -> list[LabelledExample]:
    """Investigators' decisions in the case queue, as labels."""
    # Imported here: the desk comes after scoring in the pipeline, and reads go one way.
    from cases.selectors import decision_labels

    return [
        LabelledExample(
            text=row["text"],
            risk=row.get("risk"),
            minor=row.get("minor"),
            source=f"decision:{row['decision_id']}",
        )
        for row in decision_labels()
    ]


def decision_head_train(encoder: Encoder, *, seed: int = 0) -> learnt.DecisionHead | None:
    """The head learnt from investigators' decisions (analytics/scoring/decisions.py), with its
    held-out report; None while no decision says "true lead" and none says "not a lead"."""
    from cases.selectors import decision_labels

    labels = [row for row in decision_labels() if row["risk"] is not None]
    if len({row["risk"] for row in labels}) < 2:
        return None
    ads = Ad.objects.select_related("source").in_bulk([row["ad_id"] for row in labels])
    labels = [row for row in labels if row["ad_id"] in ads]
    _, encoded, hits = Featurizer(encoder).run(
        [ads[row["ad_id"]].document for row in labels],
        [scoring_evidence(ads[row["ad_id"]]) for row in labels],
    )
    rows = [
        (
            (row["decision_id"], row["ad_id"]),
            int(bool(row["risk"])),
            learnt.feature_vector(hits[i], encoded.embeddings[i]),
            lead.lead_score(hits[i])[0],
        )
        for i, row in enumerate(labels)
    ]
    x, y, cold = learnt.rows_in_order(rows)
    return learnt.train(x, y, cold, rules=learnt.Rules.from_settings(), seed=seed)


def model_train(*, include_decisions: bool = True, seed: int = 0) -> ModelVersion:
    """Train on the seed corpus plus every recorded decision; store the version with its metrics.

    The seed corpus teaches the category head only. Decisions also train the decision head,
    whose held-out figures (metrics["decisions"]) decide whether pages show it."""
    examples = load_seed_corpus()
    decisions = decision_examples() if include_decisions else []
    encoder = Encoder(
        settings.RISK_ENCODER_DIR or None,
        backend=settings.RISK_ENCODER_BACKEND,
        cache_dir=encoder_cache_dir(),
    )
    head = decision_head_train(encoder, seed=seed) if include_decisions else None
    model = train([*examples, *decisions], encoder=encoder, seed=seed, decision_head=head)
    if head is not None:
        model.metrics["decisions"] = head.report
    path = Path(settings.MODEL_DIR) / model.version
    model.save(path)
    version, _ = ModelVersion.objects.update_or_create(
        version=model.version,
        defaults={
            "path": str(path),
            "metrics": model.metrics,
            "encoder": settings.RISK_ENCODER_BACKEND,
            "training_summary": {"seed": len(examples), "decisions": len(decisions)},
        },
    )
    logger.info(
        "trained risk model %s on %d seed + %d decision examples",
        model.version,
        len(examples),
        len(decisions),
    )
    return version


def _point_active_link(path: str) -> None:
    """RISK_MODEL_DIR (used by the analyst CLIs) follows the active version; replaced atomically."""
    link = Path(settings.RISK_MODEL_DIR)
    link.parent.mkdir(parents=True, exist_ok=True)
    tmp = link.with_name(f".{link.name}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(Path(path).resolve(), target_is_directory=True)
    if link.exists() and not link.is_symlink():
        raise FileExistsError(f"{link} exists and is not a link; move it away")
    os.replace(tmp, link)


def model_activate(*, version: ModelVersion, rescore: bool = True) -> ModelVersion:
    """Make `version` the active model; the previous one stays for rollback. Re-scoring of every
    ad runs in the background (the score queue) and reports progress on the version."""
    with transaction.atomic():
        ModelVersion.objects.filter(active=True).exclude(pk=version.pk).update(active=False)
        total = Ad.objects.filter(score__isnull=False).count() if rescore else 0
        ModelVersion.objects.filter(pk=version.pk).update(
            active=True, activated_at=timezone.now(), rescore_total=total, rescore_done=0
        )
        _point_active_link(version.path)
        if rescore and total:
            from .tasks import rescore_all

            transaction.on_commit(lambda: rescore_all.delay(version.pk))
    version.refresh_from_db()
    return version


def _refresh_map_copies(ad_ids: list[int]) -> None:
    """The map reads a copy of each score; keep it in step after a re-score."""
    from maps.services import locations_refresh_scores

    locations_refresh_scores(ad_ids=ad_ids)


def ads_rescore_all(
    *, version: ModelVersion, batch_size: int = 64, on_progress: Callable[[int], Any] | None = None
) -> int:
    """Re-score every scored ad whose score is from another model version, in batches."""
    model = model_load(version)
    done = 0
    last_id = 0
    while True:
        if not ModelVersion.objects.filter(pk=version.pk, active=True).exists():
            logger.info("re-score with %s stopped: no longer active", version.version)
            break
        ads = list(
            Ad.objects.filter(pk__gt=last_id, score__isnull=False)
            .exclude(score__model_version=version.version)
            .select_related("source")
            .order_by("pk")[:batch_size]
        )
        if not ads:
            break
        with transaction.atomic():
            _save_scores(ads, model, version.version)
        last_id = ads[-1].pk
        done += len(ads)
        ModelVersion.objects.filter(pk=version.pk).update(rescore_done=done)
        _refresh_map_copies([ad.pk for ad in ads])
        if on_progress is not None:
            on_progress(len(ads))
    return done


def metrics_provenance(training_summary: dict) -> str:
    """Plain words on what a model version's metrics were measured on (issue #15).

    The seed corpus is synthetic: cross-validation on it says the mechanism works, not that the
    model triages real ads. Risk and possible minor on every page come from the lead score until
    investigators' decisions train a model.
    """
    counts = {str(k): int(v) for k, v in (training_summary or {}).items() if str(v).isdigit()}
    seed = counts.get("seed", 0)
    decisions = counts.get("decisions", 0)
    if decisions == 0:
        return (
            f"Cross-validation on {seed} synthetic seed ads only: these figures test the "
            "mechanism, not accuracy on real ads. Pages show the lead score, not yet calibrated "
            "against investigators' decisions; this model gives only the ad's category."
        )
    return (
        f"Cross-validation on {seed} synthetic seed ads and {decisions} investigators' "
        "decisions; only figures measured on held-out decisions speak for real ads (below)."
    )


def decision_head_summary(metrics: dict) -> str:
    """The model page's line on the head learnt from decisions: its held-out figures, and
    whether pages show it."""
    return learnt.describe((metrics or {}).get("decisions") or {})


# --- corrections of linking ---------------------------------------------------------------------
# Pairs recorded per ad put apart: every other member up to this many (the most recent), so a
# network of thousands is not a million rows; the links it actually had are always recorded.
APART_PAIRS_PER_AD = 200


def network_correct(*, network: Network, ads: list[Ad], by: User, reason: str) -> NetworkCorrection:
    """Put `ads` apart from the rest of `network`, for `reason`: one ad is a detach, several a
    split. The links between the two sides are deleted, the pairs are stored as KeptApart (the
    link stage never links them again nor joins their networks), the network is re-cut by the
    link stage's own split (the parts that still hang together stay networks), and the event is
    audited. The caller checks visibility (views start from `visible_to`)."""
    from audit.models import Action
    from audit.services import audit_record

    from .stages import ADVISORY_LOCK_KEY, LinkResult, _split_networks, networks_refresh

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError("A reason is required.")
    apart = sorted({ad.pk for ad in ads})
    if not apart:
        raise ValidationError("Choose at least one ad.")
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
        locked = Network.objects.select_for_update().get(pk=network.pk)
        members = set(AdNetwork.objects.filter(network=locked).values_list("ad_id", flat=True))
        if not set(apart) <= members:
            raise ValidationError("Every ad must belong to this network.")
        kept = sorted(members - set(apart))
        if not kept:
            raise ValidationError("Leave at least one ad in the network.")
        crossing = Link.objects.filter(
            Q(ad_a_id__in=apart, ad_b_id__in=kept) | Q(ad_a_id__in=kept, ad_b_id__in=apart)
        )
        linked = set(crossing.values_list("ad_a_id", "ad_b_id"))
        removed, _ = crossing.delete()
        correction = NetworkCorrection.objects.create(
            kind=CorrectionKind.DETACH if len(apart) == 1 else CorrectionKind.SPLIT,
            network=locked,
            reason=reason[:5000],
            by=by,
            apart=apart,
            kept=kept,
            links_removed=removed,
        )
        recent = sorted(kept, reverse=True)[:APART_PAIRS_PER_AD]
        pairs = linked | {(min(a, k), max(a, k)) for a in apart for k in recent}
        existing = set(
            KeptApart.objects.filter(
                ad_a_id__in={a for a, _ in pairs}, ad_b_id__in={b for _, b in pairs}
            ).values_list("ad_a_id", "ad_b_id")
        )
        KeptApart.objects.bulk_create(
            [
                KeptApart(ad_a_id=a, ad_b_id=b, correction=correction)
                for a, b in sorted(pairs - existing)
            ],
            batch_size=2000,
        )
        result = LinkResult()
        _split_networks([*apart, *kept[:1]], result)
        if result.touched:
            networks_refresh(network_ids=sorted(result.touched))
        after = sorted(
            set(AdNetwork.objects.filter(ad_id__in=members).values_list("network_id", flat=True))
        )
        correction.networks_after = after
        correction.save(update_fields=["networks_after"])
        audit_record(
            actor=by,
            action=Action.CHANGE,
            object_type="network",
            object_id=locked.pk,
            justification=reason,
            detail={
                "correction": correction.pk,
                "kind": correction.kind,
                "apart": apart,
                "kept": len(kept),
                "links_removed": removed,
                "networks_after": after,
            },
        )
    logger.info(
        "network %s corrected (%s) by user %s: %d ads apart, %d links removed, now %s",
        locked.pk,
        correction.kind,
        by.pk,
        len(apart),
        removed,
        after,
    )
    return correction
