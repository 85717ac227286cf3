"""Rewrite the chapters' ``{glue:text}`` roles as ``{eval}`` roles that JupyterLab can show too.

Usage: ``python tools/glue_to_eval.py [FILE ...]`` (default: chapters/*.md and intro.md).

It changes only two things, in place, and nothing else on any line:

* every role ``{glue:text}`NAME:SPEC``` becomes ``{eval}`f"{glued.NAME:SPEC}"```,
  and every ``{glue:text}`NAME``` becomes ``{eval}`glued.NAME``` (NAME a Python identifier);
* the line ``from myst_nb import glue`` becomes ``from actgrad.glue import glue``,
  whose ``glue`` also sets ``glued.NAME`` in the kernel (see actgrad/glue.py).

Running it again changes nothing. It stops, changing no file, on a ``{glue...}``
role of another kind or with a NAME that is not an identifier, naming the place.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEXT_ROLE = re.compile(r"\{glue:text\}`(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::(?P<spec>[^`]*))?`")
ANY_GLUE_ROLE = re.compile(r"\{glue(?::[a-z]+)?\}`[^`]*`")
IMPORT = re.compile(r"^from myst_nb import glue$", re.MULTILINE)


def as_eval(match: re.Match[str]) -> str:
    name, spec = match["name"], match["spec"]
    return f"{{eval}}`glued.{name}`" if spec is None else f'{{eval}}`f"{{glued.{name}:{spec}}}"`'


def convert(text: str) -> str:
    return IMPORT.sub("from actgrad.glue import glue", TEXT_ROLE.sub(as_eval, text))


def main(paths: list[Path]) -> int:
    converted = {}
    for path in paths:
        new = convert(path.read_text(encoding="utf-8"))
        for left in ANY_GLUE_ROLE.finditer(new):
            line = new.count("\n", 0, left.start()) + 1
            print(f"{path}:{line}: cannot rewrite {left[0]}", file=sys.stderr)
            return 1
        converted[path] = new
    for path, new in converted.items():
        if new != path.read_text(encoding="utf-8"):
            path.write_text(new, encoding="utf-8")
            print(f"rewrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    files = [Path(arg).resolve() for arg in sys.argv[1:]]
    sys.exit(main(files or sorted((ROOT / "chapters").glob("*.md")) + [ROOT / "intro.md"]))
