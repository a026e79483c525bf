"""The start-up caches (diskcache.py): data tables and compiled memo templates read back give exactly
what parsing and compiling give, and only private files are trusted."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

from woningwet_engine import diskcache

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
