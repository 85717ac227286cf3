"""Project hygiene: lint, pinned versions, vendored versions that match."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import ipywidgets

from conftest import BIN, ROOT


def test_ruff_is_clean() -> None:
    result = subprocess.run([str(BIN / "ruff"), "check", "--no-cache", str(ROOT)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_locked_requirement_is_pinned_and_installed() -> None:
    from importlib.metadata import PackageNotFoundError, version

    pins = [line.split("==") for line in (ROOT / "requirements.lock").read_text().splitlines()
            if line and not line.startswith("#")]
    assert len(pins) > 100 and all(len(pin) == 2 for pin in pins), "every line must be name==version"
    wrong = []
    for name, pinned in pins:
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong.append(f"{name}: not installed")
            continue
        if installed.split("+")[0] != pinned:
            wrong.append(f"{name}: {installed} installed, {pinned} locked")
    assert not wrong, "the environment differs from requirements.lock:\n" + "\n".join(wrong)


def test_top_level_requirements_are_in_the_lock() -> None:
    locked = {line.split("==")[0].lower() for line in
              (ROOT / "requirements.lock").read_text().splitlines() if "==" in line}
    wanted = [re.split(r"[=<>\[]", line)[0].strip().lower() for line in
              (ROOT / "requirements.in").read_text().splitlines()
              if line.strip() and not line.startswith("#")]
    assert set(wanted) <= locked, set(wanted) - locked


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
