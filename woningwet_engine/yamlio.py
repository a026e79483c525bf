"""Safe YAML loading with line numbers, under YAML 1.2 scalar rules.

Every woningwet input file (case, rule, parameter, allow-list) is read through here:
- only regular files are read (a FIFO, device, socket or directory is refused before it is
  opened for reading, so nothing blocks or streams forever), and at most MAX_BYTES of them;
- scalars follow the YAML 1.2 core schema, not PyYAML's YAML 1.1 default: `1:30` is text, not
  sexagesimal 90; `yes`/`no`/`on`/`off` are text; `0o17`/`0x1f` are the only non-decimal
  integers; a number with a fraction or exponent must fit a float exactly (at most 15 significant
  digits, within the float range), so that no digit written is silently lost;
- explicit tags (`!!set`, `!!binary`, `!!python/...`, `!local`) and aliases are refused, as are
  duplicate keys, documents nested deeper than MAX_DEPTH and numbers with more than MAX_DIGITS
  digits.
The line of every mapping key is recorded so that validation errors point at the offending field.
The parsing itself (PyYAML) is in yamlparse.py, imported only when something is parsed.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from .errors import InputError, Problem, Say, file_kind, os_reason  # noqa: F401 (file_kind, os_reason: re-exported)

MAX_BYTES = 8 * 1024 * 1024  # MAX_DEPTH, MAX_DIGITS and MAX_FLOAT_DIGITS: yamlparse.py


def read_regular_file(path: Path | str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most `limit` bytes, or InputError.

    The path is checked with stat() before it is opened, so a FIFO is never opened (which would
    block) and a device is never read; the opened descriptor is checked again (same file, still
    regular) and at most limit + 1 bytes are read, so a file that grows meanwhile is refused too.
    """
    name = str(path)
    if not name:
        raise InputError.of("''", "", "no_file_name")
    try:
        before = os.stat(path)
    except (OSError, ValueError) as exc:
        reason = os_reason(exc) if isinstance(exc, OSError) else Say.of("os.bad_name")
        raise InputError.of(name, "", "cannot_read", reason=reason) from None
    if not stat.S_ISREG(before.st_mode):
        raise InputError.of(name, "", "not_regular", kind=file_kind(before.st_mode))
    if before.st_size > limit:
        raise InputError.of(name, "", "too_large", limit=limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError.of(name, "", "cannot_read", reason=os_reason(exc)) from None
    try:
        now = os.fstat(fd)
        if not stat.S_ISREG(now.st_mode) or (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise InputError.of(name, "", "replaced")
        chunks, size = [], 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise InputError.of(name, "", "cannot_read", reason=os_reason(exc)) from None
    finally:
        os.close(fd)
    if size > limit:
        raise InputError.of(name, "", "too_large", limit=limit)
    return b"".join(chunks)


class LoadedYaml:
    """A parsed YAML document plus the line of each field path."""

    def __init__(self, data: Any, lines: dict[tuple, int], filename: str):
        self.data = data
        self.lines = lines
        self.filename = filename

    def line_of(self, path: tuple) -> int | None:
        """Line of the deepest known prefix of `path` (pydantic paths may go below YAML nodes)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get(())


def load_yaml_text(text: str, filename: str) -> LoadedYaml:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise InputError.of(filename, "", "too_large", limit=MAX_BYTES)
    from .yamlparse import parse_text

    return LoadedYaml(*parse_text(text, filename), filename)


def load_yaml_file(path: Path | str) -> LoadedYaml:
    return load_yaml_bytes(read_regular_file(path), str(path))


def load_yaml_bytes(raw: bytes, filename: str) -> LoadedYaml:
    """The bytes of a file (or of an HTTP request body) named `filename` in problems."""
    if len(raw) > MAX_BYTES:
        raise InputError.of(filename, "", "too_large", limit=MAX_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.of(filename, "", "not_utf8", at=exc.start) from None
    return load_yaml_text(text, filename)


CACHED_PARSES = 64  # parsed files kept in the cache directory (the most recent ones)


def load_yaml_bytes_cached(raw: bytes, filename: str) -> LoadedYaml:
    """load_yaml_bytes for the command line: a file parsed before is read back from the cache
    directory instead (~0.2 ms instead of ~4 for Kanaleneiland), as the data and the line of every
    field path, so that problems found later (validation, references) still name file, line and
    field. The key is the file's exact bytes, the engine's version, PyYAML (diskcache.pyyaml_identity:
    a hit does not import it) and the code of this module and yamlparse.py; only a parse that succeeded is kept (a file that does not parse is parsed, and refused
    with its line, every time). The copy is a pickle: diskcache's rules apply (private files only,
    WONINGWET_NO_CACHE=1 turns it off)."""
    import hashlib
    import pickle
    import sys

    from . import __version__, diskcache

    if not diskcache.enabled() or len(raw) > MAX_BYTES:
        return load_yaml_bytes(raw, filename)
    key = hashlib.sha256(f"{__version__}\0{sys.version}\0".encode())
    key.update(hashlib.sha256(diskcache.pyyaml_identity()).digest())
    key.update(Path(__file__).read_bytes() + b"\0" + Path(__file__).with_name("yamlparse.py").read_bytes())
    key.update(b"\0" + raw)
    name = f"parsed-{key.hexdigest()[:40]}.pickle"
    stored = diskcache.read(name)
    if stored is not None:
        try:
            data, lines = pickle.loads(stored)
            if isinstance(lines, dict):
                return LoadedYaml(data, lines, filename)
        except Exception:  # damaged or foreign: parse instead
            pass
    loaded = load_yaml_bytes(raw, filename)  # InputError on a bad file: nothing kept
    try:
        diskcache.write(name, pickle.dumps((loaded.data, loaded.lines), protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return loaded
    diskcache.prune("parsed-", ".pickle", CACHED_PARSES, keep=name)
    return loaded


def pydantic_problems(exc, loaded: LoadedYaml, model=None) -> list[Problem]:
    """Turn a pydantic ValidationError into one Problem per error, with line numbers, what is wrong
    in words and, where one helps, a hint (hints.py: did you mean, date and amount formats); `model`
    is the validated class. The English message keeps pydantic's own wording, for programs."""
    from .hints import error_says, hint_for, shown

    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err.get("loc", ()))
        # discriminated unions add the tag name to the location; drop non-field parts
        path = ".".join(str(p) for p in loc)
        msg = err.get("msg", "invalid value")
        if err.get("type") == "extra_forbidden":
            msg = "unknown field (not part of the format)"
        elif err.get("type") == "missing":
            msg = "required field is missing"
        elif not isinstance(err.get("input"), (dict, list)):
            msg += f" (got {shown(err.get('input'))})"
        hint = hint_for(err, model)
        if hint:
            msg += f"; {hint}"
        problems.append(Problem(loaded.filename, path, msg, loaded.line_of(loc), tuple(error_says(err, model))))
    return problems
