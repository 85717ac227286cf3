"""Build the book with every chapter executed; fail loudly, leave nothing half-built.

Usage (``make book`` runs the first form)::

    python tools/build_book.py                 # into _build/html
    python tools/build_book.py --output DIR    # into DIR/_build/html (tests, benchmarks)
    python tools/build_book.py --clean         # forget cached execution first
    python tools/build_book.py --source DIR    # another book folder (tests)
    python tools/build_book.py --pdf           # the whole book as _build/latex/book.pdf

Runs ``jupyter-book build -n -W --keep-going`` with the execution settings of
``_config.yml`` (cache mode, ``raise_on_error``): a failing cell or any Sphinx
warning fails the build. The full log goes to ``_build/build.log``; on failure
this script prints one summary naming the chapter and the error, and removes
``_build/html`` so that no half-built site is left looking finished.

``--pdf`` (``make pdf``) uses Jupyter Book's own PDF route instead, ``--builder
pdflatex``: Sphinx writes LaTeX into ``_build/latex`` and latexmk runs XeLaTeX
(``latex:`` in ``_config.yml``). It reads the chapters' outputs from the same
execution cache, so after ``make book`` nothing is executed again. A widget
appears as the picture it opens on (the ``image/png`` its display carries).

Only the standard library is imported here, so that running it outside the
course environment ends with a clear message instead of an ImportError.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FAILED_CELL = re.compile(r"Executing notebook failed: (\w+)")
FAILED_PATH = re.compile(r"^\S*ExecutionError: (\S+)$", re.MULTILINE)
FAILED_SOURCE = re.compile(r"while executing the following cell:\n-+\n(.*?)\n-+\n", re.DOTALL)
# The exception a cell raised, as the kernel reports it ("ZeroDivisionError: ...").
FAILED_ERROR = re.compile(r"^(\w+(?:Error|Exception|Exit|Interrupt)\w*: .*)$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*m")
WARNING = re.compile(r"^(?P<where>\S*?):?\s*(WARNING|ERROR|CRITICAL): (?P<what>.*)$")


class BuildError(Exception):
    """A failure with a message for the person who ran the build."""


def check_environment(source: Path) -> Path:
    """Return the ``jupyter-book`` executable of this interpreter's environment."""
    executable = Path(sys.executable).parent / "jupyter-book"
    if importlib.util.find_spec("jupyter_book") is None or not executable.exists():
        raise BuildError(
            "the course environment is missing or incomplete (no jupyter-book next to "
            f"{sys.executable}).\n  Run `make book`: it creates the environment in .venv "
            "and builds the book."
        )
    stamp = source / "_vendor" / "versions.json"
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    if not stamp.exists() or any(
        lock[f"node_modules/{name}"]["version"] != version
        for name, version in json.loads(stamp.read_text()).items()
    ):
        raise BuildError(
            "the vendored MathJax and widget files in _vendor/ are missing or out of date.\n"
            "  Run `make vendor` (or simply `make book`)."
        )
    return executable


def static_files_changed(source: Path, html: Path) -> bool:
    """Whether files Sphinx copies into ``_static`` or the site's root changed since the last build.

    Sphinx skips its copy of static files when no page is out of date, so a
    change there alone needs a full (but cached, hence quick) rewrite.
    """
    built = html / ".buildinfo"
    if not built.exists():
        return False
    since = built.stat().st_mtime
    return any(
        path.stat().st_mtime > since
        for static in (source / "assets", source / "site_root", source / "_vendor" / "versions.json")
        for path in ([static] if static.is_file() else static.rglob("*"))
    )


def summarize_failure(log: str, source: Path) -> str:
    """Turn the build log into a short account of what failed and where."""
    log = ANSI.sub("", log)
    lines = []
    for path in dict.fromkeys(FAILED_PATH.findall(log)):
        chapter = os.path.relpath(path, source) if os.path.isabs(path) else path
        error = FAILED_ERROR.search(log) or FAILED_CELL.search(log)
        lines.append(f"  - {chapter}: {error[1] if error else 'a cell failed'}")
        cell = FAILED_SOURCE.search(log)
        if cell:
            lines.append("    in the cell:")
            lines.extend(f"      {line}" for line in cell[1].splitlines())
    for line in dict.fromkeys(log.splitlines()):
        match = WARNING.match(line.strip())
        if match and "Executing notebook failed" not in line:
            where = match["where"].rstrip(":") or "(book)"
            where = os.path.relpath(where, source) if os.path.isabs(where) else where
            lines.append(f"  - {where}: {match['what']}")
    if not lines:
        tail = "\n".join(log.strip().splitlines()[-15:])
        lines.append("  the last lines of the build log:\n" + tail)
    return "\n".join(lines)


def shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it."""
    return str(path.relative_to(Path.cwd())) if path.is_relative_to(Path.cwd()) else str(path)


def build(source: Path, output: Path, clean: bool, pdf: bool = False) -> float:
    """Build the book in ``source`` into ``output/_build/html`` (or its PDF); return the wall time."""
    executable = check_environment(source)
    build_dir = output / "_build"
    html = build_dir / "html"
    # What a failure must not leave behind: the site, or the PDF.
    product = build_dir / "latex" / "book.pdf" if pdf else html
    if clean:
        shutil.rmtree(build_dir, ignore_errors=True)
    build_dir.mkdir(parents=True, exist_ok=True)
    command = [str(executable), "build", str(source), "--path-output", str(output),
               "-n", "-W", "--keep-going"]
    if pdf:
        if shutil.which("latexmk") is None or shutil.which("xelatex") is None:
            raise BuildError("the PDF needs TeX Live and latexmk.\n"
                             "  Run `make pdf`: it installs them (tools/install_debian_packages.sh pdf).")
        command += ["--builder", "pdflatex"]
    elif static_files_changed(source, html):
        command.append("--all")
    env = dict(os.environ, PATH=f"{executable.parent}{os.pathsep}{os.environ.get('PATH', '')}",
               PYDEVD_DISABLE_FILE_VALIDATION="1",
               # one BLAS thread per kernel: on 2 cores, more threads only contend
               OPENBLAS_NUM_THREADS="1",
               # LaTeX stops at its first error instead of asking on the terminal. -xelatex: every
               # XeLaTeX pass writes only .xdv and xdvipdfmx makes the PDF once, at the end, instead
               # of after each of the three passes (the speed-up Sphinx's LaTeX Makefile advises).
               LATEXMKOPTS="-xelatex -interaction=nonstopmode -halt-on-error")
    start = time.perf_counter()
    log_path = build_dir / ("pdf.log" if pdf else "build.log")
    with log_path.open("w") as log_file:
        process = subprocess.Popen(command, cwd=source, env=env, text=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert process.stdout is not None
        for line in process.stdout:
            sys.stdout.write(line)
            log_file.write(line)
        process.wait()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        if pdf:
            product.unlink(missing_ok=True)
        else:
            shutil.rmtree(html, ignore_errors=True)
        raise BuildError(
            f"the book did not build; nothing was published in {shown(product)}.\n"
            f"{summarize_failure(log_path.read_text(), source)}\n"
            f"  Full log: {shown(log_path)}. "
            "Fix the chapter, then run `make book` again."
        )
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT,
                        help="the book's folder (default: the repository)")
    parser.add_argument("--output", type=Path, default=None,
                        help="folder that receives _build/ (default: the book's folder)")
    parser.add_argument("--clean", action="store_true",
                        help="delete the output's _build/ first, re-executing every chapter")
    parser.add_argument("--pdf", action="store_true",
                        help="build _build/latex/book.pdf with Jupyter Book's pdflatex builder")
    args = parser.parse_args(argv)
    try:
        source = args.source.resolve()
        output = (args.output or args.source).resolve()
        seconds = build(source, output, args.clean, args.pdf)
    except BuildError as error:
        print(f"\nerror: {error}", file=sys.stderr)
        return 1
    if args.pdf:
        print(f"\nPDF built in {seconds:.1f} s: {shown(output / '_build' / 'latex' / 'book.pdf')}")
        return 0
    index = output / "_build" / "html" / "index.html"
    print(f"\nBook built in {seconds:.1f} s: {shown(index)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
