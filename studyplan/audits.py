"""The transfer between topics, fitted out of sample next to the FSRS parameters.

Every explicit review of a topic that had received credit is an audit (see
`memory.Calibration`): its outcome against the recall predicted without the credit (R0)
and with it (R1). `optimize` shows how well the learned transfer predicts the audits it
has not seen, against no credit at all, the cautious prior and the map's full weights:
the same time-series splits as the FSRS fit (train on the audits before a segment, score
the segment). Pure: takes reviews, returns figures.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from studyplan import memory
from studyplan.graph import Graph
from studyplan.model import DayStamp, Policy
from studyplan.optimize import splits

MIN_AUDITS = 30
"""Audits needed before an out-of-sample score means anything."""

_EPSILON = 1e-6  # predictions are kept inside (0, 1) for the log loss


class Audit(NamedTuple):
    without: float  # R0: predicted recall from the topic's own reviews
    with_credit: float  # R1: predicted recall with the credit it had received
    passed: bool


@dataclass(slots=True)
class _Recorder(memory.Calibration):
    """A calibration that also keeps every audit it learns from, in order."""

    seen: list[Audit] = field(default_factory=list)

    def observe(self, without: float, with_credit: float, passed: bool) -> None:
        if not self.frozen:
            self.seen.append(Audit(without, with_credit, passed))
        memory.Calibration.observe(self, without, with_credit, passed)


def collect(stamps: Sequence[DayStamp], policy: Policy, graph: Graph) -> list[Audit]:
    """Every audit in the log, in the order it happened (a full fold with the graph)."""
    recorder = _Recorder()
    if policy.graph and graph.edges and policy.transfer is None:
        memory.fold(stamps, policy, graph=graph, calibration=recorder)
    return recorder.seen


def predict(audit: Audit, transfer: float) -> float:
    """P(pass) = R0 + τ·(R1 − R0), the calibration's model."""
    p = audit.without + transfer * (audit.with_credit - audit.without)
    return min(max(p, _EPSILON), 1.0 - _EPSILON)


def log_loss(audits: Sequence[Audit], transfers: Sequence[float]) -> float:
    total = 0.0
    for audit, transfer in zip(audits, transfers, strict=True):
        p = predict(audit, transfer)
        total -= math.log(p if audit.passed else 1.0 - p)
    return total / len(audits)


def learned(audits: Sequence[Audit]) -> float:
    """The estimate `memory.Calibration` reaches from these audits, in order."""
    calibration = memory.Calibration()
    for audit in audits:
        calibration.observe(*audit)
    return calibration.transfer


@dataclass(frozen=True, slots=True)
class TransferFit:
    audits: int  # audits in the log
    estimate: float  # learned from all of them
    scored: int  # audits scored out of sample (0: too few to score)
    learned: float = 0.0  # log loss: τ learned from the audits before each segment
    prior: float = 0.0  # τ fixed at the cautious prior
    none: float = 0.0  # no credit (τ = 0)
    full: float = 0.0  # the map's full weights (τ = 1)


def fit(audits: Sequence[Audit]) -> TransferFit:
    """Score the learned transfer out of sample (see the module)."""
    estimate = learned(audits)
    if len(audits) < MIN_AUDITS:
        return TransferFit(len(audits), estimate, 0)
    tested: list[Audit] = []
    transfers: list[float] = []
    for training, test in splits(audits):
        tested += test
        transfers += [learned(training)] * len(test)
    n = len(tested)
    return TransferFit(
        audits=len(audits),
        estimate=estimate,
        scored=n,
        learned=log_loss(tested, transfers),
        prior=log_loss(tested, [memory.TRANSFER_PRIOR] * n),
        none=log_loss(tested, [0.0] * n),
        full=log_loss(tested, [1.0] * n),
    )
