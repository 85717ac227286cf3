"""Copy the front-end files the built book needs from their npm packages.

``npm ci`` installs the exact versions of ``package-lock.json`` into
``node_modules/``; this script then copies what the pages load into
``_vendor/`` (ignored by git), which Sphinx publishes in
``_build/html/_static/``:

* MathJax 3 (``mathjax``): ``tex-chtml.js`` and the components and fonts it loads;
* require.js (``requirejs``), which the ipywidgets html-manager needs;
* the ipywidgets html-manager (``@jupyter-widgets/html-manager``):
  ``embed-amd.js`` and the icon fonts it loads next to itself;
* axe-core (``axe-core``): ``axe.min.js`` and its licence, in
  ``_vendor/axe-core/``, which the accessibility tests inject into the built
  pages; ``_config.yml`` excludes that folder, so the site never publishes
  or loads it.

Run through ``make vendor``; it is a no-op when the copy is up to date.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
VENDOR = ROOT / "_vendor"
STAMP = VENDOR / "versions.json"
FONT_SUFFIXES = {".eot", ".svg", ".ttf", ".woff", ".woff2"}


def locked_versions() -> dict[str, str]:
    """Return the package versions pinned in package-lock.json."""
    lock = json.loads((ROOT / "package-lock.json").read_text())
    wanted = json.loads((ROOT / "package.json").read_text())["dependencies"]
    return {name: lock["packages"][f"node_modules/{name}"]["version"] for name in wanted}


def npm_ci() -> None:
    if shutil.which("npm") is None:
        sys.exit("error: npm is needed to vendor MathJax and the widget manager; "
                 "install Node.js and npm (e.g. `apt-get install nodejs npm`).")
    subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund",
                    "--loglevel=error"], cwd=ROOT, check=True)


def copy_assets() -> None:
    tmp = VENDOR.with_name("vendor.partial")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(NODE_MODULES / "mathjax" / "es5", tmp / "mathjax")
    (tmp / "requirejs").mkdir()
    shutil.copy2(NODE_MODULES / "requirejs" / "require.js", tmp / "requirejs" / "require.js")
    manager = NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist"
    (tmp / "html-manager").mkdir()
    for path in manager.iterdir():
        if path.name == "embed-amd.js" or path.suffix in FONT_SUFFIXES:
            shutil.copy2(path, tmp / "html-manager" / path.name)
    (tmp / "axe-core").mkdir()
    for name in ("axe.min.js", "LICENSE"):
        shutil.copy2(NODE_MODULES / "axe-core" / name, tmp / "axe-core" / name)
    (tmp / "versions.json").write_text(json.dumps(locked_versions(), indent=2) + "\n")
    shutil.rmtree(VENDOR, ignore_errors=True)
    tmp.rename(VENDOR)  # the finished copy appears in one step


def up_to_date() -> bool:
    return STAMP.exists() and json.loads(STAMP.read_text()) == locked_versions()


def main() -> int:
    if up_to_date():
        print(f"vendored assets up to date in {VENDOR.relative_to(ROOT)}")
        return 0
    npm_ci()
    copy_assets()
    print(f"vendored {', '.join(f'{k}@{v}' for k, v in locked_versions().items())}"
          f" into {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
