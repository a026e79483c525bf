"""On-disk cache of the validated rulebook, so a single `woningwet check` does not re-parse ~100 YAML files.

The cache key is the SHA-256 of everything the loaded rulebook depends on: every rules file
(path and bytes), the label it is loaded under, and the versions of the engine, Python and
pydantic. A hit is used only when it is safe and exact:
- the cache directory and file belong to the current user and are not writable by group or
  others (a pickle is code; nobody else may be able to plant one);
- the unpickled rulebook holds exactly the same file bytes as the rules directory now.
Anything else (miss, corrupt file, other owner, unwritable directory) falls back to loading
from the YAML files; the cache is only ever an optimisation. Set WONINGWET_NO_CACHE=1 to turn
it off, WONINGWET_CACHE_DIR to move it (default: $XDG_CACHE_HOME/woningwet-engine).
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

from ..diskcache import cache_dir, enabled, private as _private, prune, read, write  # noqa: F401  (_private: other caches)
from .capacity import check_runnable, store_branches
from .loader import DEFAULT_RULES_DIR, Rulebook, build_rulebook, read_rules_dir

KEEP = 16  # cached rulebook versions kept


def cache_key(files: dict[str, bytes], label: str) -> str:
    import pydantic

    from .. import __version__

    h = hashlib.sha256()
    h.update(f"{__version__}\0{sys.version}\0{pydantic.VERSION}\0{label}\0".encode())
    h.update(_code_fingerprint())
    for path in sorted(files):
        h.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    return h.hexdigest()


def _code_fingerprint() -> bytes:
    """Hash of the modules whose classes end up in the pickle (and of derivations.py and the i18n
    catalogues, which the loader validates rules/derivations.yaml and rules/policy/ against), so an
    edited loader never meets an old cache even when the version number did not change."""
    package = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for path in sorted([*package.glob("rulebook/*.py"), *package.glob("conditions/*.py"),
                        *package.glob("i18n/*.yaml"), package / "facts.py", package / "derivations.py",
                        package / "case.py", package / "units.py"]):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.digest()


def load_rulebook_cached(root: Path | str | None = None) -> Rulebook:
    root = Path(root) if root is not None else DEFAULT_RULES_DIR
    label = str(root)
    # InputError on bad rules: nothing cached
    return build_cached(read_rules_dir(root), label, lambda files: check_runnable(build_rulebook(files, label=label),
                                                                                  label))


def build_cached(files: dict[str, bytes], key_label: str, build) -> Rulebook:
    """build(files), kept on disk under cache_key(files, key_label): a hit is the unpickled rulebook
    holding exactly these file bytes. `key_label` tells apart rulebooks built alike but checked
    differently (the replay of a decision log rebuilds a logged rulebook without check_runnable)."""
    if not enabled():
        return build(files)
    name = f"rulebook-{cache_key(files, key_label)}.pickle"
    book = _read(name, files)
    if book is None:
        book = build(files)
        _store(name, book)
    return book


def read_cached(files: dict[str, bytes], key_label: str) -> Rulebook | None:
    """The rulebook build_cached keeps under this label for exactly these files, or None (nothing
    is built or stored)."""
    return _read(f"rulebook-{cache_key(files, key_label)}.pickle", files) if enabled() else None


def _read(name: str, files: dict[str, bytes]) -> Rulebook | None:
    data = read(name)  # None unless the directory and the file are private
    if data is not None:
        try:
            book = pickle.loads(data)
            if isinstance(book, Rulebook) and book.files == files:
                return book
        except Exception:  # a damaged or foreign cache file is ignored, never trusted
            pass
    return None


def _store(name: str, book: Rulebook) -> None:
    try:
        book.precompute()
        store_branches(book)
        data = dumps(book)
    except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
        return  # the cache is only an optimisation
    write(name, data)
    prune("rulebook-", ".pickle", KEEP, keep=name)  # the most recent rulebook versions only


def dumps(book: Rulebook) -> bytes:
    """The pickle of `book`, each of its ~2,100 pydantic models stored as a call of _model.

    pydantic pickles a model as its class plus a state of four entries, which unpickling hands to
    BaseModel.__setstate__, a Python call that looks each entry up again: ~17% of reading the
    rulebook back in every run (~11 M instructions). _model takes the fields and the set of fields
    given and puts them in place with no state mapping to build or read. A model with pydantic
    extra or private values (none in the rulebook) is pickled the usual way."""
    import io

    from pydantic import BaseModel

    class Pickler(pickle.Pickler):
        def reducer_override(self, obj):
            if isinstance(obj, BaseModel) and obj.__pydantic_extra__ is None and obj.__pydantic_private__ is None:
                return _model, (type(obj), obj.__dict__, obj.__pydantic_fields_set__)
            return NotImplemented

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(book)
    return out.getvalue()


_new = object.__new__
_set = object.__setattr__


def _model(cls, fields: dict, fields_set: set):
    """A pydantic model as BaseModel.__setstate__ leaves it (no extra, no private values)."""
    model = _new(cls)
    _set(model, "__dict__", fields)
    _set(model, "__pydantic_fields_set__", fields_set)
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
