"""`hyosan compare` with branch files: only the canon's turning points count into fidelity.

A branch file may add a scene with a turning point of its own behind a choice the canon
never takes. The canon has no choice there to match, so the comparison neither lists
nor scores it: a run through the branch that otherwise follows the canon keeps full
turning-point agreement (engine/canon/compare.py, `canon_turning_points`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from engine.canon.compare import compare_run, episode_summary
from engine.compiler.loader import load_story
from engine.runtime.canon import canon_path
from engine.runtime.model import Story
from engine.runtime.rules import initial_state, step
from engine.runtime.state import GameState

FIXTURE = Path(__file__).parent / "fixtures" / "compare"

BRANCH = """\
branch: side-door
add_choices:
  one.booth:
    - {id: side, text: Try the side door., goto: side.door}
nodes:
  side.door:
    text: The side door is jammed.
    turning_point:
      id: TP-SIDE
      title: The side door
      canon: force
      in_the_show: Nobody tried it.
    choices:
      - {id: force, text: Force it., goto: one.after}
      - {id: leave, text: Leave it., goto: one.after}
"""


def _story(tmp_path: Path) -> Story:
    folder = tmp_path / "story"
    shutil.copytree(FIXTURE, folder)
    (folder / "branches").mkdir()
    (folder / "branches" / "side.yaml").write_text(BRANCH, encoding="utf-8")
    return load_story(folder)


def _play(story: Story, choices: list[str]) -> list[GameState]:
    states = [initial_state(story, 0)]
    for choice in choices:
        states.append(step(story, states[-1], choice)[0])
    return states


def test_a_branch_turning_point_the_canon_never_meets_is_not_scored(tmp_path: Path) -> None:
    story = _story(tmp_path)
    canon = [choice for _node, choice in canon_path(story)[-1].steps()]
    assert canon[2] == "go"  # one.booth: the canon walks on, never to the side door
    through_branch = [*canon[:2], "side", "leave", *canon[3:]]
    run = _play(story, through_branch)
    assert "side.door" in {s.node for s in run}
    cmp = compare_run(story, run)
    assert [tp.id for tp in cmp.turning_points] == ["TP-A", "TP-B"]
    assert cmp.turning_point_score == 1.0
    assert "TP-SIDE" not in {tp.id for tp in episode_summary(story, run, 1).turning_points}


def test_the_storys_own_turning_points_still_count(tmp_path: Path) -> None:
    story = _story(tmp_path)
    canon = [choice for _node, choice in canon_path(story)[-1].steps()]
    run = _play(story, [canon[0], "ignore", *canon[3:]])
    cmp = compare_run(story, run)
    assert [tp.id for tp in cmp.turning_points if not tp.matches] == ["TP-A"]
    assert cmp.turning_point_score < 1.0
