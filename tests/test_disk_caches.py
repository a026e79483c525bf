"""The start-up caches (diskcache.py): data tables, compiled memo templates and the command line's
parsed case files (yamlio.load_yaml_bytes_cached) read back give exactly what parsing and compiling
give, and only private files are trusted. A kept parse has the same data, value types and field
lines; problems found after parsing keep their lines; a file that does not parse is never kept."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from woningwet_engine import diskcache, yamlio

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WONINGWET_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("WONINGWET_NO_CACHE", raising=False)
    return tmp_path / "cache"


def _no_parsing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("parsed although a cached copy exists")

    monkeypatch.setattr(yaml, "load", refuse)


@pytest.mark.parametrize("table", ["i18n/nl.yaml", "i18n/en.yaml"])
def test_a_cached_table_equals_the_parsed_file(cache, monkeypatch, table):
    path = ROOT / "woningwet_engine" / table
    loader = yaml.SafeLoader
    expected = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    assert diskcache.yaml_data(path, loader) == expected  # parsed, then stored
    assert len(list(cache.glob("data-*.marshal"))) == 1
    _no_parsing(monkeypatch)
    assert diskcache.yaml_data(path, loader) == expected  # read back


@pytest.mark.parametrize("table", ["i18n/nl.yaml", "i18n/en.yaml"])
def test_the_default_loader_is_pyyamls_safe_loader_and_is_read_back(cache, monkeypatch, table):
    path = ROOT / "woningwet_engine" / table
    expected = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert diskcache.yaml_data(path) == expected
    _no_parsing(monkeypatch)
    assert diskcache.yaml_data(path) == expected


def test_another_pyyaml_misses_the_kept_tables_and_parses(cache, monkeypatch, tmp_path):
    assert diskcache.pyyaml_identity() == Path(yaml.__file__).read_bytes()  # carries __version__
    assert f"__version__ = '{yaml.__version__}'".encode() in diskcache.pyyaml_identity()
    path = tmp_path / "t.yaml"
    path.write_text("a: one\n", encoding="utf-8")
    raw = b"a: 1\n"
    assert diskcache.yaml_data(path) == {"a": "one"}
    assert yamlio.load_yaml_bytes_cached(raw, "f.yaml").data == {"a": 1}
    monkeypatch.setattr(diskcache, "_PYYAML", b"__version__ = '99.0'\n")
    parsed = []
    real_load, real_bytes = yaml.load, yamlio.load_yaml_bytes
    monkeypatch.setattr(yaml, "load", lambda *a, **k: parsed.append("table") or real_load(*a, **k))
    monkeypatch.setattr(yamlio, "load_yaml_bytes", lambda *a: parsed.append("case") or real_bytes(*a))
    assert diskcache.yaml_data(path) == {"a": "one"}
    assert yamlio.load_yaml_bytes_cached(raw, "f.yaml").data == {"a": 1}
    assert parsed == ["table", "case"]


def test_an_edited_table_is_parsed_again(cache, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("a: one\n", encoding="utf-8")
    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"a": "one"}
    path.write_text("a: two\n", encoding="utf-8")
    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"a": "two"}


def test_a_table_that_is_not_plain_data_is_parsed_each_time(cache, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("day: 2024-01-01\n", encoding="utf-8")
    import datetime as dt

    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"day": dt.date(2024, 1, 1)}
    assert not list(cache.glob("data-*.marshal"))


def test_cache_files_others_can_write_are_ignored(cache, monkeypatch, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("a: real\n", encoding="utf-8")
    diskcache.yaml_data(path, yaml.SafeLoader)
    (stored,) = cache.glob("data-*.marshal")
    import marshal

    stored.write_bytes(marshal.dumps({"a": "planted"}))
    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"a": "planted"}  # our own file: trusted
    os.chmod(stored, 0o666)
    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"a": "real"}
    os.chmod(stored, 0o600)
    os.chmod(cache, 0o777)
    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"a": "real"}
    os.chmod(cache, 0o700)
    monkeypatch.setenv("WONINGWET_NO_CACHE", "1")
    assert diskcache.yaml_data(path, yaml.SafeLoader) == {"a": "real"}


def test_memos_from_compiled_templates_are_identical(cache, monkeypatch):
    from woningwet_engine.case import load_case
    from woningwet_engine.report import memo_for
    from woningwet_engine.report.render import environment, render_html

    from rulehelpers import rulebook

    memo, _ = memo_for(load_case(CASE), rulebook(), "nl")

    def render() -> str:  # a fresh environment each time, as a new process has
        environment.cache_clear()
        return render_html(memo)

    monkeypatch.setenv("WONINGWET_NO_CACHE", "1")
    off = render()
    assert not list(cache.glob("template-*"))
    monkeypatch.delenv("WONINGWET_NO_CACHE")
    first = render()  # compiles and stores
    (stored,) = cache.glob("template-*.jinja")
    before = stored.stat().st_mtime_ns
    import jinja2

    monkeypatch.setattr(jinja2.Environment, "_parse", lambda *a: pytest.fail("compiled although stored"))
    second = render()  # runs the stored code
    assert stored.stat().st_mtime_ns == before
    assert off == first == second and len(off) > 10_000
    environment.cache_clear()


def test_a_template_file_others_can_write_is_not_run(cache, tmp_path):
    import jinja2

    from woningwet_engine.report.templatecache import CompiledTemplates

    env = jinja2.Environment(loader=jinja2.DictLoader({"t": "real {{ x }}"}), bytecode_cache=CompiledTemplates("t"))
    assert env.get_template("t").render(x=1) == "real 1"
    (stored,) = cache.glob("template-*.jinja")
    planted = jinja2.Environment(loader=jinja2.DictLoader({"t": "planted {{ x }}"}))
    bucket = CompiledTemplates("t").get_bucket(env, "t", None, "real {{ x }}")
    bucket.code = planted.compile("planted {{ x }}", "t")
    stored.write_bytes(bucket.bytecode_to_string())

    def fresh():
        return jinja2.Environment(loader=jinja2.DictLoader({"t": "real {{ x }}"}),
                                  bytecode_cache=CompiledTemplates("t")).get_template("t").render(x=1)

    assert fresh() == "planted 1"  # our own private file is used as it is
    os.chmod(stored, 0o666)
    assert fresh() == "real 1"


# --- the command line's parsed case files -----------------------------------------------------------

CASES = sorted((ROOT / "cases").rglob("*.yaml"))


def _no_case_parsing(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("parsed although a kept parse exists")

    monkeypatch.setattr(yamlio, "load_yaml_bytes", refuse)


def typed(value):
    """The value with the type of every scalar (Decimal and float, date and str must not swap)."""
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    return (type(value).__name__, value)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_a_kept_parse_equals_parsing(cache, monkeypatch, path):
    raw = path.read_bytes()
    parsed = yamlio.load_yaml_bytes(raw, str(path))
    first = yamlio.load_yaml_bytes_cached(raw, str(path))
    assert len(list(cache.glob("parsed-*.pickle"))) == 1
    _no_case_parsing(monkeypatch)
    again = yamlio.load_yaml_bytes_cached(raw, "other-name.yaml")
    for loaded in (first, again):
        assert typed(loaded.data) == typed(parsed.data)
        assert loaded.lines == parsed.lines
    assert again.filename == "other-name.yaml"  # problems name the file given now, not the first one


def test_a_file_that_does_not_parse_is_not_kept(cache):
    raw = b"case_id: x\ncase_id: y\n"  # duplicate key
    for _ in range(2):
        with pytest.raises(yamlio.InputError) as exc:
            yamlio.load_yaml_bytes_cached(raw, "bad.yaml")
        assert exc.value.problems[0].line == 2
    assert not list(cache.glob("parsed-*.pickle"))


def test_an_edited_file_is_parsed_again(cache):
    assert yamlio.load_yaml_bytes_cached(b"a: 1\n", "f.yaml").data == {"a": 1}
    assert yamlio.load_yaml_bytes_cached(b"a: 2\n", "f.yaml").data == {"a": 2}


def test_only_the_most_recent_parses_are_kept(cache, monkeypatch):
    monkeypatch.setattr(yamlio, "CACHED_PARSES", 3)
    for i in range(6):
        yamlio.load_yaml_bytes_cached(f"a: {i}\n".encode(), "f.yaml")
        os.utime(max(cache.glob("parsed-*.pickle"), key=lambda f: f.stat().st_mtime_ns), (i, i))
    assert len(list(cache.glob("parsed-*.pickle"))) == 3


def test_a_kept_file_others_can_write_is_not_read(cache, monkeypatch):
    yamlio.load_yaml_bytes_cached(b"a: 1\n", "f.yaml")
    (kept,) = cache.glob("parsed-*.pickle")
    kept.chmod(0o666)
    calls = []
    real = yamlio.load_yaml_bytes
    monkeypatch.setattr(yamlio, "load_yaml_bytes", lambda *a: calls.append(a) or real(*a))
    assert yamlio.load_yaml_bytes_cached(b"a: 1\n", "f.yaml").data == {"a": 1}
    assert calls  # parsed again, the file not trusted


def test_validation_problems_keep_their_lines_on_a_kept_parse(tmp_path):
    """The CLI twice on a case that parses but does not validate: the same message, line and exit
    code 2 from a fresh parse and from the kept one."""
    case = tmp_path / "case.yaml"
    text = (ROOT / "cases" / "kanaleneiland-2016.yaml").read_text(encoding="utf-8")
    assert "\ndate: " in text
    case.write_text(text.replace("\ndate: ", "\ndate: not-a-date\nunknown_field: 1\nx_date: ", 1), encoding="utf-8")
    env = dict(os.environ, WONINGWET_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("WONINGWET_NO_CACHE", None)
    runs = [subprocess.run([sys.executable, "-m", "woningwet_engine.cli", "check", str(case), "--format", "json"],
                           capture_output=True, text=True, cwd=ROOT, env=env, timeout=300) for _ in range(2)]
    assert list((tmp_path / "cache").glob("parsed-*.pickle"))
    for run in runs:
        assert run.returncode == 2, run.stderr
        assert f"{case}:8 [date]" in run.stderr and f"{case}:9 [unknown_field]" in run.stderr
        assert run.stdout == ""
    assert runs[0].stderr == runs[1].stderr
