"""The engine's cache directory: files that are slow to rebuild and fast to read back, trusted only when private.

Every cache here (the rulebook, the model validators, generated code, the data tables, the compiled
memo templates) follows the same rules: the directory and each file belong to the current user and
nobody else can write them (what is read back may be code), a file is written whole or not at all,
and anything odd means "rebuild", never an error. WONINGWET_NO_CACHE=1 turns every cache off,
WONINGWET_CACHE_DIR moves the directory (default: $XDG_CACHE_HOME/woningwet-engine).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path


def enabled() -> bool:
    return not os.environ.get("WONINGWET_NO_CACHE")


def cache_dir() -> Path:
    if os.environ.get("WONINGWET_CACHE_DIR"):
        return Path(os.environ["WONINGWET_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "woningwet-engine"


def private(path: Path) -> bool:
    """Owned by us and not writable by group or others (and not a symbolic link)."""
    try:
        st = path.lstat()
    except OSError:
        return False
    if stat.S_ISLNK(st.st_mode):
        return False
    return st.st_uid == os.getuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(name: str) -> bytes | None:
    """The bytes of cache file `name`, or None when it is missing, not private or caching is off."""
    if not enabled():
        return None
    path = cache_dir() / name
    if not (private(path.parent) and private(path)):
        return None
    try:
        return path.read_bytes()
    except OSError:
        return None


def write(name: str, data: bytes) -> None:
    """Store cache file `name` atomically, readable and writable by us only; failures are ignored."""
    if not enabled():
        return
    import tempfile

    directory = cache_dir()
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not private(directory):
            return
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, directory / name)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise
    except OSError:
        pass


def prune(prefix: str, suffix: str, most: int, keep: str = "") -> None:
    """Delete all but the `most` most recently written cache files named prefix*suffix (never `keep`)."""
    try:
        entries = sorted(cache_dir().glob(f"{prefix}*{suffix}"), key=lambda f: f.stat().st_mtime, reverse=True)
        for old in entries[most:]:
            if old.name != keep:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def pyyaml_identity() -> bytes:
    """What tells PyYAML versions apart, found without importing it (a `check` whose case parse and
    tables are cached never loads PyYAML, ~23 M instructions): the bytes of its `__init__.py`, which
    carry `__version__`. b"" when PyYAML is not installed (nothing parses then either)."""
    global _PYYAML
    if _PYYAML is None:
        from importlib.util import find_spec

        spec = find_spec("yaml")
        try:
            _PYYAML = Path(spec.origin).read_bytes() if spec is not None and spec.origin else b""
        except OSError:
            _PYYAML = b""
    return _PYYAML


_PYYAML: bytes | None = None


def yaml_data(path: Path, loader=None) -> object:
    """The YAML file `path` read with `loader` (a PyYAML loader class; default: PyYAML's safe loader,
    in C where PyYAML has it), kept in the cache as marshal data.

    For the engine's own tables (sentences, labels) that every run reads: parsing them took several
    milliseconds per file, reading the marshal copy a few microseconds. The key is the loader, PyYAML
    (pyyaml_identity) and the file's bytes, so an edited file is parsed again; with the default loader
    PyYAML is imported only to parse. Only plain data is cached (marshal refuses anything else, e.g.
    dates, and then the file is simply parsed each time)."""
    import hashlib
    import marshal
    import sys

    raw = path.read_bytes()
    named = "safe" if loader is None else f"{loader.__module__}.{loader.__qualname__}"
    key = f"{sys.version_info[:2]}\0{named}\0".encode() + hashlib.sha256(pyyaml_identity()).digest()
    name = f"data-{hashlib.sha256(key + raw).hexdigest()[:32]}.marshal"
    stored = read(name)
    if stored is not None:
        try:
            return marshal.loads(stored)
        except (EOFError, ValueError, TypeError):
            pass
    import yaml

    if loader is None:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(raw.decode("utf-8"), Loader=loader)
    try:
        write(name, marshal.dumps(data))
    except ValueError:  # not plain data
        pass
    return data
