"""Advisory locks on save files, so two processes never play the same slot.

Owns: `try_lock(save_path)`, which takes the lock file `.<file name>.lock` beside a save
and returns a `SlotLock`, or `LockHeld` naming the process that has it; and `pid_alive`.
On POSIX the lock is `fcntl.flock` on that file: the kernel drops it when the holder
ends in any way (SIGKILL too), so a lock is never stale. Elsewhere the lock file is
created exclusively and holds the pid; a lock whose pid is gone is stale and taken over.
Either way the lock file holds the holder's pid, for the other process's message.
Never waits for a lock, and never reads or writes a save.
"""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LockHeld", "SlotLock", "lock_path", "pid_alive", "try_lock"]

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


def lock_path(save_path: Path) -> Path:
    """The lock file of a save: `.<name>.lock` in the same folder (hidden, never a slot)."""
    return save_path.with_name(f".{save_path.name}.lock")


@dataclass(frozen=True)
class LockHeld:
    """Another process holds the lock of `path`; `pid` is its process id when known."""

    path: Path
    pid: int | None

    def who(self) -> str:
        """'another hyosan (pid 4242)', for messages."""
        return f"another hyosan (pid {self.pid})" if self.pid else "another hyosan"


class SlotLock:
    """A lock this process holds; `release` (or dropping the object) lets it go."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Remove the lock file and let the lock go (once; later calls do nothing)."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        # Unlink while still holding the lock: whoever opens the path next gets a new
        # file, and `_take` re-checks that the file it locked is still the one named.
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        with contextlib.suppress(OSError):
            os.close(fd)

    def __del__(self) -> None:
        self.release()


def pid_alive(pid: int) -> bool:
    """True when a process with this id runs on this machine (or when it cannot be told)."""
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":  # pragma: no cover - os.kill(pid, 0) would end it there
        return _windows_pid_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: it exists, under another user
        return True
    return True


def _windows_pid_alive(pid: int) -> bool:  # pragma: no cover - Windows
    if sys.platform != "win32":
        return True
    import ctypes

    kernel = ctypes.windll.kernel32
    handle = kernel.OpenProcess(0x100000, False, pid)  # SYNCHRONIZE
    if not handle:
        return False
    try:
        return bool(kernel.WaitForSingleObject(handle, 0) == 0x102)  # WAIT_TIMEOUT: running
    finally:
        kernel.CloseHandle(handle)


def try_lock(save_path: Path) -> SlotLock | LockHeld:
    """Take the lock of `save_path` without waiting: a SlotLock, or LockHeld when another
    process has it. Raises OSError when the lock file cannot be made (a read-only folder)."""
    path = lock_path(save_path)
    for _ in range(5):  # retried only when the lock file was replaced under us
        taken = _take_flock(path) if fcntl is not None else _take_pidfile(path)
        if taken is not None:
            return taken
    return LockHeld(path, _read_pid(path))


def _take_flock(path: Path) -> SlotLock | LockHeld | None:
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return LockHeld(path, _read_pid(path))
    try:
        same = os.fstat(fd).st_ino == os.stat(path).st_ino
    except OSError:
        same = False
    if not same:  # released and unlinked between our open and our flock: try again
        os.close(fd)
        return None
    _write_pid(fd)
    return SlotLock(path, fd)


def _take_pidfile(path: Path) -> SlotLock | LockHeld | None:  # pragma: no cover - Windows
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        pid = _read_pid(path)
        if pid is not None and pid_alive(pid):
            return LockHeld(path, pid)
        with contextlib.suppress(OSError):
            os.unlink(path)  # stale: its process is gone
        return None
    _write_pid(fd)
    return SlotLock(path, fd)


def _write_pid(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None
