"""Build hook: the wheel carries the rulebook.

The top-level rules/ directory stays the one source of the rules; building a wheel copies it into
the package as woningwet_engine/_rules/, where an installed `woningwet` finds it
(rulebook/loader.py DEFAULT_RULES_DIR). Everything else is declared in pyproject.toml.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

RULES = Path(__file__).resolve().parent / "rules"


class build_py_with_rules(build_py):  # noqa: N801 (setuptools command naming)
    def run(self):
        super().run()
        target = Path(self.build_lib) / "woningwet_engine" / "_rules"
        for src in sorted(RULES.rglob("*.yaml")):
            dst = target / src.relative_to(RULES)
            dst.parent.mkdir(parents=True, exist_ok=True)
            self.copy_file(str(src), str(dst))


setup(cmdclass={"build_py": build_py_with_rules})
