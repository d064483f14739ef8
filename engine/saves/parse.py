"""Reading save text back: YAML -> checked `SaveFile`, and migrations between formats.

Owns: `parse_save` and `parse_bytes` (every field checked, with the place of the first
problem), the migration registry (`register_migration`, `migrate`) and the refusal of
anything that is not a whole save. Raises `SaveError`; never touches a file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from engine.compiler.spec import SAVE, SAVE_STEP
from engine.compiler.yamlread import parse_text
from engine.compiler.ytree import YList, YMap
from engine.diagnostics import Diagnostics, did_you_mean
from engine.saves.format import FORMAT_VERSION, MIN_FORMAT_VERSION, SavedStep, SaveError, SaveFile

__all__ = ["MIGRATIONS", "Migration", "migrate", "parse_bytes", "parse_save", "register_migration"]

_DIGEST = re.compile(r"^[0-9a-f]{16}$")


def parse_bytes(data: bytes, name: str) -> SaveFile:
    if not data.strip():
        raise SaveError(name, "the file is empty; it holds no save")
    if b"\x00" in data:
        raise SaveError(name, f"the file is binary (a NUL byte at byte {data.index(0)}), not YAML")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SaveError(name, f"byte {exc.start} (0x{data[exc.start]:02x}) is not UTF-8") from exc
    return parse_save(text, name)


Migration = Callable[[dict[str, Any]], dict[str, Any]]
MIGRATIONS: dict[int, Migration] = {}
"""from-version -> function turning that version's data into the next version's.

docs/saves.md gives the policy; tests/test_saves_migration.py drives the machinery with a
synthetic format 0, and the real step from format 1 to 2."""


def register_migration(from_version: int) -> Callable[[Migration], Migration]:
    """Decorator: register the migration from `from_version` to `from_version + 1`."""

    def register(function: Migration) -> Migration:
        MIGRATIONS[from_version] = function
        return function

    return register


def migrate(
    data: dict[str, Any],
    name: str,
    *,
    migrations: dict[int, Migration] | None = None,
    minimum: int = MIN_FORMAT_VERSION,
    current: int = FORMAT_VERSION,
) -> dict[str, Any]:
    """Bring save data of any readable format up to `current`, one version step at a time.

    Raises SaveError for a format newer than `current` or older than `minimum`.
    """
    table = MIGRATIONS if migrations is None else migrations
    version = data.get("format")
    if not isinstance(version, int) or isinstance(version, bool):
        raise SaveError(name, f"format: expected a whole number, found {_kind(version)}")
    if version > current:
        raise SaveError(
            name,
            f"save format {version} is newer than this Hyosan can read (format {current})",
            hint="upgrade Hyosan to load this save",
        )
    if version < minimum:
        readable = f"format {current}" if minimum == current else f"formats {minimum}-{current}"
        raise SaveError(
            name,
            f"save format {version} is older than this Hyosan can read ({readable})",
            hint="load and save it once with an older Hyosan that reads both formats",
        )
    while version < current:
        step = table.get(version)
        if step is None:
            raise SaveError(name, f"no migration from save format {version} to {version + 1}")
        data = step(dict(data))
        version += 1
        data["format"] = version
    return data


@register_migration(1)
def _format_1_to_2(data: dict[str, Any]) -> dict[str, Any]:
    """Format 1 recorded no branch files, and its digests are of scheme 1: say so, so the
    replay checks them the way they were made."""
    data.setdefault("branches", [])
    data.setdefault("digest_scheme", 1)
    return data


def parse_save(
    text: str,
    name: str,
    *,
    migrations: dict[int, Migration] | None = None,
    minimum: int = MIN_FORMAT_VERSION,
) -> SaveFile:
    """Parse save text (named `name` in errors); raises SaveError for anything wrong."""
    diags = Diagnostics()
    data = parse_text(text, name, diags)
    if diags.items:
        first = diags.items[0]
        raise SaveError(first.pos, f"not valid YAML: {first.message}", hint=_yaml_hint(first.code))
    if not isinstance(data, YMap):
        raise SaveError(name, f"expected a mapping of save fields, found {_kind(data)}")
    if "format" not in data:
        raise SaveError(name, "missing key format: this does not look like a Hyosan save")
    data = _as_ymap(migrate(data, name, migrations=migrations, minimum=minimum), data)
    _check_fields(data, name)
    steps = tuple(_step(item, pos, index) for index, (item, pos) in _enumerate_steps(data, name))
    if data["end"] != len(steps):
        raise SaveError(
            data.at("end"),
            f"end: says {data['end']} steps but {len(steps)} are listed; the file was cut "
            "short or steps were removed",
            hint=f"if you removed steps on purpose, set end: {len(steps)}",
        )
    return SaveFile(
        format=data["format"],
        story_id=data["story"],
        fingerprint=data["fingerprint"],
        seed=data["seed"],
        steps=steps,
        slot=data["slot"],
        created=_timestamp(data, "created"),
        updated=_timestamp(data, "updated"),
        episode=data["episode"],
        survivors=data["survivors"],
        ending=data["ending"],
        branches=_branches(data),
        digest_scheme=_scheme(data),
    )


def _branches(data: YMap) -> tuple[str, ...]:
    found = data["branches"]
    if not all(isinstance(b, str) and b for b in found):
        raise SaveError(data.at("branches"), "branches: expected a list of file paths")
    return tuple(found)


def _scheme(data: YMap) -> int:
    if data["digest_scheme"] not in (1, 2):
        raise SaveError(
            data.at("digest_scheme"),
            f"digest_scheme: expected 1 or 2, found {data['digest_scheme']}",
        )
    return int(data["digest_scheme"])


def _yaml_hint(code: str) -> str:
    if code == "E006":
        return "the file holds no save; restore it from its .bak.yaml copy if there is one"
    return "correct the YAML there, or restore the file from its .bak.yaml copy"


def _as_ymap(data: dict[str, Any], original: YMap) -> YMap:
    if isinstance(data, YMap):
        return data
    out = YMap(data)
    out.take_places(original)
    return out


def _check_fields(data: YMap, name: str) -> None:
    if "end" not in data:  # checked first: a cut-off file fails every other check too
        raise SaveError(
            name, "missing key end: (the file looks cut short)", hint=_missing_hint("end")
        )
    for key in data:
        if key not in SAVE:
            guess = did_you_mean(key, SAVE)
            raise SaveError(
                data.key_pos.get(key, data.pos),
                f'unknown key "{key}"' + (f"; did you mean {guess}?" if guess else ""),
            )
    for key, spec in SAVE.items():
        if key not in data:
            raise SaveError(name, f"missing key {key}:", hint=_missing_hint(key))
        value = data[key]
        if value is None and spec.nullable:
            continue
        if key in ("created", "updated") and isinstance(value, datetime):
            continue
        want = spec.types[0]
        if not isinstance(value, want) or isinstance(value, bool):
            raise SaveError(
                data.at(key), f"{key}: expected {_TYPE_NAMES[want]}, found {_kind(value)}"
            )
    for key in ("episode", "survivors", "end"):
        if data[key] < 0:
            raise SaveError(data.at(key), f"{key}: expected zero or more, found {data[key]}")


def _missing_hint(key: str) -> str:
    if key == "end":
        return "restore the file from its .bak.yaml copy, or add end: with the number of steps"
    return f"add {key}: (docs/saves.md lists every key)"


def _enumerate_steps(data: YMap, name: str) -> list[tuple[int, tuple[Any, Any]]]:
    steps = data["steps"]
    positions = steps.item_pos if isinstance(steps, YList) else [data.at("steps")] * len(steps)
    return list(enumerate(zip(steps, positions, strict=True), start=1))


def _step(item: Any, pos: Any, index: int) -> SavedStep:
    if not isinstance(item, dict):
        raise SaveError(
            pos, f"step {index}: expected {{node, choice, digest}}, found {_kind(item)}"
        )
    for key in item:
        if key not in SAVE_STEP:
            raise SaveError(pos, f'step {index}: unknown key "{key}"')
    for key in SAVE_STEP:
        if key not in item:
            raise SaveError(pos, f"step {index}: missing key {key}:")
        if not isinstance(item[key], str):
            raise SaveError(pos, f"step {index}: {key}: expected text, found {_kind(item[key])}")
    if not _DIGEST.match(item["digest"]):
        raise SaveError(pos, f'step {index}: digest "{item["digest"]}" is not 16 hex digits')
    return SavedStep(item["node"], item["choice"], item["digest"])


def _timestamp(data: YMap, key: str) -> str:
    value = data[key]
    if isinstance(value, datetime):
        value = value.strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        datetime.fromisoformat(value)
    except ValueError as exc:
        raise SaveError(
            data.at(key), f'{key}: "{value}" is not an ISO 8601 time like 2024-05-01T12:00:00Z'
        ) from exc
    return str(value)


_TYPE_NAMES: dict[Any, str] = {
    int: "a whole number",
    str: "text",
    list: "a list",
}


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"true/false ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        return f'text ("{value[:40]}")'
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__
