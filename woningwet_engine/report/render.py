"""Rendering the memo view model: Markdown and HTML through jinja2, PDF through headless Chromium,
JSON as the view model next to the result."""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path

from typing import TYPE_CHECKING

from ..i18n import section
from ..result import canonical_json

if TYPE_CHECKING:
    import subprocess

    import jinja2

FORMATS = ("md", "html", "pdf", "json")
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_TIMEOUT_S = 180

_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|])")
_MD_UNDERSCORE = re.compile(r"(?<![0-9A-Za-z])_|_(?![0-9A-Za-z])")


def md_escape(value) -> str:
    """Escape text from the result for Markdown (tables included): it must show literally."""
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_UNDERSCORE.sub(r"\\_", text)


@lru_cache(maxsize=None)
def _environment_class() -> type[jinja2.Environment]:
    """jinja2.Environment with a shorter way to `m.key` on the memo's plain dicts.

    The memo view model is nested dicts, and a template reads ~9,000 fields from them per memo.
    jinja2's `getattr` tries the attribute first and the item only after an AttributeError, so every
    dict field cost a raised exception (about 40% of the rendering time). For a plain dict and a
    name no dict attribute has, that attribute lookup can only fail, so the item is read directly;
    everything else (a key named like a dict method, such as `items`, dict subclasses, other
    objects) takes jinja2's own path. Same values, same undefined objects (tests/test_report.py)."""
    import jinja2

    dict_attributes = frozenset(dir(dict))

    class MemoEnvironment(jinja2.Environment):
        def getattr(self, obj, attribute):
            if type(obj) is dict and attribute not in dict_attributes:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    return MemoEnvironment


@lru_cache(maxsize=None)
def environment(html: bool) -> jinja2.Environment:
    import jinja2

    from .templatecache import CompiledTemplates

    env = _environment_class()(
        loader=jinja2.PackageLoader("woningwet_engine.report", "templates"),
        autoescape=html, undefined=jinja2.StrictUndefined, trim_blocks=False, lstrip_blocks=False,
        keep_trailing_newline=True, bytecode_cache=CompiledTemplates("html" if html else "md"),
    )
    env.filters["md"] = md_escape
    if html:
        env.globals.update(_html_pieces(env))
    return env


def _html_pieces(env) -> dict:
    """The HTML memo's five smallest pieces, as functions instead of template macros: a memo calls
    them ~900 times, and each jinja2 macro call costs far more than the markup it makes. They give
    the markup the macros gave: the same escaping (markupsafe, as autoescape), the same fields read
    through the environment's getattr (a missing one is the same StrictUndefined error), the same
    truth tests. tests/test_report.py holds them equal to the macros on generated values."""
    from markupsafe import Markup, escape

    get = env.getattr
    empty = Markup("")

    def link(c):
        if not c:
            return empty
        return Markup("".join(('<a class="cite" href="', escape(get(c, "url")), '" title="',
                               escape(get(c, "juriconnect")), '">', escape(get(c, "text")), "</a>")))

    def flag(x):
        if not get(x, "unverified"):
            return empty
        return Markup("".join((' <span class="flag">⚠ ', escape(get(x, "confidence_label")), "</span>")))

    def verdict(code, text):
        return Markup("".join(('<span class="verdict v-', escape(code), '">', escape(text), "</span>")))

    def badge(c):
        out = verdict(get(c, "verdict"), get(c, "verdict_label"))
        if not get(c, "compliant") and get(c, "verdict") not in ("forbidden", "undetermined"):
            out = Markup("".join((out, ' <span class="verdict nc">✗ ', escape(get(c, "compliance_label")), "</span>")))
        return out

    def inputs(x, t):
        if not (get(x, "facts") or get(x, "params")):
            return empty
        parts = ['<p class="inputs"><span class="label">', escape(get(get(t, "component"), "inputs")), ":</span>\n"]
        for f in get(x, "facts"):
            parts += ('<span class="kv">', escape(get(f, "name")), " = ", escape(get(f, "value")), "</span>")
        parts.append("\n")
        for p in get(x, "params"):
            parts += ('<span class="kv', " weak" if get(p, "unverified") else "", '">', escape(get(p, "name")), " = ",
                      escape(get(p, "value")))
            if get(p, "unverified"):
                parts += (' <span class="flag">⚠ ', escape(get(p, "confidence_label")), "</span>")
            parts.append("</span>")
        parts.append("</p>")
        return Markup("".join(parts))

    return {"link": link, "flag": flag, "verdict": verdict, "badge": badge, "inputs": inputs}


def render_md(memo: dict) -> str:
    text = environment(False).get_template("memo.md.j2").render(m=memo, t=section(memo["lang"], "memo"))
    return _tidy(text)


def render_html(memo: dict) -> str:
    from .svg import plan_chart, route_chart

    charts = {"plan": plan_chart(memo), "route": route_chart(memo)}
    text = environment(True).get_template("memo.html.j2").render(
        m=memo, t=section(memo["lang"], "memo"), charts={k: (v and _markup(v)) for k, v in charts.items()})
    return "\n".join(line.rstrip() for line in text.splitlines()) + "\n"


def render_json(memo: dict, result: dict) -> str:
    return canonical_json({"memo": memo, "result": result})


def _markup(svg: str):
    from markupsafe import Markup

    return Markup(svg)


def _tidy(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# PDF


class RendererError(RuntimeError):
    """The PDF renderer is missing or failed."""


def find_chromium() -> str | None:
    import shutil

    env = os.environ.get("WONINGWET_CHROMIUM")
    if env:
        return env if Path(env).exists() or shutil.which(env) else None
    for name in CHROMIUM_CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium_args(binary: str, profile: str) -> list[str]:
    return [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-default-apps",
            "--mute-audio", "--hide-scrollbars", f"--user-data-dir={profile}"]


def run_chromium(extra: list[str], url: str, workdir: str) -> subprocess.CompletedProcess:
    import subprocess
    import tempfile

    binary = find_chromium()
    if binary is None:
        raise RendererError("headless Chromium not found (install the Debian package 'chromium', "
                            "or set WONINGWET_CHROMIUM to the browser binary)")
    profile = tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir)
    cmd = chromium_args(binary, profile) + extra + [url]
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=PDF_TIMEOUT_S, cwd=workdir,
                              env={**os.environ, "HOME": workdir})
    except subprocess.TimeoutExpired:
        raise RendererError(f"Chromium did not finish within {PDF_TIMEOUT_S} s") from None


def html_to_pdf(html: str) -> bytes:
    """Print the self-contained HTML memo to PDF with headless Chromium (A4, no header/footer)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="woningwet-pdf-") as tmp:
        src = Path(tmp) / "memo.html"
        out = Path(tmp) / "memo.pdf"
        src.write_text(html, encoding="utf-8")
        proc = run_chromium([f"--print-to-pdf={out}", "--no-pdf-header-footer", "--print-to-pdf-no-header"],
                            src.as_uri(), tmp)
        if not out.exists() or out.stat().st_size == 0:
            raise RendererError(f"Chromium wrote no PDF (exit {proc.returncode}): {proc.stderr.strip()[-800:]}")
        data = out.read_bytes()
    if not data.startswith(b"%PDF"):
        raise RendererError("Chromium output is not a PDF")
    return data


def render(memo: dict, result: dict, fmt: str) -> str | bytes:
    if fmt == "md":
        return render_md(memo)
    if fmt == "html":
        return render_html(memo)
    if fmt == "json":
        return render_json(memo, result)
    if fmt == "pdf":
        return html_to_pdf(render_html(memo))
    raise ValueError(f"unknown format {fmt!r}")
