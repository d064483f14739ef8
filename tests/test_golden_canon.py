"""The show's path through the bundled story, word for word: a blessed transcript.

`tests/golden/canon.txt` is the transcript `hyosan replay saves/canon.yaml --plain` prints
for the canon path (the show's choice at every turning point, the declared `canon: true`
choice elsewhere). Any change in the prose the show's path shows — a reworded line, a text
piece whose `if:` now picks another paragraph, a scene that no longer shows — fails this
test, so that it is seen in review. After reading the diff, rebuild the file with

    pytest tests/test_golden_canon.py --bless

(docs/testing.md). The file is never rewritten without `--bless`.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from engine import BUNDLED_STORY
from engine.compiler.loader import load_story
from engine.replay import replay_save, step_views
from engine.report.replay import transcript
from engine.runtime.canon import canon_path
from engine.saves.format import make_save

GOLDEN = Path(__file__).resolve().parent / "golden" / "canon.txt"
SHOWN_AS = Path("saves/canon.yaml")  # the header names the shipped save, not a temp file
FIXED_TIME = "2000-01-01T00:00:00+00:00"


def canon_transcript() -> str:
    story = load_story(BUNDLED_STORY)
    states = canon_path(story)
    save = make_save(story, 0, states, None, FIXED_TIME, now=FIXED_TIME)
    result = replay_save(story, save)
    views = step_views(story, result.states)
    return transcript("text", story, save, SHOWN_AS, result, views, True) + "\n"


def test_the_shows_path_reads_exactly_as_blessed(request: pytest.FixtureRequest) -> None:
    text = canon_transcript()
    if request.config.getoption("--bless"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(text, encoding="utf-8")
    assert GOLDEN.is_file(), "no blessed transcript yet: run pytest with --bless once"
    blessed = GOLDEN.read_text(encoding="utf-8")
    if text != blessed:
        diff = difflib.unified_diff(
            blessed.splitlines(), text.splitlines(), "blessed", "now", lineterm="", n=1
        )
        shown = "\n".join(list(diff)[:80])
        pytest.fail(
            "the show's path no longer reads as blessed (first differences below); if the "
            f"change is intended, rebuild with: pytest {Path(__file__).name} --bless\n{shown}"
        )


def test_the_blessed_transcript_reaches_the_shows_ending() -> None:
    blessed = GOLDEN.read_text(encoding="utf-8")
    story = load_story(BUNDLED_STORY)
    assert story.canon is not None and story.canon_ending is not None
    ending = story.nodes[canon_path(story)[-1].node].ending
    assert ending is not None and ending.title in blessed
