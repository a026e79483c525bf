"""The HTTP API: the CLI's answers over HTTP.

POST /api/check returns exactly the bytes `woningwet check --format json` prints for the same case
and options; POST /api/report the memo `woningwet report` writes; POST /api/compare the JSON of
`woningwet compare --format json`. Unusable input is 422 with the same problems (file, line, field)
the CLI prints, and nothing is recorded.
"""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from .. import __version__
from ..errors import InputError
from . import service
from .service import Options

JSON = "application/json; charset=utf-8"
MEDIA = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "json": JSON,
         "pdf": "application/pdf"}


def problems_json(exc: InputError, lang: str = "nl") -> dict:
    """The problems for programs (English `error`, `message`, `text`, as always) and for the people
    they are shown to (`reader_error`, `reader_message`, `reader_text` in `lang`, the request's ?lang=)."""
    return {"error": f"{len(exc.problems)} problem(s) in the input", "lang": lang, "reader_error": exc.frame(lang),
            "problems": [{"file": p.file, "line": p.line, "field": p.path, "message": p.message, "text": str(p),
                          "reader_message": p.what(lang), "reader_text": p.text(lang)}
                         for p in exc.problems]}


def unprocessable(exc: InputError, request: Request) -> JSONResponse:
    lang = request.query_params.get("lang")
    return JSONResponse(problems_json(exc, lang if lang in service.LANGS else "nl"), status_code=422)


def _opts(request: Request) -> Options:
    return Options.parse(request.query_params.get)


def _flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "") in ("1", "true", "yes")


async def api_check(request: Request) -> Response:
    svc = request.app.state.service
    try:
        opts = _opts(request)
        body, compliant, record_id = await svc.run(service.check_json, await request.body(), opts,
                                                   _flag(request, "record"))
    except InputError as exc:
        return unprocessable(exc, request)
    headers = {"x-woningwet-compliant": "true" if compliant else "false"}
    if record_id is not None:
        headers["x-woningwet-record"] = str(record_id)
    return Response(body, media_type=JSON, headers=headers)


async def api_report(request: Request) -> Response:
    svc = request.app.state.service
    fmt = request.query_params.get("format", "md")
    try:
        if fmt not in MEDIA:
            raise InputError.of("format", "", "web.unknown_format", got=repr(fmt))
        opts = _opts(request)
        text = await svc.run(service.report, await request.body(), opts, "html" if fmt == "pdf" else fmt)
    except InputError as exc:
        return unprocessable(exc, request)
    if fmt == "pdf":
        from ..report.render import RendererError

        try:
            data = await svc.pdf(text)
        except RendererError as exc:
            return JSONResponse({"error": str(exc), "problems": []}, status_code=503)
        return Response(data, media_type=MEDIA["pdf"])
    return Response(text.encode("utf-8"), media_type=MEDIA[fmt])


async def api_compare(request: Request) -> Response:
    from ..result import canonical_json

    svc = request.app.state.service
    dates = request.query_params.getlist("at")
    try:
        if len(dates) != 2:
            raise InputError.of("at", "", "web.two_dates", n=len(dates))
        opts = _opts(request)
        d1, d2 = service.parse_day(dates[0], "at"), service.parse_day(dates[1], "at")
        opts = Options(at=d1, lang=opts.lang, name=opts.name)
        cmp, _, _ = await svc.run(service.compare, await request.body(), opts, d2)
    except InputError as exc:
        return unprocessable(exc, request)
    return Response(canonical_json(cmp).encode("utf-8"), media_type=JSON)


async def api_rules(request: Request) -> Response:
    svc = request.app.state.service
    try:
        day = service.parse_day(request.query_params.get("at"), "at")
        opts = _opts(request)
        rules = await svc.run(service.rules_at, day, opts.lang)
    except InputError as exc:
        return unprocessable(exc, request)
    return JSONResponse({"at": day.isoformat() if day else None, "rules": rules})


async def api_schema_case(request: Request) -> Response:
    from ..coalition.schema import case_formats_schema as case_json_schema  # both case formats

    return Response(json.dumps(case_json_schema(), indent=2, ensure_ascii=False) + "\n", media_type=JSON)


async def api_openapi(request: Request) -> Response:
    return JSONResponse(openapi())


def _query(name: str, desc: str, schema: dict | None = None, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": desc,
            "schema": schema or {"type": "string"}}


def openapi() -> dict:
    """The OpenAPI 3.1 description of the API (written by hand: the API is small and stable)."""
    date = {"type": "string", "format": "date"}
    common = [
        _query("at", "judge under the law of this date instead of the case date (YYYY-MM-DD)", date),
        _query("lang", "language of texts and memos", {"type": "string", "enum": ["nl", "en"], "default": "nl"}),
        _query("name", "file name used for the case in problems and memos (never opened)"),
    ]
    case_body = {"required": True, "description": "a case file, YAML or JSON (at most 2 MB)", "content": {
        "application/yaml": {"schema": {"$ref": "/api/schema/case"}},
        "application/json": {"schema": {"$ref": "/api/schema/case"}}}}
    problems = {"description": "unusable input: one entry per problem, as the CLI prints them",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problems"}}}}
    too_big = {"description": "request body over 2 MB",
               "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problems"}}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "woningwet-engine", "version": __version__,
                 "description": "Judge housing-corporation plans against the Woningwet in force on a date."},
        "paths": {
            "/api/check": {"post": {
                "summary": "Judge a case: exactly the JSON of `woningwet check --format json`",
                "parameters": common + [
                    _query("start", "start date of the approval route (YYYY-MM-DD)", date),
                    _query("keep_by", "what to maximise when handing non-DAEB components to the market",
                           {"type": "string", "enum": ["value", "units"], "default": "value"}),
                    _query("record", "append the decision to the server's decision log (needs --log)",
                           {"type": "boolean", "default": False}),
                    _query("by", "with record: who ran it, recorded as given and shown as self-declared "
                                 "(at most 200 characters)", {"type": "string"}),
                    _query("purpose", "with record: why it was run (at most 1000 characters)", {"type": "string"}),
                    _query("board_decision", "with record: the board decision it serves, e.g. "
                                             "\"RvC 2024-11-12 besluit 7\" (at most 200 characters)",
                           {"type": "string"})],
                "requestBody": case_body,
                "responses": {"200": {"description": "the result (`woningwet schema result`); header "
                                      "X-Woningwet-Compliant says whether the plan is compliant",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "413": too_big, "422": problems}}},
            "/api/report": {"post": {
                "summary": "The compliance memo, as `woningwet report` writes it",
                "parameters": common + [_query("format", "memo format",
                                               {"type": "string", "enum": ["md", "html", "pdf", "json"],
                                                "default": "md"})],
                "requestBody": case_body,
                "responses": {"200": {"description": "the memo", "content": {m: {} for m in MEDIA.values()}},
                              "413": too_big, "422": problems,
                              "503": {"description": "the PDF printer (headless Chromium) is missing or failed"}}}},
            "/api/compare": {"post": {
                "summary": "The same case under two dates: `woningwet compare --format json`",
                "parameters": [_query("at", "two dates: ?at=D1&at=D2", {"type": "array", "items": date}, True)]
                + common[1:],
                "requestBody": case_body,
                "responses": {"200": {"description": "what changed, and why",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "413": too_big, "422": problems}}},
            "/api/rules": {"get": {
                "summary": "The rules in force on a date (all rules without `at`), with dated citations",
                "parameters": common[:2],
                "responses": {"200": {"description": "rules",
                                      "content": {"application/json": {"schema": {"type": "object"}}}},
                              "422": problems}}},
            "/api/schema/case": {"get": {
                "summary": "JSON Schema of case files (`woningwet schema case`)",
                "responses": {"200": {"description": "JSON Schema",
                                      "content": {"application/json": {"schema": {"type": "object"}}}}}}},
            "/api/openapi.json": {"get": {"summary": "This description",
                                          "responses": {"200": {"description": "OpenAPI 3.1"}}}},
        },
        "components": {
            "schemas": {"Problems": {"type": "object", "required": ["error", "problems"], "properties": {
                "error": {"type": "string"},
                "problems": {"type": "array", "items": {"type": "object", "properties": {
                    "file": {"type": "string"}, "line": {"type": ["integer", "null"]},
                    "field": {"type": "string", "description": "dotted field path, empty for the whole file"},
                    "message": {"type": "string"}, "text": {"type": "string", "description": "as the CLI prints it"}}}}}}},
            "securitySchemes": {"token": {"type": "http", "scheme": "bearer",
                                          "description": "only when the server was started with --token"}},
        },
    }


ROUTES = [
    Route("/api/check", api_check, methods=["POST"]),
    Route("/api/report", api_report, methods=["POST"]),
    Route("/api/compare", api_compare, methods=["POST"]),
    Route("/api/rules", api_rules, methods=["GET"]),
    Route("/api/schema/case", api_schema_case, methods=["GET"]),
    Route("/api/openapi.json", api_openapi, methods=["GET"]),
]
