"""Graph scheduling on and off: a seeded simulated learner follows `studyplan today` on the
bundled roadmap and its prerequisite map for 180 days.

The learner's memory model (the "truth" the simulation grades against):
- every topic's memory follows FSRS-6 with its default parameters;
- a session on a topic is recalled with the true retrievability; recalled → good
  (15 % easy, 15 % hard), forgotten → again;
- a session on a topic also exercises the topics it encompasses (the map's weights,
  multiplied along paths, times a transfer factor τ) as a fractional review, the same
  rule studyplan's implicit credit uses (τ = 1: the map is right; τ = 0.5: the map
  claims twice the transfer there really is; τ = 0: no transfer at all). Failing a
  topic harms nothing else.

Further learners, beyond the rule's own: a faster forgetter (true stability 0.6 × the
model's) and one who misses 10 % of days at random (`run(forgetting=…, missed=…)`).

The scheduler only sees the ratings (as the real one sees the log); with the graph off it
schedules every topic alone. Gate violations are counted independently of the scheduler:
a topic introduced before every topic of the earlier sections, its parent and its
prerequisites had been studied.

    python bench/learner.py [--days 180] [--seed 7] [--seeds 20] [--first 1]

With --seeds N it also runs seeds 1…N (from --first on: 21 for the 20 seeds the defaults
were not chosen on) and prints the mean and range of the changes.
"""

from __future__ import annotations

import argparse
import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from studyplan import graph, memory, schedule
from studyplan.model import DayStamp, Mark, Policy, Rating, Review, Roadmap
from studyplan.roadmap import parse

DATA = Path(__file__).resolve().parent.parent / "data"
TRANSFERS = (1.0, 0.5, 0.25, 0.0)  # the learner's real transfer, × the map's weights
START = date(2026, 1, 5)


@dataclass
class Outcome:
    sessions: int = 0  # every explicit study session
    reviews: int = 0  # sessions on topics already introduced
    minutes: int = 0
    introduced: int = 0
    violations: int = 0
    predicted: float = 0.0  # studyplan's mean recall of studied topics on the last day
    true: float = 0.0  # the simulated learner's
    below70: float = 0.0  # share of studied topics whose true recall on the last day < 70 %
    single: int = 0  # topics studied once and never again
    lost_checks: int = 0  # checks due the next day that were pushed away before that day
    transfer: float = 0.0  # studyplan's estimate of the transfer on the last day
    audits: int = 0  # reviews of credited topics it learned from
    audit_predicted: float = 0.0  # their mean predicted recall, with the credit
    audit_passed: float = 0.0  # the share of them that passed


def scaled(g: graph.Graph, factor: float) -> graph.Graph:
    return graph.Graph(tuple(e._replace(weight=e.weight * factor) for e in g.edges))


def violates(card_id: str, roadmap: Roadmap, g: graph.Graph, studied: set[str]) -> bool:
    card = roadmap.by_id()[card_id]
    before = [
        c.id
        for c in roadmap.cards
        if c.section is not None
        and card.section is not None
        and c.section < card.section
        and c.mark not in (Mark.DONE, Mark.SKIPPED)
    ]
    needed = [*before, *g.requires(card_id), *([card.parent] if card.parent else [])]
    return any(other not in studied for other in needed)


def draw(seed: int, card: str, session: int, what: str) -> float:
    """A uniform draw fixed by the seed, the card and its session number: graph on and
    off meet the same luck on the same session of a topic (common random numbers), so
    their difference is the scheduler's, not the dice's."""
    digest = hashlib.blake2b(f"{seed}/{card}/{session}/{what}".encode(), digest_size=8)
    return int.from_bytes(digest.digest()) / 2**64


def run(
    roadmap: Roadmap,
    g: graph.Graph,
    on: bool,
    transfer: float,
    days: int,
    seed: int,
    direct: bool = False,
    oracle: bool = False,
    forgetting: float = 1.0,
    missed: float = 0.0,
) -> Outcome:
    """One learner for `days`. With `direct`, the learner's real transfer is weaker and of
    another shape than the rule studyplan assumes: along direct links only (no paths),
    and only to a prerequisite still remembered (true recall ≥ 50 %). With `oracle`,
    studyplan is told the real transfer (`transfer` in the config) instead of learning
    it: the most that calibration could reach. With `forgetting` < 1 the learner forgets
    faster than FSRS-6's defaults say (true stability × forgetting); with `missed`, that
    share of days goes unstudied (the same days with graph on and off)."""
    policy = Policy(fuzz=True, graph=on, transfer=transfer if oracle else None)
    truth_policy = Policy(
        fuzz=False, graph=True, credit_max_difficulty=10.0, penalty=0.0, transfer=1.0
    )
    learned = memory.Calibration()  # what studyplan learns of the transfer from its audits
    truth_graph = scaled(g, transfer)
    scheduler = memory.Fsrs(policy)
    seen: dict[str, memory.Memory] = {}  # what studyplan knows (from the ratings)
    truth: dict[str, memory.Memory] = {}  # the learner's memory
    studied: set[str] = set()
    sessions: dict[str, int] = {}
    out = Outcome()
    used = g if on else graph.EMPTY_GRAPH
    pending: set[str] = set()  # cards with a check due today

    def true_recall(card: str, day: date) -> float:
        held = truth.get(card, memory.EMPTY)
        since = held.since or held.last
        if held.stability is None or since is None:
            return 0.0
        return scheduler.recall(held.stability * forgetting, since, day)

    for offset in range(days):
        day = START + timedelta(days=offset)
        for card in pending:  # a check issued yesterday must be due today
            due = seen[card].due
            out.lost_checks += due is None or due > day
        pending = set()
        if missed and draw(seed, "day", offset, "missed") < missed:
            continue
        q = schedule.queue(
            roadmap, memory.states(roadmap, seen), day, policy, graph=used, calibration=learned
        )
        for n, entry in enumerate((*q.reviews, *q.new)):
            card = entry.card.id
            if entry.new:
                out.introduced += 1
                out.violations += violates(card, roadmap, g, studied)
                rating = Rating.GOOD
            else:
                out.reviews += 1
                recall = true_recall(card, day)
                session = sessions.get(card, 0)
                if draw(seed, card, session, "recall") < recall:
                    kind = draw(seed, card, session, "rating")
                    rating = (
                        Rating.HARD if kind < 0.15 else Rating.EASY if kind > 0.85 else Rating.GOOD
                    )
                else:
                    rating = Rating.AGAIN
            at = datetime(day.year, day.month, day.day, 8, tzinfo=UTC) + timedelta(minutes=n)
            review = Review(f"{offset:03d}-{n:02d}", card, rating, at, minutes=entry.minutes)
            stamp = DayStamp(review, day)
            known = seen.get(card)
            if on and known is not None and known.credits and known.explicit is not None:
                out.audit_predicted += memory.recall(known, scheduler, day) or 0.0
                out.audit_passed += rating >= Rating.HARD
                out.audits += 1
            touched = memory.apply(seen, stamp, policy, scheduler, used, learned)
            tomorrow = day + timedelta(days=1)
            pending |= {c for c in touched if seen[c].check and seen[c].due == tomorrow}
            if direct:
                memory.apply(truth, stamp, truth_policy, scheduler)
                if rating >= Rating.GOOD:
                    for edge in g.direct(card):
                        before = truth.get(edge.target)
                        held = memory.recall(before, scheduler, day) if before else None
                        if before is not None and held is not None and held >= 0.5:
                            truth[edge.target] = memory.credited(
                                before, edge.weight * transfer, day, truth_policy, scheduler
                            )
            else:
                memory.apply(truth, stamp, truth_policy, scheduler, truth_graph)
            studied.add(card)
            sessions[card] = sessions.get(card, 0) + 1
            out.sessions += 1
            out.minutes += entry.minutes

    last = START + timedelta(days=days - 1)
    predicted = [memory.recall(seen[c], scheduler, last) or 0.0 for c in studied]
    true = [true_recall(c, last) for c in studied]
    out.predicted = sum(predicted) / len(predicted)
    out.true = sum(true) / len(true)
    out.below70 = sum(1 for r in true if r < 0.7) / len(true)
    out.single = sum(1 for n in sessions.values() if n == 1)
    out.transfer = memory.transfer(policy, learned)
    if out.audits:
        out.audit_predicted /= out.audits
        out.audit_passed /= out.audits
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--seeds", type=int, default=0, help="also summarise seeds 1…N")
    parser.add_argument("--first", type=int, default=1, help="the first seed summarised")
    args = parser.parse_args()
    roadmap = parse((DATA / "ml-learning-path.md").read_text(encoding="utf-8"), "ml")
    name = "ml-learning-path.prerequisites.toml"
    refs, problems = graph.map_refs((DATA / name).read_text(encoding="utf-8"), name)
    g = graph.build(roadmap, refs)
    if problems or g.problems:
        raise SystemExit(f"the bundled map has problems: {[*problems, *g.problems]}")
    print(
        f"{len(roadmap.cards)} topics, {len(g.edges)} links, {args.days} days, seed {args.seed}; "
        "defaults: 2 new a day, 20 reviews a day, retention 0.9, fuzz on"
    )
    for transfer in TRANSFERS:
        off = run(roadmap, g, False, transfer, args.days, args.seed)
        on = run(roadmap, g, True, transfer, args.days, args.seed)
        print(f"\nlearner transfer τ = {transfer:g}")
        print(f"{'':34}{'graph off':>12}{'graph on':>12}{'change':>10}")
        rows = [
            ("explicit reviews", off.reviews, on.reviews),
            ("sessions (reviews + new)", off.sessions, on.sessions),
            ("minutes", off.minutes, on.minutes),
            ("topics introduced", off.introduced, on.introduced),
            ("gate violations", off.violations, on.violations),
            ("topics without a second session", off.single, on.single),
            ("checks pushed away before their day", off.lost_checks, on.lost_checks),
        ]
        for label, a, b in rows:
            change = f"{(b - a) / a:+.1%}" if a else "-"
            print(f"{label:34}{a:>12}{b:>12}{change:>10}")
        for label, x, y in (
            ("mean predicted recall, day 180", off.predicted, on.predicted),
            ("mean true recall, day 180", off.true, on.true),
            ("studied topics below 70 % true recall", off.below70, on.below70),
        ):
            print(f"{label:34}{x:>12.1%}{y:>12.1%}{(y - x) * 100:>+9.1f}pp")
        print(
            f"transfer learned by day 180: {on.transfer:.2f}, from {on.audits} audits "
            f"(predicted recall {on.audit_predicted:.1%}, passed {on.audit_passed:.1%})"
        )
    if args.seeds:
        summarise(roadmap, g, args.days, range(args.first, args.first + args.seeds))


def summarise(roadmap: Roadmap, g: graph.Graph, days: int, seeds: range) -> None:
    print(f"\nseeds {seeds.start}-{seeds.stop - 1}: mean [min, max] of graph on minus off")
    for transfer in TRANSFERS:
        _summary_row(roadmap, g, days, seeds, transfer, direct=False)
    print("transfer along direct links only, and only to a prerequisite still remembered:")
    for transfer in TRANSFERS[:-1]:
        _summary_row(roadmap, g, days, seeds, transfer, direct=True)
    print("a faster forgetter (true stability 0.6 × FSRS-6's):")
    for transfer in (0.5, 0.25):
        _summary_row(roadmap, g, days, seeds, transfer, direct=False, forgetting=0.6)
    print("10 % of days missed:")
    for transfer in (0.5, 0.25):
        _summary_row(roadmap, g, days, seeds, transfer, direct=False, missed=0.1)
    print("studyplan told the real transfer instead of learning it (the most calibration reaches):")
    for transfer in TRANSFERS:
        _summary_row(roadmap, g, days, seeds, transfer, direct=False, oracle=True)


def _summary_row(
    roadmap: Roadmap,
    g: graph.Graph,
    days: int,
    seeds: range,
    transfer: float,
    direct: bool,
    oracle: bool = False,
    forgetting: float = 1.0,
    missed: float = 0.0,
) -> None:
    columns: dict[str, list[float]] = {
        "explicit reviews %": [],
        "minutes %": [],
        "true recall pp": [],
        "below 70 % pp": [],
        "single sessions": [],
        "lost checks": [],
        "gate violations": [],
        "learned τ": [],
        "audits predicted − passed pp": [],
    }
    for seed in seeds:
        off = run(
            roadmap, g, False, transfer, days, seed,
            direct=direct, forgetting=forgetting, missed=missed,
        )  # fmt: skip
        on = run(
            roadmap, g, True, transfer, days, seed,
            direct=direct, oracle=oracle, forgetting=forgetting, missed=missed,
        )  # fmt: skip
        columns["explicit reviews %"].append((on.reviews - off.reviews) / off.reviews * 100)
        columns["minutes %"].append((on.minutes - off.minutes) / off.minutes * 100)
        columns["true recall pp"].append((on.true - off.true) * 100)
        columns["below 70 % pp"].append((on.below70 - off.below70) * 100)
        columns["single sessions"].append(on.single - off.single)
        columns["lost checks"].append(on.lost_checks)
        columns["gate violations"].append(on.violations)
        columns["learned τ"].append(on.transfer)
        columns["audits predicted − passed pp"].append((on.audit_predicted - on.audit_passed) * 100)
    cells = [
        f"{label} {sum(v) / len(v):+.2f}"
        if label == "learned τ"
        else f"{label} {sum(v) / len(v):+.1f} [{min(v):+.1f}, {max(v):+.1f}]"
        for label, v in columns.items()
    ]
    print(f"τ = {transfer:<4g} " + " · ".join(cells))


if __name__ == "__main__":
    main()
