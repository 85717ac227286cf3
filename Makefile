# Every target runs inside the course environment (.venv), creating it first
# when needed; its bin/ is put on PATH because nbgrader calls `alembic` from there.
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
PYTHON := $(BIN)/python
export PATH := $(BIN):$(PATH)
# Every process writes the byte-code of what it imports, once, beside the source
# (__pycache__/), and later processes reuse it; the environment is installed without
# compiling the thousands of modules that nothing here imports.
unexport PYTHONDONTWRITEBYTECODE
PORT ?= 8000

.DEFAULT_GOAL := help
.PHONY: help env test-env vendor system book pdf serve lab exercises student-pack grade test test-fast lint bench bench-grading lock clean distclean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

env: $(VENV)/.installed  ## create or update the pinned environment in .venv
$(VENV)/.installed: requirements.lock requirements-exercises.lock pyproject.toml tools/make_env.sh
	@tools/make_env.sh

test-env: $(VENV)/.installed-test  ## add what the tests need (requirements-test.lock) to .venv
$(VENV)/.installed-test: requirements-test.lock $(VENV)/.installed
	@tools/make_env.sh test

vendor: _vendor/versions.json  ## copy MathJax, require.js and the widget manager from npm
_vendor/versions.json: package-lock.json tools/vendor_assets.py | env
	@$(PYTHON) tools/vendor_assets.py

system:  ## install Debian's chromium (browser tests), bubblewrap (grading sandbox) and TeX Live (PDF)
	@tools/install_debian_packages.sh

book: env vendor  ## build the book into _build/html, executing every chapter
	@$(PYTHON) tools/build_book.py

pdf: env vendor  ## build the whole course as one PDF, _build/latex/book.pdf (installs TeX Live first)
	@tools/install_debian_packages.sh pdf
	@$(PYTHON) tools/build_book.py --pdf

serve:  ## serve the built book on http://127.0.0.1:8000 (or PORT=n)
	@test -f _build/html/index.html || { echo "error: no built book in _build/html; run 'make book' first." >&2; exit 1; }
	@echo "Serving the book on http://127.0.0.1:$(PORT) (Ctrl-C stops)"
	@$(PYTHON) -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

lab: env  ## open JupyterLab on the course
	@$(BIN)/jupyter lab --notebook-dir=$(CURDIR)

exercises: env  ## regenerate exercises/ from solutions/ (ASSIGNMENT=name for one)
	@$(PYTHON) tools/exercises.py generate $(ASSIGNMENT)

student-pack: env  ## write _build/student/ and _build/student.zip: the notebooks, requirements and guide for students
	@$(PYTHON) tools/student_pack.py

grade: env  ## grade every submission of ASSIGNMENT=name on every core, then feedback and grades.csv
	@test -n "$(ASSIGNMENT)" || { echo "error: say which assignment, e.g. make grade ASSIGNMENT=01_sigmoid_tanh" >&2; exit 2; }
	@tools/install_debian_packages.sh sandbox
	@$(PYTHON) tools/grade_class.py $(ASSIGNMENT) $(GRADE_ARGS)

# Tiers (markers in every test file, checked by tests/conftest.py): unit tests need
# neither the book, nor nbgrader, nor a browser, nor root; slow ones build the book
# or run nbgrader; browser ones drive Debian's chromium. Files go to workers whole
# (tests/conftest.py schedules them, in its order; files that share a costly session
# fixture, such as one visit of every page, go together), so a module's fixtures run once;
# the book and the released nbgrader course are built once per run and shared by every worker.
XDIST = -n auto --dist loadfile
test:  ## run every test in parallel (the command CI runs)
	@$(MAKE) --no-print-directory -j3 test-env vendor system  # independent once .venv exists
	@$(PYTHON) -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: test-env vendor  ## run the unit tests only, in parallel: no book, nbgrader, browser or root
	@$(PYTHON) -m pytest $(XDIST) -m unit $(PYTEST_ARGS)

lint: test-env  ## ruff over the code
	@$(BIN)/ruff check .

bench: test-env vendor  ## print build-time figures
	@$(PYTHON) tools/benchmark.py

bench-grading: test-env  ## time serial nbgrader against sandboxed tools/grade_class.py on 200 submissions
	@tools/install_debian_packages.sh sandbox
	@PYTHONPATH=tools $(PYTHON) tests/benchmark_grading.py $(BENCH_ARGS)

lock:  ## re-resolve the requirements*.in files into their locks, with hashes (UPGRADE=1 for newer versions)
	@tools/lock.sh

clean:  ## delete the built book and the execution cache
	rm -rf _build

distclean: clean  ## also delete the environment and vendored files
	rm -rf $(VENV) node_modules _vendor
