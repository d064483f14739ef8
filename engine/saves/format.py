"""Save files: the run as an event log on disk, written atomically, read defensively.

Owns: the save format (`format: 1`, documented in docs/saves.md), turning a run's states
into a `SaveFile` (`make_save`), text <-> `SaveFile` (`dump_save`, `parse_save`), the
format migrations, atomic writes with a backup copy, slot names and the saves folder.
It is the only module that reads the clock. It does not replay: loading a save means
replaying its steps, which `replay.py` does.

A save never refers to a choice by its position, only by the node id and choice id, so
adding choices to a story keeps old saves valid.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from engine.compiler.yamlread import YList, YMap, parse_text
from engine.diagnostics import Diagnostics, Pos, did_you_mean
from engine.errors import UserError
from engine.runtime.model import Story
from engine.runtime.rules import survivors
from engine.runtime.state import GameState, state_digest

__all__ = [
    "AUTOSAVE_SLOT",
    "FORMAT_VERSION",
    "MIGRATIONS",
    "MIN_FORMAT_VERSION",
    "SaveError",
    "SaveFile",
    "SavedStep",
    "backup_path",
    "default_saves_dir",
    "dump_save",
    "list_slots",
    "make_save",
    "migrate",
    "parse_save",
    "read_save",
    "register_migration",
    "resolve_save",
    "slot_path",
    "utc_now",
    "write_save",
]

FORMAT_VERSION = 1
MIN_FORMAT_VERSION = 1
AUTOSAVE_SLOT = "autosave"
MAX_SAVE_BYTES = 8 * 1024 * 1024
SUFFIX = ".yaml"
BACKUP_SUFFIX = ".bak.yaml"
_SLOT_CHARS = re.compile(r"^[A-Za-z0-9_.\-]+$")
_MAX_SLOT_LENGTH = 100
_DIGEST = re.compile(r"^[0-9a-f]{16}$")
_PLAIN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*$")
_STR_TAG = "tag:yaml.org,2002:str"
_resolver: Any = yaml.resolver.Resolver()


class SaveError(UserError):
    """A save file that cannot be used: names the file (and place) and what is wrong."""

    def __init__(self, where: str | Path | Pos, problem: str, hint: str | None = None) -> None:
        super().__init__(f"{where}: {problem}", hint=hint)
        self.path = where.path if isinstance(where, Pos) else str(where)
        self.problem = problem


@dataclass(frozen=True)
class SavedStep:
    """One step of a run: the node it was taken at, the choice id, the state digest after."""

    node: str
    choice: str
    digest: str


@dataclass(frozen=True)
class SaveFile:
    """A saved run. `source` is the file it was read from (None when built in memory)."""

    format: int
    story_id: str
    fingerprint: str
    seed: int
    steps: tuple[SavedStep, ...]
    slot: str | None
    created: str
    updated: str
    episode: int
    survivors: int
    ending: str | None
    source: str | None = field(default=None, compare=False)


# --- the clock (read only here) ---


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, to the second: 2024-05-01T12:00:00Z."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_save(
    story: Story,
    seed: int,
    states: Sequence[GameState],
    slot: str | None,
    created: str | None = None,
    *,
    now: str | None = None,
) -> SaveFile:
    """A save of the run whose states are `states` (the initial state, then one per step).

    `created` keeps the first save time of a slot (default: now); `now` replaces the
    clock (for tests). Raises ValueError when `states` do not form one run.
    """
    if not states:
        raise ValueError("make_save needs at least the initial state")
    final = states[-1]
    taken = final.steps()
    if states[0].turn != 0 or len(taken) != len(states) - 1:
        raise ValueError(f"{len(states)} states do not form one run from the initial state")
    steps = tuple(
        SavedStep(node, choice, state_digest(story, state))
        for (node, choice), state in zip(taken, states[1:], strict=True)
    )
    stamp = now or utc_now()
    ending = story.nodes[final.node].ending
    return SaveFile(
        format=FORMAT_VERSION,
        story_id=story.id,
        fingerprint=story.fingerprint,
        seed=seed,
        steps=steps,
        slot=slot,
        created=created or stamp,
        updated=stamp,
        episode=final.episode,
        survivors=survivors(final),
        ending=ending.id if ending else None,
    )


# --- writing ---


def _scalar(value: object) -> str:
    """A YAML scalar that reads back as exactly `value` (quoted when it must be)."""
    if value is None:
        return "null"
    if isinstance(value, bool | int):
        return str(value).lower() if isinstance(value, bool) else str(value)
    text = str(value)
    if _PLAIN.match(text) and _resolver.resolve(yaml.ScalarNode, text, (True, False)) == _STR_TAG:
        return text
    return yaml.safe_dump(text, default_style='"', width=10_000).strip()


def dump_save(save: SaveFile) -> str:
    """The save as the YAML text written to disk (docs/saves.md shows an example)."""
    head = [
        "# Hyosan save (docs/saves.md). Loading it replays these steps through the story.",
        f"format: {FORMAT_VERSION}",
        f"story: {_scalar(save.story_id)}",
        f"fingerprint: {_scalar(save.fingerprint)}",
        f"seed: {save.seed}",
        f"slot: {_scalar(save.slot)}",
        f"created: {_scalar(save.created)}",
        f"updated: {_scalar(save.updated)}",
        f"episode: {save.episode}",
        f"survivors: {save.survivors}",
        f"ending: {_scalar(save.ending)}",
        "steps:" + (" []" if not save.steps else ""),
    ]
    body = [
        f"  - {{node: {_scalar(s.node)}, choice: {_scalar(s.choice)}, digest: {_scalar(s.digest)}}}"
        for s in save.steps
    ]
    # Written last: a file cut short loses this line, so truncation is always detected.
    tail = [f"end: {len(save.steps)}", ""]
    return "\n".join(head + body + tail)


def backup_path(path: Path) -> Path:
    """Where `write_save(..., backup=True)` keeps the previous copy: `<slot>.bak.yaml`."""
    name = path.name[: -len(SUFFIX)] if path.name.endswith(SUFFIX) else path.name
    return path.with_name(name + BACKUP_SUFFIX)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows cannot open a folder; the rename is still atomic
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write(path: Path, data: bytes) -> None:
    """Temporary file in the same folder, flush + fsync, rename over `path`, fsync the folder."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def write_save(path: Path, save: SaveFile, *, backup: bool = False) -> None:
    """Write `save` to `path` atomically: a crash at any moment leaves a whole file.

    With `backup`, the file being replaced is first copied (atomically too) to
    `backup_path(path)`. A file at `path` that is not a readable save is never
    overwritten: SaveError says so, and the user decides what to do with it.

    Raises SaveError when the file cannot be written or the old one is damaged.
    """
    data = dump_save(save).encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        old = path.read_bytes() if path.is_file() else None
        if old is not None:
            _refuse_damaged(path, old)
            if backup:
                _atomic_write(backup_path(path), old)
        elif path.exists():
            raise SaveError(path, "this is a folder, not a save file")
        _atomic_write(path, data)
    except OSError as exc:
        raise SaveError(path, f"cannot write the save: {exc.strerror or exc}") from exc


def _refuse_damaged(path: Path, old: bytes) -> None:
    try:
        _parse_bytes(old, str(path))
    except SaveError as exc:
        raise SaveError(
            path,
            f"will not overwrite this file, it is not a readable save ({exc.problem})",
            hint="move it away (or repair it) and save again, or save to another slot",
        ) from exc


# --- reading ---


def read_save(path: Path) -> SaveFile:
    """Read and check the save at `path` (migrating older formats in memory).

    Raises SaveError naming the file and what is wrong with it; never changes the file.
    """
    try:
        if path.is_dir():
            raise SaveError(path, "this is a folder, not a save file")
        size = path.stat().st_size
        if size > MAX_SAVE_BYTES:
            raise SaveError(path, f"the file is {size / 1e6:.1f} MB; saves are far smaller")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise SaveError(path, "no such save file", hint=_listing_hint(path)) from exc
    except OSError as exc:
        raise SaveError(path, f"cannot read the file: {exc.strerror or exc}") from exc
    save = _parse_bytes(data, str(path))
    return dataclasses.replace(save, source=str(path))


def _listing_hint(path: Path) -> str | None:
    folder = path.parent if path.parent.is_dir() else None
    if folder is None:
        return None
    names = [p.name[: -len(SUFFIX)] for p in folder.glob("*" + SUFFIX)]
    guess = did_you_mean(path.name.removesuffix(SUFFIX), names)
    return f"did you mean {guess}?" if guess else None


def _parse_bytes(data: bytes, name: str) -> SaveFile:
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

Format 1 is the first format, so the registry is empty; docs/saves.md gives the policy
and tests/test_saves_migration.py drives the machinery with a synthetic format 0."""


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


_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # key: (type, may be null)
    "format": (int, False),
    "story": (str, False),
    "fingerprint": (str, False),
    "seed": (int, False),
    "slot": (str, True),
    "created": (str, False),
    "updated": (str, False),
    "episode": (int, False),
    "survivors": (int, False),
    "ending": (str, True),
    "steps": (list, False),
    "end": (int, False),
}
_STEP_FIELDS = ("node", "choice", "digest")


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
    )


def _yaml_hint(code: str) -> str:
    if code == "E006":
        return "the file holds no save; restore it from its .bak.yaml copy if there is one"
    return "correct the YAML there, or restore the file from its .bak.yaml copy"


def _as_ymap(data: dict[str, Any], original: YMap) -> YMap:
    if isinstance(data, YMap):
        return data
    out = YMap(data)
    out.pos, out.key_pos, out.val_pos = original.pos, original.key_pos, original.val_pos
    out.val_style = original.val_style
    return out


def _check_fields(data: YMap, name: str) -> None:
    if "end" not in data:  # checked first: a cut-off file fails every other check too
        raise SaveError(
            name, "missing key end: (the file looks cut short)", hint=_missing_hint("end")
        )
    for key in data:
        if key not in _FIELDS:
            guess = did_you_mean(key, _FIELDS)
            raise SaveError(
                data.key_pos.get(key, data.pos),
                f'unknown key "{key}"' + (f"; did you mean {guess}?" if guess else ""),
            )
    for key, (want, nullable) in _FIELDS.items():
        if key not in data:
            raise SaveError(name, f"missing key {key}:", hint=_missing_hint(key))
        value = data[key]
        if value is None and nullable:
            continue
        if key in ("created", "updated") and isinstance(value, datetime):
            continue
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
        if key not in _STEP_FIELDS:
            raise SaveError(pos, f'step {index}: unknown key "{key}"')
    for key in _STEP_FIELDS:
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


# --- slots and the saves folder ---


def default_saves_dir() -> Path:
    """The folder slot names refer to: $HYOSAN_SAVES, else the project's `saves/` (beside
    `story/`), the same folder `hyosan play` autosaves into."""
    if os.environ.get("HYOSAN_SAVES"):
        return Path(os.environ["HYOSAN_SAVES"])
    from engine import BUNDLED_STORY

    return BUNDLED_STORY.parent / "saves"


def _slot_problem(slot: str) -> str | None:
    if not slot:
        return "a slot name cannot be empty"
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in slot):
        return "a slot name cannot hold control characters"
    if slot.startswith("/") or Path(slot).is_absolute() or re.match(r"^[A-Za-z]:", slot):
        return "a slot name is a name, not an absolute path"
    if "/" in slot or "\\" in slot:
        return 'a slot name cannot hold "/" or "\\"'
    if ".." in slot:
        return 'a slot name cannot hold ".."'
    if slot.startswith("."):
        return 'a slot name cannot start with "."'
    if not _SLOT_CHARS.match(slot):
        return "a slot name holds only ASCII letters, digits, - _ and ."
    if len(slot) > _MAX_SLOT_LENGTH:
        return f"a slot name has at most {_MAX_SLOT_LENGTH} characters"
    if slot.endswith(".bak"):
        return 'a slot name cannot end in ".bak" (that is how backups are named)'
    return None


def slot_path(saves_dir: Path, slot: str) -> Path:
    """The file of `slot` in `saves_dir` (`<slot>.yaml`); a trailing `.yaml` is allowed.

    Raises SaveError for a name that could escape the folder or is otherwise unusable.
    """
    name = slot[: -len(SUFFIX)] if slot.endswith(SUFFIX) else slot
    problem = _slot_problem(name)
    if problem is not None:
        raise SaveError(
            repr(slot),
            problem,
            hint="use letters, digits, - _ and . (for example: my-run_2)",
        )
    return saves_dir / (name + SUFFIX)


def resolve_save(saves_dir: Path, spec: str) -> Path:
    """What `--load X` / `replay X` mean: a path to a file, or else a slot in `saves_dir`.

    A spec holding a path separator, or naming an existing file, is a path; anything
    else must be a valid slot name. Raises SaveError for a bad slot name.
    """
    if "/" in spec or os.sep in spec or Path(spec).is_file():
        return Path(spec)
    return slot_path(saves_dir, spec)


def _sort_key(entry: tuple[Path, SaveFile | SaveError]) -> float:
    path, save = entry
    if isinstance(save, SaveFile):
        with contextlib.suppress(ValueError):
            stamp = datetime.fromisoformat(save.updated)
            return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def list_slots(saves_dir: Path) -> list[tuple[Path, SaveFile | SaveError]]:
    """Every save in `saves_dir` (backups and temporary files left out), newest first.

    A file that cannot be read is listed with its SaveError, so a menu can show it.
    """
    if not saves_dir.is_dir():
        return []
    entries: list[tuple[Path, SaveFile | SaveError]] = []
    for path in sorted(saves_dir.glob("*" + SUFFIX)):
        if path.name.startswith(".") or path.name.endswith(BACKUP_SUFFIX):
            continue
        try:
            entries.append((path, read_save(path)))
        except SaveError as exc:
            entries.append((path, exc))
    entries.sort(key=_sort_key, reverse=True)
    return entries
