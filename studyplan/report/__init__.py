"""`studyplan report`: a self-contained HTML page of where the learner stands. `data`
works out the values, `svg` and `page` draw them (all pure); `build` gathers them from
a study."""

from __future__ import annotations

from typing import TYPE_CHECKING

from studyplan.report import data

if TYPE_CHECKING:
    from studyplan.app import Study


def build(study: Study) -> data.Report:
    """Everything the page shows, as of the study's today."""
    from studyplan.progress import streak

    day = study.today
    states = study.states
    gate = study.gate
    locked = {card_id for card_id, state in states.items() if gate.locked(state)}
    roadmap = study.roadmap
    nodes = data.nodes(roadmap, states, day, locked)
    return data.Report(
        title=roadmap.title,
        roadmap=study.roadmap_path.name,
        day=day,
        heatmap=data.heatmap(study.standing.activity, day),
        streak=streak(study.standing.activity, day),
        sections=study.progress().sections,
        forecast=study.forecast(30),
        budget=study.policy.daily_minutes,
        retention=data.retention(study.all_stamps()),
        desired=study.policy.desired_retention,
        stability=data.stability(states.values()),
        nodes=nodes,
        edges=data.edges(study.graph, {n.id for n in nodes}),
    )
