"""The case form, generated from the case JSON Schema (`woningwet schema case`).

Every scalar field of the case, the corporation and each component becomes an input named by its
dotted path (`components.3.dwelling.rent`), so that a validation problem's field path names the
input it belongs to. Enumerations become choices with the sector's words (labels in the catalogue's `web` section),
the VERA code becomes a choice from the rulebook's code lists, optional sub-blocks (dwelling, mv,
sale, ...) are fieldsets with a "use" switch, lists of plain values are comma-separated.
Lists of records other than the components (sources, lettings, ...) are not in the form: they are
carried along unchanged from the case the form was made from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

PRESENT = "__use"  # suffix of the switch of an optional block
REMOVE = "__remove"  # suffix of a component row's remove switch


@dataclass
class Field:
    name: str  # the key in its parent object
    kind: str  # text | int | money | share | date | bool | enum | list | object
    required: bool
    description: str = ""
    enum: str | None = None  # the $defs name of an enumeration
    choices: tuple[str, ...] = ()
    children: list["Field"] = field(default_factory=list)  # kind == "object"
    optional_bool_default: bool | None = None
    pattern: str | None = None


@lru_cache(maxsize=1)
def _schema() -> dict:
    from ..case import case_json_schema

    return case_json_schema()


def _resolve(node: dict) -> tuple[dict, bool, str | None]:
    """(node without $ref/anyOf-null, nullable, $defs name)."""
    defs = _schema()["$defs"]
    nullable = False
    if "anyOf" in node:
        options = [o for o in node["anyOf"] if o.get("type") != "null"]
        nullable = len(options) < len(node["anyOf"])
        node = {**options[0], **{k: v for k, v in node.items() if k not in ("anyOf",)}}
    name = None
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        node = {**defs[name], **{k: v for k, v in node.items() if k != "$ref"}}
    return node, nullable, name


def _field(key: str, node: dict, required: bool) -> Field | None:
    node, nullable, defname = _resolve(node)
    desc = node.get("description", "")
    if "enum" in node:
        return Field(key, "enum", required, desc, enum=defname, choices=tuple(node["enum"]))
    kind = node.get("type")
    if kind == "object" and "properties" in node:
        req = set(node.get("required", []))
        children = [f for k, v in node["properties"].items() if (f := _field(k, v, k in req)) is not None]
        return Field(key, "object", required and not nullable, desc, children=children)
    if kind == "array":
        items, _, _ = _resolve(node.get("items", {}))
        if items.get("type") in ("string", "integer") and "properties" not in items:
            return Field(key, "list", required, desc, pattern=items.get("pattern"))
        return None  # lists of records: not in the form
    if kind == "boolean":
        return Field(key, "bool", required, desc, optional_bool_default=node.get("default"))
    if kind == "integer":
        return Field(key, "int", required, desc)
    if kind == ["number", "string"]:
        return Field(key, "money" if "pattern" in node else "share", required, desc)
    if kind == "string" and node.get("format") == "date":
        return Field(key, "date", required, desc)
    if kind == "string":
        return Field(key, "text", required, desc, pattern=node.get("pattern"))
    return None


@lru_cache(maxsize=1)
def layout() -> dict[str, list[Field]]:
    """The form's sections: case fields, corporation fields, the fields of one component row."""
    schema = _schema()
    defs = schema["$defs"]
    req = set(schema.get("required", []))
    case = [f for k, v in schema["properties"].items()
            if k not in ("corporation", "components") and (f := _field(k, v, k in req)) is not None]
    corp = _field("corporation", {"$ref": "#/$defs/Corporation"}, True).children
    comp = _field("component", {"$ref": "#/$defs/Component"}, True).children
    assert defs["Component"]
    return {"case": case, "corporation": corp, "component": comp}


def unmanaged(data: dict) -> list[str]:
    """Keys of the case (and its corporation) that hold records the form does not show."""
    lay = layout()
    shown = {f.name for f in lay["case"]} | {"corporation", "components"}
    out = [k for k in data if k not in shown and data.get(k)]
    corp = data.get("corporation") if isinstance(data.get("corporation"), dict) else {}
    cshown = {f.name for f in lay["corporation"]}
    out += [k for k in corp if k not in cshown and corp.get(k)]
    return out


# ------------------------------------------------------------------------------------------------
# case data -> input values


def display(value: Any, f: Field) -> str:
    if value is None:
        return ""
    if f.kind == "bool":
        return "true" if value else "false"
    if f.kind == "list":
        return ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value)


# ------------------------------------------------------------------------------------------------
# form fields -> case data


def _convert(raw: str, f: Field) -> Any:
    """A typed value for YAML, or the text itself when it is not one (validation then names it)."""
    text = raw.strip()
    if f.kind == "bool":
        return {"true": True, "false": False}.get(text, text)
    if f.kind == "int":
        try:
            return int(text)
        except ValueError:
            return text
    if f.kind in ("money", "share"):
        try:
            float(text.replace(",", "."))
            return text.replace(",", ".")
        except ValueError:
            return text
    if f.kind == "list":
        return [p.strip() for p in text.split(",") if p.strip()]
    return text


def _collect(fields: list[Field], prefix: str, form, base: dict) -> dict:
    out: dict[str, Any] = {}
    names = {f.name for f in fields}
    for key, value in base.items():  # what the form does not show stays as it was
        if key not in names:
            out[key] = value
    for f in fields:
        name = f"{prefix}{f.name}"
        if f.kind == "object":
            sub_base = base.get(f.name) if isinstance(base.get(f.name), dict) else {}
            if not f.required and form.get(name + "." + PRESENT) is None:
                continue
            out[f.name] = _collect(f.children, name + ".", form, sub_base)
            continue
        raw = form.get(name)
        if raw is None or raw.strip() == "":
            continue
        out[f.name] = _convert(raw, f)
    return out


def component_rows(form) -> list[str]:
    """The row indexes the form posted, in order."""
    return [r for r in form.getlist("rows") if r.isdigit()]


def from_form(form, base: dict) -> dict:
    """The case data the form describes, on top of `base` (the case the form was made from)."""
    lay = layout()
    data = _collect(lay["case"], "", form, {k: v for k, v in base.items() if k not in ("corporation", "components")})
    corp_base = base.get("corporation") if isinstance(base.get("corporation"), dict) else {}
    data["corporation"] = _collect(lay["corporation"], "corporation.", form, corp_base)
    old = base.get("components") if isinstance(base.get("components"), list) else []
    comps = []
    for row in component_rows(form):
        if form.get(f"components.{row}.{REMOVE}") is not None:
            continue
        i = int(row)
        row_base = old[i] if i < len(old) and isinstance(old[i], dict) else {}
        comps.append(_collect(lay["component"], f"components.{row}.", form, row_base))
    data["components"] = comps
    order = list(base) + [k for k in data if k not in base]  # keep the case's own key order
    return {k: data[k] for k in order if k in data}


def new_component(n: int) -> dict:
    return {"id": f"C{n}", "title": "", "activity": "build", "object": "dwelling",
            "location": {"municipality": ""}, "dwelling": {}}


def to_yaml(data: dict) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=110, default_flow_style=False)
