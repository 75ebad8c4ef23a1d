"""Where the tests find the package and the repository's data.

Two ways to run them:
- from the checkout (tools/python/tests): the package is imported from
  tools/python, and the library comes from DIGITINFER_PREFIX or
  DIGITINFER_LIBRARY (without either, every test skips);
- copied out of the tree by test-wheel.sh, which writes source_tree.txt (the
  checkout, for test data only) beside them: the package under test is the
  one installed (the wheel), with its bundled library, and nothing of
  tools/python is put on the path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, Optional

HERE = Path(__file__).resolve().parent
_MARKER = HERE / "source_tree.txt"
#: True when testing an installed package (test-wheel.sh).
INSTALLED = _MARKER.is_file()
REPO = Path(_MARKER.read_text().strip()) if INSTALLED else HERE.parent.parent.parent
#: tools/python in the checkout, or None when testing an installed package.
PACKAGE_ROOT: Optional[Path] = None if INSTALLED else HERE.parent


def child_env(**changes: str) -> Dict[str, str]:
    """The environment for a child interpreter that imports the package under
    test (the checkout's, through PYTHONPATH, or the installed one)."""
    env = dict(os.environ)
    if PACKAGE_ROOT is not None:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
    env.update(changes)
    return env
