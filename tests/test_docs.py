"""Every command and option of `xltools` is documented in the README (sqlite-utils' rule)."""

from __future__ import annotations

from pathlib import Path

import click
import pytest

from xltools.cli import main

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def commands() -> list[tuple[str, click.Command]]:
    return sorted(main.commands.items())


def test_the_cli_has_the_commands_the_issues_ask_for() -> None:
    assert [name for name, _ in commands()] == ["addin", "bundle", "check", "consolidate", "selfeval", "template"]


@pytest.mark.parametrize(("name", "command"), commands(), ids=[n for n, _ in commands()])
def test_command_and_its_options_are_in_the_readme(name: str, command: click.Command) -> None:
    assert f"xltools {name}" in README
    for param in command.params:
        if isinstance(param, click.Option):
            longest = max(param.opts, key=len)
            if longest == "--help":
                continue
            assert longest in README, f"{name} {longest} is not documented"


def test_readme_opens_with_the_two_make_commands() -> None:
    head = README.split("\n## ")[0]
    assert "make demo" in head and "make test" in head


def test_ci_runs_the_readme_test_command() -> None:
    ci = (Path(__file__).resolve().parent.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_readme_lists_every_live_check_with_its_coverage() -> None:
    """The README's rule table says, per code, what the template's own formulas cover (xltools.live.COVERAGE)."""
    from xltools import live

    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in README.splitlines() if line.startswith("| ") and line.count("|") == 6}
    shown = {"full": "完整", "subset": "部分"}
    for code, (coverage, note) in live.COVERAGE.items():
        assert rows[code][:2] == [shown[coverage], note], code
    for code in ("target-unparseable", "target-vague"):
        assert rows[code][0] == "否"


def test_readme_lists_the_self_evaluation_live_checks_with_their_coverage() -> None:
    """The self-evaluation's rule table (four columns) says, per code, what its formulas cover."""
    from xltools.live.selfeval import COVERAGE

    section = README.split("## 年终绩效自评")[1].split("\n## ")[0]
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]]
            for line in section.splitlines() if line.startswith("| ") and line.count("|") == 5}
    shown = {"full": "完整", "subset": "部分"}
    assert list(rows)[1:] == list(COVERAGE)  # the header row first
    for code, (coverage, note) in COVERAGE.items():
        assert rows[code][:2] == [shown[coverage], note], code


def test_readme_code_table_has_every_code_with_its_severity() -> None:
    from xltools.findings import CODES

    rows = {line.split("|")[1].strip(): line.split("|")[2].strip()
            for line in README.splitlines() if line.startswith("| ") and line.count("|") == 4}
    for code, severity in CODES.items():
        assert rows.get(code) == {"error": "错误", "warning": "警告"}[severity], code
