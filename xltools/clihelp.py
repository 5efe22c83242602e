"""The command line's help in Chinese: click's messages routed through :mod:`xltools.clitext`, full-width
headings, and each command's one-line summary whole."""

from __future__ import annotations

import click

from xltools import clitext


def install_chinese() -> None:
    """Route click's gettext calls through :mod:`xltools.clitext` (click binds ``_`` and ``ngettext`` in each
    module that prints)."""
    import importlib

    for name in ("core", "decorators", "exceptions", "formatting", "parser", "shell_completion", "termui", "types",
                 "utils", "_termui_impl"):
        try:
            module = importlib.import_module(f"click.{name}")
        except ImportError:  # a module of another click version, or one for another platform
            continue
        if hasattr(module, "_"):
            module._ = clitext.translate  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = clitext.translate_plural  # type: ignore[attr-defined]


class Formatter(click.HelpFormatter):
    """Help headings end with a full-width colon, as the Chinese text under them."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class Context(click.Context):
    formatter_class = Formatter


class Command(click.Command):
    context_class = Context

    def get_short_help_str(self, limit: int = 45) -> str:
        # click cuts the summary at a space or an ASCII full stop: a Chinese sentence has neither and became "...".
        # The summary is the docstring's first sentence, whole.
        if self.short_help:
            return self.short_help
        first = (self.help or "").strip().split("\n")[0]
        return first.split("。")[0] + "。" if "。" in first else first
