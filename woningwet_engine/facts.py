"""From a case to flat facts: one per component, one per project, one for the plan.

Rules read these facts by name. Each field has a declared type so that rule files are
type-checked when they load (a rule cannot compare a rent with a text). A field is absent when
the case does not say; rules that need it then cannot decide (undetermined). Derived fields
(shares, per-home amounts, date tests) are computed here, once, and named for what they mean.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_CEILING, Decimal
from typing import Mapping

from .case import (
    Activity, Buyer, Case, Component, Counterparty, Financing, LeefbaarheidCategory, ObjectKind,
    ParkingUse, SeparationRegime, MoneyForm, ServiceKind, TenantType, Tenure,
)
from .conditions.nodes import FieldSpec
from .units import BP


def _enum(e) -> FieldSpec:
    return FieldSpec("enum", tuple(m.value for m in e))


REFORM_DATE = dt.date(2015, 7, 1)
LAND_CUTOFF = dt.date(2015, 1, 1)  # BTIV 42: land acquired before 1 January 2015

COMPONENT_FIELDS: dict[str, FieldSpec] = {
    "activity": _enum(Activity),
    "object": _enum(ObjectKind),
    "units": FieldSpec("int", doc="number of units"),
    "floor_area_m2": FieldSpec("int", doc="BVO in m2"),
    "cost": FieldSpec("eur", doc="investment cost of the component"),
    "financing": _enum(Financing),
    "municipality": FieldSpec("code", doc="CBS gemeentecode"),
    "in_working_municipality": FieldSpec("bool", doc="municipality is home or has a verklaring van geen bezwaar"),
    "is_home_municipality": FieldSpec("bool"),
    "regio_designated": FieldSpec("bool", doc="the corporation's woningmarktregio is known in the case"),
    "in_regio": FieldSpec("bool", doc="municipality lies in the corporation's woningmarktregio"),
    "corporation_categorical": FieldSpec("bool", doc="categorale toegelaten instelling"),
    "area_has_corporation_homes": FieldSpec("bool"),
    "wijk_function": FieldSpec("bool"),
    "adjacent_to_own_property": FieldSpec("bool"),
    "land_built": FieldSpec("bool"),
    "land_acquired_before_2015": FieldSpec("bool", doc="land acquired before 2015-01-01 (BTIV 42)"),
    "herstructurering": FieldSpec("bool"),
    "land_contributes_to_daeb": FieldSpec("bool"),
    "land_demolition_site": FieldSpec("bool", doc="rebuilding on the site of demolished own dwellings"),
    "self_contained": FieldSpec("bool"),
    "tenure": _enum(Tenure),
    "rent": FieldSpec("eur", doc="kale huur per month"),
    "wws_points": FieldSpec("int"),
    "mv_code": FieldSpec("code", doc="VERA MOG detail code"),
    "mv_tenant_type": _enum(TenantType),
    "mv_third_party_share": FieldSpec("bp", doc="share of the floor area let to other parties"),
    "mv_owned_on_2015_07_01": FieldSpec("bool"),
    "mv_rent_ratio": FieldSpec("bp", doc="annual rent / build cost"),
    "mv_minister_approval": FieldSpec("bool"),
    "mv_inside_woonzorggebouw": FieldSpec("bool"),
    "mv_integrated_with_housing": FieldSpec("bool"),
    "bog_own_office": FieldSpec("bool"),
    "bog_existing": FieldSpec("bool"),
    "parking_use": _enum(ParkingUse),
    "parking_for_daeb": FieldSpec("bool", doc="parking serves DAEB dwellings"),
    "is_bog_space": FieldSpec("bool", doc="bedrijfsmatig: BOG or a stand-alone public garage"),
    "project_floor_area_m2": FieldSpec("int", doc="BVO of all real estate in the investment"),
    "project_bog_floor_share": FieldSpec("bp", doc="BOG share of the investment's BVO (parking included)"),
    "project_bog_cost": FieldSpec("eur", doc="BOG costs of the investment"),
    "project_cost": FieldSpec("eur", doc="total cost of the investment"),
    "lfb_category": _enum(LeefbaarheidCategory),
    "lfb_amount": FieldSpec("eur", doc="annual amount"),
    "lfb_near_own": FieldSpec("bool", doc="near own property or for own tenants"),
    "in_prestatieafspraken": FieldSpec("bool"),
    "service_kind": _enum(ServiceKind),
    "service_for_residents": FieldSpec("bool"),
    "service_for_daeb": FieldSpec("bool", doc="service for residents of DAEB dwellings"),
    "service_money_form": _enum(MoneyForm),
    "redevelop_within_5_years": FieldSpec("bool", doc="acquired to redevelop within five years (BTIV 49/52)"),
    "sale_buyer": _enum(Buyer),
    "sale_price": FieldSpec("eur"),
    "sale_price_ratio_leegwaarde": FieldSpec("bp", doc="price / leegwaarde (or WOZ)"),
    "sale_price_ratio_market": FieldSpec("bp", doc="price / market value"),
    "sale_vacant": FieldSpec("bool"),
    "sale_vov": FieldSpec("bool"),
    "buyer_income": FieldSpec("eur"),
    "verbinding_counterparty": _enum(Counterparty),
    "verbinding_after_formation": FieldSpec("bool"),
    "committed_before_2015_07_01": FieldSpec("bool", doc="written commitment before the reform (HzW II)"),
    "corporation_regime": _enum(SeparationRegime),
    "statutes_require_rvt_for_maintenance": FieldSpec("bool", doc="statutes extend RvT approval to maintenance"),
    "nd_rent_return": FieldSpec("bp", doc="first-year rent (12 x rent x units) / investment cost (RTIV 20 lid 1 a)"),
    "nd_sale_return": FieldSpec("bp", doc="expected sale proceeds / investment cost (RTIV 20 lid 1 b)"),
    "corp_non_daeb_icr": FieldSpec("bp", doc="ICR of the corporation's non-DAEB branch"),
    "corp_non_daeb_debt_woz": FieldSpec("bp", doc="non-DAEB debt / WOZ value of non-DAEB real estate"),
}

PROJECT_FIELDS: dict[str, FieldSpec] = {
    "project_floor_area_m2": FieldSpec("int"),
    "project_bog_floor_m2": FieldSpec("int"),
    "project_bog_floor_share": FieldSpec("bp"),
    "project_bog_cost": FieldSpec("eur"),
    "project_cost": FieldSpec("eur"),
    "project_has_bog": FieldSpec("bool"),
}

PLAN_FIELDS: dict[str, FieldSpec] = {
    "daeb_rental_homes": FieldSpec("int"),
    "lfb_total": FieldSpec("eur", doc="annual leefbaarheid spend, TI-wide"),
    "lfb_per_daeb_home": FieldSpec("eur", doc="leefbaarheid spend per DAEB rental home, rounded up to the cent"),
    "has_leefbaarheid": FieldSpec("bool"),
    "turnover_max": FieldSpec("eur", doc="highest net turnover of the last two years"),
    "non_daeb_turnover_share_max": FieldSpec("bp"),
    "non_daeb_investment_share": FieldSpec("bp"),
    "wants_verlicht_regime": FieldSpec("bool"),
    "corporation_regime": _enum(SeparationRegime),
    "mv_floor_m2": FieldSpec("int"),
    "mv_third_party_share": FieldSpec("bp"),
    "lettings_count": FieldSpec("int", doc="lettings of DAEB dwellings in the calendar year of the judging date"),
    "lettings_other_years": FieldSpec("int", doc="lettings in the case outside that calendar year (not counted)"),
    "alloc_share_low": FieldSpec("bp", doc="share of lettings to incomes <= the low/main DAEB limit or categories"),
    "alloc_share_target": FieldSpec("bp", doc="share of lettings to the target group of the regime"),
    "alloc_category_count": FieldSpec("int", doc="lettings counted as compliant by category (BTIV 57)"),
    "alloc_free_share": FieldSpec("bp", doc="share of lettings outside the target group (free room used)"),
    "alloc_local_free_room": FieldSpec("bp", doc="free room agreed locally (from 2022), as given in the case"),
    "alloc_free_excess": FieldSpec(
        "bp", doc="free room used minus the free room allowed by local agreement (capped at the legal maximum)"),
    "pt_eligible_count": FieldSpec("int"),
    "pt_share": FieldSpec("bp", doc="share of huurtoeslag-eligible lettings at or below the aftoppingsgrens"),
}

SCHEMAS: dict[str, Mapping[str, FieldSpec]] = {
    "component": COMPONENT_FIELDS, "project": PROJECT_FIELDS, "plan": PLAN_FIELDS,
}

# facts that only select which kind of component a rule is about: a rule failing on one of them is
# simply not about this fact (left out of the why-not list, not a non-firing test in rule coverage)
SELECTOR_FACTS = frozenset({"object", "activity", "kind", "tenure", "self_contained", "is_bog_space", "parking_use",
                            "lfb_category", "mv_code", "sale_buyer", "service_kind", "verbinding_counterparty"})

LEEFBAARHEID_CATEGORIES = {"woonmaatschappelijk_werk", "small_scale_infrastructure", "clean_safe_nuisance",
                           "ontmoeting", "general_welfare", "public_space_maintenance", "other"}
INVESTMENT_ACTIVITIES = {"build", "acquire", "renovate"}


def _put(fact: dict, name: str, value) -> None:
    if value is not None:
        fact[name] = value


def _is_bog_space(c: Component) -> bool:
    return c.object == "bog" or (c.object == "parking" and c.parking is not None and c.parking.use == "public")


def project_aggregates(case: Case) -> dict[str, dict]:
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
                if _is_bog_space(c):
                    agg["bog_floor"] += c.floor_area_m2
        if c.cost is not None:
            agg["cost"] += c.cost
            if _is_bog_space(c):
                agg["bog_cost"] += c.cost
        if _is_bog_space(c):
            agg["has_bog"] = True
    return out


def component_fact(case: Case, c: Component, agreements: set[str], projects: dict[str, dict]) -> dict:
    corp = case.corporation
    f: dict = {"id": f"component:{c.id}", "kind": "component", "activity": c.activity, "object": c.object}
    _put(f, "units", c.units)
    _put(f, "floor_area_m2", c.floor_area_m2)
    _put(f, "cost", c.cost)
    _put(f, "financing", c.financing)
    loc = c.location
    f["municipality"] = loc.municipality
    f["in_working_municipality"] = loc.municipality in corp.municipalities
    f["is_home_municipality"] = loc.municipality == corp.home_municipality
    f["regio_designated"] = corp.woningmarktregio is not None
    if corp.woningmarktregio is not None:
        f["in_regio"] = loc.municipality in corp.woningmarktregio.municipalities
    f["corporation_categorical"] = corp.categorical
    _put(f, "area_has_corporation_homes", loc.area_has_corporation_homes)
    _put(f, "wijk_function", loc.wijk_function)
    _put(f, "adjacent_to_own_property", loc.adjacent_to_own_property)
    if c.land is not None:
        _put(f, "land_built", c.land.built)
        if c.land.acquired_on is not None:
            f["land_acquired_before_2015"] = c.land.acquired_on < LAND_CUTOFF
        f["herstructurering"] = c.land.herstructurering
        _put(f, "land_contributes_to_daeb", c.land.contributes_to_daeb)
        _put(f, "land_demolition_site", c.land.demolition_site)
    else:
        f["herstructurering"] = False
    if c.dwelling is not None:
        f["self_contained"] = c.dwelling.self_contained
        f["tenure"] = c.dwelling.tenure
        _put(f, "rent", c.dwelling.rent)
        _put(f, "wws_points", c.dwelling.wws_points)
    if c.mv is not None:
        m = c.mv
        _put(f, "mv_code", m.vera_code)
        _put(f, "mv_tenant_type", m.tenant_type)
        if m.third_party_floor_m2 is not None and c.floor_area_m2:
            f["mv_third_party_share"] = share_ceil(m.third_party_floor_m2, c.floor_area_m2)
        _put(f, "mv_owned_on_2015_07_01", m.owned_on_2015_07_01)
        build_cost = m.build_cost if m.build_cost is not None else c.cost
        if m.annual_rent is not None and build_cost:
            f["mv_rent_ratio"] = share_floor(m.annual_rent, build_cost)
        _put(f, "mv_minister_approval", m.minister_approval)
        _put(f, "mv_inside_woonzorggebouw", m.inside_woonzorggebouw)
        _put(f, "mv_integrated_with_housing", m.integrated_with_housing)
    f["bog_own_office"] = c.bog.own_office if c.bog is not None else False
    f["bog_existing"] = c.bog.existing if c.bog is not None else False
    if c.parking is not None:
        f["parking_use"] = c.parking.use
        _put(f, "parking_for_daeb", c.parking.for_daeb_dwellings)
    f["is_bog_space"] = _is_bog_space(c)
    if c.project is not None and c.project in projects:
        agg = projects[c.project]
        if agg["floor_known"]:
            f["project_floor_area_m2"] = agg["floor"]
            share = share_ceil(agg["bog_floor"], agg["floor"])
            if share is not None:
                f["project_bog_floor_share"] = share
        f["project_bog_cost"] = agg["bog_cost"]
        f["project_cost"] = agg["cost"]
    elif c.activity in INVESTMENT_ACTIVITIES:
        # a component without a project is an investment of its own
        if c.floor_area_m2:
            f["project_floor_area_m2"] = c.floor_area_m2
            f["project_bog_floor_share"] = share_ceil(c.floor_area_m2 if _is_bog_space(c) else 0, c.floor_area_m2)
        if c.cost is not None:
            f["project_cost"] = c.cost
            f["project_bog_cost"] = c.cost if _is_bog_space(c) else 0
    if c.leefbaarheid is not None:
        f["lfb_category"] = c.leefbaarheid.category
        f["lfb_amount"] = c.leefbaarheid.annual_amount
        _put(f, "lfb_near_own", c.leefbaarheid.near_own_property_or_tenants)
    f["in_prestatieafspraken"] = c.id in agreements
    if c.service is not None:
        f["service_kind"] = c.service.kind
        f["service_for_residents"] = c.service.for_residents
        f["service_for_daeb"] = c.service.for_daeb_dwellings
        _put(f, "service_money_form", c.service.money_form)
    _put(f, "redevelop_within_5_years", c.redevelop_within_5_years)
    if c.sale is not None:
        s = c.sale
        f["sale_buyer"] = s.buyer
        f["sale_price"] = s.price
        if s.leegwaarde:
            f["sale_price_ratio_leegwaarde"] = share_floor(s.price, s.leegwaarde)
        if s.market_value:
            f["sale_price_ratio_market"] = share_floor(s.price, s.market_value)
        f["sale_vacant"] = s.vacant
        f["sale_vov"] = s.vov_clauses
        _put(f, "buyer_income", s.buyer_income)
    if c.verbinding is not None:
        f["verbinding_counterparty"] = c.verbinding.counterparty
        f["verbinding_after_formation"] = c.verbinding.after_formation
    if c.committed_on is not None:
        f["committed_before_2015_07_01"] = c.committed_on < REFORM_DATE
    else:
        f["committed_before_2015_07_01"] = False
    _put(f, "corporation_regime", corp.separation_regime)
    f["statutes_require_rvt_for_maintenance"] = corp.statutes_require_rvt_for_maintenance
    _put(f, "corp_non_daeb_icr", corp.non_daeb_icr)
    _put(f, "corp_non_daeb_debt_woz", corp.non_daeb_debt_woz_share)
    if c.cost and c.activity in ("build", "acquire"):
        # RTIV 20 lid 1: return of a non-DAEB investment, from the case's own figures
        if c.dwelling is not None and c.dwelling.rent is not None and c.units:
            f["nd_rent_return"] = share_floor(c.dwelling.rent * 12 * c.units, c.cost)
        if c.sale is not None:
            f["nd_sale_return"] = share_floor(c.sale.price, c.cost)
    return f


ALLOCATION_DIFFERENTIATED_FROM = dt.date(2022, 1, 1)  # BTIV 16 as amended by Stb. 2021, 509
STUDENT_MAX_HOUSEHOLD = 2  # BTIV 57: students count when the household has one or two persons


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


def _counts_by_category(letting) -> bool:
    """BTIV 57: students (one or two persons), status holders and care indications count as compliant."""
    if letting.category == "student":
        return letting.household_size <= STUDENT_MAX_HOUSEHOLD
    return letting.category in ("status_holder", "care_indication")


def _allocation(case: Case, params: Mapping, day: dt.date) -> dict:
    """Allocation (Ww 48, BTIV 16, 57) and passend toewijzen (Ww 46 lid 2, BTIV 54) shares.

    Counted: the lettings of the calendar year of `day` (not before 2015-07-01) of DAEB dwellings,
    i.e. at a rent at or below the liberalisatiegrens. Until 2021 the share at or below the main
    limit (at least 80%) and at or below the middle limit (at least 90%) are both computed; from
    2022 one limit per household size (single / multi-person) defines the target group. A missing
    figure (null parameter) leaves the shares out, so the checks that need them are unknown.
    Shares that must be "at least" are rounded down, shares that may be "at most" rounded up.
    """
    start = max(dt.date(day.year, 1, 1), REFORM_DATE)
    end = dt.date(day.year, 12, 31)
    in_year = [x for x in case.lettings if start <= x.date <= end]
    out: dict = {"lettings_other_years": len(case.lettings) - len(in_year)}
    lib = params.get("liberalisatiegrens")
    if lib is None:
        return out
    lettings = [x for x in in_year if x.rent <= lib]
    out["lettings_count"] = len(lettings)
    if not lettings:
        out["pt_eligible_count"] = 0
        return out

    differentiated = day >= ALLOCATION_DIFFERENTIATED_FROM
    if differentiated:
        def limits(size: int):
            lim = params.get("daeb_income_limit_single" if size == 1 else "daeb_income_limit_multi")
            return lim, lim
    else:
        def limits(size: int):
            return params.get("daeb_income_limit"), params.get("daeb_income_limit_middle")

    low_ok = target_ok = by_category = 0
    known = True
    for letting in lettings:
        if _counts_by_category(letting):
            low_ok += 1
            target_ok += 1
            by_category += 1
            continue
        lim_low, lim_target = limits(letting.household_size)
        if lim_low is None or lim_target is None:
            known = False
            break
        low_ok += letting.household_income <= lim_low
        target_ok += letting.household_income <= lim_target
    if known:
        n = len(lettings)
        out["alloc_share_low"] = share_floor(low_ok, n)
        out["alloc_share_target"] = share_floor(target_ok, n)
        out["alloc_category_count"] = by_category
        free = share_ceil(n - target_ok, n)
        out["alloc_free_share"] = free
        local = case.corporation.allocation_free_room_local
        if differentiated and local is not None:
            out["alloc_local_free_room"] = local
            cap = params.get("allocation_max_free_local")
            if cap is not None:
                out["alloc_free_excess"] = free - min(local, cap)

    eligible = within = 0
    pt_known = True
    for letting in lettings:
        flag = letting.huurtoeslag_eligible
        if flag is None:
            if letting.category in ("student", "status_holder"):
                flag = True
            else:
                key = ("pt_income_limit_" + ("single" if letting.household_size == 1 else "multi")
                       + ("_aow" if letting.aow_age else ""))
                lim = params.get(key)
                if lim is None:
                    pt_known = False
                    break
                flag = letting.household_income <= lim
        if not flag:
            continue
        cap = params.get("aftoppingsgrens_low" if letting.household_size <= 2 else "aftoppingsgrens_high")
        if cap is None:
            pt_known = False
            break
        eligible += 1
        within += letting.rent <= cap
    if pt_known:
        out["pt_eligible_count"] = eligible
        if eligible:
            out["pt_share"] = share_floor(within, eligible)
    return out


def plan_fact(case: Case, params: Mapping, day: dt.date | None = None) -> dict:
    corp = case.corporation
    f: dict = {"id": "plan", "kind": "plan", "daeb_rental_homes": corp.daeb_rental_homes}
    lfb = [c for c in case.components if c.leefbaarheid is not None
           and c.leefbaarheid.category in LEEFBAARHEID_CATEGORIES]
    total = sum(c.leefbaarheid.annual_amount for c in lfb) + corp.leefbaarheid_other_annual
    f["has_leefbaarheid"] = bool(lfb)
    f["lfb_total"] = total
    if corp.daeb_rental_homes:
        f["lfb_per_daeb_home"] = int((Decimal(total) / corp.daeb_rental_homes).to_integral_value(ROUND_CEILING))
    recent = sorted(corp.turnover, key=lambda t: t.year)[-2:]
    if len(recent) == 2:
        f["turnover_max"] = max(t.net_turnover for t in recent)
        f["non_daeb_turnover_share_max"] = max(t.non_daeb_share for t in recent)
    _put(f, "non_daeb_investment_share", corp.non_daeb_investment_share)
    f["wants_verlicht_regime"] = corp.wants_verlicht_regime
    _put(f, "corporation_regime", corp.separation_regime)
    mv = [c for c in case.components if c.object == "mv" and c.floor_area_m2]
    if mv:
        floor = sum(c.floor_area_m2 for c in mv)
        third = sum((c.mv.third_party_floor_m2 or 0) for c in mv)
        f["mv_floor_m2"] = floor
        f["mv_third_party_share"] = share_ceil(third, floor)
    f.update(_allocation(case, params, day or case.date))
    return f


def build_facts(case: Case, params: Mapping, day: dt.date | None = None) -> tuple[list[dict], list[dict], dict]:
    """(component facts in case order, project facts sorted by id, plan fact); `day`: the judging date."""
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    projects = project_aggregates(case)
    components = [component_fact(case, c, agreements, projects) for c in case.components]
    project_facts = []
    for pid in sorted(projects):
        agg = projects[pid]
        pf = {"id": f"project:{pid}", "kind": "project", "project_cost": agg["cost"],
              "project_bog_cost": agg["bog_cost"], "project_has_bog": agg["has_bog"]}
        if agg["floor_known"]:
            pf["project_floor_area_m2"] = agg["floor"]
            pf["project_bog_floor_m2"] = agg["bog_floor"]
            share = share_ceil(agg["bog_floor"], agg["floor"])
            if share is not None:
                pf["project_bog_floor_share"] = share
        project_facts.append(pf)
    return components, project_facts, plan_fact(case, params, day)
