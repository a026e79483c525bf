"""The HTML memo in a real browser and the PDF memo, both with headless Chromium (docs/reports.md).

The browser and PDF tests skip when Chromium is not installed; CI installs it (.ci/run)."""

from __future__ import annotations

import re
import struct
import subprocess
import tempfile
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from woningwet_engine.case import load_case
from woningwet_engine.cli import main
from woningwet_engine.report import memo_for
from woningwet_engine.report.render import chromium_args, find_chromium, render_html
from woningwet_engine.rulebook import load_rulebook

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "cases" / "kanaleneiland-2016.yaml"

needs_chromium = pytest.mark.skipif(find_chromium() is None,
                                reason="headless Chromium is not installed (apt-get install chromium; CI has it)")

# requests the browser itself makes at start-up (time sync, component updates, accounts), not the page
BROWSER_INTERNAL = re.compile(r"^https?://(clients\d*\.google\.com|accounts\.google\.com|update\.googleapis\.com|"
                              r"[\w.-]*\.gvt1\.com|safebrowsing\.googleapis\.com|content-autofill\.googleapis\.com)/")


@pytest.fixture(scope="module")
def memo_html() -> str:
    memo, _ = memo_for(load_case(CASE), load_rulebook(), "nl", source="cases/kanaleneiland-2016.yaml")
    return render_html(memo)


def png_pixels(data: bytes):
    """A tiny PNG decoder (8-bit RGB/RGBA, not interlaced): (width, height, bytes per pixel, rows)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width, height, bpp = 8, b"", 0, 0, 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and interlace == 0, "unsupported PNG variant"
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        elif kind == b"IEND":
            break
    raw = zlib.decompress(idat)
    stride, rows, prev, i = width * bpp, [], bytearray(width * bpp), 0
    for _ in range(height):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


def run_browser(html_text: str, tmp: Path, *extra: str) -> tuple[subprocess.CompletedProcess, str]:
    page = tmp / "memo.html"
    page.write_text(html_text, encoding="utf-8")
    profile = tempfile.mkdtemp(dir=tmp)
    cmd = chromium_args(find_chromium(), profile) + ["--enable-logging=stderr", "--v=1", *extra, page.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=tmp)
    return proc, page.as_uri()


def requested_urls(stderr: str) -> set[str]:
    """Every URL the browser loaded (file:// loads and network requests), from its verbose log."""
    files = re.findall(r"FileURLLoader::Start: (\S+)", stderr)
    net = re.findall(r"NotifyBeforeURLRequest: (\S+)", stderr)
    return set(files) | {u for u in net if not BROWSER_INTERNAL.match(u)}


class Resources(HTMLParser):
    """Every attribute and CSS construct that would make a browser fetch something."""

    FETCHING = {"src", "srcset", "data", "poster", "background", "action", "formaction", "manifest", "xlink:href"}

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed", "source", "video", "audio", "base", "image",
                   "use", "frame", "track", "meta") and not (tag == "meta" and dict(attrs).get("http-equiv") is None):
            self.found.append(f"<{tag}>")
        for k, v in attrs:
            if k in self.FETCHING:
                self.found.append(f"{tag} {k}={v}")
            if k == "href" and tag != "a":
                self.found.append(f"{tag} href={v}")
            if k == "style" and v and re.search(r"url\(|@import", v):
                self.found.append(f"{tag} style url()")
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):
        if self._in_style and re.search(r"url\(|@import", data):
            self.found.append("css url()/@import")


def test_html_references_no_external_resource(memo_html):
    p = Resources()
    p.feed(memo_html)
    assert p.found == []
    assert "<script" not in memo_html.lower()
    # the detector is not blind
    q = Resources()
    q.feed('<img src="x.png"><link rel="stylesheet" href="a.css"><style>@import url(b.css);</style>')
    assert len(q.found) >= 3


@needs_chromium
def test_browser_loads_the_memo_and_nothing_else(memo_html, tmp_path):
    proc, url = run_browser(memo_html, tmp_path, "--window-size=1200,1600", f"--screenshot={tmp_path / 'shot.png'}")
    assert (tmp_path / "shot.png").exists(), proc.stderr[-2000:]
    assert requested_urls(proc.stderr) == {url}
    # the same log does show a page's failing resources (the check above can fail)
    broken = '<!DOCTYPE html><p>x</p><img src="missing.png"><link rel="stylesheet" href="https://example.invalid/a.css">'
    (tmp_path / "b").mkdir()
    proc2, url2 = run_browser(broken, tmp_path / "b", "--window-size=400,300", f"--screenshot={tmp_path / 'b.png'}")
    assert requested_urls(proc2.stderr) - {url2}


@needs_chromium
def test_screenshot_is_not_blank(memo_html, tmp_path):
    run_browser(memo_html, tmp_path, "--window-size=1200,1600", f"--screenshot={tmp_path / 'shot.png'}")
    assert_not_blank((tmp_path / "shot.png").read_bytes(), (1200, 1600))


def assert_not_blank(png: bytes, size: tuple[int, int] | None = None) -> None:
    """Many colours and a fair amount of dark (text) pixels, on a grid of every 4th pixel and row."""
    width, height, bpp, rows = png_pixels(png)
    if size is not None:
        assert (width, height) == size
    colours = set()
    dark = 0
    for row in rows[::4]:
        for x in range(0, len(row), bpp * 4):
            px = row[x:x + 3]
            colours.add(px)
            dark += sum(px) < 200
    assert len(colours) > 20, "the screenshot is (nearly) a single colour"
    assert dark > 500, "hardly any text on the page"


@needs_chromium
def test_pdf_is_valid_with_several_pages(tmp_path):
    out = tmp_path / "memo.pdf"
    r = CliRunner().invoke(main, ["report", str(CASE), "--format", "pdf", "--lang", "en", "-o", str(out)])
    assert r.exit_code == 0, r.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert data.rstrip().endswith(b"%%EOF")
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", data))
    assert pages >= 2


SAMPLES = sorted((ROOT / "cases").glob("*.yaml"))
RED = (198, 40, 40)  # --forbidden: the non-compliant marks (✗ badges, the board page's top edge)


def red_pixels(rows, bpp: int, top: int) -> int:
    """Pixels of the non-compliant red in the first `top` rows of a screenshot."""
    n = 0
    for row in rows[:top:2]:
        for x in range(0, len(row), bpp * 2):
            r, g, b = row[x], row[x + 1], row[x + 2]
            n += abs(r - RED[0]) < 25 and abs(g - RED[1]) < 25 and abs(b - RED[2]) < 25
    return n


@needs_chromium
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("case_path", SAMPLES, ids=[p.stem for p in SAMPLES])
def test_every_sample_memo_opens_with_the_board_advice_and_shows_its_non_compliance(case_path, lang, tmp_path):
    """Chromium renders the Dutch and English memo of every sample case; the first screen is the board page
    (question and advice), and when components are not compliant the screenshot of that first screen carries
    the red non-compliant marks while the page names each of them as such."""
    from woningwet_engine import i18n

    t = i18n.section(lang, "memo")
    memo, result = memo_for(load_case(case_path), load_rulebook(), lang, source=f"cases/{case_path.name}")
    page = render_html(memo)
    board = page.index('<section id="board"')
    assert board < page.index('id="summary"') and page.index(t["board"]["title"]) > board
    assert t["board"]["question_label"] in page[board:page.index("</section>", board)]
    bad = [c["id"] for c in result["components"] if not c["compliant"]]
    for cid in bad:  # the board page lists what must change, each marked
        assert f"<strong>{cid}</strong>" in page[board:page.index("</section>", board)]
    proc, _ = run_browser(page, tmp_path, "--window-size=1200,1400", f"--screenshot={tmp_path / 'first.png'}")
    width, height, bpp, rows = png_pixels((tmp_path / "first.png").read_bytes())
    assert (width, height) == (1200, 1400), proc.stderr[-1000:]
    red = red_pixels(rows, bpp, height)
    if bad or not result["summary"]["compliant"]:
        assert red > 400, f"{case_path.stem} {lang}: no non-compliant marks on the first screen ({red} red pixels)"
    else:
        assert red < 50, f"{case_path.stem} {lang}: red marks on the first screen of a compliant plan"
    if "WONINGWET_SHOTS" in __import__("os").environ:  # keep the screenshots to look at them
        out = Path(__import__("os").environ["WONINGWET_SHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{case_path.stem}.{lang}.png").write_bytes((tmp_path / "first.png").read_bytes())


COALITION_SAMPLES = sorted((ROOT / "cases" / "coalition").glob("*.yaml"))


@needs_chromium
@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("case_path", COALITION_SAMPLES, ids=[p.stem for p in COALITION_SAMPLES])
def test_every_coalition_memo_opens_with_the_advice_to_the_boards(case_path, lang, tmp_path):
    """The coalition memos likewise: the first screen is the advice to the boards, red-marked when the
    coalition is not compliant, naming every part that is not compliant."""
    from woningwet_engine import i18n
    from woningwet_engine.coalition.judge import judge_coalition
    from woningwet_engine.coalition.load import load_any_case
    from woningwet_engine.coalition.report import build_coalition_memo, render_coalition

    book = load_rulebook()
    case = load_any_case(case_path, book)
    res = judge_coalition(case, book, lang=lang, source=case_path.name)
    page = render_coalition(build_coalition_memo(res, case, case_path.name, book), "html")
    t = i18n.section(lang, "coalition_memo")
    board = page.index('<section id="board"')
    assert board < page.index(t["sections"]["parties"]) and page.index(t["board"]["title"]) > board
    first_page = page[board:page.index("</section>", board)]
    bad = [c.id for p in res.parts for c in p.result.components if c.compliant is not True]
    assert all(f"<strong>{cid} " in first_page for cid in bad)
    proc, _ = run_browser(page, tmp_path, "--window-size=1200,1400", f"--screenshot={tmp_path / 'first.png'}")
    width, height, bpp, rows = png_pixels((tmp_path / "first.png").read_bytes())
    assert (width, height) == (1200, 1400), proc.stderr[-1000:]
    red = red_pixels(rows, bpp, height)
    if not res.summary.compliant:
        assert bad and red > 400, f"{case_path.stem} {lang}: no non-compliant marks on the first screen ({red})"
    else:
        assert red < 50, f"{case_path.stem} {lang}: red marks on the first screen of a compliant plan ({red})"
    if "WONINGWET_SHOTS" in __import__("os").environ:
        out = Path(__import__("os").environ["WONINGWET_SHOTS"])
        out.mkdir(parents=True, exist_ok=True)
        (out / f"coalition-{case_path.stem}.{lang}.png").write_bytes((tmp_path / "first.png").read_bytes())
