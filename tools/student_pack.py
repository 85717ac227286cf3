"""Build the student pack: the exercise notebooks, what they need to run, and the student guide.

    python tools/student_pack.py              # writes _build/student/ and _build/student.zip
    python tools/student_pack.py --out DIR    # writes DIR/student/ and DIR/student.zip

The pack holds each assignment's release notebook from exercises/ (the same
bytes), a pinned requirements.txt and README.md (the student guide). Nothing
else of the repository goes in: no solutions, hidden tests, rubrics or course
code. The zip has sorted entries and fixed timestamps, so the same inputs give
the same bytes. Only the standard library is used.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "student"
#: Markers of what nbgrader removes from a release; finding one means exercises/ is not a release.
SECRETS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)
HEADER = """\
# Activation functions and the gradients they pass: the exercises

This pack holds the course's graded exercises and what you need to work on them:

| file | what it is |
|---|---|
{rows}| `requirements.txt` | the Python packages the notebooks need, at exact versions, and JupyterLab |
| `README.md` | this file: the course's student guide, below |

"""


def notebooks() -> list[Path]:
    """Every assignment's release notebook, sorted; refuses one that still holds an answer."""
    found = sorted((ROOT / "exercises").glob("*/*.ipynb"))
    if not found:
        sys.exit("student_pack.py: no notebook in exercises/; run `make exercises` first")
    for path in found:
        text = path.read_text(encoding="utf-8")
        leaked = [marker for marker in SECRETS if marker in text]
        if leaked:
            sys.exit(f"student_pack.py: {path.relative_to(ROOT)} holds {leaked[0]!r}; "
                     "regenerate it with `make exercises`")
    return found


def title(notebook: Path) -> str:
    """The first line of the notebook's first cell, without its ``#``."""
    source = json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]["source"]
    first = "".join(source).splitlines()[0] if source else notebook.stem
    return first.lstrip("# ").strip()


def pins(path: Path) -> list[str]:
    """The ``name==version`` of every package of a lock file, without its hashes."""
    return re.findall(r"^[A-Za-z0-9._-]+==[^\s\\]+", path.read_text(), re.MULTILINE)


def requirements() -> str:
    """requirements-exercises.lock, plus the jupyterlab pin of requirements.lock."""
    lab = [pin for pin in pins(ROOT / "requirements.lock") if pin.lower().startswith("jupyterlab==")]
    if len(lab) != 1:
        sys.exit("student_pack.py: requirements.lock pins no jupyterlab")
    return "\n".join([
        "# The packages the exercise notebooks need (NumPy, matplotlib, ipykernel and their",
        "# dependencies), at the versions the course is tested with: requirements-exercises.lock.",
        "# jupyterlab is added, pinned as in the course's requirements.lock, so that you can open",
        "# the notebooks. Install with: pip install -r requirements.txt",
        *pins(ROOT / "requirements-exercises.lock"), *lab, ""])


def readme(found: list[Path]) -> str:
    """The pack's contents, then chapters/student_guide.md as plain Markdown, headings one level down."""
    rows = "".join(f"| `{p.parent.name}/{p.name}` | {title(p)} |\n" for p in found)
    guide = (ROOT / "chapters" / "student_guide.md").read_text(encoding="utf-8")
    guide = re.sub(r"^```\{code-block\} *(\w*)\n(?::\w+:.*\n)*", r"```\1\n", guide, flags=re.MULTILINE)
    # demote the headings, not the comments of code blocks
    parts = re.split(r"(^```.*?^```)", guide, flags=re.MULTILINE | re.DOTALL)
    guide = "".join(part if part.startswith("```") else re.sub(r"^#", "##", part, flags=re.MULTILINE)
                    for part in parts)
    if re.search(r"\{[\w-]+\}`|```\{", guide):
        sys.exit("student_pack.py: chapters/student_guide.md uses a MyST role or directive "
                 "that the README cannot show; write plain Markdown there")
    return HEADER.format(rows=rows) + guide


def write_zip(folder: Path, archive: Path) -> None:
    """Zip ``folder`` as ``<folder name>/...``: sorted entries, fixed dates and modes."""
    with zipfile.ZipFile(archive, "w") as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", ZIP_DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            bundle.writestr(info, path.read_bytes(), compresslevel=9)


def build(out: Path) -> Path:
    """Write ``out/student/`` and ``out/student.zip``; return the zip's path."""
    folder, archive = out / NAME, out / f"{NAME}.zip"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    found = notebooks()
    for path in found:
        (folder / path.parent.name).mkdir(exist_ok=True)
        shutil.copyfile(path, folder / path.parent.name / path.name)
    (folder / "requirements.txt").write_text(requirements())
    (folder / "README.md").write_text(readme(found), encoding="utf-8")
    write_zip(folder, archive)
    return archive


def main(argv: list[str] | None = None) -> int:
    """Build the pack where ``--out`` says and print where it is."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "_build",
                        help="folder that receives student/ and student.zip (default: _build)")
    archive = build(parser.parse_args(argv).out.resolve())
    print(f"Student pack: {archive.parent / NAME}/ and {archive}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
