"""Fixtures shared by the test suite.

Every test works in its own temporary folders: the book is built into a
session temp folder, nbgrader runs in temp copies of the course, and a check at
the end of the session fails the run if anything appeared in the working tree.
"""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
# Chromium flags for this sandbox: no GPU, no background traffic to outside hosts.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def course_env(**extra: str) -> dict[str, str]:
    """Environment for subprocesses: the course environment's bin/ first on PATH.

    MPLBACKEND is removed: set to a non-inline backend it would stop the
    chapters' kernels from showing their figures.
    """
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONDONTWRITEBYTECODE="1")
    env.pop("MPLBACKEND", None)
    env.update(extra)
    return env


def _working_tree_state() -> set[str]:
    out = subprocess.run(["git", "status", "--porcelain", "--ignored", "--untracked-files=all"],
                         cwd=ROOT, capture_output=True, text=True, check=False).stdout
    return set(out.splitlines())


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config._tree_before = _working_tree_state()  # type: ignore[attr-defined]


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    before = getattr(session.config, "_tree_before", None)
    if before is None:
        return
    added = sorted(_working_tree_state() - before)
    # Python's own byte-code caches are not the tests' doing.
    added = [line for line in added if "__pycache__" not in line]
    if added:
        print("\nerror: the tests wrote into the working tree:\n  " + "\n  ".join(added))
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(scope="session")
def built_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The book built by tools/build_book.py into a session temp folder; its html/ folder."""
    output = tmp_path_factory.mktemp("book")
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "build_book.py"),
                             "--output", str(output)], cwd=ROOT, env=course_env(),
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(f"the book did not build:\n{result.stderr}\n{result.stdout[-3000:]}")
    return output / "_build" / "html"


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
def chromium() -> Iterator[object]:
    """Debian's headless Chromium driven by Playwright (no browser download)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make system` (make test does it).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
