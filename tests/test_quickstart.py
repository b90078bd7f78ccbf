"""The README's quick start, tried the way a new user would: a clean clone, then its two commands."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
INSIDE_CLONE = "CLOUDBLAME_QUICKSTART_CLONE"


def _quick_start_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.DOTALL).group(1)
    return [line.strip().removeprefix("$ ") for line in block.splitlines() if line.strip()]


def test_readme_quick_start_is_exactly_demo_then_test():
    assert _quick_start_commands() == ["make demo", "make test"]


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get(INSIDE_CLONE) == "1", reason="already running inside the quick-start clone")
def test_quick_start_in_a_clean_clone(tmp_path):
    if shutil.which("git") is None or shutil.which("make") is None or not (ROOT / ".git").exists():
        pytest.skip("needs git, make and a git checkout")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
    if (ROOT / ".." / "shared").exists() and not (tmp_path / "shared").exists():
        (tmp_path / "shared").symlink_to((ROOT / ".." / "shared").resolve())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTEST", "CLOUDBLAME"))}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    demo = subprocess.run(["make", "demo"], cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    assert "cloudblame blame" in demo.stdout and "created" in demo.stdout
    assert (clone / "cloudblame-store").exists()
    # `make test` in the clone, on a small selection so the suite does not run itself recursively
    env[INSIDE_CLONE] = "1"
    test = subprocess.run(["make", "test", "PYTEST_ARGS=-q -x tests/unit/test_timeutil.py tests/test_quickstart.py"],
                          cwd=clone, env=env, capture_output=True, text=True, timeout=900)
    assert test.returncode == 0, test.stdout[-3000:] + test.stderr[-3000:]
    assert re.search(r"\d+ passed", test.stdout)
