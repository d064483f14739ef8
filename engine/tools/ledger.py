"""The choice ledger: what simulated players chose, and who they kept alive.

Owns: the player model (`PlayerModel`, documented in docs/ledger.md), `compute_ledger`
(N seeded playthroughs under that model: per decision (node, choice) how often it was
taken, per node how many runs reached it, per character how many finished runs ended
with them alive, per ending how many runs reached it), the ledger's JSON form, and its
cache on disk (`ledger_for`): `<cache>/ledger/<story digest>-<seed>-<runs>.json`, where
the cache is `$HYOSAN_CACHE` (`off` disables it) or the user's cache folder
(`platformdirs.user_cache_path("hyosan")`). The story digest covers the story's files
(its fingerprint), the engine version and the player model, so editing the story makes
a new entry. A missing, stale or damaged entry is recomputed: the cache can only make
the ledger faster, never different. The same story, seed and runs always give the
same ledger. No printing: `engine.report.ledger` turns it into words.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from engine import __version__
from engine.runtime.model import Choice, Story
from engine.runtime.rules import available_choices, initial_state, is_ending, step, survivors
from engine.runtime.state import GameState

__all__ = [
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "MAX_CACHED",
    "MODEL",
    "Ledger",
    "LedgerTooLongError",
    "PlayerModel",
    "cache_folder",
    "cache_path",
    "compute_ledger",
    "ledger_for",
    "story_digest",
]

DEFAULT_RUNS = 1000
DEFAULT_SEED = 0
MAX_CACHED = 32  # ledgers kept in the cache; the least recently written go first
_FORMAT = "hyosan-ledger-1"


@dataclass(frozen=True)
class PlayerModel:
    """How a simulated player chooses (docs/ledger.md).

    At a turning point whose canon choice is offered, the player takes it with
    probability `canon_follow` (they have seen the show). Otherwise each offered choice
    is weighed by looking one step ahead: a choice after which k more characters are
    alive and with the group than now weighs `care ** k` (k is clamped to
    +-`max_swing`), so losing someone makes a choice `care` times less likely per
    person. Choices that change nobody's fate weigh 1: among them the pick is uniform.
    """

    canon_follow: float = 0.35
    care: float = 3.0
    max_swing: int = 3
    max_steps: int = 5_000  # a run with no ending after this many steps is unfinished

    def weight(self, before: int, after: int) -> float:
        k = max(-self.max_swing, min(self.max_swing, after - before))
        return float(self.care**k)


MODEL = PlayerModel()


class LedgerTooLongError(Exception):
    """The runs made more decisions than the budget allowed (`hyosan check` sets one)."""

    def __init__(self, budget: int) -> None:
        super().__init__(f"the simulated runs took more than {budget:,} decisions")
        self.budget = budget


@dataclass
class Ledger:
    """The counts of N simulated runs. Shares are counts over the matching totals."""

    story_id: str
    digest: str
    seed: int
    runs: int
    model: PlayerModel = MODEL
    decisions: dict[str, dict[str, int]] = field(default_factory=dict)  # node -> choice -> n
    reached: dict[str, int] = field(default_factory=dict)  # node -> runs that reached it
    alive: dict[str, int] = field(default_factory=dict)  # character -> finished runs alive
    endings: dict[str, int] = field(default_factory=dict)  # ending id -> runs
    finished: int = 0  # runs that reached an ending

    def share(self, node: str, choice: str) -> float | None:
        """The share of decisions at `node` that took `choice` (None: no run decided there)."""
        counts = self.decisions.get(node)
        total = sum(counts.values()) if counts else 0
        return counts.get(choice, 0) / total if counts and total else None

    def alive_share(self, character: str) -> float | None:
        """The share of finished runs in which `character` is alive at the end."""
        return self.alive.get(character, 0) / self.finished if self.finished else None

    def ending_share(self, ending: str) -> float | None:
        """The share of finished runs that reached the ending `ending`."""
        return self.endings.get(ending, 0) / self.finished if self.finished else None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["format"] = _FORMAT
        return data

    @classmethod
    def from_json(cls, data: Any) -> Ledger:
        """A ledger from `to_json`'s data; ValueError when it is not one."""
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            raise ValueError("not a ledger of this format")
        try:
            return cls(
                story_id=str(data["story_id"]),
                digest=str(data["digest"]),
                seed=int(data["seed"]),
                runs=int(data["runs"]),
                model=PlayerModel(**data["model"]),
                decisions={
                    str(n): {str(c): int(k) for c, k in counts.items()}
                    for n, counts in data["decisions"].items()
                },
                reached={str(n): int(k) for n, k in data["reached"].items()},
                alive={str(c): int(k) for c, k in data["alive"].items()},
                endings={str(e): int(k) for e, k in data["endings"].items()},
                finished=int(data["finished"]),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise ValueError(f"damaged ledger: {exc}") from exc


def story_digest(story: Story, model: PlayerModel = MODEL) -> str:
    """16 hex digits that change when the story's files, the engine or the model change."""
    text = f"{_FORMAT}\0{__version__}\0{story.fingerprint}\0{json.dumps(asdict(model))}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _pick(
    story: Story,
    state: GameState,
    offered: list[Choice],
    chooser: random.Random,
    model: PlayerModel,
) -> tuple[Choice, GameState]:
    """The model's choice at `state` and the state it leads to."""
    if len(offered) == 1:
        return offered[0], step(story, state, offered[0].id)[0]
    point = story.nodes[state.node].turning_point
    if point is not None and chooser.random() < model.canon_follow:
        for choice in offered:
            if choice.id == point.canon:
                return choice, step(story, state, choice.id)[0]
    outcomes = [step(story, state, c.id)[0] for c in offered]
    before = survivors(state)
    weights = [  # an untouched roster (the common case) keeps everyone: weight 1
        1.0 if s.roster is state.roster else model.weight(before, survivors(s)) for s in outcomes
    ]
    index = _weighted_index(weights, chooser.random())
    return offered[index], outcomes[index]


def _weighted_index(weights: list[float], draw: float) -> int:
    target = draw * sum(weights)
    for index, weight in enumerate(weights):
        target -= weight
        if target < 0:
            return index
    return len(weights) - 1


def compute_ledger(
    story: Story,
    runs: int = DEFAULT_RUNS,
    seed: int = DEFAULT_SEED,
    model: PlayerModel = MODEL,
    budget: int | None = None,
) -> Ledger:
    """Play `runs` simulated runs under `model`; run i uses game seed `seed + i`, and one
    generator seeded with `seed` makes every pick. Same arguments, same ledger.

    Raises LedgerTooLongError when the runs make more than `budget` decisions in all."""
    left = budget if budget is not None else -1
    chooser = random.Random(seed)
    decisions: Counter[tuple[str, str]] = Counter()
    reached: Counter[str] = Counter()
    alive: Counter[str] = Counter()
    endings: Counter[str] = Counter()
    finished = 0
    for run in range(runs):
        state = initial_state(story, (seed + run) & 0xFFFFFFFF)
        seen = {state.node}
        try:
            for _ in range(model.max_steps):
                if is_ending(story, state):
                    break
                offered = list(available_choices(story, state))
                if not offered:
                    break
                if left == 0:
                    raise LedgerTooLongError(budget or 0)
                left -= 1
                node = state.node
                choice, state = _pick(story, state, offered, chooser, model)
                decisions[(node, choice.id)] += 1
                seen.add(state.node)
        except LedgerTooLongError:
            raise
        except Exception:  # a run the engine cannot finish is left unfinished
            pass  # `hyosan randomtest` reports such runs with their seeds
        reached.update(seen)
        if is_ending(story, state):
            finished += 1
            ending = story.nodes[state.node].ending
            assert ending is not None
            endings[ending.id] += 1
            alive.update(c for c, s in zip(story.cast_ids, state.roster, strict=True) if s.is_alive)
    return Ledger(
        story_id=story.id,
        digest=story_digest(story, model),
        seed=seed,
        runs=runs,
        model=model,
        decisions=_by_node(story, decisions),
        reached={n: reached[n] for n in story.nodes if reached[n]},
        alive={c: alive[c] for c in story.cast_ids},
        endings={e.ending.id: endings[e.ending.id] for e in story.endings() if e.ending},
        finished=finished,
    )


def _by_node(story: Story, counts: Counter[tuple[str, str]]) -> dict[str, dict[str, int]]:
    """Counts per node then choice, in story order, every choice of a decided node listed."""
    out: dict[str, dict[str, int]] = {}
    for node in story.nodes.values():
        row = {c.id: counts[(node.id, c.id)] for c in node.choices}
        if any(row.values()):
            out[node.id] = row
    return out


def cache_folder() -> Path | None:
    """Where ledgers are cached, or None when caching is off (`HYOSAN_CACHE=off`)."""
    setting = os.environ.get("HYOSAN_CACHE", "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting) / "ledger"
    from platformdirs import user_cache_path  # only where the default folder is needed

    return user_cache_path("hyosan", appauthor=False) / "ledger"


def cache_path(story: Story, seed: int, runs: int, model: PlayerModel = MODEL) -> Path | None:
    """The cache file of this story's ledger for `seed` and `runs` (None: caching off)."""
    folder = cache_folder()
    return None if folder is None else folder / f"{story_digest(story, model)}-{seed}-{runs}.json"


_memory: dict[tuple[str, str, int, int | None], Ledger] = {}


def ledger_for(
    story: Story,
    runs: int | None = None,
    seed: int = DEFAULT_SEED,
    model: PlayerModel = MODEL,
    budget: int | None = None,
) -> Ledger:
    """The story's ledger: from memory, else the cache, else computed (and cached);
    `budget` bounds the computation (LedgerTooLongError).

    `runs=None` takes the largest cached ledger for this story and seed, else computes
    `DEFAULT_RUNS` runs; this is what the game asks for, so a `hyosan check
    --ledger-runs 5000` is what players then see.
    """
    key = (story.id, story_digest(story, model), seed, runs)
    known = _memory.get(key)
    if known is not None:
        return known
    ledger = _read_cached(story, runs, seed, model)
    if ledger is None:
        ledger = compute_ledger(story, DEFAULT_RUNS if runs is None else runs, seed, model, budget)
        _write_cached(story, ledger)
    if len(_memory) >= 8:
        _memory.clear()
    _memory[key] = ledger
    return ledger


def _read_cached(story: Story, runs: int | None, seed: int, model: PlayerModel) -> Ledger | None:
    folder = cache_folder()
    if folder is None:
        return None
    digest = story_digest(story, model)
    if runs is not None:
        candidates = [folder / f"{digest}-{seed}-{runs}.json"]
    else:
        try:
            found = [p for p in folder.glob(f"{digest}-{seed}-*.json") if _runs_of(p) > 0]
        except OSError:
            return None
        candidates = sorted(found, key=_runs_of, reverse=True)
    for path in candidates:
        try:
            ledger = Ledger.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if (ledger.digest, ledger.seed, ledger.story_id) == (digest, seed, story.id):
            return ledger
    return None


def _runs_of(path: Path) -> int:
    tail = path.stem.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _write_cached(story: Story, ledger: Ledger) -> None:
    path = cache_path(story, ledger.seed, ledger.runs, ledger.model)
    if path is None:
        return
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_text(json.dumps(ledger.to_json()), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:  # a cache that cannot be written only makes the next call slower
        with contextlib.suppress(OSError):
            temporary.unlink()
        return
    _prune(path.parent)


def _prune(folder: Path) -> None:
    """Keep the `MAX_CACHED` ledgers written last (every story edit makes a new one)."""
    with contextlib.suppress(OSError):
        entries = sorted(
            ((p.stat().st_mtime, p.name, p) for p in folder.glob("*.json")), reverse=True
        )
        for _, _, old in entries[MAX_CACHED:]:
            with contextlib.suppress(OSError):
                old.unlink()
