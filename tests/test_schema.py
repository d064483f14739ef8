"""The JSON Schema for story files: shipped, printed by `hyosan schema`, and right.

Validation uses the `jsonschema` package when it is installed (it is a test-only tool,
not a dependency of Hyosan); those tests skip with a reason when it is not.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from engine import BUNDLED_STORY
from engine.compiler import spec
from engine.compiler.loader import check_story, load_story
from engine.compiler.schema import SCHEMA_PATH, schema_text, story_schema

FIXTURES = Path(__file__).resolve().parent / "fixtures"
BROKEN_FOR_SCHEMA = sorted((FIXTURES / "tools_schema_broken").glob("*.yaml"))
# Fixtures of the checker's own whose problem is one of structure, which a schema can see.
STRUCTURAL_BROKEN = [
    "E010-unknown-effect",
    "E010-unknown-key",
    "E011-missing-field",
    "E011-missing-text",
    "E012-text-number",
    "E012-wrong-type",
    "E013-invalid-status",
    "E051-ending-with-choices",
    "E052-dead-end",
    "E055-canon-roster",
]
GOOD_STORIES = ["example", "tools_softlock", "tools_dead_choice", "tools_flag_ending", "tools_map"]


def _validator() -> Any:
    jsonschema = pytest.importorskip(
        "jsonschema", reason="jsonschema is not installed (pip install jsonschema)"
    )
    return jsonschema.Draft202012Validator(story_schema())


def _as_json(path: Path) -> Any:
    # JSON has only string keys: YAML's `1: dead` in a canon roster arrives as "1".
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


def _errors(path: Path) -> list[str]:
    return [e.message for e in _validator().iter_errors(_as_json(path))]


def test_shipped_schema_is_the_generated_one() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), (
        "regenerate it: hyosan schema > engine/data/story.schema.json"
    )


def test_schema_is_valid_draft_2020_12() -> None:
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is not installed")
    schema = story_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)
    for kind in ("manifest", "episode", "branch"):
        jsonschema.Draft202012Validator.check_schema(story_schema(kind))


def test_hyosan_schema_prints_it(run_cli: Any) -> None:
    result = run_cli("schema")
    assert result.code == 0
    assert json.loads(result.out) == story_schema()
    branch = json.loads(run_cli("schema", "--kind", "branch").out)
    assert branch["$ref"] == "#/$defs/branch"


@pytest.mark.parametrize(
    ("section", "definition"),
    [
        (spec.MANIFEST, "manifest"),
        (spec.EPISODE, "episode"),
        (spec.BRANCH, "branch"),
        (spec.NODE, "node"),
        (spec.CHOICE, "choice"),
        (spec.CHARACTER, "character"),
    ],
)
def test_schema_describes_exactly_the_keys_the_checker_reads_from_the_spec(
    section: spec.Section, definition: str
) -> None:
    properties = story_schema()["$defs"][definition]["properties"]
    assert set(properties) == set(section)
    required = story_schema()["$defs"][definition].get("required", [])
    assert required == list(spec.required(section))


def test_schema_knows_every_effect_the_compiler_compiles() -> None:
    from engine.compiler.effects import _HANDLERS

    effects = story_schema()["$defs"]["effect"]["oneOf"]
    assert {next(iter(e["properties"])) for e in effects} == set(_HANDLERS) == set(spec.EFFECTS)


def _bundled_files() -> list[Path]:
    return sorted(BUNDLED_STORY.rglob("*.yaml"))


@pytest.mark.parametrize("path", _bundled_files(), ids=lambda p: str(p.relative_to(BUNDLED_STORY)))
def test_schema_accepts_every_bundled_file(path: Path) -> None:
    assert _errors(path) == []


@pytest.mark.parametrize("story", GOOD_STORIES)
def test_schema_accepts_the_fixture_stories_and_their_branches(story: str) -> None:
    files = sorted((FIXTURES / story).rglob("*.yaml"))
    assert files
    for path in files:
        assert _errors(path) == [], path


@pytest.mark.parametrize("path", BROKEN_FOR_SCHEMA, ids=lambda p: p.stem)
def test_schema_rejects_each_broken_file(path: Path) -> None:
    assert _errors(path), f"{path.name} should not validate"


@pytest.mark.parametrize("name", STRUCTURAL_BROKEN)
def test_schema_rejects_the_checkers_structural_fixtures(name: str) -> None:
    folder = FIXTURES / "broken" / name
    if not folder.is_dir():
        pytest.skip(f"fixture {name} is gone")
    assert check_story(folder)[0] is None  # the checker refuses it too
    assert any(_errors(p) for p in folder.rglob("*.yaml")), name


def test_schema_accepts_a_new_branch_skeleton(run_cli: Any, tmp_path: Path) -> None:
    import shutil

    story = tmp_path / "story"
    shutil.copytree(FIXTURES / "example", story)
    assert run_cli("new-branch", "what-if", "--at", "two.roof", "--story", str(story)).code == 0
    assert _errors(story / "branches" / "what-if.yaml") == []
    load_story(story)
