"""No import cycle between the stages (issue 14): the import-linter contracts in pyproject.toml hold for
govcheck, imports inside functions included; and the same contract does catch a cycle hidden that way."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

pytest.importorskip("importlinter")
from importlinter.cli import lint_imports  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def _lint(config: Path, path: Path, monkeypatch) -> int:
    monkeypatch.syspath_prepend(str(path))
    monkeypatch.chdir(path)
    for name in [m for m in sys.modules if m == "fakepkg" or m.startswith("fakepkg.")]:
        del sys.modules[name]
    return lint_imports(config_filename=str(config), no_cache=True)


def test_govcheck_keeps_its_import_contracts(monkeypatch):
    assert _lint(REPO / "pyproject.toml", REPO, monkeypatch) == 0


def test_the_contract_catches_a_cycle_hidden_inside_functions(tmp_path, monkeypatch):
    pkg = tmp_path / "fakepkg"
    (pkg / "inspect").mkdir(parents=True)
    (pkg / "__init__.py").write_text("", encoding="utf-8")
    (pkg / "inspect" / "__init__.py").write_text("", encoding="utf-8")
    # the shape of the old govcheck.commands <-> govcheck.inspect.run cycle
    (pkg / "commands.py").write_text("def demo():\n    from fakepkg.inspect.run import run\n    run()\n", encoding="utf-8")
    (pkg / "inspect" / "run.py").write_text(
        "def run():\n    from fakepkg.commands import demo\n    return demo\n", encoding="utf-8")
    cfg = tmp_path / "setup.cfg"
    cfg.write_text("[importlinter]\nroot_package = fakepkg\n\n[importlinter:contract:1]\nname = acyclic\n"
                   "type = acyclic_siblings\nancestors = fakepkg\ndepth = 1\n", encoding="utf-8")
    assert _lint(cfg, tmp_path, monkeypatch) != 0
    (pkg / "inspect" / "run.py").write_text("def run():\n    return 1\n", encoding="utf-8")
    assert _lint(cfg, tmp_path, monkeypatch) == 0
    assert os.path.exists(cfg)
