"""Plain functions behind the `score_text` and `evaluate_model` commands (no Django needed)."""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from analytics.scoring.metrics import binary_report, multiclass_report
from analytics.scoring.model import MODEL_FILE, NOVEL_NOTE, ModelNotFoundError, TrainedModel
from analytics.scoring.training import LabelledExample

# dig-ads-classifier labels (usc-isi-i2/dig-ads-classifier): 2 massage, 3 escort, 4 jobs+other.
DIG_LABELS = {"2": "massage", "3": "escort", "4": "job_or_other"}
SCORE_BATCH = 64
NO_MODEL_HELP = (
    "No trained risk model found{where}. Train one first: `python manage.py train_risk_model` "
    "(or, without Django, `python -m analytics.scoring.training --out var/models/active`)."
)


def resolve_model_dir(explicit: str | Path | None, configured: str | Path | None) -> Path:
    """--model if given, else the RISK_MODEL_DIR setting; raise a helpful error when absent."""
    candidate = explicit or configured
    if candidate is None:
        raise ModelNotFoundError(NO_MODEL_HELP.format(where=""))
    path = Path(candidate)
    if not (path / MODEL_FILE).exists():
        raise ModelNotFoundError(NO_MODEL_HELP.format(where=f" in {path}"))
    return path


def _emit(out: TextIO, item_id: Any, result: Any) -> None:
    record = {
        "id": item_id,
        "scorable": result.scorable,
        "risk": None if result.risk is None else round(result.risk, 4),
        "minor": None if result.minor is None else round(result.minor, 4),
        "category": result.category,
        "indicators": [
            {"code": i.code, "span": list(i.span) if i.span else None, "weight": i.weight}
            for i in result.indicators + result.counter_indicators
        ],
        "reason": result.reason,
        "model_version": result.model_version,
    }
    out.write(json.dumps(record, ensure_ascii=False) + "\n")


def score_lines(
    lines: Iterable[str], model: TrainedModel, out: TextIO, err: TextIO
) -> tuple[int, int]:
    """Score JSON lines {"id", "text", optional "extraction"}; returns (scored, errors).

    A malformed line is reported on `err` with its line number and skipped; the rest goes on.
    """
    scored = errors = 0
    pending: list[tuple[Any, str, dict[str, Any] | None]] = []

    def flush() -> None:
        nonlocal scored
        if not pending:
            return
        extractions = [p[2] for p in pending]
        results = model.score([p[1] for p in pending], extractions if any(extractions) else None)
        for (item_id, _, _), result in zip(pending, results, strict=True):
            _emit(out, item_id, result)
            scored += 1
        pending.clear()

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
            text = record["text"]
            if not isinstance(text, str):
                raise ValueError('"text" must be a string')
            extraction = record.get("extraction")
            if extraction is not None and not isinstance(extraction, dict):
                raise ValueError('"extraction" must be an object')
        except (ValueError, KeyError) as exc:
            detail = f"missing key {exc}" if isinstance(exc, KeyError) else str(exc)
            err.write(f"line {number}: skipped: {detail}\n")
            errors += 1
            continue
        pending.append((record.get("id"), text, extraction))
        if len(pending) >= SCORE_BATCH:
            flush()
    flush()
    return scored, errors


def load_examples(path: str | Path) -> list[LabelledExample]:
    """JSONL of labelled examples, or a dig-ads-classifier CSV (by extension)."""
    source = Path(path)
    if not source.exists():
        raise FileNotFoundError(f"No data at {source}")
    if source.suffix.lower() == ".csv":
        return load_dig_csv(source)
    with source.open(encoding="utf-8") as fh:
        return [LabelledExample.from_dict(json.loads(line)) for line in fh if line.strip()]


def load_dig_csv(path: str | Path) -> list[LabelledExample]:
    """dig-ads-classifier CSV: label (2 massage, 3 escort, 4 jobs and other), extracted_text."""
    csv.field_size_limit(sys.maxsize)
    with Path(path).open(encoding="utf-8", newline="") as fh:
        return [
            LabelledExample(
                text=row["extracted_text"] or "",
                category=DIG_LABELS[row["label"].strip()],
                source=f"dig:{Path(path).name}",
            )
            for row in csv.DictReader(fh)
            if row.get("label", "").strip() in DIG_LABELS
        ]


def _novel(result: Any) -> bool:
    return any(n.startswith(NOVEL_NOTE) for n in result.notes)


def evaluate(model: TrainedModel, examples: Sequence[LabelledExample]) -> dict[str, Any]:
    """Metrics of each head on the examples labelled for it (not-scorable texts are counted)."""
    results = model.score([e.text for e in examples])
    scorable = [i for i, r in enumerate(results) if r.scorable]
    report: dict[str, Any] = {
        "model_version": model.version,
        "examples": len(examples),
        "not_scorable": len(examples) - len(scorable),
        "truncated": sum(r.truncated for r in results),
        "novel": sum(any(n.startswith(NOVEL_NOTE) for n in r.notes) for r in results),
    }
    for name in ("risk", "minor"):
        head = model.heads.get(name)
        idx = [i for i in scorable if getattr(examples[i], name) is not None]
        if head is None or not idx:
            continue
        probs = np.asarray([getattr(results[i], name) for i in idx])
        labels = np.asarray([int(bool(getattr(examples[i], name))) for i in idx])
        report[name] = binary_report(probs, labels, head.threshold)
    head = model.heads.get("category")
    if head is not None and head.classes:
        classes = list(head.classes)
        idx = [i for i in scorable if examples[i].category is not None]
        unknown = sorted({examples[i].category for i in idx} - set(classes))
        if unknown:
            report["category_error"] = f"labels {unknown} are not classes of this model {classes}"
        elif idx:
            probs = np.asarray(
                [[results[i].category_probabilities[c] for c in classes] for i in idx]
            )
            labels = np.asarray([classes.index(examples[i].category) for i in idx])
            report["category"] = multiclass_report(probs, labels, classes)
            # Is the novelty note informative? Accuracy on novel vs familiar ads.
            novel = np.asarray(
                [any(n.startswith(NOVEL_NOTE) for n in results[i].notes) for i in idx]
            )
            correct = probs.argmax(axis=1) == labels
            report["category"]["accuracy_novel"] = (
                float(correct[novel].mean()) if novel.any() else None
            )
            report["category"]["accuracy_familiar"] = (
                float(correct[~novel].mean()) if (~novel).any() else None
            )
    return report
