"""A risk head learnt from investigators' decisions, used only once held-out decisions back it.

The cold-start lead score (lead.py) ranks ads by evidence an auditor can read. Decisions
("true lead" and "dismissed") teach a second opinion: a logistic head on the same evidence (the
lead score's log-odds and one flag per family of evidence) and the ad's embedding, with a Platt
calibrator fitted on out-of-fold predictions. Its figures are measured the way it will be used:

- the decisions are taken in the order they were made; the head is fitted on the earlier part
  and measured on the latest HOLDOUT_FRACTION, which it never saw;
- it is *promoted* (pages show its probability, and the word "calibrated") only when there are
  at least DECISION_HEAD_MIN_DECISIONS decisions with DECISION_HEAD_MIN_PER_CLASS of each kind,
  its held-out ROC AUC beats the cold-start lead score's on the same held-out ads, and its
  held-out expected calibration error is at most DECISION_HEAD_MAX_ECE;
- a promoted head is then refitted on every decision. Until a head is promoted, pages show the
  lead score and say it is not yet calibrated.

A flag still needs one strong or two moderate kinds of evidence (lead.enough_evidence): a learnt
probability never flags an ad on its own. Stated ethnicity is not a feature (the embedding is of
the neutral text, docs/fairness.md).

`bench/real_learning_curve.py` replays the labelled real development set through `fit` and
`evaluate` to draw the learning curve (docs/benchmarks.md).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analytics.scoring import lead
from analytics.scoring.calibration import Platt, expected_calibration_error
from analytics.scoring.indicators import Indicator

# The held-out share: the latest decisions, never seen by the head that is measured on them.
HOLDOUT_FRACTION = 0.2
# Strong regularisation: a few hundred decisions against a 384-d embedding.
C_DECISION = 0.05
# How much cheaper the lead score's log-odds are to the head than an embedding direction
# (chosen by comparing gains and C on the development set's decisions, both splits: the outside
# real set, not these labels, judges it; docs/benchmarks.md, learning curve).
LEAD_LOGIT_GAIN = 3.0
FAMILIES: tuple[str, ...] = (*sorted(lead.FAMILY_EVIDENCE), "ilo")


def evidence_features(hits: Iterable[Indicator]) -> np.ndarray:
    """[lead log-odds, one 0/1 flag per family of evidence], as lead.py reads the indicators."""
    present = lead.evidence(hits)
    logit = lead.PRIOR_LOG_ODDS + sum(weight for _, weight in present.values())
    return np.asarray([logit, *(1.0 if f in present else 0.0 for f in FAMILIES)], np.float64)


def feature_vector(hits: Iterable[Indicator], embedding: np.ndarray | None) -> np.ndarray:
    """The head's input for one ad: the evidence features, then the embedding (if any)."""
    parts = [evidence_features(hits)]
    if embedding is not None:
        parts.append(np.asarray(embedding, np.float64).ravel())
    return np.concatenate(parts)


def roc_auc(scores: np.ndarray, labels: np.ndarray) -> float:
    """ROC AUC with ties counted half; NaN without both classes."""
    scores, labels = np.asarray(scores, np.float64), np.asarray(labels)
    pos, neg = scores[labels == 1], scores[labels == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


@dataclass
class DecisionHead:
    """Standardiser + logistic coefficients + Platt calibrator; `report` is its held-out test."""

    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    calibrator: Platt
    report: dict[str, Any] = field(default_factory=dict)

    def decision(self, x: np.ndarray) -> np.ndarray:
        x = (np.atleast_2d(np.asarray(x, np.float64)) - self.mean) / self.scale
        return x @ self.coef + self.intercept

    def proba(self, x: np.ndarray) -> np.ndarray:
        """Calibrated P(an investigator confirms the lead), one per row."""
        return self.calibrator(self.decision(x))

    @property
    def promoted(self) -> bool:
        return bool(self.report.get("promoted"))

    # persistence: arrays go to the model's npz, the rest to its model.json
    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "decision_mean": self.mean,
            "decision_scale": self.scale,
            "decision_coef": self.coef,
        }

    def params(self) -> dict[str, Any]:
        return {
            "intercept": self.intercept,
            "calibrator": {"kind": "platt", "a": self.calibrator.a, "b": self.calibrator.b},
            "report": self.report,
        }

    @classmethod
    def from_saved(cls, params: Mapping[str, Any], arrays: Any) -> DecisionHead:
        cal = params["calibrator"]
        return cls(
            mean=np.asarray(arrays["decision_mean"]),
            scale=np.asarray(arrays["decision_scale"]),
            coef=np.asarray(arrays["decision_coef"]),
            intercept=float(params["intercept"]),
            calibrator=Platt(cal["a"], cal["b"]),
            report=dict(params.get("report") or {}),
        )


def _logistic(x: np.ndarray, y: np.ndarray, seed: int) -> tuple[np.ndarray, float]:
    from sklearn.linear_model import LogisticRegression

    clf = LogisticRegression(C=C_DECISION, max_iter=5000, random_state=seed).fit(x, y)
    return clf.coef_[0].copy(), float(clf.intercept_[0])


def fit(x: np.ndarray, y: np.ndarray, *, seed: int = 0) -> DecisionHead:
    """Fit the head on decisions (rows of `x`, labels 1 confirmed / 0 dismissed).

    The calibrator is fitted on 3-fold out-of-fold decision values, so it has not seen the rows
    it calibrates; the coefficients are then fitted on every row.
    """
    from sklearn.model_selection import StratifiedKFold

    x, y = np.asarray(x, np.float64), np.asarray(y, np.int64)
    if len(set(y.tolist())) < 2:
        raise ValueError("a decision head needs confirmed and dismissed decisions")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    # The evidence columns are not standardised: the lead score's log-odds enter at
    # LEAD_LOGIT_GAIN times their size and the family flags as 0/1, so the head starts from the
    # lead score and an embedding direction must earn its weight against the regularisation.
    evidence = 1 + len(FAMILIES)
    mean[:evidence] = 0.0
    scale[:evidence] = 1.0
    scale[0] = 1.0 / LEAD_LOGIT_GAIN
    z = (x - mean) / scale
    smallest = int(min(y.sum(), len(y) - y.sum()))
    oof = np.zeros(len(y))
    if smallest >= 2:
        folds = StratifiedKFold(n_splits=min(3, smallest), shuffle=True, random_state=seed)
        for train_idx, test_idx in folds.split(z, y):
            coef, intercept = _logistic(z[train_idx], y[train_idx], seed)
            oof[test_idx] = z[test_idx] @ coef + intercept
    coef, intercept = _logistic(z, y, seed)
    if smallest < 2:
        oof = z @ coef + intercept
    return DecisionHead(mean, scale, coef, intercept, Platt.fit(oof, y))


@dataclass(frozen=True)
class Rules:
    """When a decision head may be shown on pages (settings DECISION_HEAD_*)."""

    min_decisions: int
    min_per_class: int
    max_ece: float

    @classmethod
    def from_settings(cls) -> Rules:
        from django.conf import settings

        return cls(
            settings.DECISION_HEAD_MIN_DECISIONS,
            settings.DECISION_HEAD_MIN_PER_CLASS,
            settings.DECISION_HEAD_MAX_ECE,
        )


def evaluate(
    x: np.ndarray, y: np.ndarray, cold: np.ndarray, *, rules: Rules, seed: int = 0
) -> dict[str, Any]:
    """Fit on the earlier decisions, measure on the latest HOLDOUT_FRACTION (rows are in the
    order decisions were made), and say whether the head may be promoted, and why not."""
    x, y, cold = np.asarray(x, np.float64), np.asarray(y, np.int64), np.asarray(cold, np.float64)
    n = len(y)
    confirmed, dismissed = int(y.sum()), int(n - y.sum())
    report: dict[str, Any] = {
        "decisions": n,
        "confirmed": confirmed,
        "dismissed": dismissed,
        "holdout_fraction": HOLDOUT_FRACTION,
        "rules": {
            "min_decisions": rules.min_decisions,
            "min_per_class": rules.min_per_class,
            "max_ece": rules.max_ece,
        },
    }
    cut = n - max(1, math.ceil(n * HOLDOUT_FRACTION)) if n > 1 else n
    train_y, test_y = y[:cut], y[cut:]
    if len(set(train_y.tolist())) < 2 or len(set(test_y.tolist())) < 2:
        report.update(promoted=False, why_not="too few of one kind of decision to measure")
        return report
    head = fit(x[:cut], train_y, seed=seed)
    probs = head.proba(x[cut:])
    report.update(
        heldout=len(test_y),
        heldout_auc=round(roc_auc(probs, test_y), 4),
        heldout_ece=round(expected_calibration_error(probs, test_y), 4),
        cold_start_auc=round(roc_auc(cold[cut:], test_y), 4),
    )
    reasons = []
    if n < rules.min_decisions:
        reasons.append(f"{n} decisions, {rules.min_decisions} needed")
    if min(confirmed, dismissed) < rules.min_per_class:
        reasons.append(f"fewer than {rules.min_per_class} of one kind")
    if not report["heldout_auc"] > report["cold_start_auc"]:
        reasons.append("does not rank held-out decisions better than the lead score")
    if report["heldout_ece"] > rules.max_ece:
        reasons.append(f"calibration error {report['heldout_ece']:.2f} above {rules.max_ece:.2f}")
    report["promoted"] = not reasons
    if reasons:
        report["why_not"] = "; ".join(reasons)
    return report


def train(
    x: np.ndarray, y: np.ndarray, cold: np.ndarray, *, rules: Rules, seed: int = 0
) -> DecisionHead:
    """Measure on held-out decisions (`evaluate`), then fit on every decision; the head carries
    its held-out report, which decides whether pages show it."""
    report = evaluate(x, y, cold, rules=rules, seed=seed)
    head = fit(x, y, seed=seed)
    head.report = report
    return head


def describe(report: Mapping[str, Any]) -> str:
    """Plain words for the model page: what the head was measured on, and its standing."""
    if not report:
        return "No head has been trained on investigators' decisions yet."
    n = report.get("decisions", 0)
    head = (
        f"Trained on {n} investigators' decisions ({report.get('confirmed', 0)} confirmed, "
        f"{report.get('dismissed', 0)} dismissed)."
    )
    if "heldout_auc" in report:
        head += (
            f" On the latest {report['heldout']} decisions, which it did not see: ROC AUC "
            f"{report['heldout_auc']:.3f} (lead score {report['cold_start_auc']:.3f}), "
            f"calibration error {report['heldout_ece']:.3f}."
        )
    if report.get("promoted"):
        return head + " Pages show its probability, calibrated against those decisions."
    return head + f" Not used on pages: {report.get('why_not', 'not measured')}."


def rows_in_order(
    rows: Sequence[tuple[int, int, np.ndarray, float]],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(order key, label, features, cold score) rows -> x, y, cold sorted by the order key."""
    ordered = sorted(rows, key=lambda r: r[0])
    x = np.vstack([r[2] for r in ordered]) if ordered else np.zeros((0, 1 + len(FAMILIES)))
    y = np.asarray([r[1] for r in ordered], np.int64)
    cold = np.asarray([r[3] for r in ordered], np.float64)
    return x, y, cold
