"""A command of tests/nbgrader_forks.py gives what a fresh ``python -m nbgrader`` gives."""

import subprocess
import sys

import nbgrader_forks
import pytest

from nbgrader_course import ENV

pytestmark = pytest.mark.slow


def fresh(args: list[str], cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=120, check=False)


@pytest.mark.parametrize("args", [["--version"], ["autograde", "no_such_assignment"]])
def test_output_and_exit_code_are_those_of_a_fresh_process(tmp_path, args) -> None:
    forked, started = nbgrader_forks.run(args, tmp_path, ENV, 120), fresh(args, tmp_path)
    assert (forked.returncode, forked.stdout) == (started.returncode, started.stdout)
    assert forked.stderr.splitlines()[-1:] == started.stderr.splitlines()[-1:]
    assert forked.stdout or forked.stderr


def test_a_command_over_its_time_is_killed_and_the_next_one_runs(tmp_path) -> None:
    (tmp_path / "nbgrader_config.py").write_text("import time\ntime.sleep(60)\n")
    with pytest.raises(subprocess.TimeoutExpired):
        nbgrader_forks.run(["db", "student", "list"], tmp_path, ENV, 2)
    assert nbgrader_forks.run(["--version"], tmp_path.parent, ENV, 120).returncode == 0


def test_a_variable_read_at_start_gets_a_fresh_process(tmp_path) -> None:
    env = {**ENV, "PYTHONWARNINGS": "error::DeprecationWarning:__main__"}
    done = nbgrader_forks.run(["--version"], tmp_path, env, 120)
    assert done.returncode == 0 and "nbgrader version" in done.stdout


def test_a_missing_folder_is_refused_as_subprocess_refuses_it(tmp_path) -> None:
    with pytest.raises(FileNotFoundError):
        nbgrader_forks.run(["--version"], tmp_path / "missing", ENV, 120)
