"""The one place that talks to durable_rules.

Lessons applied (see docs/durable-rules.md in ../shared/engineering):
- `_SyncHost` disables the two background timer threads (they segfault after delete_state); the
  host only registers and unregisters rulesets.
- One session per case and ruleset, always deleted in `finally`; all facts of a case that one
  ruleset sees are asserted together (one assert_facts), not one call per fact.
- Matches are taken from durable_rules' C library itself (start_action_for_state /
  complete_and_start_action), not through its Python host: the host parsed the session state and
  every matched fact from JSON and built a closure per match (~190 per case like Kanaleneiland),
  which was most of the cross-check's time. Every rule has `cap`, so one action hands over all the
  facts the rule matched in the batch (at most CAP at a time); the facts are numbered by their
  position, which is their id for durable_rules and the first key of the text it is given, so
  the matched positions are read from the action message without parsing the facts
  (`_action_matches`; `verify=True` parses in full and compares, as the tests do). No Python code
  runs inside durable_rules, so no action error can be swallowed by it.
- Rules are compiled once per regime selection (key) and cached, at most MAX_SELECTIONS at a time:
  each registered ruleset holds C memory that Python never frees, so the least recently used
  selection's rulesets are deleted in the C library (delete_ruleset, safe without the timer
  threads) when another selection comes in. A long-running server or a replay of many rulebook
  versions therefore stays flat; a selection used again is simply registered again.
- Capacity guards: at most MAX_BRANCHES_PER_RULESET branches share a ruleset (a fact may match
  at most 64 rules), at most MAX_TESTS_PER_PROPERTY distinct tests on one property, priorities
  in 0..65535, at most MAX_FACT_PROPERTIES properties per fact.
- Facts carry only ints, bools and strings (money in cents, shares in basis points); duplicate
  fact ids within a scope are refused before durable_rules sees them (it compares ids by a
  32-bit hash; the positions it is given never collide).
- An overlapping `$or` can match one fact twice: matches are collected as a set.
- Classed matching (`match(classed=True)`, what the engine's cross-check uses) asks durable_rules
  about each class of facts (inference/classes.py: exactly what a ruleset's conditions can tell
  apart) once per registered ruleset and keeps the branches it matched: a later batch asserts only
  the facts of classes not met before (a warm judgement of a known case, or a replayed record like
  earlier ones, opens no session), and every fact still gets the matches of its class.
- Every ruleset ends with a catch-all rule so that every fact is handled: calling delete_state on a
  session that only ever saw unhandled facts crashes the process (free(): invalid size / SIGSEGV,
  reproduced here), so a session must never be left in that state; its matches are not recorded.
"""

from __future__ import annotations

import json
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Iterable, Sequence

import durable_rules_engine as _native
from durable import engine as _dr

from ..errors import EngineError

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - orjson is a pinned dependency
    _orjson = None


def _dumps(obj) -> str:
    """JSON text for durable_rules' own C parser (only the values matter, not spacing)."""
    if _orjson is not None:
        try:
            return _orjson.dumps(obj).decode("utf-8")
        except TypeError:  # a value orjson refuses (an int beyond 64 bits): the standard way
            pass
    return json.dumps(obj, ensure_ascii=False)


def _loads(text: str):
    if _orjson is not None:
        try:
            return _orjson.loads(text)
        except ValueError:  # what orjson cannot read (an int beyond 64 bits): the standard way
            pass
    return json.loads(text)


MAX_BRANCHES_PER_RULESET = 60
MAX_TESTS_PER_PROPERTY = 500
MAX_FACT_PROPERTIES = 250
MAX_PRIORITY = 65535
MAX_SELECTIONS = 16  # regime selections kept registered (about 2 MB of C memory each): a rulebook has about 16
SID = "case"
MAX_KNOWN = 50_000  # classes whose matches are kept, over all rulesets (~1 KB each); beyond this all start afresh
CAP = 65535  # matches one action hands over at most (durable_rules keeps `cap` in 16 bits)
_OK, _NOT_HANDLED = 0, 1  # result codes of the C library's assert_facts


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
    if {"id", "sid"} & counts.keys():  # match() gives durable_rules positions as ids: no rule may test them
        raise EngineError("a rule branch tests the fact id or the session id")


def _never_run(c):
    """The Python action durable_rules' host requires of every rule; match() takes the matches from
    the C library itself, so no rule's Python action ever runs."""


class DurableMatcher:
    """Matches facts against compiled rule branches with durable_rules. One per process."""

    def __init__(self, max_selections: int = MAX_SELECTIONS, cap: int = CAP) -> None:
        self._host = _SyncHost()
        self.cap = cap
        self._rulesets: OrderedDict[str, list[tuple[str, list[Branch]]]] = OrderedDict()
        self.max_selections = max_selections
        self._lock = threading.Lock()
        self.verify = False  # True: every action message is also parsed in full and compared (tests)
        self._counter = 0
        self._signatures: dict[str, object] = {}  # ruleset name -> classes.signature of its conditions
        self._known: dict[str, dict] = {}  # ruleset name -> {class: indices of the branches it matches}
        self._known_size = 0  # classes kept in _known, over all rulesets

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
                        definition[f"r{i}"] = {"pri": i, "cap": self.cap, "all": [{"m": cond}], "run": _never_run}
                    definition["catch_all"] = {"pri": len(chunk), "cap": self.cap, "all": [{"m": {"kind": scope}}],
                                               "run": _never_run}
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
            self._signatures.pop(name, None)
            self._known_size -= len(self._known.pop(name, ()))

    @property
    def registered(self) -> int:
        """How many rulesets are registered now (for the memory test)."""
        return len(self._host._ruleset_list)

    def match(self, key: str, facts: Iterable[dict], classed: bool = False) -> set[tuple[str, str]]:
        """Fire the selection's rules on `facts`; returns {(branch name, fact id)}. `classed`: each
        ruleset is given one fact per class of facts it cannot tell apart (inference/classes.py),
        and what that fact matched holds for its whole class."""
        groups = self._rulesets[key]
        by_scope: dict[str, list[tuple[str, list[Branch]]]] = {}
        for name, chunk in groups:
            by_scope.setdefault(chunk[0].scope, []).append((name, chunk))
        batches: dict[str, list[dict]] = {}  # scope -> its facts, asserted together into each of its rulesets
        for fact in facts:
            if len(fact) > MAX_FACT_PROPERTIES:
                raise EngineError(f"fact {fact.get('id')} has more than {MAX_FACT_PROPERTIES} properties")
            if fact["kind"] in by_scope:
                batches.setdefault(fact["kind"], []).append(fact)
        fired: set[tuple[str, str]] = set()
        with self._lock:
            for scope, batch in batches.items():
                ids = [f["id"] for f in batch]
                if len(set(ids)) != len(ids):
                    raise EngineError(f"duplicate fact id among the {scope} facts")
                if not classed:
                    text = _dumps([_numbered(i, f) for i, f in enumerate(batch)])  # one text for all its rulesets
                for name, chunk in by_scope[scope]:
                    if not classed:
                        for index, positions in self._run(name, text):
                            fired.update((chunk[index].name, ids[p]) for p in positions)
                        continue
                    for members, matched in self._class_matches(name, chunk, batch):
                        for index in matched:
                            branch = chunk[index].name
                            fired.update((branch, ids[m]) for m in members)
        return fired

    def _class_matches(self, name: str, chunk: list[Branch], batch: list[dict]) -> list[tuple[list[int], tuple]]:
        """(positions of a class's facts in `batch`, indices of the branches of ruleset `name` its
        facts match) per class. What a class matches is asserted into durable_rules once per
        registered ruleset and kept (`_known`): a class is exactly what the ruleset's conditions can
        tell apart of a fact (inference/classes.py), so a fact of a class met before matches what
        its first fact matched, as the facts of one class in one batch do. Classes of unhashable
        values are asserted every time."""
        keys, classes = self._classes(name, chunk, batch)
        known = self._known.get(name)
        if known is None:
            known = self._known[name] = {}
        out: list[tuple[list[int], tuple]] = []
        new: list[int] = []  # the classes durable_rules is asked about
        for n, key in enumerate(keys):
            matched = None if key is None else known.get(key)
            out.append((classes[n], matched))
            if matched is None:
                new.append(n)
        if new:
            shown = _dumps([_numbered(i, batch[classes[n][0]]) for i, n in enumerate(new)])
            found: list[list[int]] = [[] for _ in new]
            for index, positions in self._run(name, shown):
                for p in positions:
                    found[p].append(index)
            if self._known_size + len(new) > MAX_KNOWN:
                for memo in self._known.values():
                    memo.clear()
                self._known_size = 0
            for n, indices in zip(new, found):
                matched = tuple(sorted(set(indices)))
                out[n] = (classes[n], matched)
                if keys[n] is not None:
                    known[keys[n]] = matched
                    self._known_size += 1
        return out

    def _classes(self, name: str, chunk: list[Branch], batch: list[dict]) -> tuple[list, list[list[int]]]:
        """(the class keys, the positions of the facts of `batch` by class) for ruleset `name`, in
        order of first member; the key None: a class of its own (an unhashable value)."""
        sig = self._signatures.get(name)
        if sig is None:
            from .classes import signature

            sig = self._signatures[name] = signature(b.condition for b in chunk)
        by_class: dict = {}
        keys: list = []
        out: list[list[int]] = []
        for pos, fact in enumerate(batch):
            try:
                members = by_class.get(k := sig(fact))
            except TypeError:  # an unhashable value: a class of its own
                keys.append(None)
                out.append([pos])
                continue
            if members is None:
                members = by_class[k] = []
                keys.append(k)
                out.append(members)
            members.append(pos)
        return keys, out

    def _run(self, name: str, text: str) -> list[tuple[int, list[int]]]:
        """Assert the facts (JSON text) into ruleset `name` in a fresh session and take every action
        durable_rules queues, straight from its C library: [(branch index, positions of the facts it
        matched)]; the catch-all's actions are taken and left out. The session is always deleted."""
        handle = self._host._ruleset_directory[name]._handle
        out: list[tuple[int, list[int]]] = []
        offset = None
        try:
            code, offset = _native.assert_facts(handle, text)
            if code == _NOT_HANDLED:  # the catch-all rule should prevent this
                raise EngineError(f"a fact was not handled by {name}")
            if code != _OK:  # a duplicate id (match() numbers the facts), or deferred
                raise EngineError(f"durable_rules did not take the facts asserted into {name} (code {code})")
            started = _native.start_action_for_state(handle, offset)
            message = None if started is None else started[1]
            while message is not None:
                rule, positions = _action_matches(message)
                if self.verify:
                    _check_matches(message, rule, positions)
                if rule != "catch_all":
                    out.append((int(rule[1:]), positions))
                message = _native.complete_and_start_action(handle, offset)
        except BaseException:
            if offset is not None:
                _native.abandon_action(handle, offset)
            raise
        finally:
            _native.delete_state(handle, SID)
        return out


def _numbered(position: int, fact: dict) -> dict:
    """The fact as durable_rules is given it: its position in the batch as the id, as the first key
    (so that _action_matches finds it), and the session id."""
    out = {"id": position}
    out.update(fact)
    out["id"] = position
    out["sid"] = SID
    return out


_ACTION = re.compile(r'\{"(r\d+|catch_all)":\[')
_ITEM = re.compile(r'\{"m":\{"id":(\d+),')


def _action_matches(message: str) -> tuple[str, list[int]]:
    """(rule name, positions of the matched facts) of one action's message, without parsing the facts.

    With `cap` the C library writes `{"<rule>":[{"m":<fact>},...]}`, each fact the text it was given
    (_numbered: the id first). The pattern `{"m":{"id":` cannot occur inside a JSON string (a quote
    there is always escaped), so it marks exactly the matched facts; `verify` holds this to a full
    JSON parse."""
    head = _ACTION.match(message)
    if head is None:
        raise EngineError(f"durable_rules wrote an action message this adapter does not read: {message[:80]!r}")
    return head.group(1), [int(p) for p in _ITEM.findall(message, head.end())]


def _check_matches(message: str, rule: str, positions: list[int]) -> None:
    parsed = _loads(message)
    want = [(r, [item["m"]["id"] for item in items]) for r, items in parsed.items()]
    if want != [(rule, positions)]:
        raise EngineError(f"reading durable_rules' action message gave {(rule, positions)}, parsing it {want}")


def dump_definition(branches: Sequence[Branch]) -> str:
    """The compiled conditions as JSON text (for `woningwet rules show --compiled`)."""
    return json.dumps([{"branch": b.name, "scope": b.scope, "condition": b.condition} for b in branches],
                      indent=2, ensure_ascii=False)
