"""Train the scoring heads on labelled examples (seed corpus and investigators' decisions).

`train` is deterministic for a given seed: features come from a deterministic encoder, folds and
solvers are seeded, and the version's content hash covers every number that changes a score.

Run without Django: ``python -m analytics.scoring.training --out var/models/seed``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from analytics.scoring.calibration import Platt, Temperature
from analytics.scoring.decisions import DecisionHead
from analytics.scoring.encoder import Encoder
from analytics.scoring.indicators import feature_names
from analytics.scoring.metrics import binary_report, multiclass_report
from analytics.scoring.model import (
    NOVELTY_QUANTILE,
    Featurizer,
    Head,
    TrainedModel,
    content_hash,
    novelty_threshold,
)

logger = logging.getLogger(__name__)

CATEGORIES = ("escort", "massage", "job", "other")
SEED_CORPUS = Path(__file__).resolve().parents[2] / "demo" / "seed" / "seed.jsonl"
# Inverse regularisation strength; small data, 400+ features: keep the heads smooth.
C_BINARY = 0.5
# Chosen by 5-fold cross-validation on the dig-ads-classifier training set only (16 configurations,
# docs/bench-scoring.md): strong regularisation was as accurate as C=1 and better calibrated.
C_CATEGORY = 0.024


@dataclass(frozen=True)
class LabelledExample:
    """One training example; a None label means 'not labelled for that head'."""

    text: str
    category: str | None = None
    risk: bool | None = None
    minor: bool | None = None
    source: str = "seed"  # "seed" or "decision:<id>"
    extraction: dict[str, Any] | None = field(default=None, compare=False)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelledExample:
        """From a JSONL record (text, category, risk, minor, source, extraction)."""

        def flag(value: Any) -> bool | None:
            return None if value is None else bool(value)

        return cls(
            text=str(data["text"]),
            category=data.get("category"),
            risk=flag(data.get("risk")),
            minor=flag(data.get("minor")),
            source=str(data.get("source", "seed")),
            extraction=data.get("extraction"),
        )


def load_seed_corpus(path: Path | str = SEED_CORPUS) -> list[LabelledExample]:
    """The synthetic seed corpus committed in demo/seed/."""
    with Path(path).open(encoding="utf-8") as fh:
        return [LabelledExample.from_dict(json.loads(line)) for line in fh if line.strip()]


def _folds(labels: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    smallest = min(Counter(labels.tolist()).values())
    splitter = StratifiedKFold(n_splits=max(2, min(5, smallest)), shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(labels)), labels))


def _fit_binary(
    name: str, x: np.ndarray, y: np.ndarray, seed: int, threshold: float
) -> tuple[Head, dict[str, Any]]:
    oof = np.zeros(len(y))
    for train_idx, test_idx in _folds(y, seed):
        clf = LogisticRegression(C=C_BINARY, max_iter=5000, random_state=seed)
        clf.fit(x[train_idx], y[train_idx])
        oof[test_idx] = clf.decision_function(x[test_idx])
    calibrator = Platt.fit(oof, y)
    clf = LogisticRegression(C=C_BINARY, max_iter=5000, random_state=seed).fit(x, y)
    head = Head(name, clf.coef_.copy(), clf.intercept_.copy(), calibrator, None, threshold)
    report = binary_report(calibrator(oof), y, threshold)
    report["uncalibrated_ece"] = binary_report(1 / (1 + np.exp(-oof)), y, threshold)["ece"]
    return head, report


def _fit_category(x: np.ndarray, labels: list[str], seed: int) -> tuple[Head, dict[str, Any]]:
    present = sorted(set(labels), key=lambda c: (CATEGORIES.index(c) if c in CATEGORIES else 99, c))
    y = np.asarray([present.index(c) for c in labels])
    oof = np.zeros((len(y), len(present)))
    for train_idx, test_idx in _folds(y, seed):
        clf = LogisticRegression(C=C_CATEGORY, max_iter=5000, random_state=seed)
        clf.fit(x[train_idx], y[train_idx])
        # A fold may miss a rare class; put its columns where they belong.
        oof[np.ix_(test_idx, clf.classes_)] = clf.decision_function(x[test_idx]).reshape(
            len(test_idx), -1
        )
    if len(present) == 2:
        raise ValueError("the category head needs at least three categories")
    calibrator = Temperature.fit(oof, y)
    clf = LogisticRegression(C=C_CATEGORY, max_iter=5000, random_state=seed).fit(x, y)
    head = Head("category", clf.coef_.copy(), clf.intercept_.copy(), calibrator, present)
    return head, multiclass_report(calibrator(oof), y, present)


def train(
    examples: Sequence[LabelledExample],
    *,
    encoder: Encoder,
    seed: int = 0,
    risk_threshold: float = 0.5,
    minor_threshold: float = 0.5,
    heads: Sequence[str] = ("category", "risk", "minor"),
    decision_head: DecisionHead | None = None,
) -> TrainedModel:
    """Fit the calibrated heads; metrics are out-of-fold (cross-validated) on `examples`."""
    if not examples:
        raise ValueError("no training examples")
    featurizer = Featurizer(encoder)
    texts = [e.text for e in examples]
    extractions = [e.extraction for e in examples]
    raw, encoded, _ = featurizer.run(texts, extractions if any(extractions) else None)
    mean = raw.mean(axis=0).astype(np.float64)
    scale = raw.std(axis=0).astype(np.float64)
    scale[scale < 1e-6] = 1.0
    x = (raw - mean) / scale

    fitted: dict[str, Head] = {}
    metrics: dict[str, Any] = {}
    if "category" in heads:
        idx = [i for i, e in enumerate(examples) if e.category]
        if len({examples[i].category for i in idx}) >= 3:
            fitted["category"], metrics["category"] = _fit_category(
                x[idx], [examples[i].category or "" for i in idx], seed
            )
    for name, threshold in (("risk", risk_threshold), ("minor", minor_threshold)):
        if name not in heads:
            continue
        idx = [i for i, e in enumerate(examples) if getattr(e, name) is not None]
        y = np.asarray([int(bool(getattr(examples[i], name))) for i in idx])
        if len(set(y.tolist())) == 2 and min(Counter(y.tolist()).values()) >= 2:
            fitted[name], metrics[name] = _fit_binary(name, x[idx], y, seed, threshold)
        else:
            logger.warning(
                "Not training the %s head: it needs positive and negative examples", name
            )
    if not fitted:
        raise ValueError("no head could be trained from these examples")

    names = [f"embedding_{i}" for i in range(encoder.dim)] + feature_names()
    encoder_info = encoder.describe()
    training = {
        "seed": seed,
        "examples": len(examples),
        "sources": dict(Counter(e.source.split(":")[0] for e in examples)),
        "truncated_texts": int(sum(encoded.truncated)),
        "metrics_note": "out-of-fold predictions, calibrators fitted on the same folds",
    }
    reference = np.ascontiguousarray(encoded.embeddings, dtype=np.float32)
    novelty = {
        "threshold": round(novelty_threshold(reference), 6),
        "quantile": NOVELTY_QUANTILE,
        "measure": "cosine to the nearest training example",
    }
    meta = {
        "encoder": encoder_info["fingerprint"],
        "features": names,
        "seed": seed,
        "novelty": novelty,
        "reference_sha256": hashlib.sha256(reference.tobytes()).hexdigest(),
        "decision_head": (
            hashlib.sha256(decision_head.coef.tobytes()).hexdigest() if decision_head else None
        ),
    }
    digest = content_hash(fitted, mean, scale, meta)
    now = datetime.now(UTC)
    return TrainedModel(
        version=f"{now:%Y%m%d}-{digest[:12]}",
        created_at=now.isoformat(timespec="seconds"),
        heads=fitted,
        mean=mean,
        scale=scale,
        encoder_info=encoder_info,
        feature_names=names,
        metrics=metrics,
        training=training,
        content_sha256=digest,
        encoder=encoder,
        reference=reference,
        novelty=novelty,
        decision_head=decision_head,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Train on the seed corpus (or a JSONL file) and save the model; no Django needed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=str(SEED_CORPUS), help="JSONL of labelled examples")
    parser.add_argument("--out", required=True, help="directory to write the model to")
    parser.add_argument("--encoder-dir", default=None, help="local encoder model directory")
    parser.add_argument("--cache-dir", default=None, help="where the ONNX export is cached")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    encoder = Encoder(args.encoder_dir, cache_dir=args.cache_dir)
    model = train(load_seed_corpus(args.data), encoder=encoder, seed=args.seed)
    model.save(args.out)
    logger.info("Saved model %s to %s: %s", model.version, args.out, json.dumps(model.metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
