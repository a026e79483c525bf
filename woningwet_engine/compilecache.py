"""What importing the engine compiles, kept between CLI runs: class methods, forward references and
regular expressions.

Importing what `woningwet check` needs defines about 90 dataclasses (the engine's, pydantic's and
annotated_types') and about 80 pydantic models, and compiles about 55 regular expressions (PyYAML's,
the engine's, the standard library's). The standard library makes each dataclass's `__init__`,
`__repr__`, `__eq__`, `__setattr__` ... by compiling generated source text (`exec(text)` in
`dataclasses`); every string annotation pydantic resolves becomes a `typing.ForwardRef`, which
compiles its text too; and `re` translates each pattern into its matcher's code in pure Python
(PyYAML's test for non-printable characters alone takes ~4 ms). Together that was ~20% of the
command's CPU time, producing the same results in every run. Python keeps the byte code of modules
on disk (`.pyc`), but not of these.

`install()` lets those three call sites look the result up by its exact input in a table read from
the cache directory; anything not in it is compiled as before and the table is written back when
the command ends (`save()`):
- `dataclasses`' and `typing`'s compilations by (mode, file name, source text): the code objects are
  what `compile` makes of that text with flags 0 and no inherited `__future__` features, as in the
  standard library's own calls (neither module has future imports);
- `re`'s by (type, pattern, flags): the matcher code, group count and group names that
  `re._compiler.compile` hands to `_sre.compile` (the same arguments give the same pattern object).
Only the command-line process installs it (cli.Group.__call__), never a library caller or the test
runner's in-process CLI.

The table holds code, so it is used only under diskcache's rules (private directory and file); its
name carries the interpreter's cache tag and the file starts with the bytecode magic number and
the regular-expression engine's version.
"""

from __future__ import annotations

import builtins
import marshal
import sys
from importlib.util import MAGIC_NUMBER

from . import diskcache

_FILE = f"compilecache-{sys.implementation.cache_tag}.marshal"
_MOST = 20_000  # entries; a table grown past this (many code versions) is started again

_table: dict[tuple, object] = {}
_new: dict[tuple, object] = {}
_installed = False


def _header() -> bytes:
    import _sre

    return MAGIC_NUMBER + f"{_sre.MAGIC}:{_sre.CODESIZE}\0".encode()


def _compiled(source: str, filename: str, mode: str):
    key = (mode, filename, source)
    code = _table.get(key)
    if code is None:
        code = builtins.compile(source, filename, mode, 0, True)
        _table[key] = _new[key] = code
    return code


def _exec(source, globals=None, locals=None, /):
    """`exec` as dataclasses calls it (generated method source, a globals and a namespace dict)."""
    if type(source) is str:
        source = _compiled(source, "<string>", "exec")
    return builtins.exec(source, globals, locals)


def _compile(source, filename, mode, *rest, **options):
    """`compile` as typing.ForwardRef calls it; any other use goes to the built-in unchanged."""
    if rest or options or type(source) is not str:
        return builtins.compile(source, filename, mode, *rest, **options)
    return _compiled(source, filename, mode)


def _regex(compiler):
    """re._compiler.compile(pattern, flags) through the table (patterns as text or bytes only)."""
    import _sre
    from re import _parser

    compile_pattern = compiler.compile

    def compile(p, flags=0):
        if type(p) not in (str, bytes) or flags & _parser.SRE_FLAG_DEBUG:
            return compile_pattern(p, flags)
        key = ("re", type(p).__name__, p, int(flags))  # plain ints: marshal stores no RegexFlag or re._ZeroSentinel
        args = _table.get(key)
        if args is None:
            parsed = _parser.parse(p, flags)  # what re._compiler.compile does, keeping its arguments
            groupindex = dict(parsed.state.groupdict)
            indexgroup = [None] * parsed.state.groups
            for name, i in groupindex.items():
                indexgroup[i] = name
            args = (int(flags | parsed.state.flags), [int(c) for c in compiler._code(parsed, flags)],
                    parsed.state.groups - 1, groupindex, tuple(indexgroup))
            _table[key] = _new[key] = args
        return _sre.compile(p, *args)

    compile.original = compile_pattern  # for the tests: what the table's entries must equal
    return compile


def install() -> None:
    """Route the three compilations through the table (once per process; no-op with
    WONINGWET_NO_CACHE=1). Call it before the modules that define the classes are imported."""
    global _installed
    if _installed or not diskcache.enabled():
        return
    import dataclasses
    import typing
    from re import _compiler

    if "exec" in vars(dataclasses) or "compile" in vars(typing) or _compiler.compile.__module__ != _compiler.__name__:
        return  # someone else already replaced one of them: leave all alone
    data = diskcache.read(_FILE)
    header = _header()
    if data is not None and data.startswith(header):
        try:
            table = marshal.loads(data[len(header):])
        except Exception:  # damaged: compile instead
            table = None
        if type(table) is dict and len(table) <= _MOST:
            _table.update(table)
    dataclasses.exec = _exec
    typing.compile = _compile
    _compiler.compile = _regex(_compiler)
    _installed = True


def save() -> None:
    """Write the table back if this run compiled something new (first run, or changed classes)."""
    if not _new:
        return
    table = dict(_new) if len(_table) > _MOST else _table
    try:
        diskcache.write(_FILE, _header() + marshal.dumps(table))
    except ValueError:  # not marshal-able (cannot happen for these; the cache is optional)
        return
    _new.clear()


def compiled_this_run() -> int:
    """How many inputs this process compiled rather than found in the table (tests, benchmarks)."""
    return len(_new)
