"""From a case to flat facts: one per component, one per project, one for the plan.

Rules read these facts by name. Each field has a declared type so that rule files are
type-checked when they load (a rule cannot compare a rent with a text). A field is absent when
the case does not say; rules that need it then cannot decide (undetermined). Fields copied from
the case are set here; derived fields (shares, counts, date tests) come from the derivations
declared in rules/derivations.yaml that are in force on the selection's date (bodies in
derivations.py). Each fact records, per derived field, the declaration that produced it and the
parameters it read (`Fact.reads`), so that a rule using the field lists those figures too.
"""

from __future__ import annotations

from typing import Mapping

from .case import (
    Activity, Buyer, Case, Component, Counterparty, Financing, LeefbaarheidCategory, ObjectKind,
    ParkingUse, SaleComplex, SeparationRegime, MoneyForm, ServiceKind, TenantType, Tenure,
)
from .conditions.nodes import FieldSpec
from .derivations import (  # noqa: F401  (share_floor/ceil, project_aggregates: used by callers of facts)
    FUNCTIONS, INVESTMENT_ACTIVITIES, LEEFBAARHEID_CATEGORIES, TracedEnv, project_aggregates, share_ceil,
    share_floor,
)
from .errors import EngineError


def _enum(e) -> FieldSpec:
    return FieldSpec("enum", tuple(m.value for m in e))


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
    "bog_for_sale": FieldSpec("bool", doc="BOG built or acquired for sale (RTIV 20 lid 1 b), else for letting"),
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
    "lfb_for_daeb": FieldSpec("bool", doc="resident activities for residents of DAEB dwellings (Ww 47 lid 1 e)"),
    "in_prestatieafspraken": FieldSpec("bool"),
    "service_kind": _enum(ServiceKind),
    "service_for_residents": FieldSpec("bool"),
    "service_for_daeb": FieldSpec("bool", doc="service for residents of DAEB dwellings"),
    "service_money_form": _enum(MoneyForm),
    "redevelop_within_5_years": FieldSpec("bool", doc="acquired to redevelop within five years (BTIV 49/52)"),
    "markttoets_exemption": FieldSpec("enum", ("buyback", "bog_from_ti", "not_established"),
                                      doc="the BTIV 41 exemption (c, f; 2016-2021) the case establishes for an acquisition"),
    "daeb_buyback": FieldSpec("bool", doc="buy-back for resale the corporation is bound to by contract, or its resale "
                              "(Ww 47 lid 1 j; false before 2022)"),
    "sale_buyer": _enum(Buyer),
    "sale_price": FieldSpec("eur"),
    "sale_price_ratio_leegwaarde": FieldSpec("bp", doc="price / leegwaarde (or WOZ)"),
    "sale_price_ratio_market": FieldSpec("bp", doc="price / market value"),
    "sale_vacant": FieldSpec("bool"),
    "sale_complex": _enum(SaleComplex),
    "sale_vov": FieldSpec("bool"),
    "buyer_income": FieldSpec("eur"),
    "verbinding_counterparty": _enum(Counterparty),
    "verbinding_after_formation": FieldSpec("bool"),
    "committed_before_2015_07_01": FieldSpec("bool", doc="written commitment before the reform (HzW II)"),
    "corporation_regime": _enum(SeparationRegime),
    "statutes_require_rvt_for_maintenance": FieldSpec("bool", doc="statutes extend RvT approval to maintenance"),
    "nd_rent_return": FieldSpec("bp", doc="first-year rent (12 x rent x units) / investment cost (RTIV 20 lid 1 a)"),
    "nd_sale_return": FieldSpec("bp", doc="expected sale proceeds / investment cost (RTIV 20 lid 1 b)"),
    "wws_max_rent": FieldSpec("eur", doc="maximum rent for the dwelling's own WWS points (huurprijstabel)"),
    "rent_to_wws_max_rent": FieldSpec("bp", doc="kale huur / maximum rent for the dwelling's WWS points, rounded up"),
    "own_max_rent_low": FieldSpec("eur", doc="maximum rent for the WWS points raised by the BHW 8a surcharges the "
                                  "case states to apply"),
    "own_max_rent_high": FieldSpec("eur", doc="maximum rent for the WWS points raised by every BHW 8a surcharge the "
                                   "case does not state not to apply"),
    "rent_above_own_max_rent": FieldSpec("bool", doc="rent above the dwelling's own maximum; unknown when the "
                                         "surcharges not stated decide it"),
    "corp_non_daeb_icr": FieldSpec("bp", doc="ICR of the corporation's non-DAEB branch"),
    "corp_non_daeb_debt_woz": FieldSpec("bp", doc="non-DAEB debt / WOZ value of non-DAEB real estate"),
}

# Where a component fact comes from in the case file, for messages about missing facts: people
# fill in case fields, not the engine's fact names (issue #15 item 7). Derived facts name their inputs.
CASE_FIELD: dict[str, str] = {
    "units": "units", "floor_area_m2": "floor_area_m2", "cost": "cost", "financing": "financing",
    "municipality": "location.municipality", "area_has_corporation_homes": "location.area_has_corporation_homes",
    "wijk_function": "location.wijk_function", "adjacent_to_own_property": "location.adjacent_to_own_property",
    "in_regio": "corporation.woningmarktregio / location.municipality", "regio_designated": "corporation.woningmarktregio",
    "land_built": "land.built", "land_acquired_before_2015": "land.acquired_on", "herstructurering": "herstructurering",
    "land_contributes_to_daeb": "land.contributes_to_daeb", "land_demolition_site": "land.demolition_site",
    "self_contained": "dwelling.self_contained", "tenure": "dwelling.tenure", "rent": "dwelling.rent",
    "wws_points": "dwelling.wws_points", "mv_code": "mv.vera_code", "mv_tenant_type": "mv.tenant_type",
    "mv_third_party_share": "mv.third_party_floor_m2 / floor_area_m2", "mv_owned_on_2015_07_01": "mv.owned_on_2015_07_01",
    "mv_rent_ratio": "mv.annual_rent / mv.build_cost", "mv_minister_approval": "mv.minister_approval",
    "mv_inside_woonzorggebouw": "mv.inside_woonzorggebouw", "mv_integrated_with_housing": "mv.integrated_with_housing",
    "bog_for_sale": "bog.for_sale", "parking_use": "parking.use", "parking_for_daeb": "parking.for_daeb_dwellings",
    "lfb_category": "leefbaarheid.category", "lfb_amount": "leefbaarheid.annual_amount",
    "lfb_near_own": "leefbaarheid.near_own_property_or_tenants", "lfb_for_daeb": "leefbaarheid.for_daeb_dwellings",
    "service_kind": "service.kind", "service_for_residents": "service.for_residents",
    "service_for_daeb": "service.for_daeb_dwellings", "service_money_form": "service.money_form",
    "markttoets_exemption": "buyback_obligation or acquired_from_ti (with floor_area_m2)",
    "redevelop_within_5_years": "redevelop_within_5_years",
    "daeb_buyback": "buyback_obligation (with dwelling.tenure sale)", "sale_buyer": "sale.buyer", "sale_price": "sale.price",
    "sale_price_ratio_leegwaarde": "sale.price / sale.leegwaarde", "sale_price_ratio_market": "sale.price / sale.market_value",
    "sale_vacant": "sale.vacant", "sale_complex": "sale.complex", "sale_vov": "sale.vov_clauses",
    "buyer_income": "sale.buyer_income", "verbinding_counterparty": "verbinding.counterparty",
    "verbinding_after_formation": "verbinding.after_formation", "committed_before_2015_07_01": "committed_on",
    "corporation_regime": "corporation.separation_regime",
    "nd_rent_return": "dwelling.rent (or bog.annual_rent) and cost", "nd_sale_return": "sale.price and cost",
    "wws_max_rent": "dwelling.wws_points", "rent_to_wws_max_rent": "dwelling.rent and dwelling.wws_points",
    "own_max_rent_low": "dwelling.wws_points and dwelling.rent_surcharges",
    "own_max_rent_high": "dwelling.wws_points and dwelling.rent_surcharges",
    "rent_above_own_max_rent": "dwelling.rent_surcharges (the surcharges not stated)",
    "corp_non_daeb_icr": "corporation.non_daeb_icr", "corp_non_daeb_debt_woz": "corporation.non_daeb_debt_woz_share",
    "project_cost": "cost (of the project's components)", "project_floor_area_m2": "floor_area_m2",
}


def case_field(fact: str) -> str:
    """The case-file field a missing fact is read from (the fact name when it has no single field)."""
    return CASE_FIELD.get(fact, fact)


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
    "pt_elderly_assets_count": FieldSpec("int", doc="from 2022: eligible AOW-age lettings with assets above the "
                                                     "vermogensgrens, left out of the passend-toewijzen count"),
}

SCHEMAS: dict[str, Mapping[str, FieldSpec]] = {
    "component": COMPONENT_FIELDS, "project": PROJECT_FIELDS, "plan": PLAN_FIELDS,
}

# facts that only select which kind of component a rule is about: a rule failing on one of them is
# simply not about this fact (left out of the why-not list, not a non-firing test in rule coverage)
SELECTOR_FACTS = frozenset({"object", "activity", "kind", "tenure", "self_contained", "is_bog_space", "parking_use",
                            "lfb_category", "mv_code", "sale_buyer", "service_kind", "verbinding_counterparty"})


class Fact(dict):
    """A fact (field name -> engine value) that also records, per derived field, which declaration
    produced it (`derived_by`) and the parameters that declaration read (`reads`); a field the
    declaration could not produce is absent but still has its reads (the figure that was unknown)."""

    __slots__ = ("reads", "derived_by")

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.reads: dict[str, tuple[str, ...]] = {}
        self.derived_by: dict[str, str] = {}


def _put(fact: dict, name: str, value) -> None:
    if value is not None:
        fact[name] = value


def _derive(fact: Fact, scope: str, selection, call, only: str | None = None) -> None:
    """Apply the declarations of `scope` in force on the selection's date, in declared order (with
    `only`: just those that produce that fact)."""
    values, day = selection.values, selection.date
    reads_of, derived_by = fact.reads, fact.derived_by
    for d, fn, allowed, produces in _declarations(selection, scope):
        if only is not None and only not in produces:
            continue
        owner = d.id
        env = TracedEnv(values, allowed, owner, d.dates, d.constants, day)
        produced = call(fn, env)
        if not produces.issuperset(produced):
            raise EngineError(f"derivation {owner} produced {sorted(set(produced) - produces)}, which its "
                              "declaration does not list")
        reads = tuple(env.read)
        for name in d.produces:
            reads_of[name] = reads
            derived_by[name] = owner
        for name, value in produced.items():
            if value is not None:
                fact[name] = value


def _declarations(selection, scope: str) -> list[tuple]:
    """The scope's declarations in force, with their function and the sets checked on every call,
    once per selection."""
    key = ("derivations", scope)
    found = selection.memo.get(key)
    if found is None:
        found = selection.memo[key] = [(d, FUNCTIONS[d.function], frozenset(d.reads), frozenset(d.produces))
                                       for d in selection.derivations if d.scope == scope]
    return found


def component_fact(case: Case, c: Component, agreements: set[str], projects: dict[str, dict], selection) -> Fact:
    f = _component_base(case, c)
    ctx = {"agreements": agreements, "projects": projects}
    _derive(f, "component", selection, lambda fn, env: fn(case, c, env, ctx))
    return f


def component_value(case: Case, c: Component, agreements: set[str], projects: dict[str, dict], selection,
                    name: str, stated: bool = True):
    """component_fact(...).get(name), deriving only what produces `name`: a derivation reads the
    case and the component, never another derived fact, so the others cannot change it (what the
    remediation stage's numeric search asks for each value it tries). `stated=False`: the caller
    knows `name` is not among stated_facts(case, c), so those are not built."""
    f = _component_base(case, c) if stated else Fact()
    ctx = {"agreements": agreements, "projects": projects}
    _derive(f, "component", selection, lambda fn, env: fn(case, c, env, ctx), only=name)
    return f.get(name)


def derived_value(selection, name: str):
    """A function (case, c, agreements, projects) -> component_value(case, c, agreements, projects,
    selection, name, stated=False), made once per selection and name: only the declarations producing
    `name` run, in declared order (a later one's value wins, as in _derive), and no fact, reads or
    derived-by are built around the value (the numeric search asks it for every value it tries)."""
    key = ("derived value", name)
    found = selection.memo.get(key)
    if found is not None:
        return found
    declared = [(d, fn, allowed, produces) for d, fn, allowed, produces in _declarations(selection, "component")
                if name in produces]
    values, day = selection.values, selection.date

    def value(case: Case, c: Component, agreements: set[str], projects: dict[str, dict]):
        ctx = {"agreements": agreements, "projects": projects}
        out = None
        for d, fn, allowed, produces in declared:
            produced = fn(case, c, TracedEnv(values, allowed, d.id, d.dates, d.constants, day), ctx)
            if not produces.issuperset(produced):
                raise EngineError(f"derivation {d.id} produced {sorted(set(produced) - produces)}, which its "
                                  "declaration does not list")
            got = produced.get(name)
            if got is not None:
                out = got
        return out

    selection.memo[key] = value
    return value


def component_fact_after(case: Case, c: Component, agreements: set[str], projects: dict[str, dict], selection,
                         before: Mapping, changed: tuple[tuple[str, ...], ...]) -> dict:
    """The values of component_fact(...) for a component that differs from the one `before` is the fact
    of only in the fields at the `changed` paths: the derivations those fields feed
    (fieldinputs.component_inputs, read from their bodies) run again, the others keep their values.
    Only the values: no reads, no derived-by (what the remediation stage's trials test)."""
    from .fieldinputs import component_inputs, feeds

    f = _component_base(case, c)
    ctx = {"agreements": agreements, "projects": projects}
    declared = _declarations(selection, "component")
    key = ("fed by", changed)
    fed = selection.memo.get(key)
    if fed is None:
        fed = selection.memo[key] = [any(feeds(component_inputs(d.function), path) for path in changed)
                                     for d, *_ in declared]
    for (d, fn, allowed, produces), again in zip(declared, fed):
        # a name already set (stated, or by an earlier declaration) is kept where this one produces
        # nothing: only running it again tells
        if again or not f.keys().isdisjoint(produces):
            produced = fn(case, c, TracedEnv(selection.values, allowed, d.id, d.dates, d.constants, selection.date),
                          ctx)
            if not produces.issuperset(produced):
                raise EngineError(f"derivation {d.id} produced {sorted(set(produced) - produces)}, which its "
                                  "declaration does not list")
            for name, value in produced.items():
                _put(f, name, value)
        else:
            for name in d.produces:
                if name in before:
                    f[name] = before[name]
    return f


def stated_facts(case: Case, c: Component) -> Fact:
    """The component's facts as the case file states them, before any derivation."""
    return _component_base(case, c)


def _component_base(case: Case, c: Component) -> Fact:
    """The component's fact before derivation: what the case file states."""
    corp = case.corporation
    f = Fact({"id": f"component:{c.id}", "kind": "component", "activity": c.activity, "object": c.object})
    _put(f, "units", c.units)
    _put(f, "floor_area_m2", c.floor_area_m2)
    _put(f, "cost", c.cost)
    _put(f, "financing", c.financing)
    loc = c.location
    f["municipality"] = loc.municipality
    f["corporation_categorical"] = corp.categorical
    _put(f, "area_has_corporation_homes", loc.area_has_corporation_homes)
    _put(f, "wijk_function", loc.wijk_function)
    _put(f, "adjacent_to_own_property", loc.adjacent_to_own_property)
    if c.land is not None:
        _put(f, "land_built", c.land.built)
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
        _put(f, "mv_owned_on_2015_07_01", m.owned_on_2015_07_01)
        _put(f, "mv_minister_approval", m.minister_approval)
        _put(f, "mv_inside_woonzorggebouw", m.inside_woonzorggebouw)
        _put(f, "mv_integrated_with_housing", m.integrated_with_housing)
    f["bog_own_office"] = c.bog.own_office if c.bog is not None else False
    f["bog_existing"] = c.bog.existing if c.bog is not None else False
    if c.bog is not None:
        f["bog_for_sale"] = c.bog.for_sale
    if c.parking is not None:
        f["parking_use"] = c.parking.use
        _put(f, "parking_for_daeb", c.parking.for_daeb_dwellings)
    if c.leefbaarheid is not None:
        f["lfb_category"] = c.leefbaarheid.category
        f["lfb_amount"] = c.leefbaarheid.annual_amount
        _put(f, "lfb_near_own", c.leefbaarheid.near_own_property_or_tenants)
        _put(f, "lfb_for_daeb", c.leefbaarheid.for_daeb_dwellings)
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
        f["sale_vacant"] = s.vacant
        _put(f, "sale_complex", s.complex)
        f["sale_vov"] = s.vov_clauses
        _put(f, "buyer_income", s.buyer_income)
    if c.verbinding is not None:
        f["verbinding_counterparty"] = c.verbinding.counterparty
        f["verbinding_after_formation"] = c.verbinding.after_formation
    _put(f, "corporation_regime", corp.separation_regime)
    f["statutes_require_rvt_for_maintenance"] = corp.statutes_require_rvt_for_maintenance
    _put(f, "corp_non_daeb_icr", corp.non_daeb_icr)
    _put(f, "corp_non_daeb_debt_woz", corp.non_daeb_debt_woz_share)
    return f


def plan_fact(case: Case, selection) -> Fact:
    corp = case.corporation
    f = Fact({"id": "plan", "kind": "plan", "daeb_rental_homes": corp.daeb_rental_homes})
    _put(f, "non_daeb_investment_share", corp.non_daeb_investment_share)
    f["wants_verlicht_regime"] = corp.wants_verlicht_regime
    _put(f, "corporation_regime", corp.separation_regime)
    _derive(f, "plan", selection, lambda fn, env: fn(case, env))
    return f


def project_facts(case: Case, projects: dict[str, dict], selection) -> list[Fact]:
    out = []
    for pid in sorted(projects):
        pf = Fact({"id": f"project:{pid}", "kind": "project"})
        _derive(pf, "project", selection, lambda fn, env, _pid=pid: fn(case, _pid, projects[_pid], env))
        out.append(pf)
    return out


def build_facts(case: Case, selection) -> tuple[list[Fact], list[Fact], Fact]:
    """(component facts in case order, project facts sorted by id, plan fact) on the selection's date."""
    agreements = {cid for a in case.performance_agreements for cid in a.covers}
    projects = project_aggregates(case)
    components = [component_fact(case, c, agreements, projects, selection) for c in case.components]
    return components, project_facts(case, projects, selection), plan_fact(case, selection)
