"""The `govcheck` command. Each stage registers its own subcommands (see COMMAND_MODULES)."""
from __future__ import annotations

import importlib

import typer

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
    app()


if __name__ == "__main__":
    main()
