"""Students get the exercises, never the answers.

tools/student_pack.py runs into a temp folder (``--out``); its folder and zip
must hold each release notebook of exercises/ byte for byte, a pinned
requirements.txt and the student guide, and nothing of solutions/: no solution,
hidden test or rubric, no module of the course, no path naming solutions or
actgrad. Each notebook must run, in a fresh kernel, up to its first
unimplemented stub. On the built site, every chapter's Practice section and
the Exercises page link the same notebooks for download.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from conftest import ROOT, course_env

pytestmark = pytest.mark.slow

PACK = ROOT / "tools" / "student_pack.py"
CONTRACT = ROOT.parent / "shared" / "exercise-contract.md"
SECRETS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
RELEASES = sorted(ROOT.glob("exercises/*/*.ipynb"))
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# --- what the answers look like ----------------------------------------------------------------

def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def solution_sources() -> list[nbformat.NotebookNode]:
    return [nbformat.read(p, as_version=4) for p in sorted(ROOT.glob("solutions/*/*.ipynb"))]


def contract_functions() -> set[str]:
    """The contract table's function names, and every function a solution cell defines."""
    names = set()
    if CONTRACT.exists():
        names |= set(re.findall(r"`(\w+)\(", CONTRACT.read_text()))
    for nb in solution_sources():
        for cell in nb.cells:
            if cell.cell_type == "code" and nbgrader_meta(cell).get("solution"):
                names |= set(re.findall(r"^def (\w+)\(", cell.source, re.MULTILINE))
    assert {"sigmoid", "softmax", "clip_by_global_norm"} <= names, names
    return names


def rubric_lines() -> set[str]:
    """Every line of a solutions/ written-answer cell that holds a rubric.

    Markers, blanks and lines without a word (a table's |---| rule) aside: those say nothing.
    """
    lines = set()
    for nb in solution_sources():
        for cell in nb.cells:
            written = cell.cell_type == "markdown" and nbgrader_meta(cell).get("solution")
            if written and "Rubric" in cell.source:
                lines |= {line.strip() for line in cell.source.splitlines()
                          if re.search(r"[A-Za-z]{3}", line) and "### " not in line}
    assert len(lines) >= 5, "the solution notebooks should hold rubrics"
    return lines


# --- the pack ----------------------------------------------------------------------------------

def build_pack(out: Path) -> Path:
    done = subprocess.run([sys.executable, str(PACK), "--out", str(out)], cwd=ROOT, env=course_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return out


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def strings(value: object) -> list[str]:
    """Every string inside a JSON value (a notebook's text as the reader sees it, not JSON-escaped)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def readable(name: str, data: bytes) -> str:
    text = data.decode("utf-8")
    if name.endswith(".ipynb"):
        nb = json.loads(text)
        return text + "\n" + "\n".join("".join(c["source"]) for c in nb["cells"]) + "\n".join(strings(nb))
    return text


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output folder of one run: student/ and student.zip."""
    return build_pack(tmp_path_factory.mktemp("pack"))


@pytest.fixture(scope="module")
def unzipped(pack: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    with zipfile.ZipFile(pack / "student.zip") as bundle:
        names = bundle.namelist()
        assert all(n.startswith("student/") for n in names), names
        return {n.removeprefix("student/"): bundle.read(n) for n in names if not n.endswith("/")}


def test_the_zip_equals_the_folder(pack: Path, unzipped: dict[str, bytes]) -> None:
    assert unzipped == files(pack / "student")


def test_the_zip_is_reproducible(pack: Path, tmp_path: Path) -> None:
    again = build_pack(tmp_path)
    assert (again / "student.zip").read_bytes() == (pack / "student.zip").read_bytes()
    with zipfile.ZipFile(pack / "student.zip") as bundle:
        names = bundle.namelist()
        assert names == sorted(names)
        assert {info.date_time for info in bundle.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_the_notebooks_are_the_release_byte_for_byte(unzipped: dict[str, bytes]) -> None:
    assert RELEASES, "no notebook in exercises/"
    expected = {p.relative_to(ROOT / "exercises").as_posix(): p.read_bytes() for p in RELEASES}
    notebooks = {name: data for name, data in unzipped.items() if name.endswith(".ipynb")}
    assert notebooks == expected
    assert set(unzipped) == set(expected) | {"requirements.txt", "README.md"}


def test_no_solution_hidden_test_or_rubric(unzipped: dict[str, bytes]) -> None:
    rubrics = rubric_lines()
    for name, data in unzipped.items():
        text = readable(name, data)
        for marker in SECRETS:
            assert marker not in text, f"{name} holds {marker!r}"
        assert "Rubric" not in text, f"{name} holds a rubric"
        leaked = sorted(line for line in rubrics if line in text)
        assert not leaked, f"{name} holds rubric lines: {leaked[:3]}"


def test_no_course_code_and_no_answer_paths(pack: Path, unzipped: dict[str, bytes]) -> None:
    with zipfile.ZipFile(pack / "student.zip") as bundle:
        paths = bundle.namelist() + [p.relative_to(pack).as_posix() for p in (pack / "student").rglob("*")]
    for path in paths:
        assert "solutions" not in path.lower() and "actgrad" not in path.lower(), path
    code_suffixes = {".py", ".pyc", ".pyd", ".so", ".pth", ".whl", ".egg"}
    modules = [n for n in unzipped if Path(n).suffix in code_suffixes]
    assert not modules, f"the pack holds modules: {modules}"
    defines = re.compile(r"^\s*def (" + "|".join(sorted(contract_functions())) + r")\(", re.MULTILINE)
    for name, data in unzipped.items():
        text = readable(name, data)
        assert not re.search(r"^\s*(from|import)\s+actgrad\b", text, re.MULTILINE), f"{name} imports actgrad"
        if not name.endswith(".ipynb"):
            assert not defines.search(text), f"{name} defines a contract function"


def test_every_solution_cell_is_a_stub(unzipped: dict[str, bytes]) -> None:
    # (A notebook may provide functions of an earlier assignment in a cell of its own:
    # assignment 5 gives sigmoid and relu. Only the cells students fill in are checked.)
    for name, data in unzipped.items():
        if not name.endswith(".ipynb"):
            continue
        cells = [c for c in nbformat.reads(data.decode(), as_version=4).cells
                 if c.cell_type == "code" and nbgrader_meta(c).get("solution")]
        assert cells, f"{name}: no solution cell"
        for cell in cells:
            # each statement: `raise NotImplementedError()`, or a function (docstring aside) of only that
            for node in ast.parse(cell.source).body:
                body = node.body if isinstance(node, ast.FunctionDef) else [node]
                body = body[1:] if isinstance(body[0], ast.Expr) and len(body) > 1 else body
                assert [ast.unparse(b) for b in body] == ["raise NotImplementedError()"], (
                    f"{name}: a solution cell is more than a stub:\n{cell.source}")


def test_requirements_pin_what_the_exercises_need(unzipped: dict[str, bytes]) -> None:
    text = unzipped["requirements.txt"].decode()
    pins = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    for line in pins:
        assert re.fullmatch(r"[A-Za-z0-9._-]+==[^=\s]+", line), f"not pinned: {line!r}"
    names = {re.sub(r"[-_.]+", "-", line.split("==")[0].lower()) for line in pins}
    assert {"numpy", "matplotlib", "ipykernel", "jupyterlab"} <= names
    assert not names & {"nbgrader", "torch", "actgrad", "jupyter-book", "jupyterhub"}, names
    lock = re.findall(r"^\S+==\S+(?= \\$)", (ROOT / "requirements-exercises.lock").read_text(), re.MULTILINE)
    lab = re.findall(r"^jupyterlab==\S+(?= \\$)", (ROOT / "requirements.lock").read_text(), re.MULTILINE)
    assert len(lock) > 20 and len(lab) == 1
    assert pins == lock + lab
    assert re.search(r"^#.*jupyterlab", text, re.MULTILINE), "a comment should say why jupyterlab is there"


def test_the_readme_is_the_student_guide(unzipped: dict[str, bytes]) -> None:
    readme = unzipped["README.md"].decode()
    for phrase in ("pip install -r requirements.txt", "jupyter lab", "Restart Kernel and Run All Cells",
                   "## Submit", "YOUR CODE HERE"):
        assert phrase in readme, phrase
    for release in RELEASES:
        assert f"{release.parent.name}/{release.name}" in readme
    assert "{code-block}" not in readme and "{download}" not in readme and "{doc}" not in readme
    assert "make lab" not in readme and "clone" not in readme.lower()


@pytest.mark.parametrize("name", [p.relative_to(ROOT / "exercises").as_posix() for p in RELEASES])
def test_each_notebook_runs_up_to_its_first_stub(name: str, unzipped: dict[str, bytes],
                                                  tmp_path: Path) -> None:
    nb = nbformat.reads(unzipped[name].decode(), as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=False,
                            resources={"metadata": {"path": str(tmp_path)}})
    with pytest.raises(CellExecutionError) as raised:
        client.execute(env=course_env())
    assert raised.value.ename == "NotImplementedError", f"{name}: first error {raised.value}"
    failed = next(i for i, c in enumerate(nb.cells)
                  if c.cell_type == "code" and any(o.output_type == "error" for o in c.get("outputs", [])))
    stubs = {n for c in nb.cells if c.cell_type == "code" and nbgrader_meta(c).get("solution")
             and "raise NotImplementedError()" in c.source
             for n in re.findall(r"^def (\w+)\(", c.source, re.MULTILINE)}
    trace = ANSI.sub("", str(raised.value.traceback))
    frames = re.findall(r", in (\w+)\(", trace)
    assert frames and frames[-1] in stubs, f"{name}: NotImplementedError not raised by a stub:\n{trace}"
    for cell in nb.cells[:failed]:
        if cell.cell_type == "code":
            assert cell.get("execution_count") is not None, f"{name}: a cell before the stub did not run"
            assert not any(o.output_type == "error" for o in cell.outputs), f"{name}: a cell failed"


# --- the site ----------------------------------------------------------------------------------

def practice_assignments() -> dict[str, str]:
    """Chapter stem -> the assignment its Practice section names."""
    found = {}
    for chapter in sorted((ROOT / "chapters").glob("*.md")):
        practice = re.search(r"^## Practice\n(.*?)(?=^## |\Z)", chapter.read_text(), re.MULTILINE | re.DOTALL)
        if practice:
            found[chapter.stem] = re.search(r"exercises/(\d\d_\w+)", practice[1])[1]
    assert len(found) >= 7, found
    return found


def downloads(page: Path, section: str | None = None) -> dict[str, bytes]:
    """File name -> bytes of every download link of ``page`` (within the section with id ``section``)."""
    root = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    if section is not None:
        root = root.find("section", id=section)
        assert root is not None, f"{page.name}: no section {section!r}"
    linked = {}
    for link in root.find_all("a", class_="download"):
        target = (page.parent / unquote(urlsplit(link["href"]).path)).resolve()
        assert "_downloads" in target.parts and target.is_file(), f"{page.name}: {link['href']}"
        linked[target.name] = target.read_bytes()
    return linked


def release(assignment: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((ROOT / "exercises" / assignment).glob("*.ipynb"))}


def test_every_practice_section_offers_its_notebook(built_book: Path) -> None:
    for chapter, assignment in practice_assignments().items():
        linked = downloads(built_book / "chapters" / f"{chapter}.html", "practice")
        assert linked == release(assignment), f"{chapter}: Practice links {sorted(linked)}"


def test_the_exercises_page_offers_every_notebook(built_book: Path) -> None:
    linked = downloads(built_book / "chapters" / "exercises.html")
    expected = {p.name: p.read_bytes() for p in RELEASES}
    assert linked == expected


def test_the_site_offers_no_answer(built_book: Path) -> None:
    for path in (built_book / "_downloads").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            assert not [m for m in SECRETS if m in text] and "Rubric" not in text, path
