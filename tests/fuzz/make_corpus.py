"""Writes the hostile-input corpus tests/fuzz/corpus/*.yaml (run once; the output is committed).

Every file starts with a line `# expect: error <field>` (exit 2; the error names the file and,
when given, that field path), `# expect: error` (exit 2, whole-document problem) or
`# expect: result` (a normal judgement, exit 0 or 1). Usage: python tests/fuzz/make_corpus.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent / "corpus"

CORP = """corporation:
  name: Fuzz Woonstichting
  home_municipality: GM0344
  municipalities: [GM0344]
  daeb_rental_homes: 1000
"""
COMP = """  - id: C1
    title: nieuwbouw
    activity: build
    object: dwelling
    units: 10
    cost: 1000000
    location: {{municipality: GM0344, area_has_corporation_homes: true}}
    land: {{built: true}}
    dwelling: {{tenure: rent, rent: {rent}}}
"""


def case(date="2016-06-01", comps=None, head="case_id: fuzz\ntitle: fuzz\n", corp=CORP, rent="650.00", extra=""):
    comps = comps if comps is not None else COMP.format(rent=rent)
    return f"{head}date: {date}\n{corp}components:\n{comps}{extra}"


def write(name: str, expect: str, body: str | bytes) -> None:
    path = HERE / f"{name}.yaml"
    head = f"# expect: {expect}\n".encode()
    path.write_bytes(head + (body if isinstance(body, bytes) else body.encode("utf-8")))


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for old in HERE.glob("*.yaml"):
        old.unlink()
    write("valid_minimal", "result", case())
    write("invalid_yaml", "error", "case_id: [unclosed\ntitle: x\n")
    write("tab_indentation", "error", "case_id: x\n\ttitle: y\n")
    laughs = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi"))
    write("billion_laughs", "error", laughs + case())
    write("alias_in_case", "error", case().replace("units: 10", "units: &u 10\n    floor_area_m2: *u"))
    write("python_object_tag", "error", "case_id: !!python/object/apply:os.system ['echo pwned']\n" + case(head="title: x\n"))
    write("python_name_tag", "error", "case_id: !!python/name:os.system\ntitle: x\n")
    write("unknown_local_tag", "error", case(head="case_id: !fuzz x\ntitle: t\n"))
    write("wrong_types", "error components.0.units", case().replace("units: 10", "units: ten"))
    write("bool_as_number", "error components.0.units", case().replace("units: 10", "units: true"))
    write("date_as_number", "error date", case(date="20160601"))
    write("missing_corporation", "error corporation", case(corp=""))
    write("missing_component_fields", "error components.0.activity", case().replace("    activity: build\n", ""))
    write("unknown_field", "error components.0.surprise", case().replace("units: 10", "units: 10\n    surprise: 1"))
    write("unknown_top_field", "error projectz", case(extra="projectz: []\n"))
    write("negative_units", "error components.0.units", case().replace("units: 10", "units: -5"))
    write("negative_rent", "error components.0.dwelling.rent", case(rent="-1.00"))
    write("huge_cost", "error components.0.cost", case().replace("cost: 1000000", "cost: 1e30"))
    write("huge_int_units", "error components.0.units", case().replace("units: 10", "units: " + "9" * 400))
    write("nan_rent", "error components.0.dwelling.rent", case(rent=".nan"))
    write("inf_cost", "error components.0.cost", case().replace("cost: 1000000", "cost: .inf"))
    write("too_many_decimals", "error components.0.dwelling.rent", case(rent="650.123"))
    write("date_year_1900", "error date", case(date="1900-01-01"))
    write("date_impossible", "error", case(date="2016-02-30"))
    write("date_outside_coverage", "error date", case(date="2010-01-01"))
    write("date_far_future", "error date", case(date="9999-12-31"))
    write("unicode_text", "result", case(head="case_id: fuzz-unicode\ntitle: \"Wijk ‮ötßñ 🏠 \\u200b 漢字 \\t\"\n"))
    write("long_title", "error title", case(head="case_id: fuzz\ntitle: " + "x" * 100_000 + "\n"))
    write("long_key", "error", case(extra="k" * 5000 + ": 1\n"))
    write("deep_nesting", "error", case(extra="description: " + "[" * 200 + "]" * 200 + "\n"))
    write("deep_mapping", "error", case(extra="x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(60))
                                         + "  " * 61 + "v: 1\n"))
    write("duplicate_keys", "error", case(head="case_id: a\ncase_id: b\ntitle: t\n"))
    write("duplicate_component_ids", "error", case(comps=COMP.format(rent="600.00") * 2))
    write("empty", "error", "")
    write("only_comment", "error", "# nothing here\n")
    write("top_level_list", "error", "- a\n- b\n")
    write("top_level_scalar", "error", "42\n")
    write("multi_document", "error", case() + "---\ncase_id: second\n")
    write("complex_key", "error", "? [a, b]\n: 1\n" + case())
    write("not_utf8", "error", b"case_id: \xff\xfe\xfa\ntitle: x\n")
    write("null_byte", "error", "case_id: a\x00b\ntitle: x\n")
    write("components_not_a_list", "error components", case(comps="  id: C1\n"))
    # numbers: magnitude, digits, YAML 1.1 forms, shares (issue #17)
    write("huge_exponent_string", "error components.0.cost", case().replace("cost: 1000000", 'cost: "1e999999999"'))
    write("huge_exponent_float", "error components.0.cost", case().replace("cost: 1000000", "cost: 1e999999999"))
    write("tiny_exponent", "error components.0.cost", case().replace("cost: 1000000", "cost: 1e-999999999"))
    write("amount_30_digits", "error components.0.cost",
          case().replace("cost: 1000000", "cost: 123456789012345678901234567890.5"))
    write("amount_too_precise", "error components.0.dwelling.rent", case(rent="650.0000000000000000000000001"))
    write("share_1e30", "error corporation.non_daeb_investment_share",
          case(corp=CORP + "  non_daeb_investment_share: 1e30\n"))
    write("share_above_one", "error corporation.non_daeb_investment_share",
          case(corp=CORP + "  non_daeb_investment_share: 10.0\n"))
    write("share_negative", "error components.0.public_space_share",
          case().replace("units: 10", "units: 10\n    public_space_share: -0.1"))
    write("sexagesimal_units", "error components.0.units", case().replace("units: 10", "units: 1:30"))
    write("underscore_number", "error components.0.units", case().replace("units: 10", "units: 1_000"))
    write("octal_yaml11", "result", case().replace("units: 10", "units: 012"))  # YAML 1.2: decimal 12
    # YAML 1.2: the text 'yes', which the boolean field reads as true
    write("yes_as_bool", "result", case().replace("land: {built: true}", "land: {built: yes}"))
    write("set_tag", "error", case(extra="sources: !!set {a, b}\n"))
    write("binary_tag", "error", case(head="case_id: fuzz\ntitle: !!binary aGVsbG8=\n"))
    write("omap_tag", "error", case(extra="sources: !!omap [a: 1]\n"))
    write("str_tag", "error", case(head="case_id: !!str fuzz\ntitle: t\n"))
    many = "".join(
        f"  - {{id: C{i}, title: w{i}, activity: build, object: dwelling, units: 1, cost: {1000 + i},"
        f" location: {{municipality: GM0344, area_has_corporation_homes: true}}, land: {{built: true}},"
        f" dwelling: {{tenure: rent, rent: {500 + i % 400}.00}}}}\n" for i in range(1500))
    write("thousands_of_components", "result", case(comps=many))


if __name__ == "__main__":
    main()
