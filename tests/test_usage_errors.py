"""click's usage errors in the reader's language (usage.py): every kind of command line click refuses,
said in Dutch by default and in English with --lang en; exit 2, nothing written, no English prose in
the Dutch text nor Dutch in the English (the detector of test_error_words), help still click's."""

from __future__ import annotations

import os
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from woningwet_engine import i18n
from woningwet_engine.cli import ENGLISH_GROUPS, main

from test_error_words import offences

ROOT = Path(__file__).resolve().parents[1]
CASE = str(ROOT / "cases" / "kanaleneiland-2016.yaml")
# the usage line's own English words (click's "Usage:", "[OPTIONS]", argument names)
USAGE_ENGLISH = {"usage", "try", "help", "options", "command", "args", "cases", "case", "units", "for"}

# (kind, command line, what Dutch says, what English says)
KINDS = [
    ("missing option", ["compare", CASE], "de optie '--at' ontbreekt", "missing option '--at'"),
    ("missing argument", ["check"], "het argument CASUSBESTAND... ontbreekt", "missing argument CASES..."),
    ("no such option", ["check", CASE, "--formt", "json"],
     "onbekende optie '--formt'; bedoelt u '--format'?", "no such option '--formt'; did you mean '--format'?"),
    ("no such command", ["chek", CASE], "onbekende opdracht 'chek'; bedoelt u 'check' of 'schema'?",
     "no such command 'chek'; did you mean 'check' or 'schema'?"),
    ("a choice", ["check", CASE, "--format", "jsn"],
     "ongeldige waarde voor '--format': 'jsn'; kies uit 'text', 'json'; bedoelt u 'json'?",
     "invalid value for '--format': 'jsn'; choose from 'text', 'json'; did you mean 'json'?"),
    ("a range", ["check", CASE, "--width", "5"], "ongeldige waarde voor '--width': '5'; geef een getal van 60 "
     "tot en met 1000", "invalid value for '--width': '5'; give a number from 60 to 1000"),
    ("a repeated option", ["compare", CASE, "--at", "2016-06-01", "--at", "2022-01-01", "--format", "pdf"],
     "'pdf'; kies uit", "'pdf'; choose from"),
    ("a file for a directory", ["check", CASE, "--rules", CASE],
     f"ongeldige waarde voor '--rules': '{CASE}'; dat is een bestand; geef een map",
     f"invalid value for '--rules': '{CASE}'; that is a file; give a directory"),
    ("a directory for a file", ["stock", str(ROOT), "--at", "2016-06-01"],
     f"ongeldige waarde voor EENHEDENBESTAND: '{ROOT}'; dat is een map; geef een bestand",
     f"invalid value for UNITS: '{ROOT}'; that is a directory; give a file"),
    ("an option without its value", ["check", CASE, "--at"], "de optie '--at' heeft een waarde nodig",
     "option '--at' needs a value"),
    ("a flag with a value", ["check", CASE, "--quiet=yes"], "de optie '--quiet' krijgt geen waarde",
     "option '--quiet' takes no value"),
    ("an extra argument", ["report", CASE, "extra"], "een argument te veel: 'extra'",
     "unexpected extra argument: 'extra'"),
    ("extra arguments", ["audit", "show", "1", "2", "3"], "te veel argumenten: '2', '3'",
     "unexpected extra arguments: '2', '3'"),
    ("the group's own option", ["--x"], "onbekende optie '--x'", "no such option '--x'"),
]


def invoke(args: list[str], cwd: Path):
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, args, prog_name="woningwet")
    finally:
        os.chdir(old)


def _usage_offences(text: str, lang: str) -> list[str]:
    """Words of the other language, leaving out paths and the command's own name (`woningwet schema case`)."""
    import re

    text = re.sub(r"woningwet(?: [a-z][a-z-]*)*", " ", text)
    found = offences(text, lang, {CASE, str(ROOT)})
    if lang == "nl":  # the usage line: click's English words, also inside [..] (test_error_words skips brackets)
        found += sorted(set(re.findall(r"[a-z]+", text.replace(CASE, " ").replace(str(ROOT), " ").lower()))
                        & USAGE_ENGLISH)
    return found


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("kind, args, nl, en", KINDS, ids=[k[0] for k in KINDS])
def test_every_usage_error_is_said_in_the_readers_language(kind, args, nl, en, lang, tmp_path):
    if lang == "en":  # before a last option that lacks its value, which would take it
        args = args[:-1] + ["--lang", "en"] + args[-1:] if args[-1] == "--at" else args + ["--lang", "en"]
    res = invoke(args, tmp_path)
    assert res.exit_code == 2, res.output
    assert res.stdout == "" and list(tmp_path.iterdir()) == []  # nothing written
    said = res.stderr
    assert (nl if lang == "nl" else en) in said, said
    assert "Traceback" not in said and "Error:" not in said
    assert not _usage_offences(said, lang), (_usage_offences(said, lang), said)
    error = said.rstrip("\n").split("\n")[-1]
    assert error.startswith("fout: " if lang == "nl" else "error: "), said


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_usage_line_names_the_command_and_its_help_works(lang, tmp_path):
    extra = ["--lang", "en"] if lang == "en" else []
    res = invoke(["compare", CASE, *extra], tmp_path)
    usage, hint, blank, error = res.stderr.rstrip("\n").split("\n")
    if lang == "nl":
        assert usage == "Gebruik: woningwet compare [OPTIES] CASUSBESTAND" and blank == "", res.stderr
        assert hint == "Zie 'woningwet compare -h' voor uitleg."
    else:
        assert usage == "Usage: woningwet compare [OPTIONS] CASE_FILE" and blank == "", res.stderr
        assert hint == "Try 'woningwet compare -h' for help."
    helped = invoke(hint.split("'")[1].split()[1:], tmp_path)  # the command the hint names
    assert helped.exit_code == 0 and helped.output.startswith("Usage: woningwet compare "), helped.output


def test_an_invalid_lang_is_said_in_dutch(tmp_path):
    res = invoke(["check", CASE, "--lang", "fr"], tmp_path)
    assert res.exit_code == 2 and "fout: ongeldige waarde voor '--lang': 'fr'; kies uit 'nl', 'en'" in res.stderr


def _leaf_commands(group: click.Group, ctx: click.Context, path: tuple = ()):
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            yield from _leaf_commands(cmd, ctx, path + (name,))
        else:
            yield path + (name,), cmd


LEAVES = list(_leaf_commands(main, click.Context(main)))


def test_every_command_is_reached_by_the_sweep():
    names = {" ".join(p) for p, _ in LEAVES}
    assert {"check", "report", "compare", "audit replay", "stock judge", "rules show", "schema case"} <= names


@pytest.mark.parametrize("path", [p for p, _ in LEAVES], ids=[" ".join(p) for p, _ in LEAVES])
def test_every_command_says_an_unknown_option_in_the_readers_language(path, tmp_path):
    """Dutch by default, English with --lang en; the rulebook developers' commands (`rules`) in English."""
    english_only = path[0] in ENGLISH_GROUPS
    for lang, extra in (("nl", []), ("en", ["--lang", "en"])):
        res = invoke([*path, "--zzqx", *extra], tmp_path)
        said = "en" if english_only else lang
        assert res.exit_code == 2, res.output
        first, error = res.stderr.split("\n")[0], res.stderr.rstrip("\n").split("\n")[-1]
        assert first.startswith(("Gebruik: " if said == "nl" else "Usage: ") + "woningwet " + " ".join(path)), \
            res.stderr
        assert error == ("fout: onbekende optie '--zzqx'" if said == "nl"
                         else "error: no such option '--zzqx'"), res.stderr
        assert not _usage_offences(res.stderr, said), res.stderr
    assert list(tmp_path.iterdir()) == []


def test_every_argument_has_words_in_every_language():
    """A new command's argument without a name in the catalogue would show its code in the usage line."""
    arguments = {p.name for _, cmd in LEAVES for p in cmd.params if isinstance(p, click.Argument)}
    assert {"cases", "case", "rule_id"} <= arguments
    for lang in i18n.LANGS:
        assert arguments <= set(i18n.section(lang, "usage_metavar")), lang


@pytest.mark.parametrize("args", [["-h"], ["check", "-h"], ["check", "--help"], ["stock", "-h"], ["audit", "replay",
                                                                                                   "-h"]])
def test_help_is_still_clicks(args, tmp_path):
    res = invoke(args, tmp_path)
    assert res.exit_code == 0 and res.output.startswith("Usage: woningwet"), res.output
