"""The command speaks Chinese and stops cleanly: click's English never reaches staff, every usage error is exit 2,
Ctrl-C is one Chinese line and exit 130 with nothing left behind."""

from __future__ import annotations

import ast
import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from xltools import clitext, spec
from xltools.cli import main

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "examples" / "returns"
XLTOOLS = Path(sys.executable).with_name("xltools")
# What click would print in English; none of it may reach staff.
ENGLISH = ("Usage:", "Options", "Commands", "Show this message", "Show the version", "Error:", "Missing",
           "does not exist", "Try '", "for help", "Invalid value", "No such", "Aborted", "[default", "[required",
           "INTEGER", "PATH", "FILE", "DIRECTORY", "TEXT", "RANGE", "COMMAND", "[ARGS]", "[OPTIONS]", "Traceback")


def run(*args: object) -> click.testing.Result:
    return CliRunner().invoke(main, [str(a) for a in args])


def english(text: str) -> list[str]:
    return [word for word in ENGLISH if word in text]


def click_messages() -> set[str]:
    """Every literal message click passes through gettext, read from its source."""
    found = set()
    for source in sorted(Path(click.__file__).parent.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
                found |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return found


def test_every_message_click_can_print_has_a_chinese_text() -> None:
    messages = click_messages()
    assert len(messages) > 60  # the scan found click's messages
    missing = sorted(messages - set(clitext.TEXTS))
    assert missing == []
    untranslated = [m for m in messages if m != "d" and not any("\u4e00" <= ch <= "\u9fff" for ch in clitext.TEXTS[m])]
    assert untranslated == []


@pytest.mark.parametrize("args", [["--help"], ["template", "--help"], ["check", "--help"], ["consolidate", "-h"],
                                  ["bundle", "--help"]])
def test_help_is_chinese(args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0
    assert english(result.output) == [], result.output
    assert "用法：" in result.output and "显示本帮助后退出。" in result.output


@pytest.mark.parametrize("command", ["template", "consolidate"])
def test_help_names_every_units_list_column(command: str) -> None:
    text = "".join(run(command, "--help").output.split())
    for column in ("单位名称", "申报单位名称", "单位编码", "控制数", "控制数（元）", "控制数（万元）"):
        assert column in text, column


@pytest.mark.parametrize(("args", "says"), [
    (["consolidate", RETURNS], "错误：缺少选项 '-o' / '--output'。"),
    (["consolidate", "回收2/", "-o", "x.xlsx"], "错误：'文件或文件夹...' 的值无效：路径“回收2/”不存在。"),
    (["check"], "错误：缺少参数 '文件或文件夹...'。"),
    (["check", "--bogus", RETURNS], "错误：没有选项“--bogus”。"),
    (["consolidate", RETURNS, "-o", "x.xlsx", "--jobs", "0"], "错误：'--jobs' / '-j' 的值无效：0 超出允许的范围（x>=1）。"),
    (["template", "--year", "今年"], "错误：'--year' 的值无效：“今年”不是有效的数字。"),
    (["nonsense"], "错误：没有命令“nonsense”。"),
])
def test_usage_errors_are_chinese_and_exit_2(args: list[object], says: str) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert says in result.output, result.output
    assert english(result.output) == [], result.output


def test_template_makes_next_years_form_by_default(tmp_path: Path) -> None:
    result = run("template", "--out", tmp_path)
    assert result.exit_code == 0
    year = dt.date.today().year + 1
    assert f"（{year} 年，指标体系 sh2019）" in result.output
    meta = CalamineWorkbook.from_path(str(tmp_path / spec.TEMPLATE_FILENAME)).get_sheet_by_name(
        spec.META_SHEET).to_python()
    assert {row[0]: row[1] for row in meta if row[0]}["year"] == str(year)


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.slow
def test_ctrl_c_on_a_large_folder_stops_cleanly(tmp_path: Path) -> None:
    """Ctrl-C at a terminal signals the whole process group (the workers too): one Chinese line, exit 130, no
    traceback from any process, no temporary file anywhere, the previous output as it was."""
    folder = tmp_path / "回收"
    folder.mkdir()
    source = next(RETURNS.glob("01_*.xlsx"))
    for i in range(600):
        shutil.copyfile(source, folder / f"{i:04d}.xlsx")
    out = tmp_path / "审核"
    out.mkdir()
    previous = out / "汇总.xlsx"
    previous.write_bytes(b"last week's consolidation")
    scratch_before = set(Path(tempfile.gettempdir()).glob("xltools-*"))
    proc = subprocess.Popen([str(XLTOOLS), "consolidate", str(folder), "-o", str(previous), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    deadline = time.monotonic() + 60
    while not _children(proc.pid):  # the workers are reading
        assert proc.poll() is None and time.monotonic() < deadline, "finished or stuck before the workers started"
        time.sleep(0.02)
    time.sleep(0.3)
    assert proc.poll() is None, "the run ended before it could be interrupted"
    os.killpg(proc.pid, signal.SIGINT)  # as the terminal does
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stdout == ""
    assert stderr == "已中断：汇总未完成，没有写出新的结果，原有的输出文件保持不变。\n"
    assert previous.read_bytes() == b"last week's consolidation"
    assert sorted(p.name for p in out.iterdir()) == ["汇总.xlsx"]
    assert set(Path(tempfile.gettempdir()).glob("xltools-*")) == scratch_before
    time.sleep(0.2)
    assert not Path(f"/proc/{proc.pid}").exists() or not _children(proc.pid)


@pytest.mark.slow
def test_ctrl_c_while_checking_keeps_the_copies_written_and_no_half_copy(tmp_path: Path) -> None:
    folder = tmp_path / "回收"
    folder.mkdir()
    source = next(RETURNS.glob("05_*.xlsx"))
    for i in range(400):
        shutil.copyfile(source, folder / f"{i:04d}.xlsx")
    back = tmp_path / "退回"
    proc = subprocess.Popen([str(XLTOOLS), "check", str(folder), "--annotate", str(back)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stdout is not None
    reports = 0
    while reports < 20:  # twenty forms checked (each report starts with the file's path), and annotated
        reports += proc.stdout.readline().startswith(str(folder))
    os.killpg(proc.pid, signal.SIGINT)
    _rest, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert stderr == "已中断：检查未完成；已写出的标注副本完整保留，其余没有写出，原文件不变。\n"
    copies = sorted(back.iterdir())
    assert 19 <= len(copies) < 400 and all(p.name.endswith(".xlsx") and not p.name.startswith(".") for p in copies)
    for copy in copies:  # every copy written is whole
        assert CalamineWorkbook.from_path(str(copy)).get_sheet_by_name(spec.RESULTS_SHEET).to_python()[0][0]


def test_group_help_gives_each_command_a_whole_chinese_summary() -> None:
    lines = run("--help").output.splitlines()
    assert "选项：" in lines and "命令：" in lines  # full-width colons, as the text under them
    start = lines.index("命令：") + 1
    summaries = dict(line.split(maxsplit=1) for line in lines[start:] if line.strip())
    assert sorted(summaries) == sorted(main.commands)
    for name, summary in summaries.items():
        assert summary.endswith("。") and "..." not in summary, (name, summary)
    assert summaries["selfeval"] == "由批复的申报表生成年终绩效自评表。"
    assert summaries["check"] == "检查已填写的申报表（文件、文件夹或 .zip 压缩包）。"
