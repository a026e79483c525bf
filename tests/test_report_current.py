"""reports/ holds the Dutch memos (Markdown and HTML) of every case in cases/, exactly as
`woningwet report-all` writes them today. Regenerate with `bash scripts/run` and review the diff."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from woningwet_engine.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_memos_in_reports_are_current(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)  # memos name their case file relative to the project root
    fresh = tmp_path / "reports"
    r = CliRunner().invoke(main, ["report-all", "--cases", "cases", "-o", str(fresh)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    cases = sorted(p.stem for p in (ROOT / "cases").glob("*.yaml"))
    expected = sorted(f"{c}.nl.{fmt}" for c in cases for fmt in ("md", "html"))
    assert sorted(p.name for p in fresh.iterdir()) == expected
    committed = sorted(p.name for p in (ROOT / "reports").glob("*.nl.*"))
    assert committed == expected, "reports/ memos do not match cases/: run `bash scripts/run`"
    stale = [name for name in expected
             if (ROOT / "reports" / name).read_bytes() != (fresh / name).read_bytes()]
    assert not stale, f"stale memos {stale}: run `bash scripts/run` (or `woningwet report-all`) and review the diff"


def test_report_all_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    runs = []
    for k in (1, 2):
        out = tmp_path / f"run{k}"
        CliRunner().invoke(main, ["report-all", "-o", str(out)], catch_exceptions=False)
        runs.append({p.name: p.read_bytes() for p in out.iterdir()})
    assert runs[0] == runs[1] and runs[0]
