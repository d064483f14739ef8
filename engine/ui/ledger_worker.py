"""The choice ledger computed on a worker thread while the game is played.

Owns: `LedgerWorker`, which the front ends start when play starts (and `--watch` again
after a reload), and `ledger_lines`, the ledger's lines for an episode end or the ending
(from `engine.report.ledger`). An episode end never waits for the ledger: without a
cached one it takes seconds to compute (about two on the bundled story). Until it is
ready, an episode end shows `PENDING` instead, and whether a scene shows the ledger is
decided the first time it is drawn, so a scene never changes under the reader: the
ledger shows at the next episode end. The thread never prints and never raises into
the game: a failure means no ledger. Transcripts, replays and games read from a pipe
start no worker: they compute the ledger in the foreground, the same on every run.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Hashable, Sequence

from engine.runtime.model import Story
from engine.runtime.state import GameState

__all__ = ["ENDING_PENDING", "PENDING", "LedgerWorker", "ledger_lines", "started"]

PENDING = "The choice ledger is still being computed; it shows at the next episode end."
ENDING_PENDING = "  (still being computed: `hyosan ledger` shows it)"

Compute = Callable[[Story], object]


def _ledger_for(story: Story) -> object:
    """The ledger the game's lines use (memory, else the cache, else computed)."""
    from engine.tools.ledger import ledger_for  # imported in the thread: start-up stays light

    return ledger_for(story)


class LedgerWorker:
    """Computes `story`'s choice ledger on a daemon thread (`compute`: for tests).

    `after`: a worker this one replaces; its computation finishes first (never two at
    once), and a worker replaced before it began computes nothing."""

    def __init__(
        self,
        story: Story,
        compute: Compute | None = None,
        after: LedgerWorker | None = None,
        delay: float = 0.0,
    ) -> None:
        self.story = story
        self.delay = delay  # seconds to wait first, so the first screen is drawn at full speed
        self.failed = False  # the computation raised (or was skipped): no ledger
        self._compute = compute or _ledger_for
        self._after = after
        self._done = threading.Event()
        self._replaced = threading.Event()
        self._decided: dict[Hashable, str] = {}
        self._thread = threading.Thread(target=self._run, name="hyosan-ledger", daemon=True)

    @classmethod
    def start(
        cls,
        story: Story,
        compute: Compute | None = None,
        after: LedgerWorker | None = None,
        delay: float = 0.0,
    ) -> LedgerWorker:
        worker = cls(story, compute, after, delay)
        worker._thread.start()
        return worker

    def replace(self, story: Story) -> LedgerWorker:
        """A worker for `story` (an edited story, after a reload) started in this one's place."""
        self._replaced.set()
        return LedgerWorker.start(story, self._compute, after=self)

    def _run(self) -> None:
        try:
            if self._after is not None:
                self._after._done.wait()
            if self.delay > 0:
                self._replaced.wait(self.delay)
            if self._replaced.is_set():  # replaced before it began: nobody needs it
                self.failed = True
                return
            self._compute(self.story)
        except BaseException:  # a failure only means no ledger, never a traceback
            self.failed = True
        finally:
            self._done.set()

    @property
    def pending(self) -> bool:
        return not self._done.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the computation ends (tests); True when it has."""
        return self._done.wait(timeout)

    def status(self, story: Story, scene: Hashable) -> str:
        """ "ready", "pending" or "failed" for `story` at the scene `scene`; the first
        answer for a scene is kept, so redrawing it never adds the ledger to it."""
        known = self._decided.get(scene)
        if known is None:
            if self.pending or story is not self.story:  # not (yet) this story's ledger
                known = "pending"
            else:
                known = "failed" if self.failed else "ready"
            if len(self._decided) > 256:
                self._decided.clear()
            self._decided[scene] = known
        return known


START_DELAY = 0.5  # the first screen is drawn before the computation competes with it


def started(worker: LedgerWorker | None, story: Story) -> LedgerWorker:
    """`worker` when it is `story`'s, else a worker for `story` started in its place
    (the first one `START_DELAY` seconds later)."""
    if worker is None:
        return LedgerWorker.start(story, delay=START_DELAY)
    return worker if worker.story is story else worker.replace(story)


def ledger_lines(
    story: Story,
    states: Sequence[GameState],
    episode: int | None,
    worker: LedgerWorker | None = None,
) -> list[str]:
    """The choice ledger's lines for the episode just ended (or, with None, the ending),
    when `engine.report.ledger` is there; [] when it is not. With a `worker` (the game),
    never computed here: while the worker is at it, one line saying so (when the lines
    would need the ledger); when it failed, nothing."""
    if worker is not None:
        status = worker.status(story, (episode, tuple(states[-1].steps())))
        if status == "failed":
            return []
        if status == "pending":
            if episode is None:
                return [ENDING_PENDING]
            return [PENDING] if _passed_turning_point(story, states, episode) else []
    try:
        ledger = importlib.import_module("engine.report.ledger")
        lines = ledger.ending_lines if episode is None else ledger.episode_lines
    except (ImportError, AttributeError):
        return []
    steps = list(states[-1].steps())
    found = lines(story, steps) if episode is None else lines(story, steps, episode)
    return [str(line) for line in found or []]


def _passed_turning_point(story: Story, states: Sequence[GameState], episode: int) -> bool:
    """Whether the run made a choice at a turning point of `episode` (the ledger has a
    line for each)."""
    for node_id, _ in states[-1].steps():
        node = story.nodes.get(node_id)
        if node is not None and node.turning_point is not None and node.episode == episode:
            return True
    return False
