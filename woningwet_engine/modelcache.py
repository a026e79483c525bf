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
