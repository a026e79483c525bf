"""The JSON Schema of case files: both formats, one corporation (case.Case) or a coalition
(model.CoalitionCase). `woningwet schema case` prints it."""

from __future__ import annotations


def case_formats_schema() -> dict:
    from pydantic.json_schema import models_json_schema

    from ..case import Case, case_json_schema
    from .model import CoalitionCase

    single = case_json_schema()
    refs, schema = models_json_schema([(Case, "validation"), (CoalitionCase, "validation")], title="Case")
    schema["$schema"] = single["$schema"]
    schema["$id"] = single["$id"]
    schema["description"] = ("A case file: one corporation's plan (Case) or a coalition plan with several "
                             "corporations and partners, optionally in phases (CoalitionCase).")
    schema["anyOf"] = [refs[(Case, "validation")], refs[(CoalitionCase, "validation")]]
    return schema
