"""What the fuzzing suites (tests/test_fuzz_*.py) share: the hypothesis profiles, the
budget of each property, and the checks every property makes.

Two profiles (docs/testing.md): `ci`, the default, is derandomized (the same examples on
every run, so CI is reproducible) and small enough for about a minute on two cores;
`fuzz`, chosen with `pytest --fuzz` or `HYPOTHESIS_PROFILE=fuzz`, draws fresh random
examples, fifty times as many, and keeps failures in `.hypothesis/` to replay them.

Every property checks the same three things: only the documented errors (diagnostics,
`UserError` and its `SaveError`, exit codes 0, 1 and 2), bounded time per example, and
input files left as they were.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings

__all__ = [
    "CI_EXAMPLES",
    "CPU_SECONDS",
    "NASTY",
    "budget",
    "choose_profile",
    "fingerprint",
    "no_raw_controls",
    "within_budget",
]

CI_EXAMPLES = 100  # the `ci` profile's max_examples; each property scales from it
CPU_SECONDS = 5.0  # the most one example may take (issue 13: no input over 5 s of CPU)
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]

settings.register_profile(
    "ci",
    max_examples=CI_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,  # time is checked as CPU time by `within_budget`, not as wall time
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)
settings.register_profile(
    "fuzz",
    max_examples=CI_EXAMPLES * 50,
    derandomize=False,
    deadline=None,
    print_blob=True,
    suppress_health_check=_SLOW_OK,
)

# Pieces of hostile input the strategies splice into valid text.
NASTY = [
    "\x00",
    "\x1b[2J",
    "\u202e",
    "\u2066",
    "\x85",
    "\ufeff",
    "\r",
    "\t",
    "²",
    "①",
    "٣",
    "9" * 5000,
    "-1",
    "0",
    "[" * 80,
    "{a: " * 40,
    "&a [1, 2]",
    "*a",
    "*nowhere",
    "<<: *a",
    "? [k]\n: v",
    "!!python/object/apply:os.system ['true']",
    "!custom",
    "---\n",
    "'",
    '"',
    ": : :",
    "- - -",
    "not " * 50,
    "(" * 50,
    " and x" * 50,
    "has('phone'",
    "__import__('os')",
]


def choose_profile(name: str | None) -> None:
    """Load the profile `name`, else $HYPOTHESIS_PROFILE, else `ci`."""
    settings.load_profile(name or os.environ.get("HYPOTHESIS_PROFILE") or "ci")


def budget(ci_examples: int) -> settings:
    """Settings for a property that runs `ci_examples` examples under the `ci` profile
    and proportionally more under `fuzz`."""
    scale = settings.default.max_examples / CI_EXAMPLES
    return settings(max_examples=max(1, round(ci_examples * scale)))


@contextmanager
def within_budget(what: str) -> Iterator[None]:
    """Fail when the body takes more than CPU_SECONDS of CPU time (wall time would make
    a loaded CI machine fail at random)."""
    started = time.process_time()
    yield
    spent = time.process_time() - started
    assert spent < CPU_SECONDS, f"{what} took {spent:.1f} s of CPU"


def fingerprint(folder: Path) -> dict[str, str]:
    """The SHA-256 of every file under `folder`, to prove the run left them alone."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not path.is_symlink()
    }


_RAW = {chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)]} - {"\n", "\t"}
_RAW |= {chr(c) for c in [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}


def no_raw_controls(text: str) -> bool:
    """Whether `text` is free of control and bidi characters (newlines and tabs aside)."""
    return not any(char in _RAW for char in text)
