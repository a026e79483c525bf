"""`woningwet serve`: the web app and HTTP API (Starlette on uvicorn, server-rendered jinja2 pages).

service.py runs every engine call on one dedicated thread (durable_rules is never entered from two
threads at once, and a slow case does not block the event loop that serves pages); security.py holds
the request-size limit, the optional token and the security headers; api.py is the HTTP API, pages.py
the HTML pages, forms.py the case form generated from the case JSON Schema, cli.py the command.
"""
