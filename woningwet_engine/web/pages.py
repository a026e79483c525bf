"""The HTML pages: start, YAML and form editors, the memo view, two dates side by side, downloads,
and the auditor's pages for the decision log.

Pages hold no server-side state: the case travels with each form post (a hidden field), so nothing
a visitor sends is stored unless they record a decision in a configured log. Sample cases and static
files are read into memory when the server starts; no request path is ever mapped to a file.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
import yaml
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from ..audit.context import TEXT_FIELDS
from ..errors import InputError, Problem
from ..i18n import section
from ..terms import value_label
from . import forms, service
from .security import csp
from .service import LANGS, Options

HERE = Path(__file__).resolve().parent
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8",
                ".svg": "image/svg+xml"}
FORMATS = ("pdf", "html", "md", "json")
MAX_FORM_FIELDS = 20_000
# An editor page showing the problems of the input is a normal page (the API answers 422): browsers log
# every 4xx page load as a console error.
PROBLEM_STATUS = 200
# the record form's fields (name, longest text accepted), as the CLI's --by, --purpose, --board-decision
RECORD_FIELDS = tuple((key, limit) for _, key, limit in TEXT_FIELDS)


@lru_cache(maxsize=None)
def env() -> jinja2.Environment:
    e = jinja2.Environment(loader=jinja2.PackageLoader("woningwet_engine.web", "templates"),
                           autoescape=True, undefined=jinja2.StrictUndefined)
    e.globals["display"] = forms.display
    e.globals["value_label"] = value_label  # enum choices in the catalogue's words, as the memo says them
    return e


@lru_cache(maxsize=None)
def static_files() -> dict[str, tuple[bytes, str]]:
    """name -> (content, media type), read once; /static/<name> serves only these."""
    return {p.name: (p.read_bytes(), STATIC_TYPES[p.suffix]) for p in sorted((HERE / "static").iterdir())
            if p.suffix in STATIC_TYPES}


def lang_of(request: Request, form=None) -> str:
    form = form or {}
    for value in (form.get("switch_lang"), form.get("lang"), request.query_params.get("lang"),
                  request.cookies.get("lang")):
        if value in LANGS:
            return value
    return "nl"


def page(request: Request, template: str, lang: str, status: int = 200, style_hashes: tuple[str, ...] = (),
         **context) -> HTMLResponse:
    svc = request.app.state.service
    html = env().get_template(template).render(
        t=section(lang, "web"), lang=lang, other_lang="en" if lang == "nl" else "nl", has_log=svc.log_path is not None,
        path=request.url.path if request.method == "GET" else None, **context)
    response = HTMLResponse(html, status_code=status)
    response.headers["content-security-policy"] = csp(style_hashes)
    if request.cookies.get("lang") != lang:
        response.set_cookie("lang", lang, samesite="strict", httponly=True)
    return response


def error_page(request: Request, lang: str, status: int, message: str) -> HTMLResponse:
    return page(request, "error.html.j2", lang, status=status, message=message)


# ------------------------------------------------------------------------------------------------
# the memo inside an app page


_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_BODY = re.compile(r"<body[^>]*>(.*)</body>", re.S)


def embed_memo(html: str) -> tuple[Markup, list[str], tuple[str, ...]]:
    """(memo body markup, its stylesheet text, the CSP hash of each <style> block) from a rendered memo.

    The page puts the memo's <style> blocks in its head one by one, so each keeps the hash computed here."""
    styles = _STYLE.findall(html)
    body = _BODY.search(html)
    digests = tuple(base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode() for css in styles)
    return Markup(body.group(1) if body else html), styles, digests


# ------------------------------------------------------------------------------------------------
# inputs


@dataclass
class Posted:
    """A page's form post: the case text travelling with it, its file name, language and law date."""

    form: Any
    lang: str
    name: str
    text: str
    at: str

    @classmethod
    async def read(cls, request: Request) -> "Posted":
        form = await request.form(max_files=1, max_fields=MAX_FORM_FIELDS, max_part_size=2 * 1024 * 1024)
        return cls(form, lang_of(request, form), service.safe_name(form.get("name")),
                   (form.get("case") or "").replace("\r\n", "\n"), form.get("at") or "")

    @property
    def raw(self) -> bytes:
        return self.text.encode("utf-8")

    def options(self) -> Options:
        """The judge options, and the record form's fields named by their labels in an error."""
        words = section(self.lang, "web")["record_form"]
        fields = {key: self.form.get(key) for key in service.CONTEXT_FIELDS}
        return Options.parse({**fields, "at": self.at or None, "lang": self.lang, "name": self.name}.get,
                             names={key: words[key] for key in service.CONTEXT_FIELDS})


def problems_by_line(text: str, problems: list[Problem]) -> tuple[list[dict], list[Problem]]:
    """The case text as numbered lines with each problem under its line; problems without a line."""
    lines = text.splitlines() or [""]
    at: dict[int, list[Problem]] = {}
    general: list[Problem] = []
    for prob in problems:
        if prob.line is not None and 1 <= prob.line <= len(lines):
            at.setdefault(prob.line, []).append(prob)
        else:
            general.append(prob)
    return [{"n": i, "text": line, "problems": at.get(i, [])} for i, line in enumerate(lines, 1)], general


def yaml_editor(request: Request, p: Posted, problems: list[Problem] = ()) -> HTMLResponse:
    listing, general = problems_by_line(p.text, list(problems))
    return page(request, "edit_yaml.html.j2", p.lang, status=PROBLEM_STATUS if problems else 200,
                case_text=p.text, name=p.name, at=p.at, problems=list(problems), listing=listing, general=general)


async def form_editor(request: Request, p: Posted, data: dict, problems: list[Problem] = ()) -> HTMLResponse:
    svc = request.app.state.service
    by_field: dict[str, list[str]] = {}
    for prob in problems:
        by_field.setdefault(prob.path, []).append(prob.what(p.lang))
    try:
        day = dt.date.fromisoformat(str(data.get("date")))
    except ValueError:
        day = dt.date.today()
    comps = data.get("components") if isinstance(data.get("components"), list) else []
    return page(request, "edit_form.html.j2", p.lang, status=PROBLEM_STATUS if problems else 200, data=data,
                name=p.name, at=p.at,
                layout=forms.layout(), components=[c if isinstance(c, dict) else {} for c in comps],
                mv_codes=await svc.run(service.mv_codes, day), problems=list(problems), by_field=by_field,
                unmanaged=forms.unmanaged(data), base=json.dumps(data, ensure_ascii=False, default=str),
                PRESENT=forms.PRESENT, REMOVE=forms.REMOVE)


def parse_text(text: str, name: str) -> dict:
    """The case text as data for the form (problems with lines when it is not a YAML mapping)."""
    from ..yamlio import load_yaml_text

    loaded = load_yaml_text(text, name)
    if not isinstance(loaded.data, dict):
        raise InputError.of(name, "", "case.not_mapping")
    return loaded.data


# ------------------------------------------------------------------------------------------------
# pages


async def home(request: Request) -> Response:
    svc = request.app.state.service
    return page(request, "home.html.j2", lang_of(request), samples=sorted(svc.samples))


async def result_page(request: Request, p: Posted, record: bool = False) -> Response:
    svc = request.app.state.service
    try:
        opts = p.options()
        if opts.context and not record:
            raise InputError.of(section(p.lang, "web")["record_form"]["title"], "", "web.form_context_without_record")
        coalition = await svc.run(service.coalition_view, p.raw, opts)
        if coalition is not None:  # several corporations and partners: the coalition memo
            html, result, case = coalition
            record_id = None
            if record:
                _, _, record_id = await svc.run(service.check_json, p.raw, opts, True)
        else:
            m, result, case = await svc.run(service.memo, p.raw, opts)
            record_id = None
            if record:
                _, _, rec = await svc.run(service.check, p.raw, opts, True)
                record_id = rec["id"]
    except InputError as exc:
        return yaml_editor(request, p, exc.problems)
    if coalition is None:
        from ..report import render

        html = render(m, result, "html")
    body, styles, digests = embed_memo(html)
    return page(request, "result.html.j2", p.lang, style_hashes=digests, memo=body,
                memo_styles=[Markup(css) for css in styles],
                case_text=p.text, name=p.name, at=p.at, result=result, record_id=record_id, formats=FORMATS,
                record_fields=RECORD_FIELDS,
                case_date=case.date.isoformat(), verdicts=section(p.lang, "memo")["verdict"])


async def sample(request: Request) -> Response:
    svc = request.app.state.service
    lang = lang_of(request)
    name = request.path_params["name"]
    if name not in svc.samples:
        return error_page(request, lang, 404, section(lang, "web")["errors"]["not_found"])
    return await result_page(request, Posted({}, lang, f"{name}.yaml", svc.samples[name].decode("utf-8"), ""))


async def upload(request: Request) -> Response:
    p = await Posted.read(request)
    file = p.form.get("file")
    if file is not None and not isinstance(file, str):
        p.name = service.safe_name(file.filename)
        raw = await file.read()
        try:
            p.text = raw.decode("utf-8").replace("\r\n", "\n")
        except UnicodeDecodeError as exc:
            return yaml_editor(request, p, [Problem.of(p.name, "", "not_utf8", at=exc.start)])
    return await result_page(request, p)


async def check(request: Request) -> Response:
    p = await Posted.read(request)
    return await result_page(request, p, record=p.form.get("record") is not None)


async def edit_yaml(request: Request) -> Response:
    return yaml_editor(request, await Posted.read(request))


async def edit_form(request: Request) -> Response:
    p = await Posted.read(request)
    try:
        data = parse_text(p.text, p.name)
    except InputError as exc:
        return yaml_editor(request, p, exc.problems)
    return await form_editor(request, p, data)


async def new_case(request: Request) -> Response:
    data = {"case_id": "nieuwe-casus", "title": "", "date": dt.date.today().isoformat(),
            "corporation": {"name": "", "home_municipality": "", "municipalities": [], "daeb_rental_homes": 0},
            "components": [forms.new_component(1)]}
    return await form_editor(request, Posted({}, lang_of(request), "case.yaml", "", ""), data)


async def form_submit(request: Request) -> Response:
    """The form posted: judge it, add a component, switch language, or continue as YAML."""
    p = await Posted.read(request)
    try:
        base = json.loads(p.form.get("base") or "{}")
    except ValueError:
        base = {}
    data = forms.from_form(p.form, base if isinstance(base, dict) else {})
    action = p.form.get("action", "check")
    if action == "lang":
        p.lang = p.form.get("other_lang") if p.form.get("other_lang") in LANGS else p.lang
        return await form_editor(request, p, data)
    if action == "add":
        data["components"].append(forms.new_component(len(data["components"]) + 1))
        return await form_editor(request, p, data)
    p.text = forms.to_yaml(data)
    if action == "yaml":
        return yaml_editor(request, p)
    try:
        await request.app.state.service.run(service.load, p.raw, p.options().name)
    except InputError as exc:
        return await form_editor(request, p, data, exc.problems)
    return await result_page(request, p)


async def compare(request: Request) -> Response:
    svc = request.app.state.service
    p = await Posted.read(request)
    try:
        day_to = service.parse_day(p.form.get("at2"), "at2")
        if day_to is None:
            raise InputError.of("at2", "", "web.compare_date")
        cmp, ra, rb = await svc.run(service.compare, p.raw, p.options(), day_to)
    except InputError as exc:
        return yaml_editor(request, p, exc.problems)
    from ..compare import render_text

    by_id_b = {c["id"]: c for c in rb["components"]}
    changed = {c["id"] for c in cmp.get("components", [])}
    rows = [{"id": ca["id"], "a": ca, "b": by_id_b.get(ca["id"], {}), "changed": ca["id"] in changed}
            for ca in ra["components"]]
    titles = {c["id"]: c.get("title", "") for c in _case_components(p.text)}
    return page(request, "compare.html.j2", p.lang, cmp=cmp, ra=ra, rb=rb, rows=rows, titles=titles,
                why=render_text(cmp, p.lang), case_text=p.text, name=p.name, at=p.at, at2=day_to.isoformat(),
                verdicts=section(p.lang, "memo")["verdict"])


def _case_components(text: str) -> list[dict]:
    try:
        data = yaml.safe_load(text)
        return [c for c in data.get("components", []) if isinstance(c, dict)]
    except (yaml.YAMLError, AttributeError):
        return []


async def download(request: Request) -> Response:
    from .api import MEDIA

    svc = request.app.state.service
    p = await Posted.read(request)
    fmt = p.form.get("format", "pdf")
    if fmt not in FORMATS:
        return error_page(request, p.lang, 422, f"format {fmt!r}")
    try:
        opts = p.options()
        out = await svc.run(service.report, p.raw, opts, "html" if fmt == "pdf" else fmt)
        case = await svc.run(service.load_any, p.raw, opts.name)
    except InputError as exc:
        return yaml_editor(request, p, exc.problems)
    if fmt == "pdf":
        from ..report.render import RendererError

        try:
            out = await svc.pdf(out)
        except RendererError as exc:
            return error_page(request, p.lang, 503, section(p.lang, "web")["errors"]["pdf"].format(error=exc))
    filename = f"{case.case_id}.{p.lang}.{fmt}"
    return Response(out if isinstance(out, bytes) else out.encode("utf-8"), media_type=MEDIA[fmt],
                    headers={"content-disposition": f"attachment; filename=\"{filename}\""})


async def set_lang(request: Request) -> Response:
    lang = request.path_params["lang"]
    target = request.query_params.get("next", "/")
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    response = RedirectResponse(quote(target, safe="/?=&-._~"), status_code=303)
    if lang in LANGS:
        response.set_cookie("lang", lang, samesite="strict", httponly=True)
    return response


async def static(request: Request) -> Response:
    item = static_files().get(request.path_params["name"])
    if item is None:
        return Response(b"not found", status_code=404, media_type="text/plain")
    content, media = item
    return Response(content, media_type=media, headers={"cache-control": "no-cache"})


async def not_found(request: Request, exc) -> Response:
    if request.url.path.startswith("/api/"):
        from starlette.responses import JSONResponse

        return JSONResponse({"error": "not found", "problems": []}, status_code=exc.status_code)
    lang = lang_of(request)
    return error_page(request, lang, exc.status_code, section(lang, "web")["errors"]["not_found"])


# ------------------------------------------------------------------------------------------------
# the decision log


def _record_id(request: Request) -> int:
    value = request.path_params["rid"]
    if not value.isdigit() or len(value) > 12:
        raise InputError.of("ID", "", "log.bad_record_id", got=repr(value))
    return int(value)


def _needs_log(handler):
    async def wrapped(request: Request) -> Response:
        lang = lang_of(request)
        if request.app.state.service.log_path is None:
            return error_page(request, lang, 404, section(lang, "web")["log"]["not_configured"])
        try:
            return await handler(request, lang)
        except InputError as exc:
            return error_page(request, lang, 404 if "no such record" in str(exc) else 422,
                              "; ".join(str(p) for p in exc.problems))
    return wrapped


@_needs_log
async def log_list(request: Request, lang: str) -> Response:
    records = await request.app.state.service.run(service.log_list)
    return page(request, "log_list.html.j2", lang, records=records, origins=section(lang, "audit"))


@_needs_log
async def log_show(request: Request, lang: str) -> Response:
    from ..audit.cli import record_lines

    svc = request.app.state.service
    rec = await svc.run(service.log_get, _record_id(request))
    result = json.loads(rec["result_json"])
    return page(request, "log_show.html.j2", lang, rec=rec, result=result, lines=record_lines(rec, lang),
                case_yaml=forms.to_yaml(json.loads(rec["case_json"])), verdicts=section(lang, "memo")["verdict"],
                today=dt.date.today().isoformat())


@_needs_log
async def log_verify(request: Request, lang: str) -> Response:
    svc = request.app.state.service
    if not Path(svc.log_path).exists():
        return page(request, "log_verify.html.j2", lang, report=None)
    report = await svc.run(service.log_verify)
    return page(request, "log_verify.html.j2", lang, report=report)


@_needs_log
async def log_replay(request: Request, lang: str) -> Response:
    svc = request.app.state.service
    outcome = await svc.run(service.log_replay, _record_id(request))
    return page(request, "log_replay.html.j2", lang, outcome=outcome)


@_needs_log
async def log_diff(request: Request, lang: str) -> Response:
    from ..compare import render_text

    svc = request.app.state.service
    rid = _record_id(request)
    day = service.parse_day(request.query_params.get("at"), "at") or dt.date.today()
    cmp = await svc.run(service.log_diff, rid, day)
    return page(request, "log_diff.html.j2", lang, rid=rid, day=day.isoformat(), cmp=cmp,
                text=render_text(cmp, lang))


ROUTES = [
    Route("/", home, methods=["GET"]),
    Route("/sample/{name}", sample, methods=["GET"]),
    Route("/new", new_case, methods=["GET"]),
    Route("/upload", upload, methods=["POST"]),
    Route("/check", check, methods=["POST"]),
    Route("/edit/yaml", edit_yaml, methods=["POST"]),
    Route("/edit/form", edit_form, methods=["POST"]),
    Route("/form", form_submit, methods=["POST"]),
    Route("/compare", compare, methods=["POST"]),
    Route("/download", download, methods=["POST"]),
    Route("/lang/{lang}", set_lang, methods=["GET"]),
    Route("/static/{name}", static, methods=["GET"]),
    Route("/log", log_list, methods=["GET"]),
    Route("/log/verify", log_verify, methods=["GET"]),
    Route("/log/{rid}", log_show, methods=["GET"]),
    Route("/log/{rid}/replay", log_replay, methods=["GET"]),
    Route("/log/{rid}/diff", log_diff, methods=["GET"]),
]
