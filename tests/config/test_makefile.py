"""`make run` installs only what running needs; `make test` adds the tools; stamps stay honest."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    # A copy of the Makefile and the pins with a stand-in .venv whose python does
    # nothing: the stamps and recipes are real, the installs are not.
    for name in ("Makefile", "requirements.txt", "requirements-dev.txt"):
        shutil.copy(ROOT / name, tmp_path / name)
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("#!/bin/sh\nexit 0\n")
    python.chmod(0o755)
    return tmp_path


def make(tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["make", "--no-print-directory", *args],  # noqa: S607 - make from PATH
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def up_to_date(tree: Path, target: str) -> bool:
    return make(tree, "-q", target).returncode == 0


def test_run_installs_only_the_runtime_set_and_serves_on_port(tree: Path):
    plan = make(tree, "-n", "run", "PORT=8123").stdout
    assert "-r requirements.txt" in plan
    assert "requirements-dev.txt" not in plan
    assert "runserver 127.0.0.1:8123" in plan
    assert "runserver 127.0.0.1:8000" in make(tree, "-n", "run").stdout


def test_test_installs_the_dev_set(tree: Path):
    assert "-r requirements-dev.txt" in make(tree, "-n", "test").stdout


def test_stamps_follow_each_set(tree: Path):
    assert make(tree, "install").returncode == 0
    assert up_to_date(tree, "install")
    assert not up_to_date(tree, "install-dev")  # the runtime set lacks the tools

    assert make(tree, "install-dev").returncode == 0
    assert up_to_date(tree, "install-dev")
    assert up_to_date(tree, "install")  # the dev set includes the runtime pins

    with (tree / "requirements-dev.txt").open("a") as pins:
        pins.write("extra-tool==1.0\n")
    assert up_to_date(tree, "install")
    assert not up_to_date(tree, "install-dev")
    assert make(tree, "install-dev").returncode == 0

    with (tree / "requirements.txt").open("a") as pins:
        pins.write("extra-lib==1.0\n")
    assert not up_to_date(tree, "install")
    assert not up_to_date(tree, "install-dev")
    assert make(tree, "install").returncode == 0
    assert up_to_date(tree, "install")
    assert not up_to_date(tree, "install-dev")
