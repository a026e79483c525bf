"""Classes of facts that one durable_rules ruleset cannot tell apart.

A ruleset's conditions read a few properties of a fact and compare each with constants (the
condition dicts of inference/durable_adapter.Branch). Two facts whose every such property is absent
in both, or equal, or (both ints) on the same side of and equally equal to each constant it is
compared with, match the same rules of the ruleset. `signature(branches)` gives a function of a
fact -> its class; the adapter asserts one fact per class into the ruleset and hands what that fact
matched to every fact of its class. The classes are taken from the durable_rules conditions alone,
not from the evaluator they are checked against, so the cross-check stays independent of it.

A signature is a pure function of the conditions and of this module, so what it compiles is kept in
the cache directory (diskcache's private-file rules) keyed by exactly those: a new process reads
the code and constants back instead of walking the conditions and compiling again (~5 ms of the
first judgement of a case like Kanaleneiland, five rulesets).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Callable, Iterable

MISSING = ("missing",)  # the class of an absent property (no fact value is a tuple)
_TESTS = ("$lt", "$lte", "$gt", "$gte", "$neq", "$ex", "$nex")


def _constants(cond, out: dict[str, list]) -> None:
    """Every property a condition reads, with the constants it is compared with."""
    if not isinstance(cond, dict):
        return
    for key, value in cond.items():
        if key in ("$and", "$or"):
            for item in value:
                _constants(item, out)
        elif key in _TESTS:
            for name, const in value.items():
                out.setdefault(name, [])
                if key not in ("$ex", "$nex"):
                    out[name].append(const)
        elif key.startswith("$"):  # a test this module does not know: the property is compared exactly
            raise ValueError(f"unknown durable_rules test {key}")
        else:
            out.setdefault(key, []).append(value)


def signature(conditions: Iterable[dict]) -> Callable[[dict], tuple]:
    """One generated function of a fact -> its class for the rules with these conditions: per
    property read, its type and value (MISSING when absent); for an int compared only with ints its
    position among those ints and whether it equals one; for a property only tested for presence,
    whether it is absent, null or present."""
    conditions = list(conditions)
    name = _cache_name(conditions)
    made = _read(name) if name else None
    if made is None:
        made = _compiled(conditions)
        if name:
            _write(name, made)
    code, consts = made
    ns: dict = {"K": consts, "M": MISSING, "bl": bisect_left}
    exec(code, ns)
    return ns["signature"]


def _compiled(conditions: list[dict]) -> tuple:
    """(the signature function's code, its constants K) for these conditions."""
    reads: dict[str, list] = {}
    for cond in conditions:
        _constants(cond, reads)
    consts: list = []
    exprs = []
    for n, name in enumerate(sorted(reads)):
        values = reads[name]
        get = f"get({name!r}, M)"
        if not values:  # only tested for presence: absent, null or present
            exprs.append(f"(0 if (v{n} := {get}) is M else 1 if v{n} is None else 2)")
        elif all(type(v) is int for v in values):
            consts += [tuple(sorted(set(values))), frozenset(values)]
            t, s = f"K[{len(consts) - 2}]", f"K[{len(consts) - 1}]"
            exprs.append(f"((bl({t}, v{n}), v{n} in {s}) if (c{n} := type(v{n} := {get})) is int else (c{n}, v{n}))")
        else:  # with its type: True and 1 are equal keys, not equal to durable_rules
            exprs.append(f"(type(v{n} := {get}), v{n})")
    source = "def signature(fact):\n    get = fact.get\n    return (" + "".join(f"{e}, " for e in exprs) + ")\n"
    return compile(source, "<fact classes>", "exec"), tuple(consts)


_KEEP = 256  # kept signatures (about five per regime period of a rulebook version)


def _cache_name(conditions: list[dict]) -> str | None:
    """The cache file of these conditions: a hash of their exact content (marshal format 2 keeps no
    object sharing, so equal conditions give equal bytes; True and 1 stay apart), of this module's
    source and of the interpreter (its bytecode is stored); None when caching is off or a value
    is not plain data."""
    import hashlib
    import marshal
    import sys
    from importlib.util import MAGIC_NUMBER

    from .. import diskcache

    if not diskcache.enabled():
        return None
    try:
        content = marshal.dumps(conditions, 2)
    except ValueError:
        return None
    h = hashlib.sha256(MAGIC_NUMBER + sys.implementation.cache_tag.encode() + b"\0" + _source_digest() + content)
    return f"classes-{h.hexdigest()[:32]}.marshal"


_SOURCE: list[bytes] = []  # the hash of this module's source, read once per process


def _source_digest() -> bytes:
    if not _SOURCE:
        import hashlib
        from pathlib import Path

        _SOURCE.append(hashlib.sha256(Path(__file__).read_bytes()).digest())
    return _SOURCE[0]


def _read(name: str) -> tuple | None:
    import marshal
    from importlib.util import MAGIC_NUMBER
    from types import CodeType

    from .. import diskcache

    data = diskcache.read(name)
    if data is None or not data.startswith(MAGIC_NUMBER):
        return None
    try:
        made = marshal.loads(data[len(MAGIC_NUMBER):])
    except Exception:  # damaged or from another Python: compile instead
        return None
    if type(made) is tuple and len(made) == 2 and type(made[0]) is CodeType and type(made[1]) is tuple:
        return made
    return None


def _write(name: str, made: tuple) -> None:
    import marshal
    from importlib.util import MAGIC_NUMBER

    from .. import diskcache

    diskcache.write(name, MAGIC_NUMBER + marshal.dumps(made))
    diskcache.prune("classes-", ".marshal", _KEEP, keep=name)
