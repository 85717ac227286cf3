"""Hostile submissions against the sandbox and the out-of-kernel judge, with real nbgrader and bubblewrap.

Assignment 1 is graded twice: once by plain ``nbgrader autograde`` with the
course's configuration, once by ``tools/grade_class.py`` (``make grade``, which
uses nbgrader's API as the formgrader's button does). Every attack either
carries the same wrong sigmoid as ``honest_wrong`` (``nc.STEP_SIGMOID``: right
where the visible checks look, a step function beyond |x| > 2.5) and must score exactly what
``honest_wrong`` scores, or carries right answers and must score in full while
its attack achieves nothing. The honest student must keep every point.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest

import nbgrader_course as nc

pytestmark = pytest.mark.slow
ASSIGNMENT, NOTEBOOK, WRITTEN = "01_sigmoid_tanh", "sigmoid_tanh", "written_saturation"
GRADE_CLASS = nc.REPO / "tools" / "grade_class.py"
MARK = "actgrad-attack-7f3a"  # in every attack process's command line and every file it writes
# Seconds a cell may run (c.Execute.timeout): the honest cells take well under one, and the
# attacks that hang wait for it (half_message waits 2 * TIMEOUT + 10 s, the judge's limit).
TIMEOUT = 10

WRONG_SIGMOID = nc.STEP_SIGMOID
RIGHT_SIGMOID = """
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
"""
IMPORTS_REFERENCE = "from actgrad.activations import sigmoid"
INPUT_TRANSFORMER = (
    WRONG_SIGMOID
    + """
def _skip_checks(lines):
    return ["pass\\n"] if lines and lines[0].startswith("# Quick checks") else lines

get_ipython().input_transformers_cleanup.append(_skip_checks)
"""
)
EXCEPTION_HANDLER = (
    WRONG_SIGMOID
    + """
get_ipython().set_custom_exc((BaseException,), lambda shell, etype, value, tb, tb_offset=None: None)
get_ipython().showtraceback = lambda *args, **kwargs: print("all checks passed")
"""
)
# Shadows the builtins the checks use, in the notebook's own namespace (where the checks run in
# the kernel), as a student may also do by accident.
PATCHED_BUILTINS = (
    WRONG_SIGMOID
    + """
all = lambda *args: True
zip = lambda *args, **kwargs: iter(())
abs = lambda x: 0.0
len = lambda x: 0
"""
)
LIAR = (
    nc.LIAR
    + """
def sigmoid(x):
    return Liar(np.shape(x), 0.5)
"""
)
LEAKS_TESTS = (
    RIGHT_SIGMOID
    + f'''
def _print_cell(info):
    print("{MARK} CELL:", info.raw_cell)

get_ipython().events.register("pre_run_cell", _print_cell)
'''
)
READS_COURSE = (
    RIGHT_SIGMOID
    + f'''
import os
_found = []
# each folder once: in the sandbox, where the working folder is /submission, all four are /
_tops = ["/", os.path.abspath(".."), os.path.abspath("../.."), os.path.abspath("../../..")]
for _top in dict.fromkeys(_tops):
    for _dir, _subdirs, _files in os.walk(_top):
        if _dir.startswith(("/proc", "/sys", "/dev", "/usr")):
            _subdirs[:] = []
            continue
        for _name in _files:
            if _name.endswith((".ipynb", ".db")) or "solution" in _dir:
                try:
                    _found.append(_dir + "/" + _name + ": " + open(os.path.join(_dir, _name)).read()[:20000])
                except OSError:
                    pass
print("{MARK} FOUND", len(_found), "FILES")
print("\\n".join(_found))
'''
)
# Starts a process that outlives the cell (and, without the sandbox, the notebook), looks for
# every gradebook it can reach, zeroes every score in it and leaves a file behind.
BACKGROUND = (
    WRONG_SIGMOID
    + f'''
import subprocess, sys
_code = """
import os, sqlite3, time
for _ in range(60):
    for top in ("/", "/tmp", os.path.expanduser("~")):
        for d, subdirs, files in os.walk(top):
            if d.startswith(("/proc", "/sys")):
                subdirs[:] = []
                continue
            for name in files:
                if name == "gradebook.db":
                    try:
                        db = sqlite3.connect(os.path.join(d, name))
                        db.execute("UPDATE grade SET auto_score = 0, manual_score = 0")
                        db.commit()
                    except Exception:
                        pass
    for where in ("/tmp", os.path.expanduser("~"), "/var/tmp"):
        try:
            open(os.path.join(where, "{MARK}-left-behind"), "w").write("x")
        except OSError:
            pass
    time.sleep(0.5)
"""
subprocess.Popen([sys.executable, "-c", _code, "{MARK}"], start_new_session=True,
                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
'''
)
NETWORK = (
    RIGHT_SIGMOID
    + """
import socket
_reached = []
for _host, _port in [("127.0.0.1", PORT), ("10.0.0.1", 80), ("1.1.1.1", 53)]:
    try:
        socket.create_connection((_host, _port), timeout=2).close()
        _reached.append(_host)
    except OSError as err:
        pass
print("REACHED", _reached)
"""
)
LIMITS = (
    RIGHT_SIGMOID
    + """
import os, numpy
_children = 0
try:
    for _ in range(300):
        if os.fork() == 0:
            import time
            time.sleep(5)
            os._exit(0)
        _children += 1
except OSError:
    pass
try:
    _big = numpy.ones(2_000_000_000)  # 16 GB
    _allocated = True
except MemoryError:
    _allocated = False
try:
    with open("big.bin", "wb") as _f:
        _f.write(b"x" * (200 << 20))
    _wrote = True
except OSError:
    _wrote = False
print("LIMITS", _children, _allocated, _wrote)
"""
)
# Writes messages in the judge's protocol to every file descriptor it has, hoping one is the grader's.
FORGES_PROTOCOL = (
    WRONG_SIGMOID
    + """
import os
for _fd in range(3, 64):
    try:
        os.write(_fd, b'{"result": 0.5, "warnings": [], "after": []}\\n' * 50)
    except OSError:
        pass
"""
)
# In the judge's worker only: half a protocol message on every pipe it can write, then silence.
HALF_MESSAGE = (
    WRONG_SIGMOID
    + """
import fcntl, os, sys, time
if "judge_worker" in sys.argv[0]:
    for _fd in range(3, 64):
        try:
            if os.readlink(f"/proc/self/fd/{_fd}").startswith("pipe:") and (
                    fcntl.fcntl(_fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_WRONLY):
                os.write(_fd, b'{"ok": tr')
        except OSError:
            pass
    time.sleep(10**7)
"""
)
ATTACKS = {
    "imports_reference": IMPORTS_REFERENCE,
    "input_transformer": INPUT_TRANSFORMER,
    "exception_handler": EXCEPTION_HANDLER,
    "patched_builtins": PATCHED_BUILTINS,
    "liar": LIAR,
    "leaks_tests": LEAKS_TESTS,
    "reads_course": READS_COURSE,
    "background": BACKGROUND,
    "network": NETWORK,
    "limits": LIMITS,
    "forges_protocol": FORGES_PROTOCOL,
    "half_message": HALF_MESSAGE,
    "links_course": RIGHT_SIGMOID,  # and links to the course's files in its folder: see submit_class
}
RIGHT_ANSWERS = {"leaks_tests", "reads_course", "network", "limits"}  # every point, and no harm done


class Listener:
    """A TCP server on the grader's loopback that counts who connects to it."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()


def attack_processes() -> list[str]:
    """Command lines of processes that carry the attack's mark."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if MARK in cmdline and "pytest" not in cmdline:
            found.append(cmdline)
    return found


def left_behind() -> list[Path]:
    return [
        p for where in ("/tmp", os.path.expanduser("~"), "/var/tmp") for p in Path(where).glob(f"{MARK}*")
    ]


def submit_class(course: Path, port: int, students: list[str]) -> dict:
    reference = {
        **nc.solution_code(nc.source_notebook(course, ASSIGNMENT, NOTEBOOK)),
        WRITTEN: "Its slope is tiny for large |x|, and ten small slopes multiply.",
    }
    nc.submit(course, "honest", ASSIGNMENT, NOTEBOOK, reference)
    nc.submit(course, "honest_wrong", ASSIGNMENT, NOTEBOOK, {**reference, "sigmoid": WRONG_SIGMOID})
    for student in students:
        code = ATTACKS[student].replace("PORT", str(port))
        nc.submit(course, student, ASSIGNMENT, NOTEBOOK, {**reference, "sigmoid": code})
    if "links_course" in students:  # links that nbgrader's copies would follow with the grader's rights
        folder = course / "submitted" / "links_course" / ASSIGNMENT
        (folder / "notes.txt").symlink_to(course / "solutions" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
        (folder / "gb.txt").symlink_to(course / "gradebook.db")
    return reference


@pytest.fixture(scope="module")
def listener() -> Listener:
    return Listener()


@pytest.fixture(scope="module")
def autograded(tmp_path_factory, listener) -> SimpleNamespace:
    """The whole class through plain ``nbgrader autograde`` and ``generate_feedback``."""
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT], timeout=TIMEOUT)
    submit_class(course, listener.port, list(ATTACKS))
    run = nc.run_nbgrader(course, "autograde", ASSIGNMENT, timeout=1200)
    nc.nbgrader(course, "generate_feedback", ASSIGNMENT)
    return SimpleNamespace(
        course=course,
        run=run,
        scores=nc.scores(course, ASSIGNMENT),
        full=nc.max_scores(course, ASSIGNMENT, "honest"),
    )


def points(scores: dict) -> dict:
    return {k: v for k, v in scores.items() if k != WRITTEN}


def outputs_text(course: Path, student: str) -> str:
    nb = nc.autograded_notebook(course, student, ASSIGNMENT, NOTEBOOK)
    return "\n".join(
        str(o.get("text", "")) + str(o.get("evalue", "")) for c in nb.cells for o in c.get("outputs", [])
    )


def test_the_honest_students_score_as_without_attackers(autograded) -> None:
    assert points(autograded.scores["honest"]) == points(autograded.full)
    wrong = {k: 0 if k == "test_sigmoid" else v for k, v in points(autograded.full).items()}
    assert points(autograded.scores["honest_wrong"]) == wrong


@pytest.mark.parametrize("student", ["input_transformer", "exception_handler", "patched_builtins"])
def test_code_that_silences_checks_scores_what_the_wrong_answer_scores(autograded, student) -> None:
    assert points(autograded.scores[student]) == points(autograded.scores["honest_wrong"])


def test_the_reference_package_cannot_be_imported(autograded) -> None:
    # what a missing sigmoid loses, as nbgrader always scored it: sigmoid_grad's check against a
    # finite difference of the student's own sigmoid finds no sigmoid
    lost = {"test_sigmoid", "test_sigmoid_type", "test_sigmoid_input", "test_sigmoid_stability",
            "test_sigmoid_grad"}
    expected = {k: 0 if k in lost else v for k, v in points(autograded.full).items()}
    assert points(autograded.scores["imports_reference"]) == expected
    assert "No module named 'actgrad'" in outputs_text(autograded.course, "imports_reference")


def test_an_object_equal_to_everything_earns_nothing(autograded) -> None:
    assert autograded.scores["liar"]["test_sigmoid"] == 0


def test_half_a_message_to_the_judge_costs_only_its_own_grade(autograded) -> None:
    half = {k: v or 0 for k, v in points(autograded.scores["half_message"]).items()}
    assert half["test_sigmoid"] == 0
    assert sum(half.values()) <= sum(points(autograded.scores["honest_wrong"]).values())


def test_a_submission_with_links_is_not_graded_and_leaks_nothing(autograded) -> None:
    assert not any(points(autograded.scores["links_course"]).values())
    assert "links_course" in autograded.run.stderr and "a link or special file" in autograded.run.stderr
    for folder in ("autograded", "feedback"):
        assert not (autograded.course / folder / "links_course" / ASSIGNMENT).exists()


def test_forged_protocol_messages_earn_nothing(autograded) -> None:
    # Its writes also break its own kernel's sockets: nbgrader then grades nothing (None).
    forged = {k: v or 0 for k, v in points(autograded.scores["forges_protocol"]).items()}
    assert forged["test_sigmoid"] == 0
    assert sum(forged.values()) <= sum(points(autograded.scores["honest_wrong"]).values())


@pytest.mark.parametrize("student", sorted(RIGHT_ANSWERS))
def test_right_answers_with_an_attack_keep_every_point(autograded, student) -> None:
    assert points(autograded.scores[student]) == points(autograded.full)


def test_no_hidden_test_or_rubric_reaches_any_output_or_feedback(autograded) -> None:
    for student in ("leaks_tests", "reads_course"):
        html = nc.feedback_html(autograded.course, student, ASSIGNMENT)
        text = outputs_text(autograded.course, student)
        for secret in (
            "BEGIN HIDDEN TESTS",
            "_hidden_tests_sigmoid",
            "Rubric for the instructor",
            "BEGIN SOLUTION",
        ):
            assert secret not in html, f"{student}'s feedback shows {secret!r}"
            assert secret not in text, f"{student}'s graded notebook shows {secret!r}"
    assert f"{MARK} CELL:" in outputs_text(autograded.course, "leaks_tests"), "the hook ran"
    assert f"{MARK} FOUND 0 FILES" in outputs_text(autograded.course, "reads_course")


def test_no_connection_leaves_the_sandbox(autograded, listener) -> None:
    assert "REACHED []" in outputs_text(autograded.course, "network")
    assert listener.connections == 0


def test_processes_memory_and_files_are_limited(autograded) -> None:
    line = next(
        ln for ln in outputs_text(autograded.course, "limits").splitlines() if ln.startswith("LIMITS")
    )
    _, children, allocated, wrote = line.split()
    assert int(children) < 64 and allocated == "False" and wrote == "False", line


def test_nothing_outlives_its_notebook_or_touches_the_course(autograded) -> None:
    assert attack_processes() == []
    assert left_behind() == []
    assert points(autograded.scores["background"]) == points(autograded.scores["honest_wrong"])


@pytest.fixture(scope="module")
def graded_by_make_grade(tmp_path_factory, listener) -> SimpleNamespace:
    """The gradebook attack, a reader and the honest students through tools/grade_class.py."""
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT], timeout=TIMEOUT)
    submit_class(course, listener.port, ["background", "reads_course", "links_course"])
    run = subprocess.run(
        [sys.executable, str(GRADE_CLASS), ASSIGNMENT, "--course", str(course), "--jobs", "2"],
        env=nc.ENV,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    return SimpleNamespace(
        course=course,
        run=run,
        scores=nc.scores(course, ASSIGNMENT),
        full=nc.max_scores(course, ASSIGNMENT, "honest"),
    )


def test_make_grade_keeps_every_other_grade_and_no_process_survives(graded_by_make_grade) -> None:
    graded = graded_by_make_grade
    assert graded.run.returncode == 0, graded.run.stdout + graded.run.stderr
    assert points(graded.scores["honest"]) == points(graded.full)
    assert points(graded.scores["background"]) == points(graded.scores["honest_wrong"])
    assert points(graded.scores["reads_course"]) == points(graded.full)
    assert attack_processes() == [] and left_behind() == []
    assert not any(points(graded.scores["links_course"]).values())
    (line,) = [ln for ln in graded.run.stdout.splitlines() if ln.startswith("  links_course: ")]
    assert "a link or special file" in line
    html = nc.feedback_html(graded.course, "reads_course", ASSIGNMENT)
    assert "_hidden_tests_sigmoid" not in html and f"{MARK} FOUND 0 FILES" in html


def test_without_bubblewrap_grading_stops_with_one_message(tmp_path) -> None:
    run = subprocess.run(
        [sys.executable, str(GRADE_CLASS), ASSIGNMENT, "--course", str(tmp_path)],
        env={**nc.ENV, "ACTGRAD_BWRAP": "/nonexistent/bwrap"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert run.returncode == 2
    assert run.stdout == ""
    (line,) = run.stderr.strip().splitlines()
    assert "bubblewrap" in line and "make system" in line and "ACTGRAD_GRADE_WITHOUT_SANDBOX=1" in line


def test_nbgrader_autograde_without_bubblewrap_grades_nothing(tmp_path_factory) -> None:
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT], timeout=TIMEOUT)
    submit_class(course, 1, [])
    run = nc.run_nbgrader(course, "autograde", ASSIGNMENT, timeout=600, ACTGRAD_BWRAP="/nonexistent/bwrap")
    assert run.returncode != 0
    assert "make system" in run.stderr
    assert not any((course / "autograded").glob("*/*/*.ipynb")), "nothing may be graded unsandboxed"


def test_grading_without_the_sandbox_says_so_on_every_line(tmp_path_factory) -> None:
    course = nc.make_course(tmp_path_factory, [ASSIGNMENT], timeout=TIMEOUT)
    submit_class(course, 1, [])
    run = subprocess.run(
        [
            sys.executable,
            str(GRADE_CLASS),
            ASSIGNMENT,
            "--course",
            str(course),
            "--no-sandbox",
            "--jobs",
            "2",
        ],
        env=nc.ENV,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = [ln for ln in run.stdout.splitlines() if ln.strip() and not ln.startswith("log: ")]
    assert lines and all(ln.startswith("UNSANDBOXED: ") for ln in lines), run.stdout
    assert points(nc.scores(course, ASSIGNMENT)["honest_wrong"])["test_sigmoid"] == 0
