"""What a student submitted, read before grading, and what the graded notebook says."""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory

from grading import sandbox


@dataclass
class Plan:
    """What will be graded for one student, and what the log should tell the instructor."""

    student: str
    folder: Path
    notebooks: dict[str, Path] = field(default_factory=dict)  # expected name -> submitted file
    messages: list[str] = field(default_factory=list)


def grade_ids(path: Path) -> set[str] | None:
    """The nbgrader grade_ids in the notebook at `path`, or None if it cannot be read."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # noqa: BLE001 -- any unreadable file is simply "not a candidate"
        return None
    return {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells} - {None}


def read_notebook(path: Path) -> tuple[nbformat.NotebookNode | None, str | None]:
    """The notebook at `path`, or None and why it cannot be graded."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        return None, f"cannot be read ({err})"
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return None, f"is not valid JSON ({err})"
    try:
        nb = nbformat.reads(text, as_version=4)
        nbformat.validate(nb)
    except Exception as err:  # noqa: BLE001 -- nbformat raises several kinds
        return None, f"is not a valid notebook ({str(err).splitlines()[0]})"
    return nb, None


def released_tests(release: Path, names: list[str]) -> dict[str, dict[str, nbformat.NotebookNode]]:
    """``{notebook name: {grade_id: test cell}}`` of the released (student) notebooks in `release`."""
    tests = {}
    for name in names:
        path = release / f"{name}.ipynb"
        cells = nbformat.read(path, as_version=4).cells if path.is_file() else []
        tests[name] = {c.metadata["nbgrader"]["grade_id"]: c for c in cells
                       if c.metadata.get("nbgrader", {}).get("grade")
                       and c.metadata["nbgrader"].get("locked")}
    return tests


def cell_changes(submitted: nbformat.NotebookNode, released: dict[str, nbformat.NotebookNode],
                 cells: set[str]) -> list[str]:
    """Messages about the `released` test cells (grade_id -> cell) that `submitted` deleted or edited."""
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in submitted.cells}
    messages = []
    for grade_id, cell in released.items():
        if grade_id not in cells:
            continue
        if grade_id not in by_id:
            messages.append(f"test cell {grade_id} was deleted: nbgrader put it back and ran it")
        elif by_id[grade_id].source.strip() != cell.source.strip():
            messages.append(f"test cell {grade_id} was edited: nbgrader ran the original")
    return messages


def plan_submission(folder: Path, expected: dict[str, set[str]],
                    released: dict[str, dict[str, nbformat.NotebookNode]]) -> Plan:
    """Which file to grade as which notebook, and what is wrong with the submission in `folder`.

    `expected` maps the assignment's notebooks to their graded cells; `released`
    holds their test cells as handed out (`released_tests`).
    """
    plan = Plan(student=folder.parent.name, folder=folder)
    if odd := sandbox.not_plain(folder):
        plan.messages.append(f"holds {odd[0]}, a link or special file: nothing is graded "
                             "(links could read the course's files); ask for plain files")
        return plan
    present = {p.stem: p for p in sorted(folder.glob("*.ipynb"))}
    unknown = {stem: p for stem, p in present.items() if stem not in expected}
    for name, cells in expected.items():
        path = present.get(name)
        if path is None:
            # a notebook saved under another name: graded if it is the one file that has this notebook's cells
            candidates = [p for p in unknown.values() if (ids := grade_ids(p)) and ids & cells]
            if len(candidates) == 1:
                path = candidates[0]
                unknown.pop(path.stem)
                plan.messages.append(f"'{path.name}' graded as {name}.ipynb (wrong file name)")
            else:
                plan.messages.append(f"no {name}.ipynb in the submission: every cell of it scores 0")
                continue
        nb, problem = read_notebook(path)
        if problem:
            plan.messages.append(f"{path.name} {problem}: nothing in it can be graded, it scores 0")
        else:
            plan.messages.extend(cell_changes(nb, released[name], cells))
        plan.notebooks[name] = path
    plan.messages.extend(f"'{p.name}' ignored: not a notebook of this assignment" for p in unknown.values())
    return plan


def fingerprint(folder: Path) -> str:
    """A digest of every file in a submission folder (names and contents)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def needs_grading(coursedir: CourseDirectory, assignment: str, student: str, force: bool,
                  ungradable: dict[str, dict]) -> bool:
    """nbgrader's own rule: not graded yet, or submitted again since (or `force`).

    A submission nbgrader could not grade leaves no autograded folder; it is
    tried again only if its files changed (`ungradable` remembers them).
    """
    dest = coursedir.format_path(coursedir.autograded_directory, student, assignment)
    if force:
        return True
    if not os.path.isdir(dest):
        src = Path(coursedir.format_path(coursedir.submitted_directory, student, assignment))
        return ungradable.get(student, {}).get("fingerprint") != fingerprint(src)
    src = coursedir.format_path(coursedir.submitted_directory, student, assignment)
    new, old = coursedir.get_existing_timestamp(src), coursedir.get_existing_timestamp(dest)
    return new is not None and old is not None and new > old


EXCEPTION_LINE = re.compile(r"^\s*((?:\w+\.)*\w+(?:Error|Exception|Exit)): (.*)$")


def failure_reason(result: dict) -> str:
    """One sentence for a notebook nbgrader could not grade, from its log."""
    text = result["log"] + result["error"]
    if "DeadKernelError" in text or "Kernel died" in text:
        return "the kernel died while running the notebook (the code exits or crashes Python): it scores 0"
    if "became unresponsive" in text or "CellTimeoutError" in text:
        return ("a cell ran past the time limit and did not stop when interrupted (a loop inside a C "
                "function, such as sum(range(10**13))): nothing could be graded, it scores 0; to give "
                "credit for the rest, fix that line by hand and grade again with --student ID --force")
    if "NotJSONError" in text or "JSONDecodeError" in text or "not valid JSON" in text:
        return "the notebook is not valid JSON: it scores 0"
    found = [m for m in map(EXCEPTION_LINE.match, text.splitlines())
             if m and not m[1].endswith("NbGraderException")]
    return f"nbgrader could not grade it ({found[-1][0].strip() if found else 'see the log'}): it scores 0"


def run_messages(path: str) -> list[str]:
    """Messages about cells the time limit stopped, read from an autograded notebook."""
    messages = []
    for nb_path in sorted(Path(path).glob("*.ipynb")):
        for cell in nbformat.read(nb_path, as_version=4).cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            errors = [o.ename for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            if grade_id and {"CellTimeoutError", "TimeoutError"} & set(errors):
                messages.append(f"{grade_id} was stopped by the time limit (an endless loop?) and scores 0")
    return messages
