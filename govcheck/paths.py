"""Where the package's data and the project's shared corpus live."""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
REPO_DIR = PACKAGE_DIR.parent


def shared_dir() -> Path | None:
    """The ../shared folder beside the checkout (CI lays a copy there), or $GOVCHECK_SHARED."""
    env = os.environ.get("GOVCHECK_SHARED")
    candidates = [Path(env)] if env else []
    candidates += [REPO_DIR.parent / "shared", REPO_DIR / "shared"]
    for c in candidates:
        if (c / "corpus" / "real").is_dir():
            return c
    return None


def real_corpus_dir() -> Path | None:
    s = shared_dir()
    return s / "corpus" / "real" if s else None
