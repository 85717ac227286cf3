"""Structure every activation chapter must have, and rules for every chapter of the book.

Read from the MyST sources (``chapters/*.md``), without executing anything:

* each activation chapter of :data:`ACTIVATION_CHAPTERS` has the
  jupytext/kernelspec header, display math, a code cell that calls
  ``plot_function_and_derivative`` (not softmax), a code cell that builds and
  shows a widget from ``actgrad.widgets``, a "Check yourself" section with at
  least three dropdown admonitions, a mention of its exercise folder
  ``exercises/<name>`` and a references section;
* no chapter shares a run of :data:`SHINGLE` consecutive words with the seed
  articles the course was commissioned from (whitespace, case and punctuation
  normalised);
* every chapter of ``_toc.yml`` draws random numbers only from
  ``numpy.random.default_rng(<literal seed>)`` generators (or from a generator
  it is given); legacy global-state functions (``np.random.normal``,
  ``np.random.seed``, ...) and unseeded generators are refused;
* every content chapter (every chapter of ``_toc.yml`` but
  :data:`NOT_CONTENT`) opens with a "Learning objectives" admonition of 3 to 5
  bullets before its first section, and ends with a "Key takeaways" section of
  3 to 5 bullets, followed by nothing but References (and an end-of-part
  review, if the chapter has one);
* every chapter file is in ``_toc.yml``, every chapter of ``_toc.yml`` exists
  and is classified (activation chapter or one of :data:`OTHER_CHAPTERS`), so
  that skipping an activation chapter that has not been written yet cannot
  hide one the book already lists.

The last part of the file breaks copies of a real chapter in ``tmp_path``
to show that each check fails when it should.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import jupytext
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager

from conftest import ROOT

pytestmark = pytest.mark.unit

#: Activation chapter (file stem in chapters/) -> its exercise folder in exercises/.
ACTIVATION_CHAPTERS = {
    "sigmoid": "01_sigmoid_tanh",
    "tanh": "01_sigmoid_tanh",
    "relu": "02_relu_family",
    "leaky_relu": "02_relu_family",
    "elu_selu": "02_relu_family",
    "softmax": "03_softmax",
    "smooth_activations": "04_smooth_activations",
}
#: Activation chapters without a function-and-derivative plot (softmax is vector-valued).
NO_FUNCTION_PLOT = {"softmax"}
#: Chapters of the book that are not about one activation; every chapter of
#: _toc.yml must be here or in ACTIVATION_CHAPTERS.
OTHER_CHAPTERS = {
    "why_nonlinearity",
    "learning_with_gradients",
    "choosing_an_activation",
    "vanishing_exploding",
    "depth_experiment",
    "initialisation",
    "gradient_cures",
    "training_comparison",
    "digits",
    "digits_cnn",
    "exercises",
    "student_guide",
    "instructor_guide",
    "scaling_out",
}
#: Chapters about using the course, not course content: no objectives or takeaways.
NOT_CONTENT = {"exercises", "student_guide", "instructor_guide", "scaling_out"}
#: How many bullets the objectives and the takeaways have.
MIN_BULLETS, MAX_BULLETS = 3, 5
#: Sections allowed after "Key takeaways" (lower case; a title that starts with one of these).
AFTER_TAKEAWAYS = ("references", "review")
#: Length of the word runs compared with the seed articles.
SHINGLE = 12
#: The seed articles, in the read-only shared/ folder beside the repository (CI has
#: it there too); ACTGRAD_SEEDS overrides the folder.
SEEDS_DIR = Path(os.environ.get("ACTGRAD_SEEDS", Path(__file__).resolve().parents[2] / "shared" / "seeds"))
MIN_DROPDOWNS = 3


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Chapter:
    """A MyST notebook chapter: front matter, markdown text and code cells."""

    path: Path
    text: str
    front_matter: dict | None
    markdown: str
    code_cells: list[str]


def read_chapter(path: Path) -> Chapter:
    """Parse a MyST Markdown chapter; the front matter is read from the raw text."""
    text = path.read_text(encoding="utf-8")
    front_matter, markdown, code = _parse(text)
    return Chapter(path, text, front_matter, markdown, list(code))


@cache
def _parse(text: str) -> tuple[dict | None, str, tuple[str, ...]]:
    front_matter = None
    match = re.match(r"---\n(.*?)\n---\n", text, flags=re.S)
    if match:
        loaded = yaml.safe_load(match.group(1))
        front_matter = loaded if isinstance(loaded, dict) else None
    notebook = jupytext.reads(text, fmt="md:myst")
    markdown = "\n\n".join(c.source for c in notebook.cells if c.cell_type == "markdown")
    code = tuple(c.source for c in notebook.cells if c.cell_type == "code")
    return front_matter, markdown, code


def toc_chapters(root: Path) -> list[str]:
    """Every ``file`` of ``_toc.yml`` (the root page excluded), in order, without extension."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    found: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("file"), str):
                found.append(str(Path(node["file"]).with_suffix("")))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(toc.get("parts", toc.get("chapters", [])))
    return found


def chapter_path(root: Path, entry: str) -> Path:
    """The source file of a toc entry such as ``chapters/sigmoid`` (.md or .ipynb)."""
    for suffix in (".md", ".ipynb"):
        candidate = root / f"{entry}{suffix}"
        if candidate.exists():
            return candidate
    return root / f"{entry}.md"


@cache
def _python(source: str) -> ast.Module:
    """Parse a code cell, IPython syntax (magics, shell escapes) translated to Python first."""
    return ast.parse(TransformerManager().transform_cell(source))


def _code_trees(chapter: Chapter) -> list[ast.Module]:
    trees = []
    for i, source in enumerate(chapter.code_cells):
        try:
            trees.append(_python(source))
        except SyntaxError as error:
            message = f"{chapter.path.name}: code cell {i + 1} is not valid Python: {error}"
            raise AssertionError(message) from None
    return trees


def _dotted(node: ast.AST) -> str | None:
    """``np.random.normal`` for the expression ``np.random.normal``; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


def _calls(tree: ast.AST) -> Iterator[ast.Call]:
    return (node for node in ast.walk(tree) if isinstance(node, ast.Call))


# --- checks ------------------------------------------------------------------------------------
# Each check raises AssertionError with a message that names the chapter.

def check_header(chapter: Chapter) -> None:
    """The jupytext/kernelspec front matter JupyterLab and myst-nb need."""
    fm = chapter.front_matter
    name = chapter.path.name
    assert fm is not None, f"{name}: no YAML front matter (the jupytext/kernelspec header)"
    representation = (fm.get("jupytext") or {}).get("text_representation") or {}
    assert representation.get("format_name") == "myst", f"{name}: jupytext format_name is not 'myst'"
    assert representation.get("extension") == ".md", f"{name}: jupytext extension is not '.md'"
    kernel = fm.get("kernelspec") or {}
    assert kernel.get("name") == "python3", f"{name}: kernelspec name is not 'python3'"
    assert kernel.get("language") == "python", f"{name}: kernelspec language is not 'python'"


DISPLAY_MATH = re.compile(
    r"\$\$.+?\$\$"  # dollarmath blocks
    r"|^\s*(?:`{3,}|:{3,})\{math\}"  # the math directive
    r"|^\s*\\begin\{(?:equation|align|gather|multline|eqnarray)\*?\}",  # amsmath environments
    flags=re.S | re.M,
)


def check_display_math(chapter: Chapter) -> None:
    """At least one displayed equation in the prose."""
    assert DISPLAY_MATH.search(chapter.markdown), f"{chapter.path.name}: no display math ($$ ... $$)"


def check_plots_function_and_derivative(chapter: Chapter) -> None:
    """A code cell calls actgrad.plotting.plot_function_and_derivative (an import alone is not enough)."""
    for tree in _code_trees(chapter):
        for call in _calls(tree):
            name = _dotted(call.func)
            if name and name.split(".")[-1] == "plot_function_and_derivative":
                return
    raise AssertionError(f"{chapter.path.name}: no code cell calls plot_function_and_derivative")


def _widget_sources(trees: list[ast.Module]) -> tuple[set[str], set[str]]:
    """Names imported from actgrad.widgets*, and aliases of actgrad.widgets* modules."""
    names: set[str] = set()
    modules: set[str] = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    if node.module.startswith("actgrad.widgets"):
                        names.add(alias.asname or alias.name)
                    elif full.startswith("actgrad.widgets"):  # from actgrad import widgets
                        modules.add(alias.asname or alias.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("actgrad.widgets"):
                        modules.add(alias.asname or alias.name)
    return names, modules


def check_shows_a_widget(chapter: Chapter) -> None:
    """A code cell ends by showing what a function from actgrad.widgets built."""
    trees = _code_trees(chapter)
    names, modules = _widget_sources(trees)

    def builds(node: ast.AST) -> bool:
        if not isinstance(node, ast.Call):
            return False
        dotted = _dotted(node.func) or ""
        return dotted in names or any(dotted.startswith(f"{m}.") for m in modules)

    for tree in trees:
        built: set[str] = set()
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and builds(statement.value):
                built.update(t.id for t in statement.targets if isinstance(t, ast.Name))

        def shown(node: ast.AST, built: set[str] = built) -> bool:
            return builds(node) or (isinstance(node, ast.Name) and node.id in built)

        last = tree.body[-1] if tree.body else None
        if isinstance(last, ast.Expr):
            value = last.value
            if shown(value):
                return
            if isinstance(value, ast.Call) and _dotted(value.func) in ("display", "IPython.display.display"):
                if any(shown(arg) for arg in value.args):
                    return
    raise AssertionError(
        f"{chapter.path.name}: no code cell ends by showing a widget built by a function from actgrad.widgets"
    )


HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$", flags=re.M)
DIRECTIVE = re.compile(
    r"^(?P<fence>`{3,}|:{3,})\{(?P<name>[\w-]+)\}[^\n]*\n"  # the opening fence
    r"(?P<options>(?:[ \t]*:[\w-]+:[^\n]*\n)*)",  # the :option: lines right after it
    flags=re.M,
)


def section(markdown: str, title: str) -> str | None:
    """The text under the first heading called ``title``, up to the next heading of its level or above."""
    headings = list(HEADING.finditer(markdown))
    for i, heading in enumerate(headings):
        if heading.group(2).strip().lower() == title.lower():
            level = len(heading.group(1))
            end = len(markdown)
            for later in headings[i + 1:]:
                if len(later.group(1)) <= level:
                    end = later.start()
                    break
            return markdown[heading.end():end]
    return None


def count_dropdowns(text: str) -> int:
    """Directives shown as dropdowns: ``{dropdown}`` or any directive with ``:class: dropdown``."""
    count = 0
    for match in DIRECTIVE.finditer(text):
        classes = re.search(r":class:\s*(.*)", match.group("options"))
        if match.group("name") == "dropdown" or (classes and "dropdown" in classes.group(1).split()):
            count += 1
    return count


def check_quiz(chapter: Chapter) -> None:
    """A "Check yourself" section with at least MIN_DROPDOWNS answers in dropdowns."""
    quiz = section(chapter.markdown, "Check yourself")
    assert quiz is not None, f"{chapter.path.name}: no 'Check yourself' section"
    found = count_dropdowns(quiz)
    assert found >= MIN_DROPDOWNS, (
        f"{chapter.path.name}: 'Check yourself' has {found} dropdown admonitions, "
        f"at least {MIN_DROPDOWNS} needed"
    )


def check_mentions_exercise(chapter: Chapter, folder: str) -> None:
    """The prose points to the chapter's exercise folder."""
    assert f"exercises/{folder}" in chapter.markdown, (
        f"{chapter.path.name}: never mentions exercises/{folder}"
    )


def check_references(chapter: Chapter) -> None:
    """A References section with at least one entry."""
    refs = section(chapter.markdown, "References")
    assert refs is not None, f"{chapter.path.name}: no 'References' section"
    assert re.search(r"\w", refs), f"{chapter.path.name}: the 'References' section is empty"


def _bullets(text: str) -> int:
    """Top-level bullet items of a Markdown text."""
    return len(re.findall(r"^[*+-][ \t]+\S", text, flags=re.M))


def check_learning_objectives(chapter: Chapter) -> None:
    """A "Learning objectives" admonition of MIN_BULLETS to MAX_BULLETS bullets before the first section."""
    name = chapter.path.name
    first_section = re.search(r"^##\s", chapter.markdown, flags=re.M)
    opening = chapter.markdown[:first_section.start()] if first_section else chapter.markdown
    match = re.search(r"^(?P<fence>`{3,}|:{3,})\{admonition\}[ \t]+Learning objectives[ \t]*\n"
                      r"(?P<body>.*?)^(?P=fence)[ \t]*$", opening, flags=re.M | re.S)
    assert match, f"{name}: no 'Learning objectives' admonition before the first section"
    found = _bullets(match.group("body"))
    assert MIN_BULLETS <= found <= MAX_BULLETS, (
        f"{name}: 'Learning objectives' has {found} bullets, {MIN_BULLETS} to {MAX_BULLETS} wanted"
    )


def check_key_takeaways(chapter: Chapter) -> None:
    """A "Key takeaways" section of MIN_BULLETS to MAX_BULLETS bullets, the last before References."""
    name = chapter.path.name
    takeaways = section(chapter.markdown, "Key takeaways")
    assert takeaways is not None, f"{name}: no 'Key takeaways' section"
    found = _bullets(takeaways)
    assert MIN_BULLETS <= found <= MAX_BULLETS, (
        f"{name}: 'Key takeaways' has {found} bullets, {MIN_BULLETS} to {MAX_BULLETS} wanted"
    )
    titles = [h.group(2).strip() for h in HEADING.finditer(chapter.markdown) if len(h.group(1)) <= 2]
    later = titles[len(titles) - 1 - titles[::-1].index("Key takeaways") + 1:]
    stray = [title for title in later if not title.lower().startswith(AFTER_TAKEAWAYS)]
    assert not stray, f"{name}: sections after 'Key takeaways' other than References: {stray}"


def words(text: str) -> list[str]:
    """Lower-case alphanumeric words; whitespace, punctuation and markup only separate them."""
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))


def shingles(text: str, n: int = SHINGLE) -> set[tuple[str, ...]]:
    """Every run of ``n`` consecutive words."""
    w = words(text)
    return {tuple(w[i:i + n]) for i in range(len(w) - n + 1)}


@cache
def seed_shingles(folder: Path) -> dict[tuple[str, ...], str]:
    """Every word run of the seed articles in ``folder``, mapped to the file it comes from."""
    runs: dict[tuple[str, ...], str] = {}
    for path in sorted(folder.glob("*.txt")):
        for run in shingles(path.read_text(encoding="utf-8")):
            runs.setdefault(run, path.name)
    return runs


def check_no_seed_text(chapter: Chapter, seeds: dict[tuple[str, ...], str]) -> None:
    """No run of SHINGLE consecutive words in common with a seed article."""
    shared = sorted(run for run in shingles(chapter.text) if run in seeds)
    assert not shared, (
        f"{chapter.path.name}: {len(shared)} runs of {SHINGLE} words copied from the seed articles, e.g. "
        f"{' '.join(shared[0])!r} ({seeds[shared[0]]})"
    )


def _literal_seed(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and not isinstance(node.value, bool)
    if isinstance(node, ast.Tuple | ast.List):
        return bool(node.elts) and all(_literal_seed(e) for e in node.elts)
    return False


def random_problems(chapter: Chapter) -> list[str]:
    """Every use of numpy.random other than default_rng(<literal seed>) and the Generator type."""
    problems = []
    for i, tree in enumerate(_code_trees(chapter)):
        # names that stand for numpy, numpy.random, or a function of numpy.random
        alias: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.name == "numpy" or a.name.startswith("numpy."):
                        alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "numpy":
                for a in node.names:
                    alias[a.asname or a.name] = f"{node.module}.{a.name}"
        alias.setdefault("np", "numpy")  # chapters import numpy as np in an earlier cell

        def resolve(node: ast.AST, alias: dict[str, str] = alias) -> str | None:
            dotted = _dotted(node)
            if dotted is None:
                return None
            head, _, rest = dotted.partition(".")
            if head not in alias:
                return None
            return f"{alias[head]}.{rest}" if rest else alias[head]

        # A function of the cell may take its seed from its caller, ``def run(seed): default_rng(seed)``,
        # if the parameter has no default (a default of None would draw an unseeded generator).
        parameters = {arg.arg for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)
                      for arg in node.args.args[:len(node.args.args) - len(node.args.defaults)]}
        seen_in_calls: set[int] = set()
        for call in _calls(tree):
            target = resolve(call.func)
            if not target or not target.startswith("numpy.random"):
                continue
            seen_in_calls.add(id(call.func))
            where = f"code cell {i + 1}, line {call.lineno}"
            if target == "numpy.random.default_rng":
                seeds = list(call.args) + [k.value for k in call.keywords if k.arg == "seed"]
                passed_in = len(seeds) == 1 and isinstance(seeds[0], ast.Name) and seeds[0].id in parameters
                if len(seeds) != 1 or not (_literal_seed(seeds[0]) or passed_in):
                    problems.append(f"{where}: default_rng() without a literal seed")
            else:
                problems.append(f"{where}: {target}() draws from or seeds numpy's global state")
        for node in ast.walk(tree):
            if not isinstance(node, ast.Attribute | ast.Name) or id(node) in seen_in_calls:
                continue
            target = resolve(node)
            allowed = ("numpy.random.Generator", "numpy.random.default_rng")
            if target and target.startswith("numpy.random") and target not in allowed:
                # ``np.random`` inside ``np.random.normal`` is visited too; report the outermost only
                parent_targets = {resolve(p) for p in ast.walk(tree)
                                  if isinstance(p, ast.Attribute) and p.value is node}
                if not any(t and t.startswith("numpy.random") for t in parent_targets):
                    problems.append(f"code cell {i + 1}, line {node.lineno}: uses {target}")
    return problems


def check_seeded_randomness(chapter: Chapter) -> None:
    """Random numbers only from default_rng(<literal seed>) generators."""
    problems = random_problems(chapter)
    assert not problems, f"{chapter.path.name}: unseeded or global randomness:\n  " + "\n  ".join(problems)


def check_toc(root: Path) -> None:
    """Chapter files and toc entries match, and every toc chapter is classified."""
    listed = toc_chapters(root)
    files = sorted(p for p in (root / "chapters").iterdir() if p.suffix in (".md", ".ipynb"))
    unlisted = [p.name for p in files if f"chapters/{p.stem}" not in listed]
    assert not unlisted, f"chapters missing from _toc.yml: {unlisted}"
    missing = [entry for entry in listed if not chapter_path(root, entry).exists()]
    assert not missing, f"_toc.yml lists chapters whose file does not exist: {missing}"
    known = set(ACTIVATION_CHAPTERS) | OTHER_CHAPTERS
    unclassified = [entry for entry in listed if Path(entry).name not in known]
    assert not unclassified, (
        f"_toc.yml lists chapters that tests/test_chapters.py does not know: {unclassified}; add each to "
        "ACTIVATION_CHAPTERS (and it gets the structural checks) or to OTHER_CHAPTERS"
    )


def load_activation_chapter(root: Path, name: str) -> Chapter:
    """The chapter ``chapters/<name>.md``; skipped if not written yet, unless _toc.yml lists it."""
    path = root / "chapters" / f"{name}.md"
    if not path.exists():
        if f"chapters/{name}" in toc_chapters(root):
            pytest.fail(f"_toc.yml lists chapters/{name} but chapters/{name}.md does not exist")
        pytest.skip(f"chapters/{name}.md is not written yet (and not in _toc.yml)")
    return read_chapter(path)


# --- the tests on the real chapters ----------------------------------------------------------

@pytest.fixture(params=sorted(ACTIVATION_CHAPTERS))
def activation_chapter(request: pytest.FixtureRequest) -> tuple[str, Chapter]:
    return request.param, load_activation_chapter(ROOT, request.param)


def test_header(activation_chapter):
    check_header(activation_chapter[1])


def test_display_math(activation_chapter):
    check_display_math(activation_chapter[1])


def test_plots_function_and_derivative(activation_chapter):
    name, chapter = activation_chapter
    if name in NO_FUNCTION_PLOT:
        pytest.skip(f"{name} is vector-valued: no function-and-derivative plot required")
    check_plots_function_and_derivative(chapter)


def test_shows_a_widget(activation_chapter):
    check_shows_a_widget(activation_chapter[1])


def test_check_yourself_quiz(activation_chapter):
    check_quiz(activation_chapter[1])


def test_mentions_its_exercise(activation_chapter):
    name, chapter = activation_chapter
    check_mentions_exercise(chapter, ACTIVATION_CHAPTERS[name])


def test_references(activation_chapter):
    check_references(activation_chapter[1])


CONTENT_CHAPTERS = [e for e in toc_chapters(ROOT) if Path(e).name not in NOT_CONTENT]


@pytest.mark.parametrize("entry", CONTENT_CHAPTERS, ids=lambda e: Path(e).name)
def test_learning_objectives_and_key_takeaways(entry: str):
    path = chapter_path(ROOT, entry)
    if not path.exists() or path.suffix != ".md":
        pytest.skip(f"{entry}: no MyST source (test_toc_and_chapters_agree reports a missing file)")
    chapter = read_chapter(path)
    check_learning_objectives(chapter)
    check_key_takeaways(chapter)


def _all_chapter_files() -> list[Path]:
    files = {p for p in (ROOT / "chapters").glob("*.md")}
    files |= {chapter_path(ROOT, e) for e in toc_chapters(ROOT) if chapter_path(ROOT, e).suffix == ".md"}
    return sorted(p for p in files if p.exists())


@pytest.mark.parametrize("path", _all_chapter_files(), ids=lambda p: p.stem)
def test_no_seed_article_text(path: Path):
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the seed articles are not available at {SEEDS_DIR} (set ACTGRAD_SEEDS)")
    check_no_seed_text(read_chapter(path), seed_shingles(SEEDS_DIR))


@pytest.mark.parametrize("entry", toc_chapters(ROOT))
def test_randomness_is_seeded(entry: str):
    path = chapter_path(ROOT, entry)
    if not path.exists() or path.suffix != ".md":
        pytest.skip(f"{entry}: no MyST source (test_toc_and_chapters_agree reports a missing file)")
    check_seeded_randomness(read_chapter(path))


def test_toc_and_chapters_agree():
    check_toc(ROOT)


def test_seed_articles_are_readable():
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the seed articles are not available at {SEEDS_DIR} (set ACTGRAD_SEEDS)")
    runs = seed_shingles(SEEDS_DIR)
    assert len(list(SEEDS_DIR.glob("*.txt"))) == 5 and len(runs) > 5000


# --- every check can fail: broken copies of the sigmoid chapter ------------------------------

@pytest.fixture(scope="module")
def sigmoid_text() -> str:
    return (ROOT / "chapters" / "sigmoid.md").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str, name: str = "sigmoid.md") -> Chapter:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return read_chapter(path)


def _without_front_matter(text: str) -> str:
    return re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)


def _without_display_math(text: str) -> str:
    return re.sub(r"\$\$.+?\$\$", "(equation removed)", text, flags=re.S)


def _only_two_dropdowns(text: str) -> str:
    head, quiz = text.split("## Check yourself", 1)
    parts = quiz.split(":class: dropdown")
    kept = ":class: dropdown".join(parts[:3])
    return head + "## Check yourself" + kept + ":class: tip".join(["", *parts[3:]])


def _quiz_renamed(text: str) -> str:
    return text.replace("## Check yourself", "## Questions")


def _dropdowns_outside_the_quiz(text: str) -> str:
    # the answers now sit under "Practice", after an empty "Check yourself" section
    moved = "## Check yourself\n\nNo questions yet.\n\n## Practice questions"
    return text.replace("## Check yourself", moved)


def _widget_not_shown(text: str) -> str:
    return text.replace("\nsigmoid_explorer()\n", "\nexplorer = sigmoid_explorer()\nprint(type(explorer))\n")


def _widget_from_elsewhere(text: str) -> str:
    return text.replace("from actgrad.widgets import", "from mywidgets import")


def _plot_only_imported(text: str) -> str:
    return text.replace("fig = plot_function_and_derivative(", "fig = my_own_plot(")


def _exercise_not_mentioned(text: str) -> str:
    return text.replace("exercises/01_sigmoid_tanh", "the exercise notebook")


def _references_renamed(text: str) -> str:
    return text.replace("## References", "## Further reading")


def _objectives_moved(text: str) -> str:
    start = text.index(":::{admonition} Learning objectives")
    end = text.index(":::\n", start + 3) + 4
    block = text[start:end]
    text = text[:start] + text[end:]
    return text.replace("## Definition\n", f"## Definition\n\n{block}", 1)


def _drop_bullets(text: str, title: str, keep: int) -> str:
    """Keep only the first ``keep`` bullets of the block that starts at ``title``."""
    start = text.index(title)
    end = text.index("\n## " if title.startswith("#") else "\n:::\n", start + 1)
    head, *items = text[start:end].split("\n* ")
    return text[:start] + "\n* ".join([head, *items[:keep]]) + text[end:]


def _section_after_takeaways(text: str) -> str:
    return text.replace("## References", "## Further practice\n\nMore to do.\n\n## References", 1)


def _with_code(code: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        return text.replace("## Practice", f"```{{code-cell}} ipython3\n{code}\n```\n\n## Practice", 1)

    return mutate


BREAKAGES: list[tuple[str, Callable[[str], str], Callable[[Chapter], None]]] = [
    ("no front matter", _without_front_matter, check_header),
    ("wrong kernel", lambda t: t.replace("name: python3", "name: julia-1.10", 1), check_header),
    ("no display math", _without_display_math, check_display_math),
    ("plot imported, never called", _plot_only_imported, check_plots_function_and_derivative),
    ("widget built, not shown", _widget_not_shown, check_shows_a_widget),
    ("widget not from actgrad.widgets", _widget_from_elsewhere, check_shows_a_widget),
    ("two dropdowns", _only_two_dropdowns, check_quiz),
    ("no Check yourself heading", _quiz_renamed, check_quiz),
    ("dropdowns outside the quiz", _dropdowns_outside_the_quiz, check_quiz),
    ("exercise not mentioned", _exercise_not_mentioned,
     lambda c: check_mentions_exercise(c, "01_sigmoid_tanh")),
    ("no references", _references_renamed, check_references),
    ("no objectives", lambda t: t.replace("{admonition} Learning objectives", "{admonition} Aims"),
     check_learning_objectives),
    ("objectives after the first section", _objectives_moved, check_learning_objectives),
    ("two objectives", lambda t: _drop_bullets(t, "Learning objectives", 2), check_learning_objectives),
    ("no takeaways", lambda t: t.replace("## Key takeaways", "## In short"), check_key_takeaways),
    ("two takeaways", lambda t: _drop_bullets(t, "## Key takeaways", 2), check_key_takeaways),
    ("a section after the takeaways", _section_after_takeaways, check_key_takeaways),
    ("legacy global draw", _with_code("x = np.random.normal(size=3)"), check_seeded_randomness),
    ("legacy seed", _with_code("np.random.seed(0)\nx = np.random.rand(3)"), check_seeded_randomness),
    ("unseeded generator", _with_code("rng = np.random.default_rng()"), check_seeded_randomness),
    ("seed from a variable", _with_code("seed = 3\nrng = np.random.default_rng(seed)"),
     check_seeded_randomness),
    ("seed parameter defaulting to None",
     _with_code("def run(seed=None):\n    return np.random.default_rng(seed)"), check_seeded_randomness),
    ("imported function", _with_code("from numpy.random import normal\nx = normal(size=3)"),
     check_seeded_randomness),
    ("aliased module", _with_code("import numpy.random as npr\nx = npr.uniform()"), check_seeded_randomness),
    ("RandomState", _with_code("r = np.random.RandomState(0)"), check_seeded_randomness),
]


def test_the_unbroken_copy_passes_every_check(tmp_path, sigmoid_text):
    chapter = _write(tmp_path, sigmoid_text)
    for _, _, check in BREAKAGES:
        check(chapter)
    check_plots_function_and_derivative(chapter)


@pytest.mark.parametrize(("mutate", "check"), [(m, c) for _, m, c in BREAKAGES],
                         ids=[label for label, _, _ in BREAKAGES])
def test_each_check_fails_on_a_broken_copy(tmp_path, sigmoid_text, mutate, check):
    broken = mutate(sigmoid_text)
    assert broken != sigmoid_text, "the mutation did not change the chapter"
    with pytest.raises(AssertionError, match="sigmoid.md"):
        check(_write(tmp_path, broken))


@pytest.mark.parametrize("code", [
    "rng = np.random.default_rng(seed=3)\nx = rng.normal(size=3)",
    "rng = np.random.default_rng(7)",
    "def draw(rng: np.random.Generator):\n    return rng.normal()",
    "from numpy.random import default_rng\nrng = default_rng(seed=11)",
    "%time x = np.random.default_rng(5).normal(size=3)",
    "def run(lr, seed):\n    return np.random.default_rng(seed).normal() * lr\n"
    "runs = [run(0.1, s) for s in (0, 1)]",
])
def test_seeded_or_passed_generators_are_accepted(tmp_path, sigmoid_text, code):
    check_seeded_randomness(_write(tmp_path, _with_code(code)(sigmoid_text)))


def test_a_widget_shown_through_a_variable_or_display_counts(tmp_path, sigmoid_text):
    for shown in ("w = sigmoid_explorer()\nw", "w = sigmoid_explorer()\ndisplay(w)",
                  "import actgrad.widgets as aw\naw.sigmoid_explorer()"):
        text = sigmoid_text.replace("from actgrad.widgets import sigmoid_explorer\n\nsigmoid_explorer()",
                                    f"from actgrad.widgets import sigmoid_explorer\n\n{shown}")
        assert text != sigmoid_text
        check_shows_a_widget(_write(tmp_path, text))


def test_seed_text_is_caught_whatever_the_case_and_line_breaks(tmp_path, sigmoid_text):
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"the seed articles are not available at {SEEDS_DIR} (set ACTGRAD_SEEDS)")
    seeds = seed_shingles(SEEDS_DIR)
    check_no_seed_text(_write(tmp_path, sigmoid_text), seeds)
    source = sorted(SEEDS_DIR.glob("*.txt"))[1].read_text(encoding="utf-8").split()
    copied = source[200:200 + SHINGLE]
    # upper case, one word per line: still the same twelve words
    paragraph = "\n".join(word.upper() for word in copied)
    broken = sigmoid_text.replace("## Practice", f"{paragraph}\n\n## Practice", 1)
    with pytest.raises(AssertionError, match="copied from the seed articles"):
        check_no_seed_text(_write(tmp_path, broken), seeds)
    # eleven of the twelve words are not enough
    shorter = sigmoid_text.replace("## Practice", " ".join(copied[:-1]) + "\n\n## Practice", 1)
    check_no_seed_text(_write(tmp_path, shorter), seeds)


def _book(tmp_path: Path, toc_files: list[str], chapter_files: list[str]) -> Path:
    (tmp_path / "chapters").mkdir()
    entries = "".join(f"      - file: chapters/{name}\n" for name in toc_files)
    (tmp_path / "_toc.yml").write_text(
        f"format: jb-book\nroot: intro\nparts:\n  - caption: Test\n    chapters:\n{entries}", encoding="utf-8"
    )
    for name in chapter_files:
        (tmp_path / "chapters" / f"{name}.md").write_text("# A chapter\n", encoding="utf-8")
    return tmp_path


def test_toc_checks_pass_on_a_consistent_book(tmp_path):
    check_toc(_book(tmp_path, ["sigmoid", "why_nonlinearity"], ["sigmoid", "why_nonlinearity"]))


@pytest.mark.parametrize(("toc", "files", "message"), [
    (["sigmoid"], ["sigmoid", "extra"], "missing from _toc.yml"),
    (["sigmoid", "relu"], ["sigmoid"], "does not exist"),
    (["sigmoid", "swish_only"], ["sigmoid", "swish_only"], "does not know"),
], ids=["file not in toc", "toc entry without file", "toc entry not classified"])
def test_toc_checks_fail(tmp_path, toc, files, message):
    with pytest.raises(AssertionError, match=message):
        check_toc(_book(tmp_path, toc, files))


def test_a_missing_chapter_is_skipped_only_if_the_toc_does_not_list_it(tmp_path):
    root = _book(tmp_path, ["sigmoid", "relu"], ["sigmoid"])
    with pytest.raises(pytest.fail.Exception, match="lists chapters/relu"):
        load_activation_chapter(root, "relu")
    with pytest.raises(pytest.skip.Exception):
        load_activation_chapter(root, "tanh")
