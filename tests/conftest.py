"""Fixtures shared by the test suite, and its tiers.

Every test works in its own temporary folders: the book is built into a
temp folder once per run, shared by every pytest-xdist worker; nbgrader runs
in temp copies of the course; and a check at the end of the session fails the
run if anything appeared in the working tree.

Every test carries exactly one tier marker (``unit``, ``slow`` or ``browser``,
see ``[tool.pytest.ini_options]``); a unit test may not use the built book or
the browser. Doctests of ``actgrad`` are unit tests.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Every process the tests start writes the byte-code of what it imports, so that
# the next one reuses it (.venv is installed without byte-code; see tools/make_env.sh).
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
CHROMIUM = Path("/usr/bin/chromium")
# Chromium flags for this sandbox: no GPU, no background traffic to outside hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]

# Milliseconds between two checks of a condition Playwright waits for in a page. Its default,
# a check at every animation frame, keeps Chromium drawing frames all the while (13% more CPU
# for a chapter's checks).
POLL_MS = 100


def course_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: the course environment's bin/ first on PATH.

    MPLBACKEND is removed: set to a non-inline backend it would stop the
    chapters' kernels from showing their figures.
    """
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("MPLBACKEND", None)
    env.update(extra)
    return env


TIERS = ("unit", "slow", "browser")
# fixtures that only slow or browser tests may use
HEAVY_FIXTURES = {"built_book", "served_book", "site_url", "chromium", "released_course", "book_pages",
                  "serial_class", "lab_course"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Give doctests the unit tier; refuse a test without exactly one tier, or a unit test on the book."""
    wrong = []
    for item in items:
        if isinstance(item, pytest.DoctestItem):
            item.add_marker(pytest.mark.unit)
        tiers = [tier for tier in TIERS if item.get_closest_marker(tier)]
        if len(tiers) != 1:
            wrong.append(f"{item.nodeid}: tiers {tiers}, needs exactly one of {', '.join(TIERS)}")
        elif tiers == ["unit"] and HEAVY_FIXTURES & set(getattr(item, "fixturenames", ())):
            used = sorted(HEAVY_FIXTURES & set(item.fixturenames))
            wrong.append(f"{item.nodeid}: a unit test uses {', '.join(used)}; mark it slow or browser")
        file = item.nodeid.split("::")[0]
        for fixture in (ONE_WORKER.keys() & set(getattr(item, "fixturenames", ()))) - {GROUP_OF.get(file)}:
            wrong.append(f"{item.nodeid}: uses {fixture} outside its ONE_WORKER group; add its file there")
    if wrong:
        raise pytest.UsageError("tests without a proper tier or group:\n  " + "\n  ".join(wrong))
    # pytest-xdist hands out whole files (or ONE_WORKER groups, see pytest_xdist_make_scheduler)
    # in this order: the group that opens the book's pages first (its worker waits for the
    # book while the others run tests), then the slow files that do not wait for the book,
    # those that do and the browser files, the short unit files last to fill the gaps.
    tier_of: dict[str, int] = {}
    waits: set[str] = set()  # files with a test that waits for the book
    for item in items:
        file = item.nodeid.split("::")[0]
        tier = ("slow", "browser", "unit").index(next(t for t in TIERS if item.get_closest_marker(t)))
        tier_of[file] = min(tier, tier_of.get(file, tier))
        if "built_book" in getattr(item, "fixturenames", ()):
            waits.add(file)

    def order(item: pytest.Item) -> tuple[bool, int, bool]:
        file = item.nodeid.split("::")[0]
        return GROUP_OF.get(file) != "book_pages", tier_of[file], file in waits

    items.sort(key=order)


# Files that share a session fixture too costly to compute twice run on one pytest-xdist
# worker (fixture -> its files): every page of the book opened once in Chromium
# (tests/book_in_chromium.py), the synthetic class graded by serial nbgrader, and
# the course run in one JupyterLab page (tests/course_in_lab.py).
ONE_WORKER = {
    "book_pages": ("tests/test_browser.py", "tests/test_accessibility.py",
                   "tests/test_widgets_in_browser.py"),
    "serial_class": ("tests/test_synthetic_class.py", "tests/test_grade_class.py"),
    "lab_course": ("tests/test_jupyterlab.py", "tests/test_markdown_in_jupyterlab.py",
                   "tests/test_quizzes.py"),
}
GROUP_OF = {file: group for group, files in ONE_WORKER.items() for file in files}


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: known only when xdist is loaded
def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    """With ``--dist loadfile``: whole files to each worker, in the collection's order; the files of
    a ONE_WORKER group together.

    (pytest-xdist's own ``xdist_group`` marks do not work with pytest 9, whose
    node ids xdist can no longer rename.) Other ``--dist`` modes are xdist's own.
    """
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class ByFileOrGroup(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = nodeid.split("::")[0]
            return GROUP_OF.get(file, file)

    config.option.loadscopereorder = False  # keep the order pytest_collection_modifyitems gave
    return ByFileOrGroup(config, log)


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str, make: Callable[[Path], None]) -> Path:
    """A folder that `make` fills once per run, shared by every pytest-xdist worker.

    The first worker to ask makes it while holding a file lock; the others wait
    for it and reuse it. If `make` fails, every worker fails with its message
    instead of trying again.
    """
    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # the run's folder, above every worker's own
    folder, done, failed = base / name, base / f"{name}.done", base / f"{name}.failed"
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if failed.exists():
            pytest.fail(failed.read_text())
        if not done.exists():
            with contextlib.suppress(FileNotFoundError):
                shutil.rmtree(folder)
            folder.mkdir()
            try:
                make(folder)
            except BaseException as error:
                failed.write_text(f"{name} could not be made (by another worker, maybe): {error}")
                raise
            done.touch()
    return folder


def pytest_collection_finish(session: pytest.Session) -> None:
    """Start building the book at once, in the background, if a selected test needs it.

    The build is the run's longest step, and a test that needs it may come
    late in a worker's share: one worker (the first, or pytest alone) starts
    it as soon as the tests are collected, and `built_book` waits for it.
    """
    if os.environ.get("PYTEST_XDIST_WORKER", "gw0") != "gw0" or session.config.option.collectonly:
        return
    if os.environ.get("ACTGRAD_TEST_BOOK") or not any(
            "built_book" in getattr(item, "fixturenames", ()) for item in session.items):
        return
    factory = session.config._tmp_path_factory  # type: ignore[attr-defined]

    def build() -> None:
        with contextlib.suppress(BaseException):  # a failure is recorded for built_book to report
            shared_folder(factory, "book", build_book)

    session.config._book_builder = threading.Thread(target=build, daemon=True)  # type: ignore[attr-defined]
    session.config._book_builder.start()  # type: ignore[attr-defined]


def _working_tree_state() -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                         cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return set(out.splitlines())


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config._tree_before = _working_tree_state()  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    builder = getattr(session.config, "_book_builder", None)
    if builder is not None:
        builder.join()  # another worker may be waiting for the book
    before = getattr(session.config, "_tree_before", None)
    if before is None:
        return
    added = sorted(_working_tree_state() - before)
    # Python's own byte-code caches are not the tests' doing.
    added = [line for line in added if "__pycache__" not in line]
    if added:
        print("\nerror: the tests wrote into the working tree:\n  " + "\n  ".join(added))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def build_book(output: Path) -> None:
    """Build the book with tools/build_book.py into `output`; fail with its messages if it does not build."""
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"),
                             "--output", str(output)], cwd=ROOT, env=course_env(),
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"the book did not build:\n{result.stderr}\n{result.stdout[-3000:]}")


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built by tools/build_book.py once per run (for every worker); its html/ folder.

    ``ACTGRAD_TEST_BOOK`` names a built html/ folder to use instead (while working on a test).
    """
    if reuse := os.environ.get("ACTGRAD_TEST_BOOK"):
        return Path(reuse).resolve()
    return shared_folder(tmp_path_factory, "book", build_book) / "_build" / "html"


@pytest.fixture(scope="session")
def released_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The course with every assignment released by nbgrader, made once per run for every worker.

    Holds one course folder per assignment; ``nbgrader_course.make_course``
    copies from it.
    """
    import nbgrader_course

    return shared_folder(tmp_path_factory, "released", nbgrader_course.release_every_assignment)


class ServedSite:
    """A folder served over HTTP on a free loopback port, remembering every request it refused.

    Browsers ask for some files on their own (``/favicon.ico`` when a page names
    no icon); Playwright does not report those requests, but the server sees them.
    """

    def __init__(self, folder: Path) -> None:
        self.refused: list[str] = []
        refused = self.refused

        class Handler(http.server.SimpleHTTPRequestHandler):
            def send_error(self, code: int, message: str | None = None,
                           explain: str | None = None) -> None:
                refused.append(f"{self.path} ({code})")
                super().send_error(code, message, explain)

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        handler = functools.partial(Handler, directory=str(folder))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def served_book(built_book: Path) -> Iterator[ServedSite]:
    """The built book served over HTTP on a free loopback port."""
    site = ServedSite(built_book)
    yield site
    site.close()


@pytest.fixture(scope="session")
def site_url(served_book: ServedSite) -> str:
    """The address of the served book."""
    return served_book.url


@pytest.fixture(scope="session")
def book_pages(built_book: Path, served_book: ServedSite, chromium,
               tmp_path_factory: pytest.TempPathFactory) -> object:
    """Every page of the built book opened once in Chromium and checked (tests/book_in_chromium.py)."""
    import book_in_chromium

    return book_in_chromium.visit_every_page(built_book, served_book, chromium,
                                             tmp_path_factory.mktemp("screenshots"))


@pytest.fixture(scope="session")
def serial_class(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The synthetic class graded once per run by plain serial nbgrader (synthetic_class.grade_serially)."""
    import synthetic_class

    grade = functools.partial(synthetic_class.grade_serially, tmp_path_factory=tmp_path_factory)
    folder = shared_folder(tmp_path_factory, "serial_class", grade)
    return synthetic_class.serially_graded(folder)


@pytest.fixture(scope="session")
def lab_course(chromium, tmp_path_factory: pytest.TempPathFactory) -> object:
    """JupyterLab started once, and the course run in one page of it in Chromium (tests/course_in_lab.py)."""
    import course_in_lab

    return course_in_lab.run_course_in_lab(chromium, tmp_path_factory.mktemp("lab_course"))


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make system` (make test does it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
