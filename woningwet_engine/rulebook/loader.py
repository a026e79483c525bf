"""Load and validate the rulebook; select the rules and parameter values in force on a date.

The rulebook is read from a mapping of relative path -> file bytes, so that the audit log can
replay a decision with the exact files it was made with. Validation collects every problem
(file, line, field, what is wrong) before raising, so one run shows them all.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Mapping

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..conditions.evaluator import Tri, tri_and, tri_not
from ..conditions.nodes import And, Condition, ConditionError, Node, Not, parse_condition
from ..errors import InputError, Problem, Say
from ..derivations import FUNCTIONS as DERIVATION_FUNCTIONS
from ..facts import SCHEMAS
from ..yamlio import load_yaml_text, os_reason, pydantic_problems, read_regular_file
from .model import (
    Bilingual, ConditionCatalogue, ConditionDef, DerivationDef, DerivationFile, LegalBasis, OutOfScope, OutOfScopeEntry,
    Outcome, Rule, RuleFile, uncovered,
)
from .params import ParameterFile, ResolvedParam, resolve
from .policy import PartyPolicyFile, Policy, RemedyFile


def _default_rules_dir() -> Path:
    """The source tree's rules/ (a checkout or an editable install), else the copy the wheel carries
    (setup.py copies rules/ into the package as _rules/ when it builds the wheel)."""
    package = Path(__file__).resolve().parents[1]
    source = package.parent / "rules"
    if (package.parent / "pyproject.toml").is_file() and source.is_dir():
        return source
    return package / "_rules"


DEFAULT_RULES_DIR = _default_rules_dir()
PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*(?:\.[a-z_][a-z0-9_]*)?)\}")
MAX_FILES = 500
MAX_TOTAL_BYTES = 64 * 1024 * 1024
# files in the rules directory that are not part of the rulebook (nor of its hash)
NOT_RULEBOOK_FILES = {"check-allow.yaml"}  # allow-list of `woningwet rules check`
POLICY_FILES = {"policy/parties.yaml": PartyPolicyFile, "policy/remedies.yaml": RemedyFile}


class Regime(BaseModel):
    """The law the rulebook encodes, as one names and cites it: a date before its first rule is
    judged as 'not yet in force' (verdict.py, inforce.py) instead of silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    title: Bilingual
    legal_basis: list[LegalBasis] = Field(min_length=1)


class NoRuleBasis(BaseModel):
    """What a component no rule in force decides is told, and on which provision (the limitative
    gebied van de volkshuisvesting): the rule id the reason carries and its legal basis."""
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    rule: str
    legal_basis: list[LegalBasis]


class RulebookMeta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    name: str
    coverage_from: dt.date
    coverage_to: dt.date
    regime: Regime | None = None
    # absent only in rulebooks recorded before the field existed (audit replay): the basis the engine
    # used at the time
    no_rule: NoRuleBasis = Field(default_factory=lambda: NoRuleBasis(rule="GEB-02", legal_basis=[LegalBasis(
        bwb="BWBR0005181", name="Woningwet", article="45", lid="2", onderdelen="a-i")]))


@dataclass(frozen=True, eq=False)
class Branch:
    """One branch of a rule, defined here once for every consumer (reference evaluation, the
    durable_rules compiler, static checks, verdicts, splits, remediation, coverage).

    A rule without a test has one branch, `then`, which fires when `when` holds. A tested rule has
    `then` (when and test) and `else` (when and not test). `needs_test` says which value of the
    test the branch needs (None: the rule has no test)."""

    rule: "CompiledRule"
    name: str  # "then" | "else"
    outcome: Outcome
    needs_test: bool | None

    @cached_property
    def id(self) -> str:  # read for every fired branch of every fact (the durable_rules cross-check)
        return f"{self.rule.rule.id}#{self.name}"

    @property
    def when(self) -> Node:
        return self.rule.when.root

    @cached_property
    def test(self) -> Node | None:
        """What this branch needs of the rule's test, as a condition: the test or its negation."""
        if self.needs_test is None:
            return None
        return self.rule.test.root if self.needs_test else Not(self.rule.test.root)

    @cached_property
    def root(self) -> Node:
        """The whole condition under which the branch fires."""
        return self.when if self.test is None else And((self.when, self.test))

    @property
    def decisive(self) -> Node:
        """What decides the branch once the rule applies: its test part, or `when` without a test."""
        return self.when if self.test is None else self.test

    def status(self, when: Tri, test: Tri | None) -> Tri:
        """The branch's three-valued status from the values of the rule's `when` and `test`."""
        if self.needs_test is None:
            return when
        return tri_and(when, test if self.needs_test else tri_not(test))


@dataclass(frozen=True)
class CompiledRule:
    """A rule with its parsed conditions and the file it came from."""

    rule: Rule
    file: str
    when: Condition
    test: Condition | None
    topic: str = ""  # the topic of its rule file (rules/<topic>.yaml)

    @cached_property
    def branches(self) -> tuple[Branch, ...]:
        """The rule's branches in order (then, else); see Branch."""
        if self.test is None:
            return (Branch(self, "then", self.rule.then, None),)
        return (Branch(self, "then", self.rule.then, True), Branch(self, "else", self.rule.else_, False))

    def branch(self, name: str) -> Branch:
        for b in self.branches:
            if b.name == name:
                return b
        raise KeyError(f"{self.rule.id} has no branch {name!r}")

    @cached_property
    def params(self) -> tuple[str, ...]:
        """Parameters the rule reads: in its conditions, then in its explanations (so that an
        unverified figure quoted in a text is listed under assumptions too)."""
        names = list(self.when.params)
        if self.test is not None:
            names += [p for p in self.test.params if p not in names]
        for b in self.branches:
            for text in (b.outcome.explain.nl, b.outcome.explain.en):
                names += [n[6:] for n in PLACEHOLDER.findall(text) if n.startswith("param.") and n[6:] not in names]
        return tuple(names)

    @cached_property
    def facts(self) -> tuple[str, ...]:
        names = list(self.when.facts)
        if self.test is not None:
            names += [f for f in self.test.facts if f not in names]
        names += [f for f in self.cite_facts if f not in names]
        return tuple(names)

    @cached_property
    def cite_facts(self) -> tuple[str, ...]:
        """Facts whose value picks the deciding onderdeel of a legal basis (LegalBasis.by)."""
        return tuple(dict.fromkeys(lb.by.fact for lb in self.rule.legal_basis if lb.by is not None))

    @cached_property
    def shown_facts(self) -> dict[str, tuple[str, ...]]:
        """Per branch: the facts its reason rests on and shows, the rule's facts (`facts`) then the
        placeholders of that branch's texts, so a figure a reason states is among its inputs."""
        out = {}
        for b in self.branches:
            names = list(self.facts)
            for text in (b.outcome.explain.nl, b.outcome.explain.en):
                names += [n for n in PLACEHOLDER.findall(text) if not n.startswith("param.") and n not in names]
            out[b.name] = tuple(names)
        return out

    @cached_property
    def used_facts(self) -> tuple[str, ...]:
        """Facts the rule uses: in its conditions and citations (`facts`), then in its explanations."""
        names = list(self.facts)
        for b in self.branches:
            for text in (b.outcome.explain.nl, b.outcome.explain.en):
                names += [n for n in PLACEHOLDER.findall(text) if not n.startswith("param.") and n not in names]
        return tuple(names)


@dataclass(frozen=True)
class Selection:
    """The rules in force on one date and the parameter values they use."""

    date: dt.date
    rules: tuple[CompiledRule, ...]
    params: Mapping[str, ResolvedParam]
    rulebook_sha256: str
    derivations: tuple[DerivationDef, ...] = ()  # in force on `date`, in declaration order
    policy: Policy = Policy()  # rules/policy/: parties and remedies

    @cached_property
    def values(self) -> dict:
        return {pid: p.value for pid, p in self.params.items()}

    @cached_property
    def _by_id(self) -> dict[str, "CompiledRule"]:
        return {cr.rule.id: cr for cr in self.rules}

    def rule(self, rule_id: str) -> "CompiledRule":
        """The rule in force with this id (KeyError when none is)."""
        return self._by_id[rule_id]

    @cached_property
    def memo(self) -> dict:
        """Scratch space for read-only result pieces derived from this selection (verdict.py)."""
        return {}

    @cached_property
    def period_memo(self) -> dict:
        """Scratch space for result pieces that hold no date (no dated link, no date in a text):
        shared by every day of one regime period (Rulebook.at), so a log of many dates builds them
        once per period."""
        return {}

    @cached_property
    def key(self) -> str:
        """Identity of the compiled ruleset: equal for all dates in one regime period."""
        payload = json.dumps({
            "rulebook": self.rulebook_sha256,
            "rules": [r.rule.id for r in self.rules],
            "params": {k: self.values[k] for k in sorted(self.values)},
        }, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


SELECTIONS_KEPT = 64
DURABLE_BRANCHES = "durable_branches"  # in a period's memo: its compiled durable_rules branches (capacity.store_branches)


@dataclass
class Rulebook:
    files: dict[str, bytes]
    meta: RulebookMeta
    rules: list[CompiledRule]
    params: dict[str, ParameterFile]
    conditions: dict[str, ConditionDef]
    out_of_scope: list[OutOfScopeEntry]
    topics: dict[str, RuleFile] = field(default_factory=dict)
    derivations: list[DerivationDef] = field(default_factory=list)
    policy: Policy = field(default_factory=Policy)

    @cached_property
    def sha256(self) -> str:
        h = hashlib.sha256()
        for path in sorted(self.files):
            h.update(path.encode() + b"\0" + hashlib.sha256(self.files[path]).digest())
        return h.hexdigest()

    def rule(self, rule_id: str) -> CompiledRule:
        for r in self.rules:
            if r.rule.id == rule_id:
                return r
        raise KeyError(rule_id)

    def covers(self, day: dt.date) -> bool:
        return self.meta.coverage_from <= day <= self.meta.coverage_to

    @cached_property
    def first_day(self) -> dt.date | None:
        """The first day any rule applies (the start of the encoded regime)."""
        return min((cr.rule.valid_from for cr in self.rules), default=None)

    def at(self, day: dt.date) -> Selection:
        """The selection for `day`; the same object for the same day while it is among the last
        SELECTIONS_KEPT days asked for (so its per-selection memo serves every case of that day)."""
        kept = self.__dict__.setdefault("_selections", {})
        found = kept.pop(day, None)
        if found is None:
            base = self._period(day)
            found = Selection(day, base.rules, base.params, self.sha256, base.derivations, self.policy)
            found.__dict__["key"] = base.key  # equal by construction: same rules and values
            found.__dict__["period_memo"] = base.period_memo
            found.__dict__["values"] = base.values  # read-only: the same figures on every day of the period
            found.__dict__["_by_id"] = base._by_id  # and the same rules
            if len(kept) >= SELECTIONS_KEPT:
                del kept[next(iter(kept))]
        kept[day] = found  # most recently used last
        return found

    def _period(self, day: dt.date) -> Selection:
        """The selection of the first day of the regime period that holds `day`: between two change
        points every rule, derivation and parameter value that applies on one day applies on all, so
        the rules, figures and selection key are worked out once per period, not once per day."""
        points = self.__dict__.get("_change_points") or self.change_points()
        start = points[bisect.bisect_right(points, day) - 1] if points and points[0] <= day else day
        periods = self.__dict__.setdefault("_periods", {})
        found = periods.get(start)
        if found is None:
            rules = tuple(r for r in self.rules if r.rule.valid_on(start))
            # every parameter: the rules', the derivations' and the route periods
            needed = {p for r in rules for p in r.params} | set(self.params)
            params = {pid: resolve(self.params[pid], start) for pid in sorted(needed)}
            derivations = tuple(d for d in self.derivations if d.valid_on(start))
            found = periods[start] = Selection(start, rules, params, self.sha256, derivations, self.policy)
            stored = self.__dict__.get("_durable_branches", {}).get(start)
            if stored is not None:  # capacity.store_branches': what compile_branches gives for this period
                found.period_memo[DURABLE_BRANCHES] = stored
        return found

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state.pop("_selections", None)  # per-process scratch, not part of the pickled rulebook
        state.pop("_periods", None)
        return state

    def precompute(self) -> None:
        """Work out now what judging derives from the rules alone (change points; per rule its
        branches and the facts and parameters it reads), so that a pickled rulebook (rulebook/cache.py)
        carries it and a single `check` does not redo it."""
        self.change_points()
        for cr in self.rules:
            for name in ("branches", "params", "facts", "cite_facts", "used_facts"):
                getattr(cr, name)
            for b in cr.branches:
                b.root

    def derivation(self, fact: str, scope: str, day: dt.date) -> DerivationDef | None:
        """The declaration that produces `fact` (of `scope`) on `day`, if any."""
        for d in self.derivations:
            if d.scope == scope and fact in d.produces and d.valid_on(day):
                return d
        return None

    def change_points(self) -> list[dt.date]:
        """Dates on which some rule or parameter value starts or stops applying."""
        if "_change_points" not in self.__dict__:
            self.__dict__["_change_points"] = self._change_points()
        return list(self.__dict__["_change_points"])

    def _change_points(self) -> list[dt.date]:
        points = {self.meta.coverage_from}
        for r in self.rules:
            points.add(r.rule.valid_from)
            if r.rule.valid_to:
                points.add(r.rule.valid_to + dt.timedelta(days=1))
        for d in self.derivations:
            points.add(d.valid_from)
            if d.valid_to:
                points.add(d.valid_to + dt.timedelta(days=1))
        for p in self.params.values():
            for v in p.values:
                points.add(v.valid_from)
                if v.valid_to:
                    points.add(v.valid_to + dt.timedelta(days=1))
        return sorted(d for d in points if self.covers(d))


def _parse(model, data, loaded, problems: list[Problem]):
    if not isinstance(data, dict):
        problems.append(Problem.of(loaded.filename, "", "rules.top_mapping"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems.extend(pydantic_problems(exc, loaded, model))
        return None


def read_rules_dir(root: Path | str) -> dict[str, bytes]:
    """Every *.yaml under `root` (regular files only, each within the size limit, all within
    MAX_TOTAL_BYTES); every unreadable entry is a problem, all reported at once."""
    root = Path(root)
    if not root.is_dir():
        raise InputError.of(str(root), "", "rules.no_dir")
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    total = 0
    try:
        paths = sorted(root.rglob("*.yaml"))
    except OSError as exc:
        raise InputError.of(str(root), "", "rules.cannot_list", reason=os_reason(exc)) from None
    depth = len(root.parts)  # rglob's paths are root's parts followed by the relative ones
    for path in paths:
        rel = "/".join(path.parts[depth:])  # = path.relative_to(root).as_posix(), ~50x faster on 3.12
        if rel in NOT_RULEBOOK_FILES:
            continue
        if len(files) + len(problems) >= MAX_FILES:
            raise InputError(problems + [Problem.of(str(root), "", "rules.too_many_files", n=MAX_FILES)])
        try:
            files[rel] = data = read_regular_file(path)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            raise InputError(problems + [Problem.of(str(root), "", "rules.too_large", n=MAX_TOTAL_BYTES)])
    if problems:
        raise InputError(problems)
    return files


_UNKNOWN_PARAM = re.compile(r"unknown parameter '?(?:param\.)?([a-z_][a-z0-9_]*)")


def _names_broken_param(message: str, broken: set[str]) -> bool:
    match = _UNKNOWN_PARAM.search(message)
    return bool(match and match.group(1) in broken)


def _cycle_problems(conditions: dict[str, ConditionDef], label: str) -> list[Problem]:
    """A depends_on cycle would make every route through it impossible to order: refuse it up front."""
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    for start in sorted(conditions):
        if state.get(start):
            continue
        path: list[str] = [start]
        stack = [iter(conditions[start].depends_on)]
        state[start] = 1
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                state[path.pop()] = 2
                stack.pop()
            elif dep in conditions and state.get(dep) == 1:
                cycle = path[path.index(dep):] + [dep]
                problems.append(Problem.of(f"{label}/conditions.yaml", dep, "rules.cycle", cycle=" -> ".join(cycle)))
            elif dep in conditions and not state.get(dep):
                state[dep] = 1
                path.append(dep)
                stack.append(iter(conditions[dep].depends_on))
    return problems


def _condition_problem(exc: ConditionError, file: str, path: str, line: int | None) -> Problem:
    """A condition that does not parse: its English message, and its sentences for people."""
    return Problem(file, path, str(exc), line, exc.says)


def _check_template(text: str, schema, params, where: Problem, problems: list[Problem]) -> None:
    for name in PLACEHOLDER.findall(text):
        if name.startswith("param."):
            if name[6:] not in params:
                problems.append(Problem.of(where.file, where.path, "rules.explain_param", where.line, name=name))
        elif name not in schema and name not in ("id", "title"):
            problems.append(Problem.of(where.file, where.path, "rules.explain_fact", where.line, name=f"'{{{name}}}'"))


def _cite_by_problems(by, schema) -> list[Say]:
    spec = schema.get(by.fact)
    if spec is None:
        return [Say.of("rules.cite_by_unknown", fact=repr(by.fact))]
    allowed = {"enum": spec.values, "bool": ("true", "false")}.get(spec.type)
    if allowed is None:
        return [Say.of("rules.cite_by_type", fact=repr(by.fact), type=spec.type)]
    return [Say.of("rules.cite_by_value", fact=by.fact, value=repr(key), allowed=", ".join(allowed))
            for key, _ in by.map if key != "*" and key not in allowed]


def _basis_problems(legal_basis, where: Problem) -> list[Problem]:
    """Conditions and parameters have no facts, so they cannot choose an onderdeel by one."""
    return [Problem.of(where.file, f"{where.path}.legal_basis.{j}.by", "rules.cite_by_not_rule", where.line)
            for j, lb in enumerate(legal_basis) if lb.by is not None] + _dated_problems(legal_basis, dt.date.min, None, where)


def _dated_problems(legal_basis, start: dt.date, end: dt.date | None, where: Problem) -> list[Problem]:
    """Dated citations (a provision renumbered by a later text) must leave a citation on every day."""
    return [Problem.of(where.file, f"{where.path}.legal_basis", "rules.no_citation", where.line,
                       start=max(a, start) if a != dt.date.min else Say.of("rules.the_start"),
                       end=b or Say.of("rules.open_end"))
            for a, b in uncovered(legal_basis, start, end)]


def build_rulebook(files: Mapping[str, bytes], label: str = "rules") -> Rulebook:
    problems: list[Problem] = []
    meta = None
    params: dict[str, ParameterFile] = {}
    conditions: dict[str, ConditionDef] = {}
    out_of_scope: list[OutOfScopeEntry] = []
    rule_files: list[tuple[str, RuleFile, object]] = []
    derivation_file = None
    policy_files: dict[str, tuple] = {}
    broken_params: set[str] = set()

    for rel in sorted(files):
        name = f"{label}/{rel}"
        try:
            text = files[rel].decode("utf-8")
            loaded = load_yaml_text(text, name)
        except UnicodeDecodeError:
            problems.append(Problem.of(name, "", "rules.not_utf8"))
            loaded = None
        except InputError as exc:
            problems.extend(exc.problems)
            loaded = None
        if loaded is None:
            if rel.startswith("parameters/"):
                broken_params.add(Path(rel).stem)
            continue
        if rel == "rulebook.yaml":
            meta = _parse(RulebookMeta, loaded.data, loaded, problems)
        elif rel == "conditions.yaml":
            cat = _parse(ConditionCatalogue, loaded.data, loaded, problems)
            if cat:
                for i, cdef in enumerate(cat.conditions):
                    if cdef.id in conditions:
                        problems.append(Problem.of(name, f"conditions.{i}.id", "rules.duplicate_condition",
                                                   loaded.line_of(("conditions", i, "id")), id=cdef.id))
                    conditions[cdef.id] = cdef
        elif rel in POLICY_FILES:
            parsed_policy = _parse(POLICY_FILES[rel], loaded.data, loaded, problems)
            if parsed_policy:
                policy_files[rel] = (name, parsed_policy, loaded)
        elif rel == "derivations.yaml":
            df = _parse(DerivationFile, loaded.data, loaded, problems)
            if df:
                derivation_file = (name, df, loaded)
        elif rel == "out-of-scope.yaml":
            oos = _parse(OutOfScope, loaded.data, loaded, problems)
            if oos:
                out_of_scope = list(oos.out_of_scope)
        elif rel.startswith("parameters/"):
            pf = _parse(ParameterFile, loaded.data, loaded, problems)
            if pf is None:
                broken_params.add(Path(rel).stem)
            else:
                expected = Path(rel).stem
                if pf.id != expected:
                    problems.append(Problem.of(name, "id", "rules.param_file_name", loaded.line_of(("id",)),
                                               id=repr(pf.id), file=repr(expected)))
                elif pf.id in params:
                    problems.append(Problem.of(name, "id", "rules.duplicate_param", id=pf.id))
                else:
                    params[pf.id] = pf
        else:
            rf = _parse(RuleFile, loaded.data, loaded, problems)
            if rf:
                rule_files.append((name, rf, loaded))

    if meta is None and not any(p.file.endswith("rulebook.yaml") for p in problems):
        problems.append(Problem.of(f"{label}/rulebook.yaml", "", "rules.no_meta"))

    param_units = {pid: p.unit for pid, p in params.items()}
    compiled: list[CompiledRule] = []
    seen_ids: dict[str, str] = {}
    topics: dict[str, RuleFile] = {}
    for name, rf, loaded in rule_files:
        if rf.topic in topics:
            problems.append(Problem.of(name, "topic", "rules.duplicate_topic", topic=repr(rf.topic)))
        topics[rf.topic] = rf
        for i, rule in enumerate(rf.rules):
            base = ("rules", i)

            def where(*sub, _base=base, _name=name, _loaded=loaded):
                path = _base + sub
                return Problem(_name, ".".join(str(p) for p in path), "", _loaded.line_of(path))

            if rule.id in seen_ids:
                w = where("id")
                problems.append(Problem.of(w.file, w.path, "rules.duplicate_rule", w.line, id=rule.id, file=seen_ids[rule.id]))
                continue
            seen_ids[rule.id] = name
            schema = SCHEMAS[rule.scope]
            parsed = {}
            for key in ("when", "test"):
                text = getattr(rule, key)
                if text is None:
                    parsed[key] = None
                    continue
                try:
                    parsed[key] = parse_condition(text, schema, param_units)
                except ConditionError as exc:
                    w = where(key)
                    problems.append(_condition_problem(exc, w.file, w.path, w.line))
            if len(parsed) < 2 or (rule.test is not None and parsed.get("test") is None):
                continue
            cr = CompiledRule(rule, name, parsed["when"], parsed["test"], rf.topic)
            w = where()
            problems += _dated_problems(rule.legal_basis, rule.valid_from, rule.valid_to, w)
            for j, lb in enumerate(rule.legal_basis):
                if lb.by is not None:
                    w = where("legal_basis", j, "by")
                    problems += [Problem(w.file, w.path, str(say), w.line, (say,))
                                 for say in _cite_by_problems(lb.by, schema)]
            for branch_key, branch in (("then", rule.then), ("else", rule.else_)):
                if branch is None:
                    continue
                for j, cid in enumerate(branch.conditions):
                    if cid not in conditions:
                        w = where(branch_key, "conditions", j)
                        problems.append(Problem.of(w.file, w.path, "rules.unknown_condition", w.line, id=repr(cid)))
                for lang in ("nl", "en"):
                    w = where(branch_key, "explain", lang)
                    _check_template(getattr(branch.explain, lang), schema, params, w, problems)
            end = rule.valid_to or (meta.coverage_to if meta else None)
            for pid in cr.params:
                if pid not in params:
                    continue  # an unknown parameter in a text: reported by _check_template
                gaps = params[pid].covers(rule.valid_from, end)
                for start, stop in gaps:
                    w = where("when")
                    problems.append(Problem.of(w.file, f"rules.{i}", "rules.param_gap", w.line, id=rule.id, param=pid,
                                               start=start, end=stop or Say.of("rules.open_end")))
            compiled.append(cr)

    for cid, cdef in conditions.items():
        problems += _basis_problems(cdef.legal_basis, Problem(f"{label}/conditions.yaml", cid, ""))
        for dep in cdef.depends_on:
            if dep not in conditions:
                problems.append(Problem.of(f"{label}/conditions.yaml", cid, "rules.unknown_dependency", id=repr(dep)))
        for key in ("period_param", "extension_param"):
            pid = getattr(cdef, key)
            if pid and pid not in params:
                problems.append(Problem.of(f"{label}/conditions.yaml", cid, "rules.condition_param", key=key, param=repr(pid)))
    for pid, pf in params.items():
        problems += _basis_problems(pf.legal_basis, Problem(f"{label}/parameters/{pid}.yaml", "", ""))
    derivations = _check_derivations(derivation_file, params, meta, problems)
    policy = _check_policy(policy_files, params, conditions, set(topics),
                           param_units, problems)
    problems.extend(_cycle_problems(conditions, label))
    for entry in out_of_scope:
        problems += _basis_problems(entry.legal_basis, Problem(f"{label}/out-of-scope.yaml", entry.id, ""))
        if any(r.rule.catalogue_id == entry.id for r in compiled):
            problems.append(Problem.of(f"{label}/out-of-scope.yaml", entry.id, "rules.encoded_and_out_of_scope"))

    if broken_params:  # a parameter file that failed is reported once, not again by every rule using it
        problems = [p for p in problems if not _names_broken_param(p.message, broken_params)]
    if problems:
        raise InputError(problems)
    return Rulebook(dict(files), meta, compiled, params, conditions, out_of_scope, topics, derivations, policy)


def _check_derivations(found, params: Mapping[str, ParameterFile], meta, problems: list[Problem]) -> list[DerivationDef]:
    """Each declaration names a registered body, produces facts of its scope's schema, reads declared
    parameters that have an entry for its whole validity; no fact has two declarations on one day."""
    if found is None:
        return []
    name, df, loaded = found
    out: list[DerivationDef] = []
    seen: set[str] = set()
    for i, d in enumerate(df.derivations):
        def where(*sub, _i=i):
            path = ("derivations", _i) + sub
            return ".".join(str(p) for p in path), loaded.line_of(path)

        def problem(key: str, /, *sub, **fields) -> None:
            path, line = where(*sub)
            problems.append(Problem.of(name, path, key, line, **fields))

        if d.id in seen:
            problem("rules.duplicate_derivation", "id", id=d.id)
        path, line = where()
        problems += _basis_problems(d.legal_basis, Problem(name, path, "", line))
        seen.add(d.id)
        if d.function not in DERIVATION_FUNCTIONS:
            problem("rules.unknown_function", "function", name=repr(d.function))
        schema = SCHEMAS[d.scope]
        for j, fact in enumerate(d.produces):
            if fact not in schema:
                problem("rules.produces_unknown", "produces", j, scope=d.scope, fact=repr(fact))
        end = d.valid_to or (meta.coverage_to if meta else None)
        for j, pid in enumerate(d.reads):
            if pid not in params:
                problem("rules.reads_unknown", "reads", j, param=repr(pid))
                continue
            for start, stop in params[pid].covers(d.valid_from, end):
                problem("rules.reads_gap", "reads", j, id=d.id, param=pid, start=start,
                        end=stop or Say.of("rules.open_end"))
        for other in out:
            both = set(d.produces) & set(other.produces)
            if both and other.scope == d.scope and _overlap(d, other):
                problem("rules.produce_twice", "produces", first=other.id, second=d.id, facts=", ".join(sorted(both)))
        out.append(d)
    return out


def _check_policy(found: dict, params, conditions, topics: set[str], param_units, problems: list[Problem]) -> Policy:
    """The policy files refer only to what exists: facts, parameters, conditions, topics, catalogue keys."""
    from ..i18n import LANGS, section

    parties = found.get("policy/parties.yaml")
    remedies = found.get("policy/remedies.yaml")
    compiled: dict = {}
    if parties is not None:
        name, pf, loaded = parties

        def problem(key: str, /, *path, **fields) -> None:
            problems.append(Problem.of(name, ".".join(str(p) for p in path), key, loaded.line_of(path), **fields))

        def condition_failed(exc: ConditionError, *path) -> None:
            problems.append(_condition_problem(exc, name, ".".join(str(p) for p in path), loaded.line_of(path)))

        split_keys = set(section(LANGS[0], "split"))
        for key, bases in pf.legal_bases.items():
            problems.extend(_basis_problems(bases, Problem(name, f"legal_bases.{key}", "", loaded.line_of(("legal_bases", key)))))
        known_bases = set(pf.legal_bases) | {"deciding", "cited"}
        for i, e in enumerate(pf.policy):
            if e.when is not None:
                try:
                    compiled[e.id] = parse_condition(e.when, SCHEMAS["component"], param_units)
                except ConditionError as exc:
                    condition_failed(exc, "policy", i, "when")
            for cid in e.with_conditions:
                if cid not in conditions:
                    problem("rules.unknown_condition", "policy", i, "with_conditions", id=repr(cid))
            if e.cite_topic is not None and e.cite_topic not in topics:
                problem("rules.unknown_topic", "policy", i, "cite_topic", topic=repr(e.cite_topic))
            for key in (e.text, e.how):
                if key is not None and key not in split_keys:
                    problem("rules.unknown_sentence", "policy", i, sentence=repr(key))
            for b in e.basis + e.fallback_basis:
                if b not in known_bases:
                    problem("rules.unknown_basis", "policy", i, "basis", basis=repr(b))
        ps = pf.public_space
        if ps.basis not in pf.legal_bases or ps.text not in split_keys:
            problem("rules.public_space", "public_space")
        sel = pf.selections
        for pid in (sel.bog.floor_share_param, sel.bog.cost_param, sel.verlicht.investment_share_param,
                    *[lim.param for lim in sel.verlicht.limits]):
            if pid not in params:
                problem("rules.selection_param", "selections", param=repr(pid))
        for j, lim in enumerate(sel.verlicht.limits):
            if lim.fact not in SCHEMAS["plan"]:
                problem("rules.selection_fact", "selections", fact=repr(lim.fact))
                continue
            try:
                cond = parse_condition(lim.test or f"{lim.fact} < param.{lim.param}", SCHEMAS["plan"], param_units)
            except ConditionError as exc:
                condition_failed(exc, "selections", "verlicht", "limits", j, "test")
                continue
            if lim.fact not in cond.facts or lim.param not in cond.params:
                problem("rules.limit_test", "selections", "verlicht", "limits", j, "test", fact=repr(lim.fact),
                        param=repr(lim.param))
            compiled[f"limit:{lim.param}"] = cond
        for b in (sel.bog.basis, sel.verlicht.basis, *[lim.basis for lim in sel.verlicht.limits]):
            if b not in pf.legal_bases:
                problem("rules.selection_basis", "selections", basis=repr(b))
    if remedies is not None:
        name, rf, loaded = remedies
        for fact, ref in rf.facts.items():
            where = ("facts", fact)
            if fact not in SCHEMAS["component"]:
                problems.append(Problem.of(name, ".".join(where), "rules.unknown_fact", loaded.line_of(where),
                                           fact=repr(fact)))
            if ref.condition is not None and ref.condition not in conditions:
                problems.append(Problem.of(name, ".".join(where), "rules.unknown_condition", loaded.line_of(where),
                                           id=repr(ref.condition)))
    return Policy(parties[1] if parties else None, compiled, remedies[1] if remedies else None)


def _overlap(a: DerivationDef, b: DerivationDef) -> bool:
    far = dt.date.max
    return a.valid_from <= (b.valid_to or far) and b.valid_from <= (a.valid_to or far)


def load_rulebook(root: Path | str | None = None) -> Rulebook:
    root = Path(root) if root is not None else DEFAULT_RULES_DIR
    return build_rulebook(read_rules_dir(root), label=str(root))
