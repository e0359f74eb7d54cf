"""The build lock: one build per repository, across processes, on every system (filelock)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import FIXTURES, ROOT, make_repo
from livret.cli import cli
from livret.errors import LivretError
from livret.lock import build_lock
from livret.project import Project

HOLDER = """
import sys, time
from pathlib import Path
from livret.lock import build_lock
from livret.project import Project
with build_lock(Project(Path(sys.argv[1]))):
    print("pris", flush=True)
    time.sleep(60)
"""


@pytest.fixture
def holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen[str]]]:
    """A repository whose lock another process holds, until the test kills it."""
    repo = make_repo(tmp_path / "repo", {"2026-martin-lucie": FIXTURES / "minimal"})
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts")}
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(repo)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "pris"
    yield repo, process
    process.kill()
    process.wait()


def test_a_second_process_is_refused_in_french(
    holder: tuple[Path, subprocess.Popen[str]],
) -> None:
    repo, _ = holder
    busy = "une autre construction est en cours dans ce dépôt"
    with pytest.raises(LivretError, match=busy), build_lock(Project(repo)):
        pass
    env = {"LIVRET_ACCESS": str(repo.parent / "acces.json")}
    for command in (["build"], ["access", "2026-martin-lucie"]):
        result = CliRunner(env=env).invoke(cli, ["-C", str(repo), *command])
        assert result.exit_code == 1
        assert result.stderr.startswith(
            "Erreur : une autre construction est en cours dans ce dépôt : attendez qu'elle se "
            "termine, puis relancez"
        )
        assert "Traceback" not in result.output


def test_the_lock_goes_with_a_killed_process(holder: tuple[Path, subprocess.Popen[str]]) -> None:
    repo, process = holder
    process.send_signal(signal.SIGKILL)  # no cleanup runs: the system releases the lock
    process.wait()
    with build_lock(Project(repo)):
        pass
    # and it still excludes
    with build_lock(Project(repo)), pytest.raises(LivretError), build_lock(Project(repo)):
        pass


@pytest.mark.skipif(os.name != "posix", reason="owner-only modes are POSIX")
def test_the_lock_file_is_private(tmp_path: Path) -> None:
    project = Project(make_repo(tmp_path / "repo"))
    with build_lock(project):
        assert project.lock.stat().st_mode & 0o077 == 0
