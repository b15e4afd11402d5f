"""Every command's --help is in Chinese: no click/typer English (Show this message and exit., [required],
Usage:), every option and argument has help, and no help text lost to rich markup (a "[round]" in a help
string used to vanish, cutting --round-config's help off). Run through a real subprocess with LANG=C, as
on an office's server. Also: `--pdf` without LibreOffice is a message, not a traceback."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from govcheck.cli import app

# Words a Chinese help may still carry: file formats, programs, protocols, rule-set and scenario names.
ALLOWED = {
    "WARC", "URL", "CSV", "XLSX", "JSON", "TOML", "YAML", "HTML", "PDF", "HTTP", "HTTPS", "RSS", "Atom", "LibreOffice",
    "PostgreSQL", "SQLite", "root", "backups", "sqlite", "round", "gb2019", "xianning", "styles", "demo", "KEY", "VALUE",
    "YYYY", "MM", "DD", "SiteFacts", "python", "govcheck", "cli", "postgresql", "psycopg", "scripts", "install",
    "system", "deps", "inspect", "findings", "review", "confirm", "dismiss", "import", "report", "final", "allow",
    "open", "base_url", "base", "url", "user", "agent", "docx", "xlsx", "csv", "json", "toml", "yaml", "html", "pdf",
    "robots", "txt", "Scrapy", "IPv6", "ICP", "utf", "gbk", "notice", "from", "transcribed", "out", "sites",
    "accounts", "registry", "rules", "scenario", "feeds", "lexicon", "checks", "sim", "probe", "crawl", "extract",
    "score", "serve", "defects", "catalogue", "show", "check", "cycles", "facts", "previous", "var", "workers",
    "concurrency", "delay", "seed", "search", "external", "progress", "max", "pages", "config", "db", "at", "by",
    "posts", "accounts_dir", "host", "port", "interval", "timeout", "count", "name", "path", "file", "files", "id",
    "Ctrl", "PEM", "CA", "variety", "console", "Cookie",
}


def _tree():
    """(path, click command) for every visible command and group."""
    import typer.main

    root = typer.main.get_command(app)
    out = []

    def walk(cmd, path):
        out.append((path, cmd))
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            if not getattr(sub, "hidden", False):
                walk(sub, path + (name,))

    walk(root, ())
    return out


TREE = _tree()
COMMAND_WORDS = {w for path, _ in TREE for part in path for w in re.findall(r"[A-Za-z]+", part)}


def _help(args: tuple[str, ...]) -> str:
    from typer.testing import CliRunner

    r = CliRunner().invoke(app, [*args, "--help"], env={"COLUMNS": "200", "LANG": "C", "TERM": "dumb"})
    assert r.exit_code == 0, r.output[-2000:]
    return r.output


def test_there_are_commands_to_check():
    paths = [p for p, _ in TREE]
    assert len(paths) > 20 and ("report",) in paths and ("findings", "import") in paths


def test_top_level_help_in_a_c_locale_process():
    env = dict(os.environ, LANG="C", LC_ALL="C", COLUMNS="200")
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "--help"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 0 and "显示本帮助并退出" in r.stdout and "用法" in r.stdout, r.stdout
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "report"], capture_output=True, text=True, env=env,
                       timeout=120)
    assert r.returncode == 2 and "缺少参数" in r.stderr and "Missing" not in r.stderr, r.stderr


@pytest.mark.parametrize("path,cmd", TREE, ids=lambda x: " ".join(x) if isinstance(x, tuple) else "")
def test_help_is_in_chinese_and_complete(path, cmd):
    text = _help(path)
    for english in ("Show this message", "[required]", "Usage:", "[default", "Options", "Arguments", "Commands",
                    "[OPTIONS]", "<bool>", "<str>", "<path>", "COMMAND", "[ARGS]"):
        assert english not in text, f"{' '.join(path)}: {english!r} in\n{text}"
    body = re.sub(r"--[a-z][a-z-]*", " ", text)  # option names stay as typed
    body = re.sub(r"https?://\S+|[\w.+-]+@[\w.-]+|\S+\.(?:py|sh|md|csv|xlsx|json|toml|yaml|xml|warc\.gz|sqlite)\b", " ", body)
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", body)
             if w not in ALLOWED and w.lower() not in ALLOWED and w not in COMMAND_WORDS}
    assert not words, f"{' '.join(path)}: English in the help: {sorted(words)}\n{text}"
    # every option and argument carries a help text
    for param in getattr(cmd, "params", []):
        if getattr(param, "hidden", False):
            continue
        assert (getattr(param, "help", None) or "").strip(), f"{' '.join(path)}: no help for {param.opts}"
    if path == ("inspect",):
        assert "[round]" in text  # the round.toml sections survive rich markup (help was cut off there)


def test_pdf_without_libreoffice_is_a_message(tmp_path):
    env = dict(os.environ, PATH=str(tmp_path / "empty"), COLUMNS="200")
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "demo", "--transcribed", "--pdf", "--out",
                        str(tmp_path / "r")], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 2
    assert "Traceback" not in r.stderr and "LibreOffice" in r.stderr
    assert len(r.stderr.strip().splitlines()) < 30
    assert any(p.suffix == ".docx" for p in (tmp_path / "r").iterdir())  # the rest is written


def test_paths_are_printed_on_one_line(tmp_path):
    out = tmp_path / ("很长的目录名" * 6) / "r"
    env = dict(os.environ, COLUMNS="60")
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "demo", "--transcribed", "--out", str(out)],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    lines = [ln for ln in r.stderr.splitlines() if "已生成" in ln]
    assert lines and all(str(out) in ln for ln in lines)
    # and every other line naming the folder names it whole
    assert all(str(out) in ln for ln in r.stderr.splitlines() if "很长的目录名" in ln)


def test_output_files_share_one_mode(tmp_path):
    out = tmp_path / "r"
    r = subprocess.run([sys.executable, "-m", "govcheck.cli", "demo", "--transcribed", "--out", str(out)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    modes = {p.name: p.stat().st_mode & 0o777 for p in out.iterdir() if p.is_file()}
    assert len(set(modes.values())) == 1, modes
    info = (out / "round.json").read_text(encoding="utf-8")
    assert str(Path.home()) not in info and "/work/" not in info and str(Path(__file__).parents[1]) not in info
