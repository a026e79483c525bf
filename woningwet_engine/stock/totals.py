"""Portfolio totals of a judged register: plain group-bys over the written table, plus the Ww 49 test.

Counts and rent roll per verdict (DAEB / non-DAEB / the rest), per unit kind, the register's own
DAEB label against the verdict, liberalisation candidates, units that are not compliant and (apart)
units whose compliance cannot be decided yet, units that cannot be decided with the facts they lack, and the verlicht-regime test of Woningwet art. 49 lid 1 (rule SCH-01, evaluated by
the plan rules of the rulebook on a plan fact made from the register). Money is in cents.
"""

from __future__ import annotations

from ..engine import evaluate_fact
from ..derivations import share_ceil, share_floor
from ..plan import plan_checks
from .sql import literal

VERLICHT_CHECK = "PLAN-SCH-VERLICHT"


def _rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


def compute(con, parquet, run, planner, lang: str) -> dict:
    src = f"read_parquet({literal(str(parquet))})"
    let = "coalesce(let_status, 'let') <> 'vacant'"
    cents = f"CAST(round(sum(rent) FILTER (WHERE {let}) * 100) AS BIGINT)"
    by_verdict = {v: {"units": n, "rent_month": r or 0, "rent_unknown": u}
                  for v, n, r, u in _rows(con, f"SELECT verdict, count(*), {cents}, "
                                               f"count(*) FILTER (WHERE {let} AND rent IS NULL) FROM {src} "
                                               "GROUP BY verdict ORDER BY verdict")}
    by_kind = {}
    for kind, v, n in _rows(con, f"SELECT unit_kind, verdict, count(*) FROM {src} GROUP BY ALL ORDER BY ALL"):
        by_kind.setdefault(kind, {})[v] = n
    labels = dict(_rows(con, f"SELECT label_check, count(*) FROM {src} WHERE label_check IS NOT NULL "
                             "GROUP BY ALL ORDER BY ALL"))
    differs = [r[0] for r in _rows(con, f"SELECT unit_id FROM {src} WHERE label_check = 'differs' LIMIT 20")]
    lib = _rows(con, f"SELECT count(*) FROM {src} WHERE liberalisation_candidate")[0][0]
    lib_ids = [r[0] for r in _rows(con, f"SELECT unit_id FROM {src} WHERE liberalisation_candidate LIMIT 20")]
    # the facts an undetermined unit lacks are those of its outcome (the `outcomes` table)
    missing = _rows(con, "SELECT m, sum(n)::BIGINT AS n FROM (SELECT unnest(o.missing) AS m, c.n FROM "
                         f"(SELECT outcome, count(*) AS n FROM {src} WHERE verdict = 'undetermined' GROUP BY outcome) c "
                         "JOIN outcomes o ON c.outcome = o.outcome) GROUP BY m ORDER BY n DESC, m")
    undetermined_ids = [r[0] for r in _rows(con, f"SELECT unit_id FROM {src} WHERE verdict = 'undetermined' LIMIT 20")]
    # not compliant (compliant false) and not yet decidable (compliant empty) are counted apart, as in a case memo
    compliance = dict(_rows(con, f"SELECT compliant, count(*) FROM {src} WHERE compliant IS NOT TRUE GROUP BY ALL"))
    non_compliant_ids = [r[0] for r in _rows(con, f"SELECT unit_id FROM {src} WHERE compliant = false LIMIT 20")]
    open_ids = [r[0] for r in _rows(con, f"SELECT unit_id FROM {src} WHERE compliant IS NULL LIMIT 20")]
    forbidden_ids = [r[0] for r in _rows(con, f"SELECT unit_id FROM {src} WHERE verdict = 'forbidden' LIMIT 20")]
    out = {
        "units": sum(v["units"] for v in by_verdict.values()),
        "by_verdict": by_verdict,
        "by_kind": by_kind,
        "labels": labels,
        "label_differs_examples": differs,
        "liberalisation_candidates": lib,
        "liberalisation_examples": lib_ids,
        "missing": [{"fact": m, "units": n} for m, n in missing],
        "undetermined_examples": undetermined_ids,
        "non_compliant": compliance.get(False, 0),
        "non_compliant_examples": non_compliant_ids,
        "compliance_open": compliance.get(None, 0),
        "compliance_open_examples": open_ids,
        "forbidden_examples": forbidden_ids,
        "rulebook": planner.book.sha256,
    }
    out["verlicht"] = verlicht(run, planner, by_verdict, lang)
    return out


def verlicht(run, planner, by_verdict: dict, lang: str) -> dict:
    """Ww 49 lid 1 (SCH-01) on the register. Turnover and the non-DAEB share come from the corporation
    file when it gives them; otherwise from the rent roll (12 x the kale huur of let units), with
    undetermined units counted both ways: the share is an interval, and the test is decided only
    when both ends agree."""
    corp = planner.corp
    daeb = by_verdict.get("daeb", {}).get("rent_month", 0) * 12
    non = by_verdict.get("non_daeb", {}).get("rent_month", 0) * 12
    total = sum(v["rent_month"] for v in by_verdict.values()) * 12
    rest = total - daeb - non
    recent = sorted(corp.turnover, key=lambda t: t.year)[-2:]
    estimated = len(recent) < 2
    if not estimated:
        turnover = max(t.net_turnover for t in recent)
        shares = [max(t.non_daeb_share for t in recent)] * 2
    else:
        turnover = total if total else None
        shares = [share_floor(non, total), share_ceil(non + rest, total)] if total else [None, None]
    rules = [cr for cr in planner.selection.rules if cr.rule.scope == "plan" and cr.rule.check == VERLICHT_CHECK]
    checks = []
    for share in dict.fromkeys(shares):
        fact = {"id": "plan", "kind": "plan", "wants_verlicht_regime": True}
        for k, v in (("turnover_max", turnover), ("non_daeb_turnover_share_max", share),
                     ("non_daeb_investment_share", corp.non_daeb_investment_share)):
            if v is not None:
                fact[k] = v
        ev = evaluate_fact(rules, fact, planner.selection.values)
        checks.extend(c for c in plan_checks([ev], planner.selection, lang).checks if c.id == VERLICHT_CHECK)
    statuses = {c.status for c in checks}
    status = statuses.pop() if len(statuses) == 1 else "unknown"
    first = checks[0] if checks else None
    return {
        "status": status if checks else "not_in_force",
        "estimated": estimated,
        "turnover": turnover,
        "non_daeb_share": shares,
        "non_daeb_investment_share": corp.non_daeb_investment_share,
        "rent_roll_year": {"daeb": daeb, "non_daeb": non, "other": rest, "total": total},
        "text": first.text if first else "",
        "citation": first.citation.model_dump() if first else None,
        "texts": [c.text for c in checks],
    }
