"""A trained risk model: linear heads on [embedding, indicator features], saved without pickle.

Files in a model directory:
- ``model.json``: version, creation time, encoder identity, heads' classes, calibrators and
  thresholds, training summary and metrics (readable by a reviewer);
- ``arrays.npz``: the feature scaler, the heads' coefficients and the training embeddings used
  for the novelty check (loaded with allow_pickle=False).

Novelty: an ad whose embedding is further from every training example than almost all training
examples are from their nearest neighbour is unlike anything the heads learnt from; its scores
are extrapolation, so the result is marked low confidence with a note saying why.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analytics.scoring import decisions as learnt
from analytics.scoring import indicators as ind
from analytics.scoring import lead
from analytics.scoring.calibration import Platt, Temperature
from analytics.scoring.encoder import Backend, Encoder
from analytics.scoring.results import (
    NOVEL_NOTE,
    ScoreResult,
    TextCheck,
    check_text,
    reason_sentence,
)

logger = logging.getLogger(__name__)

MODEL_FILE = "model.json"
# Novelty threshold: this quantile of the training examples' leave-one-out nearest-neighbour
# cosine. About 2% of training-like ads fall below it by construction.
NOVELTY_QUANTILE = 0.02
ARRAYS_FILE = "arrays.npz"
FORMAT = 1


@dataclass
class Head:
    """A linear head and its calibrator. Binary heads have one row of coefficients."""

    name: str
    coef: np.ndarray  # (k, d) multiclass, (1, d) binary
    intercept: np.ndarray  # (k,) or (1,)
    calibrator: Platt | Temperature
    classes: list[str] | None = None
    threshold: float = 0.5

    def decision(self, features: np.ndarray) -> np.ndarray:
        """Raw linear scores."""
        scores = features @ self.coef.T + self.intercept
        return scores[:, 0] if self.classes is None else scores

    def proba(self, features: np.ndarray) -> np.ndarray:
        """Calibrated P(positive) (binary, shape (n,)) or class probabilities (n, k)."""
        return self.calibrator(self.decision(features))

    def params(self) -> dict[str, Any]:
        """JSON part of the head (arrays go to the npz)."""
        if isinstance(self.calibrator, Platt):
            cal = {"kind": "platt", "a": self.calibrator.a, "b": self.calibrator.b}
        else:
            cal = {"kind": "temperature", "t": self.calibrator.t}
        return {"classes": self.classes, "threshold": self.threshold, "calibrator": cal}

    @classmethod
    def from_params(cls, name: str, params: Mapping[str, Any], arrays: Any) -> Head:
        """Inverse of `params` plus the npz arrays."""
        cal = params["calibrator"]
        calibrator: Platt | Temperature = (
            Platt(cal["a"], cal["b"]) if cal["kind"] == "platt" else Temperature(cal["t"])
        )
        return cls(
            name,
            np.asarray(arrays[f"{name}_coef"]),
            np.asarray(arrays[f"{name}_intercept"]),
            calibrator,
            params["classes"],
            float(params["threshold"]),
        )


class ModelNotFoundError(FileNotFoundError):
    """No trained model where one was expected."""


class Featurizer:
    """Turns texts into the head's input: embedding + indicator features (+ prototype cosines)."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self.prototypes = ind.Prototypes.build(lambda texts: encoder.encode(texts).embeddings)

    def run(
        self, texts: Sequence[str], extractions: Sequence[Mapping[str, Any] | None] | None = None
    ) -> tuple[np.ndarray, Any, list[list[ind.Indicator]]]:
        """Features (n, d), the Encoded batch and the indicators of each text."""
        # The encoder, like the indicators, never reads a stated ethnicity (docs/fairness.md).
        neutral = [
            ind.neutral_text(text, extractions[i] if extractions else None)[0]
            for i, text in enumerate(texts)
        ]
        encoded = self.encoder.encode(neutral)
        rows: list[np.ndarray] = []
        hits_per_text: list[list[ind.Indicator]] = []
        for i, text in enumerate(texts):
            embedding = encoded.embeddings[i]
            extraction = extractions[i] if extractions else None
            hits = ind.detect(text, extraction, embedding=embedding, prototypes=self.prototypes)
            sims = {f: s for f, (s, _) in self.prototypes.max_similarity(embedding).items()}
            rows.append(np.concatenate([embedding, ind.features(hits, text, sims)]))
            hits_per_text.append(hits)
        width = self.encoder.dim + len(ind.feature_names())
        matrix = np.vstack(rows).astype(np.float32) if rows else np.zeros((0, width), np.float32)
        return matrix, encoded, hits_per_text


def content_hash(
    heads: Mapping[str, Head], mean: np.ndarray, scale: np.ndarray, meta: Mapping[str, Any]
) -> str:
    """SHA-256 over everything that changes a score (not the training date)."""
    digest = hashlib.sha256()
    digest.update(json.dumps(meta, sort_keys=True).encode())
    for array in (mean, scale):
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
    for name in sorted(heads):
        head = heads[name]
        digest.update(name.encode())
        digest.update(json.dumps(head.params(), sort_keys=True).encode())
        digest.update(np.ascontiguousarray(head.coef, dtype=np.float64).round(10).tobytes())
        digest.update(np.ascontiguousarray(head.intercept, dtype=np.float64).round(10).tobytes())
    return digest.hexdigest()


def nearest_cosine(embeddings: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Per row of `embeddings`, the highest cosine to a row of `reference` (both L2-normalised)."""
    if len(reference) == 0 or len(embeddings) == 0:
        return np.zeros(len(embeddings), dtype=np.float32)
    return (embeddings @ reference.T).max(axis=1)


def novelty_threshold(reference: np.ndarray, quantile: float = NOVELTY_QUANTILE) -> float:
    """The `quantile` of each training embedding's cosine to its nearest *other* example."""
    if len(reference) < 2:
        return 0.0
    sims = reference @ reference.T
    np.fill_diagonal(sims, -np.inf)
    return float(np.quantile(sims.max(axis=1), quantile))


class TrainedModel:
    """Heads + scaler + the encoder they were trained on; scores texts end to end."""

    def __init__(
        self,
        *,
        version: str,
        created_at: str,
        heads: dict[str, Head],
        mean: np.ndarray,
        scale: np.ndarray,
        encoder_info: dict[str, Any],
        feature_names: list[str],
        metrics: dict[str, Any],
        training: dict[str, Any],
        content_sha256: str,
        encoder: Encoder | None = None,
        reference: np.ndarray | None = None,
        novelty: dict[str, Any] | None = None,
        decision_head: learnt.DecisionHead | None = None,
    ) -> None:
        self.version = version
        self.created_at = created_at
        self.heads = heads
        self.mean = mean
        self.scale = scale
        self.encoder_info = encoder_info
        self.feature_names = feature_names
        self.metrics = metrics
        self.training = training
        self.content_sha256 = content_sha256
        # Training embeddings and the nearest-cosine threshold below which an ad is novel; both
        # absent in models saved before the novelty check (no ad is then marked novel).
        self.reference = reference
        self.novelty = novelty
        # The head learnt from investigators' decisions (decisions.py); it sets the risk shown
        # only when its held-out figures promoted it.
        self.decision_head = decision_head
        self._encoder = encoder
        self._featurizer: Featurizer | None = None

    # -- persistence ----------------------------------------------------------------------------

    def save(self, directory: Path | str) -> Path:
        """Write model.json and arrays.npz; each file appears atomically."""
        target = Path(directory)
        target.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"scaler_mean": self.mean, "scaler_scale": self.scale}
        for name, head in self.heads.items():
            arrays[f"{name}_coef"] = head.coef
            arrays[f"{name}_intercept"] = head.intercept
        if self.reference is not None:
            arrays["reference_embeddings"] = self.reference
        if self.decision_head is not None:
            arrays.update(self.decision_head.arrays())
        tmp_npz = target / f".{ARRAYS_FILE}.tmp"
        with tmp_npz.open("wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp_npz, target / ARRAYS_FILE)
        document = {
            "format": FORMAT,
            "version": self.version,
            "created_at": self.created_at,
            "content_sha256": self.content_sha256,
            "encoder": self.encoder_info,
            "feature_names": self.feature_names,
            "heads": {name: head.params() for name, head in self.heads.items()},
            "metrics": self.metrics,
            "training": self.training,
            "novelty": self.novelty,
            "decision_head": self.decision_head.params() if self.decision_head else None,
        }
        tmp_json = target / f".{MODEL_FILE}.tmp"
        tmp_json.write_text(json.dumps(document, indent=2, sort_keys=True))
        os.replace(tmp_json, target / MODEL_FILE)
        return target

    @classmethod
    def load(
        cls,
        directory: Path | str,
        *,
        encoder: Encoder | None = None,
        cache_dir: Path | str | None = None,
        backend: Backend | str | None = None,
        threads: int | None = None,
    ) -> TrainedModel:
        """Read a saved model. The encoder is built lazily from the recorded directory unless
        one is passed (with `threads` intra-op threads, when given); its fingerprint must match
        the one the heads were trained on."""
        source = Path(directory)
        if not (source / MODEL_FILE).exists():
            raise ModelNotFoundError(f"No trained risk model in {source} ({MODEL_FILE} missing)")
        document = json.loads((source / MODEL_FILE).read_text())
        if document.get("format") != FORMAT:
            raise ValueError(f"Unsupported model format {document.get('format')} in {source}")
        with np.load(source / ARRAYS_FILE, allow_pickle=False) as arrays:
            heads = {
                name: Head.from_params(name, params, arrays)
                for name, params in document["heads"].items()
            }
            mean = np.asarray(arrays["scaler_mean"])
            scale = np.asarray(arrays["scaler_scale"])
            reference = (
                np.asarray(arrays["reference_embeddings"])
                if "reference_embeddings" in arrays.files
                else None
            )
            saved = document.get("decision_head")
            decision_head = learnt.DecisionHead.from_saved(saved, arrays) if saved else None
        model = cls(
            version=document["version"],
            created_at=document["created_at"],
            heads=heads,
            mean=mean,
            scale=scale,
            encoder_info=document["encoder"],
            feature_names=document["feature_names"],
            metrics=document["metrics"],
            training=document["training"],
            content_sha256=document["content_sha256"],
            encoder=encoder,
            reference=reference,
            novelty=document.get("novelty"),
            decision_head=decision_head,
        )
        model._encoder_options = {"cache_dir": cache_dir, "backend": backend, "threads": threads}
        return model

    # -- scoring --------------------------------------------------------------------------------

    @property
    def encoder(self) -> Encoder:
        """The encoder, built on first use from the recorded model directory."""
        if self._encoder is None:
            options = getattr(self, "_encoder_options", {})
            recorded = Path(self.encoder_info["dir"])
            self._encoder = Encoder(
                recorded if recorded.exists() else None,
                backend=options.get("backend") or self.encoder_info.get("backend", "onnx-int8"),
                cache_dir=options.get("cache_dir"),
                **({"threads": options["threads"]} if options.get("threads") else {}),
                max_tokens=int(self.encoder_info.get("max_tokens", 256)),
                # Models saved before chunked encoding embedded the first window only.
                max_windows=int(self.encoder_info.get("max_windows", 1)),
            )
        if self._encoder.fingerprint != self.encoder_info["fingerprint"]:
            raise ValueError(
                f"Encoder at {self._encoder.model_dir} is not the one model {self.version} was "
                "trained on (fingerprint differs); retrain or point at the right encoder"
            )
        return self._encoder

    @property
    def featurizer(self) -> Featurizer:
        """Encoder plus prototype embeddings, built once."""
        if self._featurizer is None:
            self._featurizer = Featurizer(self.encoder)
        return self._featurizer

    def transform(self, features: np.ndarray) -> np.ndarray:
        """Apply the training scaler."""
        return (features - self.mean) / self.scale

    def score(
        self,
        texts: Sequence[str],
        extractions: Sequence[Mapping[str, Any] | None] | None = None,
    ) -> list[ScoreResult]:
        """Score ads; one result per text, in order. Never raises on odd text."""
        if extractions is not None and len(extractions) != len(texts):
            raise ValueError("extractions must be None or have one entry per text")
        checks: list[TextCheck] = [check_text(t) for t in texts]
        results: list[ScoreResult | None] = [None] * len(texts)
        ok = [i for i, c in enumerate(checks) if c.scorable]
        for i, check in enumerate(checks):
            if not check.scorable:
                results[i] = ScoreResult(
                    scorable=False,
                    model_version=self.version,
                    reason=f"Not scored: {check.reason}.",
                    not_scorable_reason=check.reason,
                )
        if ok:
            sub_texts = [texts[i] for i in ok]
            sub_ext = [extractions[i] for i in ok] if extractions is not None else None
            matrix, encoded, hits = self.featurizer.run(sub_texts, sub_ext)
            scaled = self.transform(matrix)
            # Only the category head is read: risk and minor come from the evidence (lead.py).
            probs = {
                name: head.proba(scaled) for name, head in self.heads.items() if name == "category"
            }
            for row, i in enumerate(ok):
                extraction = sub_ext[row] if sub_ext is not None else None
                results[i] = self._result(
                    texts[i], checks[i], row, probs, encoded, hits[row], extraction
                )
        return [r for r in results if r is not None]

    def _result(
        self,
        text: str,
        check: TextCheck,
        row: int,
        probs: Mapping[str, np.ndarray],
        encoded: Any,
        hits: list[ind.Indicator],
        extraction: Mapping[str, Any] | None = None,
    ) -> ScoreResult:
        notes = list(check.notes)
        truncated = encoded.truncated[row]
        if truncated:
            notes.insert(
                0,
                f"text of {len(text):,} characters truncated to the first "
                f"{self.encoder.max_tokens * self.encoder.max_windows} tokens",
            )
        if encoded.unknown_fraction[row] > 0.3:
            notes.append("lower confidence: most of the text is unknown to the encoder")
        if self.reference is not None and self.novelty is not None:
            nearest = float(nearest_cosine(encoded.embeddings[row : row + 1], self.reference)[0])
            if nearest < float(self.novelty["threshold"]):
                notes.append(
                    f"{NOVEL_NOTE} (the closest is {max(nearest, 0.0):.0%} alike; "
                    f"under {float(self.novelty['threshold']):.0%} counts as unlike)"
                )
        # Risk and possible minor come from the evidence (lead.py), not from the heads trained on
        # the synthetic seed corpus: those never decide whether a real ad is flagged.
        risk, flagged = lead.lead_score(hits)
        calibrated_on = None
        if self.decision_head is not None and self.decision_head.promoted:
            features = learnt.feature_vector(hits, encoded.embeddings[row])
            risk = float(self.decision_head.proba(features)[0])
            flagged = lead.flag(risk, hits)
            calibrated_on = int(self.decision_head.report["decisions"])
        minor = lead.minor_score(hits, ind.stated_ages(extraction))
        category = None
        category_probs: dict[str, float] = {}
        if "category" in self.heads:
            classes = self.heads["category"].classes or []
            category_probs = {
                c: float(p) for c, p in zip(classes, probs["category"][row], strict=True)
            }
            category = max(category_probs, key=category_probs.__getitem__)
        positive = [h for h in hits if not h.counter]
        counter = [h for h in hits if h.counter]
        is_minor = lead.possible_minor(minor)
        reason = reason_sentence(
            risk=risk,
            flagged=flagged,
            minor=minor,
            possible_minor=is_minor,
            indicators=positive,
            counter=counter,
            notes=notes,
            calibrated_on=calibrated_on,
        )
        return ScoreResult(
            scorable=True,
            model_version=self.version,
            reason=reason,
            risk=risk,
            minor=minor,
            flagged=flagged,
            possible_minor=is_minor,
            category=category,
            category_probabilities=category_probs,
            indicators=positive,
            counter_indicators=counter,
            truncated=truncated,
            tokens=encoded.token_counts[row],
            notes=notes,
            low_confidence=truncated or any(n.startswith("lower confidence") for n in notes),
            embedding=encoded.embeddings[row].copy(),
        )
