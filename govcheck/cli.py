"""The `govcheck` command. Each stage registers its own subcommands (see COMMAND_MODULES)."""
from __future__ import annotations

import importlib

import typer

from govcheck.cli_zh import install as _install_chinese

_install_chinese()  # click's and typer's own words in Chinese (data/cli-zh.toml)

app = typer.Typer(
    name="govcheck",
    help="政府网站与政务新媒体检查：抓取、抽取、检查、评分、生成通报。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Every module listed here has `register(app: typer.Typer) -> None`, which adds its commands.
# A stage owns its module; adding a stage is one line here.
COMMAND_MODULES = [
    "govcheck.commands",  # demo, score, report, findings import, review, rules
    "govcheck.extract.commands",
    "govcheck.collect.commands",
    "govcheck.sim.commands",
    "govcheck.newmedia.commands",
    "govcheck.checks.commands",
    "govcheck.inspect.commands",
    "govcheck.web.commands",  # serve, users
]


def _register() -> None:
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register()


def main() -> None:
    """The command. A failure no check foresaw still ends in a message, not a traceback: the traceback goes
    to a file the message names (GOVCHECK_DEBUG=1 shows it instead). Every input error has its own message
    naming file, row and column; tests call `app` directly, so this net never hides one from them."""
    import os
    import sys

    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("已中断。用同一 --out 重新运行即从中断处继续。\n")
        raise SystemExit(130) from None
    except Exception as e:  # noqa: BLE001 - the last net; see the docstring
        if os.environ.get("GOVCHECK_DEBUG"):
            raise
        import tempfile
        import time
        import traceback

        fd, path = tempfile.mkstemp(prefix=f"govcheck-error-{time.strftime('%Y%m%d-%H%M%S')}-", suffix=".log")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(" ".join(sys.argv) + "\n\n" + traceback.format_exc())
        sys.stderr.write(f"内部错误：{type(e).__name__}: {e}\n详细信息已写入 {path}，请交给维护人员。"
                         "已写入轮次的数据不受影响。\n")
        raise SystemExit(70) from None


if __name__ == "__main__":
    main()
