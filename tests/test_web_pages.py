"""Who, why and which board decision when the web app records a decision (issue 14 item 9, audit/context.py).

The record form on the result page and `/api/check?record=1` take the CLI's --by, --purpose and
--board-decision as the fields `by`, `purpose` and `board_decision`, checked by the same rules; the
record page and `woningwet audit show` show them in words. One real server on loopback, with a
decision log in a temporary directory, serves the module."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlencode

import pytest
from click.testing import CliRunner

from webhelpers import ROOT, Server
from woningwet_engine.audit import DecisionLog
from woningwet_engine.cli import main

CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"
BOARD = "RvC 2024-11-12 besluit 7"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("web-context")
    srv = Server(tmp, "--log", str(tmp / "decisions.sqlite"))
    srv.log_path = tmp / "decisions.sqlite"
    yield srv
    srv.stop()


def records(server) -> list[dict]:
    if not server.log_path.exists():
        return []
    with DecisionLog.open(server.log_path) as log:
        return list(log.records())


def post_form(server, fields: dict, lang: str = "nl") -> tuple[int, str]:
    form = {"name": "kanaleneiland-2016.yaml", "lang": lang, "case": CASE.read_text(encoding="utf-8"), **fields}
    status, _, body = server.request("POST", "/check", urlencode(form).encode(),
                                     {"content-type": "application/x-www-form-urlencoded"})
    return status, body.decode("utf-8")


def test_the_result_page_offers_the_fields_with_the_clis_limits(server):
    for lang, words in (("nl", ("Uitgevoerd door", "zelf opgegeven, niet geverifieerd", "Bestuursbesluit")),
                        ("en", ("Run by", "self-declared, not verified", "Board decision"))):
        status, page = post_form(server, {}, lang)
        assert status == 200 and 'id="record-form"' in page
        assert all(w in page for w in words), lang
        for key, limit in (("by", 200), ("purpose", 1000), ("board_decision", 200)):
            assert f'name="{key}" id="record-{key}" maxlength="{limit}"' in page


def test_a_recorded_decision_carries_who_why_and_the_board_decision(server):
    before = len(records(server))
    status, page = post_form(server, {"record": "1", "by": "  A. de Vries  ", "purpose": "jaarplan 2017",
                                      "board_decision": BOARD})
    assert status == 200 and 'id="recorded"' in page
    recs = records(server)
    assert len(recs) == before + 1
    rec = recs[-1]
    assert rec["origin"] == "web"
    assert json.loads(rec["context"]) == {"by": "A. de Vries", "by_self_declared": True, "purpose": "jaarplan 2017",
                                          "board_decision": BOARD}
    # the record page and `audit show` say it in words, the name marked as self-declared
    status, _, body = server.request("GET", f"/log/{rec['id']}?lang=nl")
    shown = body.decode("utf-8")
    assert status == 200
    for text in ("A. de Vries (zelf opgegeven, niet geverifieerd)", "jaarplan 2017", BOARD, "de webapplicatie",
                 "Hash van de vorige beslissing"):
        assert text in shown, text
    assert "prev_hash" not in shown and "rulebook_sha256" not in shown
    out = CliRunner().invoke(main, ["audit", "show", str(rec["id"]), "--log", str(server.log_path), "--lang", "en"])
    assert out.exit_code == 0, out.output
    assert "A. de Vries (self-declared, not verified)" in out.output and f"Board decision:" in out.output
    _, _, listing = server.request("GET", "/log?lang=nl")
    assert "de webapplicatie" in listing.decode("utf-8") and ">web<" not in listing.decode("utf-8")


def test_empty_fields_record_no_context(server):
    before = len(records(server))
    status, page = post_form(server, {"record": "1", "by": "", "purpose": "  ", "board_decision": ""})
    assert status == 200 and 'id="recorded"' in page
    recs = records(server)
    assert len(recs) == before + 1 and recs[-1]["context"] is None


@pytest.mark.parametrize("fields, label, problem", [
    ({"by": "Jan\u202eDoe"}, "Uitgevoerd door", "bevat een stuurteken (U+202E bij teken 4)"),
    ({"purpose": "x" * 1001}, "Doel", "is 1001 tekens lang; ten hoogste 1000 worden vastgelegd"),
    ({"board_decision": "besluit\n7"}, "Bestuursbesluit", "bevat een stuurteken (U+000A"),
])
def test_a_bad_field_is_refused_and_nothing_is_recorded(server, fields, label, problem):
    before = len(records(server))
    status, page = post_form(server, {"record": "1", **fields})
    assert 'id="recorded"' not in page
    assert label in page and problem in page.replace("&#39;", "'")
    assert len(records(server)) == before


def test_fields_without_recording_are_refused(server):
    before = len(records(server))
    _, page = post_form(server, {"by": "A. de Vries"})
    assert "worden alleen bewaard als de beslissing wordt vastgelegd" in page  # the page's language
    assert len(records(server)) == before


def test_the_api_takes_the_same_fields(server):
    before = len(records(server))
    query = f"record=1&by={quote('B. Jansen')}&board_decision={quote(BOARD)}"
    status, headers, _ = server.post(f"/api/check?{query}", CASE.read_bytes())
    assert status == 200
    with DecisionLog.open(server.log_path) as log:
        rec = log.get(int(headers["x-woningwet-record"]))
    assert json.loads(rec["context"]) == {"by": "B. Jansen", "by_self_declared": True, "board_decision": BOARD}
    # refused with 422 and nothing recorded: a bidi override, a field without record=1
    for query, field in ((f"record=1&by={quote('B.‮ Jansen')}", "by"), ("purpose=controle", "purpose")):
        status, _, body = server.post(f"/api/check?{query}", CASE.read_bytes())
        assert status == 422, query
        assert json.loads(body)["problems"][0]["file"] == field
    assert len(records(server)) == before + 1


# --- the pages speak the reader's language -------------------------------------------------------

MEMO = re.compile(r'<div class="memo-view" id="memo">.*?</div>\s*</div>\s*$|<div class="memo-view" id="memo">.*', re.S)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pages_speak_words(server, lang):
    """Start page, result page (the memo inside it is tests/test_vocabulary.py's), form editor, the log,
    a record, its replay and its comparison, the chain check: no internal codes, and no English words in
    Dutch. Data a reader types or checks (case ids, hashes, file names) is taken out first."""
    from woningwet_engine.case import load_case
    from woningwet_engine.engine import judge
    from woningwet_engine.rulebook import load_rulebook

    from test_vocabulary import engine_sentences, offences, visible_html

    book = load_rulebook()
    codes = {c for c in book.conditions if "-" in c} | {cr.rule.check for cr in book.rules if cr.rule.check}
    _, result_page = post_form(server, {"record": "1", "by": "C. Bakker"}, lang)
    rid = records(server)[-1]["id"]
    form = {"name": "kanaleneiland-2016.yaml", "lang": lang, "case": CASE.read_text(encoding="utf-8")}
    _, _, editor = server.request("POST", "/edit/form", urlencode(form).encode(),
                                  {"content-type": "application/x-www-form-urlencoded"})
    pages = {"result": MEMO.sub("", result_page), "editor": editor.decode("utf-8")}
    for path in ("/", "/log", f"/log/{rid}", f"/log/{rid}/replay", f"/log/{rid}/diff?at=2022-06-01", "/log/verify"):
        status, _, body = server.request("GET", f"{path}{'&' if '?' in path else '?'}lang={lang}")
        assert status == 200, path
        pages[path] = body.decode("utf-8")
    case = load_case(CASE)
    data = {case.case_id, "kanaleneiland-2016.yaml", *engine_sentences(judge(case, book, lang=lang).model_dump(mode="json"))}
    bad = []
    for name, page in pages.items():
        text = " ".join(visible_html(re.sub(r"<textarea.*?</textarea>", " ", page, flags=re.S)).split())
        text = re.sub(r"\b[0-9a-f]{12,64}\b", " ", text)
        for item in sorted(data, key=len, reverse=True):
            text = text.replace(" ".join(item.split()), " ")
        found = offences(text, lang, codes)
        if found:
            bad.append((name, found))
    assert not bad, bad
