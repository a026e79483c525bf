"""Safe output: every file the CLI writes (results, memos, comparisons, bundles, receipts, keys,
caches) goes through here.

- `-` means standard output. Anything else must be a regular file or not exist yet: a device,
  FIFO, socket or directory is refused before any work is done (writing over /dev/null as root
  would otherwise replace the device with a file), and so is a file with other hard links (an
  atomic replace would silently cut them). A symbolic link is followed: its target is replaced.
- Writes are atomic and durable: a temporary file in the target's directory is written in full,
  fsync'ed and renamed over the target, then the directory is fsync'ed, so after a crash the
  target holds either the old or the new bytes, never a mix.
- `StagedOutput` separates writing from publishing, so that `--record` can commit the decision
  log only once the output is in place, and put the previous file back if the commit fails.
- Every OS failure (parent is a file, name too long, read-only file system, disk full, ...) is an
  InputError naming the path and the reason: exit 2, never a traceback, nothing left behind.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
from pathlib import Path

from .errors import InputError, Say
from .yamlio import file_kind, os_reason

STDOUT = "-"


def _refuse(path: Path | str, key: str, /, **fields) -> InputError:
    """Output refused: the catalogue sentence `output.<key>`."""
    return InputError.of(str(path), "", f"output.{key}", **fields)


def _nearest_existing(path: Path) -> Path:
    parent = path.parent
    while True:
        try:
            parent.lstat()
            return parent
        except FileNotFoundError:
            if parent == parent.parent:
                return parent
            parent = parent.parent
        except OSError:
            return parent


def destination(path: Path | str | None) -> Path | None:
    """Check an output target before any work is done. None or '-' is standard output (None
    returned); otherwise the regular file to replace (symbolic links resolved) or to create."""
    if path is None or str(path) == STDOUT:
        return None
    raw = str(path)
    if not raw or raw in (".", ".."):
        raise _refuse(raw or "''", "not_a_name")
    target = Path(raw)
    try:
        if target.is_symlink():
            target = target.resolve(strict=True)
        st = target.stat()
    except FileNotFoundError:
        st = None
        if target.is_symlink():
            raise _refuse(raw, "broken_link") from None
    except (OSError, RuntimeError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else Say.of("os.eloop")
        raise _refuse(raw, "cannot_write", reason=reason) from None
    if st is not None:
        if not stat.S_ISREG(st.st_mode):
            raise _refuse(raw, "not_regular", kind=file_kind(st.st_mode))
        if st.st_nlink > 1:
            raise _refuse(raw, "hard_links", n=st.st_nlink)
    parent = _nearest_existing(target)
    try:
        pst = parent.stat()
    except OSError as exc:
        raise _refuse(raw, "cannot_write", reason=os_reason(exc)) from None
    if not stat.S_ISDIR(pst.st_mode):
        raise _refuse(raw, "parent_not_dir", parent=parent, kind=file_kind(pst.st_mode))
    try:
        name_max = os.pathconf(parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        name_max = 255
    too_long = [p for p in target.relative_to(parent).parts if len(os.fsencode(p)) > name_max] \
        if target.is_relative_to(parent) else []
    if too_long or len(os.fsencode(target.name)) > name_max:
        raise _refuse(raw, "name_too_long", n=name_max)
    return target


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # file systems that cannot sync a directory
            raise
    finally:
        os.close(fd)


def _temp_name(directory: Path, tag: str) -> Path:
    import secrets  # only when a file is written (with hmac, ~0.4 ms of every start otherwise)

    return directory / f".ww-{tag}-{secrets.token_hex(6)}.tmp"  # short: fits beside any valid name


class StagedOutput:
    """Output written to a temporary file now and renamed over its target by publish()."""

    def __init__(self, target: Path | None, data: str | bytes, mode: int | None = None):
        self.target = target
        self.data = data.encode("utf-8") if isinstance(data, str) else data
        self.mode = mode
        self._tmp: Path | None = None
        self._backup: Path | None = None
        self._published = False
        if target is not None:
            self._write_temp()

    def _fail(self, exc: OSError) -> InputError:
        self.discard()
        return _refuse(self.target, "cannot_write", reason=os_reason(exc))

    def _write_temp(self) -> None:
        target = self.target
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            if self.mode is None:
                try:
                    mode = stat.S_IMODE(target.stat().st_mode)  # replacing: keep the file's permissions
                except FileNotFoundError:
                    umask = os.umask(0)
                    os.umask(umask)
                    mode = 0o666 & ~umask
            else:
                mode = self.mode
            self._tmp = _temp_name(target.parent, "new")
            fd = os.open(self._tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
            try:
                view = memoryview(self.data)
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, mode)
                os.fsync(fd)
            finally:
                os.close(fd)
        except OSError as exc:
            raise self._fail(exc) from None

    def publish(self) -> None:
        """Put the output in place (stdout: write it). Until finish(), rollback() can undo it."""
        if self.target is None:
            try:
                sys.stdout.flush()
                sys.stdout.buffer.write(self.data)
                sys.stdout.flush()
            except OSError as exc:
                raise _refuse("-", "cannot_write", reason=os_reason(exc)) from None
            self._published = True
            return
        try:
            if self.target.exists():  # keep the previous file (a hard link: no copy) until finish()
                self._backup = _temp_name(self.target.parent, "old")
                os.link(self.target, self._backup)
            os.replace(self._tmp, self.target)
            self._tmp = None
            self._published = True
            _fsync_dir(self.target.parent)
        except OSError as exc:
            if self._published:
                self.rollback()
            raise self._fail(exc) from None

    def rollback(self) -> None:
        """Undo publish(): the previous file back in place, or the new one removed."""
        if self.target is None or not self._published:
            self.discard()
            return
        try:
            if self._backup is not None:
                os.replace(self._backup, self.target)
                self._backup = None
            else:
                self.target.unlink(missing_ok=True)
            _fsync_dir(self.target.parent)
        except OSError:
            pass  # nothing better to do; the caller reports the original failure
        self._published = False
        self.discard()

    def finish(self) -> None:
        """The output stays: drop the previous file kept for rollback()."""
        self.discard()

    def discard(self) -> None:
        for tmp in (self._tmp, self._backup):
            if tmp is not None:
                try:
                    tmp.unlink(missing_ok=True)
                except OSError:
                    pass
        self._tmp = self._backup = None


def write_output(path: Path | str | None, data: str | bytes, mode: int | None = None) -> None:
    """Check `path`, then write `data` to it atomically (or to stdout for None / '-')."""
    staged = StagedOutput(destination(path), data, mode)
    staged.publish()
    staged.finish()
