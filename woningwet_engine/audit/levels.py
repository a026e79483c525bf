"""How far a replayed result is from the recorded one: identical, the same verdicts in other words,
or different verdicts.

A record made by an older engine often differs from today's judgement only in how it is written
(a reworded explanation, a citation link in another form, a hash of the normalised case). An
auditor needs to tell that apart from a change in what was decided, so every difference between
the two JSON results is put in one of four kinds:

- `text`: words for people (explanations, titles, assumptions, citation names, why-not conditions);
- `link`: a citation's Juriconnect reference or wetten.overheid.nl link;
- `hash`: the engine version, the case and rulebook hashes, the selection key;
- `decision`: everything else (verdict, compliance, party, conditions, reasons added or removed,
  cited provisions, amounts, inputs, the route's dates, ...).

A field an engine added or dropped counts as a decision difference: this errs on the side of
calling a difference material. The level is `identical` without differences, `wording` when all
of them are text, link or hash, and `verdicts` as soon as one is a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

IDENTICAL, WORDING, VERDICTS = "identical", "wording", "verdicts"

# keys whose string values are words for people (result.py): a change there is a change of wording
TEXT_KEYS = frozenset({"text", "title", "reason", "how", "name", "source", "evidence", "assumptions", "actor",
                       "failed", "rulebook"})
LINK_KEYS = frozenset({"url", "juriconnect"})
HASH_PATHS = frozenset({("provenance", "engine_version"), ("provenance", "case_sha256"),
                        ("provenance", "rulebook_sha256"), ("regime", "selection")})


class _Absent:
    """The side of a difference that has no such key or list element."""

    def __repr__(self) -> str:
        return "ABSENT"

    def __reduce__(self) -> str:  # pickled by name: the one object in every worker process
        return "ABSENT"


ABSENT = _Absent()


@dataclass(frozen=True)
class Difference:
    """One place where the recorded and the replayed result differ, and its kind (text, link, hash
    or decision)."""

    path: tuple  # keys and list indices from the top of the result
    recorded: Any  # ABSENT when only the replayed result has it
    replayed: Any  # ABSENT when only the recorded result has it
    subject: tuple[str, str] = ("section", "")  # what it is about (subject_of), set by the replay

    @property
    def kind(self) -> str:
        keys = [p for p in self.path if isinstance(p, str)]
        if self.recorded is ABSENT or self.replayed is ABSENT or not keys:
            return "decision"
        if tuple(keys) in HASH_PATHS:
            return "hash"
        if keys[-1] in LINK_KEYS and all(v is None or isinstance(v, str) for v in (self.recorded, self.replayed)):
            return "link"
        if keys[-1] in TEXT_KEYS and isinstance(self.recorded, str) and isinstance(self.replayed, str):
            return "text"
        return "decision"

    @property
    def json_path(self) -> str:
        return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in self.path)

    @property
    def field(self) -> str:
        """The field below its subject, without list positions ("reasons.citation.url")."""
        rest = self.path[_subject_depth(self.path):]
        return ".".join(p for p in rest if isinstance(p, str))


def _subject_depth(path: tuple) -> int:
    """How many path steps name the subject: components[i], plan.checks[i], route[i], splits.parts[i]..."""
    if len(path) >= 2 and path[0] in ("components", "route") and isinstance(path[1], int):
        return 2
    if len(path) >= 3 and path[0] in ("plan", "splits") and isinstance(path[2], int):
        return 3
    return 1 if path else 0


def subject_of(path: tuple, data: dict) -> tuple[str, str]:
    """(kind, name) of what a difference is about: a component and its id, a plan check, a route
    step (by its title), a split part or project, or a top-level part of the result."""
    depth = _subject_depth(path)
    try:
        node: Any = data
        for p in path[:depth]:
            node = node[p]
    except (KeyError, IndexError, TypeError):
        node = None
    node = node if isinstance(node, dict) else {}
    head = path[:depth]
    if head[:1] == ("components",) and depth == 2:
        return "component", str(node.get("id", head[1]))
    if head[:2] == ("plan", "checks"):
        return "check", f"{node.get('id', head[2])} ({node.get('subject', '')})"
    if head[:1] == ("route",) and depth == 2:
        return "step", str(node.get("title", head[1]))
    if head[:2] == ("splits", "parts"):
        return "part", str(node.get("component", head[2]))
    if head[:2] == ("splits", "projects"):
        return "project", str(node.get("project", head[2]))
    if head[:2] == ("splits", "selections"):
        return "selection", str(node.get("scope", head[2]))
    return "section", str(path[0]) if path else "result"


def differences(recorded: Any, replayed: Any, path: tuple = ()) -> list[Difference]:
    """Every place where the two JSON values differ, in document order (a list element or key that
    only one side has is one difference)."""
    if isinstance(recorded, dict) and isinstance(replayed, dict):
        out: list[Difference] = []
        for key in list(recorded) + [k for k in replayed if k not in recorded]:
            a, b = recorded.get(key, ABSENT), replayed.get(key, ABSENT)
            if a is ABSENT or b is ABSENT:
                out.append(Difference(path + (key,), a, b))
            else:
                out += differences(a, b, path + (key,))
        return out
    if isinstance(recorded, list) and isinstance(replayed, list):
        out = []
        for i in range(max(len(recorded), len(replayed))):
            a = recorded[i] if i < len(recorded) else ABSENT
            b = replayed[i] if i < len(replayed) else ABSENT
            if a is ABSENT or b is ABSENT:
                out.append(Difference(path + (i,), a, b))
            else:
                out += differences(a, b, path + (i,))
        return out
    if type(recorded) is type(replayed) and recorded == replayed:
        return []
    return [Difference(path, recorded, replayed)]


def level(found: list[Difference]) -> str:
    if not found:
        return IDENTICAL
    return VERDICTS if any(d.kind == "decision" for d in found) else WORDING
