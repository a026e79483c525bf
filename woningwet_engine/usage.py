"""click's usage errors said in the reader's language.

click reports a command line it cannot parse (an unknown or missing option, a bad value, an extra
argument) in English. The CLI's group catches those errors (cli.Group) and says them here from the
exception's own fields (the parameter, the option name, click's close matches, the context) through
the catalogue (sections `usage` and `usage_metavar`), in the shape click uses: the usage line, where
to find help, and the error. Exit code 2, as click's. Help itself (-h, a group without a command) is
click's and stays as it is.
"""

from __future__ import annotations

import difflib
import os

import click

from .i18n import section, text

# click raises this for a group called without a command: it shows the help, which is not an error
from click.exceptions import NoArgsIsHelpError  # noqa: E402


def is_help(exc: click.UsageError) -> bool:
    return isinstance(exc, NoArgsIsHelpError)


def lang_in(argv: list[str]) -> str | None:
    """The language asked for with --lang on the command line (the last one, as click takes it), or
    None: parsing failed, so the option's own value cannot be trusted to have been read."""
    found = None
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = arg[len("--lang="):] if arg.startswith("--lang=") else \
            argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if value in ("nl", "en"):
            found = value
    return found


def lines(exc: click.UsageError, argv: list[str], lang: str) -> list[str]:
    """What the reader sees on standard error: the usage line and the help hint (when the failing
    command is known), an empty line, and the error."""
    ctx = exc.ctx
    out = []
    if ctx is not None:
        out.append(text(lang, "usage.line", command=ctx.command_path, pieces=" ".join(_pieces(ctx, lang))))
        names = ctx.command.get_help_option_names(ctx)
        if names:
            out.append(text(lang, "usage.help", command=ctx.command_path,
                            option="-h" if "-h" in names else max(names, key=len)))
        out.append("")
    out.append(text(lang, "usage.error", what=what(exc, argv, lang)))
    return out


def what(exc: click.UsageError, argv: list[str], lang: str) -> str:
    """The error itself, from the exception's fields."""
    ctx = exc.ctx
    if isinstance(exc, click.MissingParameter) and exc.param is not None:
        return _missing(exc.param, ctx, lang)
    if isinstance(exc, click.BadParameter) and exc.param is not None:
        return _bad_value(exc.param, ctx, argv, lang)
    if isinstance(exc, click.NoSuchOption):
        return _with_matches(text(lang, "usage.no_such_option", name=_quote(exc.option_name)),
                             exc.possibilities, lang)
    if isinstance(exc, click.exceptions.NoSuchCommand):
        return _with_matches(text(lang, "usage.no_such_command", name=_quote(exc.command_name)),
                             exc.possibilities, lang)
    if isinstance(exc, click.BadOptionUsage):
        name = exc.option_name
        given_value = any(a.startswith(f"{name}=") for a in argv)
        return text(lang, "usage.takes_no_value" if given_value else "usage.needs_value", name=_quote(name))
    if ctx is not None and type(exc) is click.UsageError:
        extra = _extra_args(ctx, argv)
        if extra:
            key = "usage.extra_one" if len(extra) == 1 else "usage.extra_many"
            return text(lang, key, args=", ".join(_quote(a) for a in extra))
        if isinstance(ctx.command, click.Group):
            return text(lang, "usage.missing_command")
    return text(lang, "usage.other")


# ------------------------------------------------------------------ the parts

def _quote(value) -> str:
    return f"'{value}'"


def _pieces(ctx: click.Context, lang: str) -> list[str]:
    """The usage line after the command: options, the arguments in words, a group's command."""
    cmd = ctx.command
    out = [text(lang, "usage.options")] if cmd.options_metavar else []
    out += [_metavar(p, lang) for p in cmd.get_params(ctx) if isinstance(p, click.Argument)]
    if isinstance(cmd, click.Group):
        out.append(text(lang, "usage.command"))
    return out


def _metavar(param: click.Argument, lang: str) -> str:
    """An argument as the usage line shows it: its name in words, [optional], repeatable..."""
    name = section(lang, "usage_metavar").get(param.name) or param.name.upper()
    if param.nargs != 1:
        name += "..."
    return name if param.required else f"[{name}]"


def _param_name(param: click.Parameter, lang: str) -> str:
    if isinstance(param, click.Option):
        return _quote(max(param.opts, key=len))
    return _metavar(param, lang)


def _missing(param: click.Parameter, ctx, lang: str) -> str:
    kind = "usage.missing_option" if isinstance(param, click.Option) else "usage.missing_argument"
    said = text(lang, kind, name=_param_name(param, lang))
    if isinstance(param.type, click.Choice):
        said += "; " + _choose_from(param.type, lang)
    return said


def _choose_from(choice: click.Choice, lang: str) -> str:
    return text(lang, "usage.choose_from", choices=", ".join(_quote(c) for c in choice.choices))


def _with_matches(said: str, matches, lang: str) -> str:
    matches = list(matches or ())
    if not matches:
        return said
    return f"{said}; " + text(lang, "usage.did_you_mean", names=text(lang, "usage.or").join(
        _quote(m) for m in matches))


def _command_args(ctx: click.Context, argv: list[str]) -> list[str]:
    """The arguments the failing command was given: what follows its name on the command line (its
    groups take flags only, so the first token with a command's name is that command; a command a
    group chose itself, like stock's judge, starts where its group's arguments start)."""
    chain = []
    while ctx is not None:
        chain.append(ctx)
        ctx = ctx.parent
    pos = 0
    for c in reversed(chain[:-1]):
        if c.info_name in argv[pos:]:
            pos = argv.index(c.info_name, pos) + 1
    return argv[pos:]


def _parsed(ctx: click.Context, argv: list[str]):
    """The failing command's command line parsed again, without converting any value: (raw values by
    parameter name, the arguments left over), or None."""
    try:
        opts, extra, _ = ctx.command.make_parser(ctx).parse_args(args=_command_args(ctx, argv))
    except click.UsageError:
        return None
    return opts, extra


def _extra_args(ctx: click.Context, argv: list[str]) -> list[str]:
    parsed = _parsed(ctx, argv)
    return list(parsed[1]) if parsed else []


def _raw_value(param: click.Parameter, ctx, argv: list[str]):
    """The value given for `param` that its type refused (of a repeated option, the first refused),
    from the command line or the option's environment variable; None if it cannot be found."""
    parsed = _parsed(ctx, argv) if ctx is not None else None
    value = parsed[0].get(param.name) if parsed else None
    if not isinstance(value, (str, list, tuple)) and getattr(param, "envvar", None):
        value = os.environ.get(param.envvar) if isinstance(param.envvar, str) else None
    if isinstance(value, (list, tuple)):
        for item in value:
            try:
                param.type.convert(item, param, ctx)
            except click.BadParameter:
                return item
        return None
    return value if isinstance(value, str) else None


def _bad_value(param: click.Parameter, ctx, argv: list[str], lang: str) -> str:
    value = _raw_value(param, ctx, argv)
    name = _param_name(param, lang)
    said = text(lang, "usage.bad_value", name=name, value=_quote(value)) if value is not None else \
        text(lang, "usage.bad_value_unknown", name=name)
    why = _why(param.type, value, lang)
    return f"{said}; {why}" if why else said


def _why(kind: click.ParamType, value: str | None, lang: str) -> str | None:
    """Why the type refused the value, and what it takes instead."""
    if isinstance(kind, click.Choice):
        said = _choose_from(kind, lang)
        close = difflib.get_close_matches(value, [str(c) for c in kind.choices], n=1) if value else []
        return _with_matches(said, close, lang)
    if isinstance(kind, (click.IntRange, click.FloatRange)):
        lo, hi = kind.min, kind.max
        if lo is not None and hi is not None:
            return text(lang, "usage.between", lo=lo, hi=hi)
        return text(lang, "usage.at_least", lo=lo) if lo is not None else text(lang, "usage.at_most", hi=hi)
    if isinstance(kind, click.types.IntParamType):
        return text(lang, "usage.integer")
    if isinstance(kind, click.types.FloatParamType):
        return text(lang, "usage.number")
    if isinstance(kind, click.Path) and value is not None:
        if not os.path.lexists(value):
            return text(lang, "usage.path_missing")
        if os.path.isdir(value) and not kind.dir_okay:
            return text(lang, "usage.path_is_dir")
        if not os.path.isdir(value) and not kind.file_okay:
            return text(lang, "usage.path_is_file")
        return text(lang, "usage.path_unusable")
    return None
