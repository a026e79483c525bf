"""Compliance memos: contents tied to the result, links dated to the law date, Dutch and English
agree, deterministic output, optional result sections, CLI behaviour on bad input."""

from __future__ import annotations

import copy
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import given, settings, strategies as st
from click.testing import CliRunner

from woningwet_engine.case import load_case
from woningwet_engine.cli import main
from woningwet_engine.report import case_meta, memo_for
from woningwet_engine.report.fmt import NOT_RESTING
from woningwet_engine import i18n
from woningwet_engine.report.model import build_memo, compliance_of
from woningwet_engine.report.render import md_escape, render_html, render_md
from woningwet_engine.rulebook import load_rulebook
from woningwet_engine.terms import law_name

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"
SOURCE = "cases/kanaleneiland-2016.yaml"


@pytest.fixture(scope="module")
def book():
    return load_rulebook()


@pytest.fixture(scope="module")
def case():
    return load_case(CASE)


@pytest.fixture(scope="module")
def memos(book, case):
    """(memo, result, md, html) per language for the Kanaleneiland 2016 case."""
    out = {}
    for lang in ("nl", "en"):
        memo, result = memo_for(case, book, lang, source=SOURCE)
        out[lang] = (memo, result, render_md(memo), render_html(memo))
    return out


class TextAndLinks(HTMLParser):
    """Visible text (without <style>) and every href of an HTML document."""

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "title", "desc"):
            self._skip += 1
        for k, v in attrs:
            if k == "href":
                self.hrefs.append(v)

    def handle_endtag(self, tag):
        if tag in ("style", "title", "desc"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.parts).split())


def parse_html(text: str) -> TextAndLinks:
    p = TextAndLinks()
    p.feed(text)
    return p


def md_section(md: str, heading_label: str) -> str:
    """The body of the '## n. <label>' section of a markdown memo."""
    m = re.search(rf"^## \d+\. {re.escape(heading_label)}\n(.*?)(?=^## |\Z)", md, re.S | re.M)
    assert m, f"section {heading_label!r} missing"
    return m.group(1)


def verdict_rows(md: str, lang: str) -> dict[str, list[str]]:
    """Component id -> cells of the verdict table."""
    body = md_section(md, i18n.section(lang, "memo")["sections"]["table"])
    rows = {}
    for line in body.splitlines():
        m = re.match(r"^\| \*\*(\w+)\*\* ", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


def number_of(cell: str) -> int | None:
    """'€ 36.000.000,00' / 'EUR 36,000,000.00' / '600' / '1,020' -> integer (cents for money)."""
    if not cell:
        return None
    money = "€" in cell or "EUR" in cell
    digits = re.sub(r"[^0-9]", "", cell)
    return int(digits) if digits else None if not money else None


# ---------------------------------------------------------------------------------------------


def test_memo_states_title_corporation_dates_regime_and_status(memos, case):
    for lang, (memo, result, md, _) in memos.items():
        t = i18n.section(lang, "memo")
        head = md.split("\n## ")[0]
        assert result["title"] in head
        assert case.corporation.name in head
        assert case.corporation.aw_l_number in head
        assert f"| {t['meta']['case_date']} | {memo['meta']['case_date_text']} |" in head
        assert f"| {t['meta']['law_date']} | {memo['meta']['law_date_text']} |" in head
        # the header names the laws the result cites, each linked to its text as in force on the law date,
        # not the engine's rulebook (that is in the provenance section)
        cited = {r["citation"]["bwb"] for c in result["components"] for r in c["reasons"]}
        assert cited and "Woningwet" in head and result["regime"]["rulebook"] not in head
        for bwb in cited:
            assert f"https://wetten.overheid.nl/{bwb}/{result['date']})" in head
            assert f"[{law_name(bwb, lang)}]" in head
        assert result["regime"]["rulebook"] in md.split(f"## ")[-1]
        status = t["status"]["compliant" if result["summary"]["compliant"] else "not_compliant"]
        assert f"**{status}**" in head


def test_verdict_table_matches_the_result(memos):
    for lang, (memo, result, md, _) in memos.items():
        t = i18n.section(lang, "memo")
        rows = verdict_rows(md, lang)
        assert list(rows) == [c["id"] for c in result["components"]]
        for c in result["components"]:
            cells = rows[c["id"]]
            assert cells[4] == t["verdict"][c["verdict"]]
            # a non-compliant component is marked in bold with what it is (never a bare "no")
            assert cells[5] == (t["word_yes"] if c["compliant"] else
                                f'**{t["compliance"][compliance_of(c)]}**')
            assert cells[6] == t["party"][c["party"]]
            assert number_of(cells[2]) == c.get("units")
            cost = c.get("cost")
            assert number_of(cells[3]) == (None if cost is None else round(float(cost) * 100))
            decisive = [r for r in c["reasons"] if r["effect"] in ("verdict", "violation", "undetermined")]
            for r in decisive:
                assert r["rule"] in cells[7] and r["citation"]["url"] in cells[7]


def test_every_reason_condition_and_check_of_the_result_is_in_the_memo(memos):
    for lang, (memo, result, md, page) in memos.items():
        text = parse_html(page).text
        hrefs = set(parse_html(page).hrefs)
        for c in result["components"]:
            for r in c["reasons"]:
                assert " ".join(r["text"].split()) in text, (c["id"], r["rule"])
                assert r["citation"]["url"] in hrefs
                assert md_escape(r["text"]) in md
            for x in c["conditions"]:
                assert x["title"] in text
            for a in c["assumptions"]:
                assert " ".join(a.split()) in text
        for ch in result["plan"]["checks"]:
            assert " ".join(ch["text"].split()) in text
            assert ch["citation"]["url"] in hrefs


def test_executive_summary_groups_components_by_outcome_and_party(memos):
    memo, result, md, _ = memos["nl"]
    t = i18n.section("nl", "memo")
    body = md_section(md, t["sections"]["summary"])
    groups = {}
    for g in ("as_is", "conditions", "forbidden", "undetermined"):
        part = body.split(f"### {t['summary']['groups'][g]} (")[1].split("\n### ")[0]
        groups[g] = set(re.findall(r"^- \*\*(\w+)\*\*", part, re.M))
    by_id = {c["id"]: c for c in result["components"]}
    assert set().union(*groups.values()) == set(by_id)
    for cid in groups["forbidden"]:
        assert by_id[cid]["verdict"] == "forbidden" or not by_id[cid]["compliant"]
    for cid in groups["as_is"]:
        assert by_id[cid]["compliant"] and not by_id[cid]["conditions"]
        assert by_id[cid]["verdict"] in ("daeb", "non_daeb")
    for cid in groups["conditions"]:
        assert by_id[cid]["conditions"] or by_id[cid]["verdict"] == "needs_decision"
    assert groups["forbidden"], "the Kanaleneiland 2016 plan has forbidden components"
    # the party table adds up to the plan
    party_rows = re.findall(r"^\| ([^|*]+) \| ([A-Z0-9, ]+) \| ([\d.]*) \| ([^|]*) \|$", body, re.M)
    labels = {t["party"][c["party"]] for c in result["components"]}
    assert {r[0] for r in party_rows} == labels
    assert sum(int(r[2].replace(".", "") or 0) for r in party_rows) == sum(c["units"] or 0 for c in result["components"])
    for label, ids, _, _ in party_rows:
        assert {by_id[i]["party"] for i in ids.split(", ")} == {p for p, lab in t["party"].items() if lab == label}


def test_links_go_to_wetten_overheid_with_bwb_article_and_law_date(book, case):
    for at in (None, "2019-03-01"):
        import datetime as dt

        day = dt.date.fromisoformat(at) if at else case.date
        memo, result = memo_for(case, book, "nl", at=day, source=SOURCE)
        page = render_html(memo)
        links = [h for h in parse_html(page).hrefs if not h.startswith("#")]
        law_links = [h for h in links if "wetten.overheid.nl" in h]
        assert law_links
        # the header links each law to its whole text as in force on the law date
        laws = [h for h in law_links if re.fullmatch(r"https://wetten\.overheid\.nl/BWBR\d{7}/\d{4}-\d{2}-\d{2}", h)]
        assert laws and all(h.endswith(f"/{day.isoformat()}") for h in laws)
        # a rule not in force on the law date links to the provision as it read while the rule applied
        own_date = {x["url"] for c in result["components"] for r in c["reasons"] if r["effect"] == "not_in_force"
                    for x in [r["citation"], *r["also_cites"]]}
        for h in law_links:
            if h in laws:
                continue
            assert h.startswith("https://wetten.overheid.nl/jci1.3:c:BWBR")
            assert re.search(r"BWBR\d{7}&(artikel|bijlage)=\w+", h), h
            assert f"&z={day.isoformat()}&g={day.isoformat()}" in h or h in own_date, h
        # the only other links are the sources of figures, as the result gives them
        param_urls = {p["url"] for c in result["components"] for r in c["reasons"] for p in r["inputs"]["params"]}
        param_urls |= {p["url"] for ch in result["plan"]["checks"] for p in ch["inputs"]["params"]}
        assert set(links) - set(law_links) <= param_urls
        md = render_md(memo)
        for h in re.findall(r"\]\((https?://[^)]+)\)", md):
            assert f"&z={day.isoformat()}&g={day.isoformat()}" in h or h in laws or h in own_date


def test_unverified_rules_and_figures_are_marked(memos):
    for lang, (memo, result, md, page) in memos.items():
        t = i18n.section(lang, "memo")
        weak_rules = {r["rule"] for c in result["components"] for r in c["reasons"]
                      if r["confidence"] != "verified" and r["effect"] not in NOT_RESTING}
        weak_rules |= {ch["rule"] for ch in result["plan"]["checks"] if ch["confidence"] != "verified"}
        weak_params = {p["id"] for c in result["components"] for r in c["reasons"] if r["effect"] not in NOT_RESTING
                       for p in r["inputs"]["params"] if p["confidence"] != "verified" or p["value"] is None}
        assert weak_rules and weak_params, "the sample case rests on some unverified rule and figure"
        confidence = {r["rule"]: r["confidence"] for c in result["components"] for r in c["reasons"]}
        confidence.update({ch["rule"]: ch["confidence"] for ch in result["plan"]["checks"]})
        section = md_section(md, t["sections"]["assumptions"])
        for rule in weak_rules:
            line = next(l for l in section.splitlines() if l.startswith(f"- {rule}: "))
            assert t["confidence"][confidence[rule]] in line
        titles = {pid: p.title.__getattribute__(lang) for pid, p in load_rulebook().params.items()}
        for pid in weak_params:  # each figure by its title, not its code
            assert re.search(rf"^- {re.escape(md_escape(titles[pid]))} = ", section, re.M), pid
        # in the reasoning, each weak rule's line carries the warning flag
        for c in result["components"]:
            for r in c["reasons"]:
                if r["confidence"] != "verified":
                    lines = [l for l in md.splitlines() if l.startswith("- *") and f"({r['rule']}): " in l]
                    assert lines and all(f"⚠ {t['confidence'][r['confidence']]}" in l for l in lines)
        assert page.count('class="flag"') >= len(weak_rules) + len(weak_params)


def test_provenance_and_replay_reproduce_the_result(memos, book, case):
    memo, result, md, _ = memos["nl"]
    section = md_section(md, i18n.section("nl", "memo")["sections"]["provenance"])
    for key in ("engine_version", "rulebook_sha256", "case_sha256"):
        assert f"`{result['provenance'][key]}`" in section
    cmd = re.search(r"^(woningwet check .*)$", section, re.M).group(1).split()
    assert cmd[2] == SOURCE
    runner = CliRunner()
    out = runner.invoke(main, cmd[1:], catch_exceptions=False)
    replayed = json.loads(out.output)
    assert replayed["provenance"] == result["provenance"]
    assert replayed["components"] == result["components"]


def test_memos_are_deterministic_and_carry_no_timestamp(book, case):
    import datetime as dt

    first = memo_for(case, book, "nl", source=SOURCE)[0]
    second = memo_for(case, book, "nl", source=SOURCE)[0]
    assert render_md(first) == render_md(second)
    assert render_html(first) == render_html(second)
    today = dt.date.today()
    for text in (render_md(first), render_html(first)):
        assert today.isoformat() not in text or today == case.date
        assert not re.search(r"\d{2}:\d{2}:\d{2}", text)


def test_english_memo_has_the_same_numbers_and_verdicts(memos):
    nl, en = memos["nl"], memos["en"]
    rows_nl, rows_en = verdict_rows(nl[2], "nl"), verdict_rows(en[2], "en")
    assert list(rows_nl) == list(rows_en)
    back_nl = {v: k for k, v in i18n.section("nl", "memo")["verdict"].items()}
    back_en = {v: k for k, v in i18n.section("en", "memo")["verdict"].items()}
    for cid in rows_nl:
        a, b = rows_nl[cid], rows_en[cid]
        assert back_nl[a[4]] == back_en[b[4]]
        assert number_of(a[2]) == number_of(b[2]) and number_of(a[3]) == number_of(b[3])
        assert re.findall(r"[A-Z]+-[\w.]+", a[7]) == re.findall(r"[A-Z]+-[\w.]+", b[7])
    # the summary counts and totals agree too
    for key in ("counts", "parties"):
        assert [(x.get("verdict") or x.get("party"), x["count"], x["units"], x["cost"]) for x in nl[0]["summary"][key]] \
            == [(x.get("verdict") or x.get("party"), x["count"], x["units"], x["cost"]) for x in en[0]["summary"][key]]
    nums = lambda s: sorted(int(re.sub(r"\D", "", x)) for x in re.findall(r"\d[\d.,]*\d|\d", s))  # noqa: E731
    assert nums(md_section(nl[2], i18n.section("nl", "memo")["sections"]["table"])) == \
        nums(md_section(en[2], i18n.section("en", "memo")["sections"]["table"]))


def _keys(d, prefix=""):
    out = set()
    for k, v in d.items():
        out.add(prefix + str(k))
        if isinstance(v, dict):
            out |= _keys(v, f"{prefix}{k}.")
    return out


DUTCH_WORDS = {"de", "het", "een", "van", "voor", "niet", "met", "op", "naar", "wordt", "zijn", "bij", "geen",
               "onderdeel", "onderdelen", "woningen", "gemeente", "partij", "oordeel", "regel", "regels", "ja", "nee",
               "toets", "toetsen", "voorwaarden", "aannames", "bron", "herkomst", "samenvatting", "investering",
               "juni", "januari", "weken", "onbekend", "verboden", "corporatie", "marktpartij", "wie", "soort"}


def _strings_of(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for v in data.values() for s in _strings_of(v)]
    if isinstance(data, list):
        return [s for v in data for s in _strings_of(v)]
    return []


def test_english_is_complete(memos, case):
    nl_t, en_t = i18n.section("nl", "memo"), i18n.section("en", "memo")
    assert _keys(nl_t) == _keys(en_t)
    memo, result, md, page = memos["en"]
    # take away everything that comes from the case and the result (Dutch titles, legal terms of art,
    # sources); what is left is template text and labels, which must be English
    text = parse_html(page).text
    data = _strings_of(result) + _strings_of(yaml.safe_load(CASE.read_text(encoding="utf-8"))) + [case.corporation.name]
    data += list(case_meta(case, load_rulebook(), "", "en")["param_sources"].values())  # sources: data too
    for s in sorted({" ".join(s.split()) for s in data if len(s) > 2}, key=len, reverse=True):
        text = text.replace(s, " ")
    words = {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", text)}
    assert not (words & DUTCH_WORDS), sorted(words & DUTCH_WORDS)
    # and the Dutch memo really is Dutch (the check above can fail)
    nl_words = {w.lower() for w in re.findall(r"[A-Za-zÀ-ÿ]+", parse_html(memos["nl"][3]).text)}
    assert len(nl_words & DUTCH_WORDS) > 10


def test_optional_result_sections_render_when_present_and_are_skipped_when_absent(memos):
    memo, result, md, page = memos["nl"]
    t = i18n.section("nl", "memo")
    bare = copy.deepcopy(result)
    bare.pop("splits", None)
    bare.pop("route", None)
    for c in bare["components"]:
        c.pop("remediation", None)
        c.pop("cost", None)
    bare_memo = build_memo(bare, {"source": SOURCE}, "nl")
    bare_md, bare_html = render_md(bare_memo), render_html(bare_memo)
    for label in (t["sections"]["splits"], t["sections"]["route"]):
        assert f". {label}\n" not in bare_md
        assert f". {label}</h2>" not in bare_html
    assert t["component"]["remediation"] not in bare_md
    # present: a route with dates and a remediation are shown with their numbers and dates
    rich = copy.deepcopy(bare)
    cite = result["components"][0]["reasons"][0]["citation"]
    rich["route"] = [
        {"order": 1, "id": "step-a", "title": "Stap A", "kind": "approval", "actor": "raad van toezicht",
         "legal_basis": [cite], "depends_on": [], "evidence": [], "period_weeks": 4, "period_param": None,
         "earliest_start": "2016-06-01", "earliest_end": "2016-06-29", "components": ["K3"]},
        {"order": 2, "id": "step-b", "title": "Stap B", "kind": "approval", "actor": "minister",
         "legal_basis": [cite], "depends_on": ["step-a"], "evidence": [], "period_weeks": 12, "period_param": None,
         "earliest_start": "2016-06-29", "earliest_end": "2016-09-21", "components": ["K12"]},
    ]
    rich["components"][8]["remediation"] = [{
        "rule": "BOG-01", "kind": "numeric", "text": "Verklein de garage tot 2.000 m2.", "verified": True,
        "changes": [{"component": "K9", "field": "floor_area_m2", "old": 9000, "new": 2000}],
        "condition": None, "party": None, "citation": cite}]
    rich_memo = build_memo(rich, {"source": SOURCE}, "nl")
    rich_md, rich_html = render_md(rich_memo), render_html(rich_memo)
    route = md_section(rich_md, t["sections"]["route"])
    assert "Stap A" in route and "29 juni 2016" in route and "21 september 2016" in route and "12 weken" in route
    assert "Verklein de garage tot 2.000 m2." in rich_md and "9.000 → 2.000" in rich_md
    assert rich_html.count("<svg") == bare_html.count("<svg") + 1  # the route timeline


def test_plan_chart_bars_follow_the_numbers(memos):
    memo, result, md, page = memos["nl"]
    svg = page[page.index("<svg"): page.index("</svg>")]
    t = i18n.section("nl", "memo")
    # one bar segment per (party, verdict) with units, one per (party, verdict) with cost
    segments = re.findall(r'<rect x="(\d+)" y="\d+" width="(\d+)" height="16" fill="[^"]+"><title>([^<]+)</title>', svg)
    expected = sum(1 for p in memo["summary"]["parties"] for v in p["by_verdict"].values() if v["units"]) + \
        sum(1 for p in memo["summary"]["parties"] for v in p["by_verdict"].values() if v["cost"])
    assert len(segments) == expected
    widest = max(int(w) for _, w, _ in segments)
    assert widest <= 400
    for p in memo["summary"]["parties"]:
        assert html.escape(p["label"]) in svg
    for v in {c["verdict"] for c in result["components"]}:
        assert t["verdict"][v] in svg


def test_json_format_holds_the_memo_and_the_result(tmp_path):
    runner = CliRunner()
    out = tmp_path / "memo.json"
    r = runner.invoke(main, ["report", str(CASE), "--format", "json", "--lang", "en", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = json.loads(out.read_text(encoding="utf-8"))
    check = runner.invoke(main, ["check", str(CASE), "--format", "json", "--lang", "en"])
    assert data["result"] == json.loads(check.output)
    assert [c["id"] for c in data["memo"]["table"]] == [c["id"] for c in data["result"]["components"]]
    assert data["memo"]["lang"] == "en"


def test_bad_input_exits_2_and_writes_nothing(tmp_path):
    runner = CliRunner()
    bad_case = tmp_path / "bad.yaml"
    bad_case.write_text(CASE.read_text(encoding="utf-8").replace("date: 2016-06-01", "date: someday"), encoding="utf-8")
    for args in (["report", str(bad_case)], ["report", str(CASE), "--at", "2016-02-30"],
                 ["report", str(CASE), "--at", "2010-01-01"], ["report", str(tmp_path / "missing.yaml")],
                 ["report", str(CASE), "--format", "pdf"]):
        out = tmp_path / "memo.out"
        r = runner.invoke(main, args + (["-o", str(out)] if "pdf" not in args else []))
        assert r.exit_code == 2, (args, r.output)
        assert not out.exists()
        assert not list(tmp_path.glob(".memo.out.*"))
    r = runner.invoke(main, ["report", str(bad_case)])
    assert "bad.yaml" in r.output and "date" in r.output
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "good.yaml").write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    (cases / "bad.yaml").write_text(bad_case.read_text(encoding="utf-8"), encoding="utf-8")
    r = runner.invoke(main, ["report-all", "--cases", str(cases), "-o", str(tmp_path / "reports")])
    assert r.exit_code == 2 and not (tmp_path / "reports").exists()


def test_markdown_escaping_keeps_text_literal():
    assert md_escape("a | b") == r"a \| b"
    assert md_escape("[x](y)") == r"\[x\](y)"
    assert md_escape("investor_legal_person") == "investor_legal_person"
    assert md_escape("_start") == r"\_start"
    assert md_escape("*bold*") == r"\*bold\*"


def test_undetermined_component_is_listed_with_its_open_questions(book, tmp_path):
    text = CASE.read_text(encoding="utf-8")
    old = "dwelling: {self_contained: true, tenure: rent, rent: 550.00}"
    assert text.count(old) == 1
    path = tmp_path / "no-rent.yaml"
    path.write_text(text.replace(old, "dwelling: {self_contained: true, tenure: rent}"), encoding="utf-8")
    memo, result = memo_for(load_case(path), book, "en", source="no-rent.yaml")
    k1 = next(c for c in result["components"] if c["id"] == "K1")
    assert k1["verdict"] == "undetermined"
    md = render_md(memo)
    t = i18n.section("en", "memo")
    part = md.split(f"### {t['summary']['groups']['undetermined']} (")[1].split("\n### ")[0]
    open_ = [c["id"] for c in result["components"] if c["compliant"] is None]  # K1, and K4-K6 (MT-08 open)
    assert "K1" in open_ and part.startswith(f"{len(open_)})") and all(f"- **{cid}** " in part for cid in open_)
    for r in k1["reasons"]:
        if r["effect"] == "undetermined":
            assert md_escape(r["text"]) in part


def test_report_all_writes_every_case_and_prunes_memos_of_removed_cases(tmp_path):
    cases, out = tmp_path / "cases", tmp_path / "reports"
    cases.mkdir()
    out.mkdir()
    (cases / "one.yaml").write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    (out / "gone.nl.md").write_text("old memo", encoding="utf-8")
    (out / "gone.json").write_text("{}", encoding="utf-8")
    r = CliRunner().invoke(main, ["report-all", "--cases", str(cases), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["gone.json", "one.nl.html", "one.nl.md"]
    assert f"`{cases.as_posix()}/one.yaml`" in (out / "one.nl.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_weak_figure_is_listed_once_in_its_table_not_again_among_the_stated_assumptions(memos, lang):
    from woningwet_engine.wording import in_sentence

    memo, result = memos[lang][0], memos[lang][1]
    said = [a for c in result["components"] for a in c["assumptions"]] + result["plan"]["assumptions"]
    folded = 0
    for p in memo["assumptions"]["params"]:
        prefix = f"{in_sentence(p['name'])}: "  # how the result names the figure (wording.param_title)
        folded += any(a.startswith(prefix) for a in said)
        assert not [s["text"] for s in memo["assumptions"]["stated"] if s["text"].startswith(prefix)], p["name"]
    assert folded >= 2


# The memo's environment reads plain-dict fields without jinja2's AttributeError round trip
# (report/render._environment_class); it must give what jinja2's own getattr gives.

_NAMES = st.one_of(st.sampled_from(sorted(dir(dict))), st.sampled_from(["text", "url", "rule", "missing"]),
                   st.text(min_size=1, max_size=6))


class _Dict(dict):
    label = "an attribute of the subclass"


def _seen(env, obj, name):
    """What a template gets for obj.name: the value, or the kind of undefined and what it names."""
    value = env.getattr(obj, name)
    if isinstance(value, jinja2.Undefined):
        return ("undefined", type(value), value._undefined_name, value._undefined_obj is obj)
    return ("value", value)


@settings(max_examples=300, deadline=None)
@given(keys=st.dictionaries(_NAMES, st.integers(), max_size=6), name=_NAMES,
       kind=st.sampled_from(["dict", "subclass", "list", "object"]))
def test_memo_environment_getattr_is_jinja2s(keys, name, kind):
    from woningwet_engine.report.render import _environment_class

    obj = {"dict": dict, "subclass": _Dict, "list": lambda k: list(k), "object": lambda k: _Dict}[kind](keys)
    ours = _environment_class()(undefined=jinja2.StrictUndefined)
    theirs = jinja2.Environment(undefined=jinja2.StrictUndefined)
    assert _seen(ours, obj, name) == _seen(theirs, obj, name)


def test_memo_renders_the_same_with_jinja2s_getattr(memos, monkeypatch):
    import importlib

    render = importlib.import_module("woningwet_engine.report.render")  # the module, not report.render()
    ours = {lang: (render_md(memo), render_html(memo)) for lang, (memo, *_) in memos.items()}
    render.environment.cache_clear()
    monkeypatch.setattr(render, "_environment_class", lambda: jinja2.Environment)
    try:
        theirs = {lang: (render_md(memo), render_html(memo)) for lang, (memo, *_) in memos.items()}
    finally:
        render.environment.cache_clear()
    assert ours == theirs


# The HTML memo's link, flag and verdict pieces were template macros; report/render.py makes them in
# Python (_html_pieces). These are the macros as they were, rendered by the memo's own environment.
_MACROS = (
    "{%- macro link(c) -%}{% if c %}<a class=\"cite\" href=\"{{ c.url }}\" title=\"{{ c.juriconnect }}\">"
    "{{ c.text }}</a>{% endif %}{%- endmacro -%}"
    "{%- macro flag(x) -%}{% if x.unverified %} <span class=\"flag\">⚠ {{ x.confidence_label }}</span>"
    "{% endif %}{%- endmacro -%}"
    "{%- macro verdict(code, text) -%}<span class=\"verdict v-{{ code }}\">{{ text }}</span>{%- endmacro -%}"
)
_PIECES = "[{{ link(c) }}|{{ flag(x) }}|{{ verdict(code, text) }}|{{ link(c) ~ flag(x) }}]"
_words = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12) | st.sampled_from(
    ["<b>", "a&b", "\"q\"", "'", "⚠", ""])
_values = _words | st.integers(-5, 5) | st.none() | st.booleans()


@settings(max_examples=300, deadline=None)
@given(c=st.none() | st.just({}) | st.fixed_dictionaries({"url": _values, "juriconnect": _values, "text": _values}),
       x=st.fixed_dictionaries({"unverified": _values, "confidence_label": _values}),
       code=_values, text=_values)
def test_html_pieces_equal_the_macros_they_replace(c, x, code, text):
    from woningwet_engine.report.render import environment

    env = environment(True)
    as_functions = env.from_string(_PIECES)
    as_macros = env.from_string(_MACROS + _PIECES)
    assert {"link", "flag", "verdict"} <= set(env.globals)  # the memo's functions; the macros shadow them
    values = {"c": c, "x": x, "code": code, "text": text}
    assert as_functions.render(**values) == as_macros.render(**values)


# badge and inputs were macros too (report/render.py makes them in Python since session 14); the
# macros as they were, and `inputs` took its label from the template's `t`
_MACROS_2 = (
    "{%- macro badge(c) -%}{{ verdict(c.verdict, c.verdict_label) }}{% if not c.compliant and c.verdict not in "
    "('forbidden', 'undetermined') %} <span class=\"verdict nc\">✗ {{ c.compliance_label }}</span>{% endif %}"
    "{%- endmacro -%}\n"
    "{%- macro inputs(x) -%}\n"
    "{% if x.facts or x.params %}<p class=\"inputs\"><span class=\"label\">{{ t.component.inputs }}:</span>\n"
    "{% for f in x.facts %}<span class=\"kv\">{{ f.name }} = {{ f.value }}</span>{% endfor %}\n"
    "{% for p in x.params %}<span class=\"kv{% if p.unverified %} weak{% endif %}\">{{ p.name }} = {{ p.value }}"
    "{% if p.unverified %} <span class=\"flag\">⚠ {{ p.confidence_label }}</span>{% endif %}</span>{% endfor %}"
    "</p>{% endif %}\n"
    "{%- endmacro -%}\n"
)
_verdicts = st.sampled_from(["daeb", "non_daeb", "forbidden", "needs_decision", "undetermined"]) | _values
_items = st.lists(st.fixed_dictionaries({"name": _values, "value": _values}), max_size=3)
_params = st.lists(st.fixed_dictionaries({"name": _values, "value": _values, "unverified": _values,
                                          "confidence_label": _values}), max_size=3)


@settings(max_examples=300, deadline=None)
@given(c=st.fixed_dictionaries({"verdict": _verdicts, "verdict_label": _values, "compliant": _values,
                                "compliance_label": _values}),
       x=st.fixed_dictionaries({"facts": _items | st.just([]), "params": _params | st.just([])}),
       label=_values)
def test_badge_and_inputs_equal_the_macros_they_replace(c, x, label):
    from woningwet_engine.report.render import environment

    env = environment(True)
    as_functions = env.from_string("[{{ badge(c) }}|{{ inputs(x, t) }}|{{ badge(c) ~ inputs(x, t) }}]")
    as_macros = env.from_string(_MACROS_2 + "[{{ badge(c) }}|{{ inputs(x) }}|{{ badge(c) ~ inputs(x) }}]")
    assert {"badge", "inputs"} <= set(env.globals)
    values = {"c": c, "x": x, "t": {"component": {"inputs": label}}}
    assert as_functions.render(**values) == as_macros.render(**values)


def test_badge_and_inputs_refuse_a_missing_field_as_the_macros_did():
    from woningwet_engine.report.render import environment

    env = environment(True)
    cases = [("[{{ badge(c) }}]", "[{{ badge(c) }}]", {"c": {"verdict": "daeb", "verdict_label": "D"}}),
             ("[{{ inputs(x, t) }}]", "[{{ inputs(x) }}]", {"x": {"facts": [{"name": "n"}], "params": []},
                                                            "t": {"component": {"inputs": "I"}}}),
             ("[{{ inputs(x, t) }}]", "[{{ inputs(x) }}]", {"x": {"facts": [], "params": [{"name": "p", "value": 1}]},
                                                            "t": {"component": {"inputs": "I"}}}),
             ("[{{ inputs(x, t) }}]", "[{{ inputs(x) }}]", {"x": {"facts": [{"name": "n", "value": 1}]},
                                                            "t": {"component": {}}})]
    for ours, theirs, values in cases:
        for source in (ours, _MACROS_2 + theirs):
            with pytest.raises(jinja2.UndefinedError):
                env.from_string(source).render(**values)
    # nothing to show: the label is never read, by either
    empty = {"x": {"facts": [], "params": []}, "t": {}}
    assert env.from_string("[{{ inputs(x, t) }}]").render(**empty) == "[]"
    assert env.from_string(_MACROS_2 + "[{{ inputs(x) }}]").render(**empty) == "[]"


def test_html_pieces_refuse_a_missing_field_as_the_macros_did():
    from woningwet_engine.report.render import environment

    env = environment(True)
    for source in (_PIECES, _MACROS + _PIECES):
        with pytest.raises(jinja2.UndefinedError):
            env.from_string(source).render(c={"url": "u", "text": "t"}, x={}, code="a", text="b")


@settings(max_examples=500, deadline=None)
@given(st.text() | st.sampled_from(["&amp;", "<&>\"'", "'\"", "a&b<c>d\"e'f"]))
def test_chart_escape_equals_html_escape(text):
    from woningwet_engine.report.svg import escape

    assert escape(text) == html.escape(text)


def test_charts_do_not_import_html():
    import subprocess
    import sys

    code = "import sys; import woningwet_engine.report.svg; print('html' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
