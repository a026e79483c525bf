"""Hostile input (issue #17): paths that are not regular files, numbers beyond their bounds, YAML
1.1 forms and tags, bad rules directories. Each run must end with exit 2, one clear message, no
traceback, nothing written, within the CPU and memory budget of tests/clirun.py. Only FIFOs,
sockets, symlinks and files in temporary directories are used, never a device of the machine."""

from __future__ import annotations

import os
import shutil
import socket

import pytest
import yaml

from clirun import ROOT, assert_clean_refusal, problems_in_english, run_cli
from rulehelpers import rule_file
from woningwet_engine.rulebook.loader import DEFAULT_RULES_DIR

CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"


def _no_output(tmp_path, out):
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")], "no temporary left"


# --- case paths that are not regular files ------------------------------------------------------

def _fifo(tmp_path):
    path = tmp_path / "case.yaml"
    os.mkfifo(path)
    return path, "a FIFO"


def _directory(tmp_path):
    path = tmp_path / "case.yaml"
    path.mkdir()
    return path, "a directory"


def _socket(tmp_path):
    path = tmp_path / "s.yaml"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(path))
    sock.close()  # the socket file stays
    return path, "a socket"


def _symlink_to_fifo(tmp_path):
    fifo, _ = _fifo(tmp_path)
    link = tmp_path / "link.yaml"
    link.symlink_to(fifo)
    return link, "a FIFO"


def _broken_symlink(tmp_path):
    link = tmp_path / "gone.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    return link, "broken symbolic link"


def _sparse_huge(tmp_path):  # 9 GB apparent size, no data blocks: must be refused by its size, unread
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        fh.truncate(9 << 30)
    return path, "larger than"


PATHS = {f.__name__.strip("_"): f for f in (_fifo, _directory, _socket, _symlink_to_fifo, _broken_symlink,
                                            _sparse_huge)}


@pytest.mark.parametrize("kind", sorted(PATHS))
def test_case_path_that_is_not_a_regular_file_is_refused_unread(kind, tmp_path):
    path, words = PATHS[kind](tmp_path)
    out = tmp_path / "out" / "result.json"
    out.parent.mkdir()
    run = run_cli(problems_in_english(["check", path, "--format", "json", "-o", out]), timeout=30)
    assert_clean_refusal(run, str(path), words)
    _no_output(tmp_path, out)


def test_empty_case_name_is_refused(tmp_path):
    run = run_cli(problems_in_english(["check", "", "-o", tmp_path / "o.json"]), cwd=tmp_path, timeout=30)
    assert_clean_refusal(run, "not a regular file")
    assert list(tmp_path.iterdir()) == []


# --- rules directories ------------------------------------------------------------------------------

RULE = rule_file("zz-hostile", "DAEB-98", "vijandig", "hostile", explain_nl="NL")


def _rules(tmp_path, **files) -> os.PathLike:
    rules = tmp_path / "rules"
    shutil.copytree(DEFAULT_RULES_DIR, rules)
    for name, text in files.items():
        (rules / name.replace("__", "/")).write_text(text, encoding="utf-8")
    return rules


def _rule(when="object == 'dwelling'", nl="vijandig"):
    return RULE.replace("WHEN", when).replace("NL", nl)


def _param_value(value: str) -> str:
    text = (DEFAULT_RULES_DIR / "parameters" / "liberalisatiegrens.yaml").read_text(encoding="utf-8")
    head, sep, rest = text.partition("value: ")
    return head + sep + value + "\n" + rest.split("\n", 1)[1]


def _cycle() -> str:
    data = yaml.safe_load((DEFAULT_RULES_DIR / "conditions.yaml").read_text(encoding="utf-8"))
    first, second = data["conditions"][0], data["conditions"][1]
    first["depends_on"] = sorted(set(first.get("depends_on", [])) | {second["id"]})
    second["depends_on"] = sorted(set(second.get("depends_on", [])) | {first["id"]})
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


RULE_DIRS = {
    "fifo_named_yaml": (lambda rules: os.mkfifo(rules / "zz.yaml"), "zz.yaml", "a FIFO"),
    "directory_named_yaml": (lambda rules: (rules / "zz.yaml").mkdir(), "zz.yaml", "a directory"),
    "broken_symlink_yaml": (lambda rules: (rules / "zz.yaml").symlink_to(rules / "gone"), "zz.yaml",
                            "broken symbolic link"),
    "too_many_decimals_literal": ({"zz.yaml": _rule("rent <= 710.675")}, "[rules.0.when]", "more than 2 decimals"),
    "huge_literal": ({"zz.yaml": _rule("rent <= 1e999999999")}, "[rules.0.when]", "literal 1e999999999 for fact 'rent': number out of range"),
    "huge_int_literal": ({"zz.yaml": _rule("units <= " + "9" * 30)}, "[rules.0.when]", "out of range"),
    "unknown_template_param": ({"zz.yaml": _rule(nl='"{param.nope}"')}, "[rules.0.then.explain.nl]",
                               "unknown parameter param.nope"),
    "capacity_one_property": ({"zz.yaml": _rule("units in [" + ", ".join(map(str, range(600))) + "]")},
                              "more than 500 tests on one fact property", ""),
    "depends_on_cycle": ({"conditions.yaml": _cycle()}, "conditions.yaml", "cycle"),
    "param_huge_exponent": ({"parameters__liberalisatiegrens.yaml": _param_value("1e999999999")},
                            "liberalisatiegrens.yaml", "out of range"),
    "param_set_tag": ({"parameters__liberalisatiegrens.yaml": _param_value("!!set {a}")},
                      "liberalisatiegrens.yaml", "!!set"),
    "param_sexagesimal": ({"parameters__liberalisatiegrens.yaml": _param_value("1:30")},
                          "liberalisatiegrens.yaml", "not a number"),
}


def _make_rules(tmp_path, name):
    spec, *_ = RULE_DIRS[name]
    if callable(spec):
        rules = _rules(tmp_path)
        spec(rules)
    else:
        rules = _rules(tmp_path, **spec)
    return rules


@pytest.mark.parametrize("name", sorted(RULE_DIRS))
def test_bad_rules_directory_is_refused_by_validate(name, tmp_path):
    rules = _make_rules(tmp_path, name)
    _, where, what = RULE_DIRS[name]
    run = run_cli(["rules", "validate", "--rules", rules], timeout=60, env={"WONINGWET_NO_CACHE": "1"})
    assert_clean_refusal(run, where, what)


@pytest.mark.parametrize("name", ["capacity_one_property", "depends_on_cycle", "unknown_template_param",
                                  "fifo_named_yaml"])
def test_what_validate_refuses_check_refuses_too(name, tmp_path):
    rules = _make_rules(tmp_path, name)
    out = tmp_path / "result.json"
    run = run_cli(problems_in_english(["check", CASE, "--rules", rules, "--format", "json", "-o", out]), timeout=60,
                  env={"WONINGWET_NO_CACHE": "1"})
    assert_clean_refusal(run, RULE_DIRS[name][1])
    _no_output(tmp_path, out)


def test_rules_check_on_a_large_condition_is_refused_quickly(tmp_path):
    rules = _make_rules(tmp_path, "capacity_one_property")
    run = run_cli(["rules", "check", "--rules", rules], timeout=60, env={"WONINGWET_NO_CACHE": "1"})
    assert_clean_refusal(run, "more than 500 tests")
