"""The root README's Python example runs as written and prints what its
comments say (with the package under test: the installed wheel, or the
checkout's with DIGITINFER_PREFIX)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from _paths import REPO, child_env

pytest.importorskip("numpy")
pytest.importorskip("PIL")


def readme_example() -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    examples = [b for b in blocks if "digitinfer.Model()" in b]
    assert len(examples) == 1, "expected one Python example with digitinfer.Model() in README.md"
    return examples[0]


def test_readme_python_example_prints_its_comments() -> None:
    code = readme_example()
    # Each print's expected output is the comment's first token: "# 4 (...)" or "# [9, 9, 9]: ...".
    expected = [m.group(1) for m in re.finditer(r"^print\(.*#\s*(\[[^\]]*\]|\S+)", code, re.M)]
    assert expected, "no print(...)  # expected lines in the example"
    run = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=child_env(), capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[: len(expected)] == expected, run.stdout
