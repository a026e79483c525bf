"""Seeded synthetic portfolios for the benchmarks (not part of the test suite; see docs/benchmarks.md).

`realistic(n)`: components like those of a corporation's annual plans, in projects of 2-12
components with shared costs: rental homes (build, acquire, let, renovate, maintain, demolish,
liberalise) with rents spread across the limits, sales to every kind of buyer at prices around the
leegwaarde, shops, parking, maatschappelijk vastgoed of several VERA codes, leefbaarheid budgets,
services, land bought before and after 2015, every kind of financing, and about one value in ten
left out (a missing rent, cost, floor area, land status, ...), so the undetermined paths run too.

`distinct(n)`: the worst case for any sharing between components: every component differs from
all others in the value classes its rules see (rents, costs, floor areas, prices each on their own
side of some threshold, combined with every kind of object and activity and missing values).
"""

from __future__ import annotations

import datetime as dt
import random

DAY = dt.date(2019, 6, 1)
MUNICIPALITIES = ["GM0344", "GM0356", "GM0599"]
BUYERS = ["ti", "sitting_tenant", "owner_occupier", "investor_legal_person", "investor_natural_person",
          "developer", "municipality", "mv_tenant", "subsidiary", "other"]
SERVICES = ["living_related", "care", "meals", "medical", "childcare", "utility",
            "utility_via_dwelling_installation", "radio_tv", "training", "cleaning"]
FINANCING = ["wsw", "market", "internal_loan", "own_funds", None]
MV_CODES = ["BUU", "BRE", "REZ", "BAS", "WIJ", "JON", "KTI", None]
LFB = ["woonmaatschappelijk_werk", "clean_safe_nuisance", "small_scale_infrastructure", "ontmoeting", "other"]


def _eur(rng: random.Random, lo: int, hi: int) -> str:
    return f"{rng.randint(lo, hi)}.00"


def _maybe(rng: random.Random, value, p_missing: float = 0.1):
    return None if rng.random() < p_missing else value


def _land(rng: random.Random) -> dict:
    land: dict = {"built": _maybe(rng, rng.random() < 0.85)}
    if rng.random() < 0.8:
        land["acquired_on"] = (dt.date(1955, 1, 1) + dt.timedelta(days=rng.randrange(365 * 63))).isoformat()
    if rng.random() < 0.15:
        land["herstructurering"] = True
    if land["built"] is False and rng.random() < 0.7:
        land["contributes_to_daeb"] = rng.random() < 0.6
    return land


def _clean(d: dict) -> dict:
    return {k: (_clean(v) if isinstance(v, dict) else v) for k, v in d.items() if v is not None}


def component(rng: random.Random, i: int, project: str | None) -> dict:
    """One component of a realistic mix (ids C<i>)."""
    kind = rng.choices(["rent", "renovate", "demolish", "liberalise", "sale", "owner", "bog", "parking", "mv",
                        "leefbaarheid", "service", "surroundings"],
                       weights=[34, 14, 4, 4, 10, 5, 6, 5, 6, 6, 4, 2])[0]
    loc = {"municipality": rng.choice(MUNICIPALITIES),
           "area_has_corporation_homes": _maybe(rng, rng.random() < 0.9),
           "wijk_function": _maybe(rng, rng.random() < 0.8),
           "adjacent_to_own_property": _maybe(rng, rng.random() < 0.8)}
    base = {"id": f"C{i}", "title": f"component {i}", "project": project, "location": loc,
            "units": _maybe(rng, rng.randint(1, 120)), "floor_area_m2": _maybe(rng, rng.randint(40, 9000)),
            "cost": _maybe(rng, _eur(rng, 20_000, 30_000_000)), "financing": rng.choice(FINANCING)}
    rent = _maybe(rng, f"{rng.randint(30_000, 130_000) / 100:.2f}")
    dwelling = {"self_contained": rng.random() < 0.93, "tenure": "rent", "rent": rent}
    if kind == "rent":
        out = dict(base, activity=rng.choice(["build", "acquire", "let"]), object="dwelling", land=_land(rng),
                   dwelling=dwelling)
    elif kind == "renovate":
        out = dict(base, activity=rng.choice(["renovate", "maintain"]), object="dwelling", dwelling=dwelling)
    elif kind == "demolish":
        out = dict(base, activity="demolish", object="dwelling", dwelling=dwelling)
    elif kind == "liberalise":
        out = dict(base, activity="liberalise", object="dwelling", dwelling=dwelling)
    elif kind == "owner":
        out = dict(base, activity="build", object="dwelling", land=_land(rng),
                   dwelling={"self_contained": True, "tenure": "sale"})
    elif kind == "sale":
        leeg = rng.randint(100_000, 20_000_000)
        price = int(leeg * rng.uniform(0.75, 1.15))
        out = dict(base, activity="sell", object="dwelling", cost=None, financing=None, dwelling=dwelling,
                   sale={"buyer": rng.choice(BUYERS), "price": f"{price}.00",
                         "leegwaarde": _maybe(rng, f"{leeg}.00", 0.15),
                         "market_value": _maybe(rng, f"{int(leeg * rng.uniform(0.9, 1.2))}.00", 0.5),
                         "vacant": rng.random() < 0.3, "vov_clauses": rng.random() < 0.1})
    elif kind == "bog":
        out = dict(base, activity=rng.choice(["build", "let", "maintain", "acquire"]), object="bog", land=_land(rng),
                   bog={"use": rng.choice(["shop", "office", "horeca", "practice"]), "existing": rng.random() < 0.3})
    elif kind == "parking":
        out = dict(base, activity="build", object="parking", land=_land(rng),
                   parking={"use": rng.choice(["dwellings", "public"]), "places": rng.randint(10, 400),
                            "for_daeb_dwellings": _maybe(rng, rng.random() < 0.7)})
    elif kind == "mv":
        out = dict(base, activity=rng.choice(["build", "acquire", "renovate"]), object="mv", land=_land(rng),
                   mv={"vera_code": rng.choice(MV_CODES), "function": "maatschappelijk vastgoed",
                       "tenant_type": rng.choice(["social_foundation", "government", "care_provider", None]),
                       "third_party_floor_m2": _maybe(rng, rng.randint(0, 400), 0.5),
                       "owned_on_2015_07_01": _maybe(rng, rng.random() < 0.5, 0.4),
                       "minister_approval": _maybe(rng, rng.random() < 0.3, 0.6)})
    elif kind == "leefbaarheid":
        out = dict(base, activity="spend", object="leefbaarheid", units=None, floor_area_m2=None, cost=None,
                   financing=None, project=None,
                   leefbaarheid={"category": rng.choice(LFB), "annual_amount": _eur(rng, 1_000, 400_000),
                                 "near_own_property_or_tenants": _maybe(rng, rng.random() < 0.9)})
    elif kind == "service":
        out = dict(base, activity="service", object="service", units=None, floor_area_m2=None, financing=None,
                   project=None, service={"kind": rng.choice(SERVICES), "for_residents": rng.random() < 0.9,
                                          "for_daeb_dwellings": rng.random() < 0.8})
    else:
        out = dict(base, activity="renovate", object="surroundings", units=None, floor_area_m2=None,
                   public_space_share=f"{rng.randint(0, 60) / 100}")
    if rng.random() < 0.1:
        out["committed_on"] = (dt.date(2013, 1, 1) + dt.timedelta(days=rng.randrange(365 * 5))).isoformat()
    return _clean(out)


def _case(case_id: str, comps: list[dict], projects: list[dict], day: dt.date = DAY) -> dict:
    return {"case_id": case_id, "title": "synthetic portfolio", "date": day.isoformat(),
            "corporation": {"name": "Bench Wonen", "home_municipality": "GM0344", "municipalities": MUNICIPALITIES,
                            "daeb_rental_homes": 30_000, "non_daeb_investment_share": "0.12",
                            "leefbaarheid_other_annual": "1500000.00"},
            "components": comps, "projects": projects}


def realistic(n: int, seed: int = 2016, project_size: tuple[int, int] = (2, 12), case_size: int = 20_000,
              case_prefix: str = "realistic") -> list[dict]:
    """Case dicts (validate with Case.model_validate) holding n components in projects of 2-12."""
    rng = random.Random(seed)
    comps: list[dict] = []
    projects: list[dict] = []
    p = 0
    while len(comps) < n:
        size = min(rng.randint(*project_size), n - len(comps))
        pid = f"P{p}"
        members = [component(rng, len(comps) + j, pid) for j in range(size)]
        comps.extend(members)
        if any(c.get("project") == pid for c in members) and rng.random() < 0.6:
            projects.append({"id": pid, "shared_costs": [
                {"kind": rng.choice(["land", "parking", "site_preparation", "other"]),
                 "amount": _eur(rng, 50_000, 5_000_000)} for _ in range(rng.randint(1, 3))]})
        p += 1
    return _split_cases(comps, projects, case_size, case_prefix)


def _split_cases(comps: list[dict], projects: list[dict], case_size: int, prefix: str) -> list[dict]:
    cases = []
    for start in range(0, len(comps), case_size):
        chunk = comps[start:start + case_size]
        used = {c.get("project") for c in chunk}
        cases.append(_case(f"{prefix}-{start // case_size}", chunk, [p for p in projects if p["id"] in used]))
    return cases


def one_project(n: int, seed: int = 3000) -> dict:
    """One case whose n components all belong to one project (the remediation worst case)."""
    rng = random.Random(seed)
    comps = [component(rng, i, "BIG") for i in range(n)]
    for c in comps:
        c["project"] = "BIG"
    return _case("one-project", comps, [{"id": "BIG", "shared_costs": [{"kind": "land", "amount": "9000000.00"}]}])


def distinct(n: int, seed: int = 7) -> list[dict]:
    """n components that are pairwise different in what their rules see (worst case for sharing)."""
    rng = random.Random(seed)
    comps = []
    for i in range(n):
        c = component(rng, i, None)
        # spread every number over its whole range, so that threshold classes keep changing
        step = (i * 7919) % 1_000_003
        if "cost" in c:
            c["cost"] = f"{10_000 + step * 29}.{i % 100:02d}"
        if "floor_area_m2" in c:
            c["floor_area_m2"] = 10 + (i * 31) % 9000
        if "units" in c:
            c["units"] = 1 + (i * 17) % 300
        d = c.get("dwelling")
        if d is not None and d.get("tenure") == "rent":
            d["rent"] = f"{250 + (i * 13) % 1200}.{i % 100:02d}"
        comps.append(c)
    return _split_cases(comps, [], 20_000, "distinct")
