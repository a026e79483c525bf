"""Static analysis of the rulebook (`woningwet rules check`).

The condition language has finite enum domains and integer comparisons against literals and
dated parameters, so the behaviour of the rules on one object kind, activity and regime period
can be explored exhaustively on a small set of representative facts: every enum or code value
that a condition distinguishes (one value per class of values the conditions treat alike), and
for every number the thresholds that conditions compare it with, one below and one above.
Every candidate fact is evaluated with the reference evaluator. The checks:

- gap: some representative component fact of an object kind and activity gets no verdict in a
  regime period (no verdict branch fires; the engine would answer `undetermined`). Combinations
  the law really leaves open are listed, with a reason, in rules/check-allow.yaml.
- overridden: a verdict branch fires on some facts, but on every such fact a branch with a
  higher-ranked verdict fires too, so its verdict can never decide (precedence makes it dead).
- conflict: two branches with the same verdict fire together but name different parties
  (precedence cannot settle which party the result names).
- unreachable: a rule branch that no fact can fire during its validity.
- parameter: a rule uses a parameter that has no entry on some date the rule is valid
  (the loader refuses these too; the check repeats it so the gate is explicit), or whose value
  is a declared gap (null) on such a date (a notice: the rule is undetermined then).
- citation: a legal basis whose BWB id and name do not match the known regulations, an
  onderdeel without a lid, a regulation cited for a date before it existed, or a citation that does
  not reach the deciding provision in the numbering of a text in force on a day it is used
  (rulebook/provisions.py: an article, lid or onderdeel that text lacks, or a list cited without its item).
- untested: a rule that the test run did not exercise (read from .rule-coverage.json, written
  by the test run; skipped with a notice when that file is absent).

Candidate vectors are capped per combination (deterministic sampling beyond the cap), so a
clean report is strong evidence, not a proof, for very wide combinations; the report says when
sampling was used.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from ..conditions.interval import Interval
from ..conditions.evaluator import Tri, evaluate
from ..conditions.nodes import And, Cmp, Const, In, Not, Or, Param, Present, atoms
from ..errors import InputError, Problem
from ..facts import COMPONENT_FIELDS, SCHEMAS
from ..yamlio import load_yaml_file
from .loader import Branch, CompiledRule, Rulebook
from .model import PRECEDENCE

ALLOW_FILE = "check-allow.yaml"
COVERAGE_FILE = ".rule-coverage.json"
MAX_VECTORS = 6000
MAX_SPACE = 1 << 22
OTHER_CODE = "~other"

REGULATIONS_FILE = Path(__file__).resolve().parents[1] / "data" / "regulations.yaml"


@functools.lru_cache(maxsize=1)
def _regulations_file() -> dict:
    import yaml

    return yaml.safe_load(REGULATIONS_FILE.read_text(encoding="utf-8"))


def known_regulations() -> dict[str, tuple[tuple[str, ...], dt.date]]:
    """The regulations the rulebook may cite, BWB id -> (accepted names, first day in force): data in
    woningwet_engine/data/regulations.yaml, read once when a check needs it."""
    return {bwb: (tuple(entry["names"]), entry["in_force"]) for bwb, entry in _regulations_file().items()}


SEVERITY = {"gap": "error", "overridden": "error", "conflict": "error", "unreachable": "error",
            "parameter": "error", "citation": "error", "untested": "error", "notice": "notice"}


@dataclass
class Finding:
    kind: str  # gap | overridden | conflict | unreachable | parameter | citation | untested | notice
    subject: str  # rule branch id, rule id or "object/activity"
    message: str
    period: tuple[dt.date, dt.date] | None = None
    example: dict | None = None
    allowed: str | None = None  # reason from the allow-list

    @property
    def severity(self) -> str:
        if self.allowed is not None:
            return "allowed"
        return SEVERITY[self.kind]

    def as_dict(self) -> dict:
        out = {"kind": self.kind, "severity": self.severity, "subject": self.subject, "message": self.message}
        if self.period:
            out["period"] = [self.period[0].isoformat(), self.period[1].isoformat()]
        if self.example is not None:
            out["example"] = self.example
        if self.allowed is not None:
            out["allowed"] = self.allowed
        return out

    def __str__(self) -> str:
        when = f" [{self.period[0]}..{self.period[1]}]" if self.period else ""
        text = f"{self.severity:<7} {self.kind:<11} {self.subject}{when}: {self.message}"
        if self.example:
            text += "\n          example: " + ", ".join(f"{k}={v}" for k, v in self.example.items())
        if self.allowed:
            text += f"\n          allowed: {self.allowed}"
        return text


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)
    stats: dict = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    def kinds(self, severity: str = "error") -> set[str]:
        return {f.kind for f in self.findings if f.severity == severity}

    def as_dict(self) -> dict:
        return {"ok": not self.errors, "stats": self.stats, "findings": [f.as_dict() for f in self.findings]}


# ---------------------------------------------------------------------------------------------
# branches and atoms


@dataclass(frozen=True)
class BranchInfo:
    """A rule branch (rulebook Branch) as the analyses address it: by its id, with the facts its rule reads."""

    spec: Branch

    @property
    def name(self) -> str:  # "DAEB-01.b#then"
        return self.spec.id

    @property
    def rule(self) -> CompiledRule:
        return self.spec.rule

    @property
    def branch(self) -> str:
        return self.spec.name

    @property
    def root(self):
        return self.spec.root

    @property
    def facts(self) -> tuple[str, ...]:
        return self.spec.rule.facts

    @property
    def outcome(self):
        return self.spec.outcome

    @property
    def verdict(self) -> str | None:
        return self.spec.outcome.verdict


def branches_of(cr: CompiledRule) -> list[BranchInfo]:
    return [BranchInfo(b) for b in cr.branches]


def fact_domains(roots: Iterable, values: Mapping, schema) -> dict[str, list]:
    """Representative values per fact read by the conditions (see the module docstring)."""
    numbers: dict[str, set] = {}
    sets: dict[str, list[frozenset]] = {}
    facts: list[str] = []
    absent: set[str] = set()  # facts tested with present()/missing(): absence is a value too
    for root in roots:
        for atom in atoms(root):
            f = atom.fact
            if f not in facts:
                facts.append(f)
            spec = schema[f]
            if isinstance(atom, Present):
                absent.add(f)
            elif isinstance(atom, Cmp):
                rhs = values.get(atom.rhs.name) if isinstance(atom.rhs, Param) else atom.rhs.value
                if rhs is None:
                    continue
                if isinstance(rhs, Interval):
                    numbers.setdefault(f, set()).update(b for b in (rhs.lower, rhs.upper) if b is not None)
                    continue
                if spec.type in ("eur", "bp", "int"):
                    numbers.setdefault(f, set()).add(rhs)
                elif spec.type in ("enum", "code"):
                    sets.setdefault(f, []).append(frozenset([rhs]))
            elif isinstance(atom, In):
                opts = values.get(atom.param) if atom.param else [v.value for v in atom.values]
                if opts is None:
                    continue
                if spec.type in ("eur", "bp", "int"):
                    numbers.setdefault(f, set()).update(opts)
                else:
                    sets.setdefault(f, []).append(frozenset(opts))
    domains: dict[str, list] = {}
    for f in facts:
        spec = schema[f]
        if spec.type == "bool":
            domains[f] = [True, False]
        elif spec.type in ("eur", "bp", "int"):
            # one point per class of integers the comparisons treat alike: below the lowest
            # threshold, each threshold, one between each two, above the highest
            ts = sorted(numbers.get(f, ()))
            points = [ts[0] - 1] if ts else [0]
            for t, nxt in zip(ts, ts[1:] + [None]):
                points.append(t)
                if nxt is None or nxt > t + 1:
                    points.append(t + 1)
            if ts and ts[0] > 0:
                points[0] = max(0, ts[0] - 1)
            domains[f] = sorted(set(points))
        else:
            groups = sets.get(f, [])
            candidates = set().union(*groups) if groups else set()
            candidates = sorted(candidates | (set(spec.values) if spec.type == "enum" else {OTHER_CODE}))
            seen: dict[tuple, object] = {}
            for v in candidates:
                sig = tuple(v in g for g in groups)
                seen.setdefault(sig, v)
            domains[f] = sorted(seen.values())
    for f in absent:
        domains[f] = domains[f] + [None]
    return domains


def derive(fact: dict) -> dict:
    """Keep derived fields consistent with the fields they are computed from (facts.py)."""
    obj = fact.get("object")
    if "is_bog_space" in fact and obj is not None:
        fact["is_bog_space"] = obj == "bog" or (obj == "parking" and fact.get("parking_use", "public") == "public")
    if obj is not None and obj != "bog":
        for name in ("bog_own_office", "bog_existing"):
            if name in fact:
                fact[name] = False
    if fact.get("regio_designated") is False:
        fact.pop("in_regio", None)
    return fact


def _vectors(fixed: dict, domains: dict[str, list], seed: str, cap: int) -> tuple[list[dict], bool]:
    names = [n for n in domains if n not in fixed]
    size = 1
    for n in names:
        size *= len(domains[n])
    out: list[dict] = []
    seen: set = set()

    def add(values):
        fact = derive(dict(fixed, **{n: v for n, v in zip(names, values) if v is not None}))
        key = tuple(sorted(fact.items(), key=lambda kv: kv[0]))
        if key not in seen:
            seen.add(key)
            out.append(fact)

    if size <= cap:
        for values in itertools.product(*(domains[n] for n in names)):
            add(values)
        return out, False
    rng = random.Random(hashlib.sha256(seed.encode()).hexdigest())
    # every single value of every fact at least once, then random combinations
    for i, n in enumerate(names):
        for v in domains[n]:
            add([v if j == i else rng.choice(domains[m]) for j, m in enumerate(names)])
    for _ in range(cap * 4):
        if len(out) >= cap:
            break
        add([rng.choice(domains[n]) for n in names])
    return out, True


class _Memo:
    """Branch status memoised on the values of the facts the branch reads."""

    def __init__(self, values: Mapping):
        self.values = values
        self.cache: dict = {}

    def fires(self, b: BranchInfo, fact: dict) -> bool:
        key = (b.name, tuple(fact.get(f) for f in b.facts))
        hit = self.cache.get(key)
        if hit is None:
            hit = evaluate(b.root, fact, self.values) is Tri.TRUE
            self.cache[key] = hit
        return hit


# ---------------------------------------------------------------------------------------------
# the checks


def periods(book: Rulebook) -> list[tuple[dt.date, dt.date]]:
    points = book.change_points()
    out = []
    for i, start in enumerate(points):
        end = points[i + 1] - dt.timedelta(days=1) if i + 1 < len(points) else book.meta.coverage_to
        out.append((start, end))
    return out


def _objects_activities():
    return list(COMPONENT_FIELDS["object"].values), list(COMPONENT_FIELDS["activity"].values)


def _show(fact: dict, keep: Iterable[str]) -> dict:
    return {k: fact[k] for k in keep if k in fact}


@dataclass
class _BranchStats:
    fired: bool = False
    top: bool = False
    overridden_by: set = field(default_factory=set)
    example: dict | None = None
    period: tuple | None = None


def simplify(node, fixed: Mapping, values: Mapping):
    """Partial evaluation: atoms on the facts in `fixed` become constants; And/Or/Not fold."""
    if isinstance(node, (And, Or)):
        is_and = isinstance(node, And)
        items = []
        for item in node.items:
            s = simplify(item, fixed, values)
            if isinstance(s, Const):
                if s.value != is_and:
                    return Const(not is_and)
                continue
            items.append(s)
        if not items:
            return Const(is_and)
        return items[0] if len(items) == 1 else (And(tuple(items)) if is_and else Or(tuple(items)))
    if isinstance(node, Not):
        s = simplify(node.item, fixed, values)
        return Const(not s.value) if isinstance(s, Const) else Not(s)
    if isinstance(node, (Cmp, In, Present)) and node.fact in fixed:
        status = evaluate(node, fixed, values)
        if status is Tri.UNKNOWN:
            return node  # e.g. an unknown parameter: stays undecided
        return Const(status is Tri.TRUE)
    return node


def _free_facts(root) -> list[str]:
    out: list[str] = []
    for atom in atoms(root):
        if atom.fact not in out:
            out.append(atom.fact)
    return out


def _variants(obj: str, act: str, reads: set[str]) -> list[dict]:
    """Fixed facts for one object and activity, split on facts that others are derived from."""
    base = {"id": "component:x", "kind": "component", "object": obj, "activity": act}
    if obj != "bog":
        base["bog_own_office"] = base["bog_existing"] = False
    variants = [base]
    if obj == "parking":
        variants = [dict(base, parking_use=u, is_bog_space=u == "public") for u in COMPONENT_FIELDS["parking_use"].values]
    else:
        base["is_bog_space"] = obj == "bog"
    if reads & {"regio_designated", "in_regio"}:
        variants = [dict(v, regio_designated=flag) for v in variants for flag in (True, False)]
    return variants


class _Space:
    """All combinations of representative values of the free facts, as bit positions of big ints."""

    def __init__(self, names: list[str], domains: dict[str, list]):
        self.names = names
        self.domains = [domains[n] for n in names]
        self.size = 1
        for d in self.domains:
            self.size *= len(d)
        self.full = (1 << self.size) - 1
        self._coord: dict[tuple[int, int], int] = {}

    def coord(self, i: int, j: int) -> int:
        """Bits of the combinations whose i-th fact takes its j-th value."""
        key = (i, j)
        if key not in self._coord:
            stride = 1
            for d in self.domains[i + 1:]:
                stride *= len(d)
            period = stride * len(self.domains[i])
            block = ((1 << stride) - 1) << (j * stride)
            bits, length = block, period
            while length < self.size:
                bits |= bits << length
                length *= 2
            self._coord[key] = bits & self.full
        return self._coord[key]

    def decode(self, index: int) -> dict:
        out = {}
        for name, dom in zip(reversed(self.names), reversed(self.domains)):
            index, j = divmod(index, len(dom))
            out[name] = dom[j]
        return dict(reversed(list(out.items())))

    def fires(self, root, fixed: dict, values: Mapping) -> int:
        idx = [self.names.index(f) for f in _free_facts(root)]
        idx.sort()
        result = 0

        def walk(k: int, bits: int, fact: dict):
            nonlocal result
            if not bits:
                return
            if k == len(idx):
                if evaluate(root, fact, values) is Tri.TRUE:
                    result |= bits
                return
            i = idx[k]
            for j, v in enumerate(self.domains[i]):
                sub = dict(fact)
                if v is not None:
                    sub[self.names[i]] = v
                walk(k + 1, bits & self.coord(i, j), sub)

        walk(0, self.full, dict(fixed))
        return result


def _lowest(bits: int) -> int:
    return (bits & -bits).bit_length() - 1


def _analyse_combo(relevant: list[BranchInfo], fixed: dict, values: Mapping, cap: int):
    """(gap example or None, {branch: [fired, was top, overridden by]}, [(pair, example)], sampled)."""
    roots = {b.name: simplify(b.root, fixed, values) for b in relevant}
    live = [b for b in relevant if not (isinstance(roots[b.name], Const) and not roots[b.name].value)]
    domains = fact_domains([roots[b.name] for b in live], values, COMPONENT_FIELDS)
    if fixed.get("regio_designated") is False and "in_regio" in domains:
        domains["in_regio"] = [None]  # the fact is absent when no region is designated
    names = [n for n in domains if n not in fixed]
    space = _Space(names, domains)
    if space.size > cap:
        return None, {}, [], True
    bits = {b.name: space.fires(roots[b.name], fixed, values) for b in live}

    def example(index: int) -> dict:
        shown = {k: fixed[k] for k in ("parking_use", "regio_designated") if k in fixed}
        shown.update({k: v for k, v in space.decode(index).items() if v is not None})
        return shown

    decided = 0
    for b in live:
        decided |= bits[b.name]
    gap = space.full & ~decided
    gap_example = example(_lowest(gap)) if gap else None
    above: dict[int, int] = {}
    for rank in set(PRECEDENCE.values()):
        acc = 0
        for b in live:
            if PRECEDENCE[b.verdict] > rank:
                acc |= bits[b.name]
        above[rank] = acc
    per_branch: dict[str, list] = {}
    for b in live:
        mine = bits[b.name]
        if not mine:
            continue
        rank = PRECEDENCE[b.verdict]
        top = bool(mine & ~above[rank])
        over = {h.name for h in live if PRECEDENCE[h.verdict] > rank and bits[h.name] & mine}
        per_branch[b.name] = [top, over, example(_lowest(mine))]
    conflicts = []
    for x, y in itertools.combinations(live, 2):
        if x.verdict != y.verdict or not x.outcome.party or not y.outcome.party or x.outcome.party == y.outcome.party:
            continue
        both = bits[x.name] & bits[y.name] & ~above[PRECEDENCE[x.verdict]]
        if both:
            conflicts.append((tuple(sorted((x.name, y.name))), example(_lowest(both))))
    return gap_example, per_branch, conflicts, False


def analyse_components(book: Rulebook, cap: int = MAX_SPACE) -> tuple[list[Finding], dict, dict]:
    """Gaps, always-overridden verdicts and same-rank conflicts of component verdict branches."""
    findings: list[Finding] = []
    stats: dict[str, _BranchStats] = {}
    counters = {"combinations": 0, "evaluated": 0, "too_wide": 0}
    objects, activities = _objects_activities()
    gaps: dict[tuple, list] = {}  # (object, activity) -> [(period, example)]
    conflicts: dict[tuple, tuple] = {}
    too_wide: dict[tuple, tuple] = {}
    cache: dict[str, tuple] = {}
    for period in periods(book):
        sel = book.at(period[0])
        values = sel.values
        verdict_branches = [b for cr in sel.rules if cr.rule.scope == "component"
                            for b in branches_of(cr) if b.verdict]
        reads = {f for b in verdict_branches for f in b.facts}
        for obj in objects:
            for act in activities:
                counters["combinations"] += 1
                for fixed in _variants(obj, act, reads):
                    relevant = [b for b in verdict_branches if evaluate(b.root, fixed, values) is not Tri.FALSE]
                    params = sorted({p for b in relevant for p in b.rule.params})
                    key = json.dumps([fixed, [b.name for b in relevant], [[p, values.get(p)] for p in params]],
                                     default=str, sort_keys=True)
                    if key not in cache:
                        counters["evaluated"] += 1
                        cache[key] = _analyse_combo(relevant, fixed, values, cap)
                    gap_example, per_branch, combo_conflicts, wide = cache[key]
                    if wide:
                        too_wide.setdefault((obj, act), period)
                        continue
                    if gap_example is not None:
                        gaps.setdefault((obj, act), []).append((period, gap_example))
                    for name, (top_seen, over, ex) in per_branch.items():
                        st = stats.setdefault(name, _BranchStats())
                        if not st.fired:
                            st.example, st.period = ex, period
                        st.fired = True
                        st.top = st.top or top_seen
                        st.overridden_by |= over
                    for names, ex in combo_conflicts:
                        conflicts.setdefault(names, (period, ex, obj, act))
    counters["too_wide"] = len(too_wide)
    for (obj, act), items in gaps.items():
        merged: dict = {}
        for period, ex in items:  # variants of one period count once
            merged.setdefault(period, ex)
        for start, end, ex in _merge_periods(sorted(merged.items())):
            findings.append(Finding("gap", f"{obj}/{act}",
                                    f"no verdict rule decides '{act}' of '{obj}' for these facts", (start, end), ex))
    for name in sorted(stats):
        st = stats[name]
        if st.fired and not st.top:
            findings.append(Finding("overridden", name,
                                    "its verdict is always overridden by a higher-ranked verdict of "
                                    + ", ".join(sorted(st.overridden_by)) + " (it can never decide)",
                                    st.period, st.example))
    for names, (period, ex, obj, act) in sorted(conflicts.items()):
        findings.append(Finding("conflict", " + ".join(names),
                                f"same verdict, different parties on '{act}' of '{obj}'; precedence cannot settle it",
                                period, ex))
    for (obj, act), period in sorted(too_wide.items()):
        findings.append(Finding("notice", f"{obj}/{act}",
                                f"more than {cap} fact combinations: not analysed for gaps and overlaps", period))
    return findings, {n: s.fired for n, s in stats.items()}, counters


def _merge_periods(items):
    """Merge consecutive periods (in order) that share the gap; keep the first example."""
    merged = []
    for (start, end), example in items:
        if merged and merged[-1][1] + dt.timedelta(days=1) == start:
            merged[-1][1] = end
        else:
            merged.append([start, end, example])
    return [tuple(m) for m in merged]


def analyse_reachability(book: Rulebook, cap: int = MAX_VECTORS) -> list[Finding]:
    """A branch that no fact over its own fields can fire on any date of its validity."""
    findings = []
    all_periods = periods(book)
    for cr in book.rules:
        schema = SCHEMAS[cr.rule.scope]
        reached: set[str] = set()
        branches = branches_of(cr)
        for start, end in all_periods:
            if not (cr.rule.valid_on(start) or cr.rule.valid_on(end)):
                continue
            day = start if cr.rule.valid_on(start) else cr.rule.valid_from
            values = book.at(day).values
            domains = fact_domains([b.root for b in branches], values, schema)
            fixed = {"id": "x", "kind": cr.rule.scope}
            vectors, _ = _vectors(fixed, domains, f"{cr.rule.id}@{day}", cap)
            for b in branches:
                if b.name in reached:
                    continue
                if any(evaluate(b.root, v, values) is Tri.TRUE for v in vectors):
                    reached.add(b.name)
            if len(reached) == len(branches):
                break
        for b in branches:
            if b.branch == "else" and isinstance(cr.test.root, Const) and cr.test.root.value:
                continue  # `test: true`: an obligation that always passes, by design
            if b.name not in reached:
                findings.append(Finding("unreachable", b.name,
                                        "no combination of facts fires this branch on any date of its validity "
                                        f"({cr.rule.valid_from}..{cr.rule.valid_to or 'open'})"))
    return findings


def check_parameters(book: Rulebook) -> list[Finding]:
    findings = []
    for cr in book.rules:
        end = cr.rule.valid_to or book.meta.coverage_to
        for pid in cr.params:
            pf = book.params.get(pid)
            if pf is None:
                findings.append(Finding("parameter", cr.rule.id, f"uses unknown parameter {pid}"))
                continue
            for start, stop in pf.covers(cr.rule.valid_from, end):
                findings.append(Finding("parameter", cr.rule.id,
                                        f"parameter {pid} has no entry from {start} to {stop or 'open end'}",
                                        (start, stop or end)))
            for v in pf.values:
                v_end = v.valid_to or end
                if v.value is None and v.valid_from <= end and v_end >= cr.rule.valid_from:
                    what = ("bounded only (an interval) here: the rule decides only where every value in it agrees"
                            if v.interval is not None else "a declared gap (null) here: the rule is undetermined")
                    findings.append(Finding("notice", cr.rule.id, f"parameter {pid} is {what}",
                                            (max(v.valid_from, cr.rule.valid_from), min(v_end, end))))
    return findings


def _citation_problems(lb, valid_from: dt.date, with_lid: set, numbered: tuple | None = None) -> list[str]:
    out = []
    known = known_regulations().get(lb.bwb)
    if known is None:
        out.append(f"unknown regulation {lb.bwb} ({lb.name}); add it to the known regulations if it is real")
    else:
        names, in_force = known
        if lb.name not in names:
            out.append(f"{lb.bwb} is {names[0]}, not {lb.name!r}")
        if valid_from < in_force:
            out.append(f"{names[0]} is cited from {valid_from}, before it took effect on {in_force}")
    if lb.onderdeel and not lb.lid and (numbered or (lb.bwb, lb.article)) in with_lid:
        out.append(f"onderdeel {lb.onderdeel} without a lid, but art. {lb.article} is cited with leden elsewhere")
    if lb.sub and not lb.onderdeel:
        out.append(f"sub-item {lb.sub} without an onderdeel")
    return out


def condition_use(book: Rulebook) -> dict[str, tuple[dt.date, dt.date | None]]:
    """The first and last day (None: open end) a rule triggering each condition applies: the days its
    citations are read on."""
    use: dict[str, tuple[dt.date, dt.date | None]] = {}
    for cr in book.rules:
        r = cr.rule
        for branch in (r.then, r.else_):
            for cid in branch.conditions if branch is not None else ():
                first, last = use.get(cid, (r.valid_from, r.valid_to))
                last = None if last is None or r.valid_to is None else max(last, r.valid_to)
                use[cid] = (min(first, r.valid_from), last)
    return use


def derivation_use(book: Rulebook, d) -> dt.date | None:
    """The last day (None: open end) a derived fact is read by a rule in force: a derivation is cited then
    (its facts may still be computed later, e.g. to say that a lapsed rule no longer applies)."""
    ends = [cr.rule.valid_to for cr in book.rules if set(d.produces) & set(cr.facts)] or [d.valid_to]
    last = None if None in ends else max(ends)
    return last if d.valid_to is None else d.valid_to if last is None else min(d.valid_to, last)


def parameter_use(p) -> tuple[dt.date, dt.date | None]:
    """The days a parameter has entries (its citations are read on them)."""
    ends = [v.valid_to for v in p.values]
    return p.values[0].valid_from, None if None in ends else max(ends)


def check_citations(book: Rulebook) -> list[Finding]:
    from .citation import juriconnect, wetten_url
    from .provisions import deciding_problems, numbering

    findings = []
    # conditions, figures and out-of-scope entries are cited only by rules: from the first rule's day
    # (a date covered before it is told that the regime is not yet in force)
    start = max(book.meta.coverage_from, book.first_day or book.meta.coverage_from)
    # each citation is read on the days it is used, in the numbering of the text in force then: a rule on its
    # dates; a condition on those of the rules that trigger it (one no rule triggers: from the first rule's
    # day); a figure on the days it has entries; the rest on every day from the first rule's day
    items = [(cr.rule.id, lb, cr.rule.valid_from, cr.rule.valid_to) for cr in book.rules for lb in cr.rule.legal_basis]
    use = condition_use(book)
    items += [(f"condition {cid}", lb, max(use.get(cid, (start,))[0], start), use.get(cid, (start, None))[1])
              for cid, c in book.conditions.items() for lb in c.legal_basis]
    items += [(f"parameter {pid}", lb, max(parameter_use(p)[0], start), parameter_use(p)[1])
              for pid, p in book.params.items() for lb in p.legal_basis]
    items += [(f"out of scope {e.id}", lb, start, None) for e in book.out_of_scope for lb in e.legal_basis]
    items += [("no rule decides (rulebook.yaml)", lb, start, None) for lb in book.meta.no_rule.legal_basis]
    items += [(f"derivation {d.id}", lb, max(d.valid_from, start), derivation_use(book, d))
              for d in book.derivations for lb in d.legal_basis]
    if book.meta.regime is not None:
        items += [("regime", lb, start, None) for lb in book.meta.regime.legal_basis]
    parties = book.policy.parties if book.policy is not None else None
    if parties is not None:  # the legal bases the split cites (rules/policy/parties.yaml)
        items += [(f"party policy {key}", lb, start, None) for key, bases in parties.legal_bases.items() for lb in bases]
    def _numbered(lb, since):  # the article in the numbering it is read in (a lid may exist only later)
        return lb.bwb, lb.article, numbering(lb.bwb, lb.article, max(since, lb.valid_from or since))

    with_lid = {_numbered(lb, since) for _, lb, since, _ in items if lb.lid}
    for subject, lb, since, until in items:
        since = max(since, lb.valid_from or since)
        for msg in _citation_problems(lb, since, with_lid, _numbered(lb, since)):
            findings.append(Finding("citation", subject, msg))
        for msg in deciding_problems(lb, since, until):
            findings.append(Finding("citation", subject, f"not the deciding provision: {msg}"))
        ref = juriconnect(lb.bwb, lb.article, lb.lid, lb.onderdeel, since, lb.sub)
        url = wetten_url(lb.bwb, lb.article, lb.lid, lb.onderdeel, since, lb.sub)
        if " " in url or not ref.startswith(f"jci1.3:c:{lb.bwb}&"):
            findings.append(Finding("citation", subject, f"citation does not render as a Juriconnect link: {ref}"))
    return findings


def read_coverage(path: Path) -> set[str] | None:
    """Rule ids exercised by the test run, from .rule-coverage.json; None when absent.

    Accepted shapes: {"rules": {...}} or the inner mapping itself, rule id (or "ID#branch") ->
    count / list of tests / true; or a list of ids or of {"rule"/"id": ...} records.
    """
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError([Problem(str(path), "", f"cannot read rule coverage: {exc}")]) from None
    if isinstance(data, dict) and "rules" in data:
        data = data["rules"]
    covered: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict):  # woningwet_engine.coverage report: a test made it fire
                value = value.get("fired_by", value.get("tests", value.get("count", value.get("covered", True))))
            if value:
                covered.add(str(key).split("#")[0])
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, str):
                covered.add(item.split("#")[0])
            elif isinstance(item, dict):
                rid = item.get("rule") or item.get("id")
                if rid and item.get("tests", item.get("count", True)):
                    covered.add(str(rid).split("#")[0])
    else:
        raise InputError([Problem(str(path), "", "rule coverage must be a JSON object or list")])
    return covered


def check_coverage(book: Rulebook, path: Path) -> list[Finding]:
    covered = read_coverage(path)
    if covered is None:
        return [Finding("notice", "coverage", f"{path} not found: rule test coverage not checked "
                                              "(run the test suite, then `woningwet rules coverage`)")]
    out = [Finding("untested", cr.rule.id, f"no test makes this rule fire (per {path})")
           for cr in book.rules if cr.rule.id not in covered]
    try:
        sha = json.loads(path.read_text(encoding="utf-8")).get("rulebook_sha256")
    except (AttributeError, ValueError):
        sha = None
    if isinstance(data := json.loads(path.read_text(encoding="utf-8")), dict) and data.get("complete") is False:
        return [Finding("notice", "coverage", f"{path} comes from a partial test run: rule test coverage not checked")]
    if sha and sha != book.sha256:
        out.append(Finding("notice", "coverage", f"{path} was written for another rulebook version; rerun the tests"))
    return out


# ---------------------------------------------------------------------------------------------
# allow-list


@dataclass(frozen=True)
class Allow:
    kind: str
    subject: str  # rule branch/rule id, or object/activity with "*" wildcards
    reason: str
    valid_from: dt.date | None
    valid_to: dt.date | None

    def matches(self, f: Finding) -> bool:
        if self.kind != f.kind:
            return False
        if self.kind == "gap":
            obj, act = f.subject.split("/")
            a_objs, a_acts = (part.split(",") for part in self.subject.split("/"))
            if not ({"*", obj} & set(a_objs)) or not ({"*", act} & set(a_acts)):
                return False
        elif self.subject not in (f.subject, f.subject.split("#")[0]):
            return False
        if f.period and self.valid_from and f.period[1] < self.valid_from:
            return False
        if f.period and self.valid_to and f.period[0] > self.valid_to:
            return False
        return True


def load_allow(path: Path) -> list[Allow]:
    """rules/check-allow.yaml: `allow: [{kind, object+activity | rule, reason, valid_from?, valid_to?}]`."""
    if not path.is_file():
        return []
    loaded = load_yaml_file(path)
    data = loaded.data
    problems: list[Problem] = []
    out: list[Allow] = []
    if not isinstance(data, dict) or not isinstance(data.get("allow"), list) or set(data) - {"allow"}:
        raise InputError([Problem(str(path), "allow", "expected a mapping with one key 'allow' holding a list")])
    kinds = set(SEVERITY) - {"notice"}
    for i, item in enumerate(data["allow"]):
        where = f"allow.{i}"
        line = loaded.line_of(("allow", i))
        if not isinstance(item, dict):
            problems.append(Problem(str(path), where, "expected a mapping", line))
            continue
        unknown = set(item) - {"kind", "object", "activity", "rule", "reason", "valid_from", "valid_to"}
        if unknown:
            problems.append(Problem(str(path), where, f"unknown field(s) {sorted(unknown)}", line))
        kind = item.get("kind")
        reason = item.get("reason")
        if kind not in kinds:
            problems.append(Problem(str(path), f"{where}.kind", f"kind must be one of {sorted(kinds)}", line))
            continue
        if not isinstance(reason, str) or len(reason.strip()) < 10:
            problems.append(Problem(str(path), f"{where}.reason", "every allowance needs a reason (a sentence)", line))
        if kind == "gap":
            objs, acts = item.get("object"), item.get("activity")
            objs = [objs] if isinstance(objs, str) else objs
            acts = [acts] if isinstance(acts, str) else acts
            objects, activities = _objects_activities()
            if not isinstance(objs, list) or not isinstance(acts, list) or not objs or not acts \
                    or not set(objs) <= set(objects) | {"*"} or not set(acts) <= set(activities) | {"*"}:
                problems.append(Problem(str(path), where, "a gap allowance needs known 'object' and 'activity' "
                                        "values (a name, a list of names, or '*')", line))
                continue
            subject = f"{','.join(objs)}/{','.join(acts)}"
        else:
            subject = item.get("rule")
            if not isinstance(subject, str) or not subject:
                problems.append(Problem(str(path), f"{where}.rule", f"a {kind} allowance needs a 'rule'", line))
                continue
        dates = []
        for key in ("valid_from", "valid_to"):
            value = item.get(key)
            if value is not None and not isinstance(value, dt.date):
                problems.append(Problem(str(path), f"{where}.{key}", "expected a date (YYYY-MM-DD)", line))
                value = None
            dates.append(value)
        out.append(Allow(kind, subject, (reason or "").strip(), dates[0], dates[1]))
    if problems:
        raise InputError(problems)
    return out


# ---------------------------------------------------------------------------------------------


def check_rulebook(book: Rulebook, allow: list[Allow] | None = None, coverage: Path | None = None) -> Report:
    report = Report()
    comp_findings, fired, counters = analyse_components(book)
    findings = check_parameters(book) + check_citations(book) + comp_findings + analyse_reachability(book)
    if coverage is not None:
        findings += check_coverage(book, coverage)
    used: set[int] = set()
    for f in findings:
        for i, a in enumerate(allow or []):
            if a.matches(f):
                f.allowed = a.reason
                used.add(i)
                break
    for i, a in enumerate(allow or []):
        if i not in used:
            findings.append(Finding("notice", a.subject, f"allow-list entry ({a.kind}) matches nothing; remove it"))
    order = {"error": 0, "allowed": 1, "notice": 2}
    findings.sort(key=lambda f: (order[f.severity], f.kind, f.subject, f.period or ()))
    report.findings = findings
    report.stats = dict(counters, rules=len(book.rules), periods=len(periods(book)),
                        errors=len(report.errors), allowed=sum(f.severity == "allowed" for f in findings))
    return report


def run_command(rules_dir: Path | None, allow_path: Path | None, coverage_path: Path | None, fmt: str,
                show_allowed: bool = False) -> int:
    """`woningwet rules check`: 0 clean, 1 findings; input errors (exit 2) are raised as InputError."""
    import click

    from .cache import load_rulebook_cached  # also checks that durable_rules can run it on every date
    from .loader import DEFAULT_RULES_DIR

    root = Path(rules_dir) if rules_dir is not None else DEFAULT_RULES_DIR
    book = load_rulebook_cached(root)
    allow = load_allow(Path(allow_path) if allow_path is not None else root / ALLOW_FILE)
    coverage = Path(coverage_path) if coverage_path is not None else Path.cwd() / COVERAGE_FILE
    report = check_rulebook(book, allow, coverage)
    if fmt == "json":
        click.echo(json.dumps(report.as_dict(), indent=1, ensure_ascii=False, default=str))
    else:
        for f in report.findings:
            if f.severity == "allowed" and not show_allowed:
                continue
            click.echo(str(f))
        st = report.stats
        click.echo(f"{'FAIL' if report.errors else 'ok'}: {st['errors']} error(s), {st['allowed']} allowed, "
                   f"{st['rules']} rules over {st['periods']} regime periods, "
                   f"{st['evaluated']} distinct object/activity analyses")
    return 1 if report.errors else 0
