"""Generate the student notebooks in exercises/ from the sources in solutions/.

    python tools/exercises.py generate [ASSIGNMENT ...]   # rewrite exercises/<a>/
    python tools/exercises.py check [ASSIGNMENT ...]      # exit 1 if exercises/ is stale

Both run nbgrader's own generate_assignment (through its API) in a temporary
copy of the course, so no gradebook.db or other nbgrader state is left in the working
tree. Without names they handle every assignment (every folder of solutions/).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "solutions"
RELEASE = "exercises"


def known_assignments() -> list[str]:
    return sorted(p.name for p in (ROOT / SOURCE).iterdir() if p.is_dir() and not p.name.startswith("."))


def release_into(names: list[str], course: Path) -> Path:
    """Run nbgrader's generate_assignment for `names` in a copy of the course at `course`.

    One process through nbgrader's own API: the same converter as the
    command, without starting nbgrader once per assignment.
    """
    shutil.copy2(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    for name in names:
        shutil.copytree(ROOT / SOURCE / name, course / SOURCE / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    # nbgrader runs `alembic` from PATH when it creates its gradebook
    os.environ["PATH"] = os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    for name in names:
        done = api.generate_assignment(name, force=True)
        if not done["success"]:
            sys.stderr.write(done.get("log", "") + (done.get("error") or ""))
            sys.exit(f"exercises.py: nbgrader generate_assignment {name} failed (see above)")
    return course / RELEASE


def notebook_view(path: Path) -> dict:
    """What must match between two versions of a notebook."""
    nb = nbformat.read(path, as_version=4)
    cells = [(c.cell_type, c.source, c.metadata) for c in nb.cells]
    return {"metadata": nb.metadata, "cells": cells}


def differences(names: list[str], fresh: Path) -> list[str]:
    """Notebooks of exercises/ that differ from the `fresh` release, with the reason."""
    problems = []
    for name in names:
        new_dir, old_dir = fresh / name, ROOT / RELEASE / name
        new = {p.relative_to(new_dir) for p in new_dir.rglob("*.ipynb")}
        old = {p.relative_to(old_dir) for p in old_dir.rglob("*.ipynb")} if old_dir.is_dir() else set()
        for rel in sorted(new | old):
            shown = Path(RELEASE) / name / rel
            if rel not in old:
                problems.append(f"{shown}: missing")
            elif rel not in new:
                problems.append(f"{shown}: not generated from {SOURCE}/{name}")
            elif notebook_view(new_dir / rel) != notebook_view(old_dir / rel):
                problems.append(f"{shown}: differs from {SOURCE}/{name}/{rel}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("command", choices=["generate", "check"])
    parser.add_argument("assignments", nargs="*", metavar="ASSIGNMENT")
    args = parser.parse_args(argv)

    known = known_assignments()
    unknown = [a for a in args.assignments if a not in known]
    if unknown:
        print(
            f"exercises.py: unknown assignment {', '.join(map(repr, unknown))}; the known ones are the "
            f"folders of {SOURCE}/: {', '.join(known) or '(none)'}. Run `python tools/exercises.py "
            f"{args.command}` without names to handle them all.",
            file=sys.stderr,
        )
        return 2
    names = args.assignments or known

    with tempfile.TemporaryDirectory(prefix="exercises-") as tmp:
        fresh = release_into(names, Path(tmp))
        if args.command == "check":
            problems = differences(names, fresh)
            release = ROOT / RELEASE
            stale = [] if args.assignments or not release.is_dir() else sorted(
                p.name for p in release.iterdir()
                if p.is_dir() and p.name not in known and p.name[0] not in "._"
            )
            problems += [f"{RELEASE}/{s}: no {SOURCE}/{s} to generate it from" for s in stale]
            if problems:
                print("exercises/ is out of date with solutions/:", *problems, sep="\n  ")
                print("Run `python tools/exercises.py generate` and commit the result.")
                return 1
            print(f"exercises/ matches solutions/ ({', '.join(names)})")
            return 0
        for name in names:
            target = ROOT / RELEASE / name
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(fresh / name, target)
            print(f"generated {RELEASE}/{name}/ from {SOURCE}/{name}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
