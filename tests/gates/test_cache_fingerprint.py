"""The rulebook pickle cache is keyed by the code of every module whose classes are in the pickle."""

from __future__ import annotations

import pickle
import pickletools
from pathlib import Path

from woningwet_engine.rulebook import cache, load_rulebook

PACKAGE = Path(cache.__file__).resolve().parents[1]


def _modules_in_pickle(data: bytes) -> set[str]:
    """Module names of the classes and functions a pickle refers to (GLOBAL / STACK_GLOBAL)."""
    found, strings = set(), []
    for op, arg, _ in pickletools.genops(data):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            found.add(strings[-2])
        elif op.name == "GLOBAL":
            found.add(arg.split(" ")[0])
    return found


def test_every_pickled_module_is_in_the_code_fingerprint(monkeypatch):
    data = pickle.dumps(load_rulebook(), protocol=pickle.HIGHEST_PROTOCOL)
    ours = sorted(m for m in _modules_in_pickle(data) if m.startswith("woningwet_engine"))
    assert "woningwet_engine.rulebook.loader" in ours  # the reader finds the classes at all
    hashed: list[str] = []
    real_read = Path.read_bytes

    def spy(self):
        hashed.append(str(self.resolve()))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    cache._code_fingerprint()
    for module in ours:
        path = PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")
        if not path.exists():
            path = path.with_suffix("") / "__init__.py"
        assert str(path.resolve()) in hashed, f"{module} is pickled but not in rulebook/cache._code_fingerprint"
