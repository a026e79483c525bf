"""Judging a whole register in DuckDB: the staged register, a few small tables from Python, one
query that writes the table; the case path's rules and verdicts.

1. Scan one: the register is read and checked once into the table `units`; bad rows are counted
   (and reported) and the municipalities of the good ones counted.
2. Municipalities are reduced to the role they play for the corporation (table `roles`); the good
   units are grouped by that role, their categorical columns and the class of each number among the
   thresholds the rules compare it with (portfolio.Partition).
3. In Python, per group (not per unit): the unit becomes a component (mapping.py) and facts.py
   builds its facts ("protos"). Facts that copy a number of the row (rent, WWS points, floor area)
   are found by building each proto twice with different numbers; any other dependence on a number
   is refused, so the columnar facts are the case path's facts. The reference evaluator gives each
   class its expected rule branches; the case path's stages up to the party
   (pipeline.judge_verdicts) on one representative unit per distinct outcome give the verdict,
   reasons, citations, parameters, assumptions, missing facts and party.
4. Every rule branch in force, compiled to SQL (sql.py), must give the reference's states on each
   class's facts (else the run fails; with --check-every-unit on every unit's own facts too); the
   table query gives every unit its class's outcome and writes a temporary Parquet file.
Totals are group-bys over that file (totals.py); the requested format is written from it and
renamed into place, so a failed run leaves no output.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..case import Corporation
from ..derivations import wws_table_applies
from ..errors import EngineError, InputError, Problem, Say
from ..facts import COMPONENT_FIELDS, component_fact, project_aggregates
from ..evaluation import cross_check
from ..gcpause import while_paused
from ..pipeline import evaluated, verdicts_of
from ..portfolio import Partition, SharedEngine
from ..rulebook.loader import Rulebook, Selection
from .columns import BY_NAME
from .plancache import PlanCache, plan_key
from .mapping import CATEGORICAL, NUMBERS_READ, NUMERIC as INPUT_NUMERIC, component_inputs, default_corporation, one_unit_case, unit_component
from .read import MAX_REPORTED, RowError, Source, bad_rows, create_typed_view, open_source, stage
from .sql import SQL_TYPE, literal, quote_ident as q, to_sql
from .summary import count_text, w
from .worker import PlanWorker
from ..units import BP

# Derived facts of two register numbers that the stock path computes in SQL (a column of `units`) so
# that classes of units stay exact: the rent as a share of the huurprijstabel row for the unit's own
# WWS points (derivation wws-max-rent, MT-13.middenhuur). facts_of takes them from that column.
COMPUTED = ("rent_to_wws_max_rent",)
COMPUTED_FROM = {"rent_to_wws_max_rent": ("rent", "wws_points")}
NUMERIC = INPUT_NUMERIC + COMPUTED
# per kind of object, the numbers (register and computed) that can reach its facts
REACHING = {obj: tuple(c for c in NUMERIC if set(COMPUTED_FROM.get(c, (c,))) <= set(read))
            for obj, read in NUMBERS_READ.items()}

# numeric columns and the facts they may be copied into (checked per proto, see _proto)
FEEDS = {"rent": ("rent",), "wws_points": ("wws_points",), "floor_area_m2": ("floor_area_m2", "project_floor_area_m2"),
         "rent_to_wws_max_rent": ("rent_to_wws_max_rent",)}
SENTINELS = ({"rent": 123457, "wws_points": 777, "floor_area_m2": 98765, "rent_to_wws_max_rent": 13579},
             {"rent": 234568, "wws_points": 888, "floor_area_m2": 87654, "rent_to_wws_max_rent": 24680})
ROLE_TEMPLATE = {"unit_kind": "WOO", "rent": 50000}
DIGITS = 39  # branch states (0 false, 1 true, 2 unknown) per BIGINT code: 3**39 < 2**63
OUTPUT_FORMATS = ("parquet", "csv", "xlsx", "json")
LAYOUTS = ("normalised", "flat")
XLSX_MAX_ROWS = 1_048_575
# fewer new outcomes (~1.5 ms each) or facts (~0.1 ms) than this are worked out in well under a second:
# not worth a second process
WORKER_MIN_OUTCOMES, WORKER_MIN_FACTS = 100, 1000
# per outcome (the outcomes table); `fired` is also written per unit
LIST_COLUMNS = ("fired", "effects", "citations", "links", "parameters", "assumptions", "conditions", "missing")
OUTCOME_COLUMNS = ("outcome", "verdict", "compliant", "party", *LIST_COLUMNS)


def default_layout(out_format: str) -> str:
    """Parquet is written normalised (units + outcomes); the formats people open in a spreadsheet flat."""
    return "normalised" if out_format == "parquet" else "flat"


def outcomes_path(output: Path) -> Path:
    """Where the outcomes table of a normalised table goes: beside it, `<stem>.outcomes<suffix>`."""
    output = Path(output)
    return output.with_name(f"{output.stem}.outcomes{output.suffix}")


@dataclass
class StockRun:
    source: Path
    date: dt.date
    rows: int = 0
    judged: int = 0
    bad: int = 0
    errors: list[RowError] = field(default_factory=list)
    classes: int = 0
    outcomes: int = 0
    selection: str = ""
    corporation: Corporation | None = None
    corporation_given: bool = False
    totals: dict = field(default_factory=dict)
    seconds: float = 0.0
    param_titles: dict = field(default_factory=dict)  # figure id -> its title (for missing figures in words)
    ignored: list[str] = field(default_factory=list)  # register columns the engine does not read


@dataclass(frozen=True)
class CompiledBranch:
    id: str
    index: int
    sql: str
    root: object  # the condition tree the SQL was compiled from


_COMPILED: dict[str, tuple[CompiledBranch, ...]] = {}


def component_rules(selection: Selection) -> list:
    return [cr for cr in selection.rules if cr.rule.scope == "component"]


def compile_selection(selection: Selection) -> tuple[CompiledBranch, ...]:
    """Every component rule branch in force as one SQL boolean over the f_<fact> columns, once per selection."""
    found = _COMPILED.get(selection.key)
    if found is None:
        out = []
        for cr in component_rules(selection):
            for b in cr.branches:
                out.append(CompiledBranch(b.id, len(out), to_sql(b.root, selection.values, lambda f: q("f_" + f)),
                                          b.root))
        found = _COMPILED[selection.key] = tuple(out)
    return found


def read_facts(selection: Selection) -> tuple[str, ...]:
    names: list[str] = []
    for cr in component_rules(selection):
        names += [f for f in cr.facts if f not in names]
    return tuple(sorted(names))


def _codes(states: list[int]) -> tuple[int, ...]:
    """Branch states (0 false, 1 true, 2 unknown, in branch order) packed base 3 into BIGINTs."""
    out = []
    for j in range(0, max(len(states), 1), DIGITS):
        out.append(sum(st * 3 ** k for k, st in enumerate(states[j:j + DIGITS])))
    return tuple(out)


def _states(codes: tuple[int, ...], n: int) -> list[int]:
    out = []
    for code in codes:
        for _ in range(DIGITS):
            out.append(code % 3)
            code //= 3
    return out[:n]


def _codes_sql(branches) -> list[str]:
    """The same packing in SQL: a NULL branch (unknown) counts 2."""
    out = []
    for j in range(0, max(len(branches), 1), DIGITS):
        part = branches[j:j + DIGITS]
        terms = [f"coalesce((b{b.index})::BIGINT, 2) * {3 ** k}" for k, b in enumerate(part)]
        out.append("(" + (" + ".join(terms) if terms else "0") + ")::BIGINT")
    return out


def _class_sql(col: str, ts: list[int]) -> str:
    """Class of a number among thresholds: -1 missing, 2i below the i-th, 2i+1 equal to it, 2k above all."""
    parts = [f"WHEN {q(col)} IS NULL THEN -1"]
    for i, t in enumerate(ts):
        parts.append(f"WHEN {q(col)} < {t} THEN {2 * i} WHEN {q(col)} = {t} THEN {2 * i + 1}")
    return f"(CASE {' '.join(parts)} ELSE {2 * len(ts)} END)"


def thresholds(selection: Selection) -> dict[str, list[int]]:
    part = Partition(component_rules(selection), selection.values, COMPONENT_FIELDS)
    out = {}
    for col, facts in FEEDS.items():
        ts = {0}
        for f in facts:
            if f in part.numbers:
                ts.update(part.numbers[f][0])
        out[col] = sorted(ts)
    return out


def _load_table(con, tmpdir: Path, name: str, names: list[str], types: list[str], rows: list[tuple]) -> None:
    """A small Python-built table (classes, protos, outcomes) into DuckDB, through one JSON array of rows."""
    import orjson

    path = tmpdir / f"{name}.json"
    path.write_bytes(orjson.dumps([dict(zip(names, r)) for r in rows]))
    cols = "{" + ", ".join(f"{literal(n)}: {literal(t)}" for n, t in zip(names, types)) + "}"
    con.execute(f"CREATE TABLE {name} AS SELECT * FROM read_json({literal(str(path))}, "
                f"format = 'array', columns = {cols})")


class _Terminal:
    """What a run tells the person at the terminal, on stderr, in their language (the catalogue's stock
    section): progress only when it is on (--progress, a terminal; never --quiet), the rows that
    --on-error skip left out always."""

    def __init__(self, lang: str, progress: bool):
        self.lang, self.progress = lang, progress

    def say(self, key: str, always: bool = False, **fields) -> None:
        if self.progress or always:
            print(f"stock: {w(self.lang, key, **fields)}", file=sys.stderr, flush=True)

    def count(self, n: int) -> str:
        return count_text(n, self.lang)

    @contextmanager
    def query_progress(self, con):
        """While the statement in the block runs: its percentage every second (DuckDB's query_progress)."""
        if not self.progress:
            yield
            return
        stop = threading.Event()

        def run():
            while not stop.wait(1.0):
                try:
                    pct = con.query_progress()
                except Exception:  # the statement ended between two polls
                    return
                if pct is not None and pct >= 0:
                    self.say("progress_query", pct=f"{pct:.0f}")

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join()


def connect(tmpdir: Path, threads: int | None = None, memory_limit: str = "1GB"):
    import duckdb

    con = duckdb.connect(":memory:", config={
        "threads": threads or os.cpu_count() or 1, "memory_limit": memory_limit,
        "temp_directory": str(tmpdir / "spill"), "preserve_insertion_order": True})
    # DuckDB's own progress bar stays off the terminal; query_progress() feeds ours (stderr)
    con.execute("SET enable_progress_bar = true")
    con.execute("SET enable_progress_bar_print = false")
    return con


class _Planner:
    """Step 2: protos, classes and outcomes for the groups of scan one."""

    def __init__(self, book: Rulebook, selection: Selection, corp: Corporation, day: dt.date, lang: str,
                 cache: PlanCache | None = None):
        self.book, self.selection, self.corp, self.day, self.lang = book, selection, corp, day, lang
        # answers that depend only on the law and the code, from earlier runs (plancache.py)
        self.cache = cache or PlanCache(None)
        self.rules = component_rules(selection)
        self.branches = compile_selection(selection)
        self.index = {b.id: b.index for b in self.branches}
        self.read = read_facts(selection)
        # the split stage names a party by the fired branches and the party policy's conditions
        self.split_facts = tuple(sorted({f for _, cond in book.policy.entries() if cond is not None
                                         for f in cond.facts} | {"object", "activity"}))
        self.partition = Partition(self.rules, selection.values, COMPONENT_FIELDS)
        self.role_muni: dict[int, str] = {}
        self.role_key: dict[int, tuple] = {}
        self.roles: dict[tuple, int] = {}
        self.protos: dict[tuple, int] = {}
        self.proto_rows: list[tuple[dict, frozenset]] = []  # proto id -> (constant facts, pass-through facts)
        self._proto_by_key: dict[tuple, int] = {}
        self.proto_keys: list[tuple] = []
        self.outcomes: dict[tuple, dict] = {}
        self._shell = None
        self._by_class: dict[tuple, tuple] = {}
        self.engine = SharedEngine()
        self._pending: list[tuple] = []  # outcomes numbered but not yet judged (end of plan())
        self.worker: PlanWorker | None = None  # the second planning process (worker.py), if any
        self._shared = 0  # the proto rows the worker holds
        self.ordered = False  # table `ordered` holds the units in register order (_order_units)

    def facts_of(self, u: dict, muni: str) -> dict:
        """facts.py's component fact for the unit, built as for a one-component case file."""
        comp = unit_component(u, muni)
        if self._shell is None:
            self._shell = one_unit_case(comp, self.corp, self.day)
        case = self._shell.model_copy(update={"components": [comp]})
        # = build_facts(case, selection)[0][0] for a one-component case, without its plan and project facts
        fact = component_fact(case, comp, set(), project_aggregates(case), self.selection)
        for name in COMPUTED:  # the SQL column is the derivation's value for this unit (see computed_sql)
            fact.pop(name, None)
            if wws_table_applies(comp) and comp.dwelling.rent is not None and u.get(name) is not None:
                fact[name] = u[name]
        return fact

    def role_of(self, muni: str) -> int:
        key = self.cache["roles"].get(muni)
        if key is None:
            facts = self.facts_of(dict(ROLE_TEMPLATE), muni)
            if facts.get("municipality") != muni:
                raise EngineError("the stock path expects facts.py to copy the municipality into the fact "
                                  "'municipality'")
            key = self.cache.put("roles", muni, tuple(sorted((k, repr(v)) for k, v in facts.items()
                                                             if k != "municipality")))
        rid = self.roles.setdefault(key, len(self.roles))
        self.role_key.setdefault(rid, key)
        self.role_muni.setdefault(rid, muni)
        return rid

    def proto_key(self, inputs: dict, shape: dict, role: int) -> tuple:
        """What the facts of a unit depend on: its categorical values (`inputs`: their component_inputs),
        the shape of its numbers and the role of its municipality."""
        return tuple(inputs.items()), tuple(shape.values()), self.role_key[role]

    def proto(self, key: tuple) -> int:
        """The proto id of units with this proto_key (its facts are in the plan cache)."""
        found = self._proto_by_key.get(key)
        if found is not None:
            return found
        const, through = self.cache["protos"][key]
        pkey = (tuple((k, repr(v)) for k, v in const), through)  # repr: True and 1 stay apart
        pid = self.protos.setdefault(pkey, len(self.protos))
        if pid == len(self.proto_rows):
            self.proto_rows.append((dict(const), frozenset(through)))
            self.proto_keys.append(pkey)
        self._proto_by_key[key] = pid
        return pid

    def _proto_facts(self, cats: dict, shape: dict, muni: str) -> tuple:
        """(constant facts as sorted (name, value) pairs, the facts copied from a number) of a kind of unit."""
        runs = []
        # with no number to copy (each missing or zero) both builds would be of the same unit
        numbered = any(shape[c] not in (None, 0) for c in NUMERIC)
        for sentinel in SENTINELS if numbered else SENTINELS[:1]:
            u = dict(cats)
            for col in NUMERIC:
                u[col] = None if shape[col] is None else (0 if shape[col] == 0 else sentinel[col])
            runs.append(self.facts_of(u, muni))
        a, b = runs[0], runs[-1]
        const: dict = {}
        through = set()
        for name in set(a) | set(b):
            if name in ("id", "kind", "municipality"):
                continue
            va, vb = a.get(name), b.get(name)
            fed = [c for c, facts in FEEDS.items() if name in facts and shape[c] not in (None, 0)
                   and va == SENTINELS[0][c] and vb == SENTINELS[1][c]]
            if fed:
                through.add(name)
            elif va == vb:
                const[name] = va
            else:
                raise EngineError(f"fact {name!r} depends on a number of the unit row in a way the stock path "
                                  "does not model (only copies are allowed); see stock/judge.py FEEDS")
        unknown = set(const) - set(COMPONENT_FIELDS)
        if unknown:
            raise EngineError(f"facts outside the component schema: {sorted(unknown)}")
        return tuple(sorted(const.items())), tuple(sorted(through))

    def unit_facts(self, pid: int, reps: dict, muni: str) -> dict:
        const, through = self.proto_rows[pid]
        facts = {"id": "component:unit", "kind": "component", "municipality": muni}
        facts.update({k: v for k, v in const.items() if v is not None})
        for name in through:
            col = next(c for c, fs in FEEDS.items() if name in fs)
            facts[name] = reps[col]
        return facts

    def _class_states(self, pid: int, reps: dict, muni: str) -> tuple:
        """(partition signature, signature) of the class of proto `pid` whose unit has the numbers `reps`."""
        facts = self.unit_facts(pid, reps, muni)
        pkey = self.partition.signature(facts)
        return pkey, self.signature(facts, pkey)

    def signature(self, facts: dict, pkey: tuple) -> tuple:
        """(branch-state codes, missing facts) of the reference evaluator on these facts (`pkey`: their
        partition signature); each rule is evaluated once per class of the values it reads
        (portfolio.SharedEngine)."""
        found = self.cache["parts"].get(pkey)
        if found is not None:
            return found
        ev = self.engine.evaluate_facts(self.selection, {"component": self.rules}, [facts])[0]
        states = [0] * len(self.branches)
        for bs in ev.fired:
            states[self.index[f"{bs.rule.rule.id}#{bs.branch}"]] = 1
        for bs in ev.unknown:
            states[self.index[f"{bs.rule.rule.id}#{bs.branch}"]] = 2
        nulls = tuple(f for f in self.read if facts.get(f) is None)
        return self.cache.put("parts", pkey, (_codes(states), nulls))

    def outcome(self, sig: tuple, pid: int, u: dict, muni: str) -> int:
        """The id of the outcome of units of this class: verdict, reasons, citations, figures, assumptions
        and party of the case path on one unit (judge_outcome). Units with the same branch states,
        missing facts and values of the facts the party policy reads (rules/policy/parties.yaml) have
        the same outcome. A new outcome is numbered here and judged at the end of plan()."""
        const = self.proto_rows[pid][0]
        key = (sig, tuple(const.get(f) for f in self.split_facts))
        found = self.outcomes.get(key)
        if found is not None:
            return found["id"]
        oid = len(self.outcomes)  # numbered in this register's order
        known = self.cache["outcomes"].get(key)
        if known is None:
            self._pending.append((key, sig, u, muni))
            known = {}
        self.outcomes[key] = {**known, "id": oid}
        return oid

    def protos_of(self, tasks: list[tuple]) -> list[tuple]:
        return [self._proto_facts(*t) for t in tasks]

    def classes_of(self, tasks: list[tuple]) -> list[tuple]:
        return [self._class_states(*t) for t in tasks]

    @while_paused  # as pipeline.judge_verdicts: the collector would walk the growing results again and again
    def judge_outcomes(self, tasks: list[tuple]) -> list[dict]:
        """judge_outcome of each (class signature, unit, municipality): the case path's stages up to the
        party (pipeline.judge_verdicts: a table row has no remedies and no route) on the unit as a
        one-component case. As in pipeline.judge_many, durable_rules cross-checks the facts of all these
        cases in one session rather than one per case; a disagreement stops the run."""
        cases = [one_unit_case(unit_component(u, muni), self.corp, self.day) for _, u, muni in tasks]
        evs = [evaluated(case, self.book, self.day, self.engine, "<case>", check=False) for case in cases]
        if evs:
            disagreements = cross_check(evs[0].selection, [ev.evaluations for ev in evs], self.engine)
            if disagreements:
                raise EngineError(disagreements[min(disagreements)])
        return [self.judge_outcome(sig, u, case, verdicts_of(ev, self.book, self.lang, "value"))
                for (sig, u, _), case, ev in zip(tasks, cases, evs)]

    def judge_outcome(self, sig: tuple, u: dict, case, judged) -> dict:
        """The outcome row of the unit `u` from the case path's verdicts on it (`judged`, of `case`); its
        fired branches must be the class's (`sig`)."""
        result = judged.component(case.components[0].id)
        # rules not in force on the date (inforce.py) fired no branch: the stock classes do not see them
        fired = [r for r in result.reasons if r.effect not in ("undetermined", "not_in_force")]
        got = {self.index[f"{r.rule}#{r.branch}"] for r in fired}
        if got != {i for i, st in enumerate(_states(sig[0], len(self.branches))) if st == 1}:
            raise EngineError("engine.judge and the stock classes disagree on the fired rule branches "
                              f"of a unit like {u}")
        citations, links = [], []
        for r in fired:
            for c in [r.citation, *r.also_cites]:
                if c.url not in links:
                    citations.append(c.text)
                    links.append(c.url)
        params = []
        for r in fired:
            for p in r.inputs.params:
                text = f"{p.id} = {p.value if p.value is not None else '?'}"
                if text not in params:
                    params.append(text)
        missing = missing_facts(result, judged.judged[result.id].evaluation)
        return {
            "verdict": result.verdict, "compliant": result.compliant, "party": result.party,
            "fired": [f"{r.rule}#{r.branch}" for r in fired], "effects": [r.effect for r in fired],
            "citations": citations, "links": links, "parameters": params, "assumptions": list(result.assumptions),
            "conditions": [c.id for c in result.conditions], "missing": missing,
        }

    def plan(self, groups: list[tuple]) -> list[tuple]:
        """The rows of table `classes`, one per group of scan one (_groups), in group order: its proto,
        class and outcome. Each of the three steps first collects, in group order, what the plan cache
        does not hold, then works it out (_both: on a cold plan of a large register, half of it in the
        worker process); ids are given in group order, so the tables do not depend on the split."""
        prepared = []
        for gkey, role, cat, cls, rep in groups:
            inputs = component_inputs(cat)
            shape, cls = _reach(inputs["object"], rep, cls)
            prepared.append((gkey, role, cat, cls, rep, self.proto_key(inputs, shape, role), shape))
        todo: dict = {}  # the facts of each kind of unit
        for _, role, cat, _, _, key, shape in prepared:
            if key not in self.cache["protos"] and key not in todo:
                todo[key] = (cat, shape, self.role_muni[role])
        for key, facts in zip(todo, self._both("protos_of", list(todo.values()), WORKER_MIN_FACTS)):
            self.cache.put("protos", key, facts)
        pids = [self.proto(key) for *_, key, _ in prepared]
        todo = {}  # the branch states of each class of facts
        for (_, role, _, cls, rep, _, _), pid in zip(prepared, pids):
            ckey = (self.proto_keys[pid], cls)
            if ckey not in self.cache["classes"] and ckey not in todo:
                todo[ckey] = (pid, rep, self.role_muni[role])
        for ckey, (pkey, sig) in zip(todo, self._both("classes_of", list(todo.values()),
                                                      WORKER_MIN_FACTS)):
            self.cache.put("parts", pkey, sig)
            self.cache.put("classes", ckey, sig)
        rows = []  # the outcomes, numbered here, judged at the end
        for (gkey, role, cat, cls, rep, _, _), pid in zip(prepared, pids):
            muni = self.role_muni[role]
            checks = (pid, cls) not in self._by_class  # the class's SQL is checked on this row (check_classes)
            sig = self._by_class.setdefault((pid, cls), self.cache["classes"][(self.proto_keys[pid], cls)])
            oid = self.outcome(sig, pid, {**cat, **rep}, muni)
            const = self.proto_rows[pid][0]
            lib = const.get("self_contained") is True and const.get("tenure") == "rent"
            rows.append((gkey, role, pid, oid, lib, checks, muni, *(rep[c] for c in NUMERIC), *sig[0]))
        pending, self._pending = self._pending, []
        judged = self._both("judge_outcomes", [(sig, u, muni) for _, sig, u, muni in pending],
                            WORKER_MIN_OUTCOMES)
        for (key, *_), known in zip(pending, judged):
            self.outcomes[key] = {**self.cache.put("outcomes", key, known), "id": self.outcomes[key]["id"]}
        return rows

    def _both(self, name: str, tasks: list[tuple], least: int) -> list:
        """self.<name>(tasks); with a worker and at least `least` tasks, every other task in the worker
        (which holds the same rulebook, selection and corporation, and is sent the proto rows it
        lacks); an error there is raised here."""
        batch = getattr(self, name)
        if self.worker is None or len(tasks) < least:
            return batch(tasks)
        self.worker.submit(name, tasks[1::2], {"proto_rows": self.proto_rows[self._shared:]})
        self._shared = len(self.proto_rows)
        out: list = [None] * len(tasks)
        out[0::2] = batch(tasks[0::2])
        out[1::2] = self.worker.result()
        return out


def missing_facts(result, evaluation) -> list[str]:
    """The facts (and `param.<id>` figures) an undetermined component lacks, in rule order: what the
    rules that could not decide were missing (`evaluation`: the component's, from the same judging)."""
    missing: list[str] = []
    if result.verdict != "undetermined":
        return missing
    pending = {r.rule for r in result.reasons if r.effect == "undetermined"}
    for bs in evaluation.unknown:
        if bs.rule.rule.id in pending and bs.why is not None:
            for name in list(bs.why.missing_facts) + [f"param.{p}" for p in bs.why.unknown_params]:
                if name not in missing:
                    missing.append(name)
    return missing


def judge_register(source: Path, day: dt.date, book: Rulebook, output: Path | None = None,
                   out_format: str = "parquet", corporation: Corporation | None = None, on_error: str = "stop",
                   lang: str = "nl", progress: bool = False, threads: int | None = None,
                   memory_limit: str = "1GB", summary: Path | None = None, every_unit: bool = False,
                   layout: str | None = None) -> StockRun:
    """Judge every unit of the register at `source` by the law in force on `day`; write the table to
    `output` (normalised: with its outcomes table beside it; flat: one self-contained row per unit) and
    the HTML summary to `summary`, only when the run succeeds."""
    from ..output import StagedOutput, destination
    from . import totals as totals_mod

    if out_format not in OUTPUT_FORMATS:
        raise ValueError(out_format)
    layout = layout or default_layout(out_format)
    if layout not in LAYOUTS:
        raise ValueError(layout)
    if not book.covers(day):
        raise InputError.of(str(source), "--at", "outside_coverage", date=day, lo=book.meta.coverage_from,
                            hi=book.meta.coverage_to)
    started = time.perf_counter()
    selection = book.at(day)
    worker = _start_worker(book, selection, day, lang, threads)
    try:
        run = StockRun(source, day)
        term = _Terminal(lang, progress)
        with tempfile.TemporaryDirectory(prefix="ww-stock-") as tmp:
            tmpdir = Path(tmp)
            con = connect(tmpdir, threads, memory_limit)
            try:
                src = open_source(con, source, tmpdir)
                run.ignored = list(src.ignored)
                create_typed_view(con, src)
                stage(con)
                add_computed(con, selection)
                run.selection = selection.key
                run.param_titles = {pid: p.title for pid, p in selection.params.items() if p.title is not None}
                ts = thresholds(selection)
                munis = _scan_one(con, src, run, on_error, term)
                run.corporation_given = corporation is not None
                corp = corporation or default_corporation(munis or ["GM0000"])
                run.corporation = corp
                if worker is not None and run.rows - run.bad < min(WORKER_MIN_FACTS, WORKER_MIN_OUTCOMES):
                    worker.close()  # too few units to share out
                    worker = None
                if worker is not None:
                    worker.prepare(corp)  # it builds its planner while this process goes on
                cache = PlanCache(plan_key(book, day, corp, lang))
                planner = _Planner(book, selection, corp, day, lang, cache)
                planner.worker = worker
                class_rows = _plan(con, tmpdir, planner, munis, ts, run)
                if worker is not None:  # planning is done: its memory goes back now
                    worker.close()
                # pickled while DuckDB judges the units (it releases the GIL)
                storing = threading.Thread(target=cache.store, daemon=True)
                storing.start()
                term.say("progress_planned", classes=term.count(run.classes), outcomes=term.count(run.outcomes))
                direct = output is not None and out_format == "parquet" and layout == "normalised"
                parquet_tmp = _temp_beside(Path(output)) if direct else tmpdir / "units.parquet"
                staged = None
                try:
                    _scan_two(con, tmpdir, planner, class_rows, ts, day, parquet_tmp, every_unit,
                              lambda: term.query_progress(con))
                    run.judged = con.execute(f"SELECT count(*) FROM read_parquet({literal(str(parquet_tmp))})").fetchone()[0]
                    run.totals = totals_mod.compute(con, parquet_tmp, run, planner, lang)
                    if summary is not None:  # written now, put in place with the table (_write)
                        from .summary import render_summary

                        staged = StagedOutput(destination(summary), render_summary(run, lang))
                    _write(con, parquet_tmp, None if output is None else Path(output), out_format, layout, direct,
                           day, staged)
                finally:
                    if staged is not None:
                        staged.discard()
                    storing.join()
                    if direct and parquet_tmp.exists():
                        parquet_tmp.unlink()
            finally:
                con.close()
    finally:
        if worker is not None:
            worker.close()
    run.seconds = time.perf_counter() - started
    return run


def _start_worker(book: Rulebook, selection: Selection, day: dt.date, lang: str, threads: int | None):
    """The second planning process (worker.py), forked here, before DuckDB starts its threads; none with
    one thread or while an evaluation observer is registered (the rule coverage of the test suite would
    not see the other process's evaluations)."""
    from ..evaluation import observed

    if (threads or os.cpu_count() or 1) < 2 or observed():
        return None
    return PlanWorker.start(lambda corp: _Planner(book, selection, corp, day, lang))


def computed_sql(selection: Selection) -> dict[str, str]:
    """SQL over a unit row for each COMPUTED column, from the same dated huurprijstabel the derivation
    reads: the kale huur as a share of the row for the unit's points, in basis points rounded up
    (derivations.share_ceil); NULL without rent, points or a row. Whether the table applies at all
    (a self-contained dwelling) is decided per proto in facts_of, as in the derivation."""
    table = selection.values.get("wws_max_rent_by_points")
    if not table:
        return {"rent_to_wws_max_rent": "CAST(NULL AS BIGINT)"}
    rows = " ".join(f"WHEN {points} THEN {cents}" for points, cents in table)
    row = f"(CASE {q('wws_points')} {rows} END)"
    # rent >= 0 and a row > 0, so (a + b - 1) // b is the ceiling (DuckDB's // truncates)
    return {"rent_to_wws_max_rent": f"CAST(({q('rent')} * {BP} + {row} - 1) // {row} AS BIGINT)"}


def add_computed(con, selection: Selection) -> None:
    for name, expr in computed_sql(selection).items():
        con.execute(f"ALTER TABLE units ADD COLUMN {q(name)} BIGINT")
        con.execute(f"UPDATE units SET {q(name)} = {expr}")




def _key_sql(ts: dict) -> str:
    """One 64-bit key per group of scan one: the categorical columns and the class of each number."""
    return "hash(" + ", ".join([q(c) for c in CATEGORICAL] + [_class_sql(c, ts[c]) for c in NUMERIC]) + ")"


def _scan_one(con, src: Source, run: StockRun, on_error: str, term: _Terminal) -> list[str]:
    """Counts the rows, reports the bad ones (stop: an InputError) and returns the register's
    municipalities, the most frequent first."""
    munis = {}
    for bad, muni, n in con.execute("SELECT bad, CASE WHEN NOT bad THEN municipality END, count(*) FROM units "
                                    "GROUP BY ALL").fetchall():
        if bad:
            run.bad = n
        else:
            munis[muni] = n
    run.rows = run.bad + sum(munis.values())
    term.say("progress_read", rows=term.count(run.rows), bad=term.count(run.bad))
    if run.bad:
        run.errors = bad_rows(con, src, term.lang)
        problems = [e.problem(src.path, term.lang) for e in run.errors]
        more = run.bad > len({e.row for e in run.errors})
        if on_error == "stop":
            if more:
                problems.append(Problem(str(src.path), "", w(term.lang, "bad_all", n=term.count(run.bad),
                                                         shown=MAX_REPORTED)))
            raise InputError(problems)
        for p in problems:
            term.say("skipped_row", always=True, problem=p)
        if more:
            term.say("skipped_all", always=True, n=term.count(run.bad))
    return sorted(munis, key=lambda m: (-munis[m], m))


def _groups(con, ts: dict) -> list[tuple]:
    """The good units grouped by the role of their municipality (table `roles`), their categorical
    columns and the class of each number among the thresholds (portfolio.Partition): per group
    (gkey, role, categorical values, number classes, representative numbers), in the order of each
    group's first unit in the register, so that the outcome numbers follow whatever the thread count.
    Table `groups` holds them with their number `gi` in that order."""
    cats = ", ".join(q(c) for c in CATEGORICAL)
    classes = ", ".join(f"{_class_sql(c, ts[c])} AS {q('c_' + c)}" for c in NUMERIC)
    # one unit represents its group with all its numbers (the first in the register): a computed column
    # must agree with the rent and points it was computed from
    reps = ", ".join(f"arg_min({q(c)}, src_row) AS {q(c)}" for c in NUMERIC)
    keys = ", ".join([q(c) for c in CATEGORICAL] + [q("c_" + c) for c in NUMERIC])
    numbers = ", ".join(q(c) for c in NUMERIC)
    con.execute(
        f"CREATE TABLE groups AS SELECT row_number() OVER (ORDER BY first) - 1 AS gi, * FROM ("
        f"SELECT min(src_row) AS first, gkey, role, {keys}, {reps} "
        f"FROM (SELECT src_row, r.role, {_key_sql(ts)} AS gkey, {cats}, {classes}, {numbers} "
        f"FROM units u JOIN roles r ON u.municipality = r.municipality "
        f"WHERE NOT bad) GROUP BY gkey, role, {keys})")
    rows = con.execute(f"SELECT gkey, role, {keys}, {numbers} FROM groups ORDER BY gi").fetchall()
    ncat, nnum = len(CATEGORICAL), len(NUMERIC)
    groups, seen = [], {}
    for r in rows:
        gkey, role = r[0], r[1]
        cat = dict(zip(CATEGORICAL, r[2:2 + ncat]))
        cls = tuple(r[2 + ncat:2 + ncat + nnum])
        if seen.setdefault(gkey, (cat, cls)) != (cat, cls):
            raise EngineError("two groups of units share a 64-bit key")
        groups.append((gkey, role, cat, cls, dict(zip(NUMERIC, r[2 + ncat + nnum:]))))
    return groups


UNIQUE_SQL = "SELECT count(*) = count(DISTINCT unit_id) FROM units WHERE NOT bad"


def _check_unique(con, source: Path, unique: bool) -> None:
    """`unique`: UNIQUE_SQL's answer (the unit ids of the units judged)."""
    if unique:
        return
    dup = con.execute("SELECT unit_id, count(*) FROM units WHERE NOT bad GROUP BY unit_id HAVING count(*) > 1 "
                      "ORDER BY unit_id LIMIT 5").fetchall()
    raise InputError([Problem.of(str(source), "", "stock.duplicate_id", where=Say.of("where.column", column="unit_id"),
                                 id=repr(d[0]), n=d[1]) for d in dup])


def _assign_groups(cur, ts: dict) -> tuple[bool, bool]:
    """Each good unit's group number `gi`, in register order (table `unit_group`), whether the unit ids
    are unique, and whether table `ordered` could be built (_order_units): the DuckDB work that needs no
    plan, run on a cursor of its own while Python plans."""
    cur.execute(f"CREATE TABLE unit_group AS SELECT u.src_row, g.gi FROM (SELECT src_row, municipality, "
                f"{_key_sql(ts)} AS gkey FROM units WHERE NOT bad) u JOIN roles r ON u.municipality = r.municipality "
                "JOIN groups g ON u.gkey = g.gkey AND r.role = g.role ORDER BY u.src_row")
    unique = cur.execute(UNIQUE_SQL).fetchone()[0]
    return unique, unique and _order_units(cur)


OUT_OF_STEP = "stock: units and outcomes out of step at row"
# rows per row group of a DuckDB table, and of the Parquet files DuckDB writes by default
ROW_GROUP_ROWS = 122_880


def _order_units(cur) -> bool:
    """Table `ordered`: the good units' output columns with their group number, in register order, in
    row groups of ROW_GROUP_ROWS whatever the thread count; False (and no table) if a unit and its
    group number are not the same register row.

    Why: the table query then scans one table (plain projections, no join), which DuckDB runs and
    writes on every thread in order; its Parquet row groups follow the batches of that scan, which
    are the table's row groups. A table staged on two threads has row groups per row group of the
    register file (122,880 rows and a remainder, for a typical register), one staged on one thread
    regular ones; so `ordered` is always inserted on one thread (SET threads = 1 for this statement,
    while the other cursor runs no statement), and every thread count writes the same bytes."""
    import duckdb

    threads = cur.execute("SELECT current_setting('threads')").fetchone()[0]
    inputs = ", ".join(f"u.{q(c)}" for c in OUTPUT_INPUTS)
    cur.execute("SET threads = 1")
    try:
        cur.execute(f"CREATE TABLE ordered AS SELECT {inputs}, CASE WHEN u.src_row = a.src_row THEN a.gi "
                    f"ELSE error('{OUT_OF_STEP} ' || u.src_row) END AS gi "
                    "FROM (SELECT * FROM units WHERE NOT bad) u POSITIONAL JOIN unit_group a")
    except duckdb.Error as exc:
        if OUT_OF_STEP not in str(exc):
            raise
        return False
    finally:
        cur.execute(f"SET threads = {int(threads)}")
    return True


class _Meanwhile:
    """`work(cursor)` in a thread (DuckDB releases the GIL while a statement runs); join() returns its
    result or raises what it raised."""

    def __init__(self, con, work):
        self._cur = con.cursor()
        self._out = self._err = None

        def run():
            try:
                self._out = work(self._cur)
            except BaseException as exc:  # handed to join()
                self._err = exc

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def join(self):
        self._thread.join()
        self._cur.close()
        if self._err is not None:
            raise self._err
        return self._out

    def stop(self) -> None:
        """Interrupts the statement and waits for the thread; its result or error is not wanted."""
        self._cur.interrupt()
        self._thread.join()
        self._cur.close()


def _reach(obj: str, rep: dict, cls: tuple) -> tuple[dict, tuple]:
    """The shape of a group's numbers (None missing, 0 zero, 1 other) and their classes, with the numbers
    that cannot reach the facts of this kind of object (REACHING) set to None: units that differ only
    in those are the same component, so they share one proto and one class."""
    reach = REACHING[obj]
    shape = {c: (None if c not in reach or rep[c] is None else (0 if rep[c] == 0 else 1)) for c in NUMERIC}
    return shape, tuple(k if c in reach else None for c, k in zip(NUMERIC, cls))


def _plan(con, tmpdir: Path, planner: _Planner, munis: list[str], ts: dict, run: StockRun) -> list[tuple]:
    """The roles of the municipalities (table `roles`), then per group of scan one its proto, class and
    outcome (the rows of table `classes`); meanwhile DuckDB gives every unit its group (_assign_groups)."""
    muni_roles = [(m, planner.role_of(m)) for m in munis]
    _load_table(con, tmpdir, "roles", ["municipality", "role"], ["VARCHAR", "INTEGER"], muni_roles)
    groups = _groups(con, ts)
    meanwhile = _Meanwhile(con, lambda cur: _assign_groups(cur, ts))
    try:
        class_rows = planner.plan(groups)
    except BaseException:  # e.g. Ctrl-C: the statement on the other cursor is not waited for
        meanwhile.stop()
        raise
    unique, planner.ordered = meanwhile.join()
    _check_unique(con, run.source, unique)
    run.classes = len(planner._by_class)
    run.outcomes = len(planner.outcomes)
    return class_rows


def _load_tables(con, tmpdir: Path, planner: _Planner, class_rows: list[tuple]) -> int:
    nchunks = len(_codes([0] * len(planner.branches)))
    # lib: the class's facts make a dwelling self-contained and rented (a liberalisation candidate if vacant)
    names = ["gkey", "role", "proto", "outcome", "lib", "checks", "municipality", *NUMERIC] + [f"e_c{j}" for j in range(nchunks)]
    types = ["UBIGINT", "INTEGER", "INTEGER", "INTEGER", "BOOLEAN", "BOOLEAN", "VARCHAR"] + ["BIGINT"] * (len(NUMERIC) + nchunks)
    _load_table(con, tmpdir, "classes", names, types, class_rows)
    facts, through = _read_columns(planner)
    pnames = ["proto"] + [f"f_{f}" for f in facts] + [f"pt_{f}" for f in through]
    ptypes = ["INTEGER"] + [SQL_TYPE[COMPONENT_FIELDS[f].type] for f in facts] + ["BOOLEAN"] * len(through)
    prow = [(pid, *map(const.get, facts), *map(thr.__contains__, through))
            for pid, (const, thr) in enumerate(planner.proto_rows)]
    _load_table(con, tmpdir, "protos", pnames, ptypes, prow)
    onames = list(OUTCOME_COLUMNS)
    otypes = ["INTEGER", "VARCHAR", "BOOLEAN", "VARCHAR"] + ["VARCHAR[]"] * len(LIST_COLUMNS)
    orows = [(o["id"], o["verdict"], o["compliant"], o["party"]) + tuple(o[c] for c in LIST_COLUMNS)
             for o in planner.outcomes.values()]
    _load_table(con, tmpdir, "outcomes", onames, otypes, orows)
    return nchunks


OUTPUT_INPUTS = ("unit_id", "complex_id", "municipality", "unit_kind", "unit_detail", "self_contained", "tenure",
                 "rent", "wws_points", "floor_area_m2", "year_built", "daeb_label", "let_status", "planned_activity",
                 "parking_use", "parking_for_daeb", "owned_since", "area_has_corporation_homes", "wijk_function",
                 "mv_tenant_type")


def _read_columns(planner: _Planner) -> tuple[list[str], list[str]]:
    """The facts a compiled branch reads (columns f_<fact> of `protos`, without the municipality, which
    is the unit's own) and those of them a number of the unit may be copied into (pt_<fact>)."""
    facts = [f for f in COMPONENT_FIELDS if f in planner.read and f != "municipality"]
    return facts, sorted({f for fs in FEEDS.values() for f in fs} & set(facts))


def _fact_columns(planner: _Planner) -> list[str]:
    """The f_<fact> columns the branches read, of relation `u` (a unit or a class representative)
    joined with its proto `p`."""
    facts, through = _read_columns(planner)
    feed_of = {f: c for c, fs in FEEDS.items() for f in fs}
    cols = [f"u.municipality AS {q('f_municipality')}"]
    for f in facts:
        if f in through:
            cols.append(f"CASE WHEN p.{q('pt_' + f)} THEN u.{q(feed_of[f])} ELSE p.{q('f_' + f)} END AS {q('f_' + f)}")
        else:
            cols.append(f"p.{q('f_' + f)}")
    return cols


def _states_query(planner: _Planner, units: str, nchunks: int, keep: str) -> str:
    """Every branch in force as compiled SQL over the facts of `units` (a relation with the unit columns,
    `proto` and the expected codes e_c*); adds the codes s_c* and `mismatch`."""
    branch_cols = ", ".join(f"{b.sql} AS b{b.index}" for b in planner.branches)
    codes = ", ".join(f"{e} AS s_c{j}" for j, e in enumerate(_codes_sql(planner.branches)))
    mismatch = " OR ".join(f"s_c{j} <> e_c{j}" for j in range(nchunks))
    expect = ", ".join(f"u.e_c{j}" for j in range(nchunks))
    return f"""
    f AS (SELECT {keep}, {expect}, {', '.join(_fact_columns(planner))} FROM {units} u JOIN protos p ON u.proto = p.proto),
    b AS (SELECT *, {branch_cols} FROM f),
    s AS (SELECT *, {codes} FROM b),
    m AS (SELECT *, ({mismatch}) AS mismatch FROM s)"""


def check_classes(con, planner: _Planner, nchunks: int) -> int:
    """The compiled SQL on every class's representative facts must give the reference evaluator's branch
    states; returns the number of classes checked (an EngineError names the first that differs)."""
    one_each = "(SELECT * FROM classes WHERE checks)"  # one row per class of facts
    query = "WITH " + _states_query(planner, one_each, nchunks, "u.gkey, u.role").lstrip().lstrip(",")
    # a few thousand rows at most: optimising the query (hundreds of branch expressions) would cost
    # more than running it
    con.execute("PRAGMA disable_optimizer")
    try:
        bad = con.execute(f"{query} SELECT gkey, role FROM m WHERE mismatch LIMIT 1").fetchall()
    finally:
        con.execute("PRAGMA enable_optimizer")
    if bad:
        raise EngineError(f"compiled SQL and the reference evaluator disagree on unit class {bad[0]}")
    return con.execute("SELECT count(*) FROM classes WHERE checks").fetchone()[0]


def stock_query(planner: _Planner, class_rows: list[tuple], ts: dict, day: dt.date, nchunks: int,
                every_unit: bool = False, positional: bool = True) -> tuple[str, list]:
    """The query that writes the table, with its parameters: each unit joins its class (and so its proto
    and outcome). With `every_unit`, every rule branch in force is also evaluated as SQL on every unit's
    own facts and the query fails if one unit's branch states differ from the reference's for its class."""
    inputs = ", ".join(f"u.{q(c)}" for c in OUTPUT_INPUTS + COMPUTED)
    units = (f"(SELECT {inputs}, u.ord, c.proto, c.outcome, c.lib, {', '.join(f'c.e_c{j}' for j in range(nchunks))} "
             f"FROM (SELECT *, src_row AS ord, {_key_sql(ts)} AS gkey FROM units WHERE NOT bad) u "
             "JOIN roles r ON u.municipality = r.municipality JOIN classes c ON u.gkey = c.gkey AND r.role = c.role)")
    keep = ", ".join(f"u.{q(c)}" for c in OUTPUT_INPUTS) + ", u.ord, u.outcome, u.lib"
    if every_unit:
        body = "WITH " + _states_query(planner, units, nchunks, keep).lstrip().lstrip(",")
        src = "m"
        check = "CASE WHEN mismatch THEN error('stock: compiled SQL and the reference evaluator disagree on unit ' || s.unit_id) END"
    elif positional:
        return _positional_query(planner, class_rows, day)
    else:  # every unit joins its class and outcome; the sort restores register order
        body = ""
        src = units
        check = "NULL"
    return f"""{body}
    {_output_select(planner, day, f"coalesce({check}, o.verdict)", "o")}
    FROM {src} s JOIN outcomes o ON s.outcome = o.outcome
    ORDER BY s.ord
    """, []


def _output_select(planner: _Planner, day: dt.date, verdict: str, o: str) -> str:
    """The table's columns over `s` (a unit's columns with `outcome` and `lib`) and `o` (its outcome's
    verdict, compliant, party and fired); `verdict` is what the verdict column holds."""
    out_inputs = ", ".join(
        ("CAST(CAST(s.rent AS DECIMAL(18,2)) * 0.01 AS DECIMAL(14,2)) AS rent" if c == "rent" else f"s.{q(c)}")
        for c in OUTPUT_INPUTS)
    return f"""SELECT {out_inputs}, DATE '{day.isoformat()}' AS date,
      {verdict} AS verdict, {o}.compliant, {o}.party,
      CASE WHEN s.daeb_label IS NULL THEN NULL
           WHEN {o}.verdict NOT IN ('daeb', 'non_daeb') THEN 'open'
           WHEN (s.daeb_label = 'DAE') = ({o}.verdict = 'daeb') THEN 'agrees' ELSE 'differs' END AS label_check,
      (s.unit_kind = 'WOO' AND {o}.verdict = 'daeb' AND s.lib AND s.let_status = 'vacant') AS liberalisation_candidate,
      {o}.fired, s.outcome,
      '{planner.book.sha256}' AS rulebook_sha256, '{__version__}' AS engine_version"""


def _positional_query(planner: _Planner, class_rows: list[tuple], day: dt.date) -> tuple[str, list]:
    """The default table query and its parameters, without sorting the units: each unit's group number
    is a column of table `ordered` (the units glued to their group numbers by position while Python
    planned, every row number checked: _order_units); its outcome and liberalisation flag are looked
    up by group number (`class_rows` are in group order), its verdict, compliance, party and fired rules
    by outcome number, in lists passed as parameters (bound once, not parsed as literals), so no join
    reorders the rows and the query runs on every thread."""
    if not planner.ordered:
        raise EngineError(f"{OUT_OF_STEP} (table 'ordered' was not built)")
    outs = sorted(planner.outcomes.values(), key=lambda o: o["id"])
    if [o["id"] for o in outs] != list(range(len(outs))):
        raise EngineError("outcome numbers are not 0..n-1")
    params = [[r[3] for r in class_rows], [r[4] for r in class_rows],
              *([o[name] for o in outs] for name in ("verdict", "compliant", "party", "fired"))]
    # a table column's statistics would tell the Parquet writer that a column without NULLs in this
    # register is REQUIRED, so the schema would follow the data; read through a CASE (no statistics),
    # every register column is written nullable (OPTIONAL), whatever the register holds
    inputs = ", ".join(f"CASE WHEN gi IS NULL THEN NULL ELSE {q(c)} END AS {q(c)}" for c in OUTPUT_INPUTS)
    by_group = "SELECT *, ($1::INTEGER[])[gi + 1] AS outcome, ($2::BOOLEAN[])[gi + 1] AS lib FROM ordered"
    looked = (f"SELECT {inputs}, outcome, lib, ($3::VARCHAR[])[outcome + 1] AS verdict, "
              "($4::BOOLEAN[])[outcome + 1] AS compliant, ($5::VARCHAR[])[outcome + 1] AS party, "
              f"($6::VARCHAR[][])[outcome + 1] AS fired FROM ({by_group})")
    return f"{_output_select(planner, day, 's.verdict', 's')} FROM ({looked}) s", params


def _scan_two(con, tmpdir: Path, planner: _Planner, class_rows: list[tuple], ts: dict, day: dt.date, target: Path,
              every_unit: bool = False, progress=nullcontext) -> None:
    """The small tables, the check of the compiled SQL and the table query into `target`; `progress()`
    is entered around the table query alone, so the percentages shown are that statement's."""
    nchunks = _load_tables(con, tmpdir, planner, class_rows)
    check_classes(con, planner, nchunks)
    import duckdb

    copy = "COPY ({}) TO " + literal(str(target)) + " (FORMAT parquet, COMPRESSION zstd)"
    try:
        sql, params = stock_query(planner, class_rows, ts, day, nchunks, every_unit)
        with progress():
            con.execute(copy.format(sql), params)
    except (duckdb.Error, EngineError) as exc:
        if OUT_OF_STEP not in str(exc):
            raise
        # the staged table was not in register order after all: join every unit and sort (slower, same table)
        sql, params = stock_query(planner, class_rows, ts, day, nchunks, every_unit, positional=False)
        with progress():
            con.execute(copy.format(sql), params)


def _temp_beside(output: Path) -> Path:
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".tmp")
    os.close(fd)
    return Path(name)


def _publish(tmp: Path, output: Path) -> None:
    """Give the finished file the usual permissions and rename it into place (readers never see half a file)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, output)


UNIT_COLUMNS = (*OUTPUT_INPUTS, "date", "verdict", "compliant", "party", "label_check", "liberalisation_candidate",
                "fired", "outcome", "rulebook_sha256", "engine_version")
FLAT_COLUMNS = (*UNIT_COLUMNS[:UNIT_COLUMNS.index("outcome")], *LIST_COLUMNS[1:], *UNIT_COLUMNS[UNIT_COLUMNS.index("outcome"):])


def outcomes_query(units_src: str) -> str:
    """The outcomes table as written: one row per outcome some unit has, with its number of units."""
    cols = ", ".join(f"o.{q(c)}" for c in OUTCOME_COLUMNS)
    return (f"SELECT {cols}, n.units FROM outcomes o JOIN (SELECT outcome, count(*) AS units FROM {units_src} "
            "GROUP BY outcome) n ON o.outcome = n.outcome ORDER BY o.outcome")


def flat_query(units_src: str) -> str:
    """One self-contained row per unit, in register order: the unit's row with its outcome's lists."""
    cols = ", ".join((f"o.{q(c)}" if c in LIST_COLUMNS[1:] else f"u.{q(c)}") for c in FLAT_COLUMNS)
    return (f"SELECT {cols} FROM {units_src} u JOIN outcomes o ON u.outcome = o.outcome "
            "ORDER BY u.file_row_number")


def _copy(con, query: str, lists: tuple[str, ...], fmt: str, target: Path, day: dt.date) -> None:
    """`query` into `target` in `fmt`; CSV and XLSX join the list columns `lists` with '; '."""
    flat = ", ".join(f"array_to_string({c}, '; ') AS {c}" for c in lists)
    text = f"SELECT * REPLACE ({flat}) FROM ({query})"
    if fmt == "parquet":
        con.execute(f"COPY ({query}) TO {literal(str(target))} (FORMAT parquet, COMPRESSION zstd)")
    elif fmt == "csv":
        con.execute(f"COPY ({text}) TO {literal(str(target))} (FORMAT csv, HEADER true)")
    elif fmt == "json":
        con.execute(f"COPY ({query}) TO {literal(str(target))} (FORMAT json, ARRAY true)")
    else:
        _write_xlsx(con, text, target, day)


def _write(con, units_tmp: Path, output: Path | None, fmt: str, layout: str, direct: bool, day: dt.date,
           summary=None) -> None:
    """The requested format and layout from the judged units (Parquet, register order), each file written
    beside its target, then all renamed into place together with the staged summary (an
    output.StagedOutput, or None): a normalised table's outcomes file first, the summary last; a failure
    or Ctrl-C on the way puts back what was there before, so the table and its summary appear together
    or not at all."""
    units_src = f"read_parquet({literal(str(units_tmp))}, file_row_number = true)"
    plain = f"SELECT * FROM read_parquet({literal(str(units_tmp))})"  # one file, no join: order kept
    jobs = []
    if output is not None and layout == "normalised":
        jobs.append((outcomes_path(output), outcomes_query(units_src), LIST_COLUMNS))
        if not direct:
            jobs.append((output, plain, ("fired",)))
    elif output is not None:
        jobs.append((output, flat_query(units_src), LIST_COLUMNS))
    temps = []
    try:
        for target, query, lists in jobs:
            tmp = _temp_beside(target)
            temps.append((tmp, target))
            _copy(con, query, lists, fmt, tmp, day)
        if direct and output is not None:
            temps.append((units_tmp, output))
    except BaseException:
        for tmp, _ in temps:
            if tmp.exists() and tmp != units_tmp:
                tmp.unlink()
        raise
    _publish_all(temps, summary)


@contextmanager
def _ctrl_c_noted(seen: list):
    """Ctrl-C inside the block is only noted in `seen` (the caller acts on it at a safe point); in the
    main thread only (elsewhere no signal handler runs anyway)."""
    import signal

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _publish_all(temps: list[tuple[Path, Path]], summary) -> None:
    """Rename every (temporary, target) into place, then publish `summary`. If a step fails, or Ctrl-C
    came meanwhile (noted, not raised halfway), every target gets its previous file back (kept as a
    hard link) or is removed, and the error or a KeyboardInterrupt is raised: all or nothing."""
    done: list[tuple[Path, Path | None]] = []
    seen: list = []
    with _ctrl_c_noted(seen):
        try:
            for tmp, target in temps:
                backup = None
                if target.exists():  # kept (a hard link, no copy) until every file is in place
                    backup = _temp_beside(target)
                    backup.unlink()
                    os.link(target, backup)
                done.append((target, backup))
                _publish(tmp, target)
            if summary is not None:
                summary.publish()
            if seen:
                raise KeyboardInterrupt
        except BaseException:
            if summary is not None:
                summary.rollback()
            for target, backup in reversed(done):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
            for tmp, _ in temps:
                tmp.unlink(missing_ok=True)
            raise
        # everything is in place: a Ctrl-C from here on is too late to undo the run
        for _, backup in done:
            if backup is not None:
                backup.unlink(missing_ok=True)
        if summary is not None:
            summary.finish()


def _xlsx_time(day: dt.date) -> dt.datetime:
    """The one time a workbook of `day` carries (its creation and modification time in
    docProps/core.xml and every zip entry's time): midnight of the judged date, not the clock, so the
    same register gives the same bytes run after run (a zip entry cannot hold a time before 1980)."""
    return dt.datetime.combine(max(day, dt.date(1980, 1, 1)), dt.time())


def _fixed_time_zip(when: dt.datetime):
    """A ZipFile whose every entry carries the time `when` (openpyxl stamps entries with the clock and,
    for a write-only sheet, with its temporary file's time)."""
    import shutil
    import zipfile

    stamp = when.timetuple()[:6]

    class FixedTimeZip(zipfile.ZipFile):
        def _info(self, name: str) -> zipfile.ZipInfo:
            info = zipfile.ZipInfo(name, stamp)
            info.compress_type = self.compression
            info.external_attr = 0o600 << 16
            return info

        def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
            if isinstance(zinfo_or_arcname, str):
                zinfo_or_arcname = self._info(zinfo_or_arcname)
            return super().writestr(zinfo_or_arcname, data, *args, **kwargs)

        def write(self, filename, arcname=None, *args, **kwargs):
            with open(filename, "rb") as src, self.open(self._info(arcname or str(filename)), "w",
                                                        force_zip64=True) as dst:
                shutil.copyfileobj(src, dst, 1 << 20)

    return FixedTimeZip


def _write_xlsx(con, query: str, path: Path, day: dt.date) -> None:
    from zipfile import ZIP_DEFLATED

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    n = con.execute(f"SELECT count(*) FROM ({query})").fetchone()[0]
    if n > XLSX_MAX_ROWS:
        raise InputError.of(str(path), "--format", "stock.xlsx_rows", n=f"{n:,}", max=f"{XLSX_MAX_ROWS:,}")
    wb = Workbook(write_only=True)
    when = _xlsx_time(day)
    wb.properties.created = wb.properties.modified = when
    ws = wb.create_sheet("units")
    cur = con.execute(query)
    ws.append([d[0] for d in cur.description])
    while True:
        chunk = cur.fetchmany(10_000)
        if not chunk:
            break
        for row in chunk:
            ws.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    # as Workbook.save, without its stamping the modification time with the clock
    with _fixed_time_zip(when)(path, "w", ZIP_DEFLATED, allowZip64=True) as archive:
        ExcelWriter(wb, archive).save()
