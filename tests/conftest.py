"""Test-suite plugin: record which tests make each rule fire and not fire (rule coverage).

A `coverage.Recorder` is installed for the whole session; each test's id is set while it runs,
so every judged case is attributed to the test that judged it (a fixture shared by several tests
is attributed to the first test that needed it). At the end of a run of the whole suite
`.rule-coverage.json` is written in the project root (read by `woningwet rules coverage`); a partial
run leaves the last full report in place. tests/test_rule_coverage.py runs last and
fails when a rule has no firing or no non-firing test; it only enforces that on a run of the whole
suite (all test files collected, nothing deselected by -k, -m, --deselect or --lf).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from woningwet_engine import coverage

TESTS_DIR = Path(__file__).resolve().parent
COVERAGE_TEST_FILE = TESTS_DIR / "test_rule_coverage.py"


class CoverageState:
    def __init__(self) -> None:
        self.recorder = coverage.Recorder()
        self.full_run = False
        self.why_partial = "collection did not finish"


def _state(config) -> CoverageState:
    return config.stash[STATE_KEY]


STATE_KEY = pytest.StashKey[CoverageState]()


def pytest_configure(config):
    state = CoverageState()
    config.stash[STATE_KEY] = state
    coverage.install(state.recorder)


def pytest_unconfigure(config):
    coverage.install(None)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    # the coverage check reads what all other tests recorded: it goes last
    last = [i for i in items if Path(str(i.path)) == COVERAGE_TEST_FILE]
    if last:
        items[:] = [i for i in items if Path(str(i.path)) != COVERAGE_TEST_FILE] + last


def pytest_deselected(items):
    if items:
        cfg = items[0].config
        _state(cfg).why_partial = f"{len(items)} test(s) deselected"
        _state(cfg).deselected = True


def pytest_collection_finish(session):
    state = _state(session.config)
    opt = session.config.option
    if getattr(state, "deselected", False):
        return
    for name, label in (("keyword", "-k"), ("markexpr", "-m"), ("lf", "--lf"), ("failedfirst", None),
                        ("deselect", "--deselect")):
        value = getattr(opt, name, None)
        if value and label:
            state.why_partial = f"{label} given"
            return
    collected = {Path(str(i.path)).resolve() for i in session.items}
    expected = {p.resolve() for p in TESTS_DIR.rglob("test_*.py")}
    missing = sorted(str(p.relative_to(TESTS_DIR)) for p in expected - collected)
    if missing:
        state.why_partial = "not collected: " + ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
        return
    state.full_run = True
    state.why_partial = ""


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    recorder = _state(item.config).recorder
    recorder.current = item.nodeid
    try:
        yield
    finally:
        recorder.current = None


def pytest_sessionfinish(session, exitstatus):
    state = _state(session.config)
    recorder = state.recorder
    if not state.full_run or not (recorder.fired or recorder.not_fired):
        return  # a partial run (one file, -k, ...) leaves the last full report in place
    try:
        from woningwet_engine.rulebook import load_rulebook

        book = load_rulebook()
    except Exception:  # a broken rulebook is reported by the tests themselves
        return
    stopped_early = bool(session.config.option.maxfail) and session.testsfailed > 0
    report = coverage.build_report(recorder, book, complete=state.full_run and not stopped_early)
    coverage.write_report(report, Path(str(session.config.rootpath)) / coverage.REPORT_FILE)


@pytest.fixture
def rule_coverage_state(request) -> CoverageState:
    return _state(request.config)
