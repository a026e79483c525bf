"""Error types. Input problems are collected, never swallowed, and carry file, line and field path.

A problem says what is wrong as one or more sentences of the catalogue (section `input_error` of
`woningwet_engine/i18n/<lang>.yaml`): a key and the fields it names, like the audit log's findings.
`Problem.text(lang)` says it in the reader's language (the CLI in the command's `--lang`, Dutch by
default; the web app in the page's language); `str()` and `.message` stay English, for programs and
logs. A problem made with free text (`Problem(file, path, message)`) is said as written in every
language: that form is left for the reports of `rules check` and `rules coverage`, which speak to
the rulebook's developers in English.
"""

from __future__ import annotations

import errno
import stat
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Say:
    """One sentence of the catalogue's `input_error` section: its key and the fields it names. A field
    may itself say something (a Say: a file kind, an OS reason; hints.Choices: allowed values in words)."""

    key: str
    fields: tuple[tuple[str, object], ...] = ()

    @classmethod
    def of(cls, key: str, /, **fields) -> Say:
        return cls(key, tuple(fields.items()))

    def render(self, lang: str) -> str:
        from .i18n import text

        values = {k: v.render(lang) if hasattr(v, "render") else v for k, v in self.fields}
        return text(lang, f"input_error.{self.key}", **values)

    def __str__(self) -> str:  # in an f-string of English text (logs, programs)
        return self.render("en")


class EnglishOnly:
    """A reason given in English only (a validator of the rule files' models, Python's parser): said
    after a colon in English, left out in another language, where the sentence around it says what
    is wrong."""

    def __init__(self, text: str):
        self.text = text

    def render(self, lang: str) -> str:
        return f": {self.text}" if lang == "en" and self.text else ""


def file_kind(mode: int) -> Say:
    """What a path is, for 'not a regular file' errors (in English in an f-string)."""
    for test, name in ((stat.S_ISDIR, "directory"), (stat.S_ISFIFO, "fifo"), (stat.S_ISCHR, "char_device"),
                       (stat.S_ISBLK, "block_device"), (stat.S_ISSOCK, "socket"), (stat.S_ISLNK, "symlink")):
        if test(mode):
            return Say.of(f"file_kind.{name}")
    return Say.of("file_kind.other")


_OS_REASONS = {errno.ENOENT: "enoent", errno.ENOTDIR: "enotdir", errno.EISDIR: "eisdir", errno.EACCES: "eacces",
               errno.EPERM: "eperm", errno.ENAMETOOLONG: "enametoolong", errno.EROFS: "erofs",
               errno.ENOSPC: "enospc", errno.EDQUOT: "edquot", errno.ELOOP: "eloop", errno.EXDEV: "exdev",
               errno.EIO: "eio"}


def os_reason(exc: OSError) -> Say:
    """The OS error in words, without a traceback (for input and output errors); another error is
    named by its number (the OS's own text is English only)."""
    key = _OS_REASONS.get(exc.errno)
    if key is None:
        return Say.of("os.other", code=errno.errorcode.get(exc.errno or 0, str(exc.errno)))
    return Say.of(f"os.{key}")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file: where it is and what was expected."""

    file: str
    path: str  # dotted field path, '' for the whole document
    message: str  # English (programs, logs); people read text(lang)
    line: int | None = None
    says: tuple[Say, ...] = ()  # the message as catalogue sentences, joined by '; '
    where: Say | None = None  # the path in words, when it is not a field path (a record, a row)

    @classmethod
    def of(cls, file: str, path: str, key: str, /, line: int | None = None, where: Say | None = None,
           **fields) -> Problem:
        """A problem said by the catalogue sentence `key` with `fields`."""
        say = Say.of(key, **fields)
        return cls(file, str(where) if where is not None else path, say.render("en"), line, (say,), where)

    def also(self, key: str, /, **fields) -> Problem:
        """This problem with one more sentence (a hint: did you mean, how to write a date)."""
        say = Say.of(key, **fields)
        message = f"{self.message}; {say.render('en')}"
        return replace(self, message=message, says=self.says + (say,) if self.says else ())

    def what(self, lang: str = "en") -> str:
        """What is wrong, in `lang` (without the place)."""
        if not self.says:
            return self.message
        return "; ".join(s.render(lang) for s in self.says)

    def place(self, lang: str = "en") -> str:
        """The field path, or the place in words (a record, a row) in `lang`; '' for the whole file."""
        return self.where.render(lang) if self.where is not None else self.path

    def text(self, lang: str = "en") -> str:
        """The whole problem for a person: file, line, field and what is wrong, in `lang`."""
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        path = self.place(lang)
        field = f" [{path}]" if path else ""
        return f"{where}{field}: {self.what(lang)}"

    def __str__(self) -> str:  # for programs and logs: the English message, as it always read
        where = self.file + (f":{self.line}" if self.line is not None else "")
        return f"{where}{f' [{self.path}]' if self.path else ''}: {self.message}"


def invalid(key: str, /, **fields) -> Exception:
    """For a model validator: the error to raise so that pydantic reports the catalogue sentence
    `key` (hints.error_says finds it in the error's context)."""
    from pydantic_core import PydanticCustomError

    say = Say.of(key, **fields)
    return PydanticCustomError("woningwet." + key, str(say).replace("{", "(").replace("}", ")"), {"say": say})


class InputError(Exception):
    """A case, rule or parameter file is unusable. Holds one Problem per defect (CLI exit code 2)."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def of(cls, file: str, path: str, key: str, /, line: int | None = None, where: Say | None = None,
           **fields) -> InputError:
        """An InputError of one problem said by the catalogue sentence `key`."""
        return cls([Problem.of(file, path, key, line, where, **fields)])

    def frame(self, lang: str = "nl") -> str:
        """The first line: how many problems there are, in `lang`."""
        from .i18n import text

        n = len(self.problems)
        return text(lang, "input_error.frame_one" if n == 1 else "input_error.frame_many", n=n)

    def lines(self, lang: str = "nl") -> list[str]:
        """The frame and one line per problem, for a person reading `lang`."""
        return [self.frame(lang)] + [f"  {p.text(lang)}" for p in self.problems]


class EngineError(Exception):
    """The inference engine failed or disagreed with the reference evaluator. Never swallowed."""
