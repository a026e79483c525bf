"""The Python bodies of the derived facts declared in rules/derivations.yaml.

A derived fact is a legal computation over the case: an allocation share, the count of lettings to
huurtoeslag-eligible households, the RTIV 20 return, whether land was acquired before a cut-off
date. Each is declared in rules/derivations.yaml with the facts it produces, the parameters it
reads, its dates and constants, its validity and its legal basis; a derivation that changes on a
date is two declarations (allocation-2015 and allocation-2022). The declaration names one function
here by `function`.

A body reads figures only through `env.param(id)` (a TracingParams): every read is recorded, and a
read the declaration does not list is an EngineError, so the declaration cannot drift from the code.
Dates and constants come from the declaration (`env.date(name)`, `env.constant(name)`), never from
Python. A body returns the facts it produced (a name it does not produce stays absent: unknown).
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_CEILING, Decimal
from typing import Callable, Mapping

from .errors import EngineError
from .units import BP

INVESTMENT_ACTIVITIES = frozenset({"build", "acquire", "renovate"})
LEEFBAARHEID_CATEGORIES = frozenset({"woonmaatschappelijk_werk", "small_scale_infrastructure", "clean_safe_nuisance",
                                     "ontmoeting", "general_welfare", "public_space_maintenance", "other"})


class TracingParams:
    """Parameter values as a derivation may read them: each read is recorded, in order, once."""

    __slots__ = ("values", "allowed", "owner", "read")

    def __init__(self, values: Mapping[str, object], allowed: frozenset[str], owner: str) -> None:
        self.values, self.allowed, self.owner = values, allowed, owner
        self.read: list[str] = []

    def param(self, pid: str):
        if pid not in self.allowed:
            raise EngineError(f"derivation {self.owner} reads parameter {pid}, which its declaration in "
                              "rules/derivations.yaml does not list under reads")
        if pid not in self.read:
            self.read.append(pid)
        return self.values.get(pid)


class Env:
    """What a derivation body may use besides the case: traced figures, its declared dates and constants,
    and the judging date."""

    __slots__ = ("params", "dates", "constants", "day")

    def __init__(self, params: TracingParams, dates: Mapping[str, dt.date], constants: Mapping[str, int],
                 day: dt.date) -> None:
        self.params, self.dates, self.constants, self.day = params, dates, constants, day

    def param(self, pid: str):
        return self.params.param(pid)

    def date(self, name: str) -> dt.date:
        try:
            return self.dates[name]
        except KeyError:
            raise EngineError(f"derivation {self.params.owner} needs a date {name!r} in its declaration") from None

    def constant(self, name: str) -> int:
        try:
            return self.constants[name]
        except KeyError:
            raise EngineError(f"derivation {self.params.owner} needs a constant {name!r} in its declaration") from None


class TracedEnv(TracingParams):
    """An Env and its TracingParams as one object (`params` is itself): what facts.py makes for every
    call of a body, thousands per judgement, so one object instead of two."""

    __slots__ = ("dates", "constants", "day")

    def __init__(self, values: Mapping[str, object], allowed: frozenset[str], owner: str,
                 dates: Mapping[str, dt.date], constants: Mapping[str, int], day: dt.date) -> None:
        self.values, self.allowed, self.owner = values, allowed, owner
        self.read = []
        self.dates, self.constants, self.day = dates, constants, day

    @property
    def params(self) -> "TracedEnv":
        return self

    date = Env.date
    constant = Env.constant


FUNCTIONS: dict[str, Callable] = {}


def derivation(name: str):
    """Register a body under the `function` name rules/derivations.yaml uses."""
    def register(fn):
        FUNCTIONS[name] = fn
        return fn
    return register


def share_floor(part: int, whole: int) -> int | None:
    """part/whole in basis points rounded down: exact for 'at least' tests against whole basis points."""
    if whole <= 0:
        return None
    return (part * BP) // whole


def share_ceil(part: int, whole: int) -> int | None:
    """part/whole in basis points rounded up: exact for 'at most' tests against whole basis points."""
    if whole <= 0:
        return None
    return -((-part * BP) // whole)


def is_bog_space(c) -> bool:
    return c.object == "bog" or (c.object == "parking" and c.parking is not None and c.parking.use == "public")


# --- component scope: fn(case, component, env, ctx) -> dict -------------------------------------------
# ctx: {"agreements": component ids covered by prestatieafspraken, "projects": project aggregates}

@derivation("working_area")
def working_area(case, c, env, ctx) -> dict:
    corp = case.corporation
    out = {"in_working_municipality": c.location.municipality in corp.municipalities,
           "is_home_municipality": c.location.municipality == corp.home_municipality,
           "regio_designated": corp.woningmarktregio is not None}
    if corp.woningmarktregio is not None:
        out["in_regio"] = c.location.municipality in corp.woningmarktregio.municipalities
    return out


@derivation("acquired_before")
def acquired_before(case, c, env, ctx) -> dict:
    if c.land is None or c.land.acquired_on is None:
        return {}
    return {"land_acquired_before_2015": c.land.acquired_on < env.date("cutoff")}


@derivation("committed_before")
def committed_before(case, c, env, ctx) -> dict:
    return {"committed_before_2015_07_01": c.committed_on is not None and c.committed_on < env.date("cutoff")}


@derivation("bog_space")
def bog_space(case, c, env, ctx) -> dict:
    """BOG space of the component and the totals of the investment it belongs to (BTIV 52 lid 1 b)."""
    out: dict = {"is_bog_space": is_bog_space(c)}
    projects = ctx["projects"]
    if c.project is not None and c.project in projects:
        agg = projects[c.project]
        if agg["floor_known"]:
            out["project_floor_area_m2"] = agg["floor"]
            share = share_ceil(agg["bog_floor"], agg["floor"])
            if share is not None:
                out["project_bog_floor_share"] = share
        out["project_bog_cost"] = agg["bog_cost"]
        out["project_cost"] = agg["cost"]
    elif c.activity in INVESTMENT_ACTIVITIES:
        # a component without a project is an investment of its own
        if c.floor_area_m2:
            out["project_floor_area_m2"] = c.floor_area_m2
            out["project_bog_floor_share"] = share_ceil(c.floor_area_m2 if is_bog_space(c) else 0, c.floor_area_m2)
        if c.cost is not None:
            out["project_cost"] = c.cost
            out["project_bog_cost"] = c.cost if is_bog_space(c) else 0
    return out


@derivation("markttoets_exemption")
def markttoets_exemption(case, c, env, ctx) -> dict:
    """Which exemption of BTIV 41 (2016-2021) the case establishes for an acquisition: "buyback" (41 c,
    dwellings the corporation is bound by contract to take back from the party it sold them to) or
    "bog_from_ti" (41 f, commercial real estate from another TI within the floor share of 41 f 1°; 41 f
    2°, the rest of the investment being DAEB, stays a condition of the rule), else "not_established":
    an exemption the case does not state is not applied, and the market test stands."""
    if c.activity == "acquire" and c.object == "dwelling" and c.buyback_obligation:
        return {"markttoets_exemption": "buyback"}
    if c.activity == "acquire" and is_bog_space(c) and c.acquired_from_ti:
        share = bog_space(case, c, env, ctx).get("project_bog_floor_share")
        limit = env.param("markttoets_bog_from_ti_max_share")
        if share is not None and limit is not None and share <= limit:
            return {"markttoets_exemption": "bog_from_ti"}
    return {"markttoets_exemption": "not_established"}


@derivation("daeb_buyback")
def daeb_buyback(case, c, env, ctx) -> dict:
    """From 2022 Ww 47 lid 1 j makes DAEB the buy-back of dwellings for sale the corporation is bound by
    contract to take back from the party it sold them to, and their resale; before 2022 the DAEB list has no
    such onderdeel, so it is false then. Not stated: no such duty."""
    found = (env.day >= env.date("lid_1_j_from") and c.object == "dwelling" and c.activity in ("acquire", "sell")
             and c.buyback_obligation is True and c.dwelling is not None and c.dwelling.tenure == "sale")
    return {"daeb_buyback": found}


@derivation("mv_shares")
def mv_shares(case, c, env, ctx) -> dict:
    m = c.mv
    out: dict = {}
    if m is None:
        return out
    if m.third_party_floor_m2 is not None and c.floor_area_m2:
        out["mv_third_party_share"] = share_ceil(m.third_party_floor_m2, c.floor_area_m2)
    build_cost = m.build_cost if m.build_cost is not None else c.cost
    if m.annual_rent is not None and build_cost:
        out["mv_rent_ratio"] = share_floor(m.annual_rent, build_cost)
    return out


@derivation("sale_price_ratios")
def sale_price_ratios(case, c, env, ctx) -> dict:
    s = c.sale
    out: dict = {}
    if s is None:
        return out
    if s.leegwaarde:
        out["sale_price_ratio_leegwaarde"] = share_floor(s.price, s.leegwaarde)
    if s.market_value:
        out["sale_price_ratio_market"] = share_floor(s.price, s.market_value)
    return out


@derivation("non_daeb_return")
def non_daeb_return(case, c, env, ctx) -> dict:
    """RTIV 20 lid 1: return of a non-DAEB investment, from the case's own figures."""
    out: dict = {}
    if c.cost and c.activity in ("build", "acquire"):
        if c.dwelling is not None and c.dwelling.rent is not None and c.units:
            out["nd_rent_return"] = share_floor(c.dwelling.rent * 12 * c.units, c.cost)
        elif c.bog is not None and c.bog.annual_rent is not None:  # BOG for letting: lid 1 a too
            out["nd_rent_return"] = share_floor(c.bog.annual_rent, c.cost)
        if c.sale is not None:
            out["nd_sale_return"] = share_floor(c.sale.price, c.cost)
    return out


def wws_table_applies(c) -> bool:
    """The huurprijstabel for zelfstandige woonruimte applies: a self-contained dwelling with WWS points
    (the stock path asks this too, as it computes the rent share in SQL)."""
    d = c.dwelling
    return d is not None and d.self_contained and d.wws_points is not None


@derivation("wws_max_rent")
def wws_max_rent(case, c, env, ctx) -> dict:
    """The maximum rent for the dwelling's own WWS points (the huurprijstabel row) and the rent as a
    share of it, rounded up so that "at most 100%" holds exactly when the rent is at most the row."""
    if not wws_table_applies(c):
        return {}
    d = c.dwelling
    table = env.param("wws_max_rent_by_points")
    row = None if table is None else dict(table).get(d.wws_points)
    if row is None:
        return {}
    out = {"wws_max_rent": row}
    if d.rent is not None:
        out["rent_to_wws_max_rent"] = share_ceil(d.rent, row)
    if d.rent_surcharges is not None:
        out.update(own_max_rent(d.rent, row, d.rent_surcharges, env))
    return out


# BHW art. 8a prijsopslagen: case field -> the declaration's constant holding the percentage
SURCHARGES = {"rijksmonument": "rijksmonument_bp", "gemeentelijk_of_provinciaal_monument": "monument_bp",
              "new_middle_segment": "new_middle_segment_bp", "beschermd_gezicht": "beschermd_gezicht_bp"}
MONUMENTS = ("rijksmonument", "gemeentelijk_of_provinciaal_monument")


def surcharge_sums(stated, env) -> set[int]:
    """Every total of BHW 8a surcharges (basis points) the case leaves possible: each surcharge it does not
    state may apply or not; the percentages add up (bijlage I). Lid 5 (5%) is for a dwelling that is no
    monument (lid 5 c); before its text was read (the 2026 version) a lid 5 surcharge is possible, not certain,
    and its condition is not applied."""
    read = env.day >= env.date("beschermd_gezicht_read_from")
    names = list(SURCHARGES)
    options = [[said] if (said := getattr(stated, n)) is not None else [False, True] for n in names]
    sums = set()
    for combo in itertools.product(*options):
        applies = dict(zip(names, combo))
        if read and applies["beschermd_gezicht"] and any(applies[m] for m in MONUMENTS):
            applies["beschermd_gezicht"] = False  # lid 5 c
        total = sum(env.constant(SURCHARGES[n]) for n in names if applies[n])
        sums.add(total)
        if applies["beschermd_gezicht"] and not read:
            sums.add(total - env.constant(SURCHARGES["beschermd_gezicht"]))
    return sums


def own_max_rent(rent: int | None, row: int, stated, env) -> dict:
    """The dwelling's own maximum rent with the surcharges the case states: lowest and highest over every
    combination the case leaves possible. Amounts in whole cents rounded down, so that `rent <= amount` is
    exact. `rent_above_own_max_rent` is known only when the rent lies on one side of that whole range; in
    between the unstated surcharges decide it, and it stays unknown."""
    sums = surcharge_sums(stated, env)
    out = {"own_max_rent_low": row * (BP + min(sums)) // BP, "own_max_rent_high": row * (BP + max(sums)) // BP}
    if rent is not None and (rent <= out["own_max_rent_low"] or rent > out["own_max_rent_high"]):
        out["rent_above_own_max_rent"] = rent > out["own_max_rent_high"]
    return out


@derivation("in_prestatieafspraken")
def in_prestatieafspraken(case, c, env, ctx) -> dict:
    return {"in_prestatieafspraken": c.id in ctx["agreements"]}


# --- project scope: fn(case, project id, aggregate, env) -> dict ----------------------------------------

@derivation("project_bog_space")
def project_bog_space(case, pid, agg, env) -> dict:
    out = {"project_cost": agg["cost"], "project_bog_cost": agg["bog_cost"], "project_has_bog": agg["has_bog"]}
    if agg["floor_known"]:
        out["project_floor_area_m2"] = agg["floor"]
        out["project_bog_floor_m2"] = agg["bog_floor"]
        share = share_ceil(agg["bog_floor"], agg["floor"])
        if share is not None:
            out["project_bog_floor_share"] = share
    return out


def project_aggregates(case) -> dict[str, dict]:
    """Per project: floor areas, BOG floor share and cost over the investment's components."""
    out: dict[str, dict] = {}
    for c in case.components:
        if c.project is None or c.activity not in INVESTMENT_ACTIVITIES:
            continue
        agg = out.setdefault(c.project, {"floor": 0, "bog_floor": 0, "bog_cost": 0, "cost": 0,
                                         "floor_known": True, "has_bog": False})
        if c.object in ("dwelling", "mv", "bog", "parking"):
            if c.floor_area_m2 is None:
                agg["floor_known"] = False
            else:
                agg["floor"] += c.floor_area_m2
                if is_bog_space(c):
                    agg["bog_floor"] += c.floor_area_m2
        if c.cost is not None:
            agg["cost"] += c.cost
            if is_bog_space(c):
                agg["bog_cost"] += c.cost
        if is_bog_space(c):
            agg["has_bog"] = True
    return out


# --- plan scope: fn(case, env) -> dict --------------------------------------------------------------------

@derivation("leefbaarheid_spend")
def leefbaarheid_spend(case, env) -> dict:
    corp = case.corporation
    lfb = [c for c in case.components if c.leefbaarheid is not None
           and c.leefbaarheid.category in LEEFBAARHEID_CATEGORIES]
    total = sum(c.leefbaarheid.annual_amount for c in lfb) + corp.leefbaarheid_other_annual
    out = {"has_leefbaarheid": bool(lfb), "lfb_total": total}
    if corp.daeb_rental_homes:
        out["lfb_per_daeb_home"] = int((Decimal(total) / corp.daeb_rental_homes).to_integral_value(ROUND_CEILING))
    return out


@derivation("turnover_history")
def turnover_history(case, env) -> dict:
    recent = sorted(case.corporation.turnover, key=lambda t: t.year)[-2:]
    if len(recent) != 2:
        return {}
    return {"turnover_max": max(t.net_turnover for t in recent),
            "non_daeb_turnover_share_max": max(t.non_daeb_share for t in recent)}


@derivation("mv_plan_share")
def mv_plan_share(case, env) -> dict:
    mv = [c for c in case.components if c.object == "mv" and c.floor_area_m2]
    if not mv:
        return {}
    floor = sum(c.floor_area_m2 for c in mv)
    third = sum((c.mv.third_party_floor_m2 or 0) for c in mv)
    return {"mv_floor_m2": floor, "mv_third_party_share": share_ceil(third, floor)}


def _counted_lettings(case, env) -> tuple[list | None, int]:
    """The lettings that count (of DAEB dwellings: at a rent at or below the liberalisatiegrens, in the
    calendar year of the judging date, not before the declared `counting_from`; None when the
    liberalisatiegrens is unknown) and how many lettings of the case lie outside that year."""
    day = env.day
    start = max(dt.date(day.year, 1, 1), env.date("counting_from"))
    end = dt.date(day.year, 12, 31)
    in_year = [x for x in case.lettings if start <= x.date <= end]
    other = len(case.lettings) - len(in_year)
    lib = env.param("liberalisatiegrens")
    if lib is None:
        return None, other
    return [x for x in in_year if x.rent <= lib], other


@derivation("lettings_counted")
def lettings_counted(case, env) -> dict:
    counted, other = _counted_lettings(case, env)
    out = {"lettings_other_years": other}
    if counted is not None:
        out["lettings_count"] = len(counted)
    return out


def _by_category(letting, env) -> bool:
    """BTIV 57: students (households up to the declared size), status holders and care indications count."""
    if letting.category == "student":
        return letting.household_size <= env.constant("student_max_household")
    return letting.category in ("status_holder", "care_indication")


def _allocation(case, env, limits, differentiated: bool) -> dict:
    lettings, _ = _counted_lettings(case, env)
    if not lettings:
        return {}
    low_ok = target_ok = by_category = 0
    for letting in lettings:
        if _by_category(letting, env):
            low_ok += 1
            target_ok += 1
            by_category += 1
            continue
        lim_low, lim_target = limits(letting.household_size)
        if lim_low is None or lim_target is None:
            return {}
        low_ok += letting.household_income <= lim_low
        target_ok += letting.household_income <= lim_target
    n = len(lettings)
    free = share_ceil(n - target_ok, n)
    out = {"alloc_share_low": share_floor(low_ok, n), "alloc_share_target": share_floor(target_ok, n),
           "alloc_category_count": by_category, "alloc_free_share": free}
    local = case.corporation.allocation_free_room_local
    if differentiated and local is not None:
        out["alloc_local_free_room"] = local
        cap = env.param("allocation_max_free_local")
        if cap is not None:
            out["alloc_free_excess"] = free - min(local, cap)
    return out


@derivation("allocation_main_and_middle_limit")
def allocation_main_and_middle_limit(case, env) -> dict:
    """Until 2021 (BTIV 16 lid 1): the shares at or below the main and the middle income limit."""
    return _allocation(case, env, lambda size: (env.param("daeb_income_limit"),
                                                env.param("daeb_income_limit_middle")), differentiated=False)


@derivation("allocation_by_household_size")
def allocation_by_household_size(case, env) -> dict:
    """From 2022 (BTIV 16 as amended by Stb. 2021, 509): one limit per household size defines the target group."""
    def limits(size: int):
        lim = env.param("daeb_income_limit_single" if size == 1 else "daeb_income_limit_multi")
        return lim, lim
    return _allocation(case, env, limits, differentiated=True)


@derivation("passend_toewijzen")
def passend_toewijzen(case, env) -> dict:
    """Ww 46 lid 2, BTIV 54: lettings to huurtoeslag-eligible households and the share at or below the
    aftoppingsgrens. Eligibility is the case's flag, else students and status holders, else the
    household income against the passend-toewijzen income limit of its size and age. From the
    declared date (2022) an AOW-age household with assets above the vermogensgrens may be let above
    the aftoppingsgrens: it is counted apart (pt_elderly_assets_count), not in the share."""
    lettings, _ = _counted_lettings(case, env)
    if lettings is None:
        return {}
    eligible = within = elderly_assets = 0
    exception_from = env.date("elderly_assets_exception_from")
    for letting in lettings:
        flag = letting.huurtoeslag_eligible
        if flag is None:
            if letting.category in ("student", "status_holder"):
                flag = True
            else:
                key = ("pt_income_limit_" + ("single" if letting.household_size == 1 else "multi")
                       + ("_aow" if letting.aow_age else ""))
                lim = env.param(key)
                if lim is None:
                    return {}
                flag = letting.household_income <= lim
        if not flag:
            continue
        if env.day >= exception_from and letting.aow_age and letting.assets_above_limit:
            elderly_assets += 1
            continue
        cap = env.param("aftoppingsgrens_low" if letting.household_size <= 2 else "aftoppingsgrens_high")
        if cap is None:
            return {}
        eligible += 1
        within += letting.rent <= cap
    out = {"pt_eligible_count": eligible, "pt_elderly_assets_count": elderly_assets}
    if eligible:
        out["pt_share"] = share_floor(within, eligible)
    return out
