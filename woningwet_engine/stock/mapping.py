"""A register row as a case component, and the corporation a register is judged for.

This is the only place that says what a unit *is* in the case model: every fact the rules read is
then built by facts.py exactly as for a case file. The stock path calls it once per distinct
combination of the categorical columns (judge.py), explain.py and the tests once per unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ..case import Case, Component, Corporation
from ..errors import InputError
from ..yamlio import load_yaml_file, pydantic_problems
from .columns import KINDS

OWNED_CUTOFF = dt.date(2015, 7, 1)  # BTIV 49 lid 1 b: owned on the day the BTIV took effect
OWN_OFFICE_DETAIL = "KTI"  # VERA MOG detail 'kantoor van de toegelaten instelling': the corporation's office
NON_SELF_CONTAINED_DETAIL = "KAM"  # VERA WOO detail 'kamer (onzelfstandig)'

# The columns the mapping reads besides the numeric ones; all are low-cardinality codes and flags.
CATEGORICAL = ("unit_kind", "unit_detail", "self_contained", "tenure", "planned_activity", "parking_use",
               "parking_for_daeb", "owned_on_2015_07_01", "mv_tenant_type", "area_has_corporation_homes",
               "wijk_function")
NUMERIC = ("rent", "wws_points", "floor_area_m2")  # cents, points, m2
# The numbers unit_component puts into the component of each kind of object: the others do not reach
# its facts, so units that differ only in them are the same component (judge.py plans them once).
NUMBERS_READ = {"dwelling": NUMERIC, "mv": ("floor_area_m2",), "bog": ("floor_area_m2",),
                "parking": ("floor_area_m2",)}


def _euros(cents: int | None) -> str | None:
    return None if cents is None else f"{Decimal(cents) / 100:.2f}"


def owned_class(owned_since: dt.date | None) -> bool | None:
    return None if owned_since is None else owned_since <= OWNED_CUTOFF


def component_inputs(u: dict) -> dict:
    """Exactly the register values the component of a unit depends on (the others are ignored), with the
    defaults applied; two units with equal inputs are the same component."""
    kind = u["unit_kind"]
    detail = u.get("unit_detail")
    obj = "bog" if kind == "MOG" and detail == OWN_OFFICE_DETAIL else KINDS[kind]
    out = {"object": obj, "activity": u.get("planned_activity") or "let",
           "area_has_corporation_homes": u.get("area_has_corporation_homes"), "wijk_function": u.get("wijk_function")}
    if obj == "dwelling":
        sc = u.get("self_contained")
        out["self_contained"] = (detail != NON_SELF_CONTAINED_DETAIL) if sc is None else sc
        out["tenure"] = u.get("tenure") or "rent"
    elif obj == "mv":
        out.update(detail=detail, tenant_type=u.get("mv_tenant_type"), owned=u.get("owned_on_2015_07_01"))
    elif obj == "bog":
        out.update(kind=kind, detail=detail, own_office=kind == "MOG")
    else:
        out.update(use=u["parking_use"], for_daeb=u.get("parking_for_daeb"))
    return out


def unit_component(u: dict, municipality: str, cid: str = "unit") -> Component:
    """The component a unit row stands for. `u` holds typed values (see CATEGORICAL and NUMERIC;
    `owned_on_2015_07_01` is owned_class(owned_since))."""
    i = component_inputs(u)
    obj = i["object"]
    data: dict = {
        "id": cid, "title": cid, "activity": i["activity"], "object": obj, "units": 1,
        "location": {"municipality": municipality, "area_has_corporation_homes": i["area_has_corporation_homes"],
                     "wijk_function": i["wijk_function"]},
    }
    if u.get("floor_area_m2") is not None:
        data["floor_area_m2"] = u["floor_area_m2"]
    if obj == "dwelling":
        data["dwelling"] = {"self_contained": i["self_contained"], "tenure": i["tenure"],
                            "rent": _euros(u.get("rent")), "wws_points": u.get("wws_points")}
    elif obj == "mv":
        data["mv"] = {"vera_code": i["detail"], "function": f"VERA MOG {i['detail'] or '-'}",
                      "tenant_type": i["tenant_type"], "owned_on_2015_07_01": i["owned"]}
    elif obj == "bog":
        data["bog"] = {"use": f"VERA {i['kind']} {i['detail'] or '-'}", "own_office": i["own_office"],
                       "existing": True}
    else:
        data["parking"] = {"use": i["use"], "places": 1, "for_daeb_dwellings": i["for_daeb"]}
    return Component.model_validate(data)


def default_corporation(municipalities: list[str]) -> Corporation:
    """Without --corporation: the register's own municipalities are taken as the working area (the most
    frequent one as home); the summary says so under its assumptions."""
    return Corporation.model_validate({
        "name": "(register)", "home_municipality": municipalities[0], "municipalities": sorted(set(municipalities)),
        "daeb_rental_homes": 0})


def load_corporation(path: Path) -> Corporation:
    """The `corporation:` block of a case file, or a file holding just that block."""
    loaded = load_yaml_file(path)
    data = loaded.data
    if isinstance(data, dict) and "corporation" in data:
        data = data["corporation"]
    if not isinstance(data, dict):
        raise InputError.of(str(path), "", "stock.corporation_mapping")
    from pydantic import ValidationError

    try:
        return Corporation.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_problems(exc, loaded, Corporation)) from None


def one_unit_case(component: Component, corporation: Corporation, day: dt.date, case_id: str = "stock-unit") -> Case:
    """The one-component case whose judgement a stock row must equal."""
    return Case.model_validate({
        "case_id": case_id, "title": case_id, "date": day, "corporation": corporation.model_dump(mode="json"),
        "components": [component.model_dump(mode="json")]})
