"""Project hygiene: lint, pinned versions, vendored versions that match."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets
import pytest

from conftest import BIN, ROOT, course_env

pytestmark = pytest.mark.unit


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", str(ROOT)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


LOCKS = {"requirements.in": "requirements.lock", "requirements-test.in": "requirements-test.lock",
         "requirements-exercises.in": "requirements-exercises.lock"}
PIN = re.compile(r"^([A-Za-z0-9._-]+)==(\S+) \\\n(?:    --hash=sha256:[0-9a-f]{64}(?: \\)?\n)+", re.MULTILINE)


def locked(lock: str) -> dict[str, str]:
    """``{normalised name: version}`` of a lock file, asserting that every package is pinned by hash."""
    text = (ROOT / lock).read_text()
    found = {re.sub(r"[-_.]+", "-", m[1].lower()): m[2] for m in PIN.finditer(text)}
    packages = re.findall(r"^[A-Za-z0-9._-]+==", text, re.MULTILINE)
    assert len(found) == len(packages), f"{lock}: a package without a hash"
    return found


@pytest.mark.parametrize("lock", sorted(LOCKS.values()))
def test_every_lock_pins_versions_and_hashes(lock: str) -> None:
    assert len(locked(lock)) > 20


def test_the_test_lock_adds_only_what_the_book_lock_lacks() -> None:
    book, test = locked("requirements.lock"), locked("requirements-test.lock")
    assert not set(book) & set(test), "requirements-test.lock repeats packages of requirements.lock"
    assert {"pytest", "pytest-xdist", "playwright", "jupyterhub"} <= set(test)
    assert {"torch", "jupyter-book", "nbgrader"} <= set(book)
    assert not {"pytest", "playwright", "jupyterhub"} & set(book), "the book must not install test tools"
    exercises = locked("requirements-exercises.lock")
    assert all(book[name] == version for name, version in exercises.items()), "exercises differ from the book"


def test_every_locked_requirement_is_installed() -> None:
    from importlib.metadata import PackageNotFoundError, version

    pins = {**locked("requirements.lock"), **locked("requirements-test.lock")}
    assert len(pins) > 100
    wrong = []
    for name, pinned in pins.items():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name}: not installed")
            continue
        if installed != pinned:
            wrong.append(f"{name}: {installed} installed, {pinned} locked")
    assert not wrong, "the environment differs from the locks:\n" + "\n".join(wrong)


def test_processes_keep_the_byte_code_of_what_they_import(tmp_path: Path) -> None:
    """.venv is installed without byte-code: each module is compiled once, by its first importer.

    A process the tests start writes the byte-code, and so does one that make
    starts, even from a shell that sets PYTHONDONTWRITEBYTECODE.
    """
    import importlib.util

    (tmp_path / "probe_module.py").write_text("VALUE = 1\n")
    cached = Path(importlib.util.cache_from_source(str(tmp_path / "probe_module.py")))
    subprocess.run([sys.executable, "-c", "import probe_module"], cwd=tmp_path, env=course_env(), check=True)
    assert cached.is_file()
    cached.unlink()
    probe = f"probe: ; @cd {tmp_path} && $(PYTHON) -c 'import probe_module'"
    subprocess.run(["make", "-s", f"--eval={probe}", "probe"], cwd=ROOT, check=True,
                   env=dict(os.environ, PYTHONDONTWRITEBYTECODE="1"))
    assert cached.is_file()
    grading = ROOT / ".venv-grading"
    if grading.is_dir():  # mounted read-only in the sandbox: compiled at installation
        numpy = next(grading.glob("lib/python3.*/site-packages/numpy/__init__.py"))
        assert Path(importlib.util.cache_from_source(str(numpy))).is_file()


def test_jsonschema_does_not_build_the_rfc3987_syntax_parsers() -> None:
    """Every nbformat import would take seconds (see requirements.in)."""
    probe = "import sys, nbformat; print('rfc3987_syntax' in sys.modules)"
    found = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"


@pytest.mark.parametrize("source", sorted(LOCKS))
def test_top_level_requirements_are_in_the_lock(source: str) -> None:
    wanted = [re.sub(r"[-_.]+", "-", re.split(r"[=<>\[]", line)[0].strip().lower()) for line in
              (ROOT / source).read_text().splitlines()
              if line.strip() and not line.startswith(("#", "-"))]
    within = {**locked("requirements.lock"), **locked(LOCKS[source])}  # the others resolve within it
    assert wanted and set(wanted) <= set(within), set(wanted) - set(within)


def test_vendored_widget_manager_speaks_the_installed_ipywidgets_protocol() -> None:
    """The html-manager's controls must be the ones the installed ipywidgets serialises for."""
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    manager = lock["node_modules/@jupyter-widgets/html-manager"]
    controls = lock["node_modules/@jupyter-widgets/controls"]["version"]
    assert caret_allows(manager["dependencies"]["@jupyter-widgets/controls"], controls)
    protocol = (ROOT / "node_modules" / "@jupyter-widgets" / "controls" / "lib" / "version.js")
    js_protocol = re.search(r"JUPYTER_CONTROLS_VERSION = '([\d.]+)'", protocol.read_text())[1]
    assert js_protocol == ipywidgets._version.__jupyter_widgets_controls_version__
    # The JupyterLab extension shipped with ipywidgets uses the same controls release line.
    lab = Path(sys.prefix, "share/jupyter/labextensions/@jupyter-widgets/jupyterlab-manager")
    wanted = json.loads((lab / "package.json").read_text())["dependencies"]["@jupyter-widgets/controls"]
    assert caret_allows(wanted, controls), f"JupyterLab wants controls {wanted}, site has {controls}"
    versions = json.loads((ROOT / "_vendor" / "versions.json").read_text())
    assert versions["@jupyter-widgets/html-manager"] == manager["version"]


def caret_allows(spec: str, version: str) -> bool:
    """npm's ^x.y.z: same major version, not older."""
    low = tuple(int(p) for p in spec.lstrip("^").split("."))
    have = tuple(int(p) for p in version.split("."))
    return have[0] == low[0] and have >= low
