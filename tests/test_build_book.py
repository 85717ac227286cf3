"""tools/build_book.py: a failing chapter, a missing environment or missing
vendored files each end with one clear message, and nothing half-built is left.

These build a two-page book (an intro page and one small chapter) in a
temp folder, so they run in seconds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, course_env

BUILD = ROOT / "tools" / "build_book.py"
CHAPTER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
# A small chapter

```{{code-cell}} ipython3
{code}
```
"""


def make_book(folder: Path, code: str) -> Path:
    """A two-page book in ``folder`` whose chapter runs ``code``."""
    shutil.copy(ROOT / "_config.yml", folder / "_config.yml")
    (folder / "intro.md").write_text("# A test book\n\nIts one chapter runs the code under test.\n")
    for static in ("assets", "site_root"):
        shutil.copytree(ROOT / static, folder / static)
    (folder / "_vendor").symlink_to(ROOT / "_vendor")
    (folder / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nparts:\n  - caption: Test\n    chapters:\n"
        "      - file: chapters/small\n")
    (folder / "chapters").mkdir()
    (folder / "chapters" / "small.md").write_text(CHAPTER.format(code=code))
    return folder


def run_build(*args: str, python: tuple[str, ...] = (sys.executable,)):
    return subprocess.run([*python, str(BUILD), *args], cwd=ROOT, env=course_env(),
                          capture_output=True, text=True, check=False, timeout=600)


@pytest.mark.slow
def test_a_failing_cell_names_the_chapter_and_publishes_nothing(tmp_path: Path) -> None:
    book = make_book(tmp_path, "print('ok')\n1 / 0")
    result = run_build("--source", str(book))
    assert result.returncode == 1
    message = result.stderr
    assert "error: the book did not build" in message
    assert "chapters/small.md: ZeroDivisionError: division by zero" in message
    assert "1 / 0" in message, "the summary should show the failing cell"
    assert "make book" in message
    assert not (book / "_build" / "html").exists(), "a failed build left a site behind"
    assert (book / "_build" / "build.log").exists()


@pytest.mark.slow
def test_an_unchanged_rebuild_executes_nothing(tmp_path: Path) -> None:
    book = make_book(tmp_path, "import numpy as np\nprint(np.arange(3).sum())")
    first = run_build("--source", str(book))
    assert first.returncode == 0, first.stderr
    assert "Executed notebook in" in first.stdout
    assert (book / "_build" / "html" / "chapters" / "small.html").exists()
    second = run_build("--source", str(book))
    assert second.returncode == 0, second.stderr
    assert "Executed notebook in" not in second.stdout
    clean = run_build("--source", str(book), "--clean")
    assert clean.returncode == 0, clean.stderr
    assert "Executed notebook in" in clean.stdout, "--clean must re-execute every chapter"


@pytest.mark.unit
def test_outside_the_environment_the_message_says_how_to_create_it(tmp_path: Path) -> None:
    # -S: no site-packages, as with a Python that is not the course environment.
    result = run_build("--output", str(tmp_path), python=(sys.executable, "-S"))
    assert result.returncode == 1
    assert "the course environment is missing" in result.stderr
    assert "make book" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "_build").exists()


@pytest.mark.unit
def test_missing_vendored_files_say_to_run_make_vendor(tmp_path: Path) -> None:
    book = make_book(tmp_path, "pass")
    (book / "_vendor").unlink()
    result = run_build("--source", str(book))
    assert result.returncode == 1
    assert "make vendor" in result.stderr
    assert "Traceback" not in result.stderr
