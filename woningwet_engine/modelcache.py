"""The validators and serialisers of the case, result and rulebook models, kept on disk between CLI runs.

Building them (pydantic turning ~45 model classes into one core schema each) took about a third of
a `woningwet check` of Kanaleneiland. pydantic-core builds a validator from a core schema in a few
milliseconds; what is slow is making the schema. So the first run stores every model's core schema
(without its JSON-Schema metadata, which holds local functions and is only needed for
`woningwet schema`), and later runs give each model a validator and serialiser made from it. The
models stay lazily built otherwise: `model_json_schema()` still builds the model the normal way.

Same safety rules as every cache (diskcache.py): the file is a pickle, so it is used only from a
directory and file that belong to the current user and that nobody else can write; it is keyed by
the engine, Python, pydantic and pydantic-core versions and the bytes of the modules that define
the models and their validators; anything odd falls back to building.
"""

from __future__ import annotations

import hashlib
import pickle
import sys
from pathlib import Path

from .diskcache import cache_dir, enabled, prune, read, write

_PACKAGE = Path(__file__).resolve().parent
_SOURCES = ("case.py", "result.py", "units.py", "modelcache.py", "rulebook/model.py", "rulebook/params.py")


def _models() -> list[type]:
    from pydantic import BaseModel

    from . import case, result
    from .rulebook import model, params

    out = []
    for module in (case, result, model, params):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__:
                out.append(value)
    return out


def _path() -> Path:
    import pydantic
    import pydantic_core

    from . import __version__

    h = hashlib.sha256(f"{__version__}\0{sys.version}\0{pydantic.VERSION}\0{pydantic_core.__version__}\0".encode())
    for name in _SOURCES:
        h.update(name.encode() + b"\0" + (_PACKAGE / name).read_bytes())
    return cache_dir() / f"models-{h.hexdigest()}.pickle"


def _strip(node):
    """The core schema without `metadata` (JSON-Schema hooks; not used to validate or serialise)."""
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items() if k != "metadata"}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    if isinstance(node, tuple):
        return tuple(_strip(v) for v in node)
    return node


def install() -> bool:
    """Give every case and result model its validator and serialiser from the cache; False on a miss.

    Each model's pair is built from its stored core schema when the model is first used (a `check`
    uses about a third of them; building all took ~10 ms), through pydantic's own placeholder for
    a deferred model, which rebuilds on first access."""
    if not enabled():
        return True  # nothing to install, and nothing to store either
    from pydantic._internal._mock_val_ser import MockValSer

    try:
        data = read(_path().name)
        if data is None:
            return False
        stored = pickle.loads(data)
        pending = {cls: stored[f"{cls.__module__}:{cls.__qualname__}"] for cls in _models()}
    except Exception:  # a missing, damaged or foreign cache file is ignored, never trusted
        return False
    for cls, (schema, config) in pending.items():
        if cls.__pydantic_complete__:  # a model already built in this process keeps its own
            continue
        build = _builder(cls, schema, config)
        cls.__pydantic_validator__ = MockValSer("", code="class-not-fully-defined", val_or_ser="validator",
                                                attempt_rebuild=lambda build=build: build()[0])
        cls.__pydantic_serializer__ = MockValSer("", code="class-not-fully-defined", val_or_ser="serializer",
                                                 attempt_rebuild=lambda build=build: build()[1])
    return True


def _builder(cls, schema, config):
    """Makes the model's validator and serialiser from its stored schema once, and puts them on the class."""
    from pydantic_core import SchemaSerializer, SchemaValidator

    built = []

    def build():
        if not built:
            built.extend((SchemaValidator(schema, config), SchemaSerializer(schema, config)))
            if not cls.__pydantic_complete__:
                cls.__pydantic_validator__, cls.__pydantic_serializer__ = built
        return built

    return build


def store() -> None:
    """Build every case and result model and store their core schemas (after a cache miss)."""
    try:
        stored = {}
        for cls in _models():
            if not cls.__pydantic_complete__:
                cls.model_rebuild()
            stored[f"{cls.__module__}:{cls.__qualname__}"] = (_strip(cls.__pydantic_core_schema__), _core_config(cls))
        name = _path().name
        write(name, pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL))
        prune("models-", ".pickle", 4, keep=name)  # one file per code version: the newest few only
    except Exception:  # the cache is only an optimisation
        pass


def type_validator(kind, config: dict):
    """The validator pydantic's `TypeAdapter(kind, config=config)` builds (same core schema and
    config), made without its plugin lookup, as the models' validators above are: the first
    TypeAdapter of a process imports importlib.metadata and reads every installed distribution's
    entry points to look for pydantic plugins, ~30 ms of a `check` (remediation trials validate
    one field value each this way)."""
    from pydantic._internal._config import ConfigWrapper
    from pydantic._internal._generate_schema import GenerateSchema
    from pydantic._internal._namespace_utils import NsResolver
    from pydantic_core import SchemaValidator

    wrapper = ConfigWrapper(config)
    generator = GenerateSchema(wrapper, ns_resolver=NsResolver())
    return SchemaValidator(generator.clean_schema(generator.generate_schema(kind)), wrapper.core_config(None))


def _core_config(cls):
    """The pydantic-core config pydantic builds the model's validator with (pydantic pinned in pyproject)."""
    from pydantic._internal._config import ConfigWrapper

    return ConfigWrapper(cls.model_config, check=False).core_config(title=cls.__name__)


# ---- the models' collected fields, kept between CLI runs -------------------------------------------
#
# Defining a pydantic model class collects its fields: pydantic evaluates every annotation, merges
# `Field(...)` and `Annotated` metadata into one FieldInfo per field and applies the config to each
# (`_fields.collect_model_fields`). With defer_build that is most of what defining a model costs:
# ~25 ms for the ~78 models a `check` defines, the same result in every run. `install_fields()`
# lets pydantic's model metaclass take that result (the fields, the extra-fields info and the class
# variable names) from a table read from the cache directory, for the engine's own models only;
# anything not in the table is collected as before and the table is written back when the command
# ends (`save_fields()`). The table is keyed like the interpreter keys its byte code: by the
# modification time and size of every source file of the package directories that define the models
# or the types their annotations use, plus the engine, Python, pydantic and pydantic-core versions.

_FIELD_DIRS = ("", "rulebook", "conditions")  # package directories whose modules the models' annotations use
_fields_table: dict[str, bytes] = {}
_fields_new: dict[str, bytes] = {}
_fields_name: list[str] = []  # the table's file name, once installed


def _general_metadata(values: dict):
    """pydantic's general-metadata object (`pattern=`, `strict=` ...; a class pydantic makes inside
    a function, so pickle cannot name it) with these values."""
    from pydantic._internal._fields import _general_metadata_cls

    return _general_metadata_cls()(dict(values))


_PLAIN = (str, int, float, bytes, bool, type(None))


def _sources(cls) -> dict[int, tuple]:
    """What the collected fields may share with the class as written: its annotations (and what they
    are made of: arguments, the type and metadata of an Annotated) and the values assigned in its
    body, each by id with its path from the class. Stored as that path, read back as the same object
    of the class being defined, as collecting would have used it; rebuilding typing objects from a
    pickle would cost most of what the table saves."""
    found: dict[int, tuple] = {}  # id -> (path, the object itself: kept alive, so no id is reused)

    def walk(obj, path):
        if isinstance(obj, _PLAIN) or id(obj) in found:
            return
        found[id(obj)] = (path, obj)
        args = getattr(obj, "__args__", None)
        if type(args) is tuple and not isinstance(obj, type):
            for i, arg in enumerate(args):
                walk(arg, (*path, "arg", i))
        metadata = getattr(obj, "__metadata__", None)
        if type(metadata) is tuple and not isinstance(obj, type):
            walk(obj.__origin__, (*path, "origin"))
            for i, item in enumerate(metadata):
                walk(item, (*path, "meta", i))
        if type(obj).__name__ == "FieldInfo" and type(getattr(obj, "metadata", None)) is list:
            for i, item in enumerate(obj.metadata):
                walk(item, (*path, "list", i))

    own = cls.__dict__
    for name, annotation in own.get("__annotations__", {}).items():
        walk(annotation, ("annotation", name))
        if name in own:
            walk(own[name], ("value", name))
    return found


def _resolve(cls, path: tuple):
    """The object at `path` (from _sources) of the class being defined."""
    kind, name, *steps = path
    obj = cls.__dict__["__annotations__"][name] if kind == "annotation" else cls.__dict__[name]
    at = 0
    while at < len(steps):
        step = steps[at]
        if step == "origin":
            obj, at = obj.__origin__, at + 1
            continue
        items = obj.__args__ if step == "arg" else obj.__metadata__ if step == "meta" else obj.metadata
        obj, at = items[steps[at + 1]], at + 2
    return obj


def _fields_dumps(value, sources: dict[int, tuple]) -> bytes:
    import io

    from pydantic._internal._fields import _general_metadata_cls

    general = _general_metadata_cls()

    class Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            entry = None if isinstance(obj, _PLAIN) else sources.get(id(obj))
            return entry[0] if entry is not None and entry[1] is obj else None

        def reducer_override(self, obj):
            if type(obj) is general:
                return _general_metadata, (dict(obj.__dict__),)
            return NotImplemented

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return out.getvalue()


class _FieldsUnpickler(pickle.Unpickler):
    """Reads a table entry back, the paths _sources stored resolved in the class being defined."""

    def __init__(self, blob: bytes, cls) -> None:
        import io

        super().__init__(io.BytesIO(blob))
        self.cls = cls

    def persistent_load(self, path):
        return _resolve(self.cls, path)


def _fields_loads(blob: bytes, cls):
    return _FieldsUnpickler(blob, cls).load()


def _fields_file() -> str:
    import os

    import pydantic
    import pydantic_core

    from . import __version__

    h = hashlib.sha256(f"{__version__}\0{sys.version}\0{pydantic.VERSION}\0{pydantic_core.__version__}\0".encode())
    for sub in _FIELD_DIRS:
        directory = _PACKAGE / sub if sub else _PACKAGE
        with os.scandir(directory) as entries:
            found = sorted((e.name, e.stat()) for e in entries if e.name.endswith(".py") and e.is_file())
        for name, st in found:
            h.update(f"{sub}/{name}\0{st.st_mtime_ns}\0{st.st_size}\0".encode())
    return f"modelfields-{h.hexdigest()}.pickle"


def install_fields() -> None:
    """Route pydantic's field collection of the engine's models through the table (once per process;
    no-op with WONINGWET_NO_CACHE=1). Call it before the modules that define the models are imported;
    a model defined earlier simply had its fields collected."""
    if _fields_name or not enabled():
        return
    try:
        from pydantic._internal import _model_construction as construction

        collect = construction.collect_model_fields
        if getattr(collect, "__module__", None) != "pydantic._internal._fields":
            return  # someone else replaced it already: leave it alone
        name = _fields_file()
    except Exception:  # cannot key a table: collect as pydantic does
        return
    data = read(name)  # None unless the directory and the file are private
    try:
        table = pickle.loads(data) if data is not None else {}
    except Exception:  # a damaged table: collect, and write a new one
        table = None
    if type(table) is not dict:
        table = {}
    _fields_table.update(table)
    _fields_name.append(name)
    prefix = __package__ + "."

    def collect_model_fields(cls, config_wrapper, ns_resolver, *, typevars_map=None):
        key = f"{cls.__module__}:{cls.__qualname__}"
        mine = cls.__module__.startswith(prefix) and "<locals>" not in cls.__qualname__ and not typevars_map
        blob = _fields_table.get(key) if mine else None
        if blob is not None:
            try:
                fields, extra_info, class_vars = _fields_loads(blob, cls)
            except Exception:  # damaged entry: collect instead
                blob = None
        if blob is None:
            sources = _sources(cls) if mine else {}  # before collecting takes the assigned fields off the class
            found = collect(cls, config_wrapper, ns_resolver, typevars_map=typevars_map)
            if mine:
                try:
                    _fields_new[key] = _fields_table[key] = _fields_dumps(found, sources)
                except Exception:  # not picklable (a lambda default factory): collected every run
                    pass
            return found
        for field in fields:  # what collecting does besides returning: assigned fields leave the class namespace
            if field in cls.__dict__:
                delattr(cls, field)
        return fields, extra_info, class_vars

    collect_model_fields.__wrapped__ = collect  # for the tests
    construction.collect_model_fields = collect_model_fields


def save_fields() -> None:
    """Write the table back if this run collected the fields of a model that was not in it."""
    if not _fields_new or not _fields_name:
        return
    try:
        write(_fields_name[0], pickle.dumps(dict(_fields_table), protocol=pickle.HIGHEST_PROTOCOL))
        prune("modelfields-", ".pickle", 4, keep=_fields_name[0])
    except Exception:  # the cache is only an optimisation
        return
    _fields_new.clear()
