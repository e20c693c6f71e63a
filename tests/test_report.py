"""`studyplan report`: the page and its pictures parse as XML, and their figures are the
ones `progress --json`, `forecast --json` and the log give."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from studyplan.model import DayStamp, Rating, Review
from studyplan.report import data, svg

from .conftest import Run

NS = {"h": "http://www.w3.org/1999/xhtml", "s": "http://www.w3.org/2000/svg"}


def page(run: Run, now: str) -> ET.Element:
    result = run("report", now=now)
    assert result.exit_code == 0, result.output
    doctype, rest = result.stdout.split("\n", 1)
    assert doctype == "<!DOCTYPE html>"
    assert "http://" not in rest.replace("http://www.w3.org/", "")  # nothing fetched
    assert "<script" not in rest
    return ET.fromstring(rest)


def _studied(run: Run) -> None:
    run("review", "Linear Algebra", "good", "--minutes", "40", now="2026-11-02T09:00")
    run("review", "Matrices and Vectors", "again", "--minutes", "25", now="2026-11-02T10:00")
    run("review", "Linear Algebra", "good", "--minutes", "30", now="2026-11-05T09:00")
    run("review", "Matrices and Vectors", "hard", "--minutes", "20", now="2026-11-03T09:00")
    run("review", "Matrices and Vectors", "again", now="2026-12-01T09:00")


def test_the_heatmap_holds_each_day_s_minutes_from_the_log(run: Run) -> None:
    _studied(run)
    root = page(run, "2026-12-01T20:00")
    cells = root.findall(".//s:rect[@data-day]", NS)
    assert len(cells) == 371
    studied = {c.get("data-day"): (c.get("data-reviews"), c.get("data-minutes")) for c in cells}
    assert {d: v for d, v in studied.items() if v != ("0", "0")} == {
        "2026-11-02": ("2", "65"),
        "2026-11-03": ("1", "20"),
        "2026-11-05": ("1", "30"),
        "2026-12-01": ("1", "0"),
    }
    shades = {c.get("data-day"): c.get("class") for c in cells}
    assert shades["2026-11-02"] == "heat l3"  # 65 min
    assert shades["2026-11-03"] == "heat l1"
    assert cells[-1].get("data-day") == "2026-12-01"


def test_the_knowledge_map_colours_topics_by_state(run: Run) -> None:
    _studied(run)
    root = page(run, "2026-12-01T20:00")
    dots = {c.get("data-id"): c.get("class") for c in root.findall(".//s:circle[@data-id]", NS)}
    progress = json.loads(run("progress", "--json", now="2026-12-01T20:00").stdout)
    total = sum(s["total"] for s in progress["sections"])
    assert len(dots) == total
    assert dots["matrices-and-vectors"].startswith("node learning")  # again today: due later
    assert dots["linear-algebra"] == "node overdue"
    assert dots["calculus"] == "node new"
    assert dots["eigenvalues-and-eigenvectors"] == "node new"
    assert sum(c.endswith("not-yet") for c in dots.values()) > 40
    edges = root.findall(".//s:line[@data-from]", NS)
    assert len(edges) > 100  # the bundled map


def test_the_forecast_and_retention_figures(run: Run) -> None:
    _studied(run)
    root = page(run, "2026-12-01T20:00")
    forecast = json.loads(run("forecast", "--days", "30", "--json", now="2026-12-01T20:00").stdout)
    tables = root.findall(".//h:table", NS)
    captions = {t.find("h:caption", NS).text: t for t in tables}  # type: ignore[union-attr]
    rows = [
        [td.text for td in tr.findall("h:td", NS)]
        for tr in captions["reviews and expected minutes falling due"].findall(
            ".//h:tbody/h:tr", NS
        )
    ]
    assert rows == [[d["date"], str(d["reviews"]), str(d["minutes"])] for d in forecast]
    months = [
        [td.text for td in tr.findall("h:td", NS)]
        for tr in captions["true retention by month"].findall(".//h:tbody/h:tr", NS)
    ]
    # By hand: November has two later-day reviews (Matrices hard on the 3rd, Linear
    # Algebra good on the 5th), both recalled; December one, rated again.
    assert months == [["2026-11", "2", "2", "100.0%"], ["2026-12", "1", "0", "0.0%"]]


def test_retention_by_month_by_hand() -> None:
    def stamp(card: str, day: date, rating: Rating, n: int) -> DayStamp:
        at = datetime(day.year, day.month, day.day, 9, n, tzinfo=UTC)
        return DayStamp(Review(f"r{n}", card, rating, at), day)

    stamps = [
        stamp("a", date(2026, 1, 30), Rating.GOOD, 0),  # first session: not counted
        stamp("a", date(2026, 1, 30), Rating.AGAIN, 1),  # same day: not counted
        stamp("a", date(2026, 2, 2), Rating.AGAIN, 2),
        stamp("b", date(2026, 2, 3), Rating.EASY, 3),  # first of b
        stamp("b", date(2026, 2, 9), Rating.HARD, 4),
        stamp("a", date(2026, 3, 1), Rating.GOOD, 5),
    ]
    assert data.retention(stamps) == (
        data.Month("2026-02", 2, 1),
        data.Month("2026-03", 1, 1),
    )


def test_svgs_are_well_formed_and_escape_titles() -> None:
    node = data.Node("x", 'A <b> & "c"', 1, "new", True)
    drawn = svg.knowledge_map([node], [])
    root = ET.fromstring(drawn)
    circle = root.find("s:circle", NS)
    assert circle is not None
    assert circle.get("class") == "node new credited"
    title = circle.find("s:title", NS)
    assert title is not None
    assert title.text == 'A <b> & "c" (new, credited)'
    ET.fromstring(svg.heatmap(data.heatmap({}, date(2026, 12, 1))))
    ET.fromstring(svg.forecast([], 60))


def test_report_to_a_file_is_guarded_like_plan(run: Run, tmp_path: Path) -> None:
    target = tmp_path / "report.html"
    target.write_text("mine\n", encoding="utf-8")
    refused = run("report", "-o", str(target), now="2026-12-01T20:00")
    assert refused.exit_code != 0
    assert target.read_text(encoding="utf-8") == "mine\n"
    target.unlink()
    assert run("report", "-o", str(target), now="2026-12-01T20:00").exit_code == 0
    assert run("report", "-o", str(target), now="2026-12-01T21:00").exit_code == 0  # ours
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("minutes", [0, 1, 30, 31, 60, 61, 120, 121])
def test_heat_levels(minutes: int) -> None:
    expected = {0: 0, 1: 1, 30: 1, 31: 2, 60: 2, 61: 3, 120: 3, 121: 4}
    assert svg.level(minutes) == expected[minutes]


def test_forecast_svg_is_the_report_s_own_drawing(run: Run, tmp_path: Path) -> None:
    _studied(run)
    target = tmp_path / "forecast.svg"
    result = run("forecast", "--days", "5", "--svg", str(target), now="2026-12-01T20:00")
    assert result.exit_code == 0
    root = ET.fromstring(target.read_text(encoding="utf-8"))
    bars = root.findall("s:rect", NS)
    forecast = json.loads(run("forecast", "--days", "5", "--json", now="2026-12-01T20:00").stdout)
    assert [float(b.get("data-value", "")) for b in bars] == [float(d["minutes"]) for d in forecast]


def test_the_dashboard_note_renders_without_plugins_and_its_ticks_log(
    run: Run, tmp_path: Path, sealed_home: Path
) -> None:
    from .conftest import SEED

    vault = tmp_path / "Vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "ML Learning Path.md").write_bytes(SEED.read_bytes())
    assert run("init", "--vault", str(vault), "--roadmap", "ML Learning Path").exit_code == 0
    run("review", "Linear Algebra", "good", "--minutes", "40", now="2026-11-30T09:00")
    made = run("report", "--format", "md", now="2026-12-02T08:00")
    assert made.exit_code == 0, made.output
    folder = vault / "Study Plans"
    assert sorted(p.name for p in folder.iterdir()) == [
        "Study dashboard forecast.svg",
        "Study dashboard heatmap.svg",
        "Study dashboard retention.svg",
        "Study dashboard.md",
    ]
    for picture in folder.glob("*.svg"):
        ET.fromstring(picture.read_text(encoding="utf-8"))
    text = (folder / "Study dashboard.md").read_text(encoding="utf-8")
    assert "- [ ] [[ML Learning Path#📚 1. Prerequisites & Fundamentals|Linear Algebra]] · " in text
    assert "![[Study dashboard heatmap.svg]]" in text
    assert "```mermaid\nflowchart LR\n" in text
    for state in ("not_yet", "new", "learning", "mature", "due", "overdue"):
        assert f"  classDef {state} fill:" in text
    assert '    n_linear_algebra["Linear Algebra"]:::due' in text
    assert '    n_calculus["Calculus"]:::new' in text
    # Ticking a box of today's list logs it, as in the plan note.
    box = "[[ML Learning Path#📚 1. Prerequisites & Fundamentals|Linear Algebra]]"
    text = text.replace(f"- [ ] {box}", f"- [x] {box}")
    (folder / "Study dashboard.md").write_text(text, encoding="utf-8")
    logged = run("today", now="2026-12-02T09:00")
    assert logged.stderr == "Logged 1 review ticked in Study Plans/Study dashboard.md.\n"
    # The note was changed (a tick): it is not rewritten without --force.
    again = run("report", "--format", "md", now="2026-12-02T10:00")
    assert again.exit_code != 0
    assert "--force" in again.stderr
    assert run("report", "--format", "md", "--force", now="2026-12-02T10:00").exit_code == 0


def test_a_big_roadmap_s_map_is_folded_by_section(run: Run, tmp_path: Path) -> None:
    roadmap = tmp_path / "big.md"
    lines = ["# Big"]
    for section in range(1, 6):
        lines.append(f"## {section}. Part {section}")
        lines += [f"- [ ] Topic {section}-{n}" for n in range(40)]
    roadmap.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("report", now="2026-12-01T09:00", roadmap=roadmap)
    root = ET.fromstring(result.stdout.split("\n", 1)[1])
    folded = root.findall(".//h:details[@class='section']", NS)
    assert [d.get("data-section") for d in folded] == ["1", "2", "3", "4", "5"]
    first = folded[0].find("h:summary", NS)
    assert first is not None
    assert first.text == "§1 Part 1: 40 topics (40 new; 0 links to other sections)"
    second = folded[1].find("h:summary", NS)
    assert second is not None
    assert second.text == "§2 Part 2: 40 topics (40 not-yet; 0 links to other sections)"
    dots = root.findall(".//s:circle[@data-id]", NS)
    assert len(dots) == 200


def test_the_progress_table_is_progress_json(run: Run) -> None:
    _studied(run)
    root = page(run, "2026-12-01T20:00")
    progress = json.loads(run("progress", "--json", now="2026-12-01T20:00").stdout)
    table = next(
        t
        for t in root.findall(".//h:table", NS)
        if (t.find("h:caption", NS) is not None)
        and t.find("h:caption", NS).text == "studied and mature topics per section"  # type: ignore[union-attr]
    )
    rows = [
        [td.text for td in tr.findall("h:td", NS)][:3]
        for tr in table.findall(".//h:tbody/h:tr", NS)
    ]
    assert rows == [
        [f"§{s['section']} {s['title']}", f"{s['studied']}/{s['total']}", str(s["mature"])]
        for s in progress["sections"]
    ]
