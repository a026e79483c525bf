"""The one place that talks to durable_rules.

Lessons applied (see docs/durable-rules.md in ../shared/engineering):
- `_SyncHost` disables the two background timer threads (they segfault after delete_state);
  every action runs in the caller's thread, inside assert_fact.
- One session id per case, always deleted in `finally`; all facts of a case that one ruleset
  sees are asserted together (assert_facts), not one call per fact.
- Actions are one closure per rule branch that only appends to a Python list; durable_rules
  swallows exceptions raised in actions and hides them in the returned state, so the state is
  checked after every assert and any action error is raised as RuleActionError.
- Rules are compiled once per regime selection (key) and cached, at most MAX_SELECTIONS at a time:
  each registered ruleset holds C memory that Python never frees, so the least recently used
  selection's rulesets are deleted in the C library (delete_ruleset, safe without the timer
  threads) when another selection comes in. A long-running server or a replay of many rulebook
  versions therefore stays flat; a selection used again is simply registered again.
- Capacity guards: at most MAX_BRANCHES_PER_RULESET branches share a ruleset (a fact may match
  at most 64 rules), at most MAX_TESTS_PER_PROPERTY distinct tests on one property, priorities
  in 0..65535, at most MAX_FACT_PROPERTIES properties per fact.
- Facts carry only ints, bools and strings (money in cents, shares in basis points).
- durable_rules passes every fact, state and action message through JSON text, in Python, once
  per fired action (~190 on a case like Kanaleneiland); its `json` is given orjson (`_Json`, the
  same values; the standard module for anything orjson refuses), which halves that cost; and its
  clock (`_unix_now`, read twice per action and only ever compared with itself, for the 10 s
  timeout of asynchronous actions) is time.time instead of building two datetimes.
- Every ruleset ends with a catch-all rule so that every fact is handled: calling delete_state on a
  session that only ever saw unhandled facts crashes the process (free(): invalid size / SIGSEGV,
  reproduced here), so a session must never be left in that state.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Sequence

import durable_rules_engine as _native
from durable import engine as _dr

from ..errors import EngineError, RuleActionError

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a pinned dependency
    _orjson = None


class _Json:
    """The `json` durable.engine uses, with orjson where it serves (the library reads the text back
    with its own C parser, so only the values matter, not spacing)."""

    @staticmethod
    def dumps(obj, ensure_ascii=True, **kwargs):
        if _orjson is not None and not ensure_ascii and not kwargs:
            try:
                return _orjson.dumps(obj).decode("utf-8")
            except TypeError:  # a value orjson refuses (a huge int, a non-str key): the standard way
                pass
        return json.dumps(obj, ensure_ascii=ensure_ascii, **kwargs)

    @staticmethod
    def loads(text, **kwargs):
        if _orjson is not None and not kwargs:
            try:
                return _orjson.loads(text)
            except ValueError:  # what orjson cannot read (e.g. an int beyond 64 bits): the standard way
                pass
        return json.loads(text, **kwargs)


_dr.json = _Json  # durable.engine's module-level `json`
_dr._unix_now = time.time  # seconds, as before; only differences and deadlines made with it are used

MAX_BRANCHES_PER_RULESET = 60
MAX_TESTS_PER_PROPERTY = 500
MAX_FACT_PROPERTIES = 250
MAX_PRIORITY = 65535
MAX_SELECTIONS = 16  # regime selections kept registered (about 2 MB of C memory each): a rulebook has about 16
SID = "case"


class _SyncHost(_dr.Host):
    def _run(self):  # no dispatcher / timer threads
        pass


@dataclass(frozen=True)
class Branch:
    """One compiled rule branch: fires on facts of `scope` that satisfy `condition`."""

    name: str  # e.g. "DAEB-02#then"
    scope: str
    condition: dict


def _count_tests(cond, counts: dict) -> None:
    if isinstance(cond, dict):
        for key, value in cond.items():
            if key in ("$and", "$or"):
                for item in value:
                    _count_tests(item, counts)
            elif key.startswith("$"):
                _count_tests(value, counts)
            else:
                counts[key] = counts.get(key, 0) + 1


def check_capacity(branches: Sequence[Branch]) -> None:
    """Refuse rulesets that would hit durable_rules' hard limits at run time."""
    if len(branches) > MAX_PRIORITY:
        raise EngineError("too many rule branches for durable_rules priorities")
    counts: dict = {}
    for b in branches:
        _count_tests(b.condition, counts)
    over = {k: v for k, v in counts.items() if v > MAX_TESTS_PER_PROPERTY}
    if over:
        raise EngineError(f"more than {MAX_TESTS_PER_PROPERTY} tests on one fact property: {over}")


def _handled(c):
    """Catch-all action: the fact was seen; nothing to record."""


class DurableMatcher:
    """Matches facts against compiled rule branches with durable_rules. One per process."""

    def __init__(self, max_selections: int = MAX_SELECTIONS) -> None:
        self._host = _SyncHost()
        self._rulesets: OrderedDict[str, list[tuple[str, list[Branch]]]] = OrderedDict()
        self.max_selections = max_selections
        self._fired: list[tuple[int, str]] | None = None
        self._lock = threading.Lock()
        self._counter = 0

    def _action(self, index: int):
        def act(c):  # exactly one parameter: two would be taken for an async action
            self._fired.append((index, c.m.id))
        return act

    def prepare(self, key: str, branches: Sequence[Branch]) -> None:
        """Register the branches of one selection (once per key while it stays among the most
        recently used MAX_SELECTIONS; the least recently used one is unregistered to make room)."""
        with self._lock:
            if key in self._rulesets:
                self._rulesets.move_to_end(key)
                return
            check_capacity(branches)
            while len(self._rulesets) >= self.max_selections:
                self._unregister(self._rulesets.popitem(last=False)[1])
            groups: list[tuple[str, list[Branch]]] = []
            by_scope: dict[str, list[Branch]] = {}
            for b in branches:
                by_scope.setdefault(b.scope, []).append(b)
            for scope in sorted(by_scope):
                items = by_scope[scope]
                for start in range(0, len(items), MAX_BRANCHES_PER_RULESET):
                    chunk = items[start:start + MAX_BRANCHES_PER_RULESET]
                    self._counter += 1
                    name = f"ww{self._counter}_{scope}"
                    definition = {}
                    for i, b in enumerate(chunk):
                        cond = {"$and": [{"kind": scope}, b.condition]}
                        definition[f"r{i}"] = {"pri": i, "all": [{"m": cond}], "run": self._action(i)}
                    definition["catch_all"] = {"pri": len(chunk), "all": [{"m": {"kind": scope}}], "run": _handled}
                    try:
                        self._host.set_rulesets({name: definition})
                    except Exception as exc:  # durable_rules reports only numeric codes
                        raise EngineError(f"durable_rules refused ruleset {name} ({scope}): {exc}; "
                                          f"first rule {chunk[0].name}") from exc
                    groups.append((name, chunk))
            self._rulesets[key] = groups

    def _unregister(self, groups: list[tuple[str, list[Branch]]]) -> None:
        """Free the C memory of rulesets (no session is open on them: match() deletes its state)."""
        for name, _ in groups:
            ruleset = self._host._ruleset_directory.pop(name, None)  # durable_rules has no public removal
            if ruleset is None:
                continue
            self._host._ruleset_list.remove(ruleset)
            _native.delete_ruleset(ruleset._handle)

    @property
    def registered(self) -> int:
        """How many rulesets are registered now (for the memory test)."""
        return len(self._host._ruleset_list)

    def match(self, key: str, facts: Iterable[dict]) -> set[tuple[str, str]]:
        """Fire the selection's rules on `facts`; returns {(branch name, fact id)}."""
        groups = self._rulesets[key]
        by_scope: dict[str, list[tuple[str, list[Branch]]]] = {}
        for name, chunk in groups:
            by_scope.setdefault(chunk[0].scope, []).append((name, chunk))
        fired: set[tuple[str, str]] = set()
        batches: dict[str, list[dict]] = {}  # ruleset name -> its facts, asserted together
        chunks: dict[str, list[Branch]] = {}
        for fact in facts:
            if len(fact) > MAX_FACT_PROPERTIES:
                raise EngineError(f"fact {fact.get('id')} has more than {MAX_FACT_PROPERTIES} properties")
            for name, chunk in by_scope.get(fact["kind"], []):
                batches.setdefault(name, []).append(dict(fact, sid=SID))
                chunks[name] = chunk
        with self._lock:
            used: list[str] = []
            try:
                for name, batch in batches.items():
                    used.append(name)
                    chunk = chunks[name]
                    self._fired = []
                    try:
                        state = self._host.assert_facts(name, batch)
                    except _dr.MessageNotHandledException as exc:  # the catch-all rule should prevent this
                        raise EngineError(f"a fact was not handled by {name}: {exc}") from exc
                    except _dr.MessageObservedException as exc:
                        raise EngineError(f"duplicate fact id in {name}: {exc}") from exc
                    if isinstance(state, dict) and "exception" in state:
                        raise RuleActionError(f"rule action failed in {name}: {state['exception']}")
                    for index, fact_id in self._fired:
                        fired.add((chunk[index].name, fact_id))
            finally:
                self._fired = None
                for name in used:
                    self._host.delete_state(name, SID)
        return fired


def dump_definition(branches: Sequence[Branch]) -> str:
    """The compiled conditions as JSON text (for `woningwet rules show --compiled`)."""
    return json.dumps([{"branch": b.name, "scope": b.scope, "condition": b.condition} for b in branches],
                      indent=2, ensure_ascii=False)
