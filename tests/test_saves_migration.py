"""Format migrations: one function per version step, applied in order when a save is read.

The machinery is driven with a synthetic format 0 (steps written as "node/choice"
strings, the story under `story_id`), then the real step from format 1 (no branch
files recorded, digests of scheme 1) to format 2."""

from __future__ import annotations

from typing import Any

import pytest

from engine.saves import format as saves
from engine.saves import parse as save_parse
from engine.saves.format import SavedStep, SaveError
from engine.saves.parse import migrate, parse_save, register_migration

DIGEST = "0123456789abcdef"

FORMAT_0 = f"""\
format: 0
story_id: saves-story
fingerprint: "0011223344556677"
seed: 5
created: "2024-05-01T12:00:00Z"
steps:
  - a.hall/classroom {DIGEST}
  - a.classroom/back {DIGEST}
"""


def zero_to_one(data: dict[str, Any]) -> dict[str, Any]:
    """The synthetic step: rename story_id, split the step strings, add the new keys."""
    data["story"] = data.pop("story_id")
    steps = []
    for text in data["steps"]:
        where, digest = text.split()
        node, choice = where.split("/")
        steps.append({"node": node, "choice": choice, "digest": digest})
    data["steps"] = steps
    data.update(slot=None, updated=data["created"], episode=1, survivors=0, ending=None)
    data["end"] = len(steps)
    return data


SYNTHETIC = {0: zero_to_one, 1: save_parse.MIGRATIONS[1]}


def test_format_0_save_is_migrated_to_the_current_format_when_read() -> None:
    save = parse_save(FORMAT_0, "old.yaml", migrations=SYNTHETIC, minimum=0)
    assert save.format == saves.FORMAT_VERSION == 2
    assert (save.story_id, save.seed, save.updated) == ("saves-story", 5, "2024-05-01T12:00:00Z")
    assert save.steps == (
        SavedStep("a.hall", "classroom", DIGEST),
        SavedStep("a.classroom", "back", DIGEST),
    )


def test_migrations_run_one_version_step_at_a_time_in_order() -> None:
    seen: list[int] = []

    def step(version: int) -> Any:
        def run(data: dict[str, Any]) -> dict[str, Any]:
            assert data["format"] == version
            seen.append(version)
            return data

        return run

    chain = {0: step(0), 1: step(1), 2: step(2)}
    out = migrate({"format": 0}, "x.yaml", migrations=chain, minimum=0, current=3)
    assert seen == [0, 1, 2] and out["format"] == 3


def test_a_missing_migration_step_is_reported() -> None:
    with pytest.raises(SaveError, match="no migration from save format 1 to 2"):
        migrate({"format": 0}, "x.yaml", migrations={0: dict}, minimum=0, current=2)


def test_without_the_migration_format_0_is_too_old_to_read() -> None:
    with pytest.raises(SaveError, match=r"x\.yaml: save format 0 is older .*\(formats 1-2\)"):
        parse_save(FORMAT_0, "x.yaml")


def test_register_migration_adds_to_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    one_to_two = save_parse.MIGRATIONS[1]
    monkeypatch.setattr(save_parse, "MIGRATIONS", {1: one_to_two})
    register_migration(0)(zero_to_one)
    registry = save_parse.MIGRATIONS
    assert registry == {0: zero_to_one, 1: one_to_two}
    assert parse_save(FORMAT_0, "x.yaml", minimum=0).format == 2


def test_the_shipped_registry_holds_the_step_from_format_1_to_2() -> None:
    assert (saves.MIN_FORMAT_VERSION, saves.FORMAT_VERSION) == (1, 2)
    assert set(save_parse.MIGRATIONS) == {1}


def test_a_format_1_save_reads_with_no_branches_and_digests_of_scheme_1() -> None:
    save = parse_save(FORMAT_0, "old.yaml", migrations=SYNTHETIC, minimum=0)
    assert (save.branches, save.digest_scheme) == ((), 1)
