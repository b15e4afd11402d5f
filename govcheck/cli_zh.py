"""The command line speaks Chinese: click's messages, typer's help panels and value-type names.

click marks its messages for gettext (`from gettext import gettext as _` in each module); recent typer
versions vendor their own copy of click (typer._click) with the English strings written in. This module
translates both from data/cli-zh.toml, whatever the process's locale (an office's server often runs with
LANG=C): click's `_`/`ngettext` names, typer's panel constants, the help option, the usage line and the
error panel's message. Each piece is applied only where the installed click/typer has it, so another
version degrades to English words, never to an error.
"""
from __future__ import annotations

import importlib
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data" / "cli-zh.toml"
_CLICK_MODULES = ["click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser",
                  "click.types", "click.termui", "click.utils", "click.shell_completion"]
_CORES = ["click.core", "typer._click.core"]
_FORMATTINGS = ["click.formatting", "typer._click.formatting"]


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Any]:
    with DATA.open("rb") as f:
        return tomllib.load(f)


def gettext(message: str) -> str:
    return catalogue()["click"].get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    c = catalogue()
    key = c["click_plural_other"].get(plural, singular)
    return c["click_plural"].get(key) or c["click_plural"].get(singular) or (singular if n == 1 else plural)


@lru_cache(maxsize=1)
def _message_patterns() -> list[tuple[re.Pattern, str]]:
    return [(re.compile(p), r) for p, r in catalogue()["messages"].items()]


def message(text: str) -> str:
    """An error message of click's (already formatted, English) in Chinese."""
    for pat, rep in _message_patterns():
        text = pat.sub(rep, text)
    return text


def _type_name(shown: str | None) -> str | None:
    if shown is None:
        return None
    m = re.fullmatch(r"<(.+)>", shown)
    inner = m.group(1) if m else shown
    names = catalogue()["types"]
    if inner in names:
        return names[inner] or None
    return shown


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


_installed = False


def install() -> None:
    global _installed
    if _installed:
        return
    _installed = True
    c = catalogue()
    for name in _CLICK_MODULES:
        mod = _module(name)
        if mod is None:
            continue
        if hasattr(mod, "_"):
            mod._ = gettext  # type: ignore[attr-defined]
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext  # type: ignore[attr-defined]
    usage_classes = [(n, "Command") for n in _CORES] + [("typer.core", "TyperCommand"), ("typer.core", "TyperGroup")]
    for mod_name, cls_name in usage_classes:
        cls = getattr(_module(mod_name), cls_name, None)
        if cls is not None and "collect_usage_pieces" in vars(cls):
            def collect_usage_pieces(self, ctx, _original=vars(cls)["collect_usage_pieces"]):
                return [c["usage"].get(p, p) for p in _original(self, ctx)]

            cls.collect_usage_pieces = collect_usage_pieces
    for name in _CORES:
        core = _module(name)
        cmd = getattr(core, "Command", None) if core else None
        if cmd is None:
            continue
        if hasattr(cmd, "get_help_option"):
            def get_help_option(self, ctx, _original=cmd.get_help_option):
                opt = _original(self, ctx)
                if opt is not None and getattr(opt, "help", None):
                    opt.help = gettext(opt.help)
                return opt

            cmd.get_help_option = get_help_option
    for name in _FORMATTINGS:
        fmt = _module(name)
        hf = getattr(fmt, "HelpFormatter", None) if fmt else None
        if hf is not None and hasattr(hf, "write_usage"):
            def write_usage(self, prog, args="", prefix=None, _original=hf.write_usage):
                return _original(self, prog, args, c["usage"]["Usage: "] if prefix is None else prefix)

            hf.write_usage = write_usage
    ru = _module("typer.rich_utils")
    if ru is None:
        return
    for key, value in c["typer"].items():
        if hasattr(ru, key):
            setattr(ru, key, value)
    if hasattr(ru, "rich_format_error"):
        def rich_format_error(self, _original=ru.rich_format_error):
            original_message = self.format_message
            self.format_message = lambda: message(original_message())
            try:
                return _original(self)
            finally:
                del self.format_message

        ru.rich_format_error = rich_format_error
    tc = _module("typer.core")
    for cls_name in ("TyperOption", "TyperArgument"):
        cls = getattr(tc, cls_name, None) if tc else None
        original = getattr(cls, "display_type_rich", None) if cls else None
        if original is None:
            continue

        def display_type_rich(self, ctx, _original=original):
            if getattr(self, "is_flag", False) and not getattr(self, "metavar", None):
                return None
            return _type_name(_original(self, ctx))

        cls.display_type_rich = display_type_rich
