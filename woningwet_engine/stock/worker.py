"""The second planning process of a stock run, forked while this process still has one thread.

A fork copies only the thread that calls it; a lock another thread held at that moment (DuckDB's
worker pool is alive from connect() on, a Python thread may be inside malloc or the import lock)
stays locked in the child for ever. So judge_register forks this worker at its very start, before
DuckDB or any thread of its own exists, and only when /proc/self/task shows a single thread. The
child never runs DuckDB: it builds its own planner once it is told the corporation (known after scan
one) and then works out the batches of planner tasks sent over a pipe, one at a time, in order.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import threading

from ..errors import EngineError

_LENGTH = struct.Struct("<Q")


def live_threads() -> int:
    """The OS threads of this process (DuckDB's pool included); Python's own count where there is no /proc."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        return threading.active_count()


def _send(fh, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(_LENGTH.pack(len(data)))
    fh.write(data)
    fh.flush()


def _receive(fh):
    """The next object on the pipe; None when the other side has closed it."""
    head = fh.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        return None
    data = fh.read(_LENGTH.unpack(head)[0])
    return pickle.loads(data)


class PlanWorker:
    """A forked child that builds a planner with `build(message)` and then answers
    `submit(name, tasks, extend)` with planner.<name>(tasks) (first each list
    attribute named in `extend` is extended by its items, to bring the child's planner up to date);
    result() returns that list or raises what the child raised."""

    def __init__(self, pid: int, to_child, from_child):
        self.pid, self._to, self._from = pid, to_child, from_child
        self._busy = False

    @classmethod
    def start(cls, build) -> PlanWorker | None:
        """The worker, or None where a fork is not safe (another thread is alive) or not possible."""
        if not hasattr(os, "fork") or live_threads() != 1:
            return None
        down_r, down_w = os.pipe()
        up_r, up_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            # Ctrl-C reaches the whole process group: the parent ends the run and this process with it
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            os.close(down_w)
            os.close(up_r)
            _serve(build, os.fdopen(down_r, "rb"), os.fdopen(up_w, "wb"))
        os.close(down_r)
        os.close(up_w)
        return cls(pid, os.fdopen(down_w, "wb"), os.fdopen(up_r, "rb"))

    def prepare(self, message) -> None:
        """The child builds its planner from `message` (while this process scans on)."""
        _send(self._to, ("build", message))

    def submit(self, name: str, tasks: list[tuple], extend: dict[str, list]) -> None:
        _send(self._to, ("tasks", (name, tasks, extend)))
        self._busy = True

    def result(self) -> list:
        self._busy = False
        answer = _receive(self._from)
        if answer is None:
            raise EngineError("the planning worker process ended without its results")
        kind, value = answer
        if kind == "error":
            raise value
        return value

    def close(self) -> None:
        """Ends the child: at once if it is still working on a batch (its results are not needed), else
        by closing its pipe, which it reads as the end. A second call does nothing."""
        if self.pid is None:
            return
        if self._busy:
            os.kill(self.pid, signal.SIGKILL)
        for fh in (self._to, self._from):
            try:
                fh.close()
            except OSError:  # the child is gone: nothing is left to flush
                pass
        os.waitpid(self.pid, 0)
        self.pid = None


def _serve(build, down, up) -> None:
    code = 0
    try:
        planner = None
        while (message := _receive(down)) is not None:
            kind, payload = message
            try:
                if kind == "build":
                    planner = build(payload)
                    continue
                name, tasks, extend = payload
                for attr, items in extend.items():
                    getattr(planner, attr).extend(items)
                answer = ("ok", getattr(planner, name)(tasks))
            except Exception as exc:  # handed to the parent, which raises it
                answer = ("error", exc)
            try:
                _send(up, answer)
            except (pickle.PicklingError, TypeError, AttributeError):
                _send(up, ("error", EngineError(f"the planning worker failed: {answer[1]}")))
    except BaseException:  # the parent is gone or ended the run
        code = 1
    finally:
        os._exit(code)
