"""A state machine over what a learner's devices, sync tools and hands do to a home:
review, undo, postpone, planned breaks, rename, repair, sync, conflict copies (plain, and
with a session only they hold), torn appends, deleted caches. Invariant: the reviews
counted are exactly those recorded and not undone, the snapshot agrees with a full read,
and no command prints a traceback."""

from __future__ import annotations

import json
import shutil
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from studyplan import store
from studyplan.cli import cli

ROADMAP = "# R\n## 1. A\n- [ ] Alpha\n- [ ] Beta\n- [ ] Gamma\n"
CARDS = ["alpha", "beta", "gamma"]
T0 = datetime(2026, 12, 1, 9, 0)


class Home(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp())
        self.home = self.folder / "home"
        self.home.mkdir()
        (self.home / "studyplan.toml").write_text(
            'timezone = "UTC"\nfuzz = false\ndevice = "laptop"\n', encoding="utf-8"
        )
        self.roadmap = self.folder / "road.md"
        self.roadmap.write_text(ROADMAP, encoding="utf-8")
        self.log = self.home / "log" / "laptop.toml"
        self.step = 0
        self.counted: dict[str, str] = {}  # review id -> card, recorded and not undone
        self.copies = 0
        self.gamma, self.renames = "gamma", 0  # the third card's id, renamed now and then

    def teardown(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def now(self) -> str:
        self.step += 1
        return (T0 + timedelta(hours=self.step)).isoformat()

    def cli(self, *args: str) -> str:
        result = CliRunner().invoke(
            cli,
            ["--home", str(self.home), "--roadmap", str(self.roadmap), "--now", self.now(), *args],
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            args,
            result.output,
        )
        assert "Traceback" not in result.output
        return result.stdout

    @rule(which=st.integers(0, 2), rating=st.sampled_from(["again", "hard", "good", "easy"]))
    def review(self, which: int, rating: str) -> None:
        card = [*CARDS[:2], self.gamma][which]
        self.cli("review", card, rating)
        ident = store.read_log(self.log).reviews[-1].id
        self.counted[ident] = card

    @rule()
    def undo(self) -> None:
        """Takes back the entry written last in this device's log among its counted
        reviews, postpones and breaks (repair may have appended a conflict copy's there)."""
        if not self.log.exists():
            self.cli("undo")
            return
        own = store.read_log(self.log)
        gone = {u.review for u in store.read_history(store.Home(self.home), cache=False).undos}
        text = self.log.read_bytes()
        candidates = [
            *(r.id for r in own.reviews if r.id in self.counted),
            *(p.id for p in own.postpones if p.id not in gone),
            *(a.id for a in own.aways if a.id not in gone),
        ]
        self.cli("undo")
        if candidates:
            last = max(candidates, key=lambda i: text.rfind(f'id = "{i}"'.encode()))
            self.counted.pop(last, None)

    @rule(which=st.integers(0, 2), days=st.integers(1, 5))
    def postpone(self, which: int, days: int) -> None:
        """Not now: an entry that moves a due day and counts no review."""
        card = [*CARDS[:2], self.gamma][which]
        if card in self.counted.values():
            self.cli("postpone", card, str(days))

    @rule(start=st.integers(0, 3), length=st.integers(0, 4))
    def away(self, start: int, length: int) -> None:
        """A planned break: an entry that plans nothing and counts no review."""
        first = (T0 + timedelta(hours=self.step + 1)).date() + timedelta(days=start)
        self.cli("away", first.isoformat(), (first + timedelta(days=length)).isoformat())

    @rule(extra=st.booleans())
    def conflict_copy(self, extra: bool) -> None:
        """A sync tool forks this device's log; the other side may hold a session more."""
        if not self.log.exists():
            return
        self.copies += 1
        copy = self.log.with_name(f"laptop (conflicted copy {self.copies}).toml")
        data = self.log.read_bytes()
        if extra:
            ident = f"c0ffee{self.copies:06x}"
            at = (T0 + timedelta(hours=self.step, minutes=30)).isoformat()
            data += (f'\n[[review]]\nid = "{ident}"\ncard = "beta"\nrating = "good"\n'
                     f"at = {at}+00:00\n").encode()  # fmt: skip
            self.counted[ident] = "beta"
        copy.write_bytes(data)

    @rule(which=st.integers(0, 2))
    def phone(self, which: int) -> None:
        """Another device's session arrives by sync (its own log, appended there)."""
        card = [*CARDS[:2], self.gamma][which]
        self.copies += 1
        ident = f"beef{self.copies:08x}"
        at = (T0 + timedelta(hours=self.step, minutes=10)).isoformat()
        entry = {
            "id": ident,
            "card": card,
            "rating": "good",
            "at": datetime.fromisoformat(at + "+00:00"),
        }
        path = self.home / "log" / "phone.toml"
        with store.locked(path):
            store.append(path, "review", entry)
        self.counted[ident] = card

    @rule()
    def rename(self) -> None:
        """Retitle the third topic in the roadmap, then move its history to the new id."""
        self.renames += 1
        title = f"Gamma {self.renames}"
        text = self.roadmap.read_text(encoding="utf-8").splitlines()
        text[-1] = f"- [ ] {title}"
        self.roadmap.write_text("\n".join(text) + "\n", encoding="utf-8")
        old, self.gamma = self.gamma, f"gamma-{self.renames}"
        if old in self.counted.values():
            self.cli("rename", old, title)
            self.counted = {k: (self.gamma if v == old else v) for k, v in self.counted.items()}

    @rule()
    def tear(self) -> None:
        if self.log.exists():
            with self.log.open("ab") as handle:
                handle.write(b'\n[[review]]\nid = "torn"\ncard = "alpha"\nrating = "go')

    @rule()
    def repair(self) -> None:
        self.cli("doctor", "--repair")

    @rule()
    def sync(self) -> None:
        self.cli("sync")

    @rule()
    def drop_cache(self) -> None:
        shutil.rmtree(store.Home(self.home).cache_dir, ignore_errors=True)

    @invariant()
    def counted_exactly_once(self) -> None:
        history = store.read_history(store.Home(self.home), cache=False)
        assert {r.id for r in history.effective()} == set(self.counted)
        rows = json.loads(self.cli("topics", "--json"))
        studied = {r["id"] for r in rows if r["status"] in ("due", "scheduled")}
        assert studied == set(self.counted.values())
        assert {r["id"] for r in rows} == {*CARDS[:2], self.gamma}


Home.TestCase.settings = settings(max_examples=40, stateful_step_count=15, deadline=None)
TestHome = Home.TestCase
