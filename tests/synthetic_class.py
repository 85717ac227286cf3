"""A synthetic class of nbgrader submissions whose every score is known before grading.

``make_class(course, assignment, n)`` writes n submissions into
``course/submitted/<id>/<assignment>/`` (a course made by
``nbgrader_course.make_course``) and returns a `Student` for each: its kind,
what was done to the notebook, and ``expected``, the ``auto_score`` every
grade cell must hold in the gradebook after autograding (grade_id -> points;
None where nbgrader records no score). ``expected`` is what the class-grading
wrapper tools/grade_class.py gives; plain serial ``nbgrader autograde`` gives
the same except for the kinds marked ``serial_differs`` (see `serial_scores`).

The wrong and the alternative implementations come from the grading tests
(``WRONG`` and ``ALTERNATIVES`` of tests/test_grading_0[2-6]_*.py, a small table
here for assignment 1), where each is measured alone against the reference.
Several are combined in one submission only when no test cell can see more
than one of them: the cells a test runs are found by following the global
names it reads (through the functions it calls) to the cells that bind them,
so each test cell then scores exactly what it scored beside the reference.

The kinds (the written answer is filled in, so it waits for a human: None,
unless said otherwise):

correct           the reference solution: full points.
alternative       one of ALTERNATIVES (other correct code): full points.
partly            1-2 wrong implementations: 0 in the cells they lose, full elsewhere.
wrong             3 to 6 wrong implementations, as many as combine: 3 in assignments 2 and 4,
                  3-4 in 5, but only 2 in 1 and 3 (where a gradient's test also runs its function).
blank             the release as it is: 0 everywhere, the unanswered written cell too.
extra_cells       correct, plus scratch cells (notes, a print, a helper): full points.
cleared_outputs   correct, but the code of one function deleted (its cell left empty):
                  0 in every test cell that uses it (NameError).
edited_test_cell  one wrong implementation, and one of the test cells it loses edited
                  (to ``pass`` or commented out): nbgrader runs the original, still 0.
deleted_test_cell either one wrong implementation and one of the cells it loses deleted, or a
                  correct one and any test cell deleted: nbgrader puts the cell back
                  (``add_missing_cells``) and runs it, so the score is that of the code.
invalid_json      a correct notebook cut off mid-way: nbgrader cannot read it, every grade None
                  (and flagged needs_manual_grade: nbgrader's default for a grade never scored).
missing_notebook  no notebook, only timestamp.txt and a stray file: every grade 0 (serial
                  nbgrader skips the student and makes no gradebook entry at all).
wrong_name        a correct notebook saved as ``<notebook> (1).ipynb`` or the like, nothing
                  under the right name: full points, as the wrapper grades it as the notebook
                  (serial nbgrader skips the unknown notebook, then fails the student as it finds
                  no notebook: every grade None, as for invalid_json).
endless_loop      one function never returns (``while True: pass``): the cell time limit stops
                  every test cell that calls it, 0 there, full elsewhere.
kernel_crash      one function calls ``os._exit(1)``: nbgrader discards the notebook, every grade
                  None (flagged needs_manual_grade, as for invalid_json).
huge_output       correct, but one function prints a million lines the first time it is called:
                  nbgrader's LimitOutput cuts them, full points.

A grade of None counts 0 in ``Student.total``, as in ``nbgrader export``
before manual grading. The default mix (no `kinds`): of the sound kinds 35%
correct, 15% alternative, 30% partly, 12% wrong, 8% blank, and each broken
kind once per 80 students (2 each in a class of 200; at most 2 endless loops).
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import importlib
import json
import random
import shutil
import symtable
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import nbformat

import nbgrader_course as nc

KINDS: tuple[str, ...] = (
    "correct", "alternative", "partly", "wrong", "blank",
    "extra_cells", "cleared_outputs", "edited_test_cell", "deleted_test_cell", "invalid_json",
    "missing_notebook", "wrong_name", "endless_loop", "kernel_crash", "huge_output",
)
# The default mix: shares (%) of the sound submissions, and of each broken kind one per 80 students.
SOUND_SHARES = {"correct": 35, "alternative": 15, "partly": 30, "wrong": 12, "blank": 8}
BROKEN = tuple(k for k in KINDS if k not in SOUND_SHARES)
MAX_ENDLESS = 2  # each of them waits out the cell time limit at least once

# The grading test that holds each assignment's WRONG and ALTERNATIVES tables.
MODULES = {
    "01_sigmoid_tanh": "test_grading_01_sigmoid_tanh",
    "02_relu_family": "test_grading_02_relu_family",
    "03_softmax": "test_grading_03_softmax",
    "04_smooth_activations": "test_grading_04_smooth_activations",
    "05_gradients_in_depth": "test_grading_05_gradients_in_depth",
    "06_backward_pass": "test_grading_06_backward_pass",
}

# Assignment 1 has only a few wrong sources in tests/test_grading_01_sigmoid_tanh.py; these complete
# them (name -> (cells replaced, test cells that then score 0), as in the other tables).
WRONG_01 = {
    # exp(x) overflows for x > 709
    "tanh_naive": ({"tanh": '''
def tanh(x):
    x = np.asarray(x, dtype=float)
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
'''}, {"test_tanh_stability"}),
    # the derivative fed the activated value
    "tanh_grad_of_output": ({"tanh_grad": '''
def tanh_grad(x):
    t = tanh(x)
    return 1.0 - tanh(t) ** 2
'''}, {"test_tanh_grad"}),
    "sigmoid_grad_forgets_square": ({"sigmoid_grad": '''
def sigmoid_grad(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return e / (1.0 + e)
'''}, {"test_sigmoid_grad", "test_sigmoid_grad_stability"}),  # values up to 1/2, not 1/4
}
ENDLESS_BODY = "    while True:  # waits for a condition that never comes\n        pass\n"
CRASH_BODY = "    import os\n\n    os._exit(1)  # meant to stop a debugging session\n"
FLOOD = '''

_quiet_{name}, _flooded = {name}, []


def {name}(*args, **kwargs):
    """{name}, printing a million debugging lines the first time it is called."""
    if not _flooded:
        _flooded.append(True)
        print("\\n".join(f"debug: step {{i}}" for i in range(1_000_000)))
    return _quiet_{name}(*args, **kwargs)
'''
SCRATCH = [  # (cell type, source) of the cells an "extra_cells" student adds
    ("markdown", "My notes: check the kink at x = 0 once more before submitting."),
    ("code", 'print("scratch work: trying things out")'),
    ("code", "def my_rounded(values):\n    return [round(v, 3) for v in values]\n\n\nmy_rounded([0.1234])"),
    ("code", "scratch = [k * k for k in range(10)]\nscratch[-1]"),
]
STRAY_FILES = {"notes.txt": "todo: upload the notebook\n", "answers.py": "# copied out of the notebook\n"}


@dataclass(frozen=True)
class Student:
    """One synthetic submission and the grades it must get."""

    id: str
    kind: str
    detail: str
    expected: dict[str, float | None]  # grade_id -> auto_score in the gradebook after autograde
    serial_differs: bool  # the wrapper grades this kind differently from plain `nbgrader autograde`

    @property
    def total(self) -> float:
        """The score ``nbgrader export`` reports before manual grading (None counts 0)."""
        return sum(v or 0.0 for v in self.expected.values())


def serial_scores(student: Student) -> dict[str, float | None] | None:
    """The grades plain serial ``nbgrader autograde`` records for `student` (None: no gradebook entry)."""
    if student.kind == "missing_notebook":
        return None  # a folder without any notebook is skipped before the gradebook is touched
    if student.kind == "wrong_name":
        return dict.fromkeys(student.expected)  # the unknown notebook is skipped, the student fails
    return student.expected


def full_points(course: Path, assignment: str) -> dict[str, float]:
    """grade_id -> points of every grade cell (the written answer too), from the source notebook."""
    return {grade_id: points for grade_id, points, _ in _grade_cells(_source(course, assignment))}


@dataclass(frozen=True)
class Tables:
    """What the grading tests of one assignment know about it."""

    notebook: str
    written: str
    answer: str
    wrong: dict[str, tuple[dict[str, str], set[str]]]
    alternatives: dict[str, dict[str, str]]


def load_tables(assignment: str) -> Tables:
    """The tables of `assignment`, imported from its grading test."""
    module = importlib.import_module(MODULES[assignment])
    if assignment == "01_sigmoid_tanh":
        wrong = {
            "naive_sigmoid": ({"sigmoid": module.NAIVE_SIGMOID}, {"test_sigmoid_stability"}),
            "in_place_sigmoid": ({"sigmoid": module.IN_PLACE_SIGMOID}, {"test_sigmoid_input"}),
            "sigmoid_grad_of_output": ({"sigmoid_grad": module.GRAD_OF_OUTPUT}, {"test_sigmoid_grad"}),
            **WRONG_01,
        }
        return Tables(module.NOTEBOOK, "written_saturation", module.ANSWER, wrong, module.ALTERNATIVES)
    return Tables(module.NOTEBOOK, module.WRITTEN, module.ANSWER, module.WRONG, module.ALTERNATIVES)


# ---------------------------------------------------------------- which test cell runs which code


@functools.lru_cache(maxsize=4096)
def _names(source: str) -> tuple[frozenset[str], frozenset[str]]:
    """(global names a cell binds, global names it or its functions read)."""
    try:
        top = symtable.symtable(source, "<cell>", "exec")
    except SyntaxError:
        return frozenset(), frozenset()
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported()}
    read: set[str] = set()
    tables = [top]
    while tables:
        table = tables.pop()
        tables.extend(table.get_children())
        read |= {s.get_name() for s in table.get_symbols()
                 if s.is_referenced() and (table is top or s.is_global())}
    return frozenset(bound), frozenset(read - bound)


def _uses(cells: list[tuple[str | None, bool, str]]) -> dict[str, set[str]]:
    """For every test cell, the solution cells whose bindings it reads, directly or through what it calls.

    `cells` are the code cells in order as (grade_id, is_test, source). A name
    is looked up in the last cell before the test cell that binds it (the
    binding a call from the test cell sees).
    """
    names = [_names(source) for _, _, source in cells]
    uses = {}
    for i, (grade_id, is_test, _) in enumerate(cells):
        if not is_test:
            continue
        seen: set[int] = set()
        todo = [i]
        while todo:
            for name in names[todo.pop()][1]:
                binders = [j for j in range(i) if name in names[j][0]]
                if binders and binders[-1] not in seen:
                    seen.add(binders[-1])
                    todo.append(binders[-1])
        uses[grade_id] = {cells[j][0] for j in seen if cells[j][0] and not cells[j][1]}
    return uses


class Interaction(ValueError):
    """Two changes reach the same test cell: its score is not known in advance."""


@dataclass
class Change:
    """Solution cells replaced for one reason, and the test cells then lost (None: all that use them)."""

    name: str
    code: dict[str, str]
    lost: set[str] | None = None


@dataclass
class Assignment:
    """One assignment of a course, with what the generator needs to know about it."""

    name: str
    tables: Tables
    release: nbformat.NotebookNode
    reference: dict[str, str]  # solution grade_id -> code
    tests: dict[str, str]  # test grade_id -> source with the hidden tests (what nbgrader runs)
    full: dict[str, float]
    functions: list[str] = field(default_factory=list)  # solution cells defining the function of their name

    def uses(self, code: dict[str, str]) -> dict[str, set[str]]:
        """For every test cell, the solution cells it uses when they hold `code` (the reference elsewhere)."""
        cells = []
        for cell in self.release.cells:
            meta = cell.metadata.get("nbgrader", {})
            grade_id = meta.get("grade_id")
            if cell.cell_type != "code":
                continue
            if grade_id in self.tests:
                cells.append((grade_id, True, self.tests[grade_id]))
            else:
                cells.append((grade_id, False, code.get(grade_id, self.reference.get(grade_id, cell.source))))
        return _uses(cells)

    def expected(self, changes: list[Change], *, answered: bool = True) -> dict[str, float | None]:
        """The grades of a submission that is the reference but for `changes`.

        Raises `Interaction` if a test cell uses the cells of more than one change.
        """
        code = {k: v for change in changes for k, v in change.code.items()}
        if sum(len(change.code) for change in changes) != len(code):
            raise Interaction("two changes replace the same cell")
        uses = self.uses(code)
        grades: dict[str, float | None] = {}
        for grade_id, points in self.full.items():
            if grade_id == self.tables.written:
                grades[grade_id] = None if answered else 0.0
                continue
            hit = [c for c in changes if uses[grade_id] & set(c.code)]
            if len(hit) > 1:
                raise Interaction(f"{grade_id} uses {' and '.join(c.name for c in hit)}")
            lost = bool(hit) and (hit[0].lost is None or grade_id in hit[0].lost)
            grades[grade_id] = 0.0 if lost else points
        for change in changes:
            unseen = (change.lost or set()) - {t for t, used in uses.items() if used & set(change.code)}
            if unseen:
                raise ValueError(f"{change.name} loses {sorted(unseen)}, which do not use the cells it "
                                 "replaces: the analysis in synthetic_class.py misses a dependency")
        return grades

    def wrong(self, name: str) -> Change:
        code, lost = self.tables.wrong[name]
        return Change(name, code, set(lost))

    def combine(self, rng: random.Random, low: int, high: int) -> list[Change]:
        """`low` to `high` wrong implementations (fewer if no more combine), no two seen by one test cell."""
        target = rng.randint(low, high)
        names = sorted(self.tables.wrong)
        rng.shuffle(names)
        chosen: list[Change] = []
        for name in names:
            try:
                self.expected([*chosen, self.wrong(name)])
            except Interaction:
                continue
            chosen.append(self.wrong(name))
            if len(chosen) == target:
                break
        return chosen


def _source(course: Path, assignment: str) -> nbformat.NotebookNode:
    (path,) = sorted((course / "solutions" / assignment).glob("*.ipynb"))
    return nbformat.read(path, as_version=4)


def _grade_cells(nb: nbformat.NotebookNode) -> list[tuple[str, float, nbformat.NotebookNode]]:
    """(grade_id, points, cell) of every grade cell."""
    cells = []
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade"):
            cells.append((meta["grade_id"], float(meta["points"]), cell))
    return cells


def _defines(code: str, name: str) -> ast.FunctionDef | None:
    """The top-level definition of function `name` in `code`, if any."""
    for node in ast.parse(code).body:
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return node
    return None


def load_assignment(course: Path, assignment: str) -> Assignment:
    """Read the source and release notebooks of `assignment` in `course`."""
    tables = load_tables(assignment)
    source = _source(course, assignment)
    graded = _grade_cells(source)
    a = Assignment(
        name=assignment,
        tables=tables,
        release=nc.release_notebook(course, assignment, tables.notebook),
        reference=nc.solution_code(source),
        tests={grade_id: cell.source for grade_id, _, cell in graded if cell.cell_type == "code"},
        full={grade_id: points for grade_id, points, _ in graded},
    )
    a.functions = [grade_id for grade_id, code in a.reference.items() if _defines(code, grade_id)]
    return a


# ---------------------------------------------------------------- the kinds


@dataclass
class Made:
    """A submission before it is written: the notebook (None: none) and what it must score."""

    detail: str
    expected: dict[str, float | None]
    notebook: nbformat.NotebookNode | None
    file_name: str | None = None  # None: the notebook's own name
    cut: float | None = None  # keep only this fraction of the notebook's text
    stray: str | None = None  # a file that is not a notebook


def _notebook(a: Assignment, answers: dict[str, str], *, answered: bool = True) -> nbformat.NotebookNode:
    """The release with the reference solution, `answers` (grade_id -> source) and the written answer."""
    filled = {**a.reference, **answers}
    if answered:
        filled[a.tables.written] = a.tables.answer
    nb = nbformat.from_dict(a.release)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in filled:
            cell.source = filled[grade_id].strip("\n")
    return nb


def _index(nb: nbformat.NotebookNode, grade_id: str) -> int:
    (i,) = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    return i


def _signature(a: Assignment, name: str) -> str:
    """The ``def`` line(s) of function `name` in the reference solution."""
    code = a.reference[name].strip("\n")
    node = _defines(code, name)
    return "\n".join(code.splitlines()[node.lineno - 1:node.body[0].lineno - 1]) + "\n"


def _correct(a: Assignment, rng: random.Random) -> Made:
    return Made("the reference solution", a.expected([]), _notebook(a, {}))


def _alternative(a: Assignment, rng: random.Random) -> Made:
    name = rng.choice(sorted(a.tables.alternatives))
    return Made(f"the correct alternative {name}", a.expected([]), _notebook(a, a.tables.alternatives[name]))


def _wrong_code(changes: list[Change]) -> dict[str, str]:
    return {k: v for change in changes for k, v in change.code.items()}


def _partly(a: Assignment, rng: random.Random) -> Made:
    changes = a.combine(rng, 1, 2)
    return Made("wrong: " + ", ".join(c.name for c in changes), a.expected(changes),
                _notebook(a, _wrong_code(changes)))


def _wrong(a: Assignment, rng: random.Random) -> Made:
    changes = a.combine(rng, 3, 6)
    return Made("wrong: " + ", ".join(c.name for c in changes), a.expected(changes),
                _notebook(a, _wrong_code(changes)))


def _blank(a: Assignment, rng: random.Random) -> Made:
    return Made("the release as it is", {k: 0.0 for k in a.full}, nbformat.from_dict(a.release))


def _extra_cells(a: Assignment, rng: random.Random) -> Made:
    nb = _notebook(a, {})
    extras = rng.sample(SCRATCH, rng.randint(2, len(SCRATCH)))
    for k, (cell_type, source) in enumerate(extras):
        new = nbformat.v4.new_code_cell if cell_type == "code" else nbformat.v4.new_markdown_cell
        nb.cells.insert(rng.randint(2, len(nb.cells)), new(source, id=f"scratch-{k}"))
    return Made(f"the reference plus {len(extras)} scratch cells", a.expected([]), nb)


def _cleared_outputs(a: Assignment, rng: random.Random) -> Made:
    name = rng.choice(a.functions)
    expected = a.expected([Change(f"{name} deleted", {name: a.reference[name]})])  # the reference's uses
    return Made(f"the code of {name} deleted (its cell left empty)", expected, _notebook(a, {name: ""}))


def _one_wrong_and_its_cell(a: Assignment, rng: random.Random) -> tuple[Change, str, nbformat.NotebookNode]:
    change = a.wrong(rng.choice(sorted(a.tables.wrong)))
    return change, rng.choice(sorted(change.lost)), _notebook(a, change.code)


def _edited_test_cell(a: Assignment, rng: random.Random) -> Made:
    change, cell, nb = _one_wrong_and_its_cell(a, rng)
    test = nb.cells[_index(nb, cell)]
    if rng.random() < 0.5:
        test.source, how = "pass", "replaced by `pass`"
    else:
        test.source, how = "\n".join("# " + line for line in test.source.splitlines()), "commented out"
    return Made(f"wrong: {change.name}; its test cell {cell} {how}", a.expected([change]), nb)


def _deleted_test_cell(a: Assignment, rng: random.Random) -> Made:
    if rng.random() < 0.5:
        change, cell, nb = _one_wrong_and_its_cell(a, rng)
        detail, expected = f"wrong: {change.name}; its test cell {cell} deleted", a.expected([change])
    else:
        cell, nb = rng.choice(sorted(a.tests)), _notebook(a, {})
        detail, expected = f"the reference solution; the test cell {cell} deleted", a.expected([])
    del nb.cells[_index(nb, cell)]
    return Made(detail, expected, nb)


def _invalid_json(a: Assignment, rng: random.Random) -> Made:
    cut = rng.uniform(0.2, 0.9)
    return Made(f"the reference solution, the file cut after {cut:.0%} of its text",
                dict.fromkeys(a.full), _notebook(a, {}), cut=cut)


def _missing_notebook(a: Assignment, rng: random.Random) -> Made:
    stray = rng.choice(sorted(STRAY_FILES))
    return Made(f"no notebook, only timestamp.txt and {stray}", {k: 0.0 for k in a.full}, None, stray=stray)


def _wrong_name(a: Assignment, rng: random.Random) -> Made:
    notebook = a.tables.notebook
    name = rng.choice([f"{notebook} (1).ipynb", f"{notebook.capitalize()}.ipynb", f"{notebook}-Copy1.ipynb"])
    return Made(f"the reference solution saved as '{name}'", a.expected([]), _notebook(a, {}), file_name=name)


def _endless_loop(a: Assignment, rng: random.Random) -> Made:
    uses = a.uses({})
    cost = {f: sum(f in used for used in uses.values()) for f in a.functions}
    name = rng.choice([f for f in a.functions if cost[f] == min(cost.values())])  # the fewest cells time out
    code = _signature(a, name) + ENDLESS_BODY
    return Made(f"{name} loops forever", a.expected([Change(f"{name} loops", {name: code})]),
                _notebook(a, {name: code}))


def _kernel_crash(a: Assignment, rng: random.Random) -> Made:
    uses = a.uses({})
    name = rng.choice([f for f in a.functions if any(f in used for used in uses.values())])
    code = _signature(a, name) + CRASH_BODY
    return Made(f"{name} calls os._exit(1)", dict.fromkeys(a.full), _notebook(a, {name: code}))


def _huge_output(a: Assignment, rng: random.Random) -> Made:
    name = rng.choice(a.functions)
    code = a.reference[name].rstrip("\n") + "\n" + FLOOD.format(name=name)
    detail = f"{name} prints a million lines when first called"
    return Made(detail, a.expected([]), _notebook(a, {name: code}))


MAKERS: dict[str, Callable[[Assignment, random.Random], Made]] = {
    "correct": _correct, "alternative": _alternative, "partly": _partly, "wrong": _wrong, "blank": _blank,
    "extra_cells": _extra_cells, "cleared_outputs": _cleared_outputs, "edited_test_cell": _edited_test_cell,
    "deleted_test_cell": _deleted_test_cell, "invalid_json": _invalid_json,
    "missing_notebook": _missing_notebook, "wrong_name": _wrong_name, "endless_loop": _endless_loop,
    "kernel_crash": _kernel_crash, "huge_output": _huge_output,
}
assert tuple(MAKERS) == KINDS


# ---------------------------------------------------------------- the class


def default_kinds(n: int, rng: random.Random) -> list[str]:
    """A realistic mix of `n` kinds in random order: mostly sound, each broken kind once per 80 students."""
    broken = {kind: round(n / 80) for kind in BROKEN}
    broken["endless_loop"] = min(broken["endless_loop"], MAX_ENDLESS)
    sound = n - sum(broken.values())
    shares = {kind: sound * share / 100 for kind, share in SOUND_SHARES.items()}
    counts = {kind: int(share) for kind, share in shares.items()}
    for kind in sorted(shares, key=lambda k: counts[k] - shares[k])[:sound - sum(counts.values())]:
        counts[kind] += 1  # the largest remainders
    kinds = [kind for kind, count in {**counts, **broken}.items() for _ in range(count)]
    rng.shuffle(kinds)
    return kinds


def make_class(course: Path, assignment: str, n: int, *, seed: int = 0,
               kinds: Sequence[str] | None = None) -> dict[str, Student]:
    """Write n submissions into course/submitted/<id>/<assignment>/ (with timestamp.txt); return them by id.

    Without `kinds` the class is a realistic mix (see `default_kinds`); with
    them, student i is of kind ``kinds[i % len(kinds)]``. The same seed gives
    the same class.
    """
    unknown = set(kinds or ()) - set(KINDS)
    if unknown:
        raise ValueError(f"unknown kinds {sorted(unknown)}; known: {', '.join(KINDS)}")
    a = load_assignment(course, assignment)
    rng = random.Random(seed)
    order = default_kinds(n, rng) if kinds is None else [kinds[i % len(kinds)] for i in range(n)]
    width = max(3, len(str(n - 1)))
    students = {}
    for i, kind in enumerate(order):
        student = f"s{i:0{width}d}"
        made = MAKERS[kind](a, random.Random(f"{seed}/{student}"))
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        (folder / "timestamp.txt").write_text(nc.TIMESTAMP)
        if made.notebook is not None:
            text = nbformat.writes(made.notebook)
            if made.cut is not None:
                text = text[:int(len(text) * made.cut)]
            (folder / (made.file_name or f"{a.tables.notebook}.ipynb")).write_text(text)
        if made.stray:
            (folder / made.stray).write_text(STRAY_FILES[made.stray])
        students[student] = Student(id=student, kind=kind, detail=made.detail, expected=made.expected,
                                    serial_differs=kind in {"wrong_name", "missing_notebook"})
    return students


# The class that plain serial nbgrader grades once per run (conftest's `serial_class`):
# test_synthetic_class checks its scores, test_grade_class compares tools/grade_class.py with it.
SERIAL_ASSIGNMENT = "02_relu_family"
# every kind, then a second student of the kinds with the most variety, and a second correct one
SERIAL_KINDS = (*KINDS, "partly", "wrong", "deleted_test_cell", "correct")


def grade_serially(folder: Path, tmp_path_factory) -> None:
    """Fill `folder`: the class of SERIAL_KINDS as submitted, and a copy graded by plain nbgrader.

    ``ungraded/`` is a course (cells may take 5 s) with the class submitted;
    ``serial/`` a copy after ``nbgrader autograde`` and ``nbgrader export``;
    ``class.json`` the students and what autograde said.
    """
    ungraded = nc.make_course(tmp_path_factory, [SERIAL_ASSIGNMENT], timeout=5, course=folder / "ungraded")
    students = make_class(ungraded, SERIAL_ASSIGNMENT, len(SERIAL_KINDS), seed=3, kinds=SERIAL_KINDS)
    serial = folder / "serial"
    shutil.copytree(ungraded, serial, symlinks=True)  # tools/ stays the course's link
    run = nc.run_nbgrader(serial, "autograde", SERIAL_ASSIGNMENT)
    # written answers are not graded yet: export anyway, as grade_class.py does
    nc.nbgrader(serial, "export", "--CheckedCsvExport.allow_ungraded=True")
    record = {"students": [dataclasses.asdict(s) for s in students.values()],
              "returncode": run.returncode, "log": run.stdout + run.stderr}
    (folder / "class.json").write_text(json.dumps(record))


def serially_graded(folder: Path) -> SimpleNamespace:
    """What `grade_serially` left in `folder`: ``ungraded`` and ``serial`` (read them, never write),
    ``students`` by id, and autograde's ``returncode`` and ``log``."""
    record = json.loads((folder / "class.json").read_text())
    return SimpleNamespace(ungraded=folder / "ungraded", serial=folder / "serial",
                           students={s["id"]: Student(**s) for s in record["students"]},
                           returncode=record["returncode"], log=record["log"])
