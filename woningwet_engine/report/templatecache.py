"""The memo templates' compiled code, kept in the engine's cache directory (diskcache.py)."""

from __future__ import annotations

import jinja2


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in the engine's cache directory (diskcache.py: private files only).

    Compiling memo.html.j2 took about a third of a `woningwet report --format html`. jinja2 checks
    each stored template against the checksum of its source and the Python version; the file name
    adds the jinja2 version and the environment (HTML or Markdown), whose settings shape the code."""

    def __init__(self, flavour: str) -> None:
        self.flavour = flavour

    def _file(self, bucket: jinja2.bccache.Bucket) -> str:
        import hashlib

        key = f"{jinja2.__version__}\0{self.flavour}\0{bucket.key}".encode()
        return f"template-{hashlib.sha256(key).hexdigest()[:32]}.jinja"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from ..diskcache import read

        data = read(self._file(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        from ..diskcache import write

        write(self._file(bucket), bucket.bytecode_to_string())
