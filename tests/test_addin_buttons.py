"""The add-in's buttons driven as Excel drives them.

Staff (一键校验, 清除标记): a click's request file is written exactly as the VBA writes it (UTF-16, CRLF) and the
launcher runs it, with xlwings' remote engine standing in for Excel (``xw.Book(json=...)``, the payload of a real
file: tests/payload.py); the actions asked of Excel are asserted, and equal those of the .xlsm's button. Bureau
(生成下发模板, 汇总, 退回副本, 设置): in process, with a scripted Ui standing in for Excel's dialogs, on a folder of
returns; every output equals the command line's. Paths and names hold Chinese, spaces, quotes, & and %.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # the remote engine (xlwings PRO, noncommercial): tests only

import xlwings as xw
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.payload import payload
from tests.test_excel_button import FORM_POS, RESULTS_POS, actions, block_target, clean_seed, seed, target, write
from xltools import excel, results, spec
from xltools.addin import bureau, configure, launch
from xltools.addin.settings import Settings, read_settings, settings_path, write_settings
from xltools.cli import main
from xltools.engine import check_file
from xltools.template import semantic_dump
from xltools.xlsm import build_macro_workbook

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TOKEN = "0123456789ABCDEF0123456789ABCDEF"
SELFEVAL_EXAMPLE = EXAMPLES / "selfeval" / "上海市市场监督管理局_上海市政府质量奖_绩效自评表.xlsx"  # 10 errors
TRICKY = "市场 监管局 '质量奖' & \"修改稿\" 100%"  # what staff and mail clients make of file names


# -- a click, as the VBA makes it ----------------------------------------------------------------------------------


def click(home: Path, action: str, book: Any, hwnd: int = 4242, app: Any = None) -> int:
    """Write the request XltLaunch.bas writes, then run the launcher with the remote engine as Excel. ``app``: the
    Excel when no workbook is active (``book`` None)."""
    run = home / "run"
    run.mkdir(parents=True, exist_ok=True)
    name = book.name if book is not None else ""
    (run / f"{TOKEN}.req").write_bytes(launch.request_bytes(action, hwnd, name))
    seen = []

    def connect(got_hwnd: int, got_name: str) -> tuple[Any, Any]:
        seen.append((got_hwnd, got_name))
        return (book.app if book is not None else app), book

    code = launch.main([TOKEN], home=home, connect=connect)
    assert seen == [(hwnd, name)]  # the name arrived intact
    assert not (run / f"{TOKEN}.req").exists()  # consumed
    return code


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "Local AppData & 张三" / "xltools"


def request_text(path: Path) -> str:
    return path.read_bytes().decode("utf-16")


def test_the_request_is_what_the_vba_writes() -> None:
    data = launch.request_bytes("check", 132456, f"{TRICKY}.xlsx")
    assert data[:2] == b"\xff\xfe"  # FileSystemObject's Unicode text file: UTF-16 LE with a BOM
    assert data.decode("utf-16") == f"action=check\r\nhwnd=132456\r\nbook={TRICKY}.xlsx\r\n"
    assert launch.read_request(data) == launch.Request("check", 132456, f"{TRICKY}.xlsx")
    # A name with "=" in it, or ending in spaces, is taken whole.
    assert launch.read_request(launch.request_bytes("clear", 1, "a=b .xlsx ")).book == "a=b .xlsx "


# -- 一键校验 and 清除标记 through the remote engine ------------------------------------------------------------------


def test_check_on_a_plain_xlsx_writes_what_the_xlsm_button_writes(tmp_path: Path, home: Path) -> None:
    values = clean_seed()
    values["total_budget"] = values["annual_budget"] - 1
    path = write(tmp_path, values, f"{TRICKY}.xlsx")
    book = xw.Book(json=payload(path))
    assert click(home, "check", book) == 0
    by_addin = actions(book)
    button = xw.Book(json=payload(path))
    excel.check_button(button)
    assert by_addin == actions(button)
    assert [target(a) for a in by_addin] == [
        block_target("setValues", spec.RESULTS_SUMMARY_CELL, RESULTS_POS),
        block_target("setValues", results.BLOCK, RESULTS_POS),
        ("activateSheet", RESULTS_POS, None, None, None, None)]
    assert by_addin[0]["values"] == [["1 个错误，0 个警告"]]
    assert by_addin[1]["values"][0][2:4] == [spec.build().fields["annual_budget"].cell, "annual-exceeds-total"]
    assert all(a["sheet_position"] != FORM_POS for a in by_addin)


@pytest.mark.parametrize("form", [
    EXAMPLES / "versions" / "v1_05_上海市市场监督管理局_上海市政府质量奖.xlsx",  # template version 1
    EXAMPLES / "returns" / "02_上海市市场监督管理局_红盾维权联络专项经费.xlsx",  # the current version
    EXAMPLES / "faulty" / "bad-level2-invalid.xlsx",
])
def test_check_on_any_template_version_equals_the_command_line(form: Path, home: Path) -> None:
    book = xw.Book(json=payload(form))
    assert click(home, "check", book) == 0
    from_file = check_file(form, form.name)
    written = actions(book)
    assert written[0]["values"] == [[from_file.report.summary()]]
    assert written[1]["values"] == [list(r) for r in results.padded(from_file.findings)]


def test_check_on_a_self_evaluation_writes_what_its_xlsm_button_writes(tmp_path: Path, home: Path) -> None:
    """The second form family: the add-in dispatches on the template id as the .xlsm's button does."""
    form = SELFEVAL_EXAMPLE
    renamed = tmp_path / f"{TRICKY} 自评.xlsx"
    shutil.copy2(form, renamed)
    book = xw.Book(json=payload(renamed))
    assert click(home, "check", book) == 0
    button = xw.Book(json=payload(renamed))
    excel.check_button(button)
    assert actions(book) == actions(button)
    from_file = check_file(renamed, renamed.name)
    assert actions(book)[0]["values"] == [[from_file.report.summary()]] and from_file.findings
    assert {row[1] for row in actions(book)[1]["values"] if row[0]} == {"绩效自评表"}


def test_check_on_an_xlsm(tmp_path: Path, home: Path) -> None:
    values = seed()
    xlsm = tmp_path / f"{TRICKY}.xlsm"
    build_macro_workbook(write(tmp_path, values), xlsm)
    book = xw.Book(json=payload(xlsm))
    assert click(home, "check", book) == 0
    assert actions(book)[0]["values"] == [["校验通过（1 个警告）"]]


def test_clear_empties_the_results(tmp_path: Path, home: Path) -> None:
    book = xw.Book(json=payload(write(tmp_path, seed(), f"{TRICKY}.xlsx")))
    assert click(home, "clear", book) == 0
    assert [target(a) for a in actions(book)] == [
        block_target("rangeClearContents", spec.RESULTS_SUMMARY_CELL, RESULTS_POS),
        block_target("rangeClearContents", results.BLOCK, RESULTS_POS)]


def only_alert(book: Any) -> tuple[str, str]:
    acts = actions(book)
    assert [a["func"] for a in acts] == ["alert"]
    prompt, title, buttons, mode, _callback = acts[0]["args"]
    assert (buttons, mode) == ("ok", "critical")
    return prompt, title


@pytest.mark.parametrize(("action", "title"), [("check", "一键校验"), ("clear", "清除标记")])
def test_a_workbook_that_is_no_form_gets_a_chinese_alert_and_nothing_written(tmp_path: Path, home: Path,
                                                                             action: str, title: str) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "预算明细"
    ws["A1"] = "项目"
    path = tmp_path / f"{TRICKY} 预算.xlsx"
    wb.save(path)
    book = xw.Book(json=payload(path))
    assert click(home, action, book) == 0
    prompt, shown = only_alert(book)
    assert shown == title
    assert prompt == (f"当前工作簿“{TRICKY} 预算.xlsx”不是《{spec.TITLE}》或《项目支出绩效自评表》（没有模板标识），"
                      f"没有写入任何内容。请打开申报表或自评表，再点“{title}”。")


def test_with_no_workbook_open_the_check_says_what_to_do(tmp_path: Path, home: Path) -> None:
    other = xw.Book(json=payload(write(tmp_path, seed())))  # the remote engine's Excel is reached through a book
    assert click(home, "check", None, app=other.app) == 0
    prompt, title = only_alert(other)
    assert title == "一键校验" and prompt.startswith("没有可以一键校验的工作簿：请先打开申报表") and "启用编辑" in prompt


def test_a_form_with_its_results_sheet_renamed_says_so(tmp_path: Path, home: Path) -> None:
    from tests.test_excel_button import renamed

    book = xw.Book(json=payload(renamed(tmp_path, spec.RESULTS_SHEET, "结果")))
    assert click(home, "check", book) == 0
    prompt, _title = only_alert(book)
    assert prompt.startswith(f"找不到工作表“{spec.RESULTS_SHEET}”（现有：{spec.FORM_SHEET}、{spec.EXPLAIN_SHEET}、结果、")


# -- when Python cannot speak in Excel: a reply file for the VBA -------------------------------------------------


def test_excel_out_of_reach_leaves_a_chinese_reply(home: Path) -> None:
    run = home / "run"
    run.mkdir(parents=True)
    (run / f"{TOKEN}.req").write_bytes(launch.request_bytes("check", 1, "表.xlsx"))

    def unreachable(_hwnd: int, _name: str) -> tuple[Any, Any]:
        raise OSError("RPC 服务器不可用")

    assert launch.main([TOKEN], home=home, connect=unreachable) == launch.FAILED
    reply = (run / f"{TOKEN}.out").read_bytes()
    assert reply[:2] == b"\xff\xfe"  # what the VBA's FileSystemObject reads
    assert reply.decode("utf-16").startswith("xltools 无法连接到 Excel：RPC 服务器不可用\r\n")


@pytest.mark.parametrize("argv", [[], ["../../evil"], [TOKEN.lower()], [TOKEN, "x"]])
def test_only_a_token_of_hex_digits_is_taken(argv: list[str], home: Path) -> None:
    assert launch.main(argv, home=home) == launch.BAD_USAGE
    assert not (home / "run").exists() or not any((home / "run").iterdir())


def test_the_real_process_started_as_the_vba_starts_it(tmp_path: Path) -> None:
    """``python -I -B -m xltools.addin TOKEN`` with the user's LOCALAPPDATA: the request is read and removed; with
    no Excel here the reply says so, in Chinese, and the exit code is not 0 (the VBA then shows the reply)."""
    local = tmp_path / "用户 & 数据 100%"
    run = local / "xltools" / "run"
    run.mkdir(parents=True)
    (run / f"{TOKEN}.req").write_bytes(launch.request_bytes("check", 1, f"{TRICKY}.xlsx"))
    done = subprocess.run([sys.executable, "-I", "-B", "-m", "xltools.addin", TOKEN], cwd=tmp_path,
                          env={"LOCALAPPDATA": str(local), "PATH": "/usr/bin"}, capture_output=True, text=True)
    assert done.returncode == launch.FAILED, done.stderr
    assert not (run / f"{TOKEN}.req").exists()
    assert (run / f"{TOKEN}.out").read_bytes().decode("utf-16").startswith("xltools 无法连接到 Excel：")


def test_a_button_this_version_does_not_have_is_said(tmp_path: Path, home: Path) -> None:
    book = xw.Book(json=payload(write(tmp_path, seed())))
    assert click(home, "export", book) == 0
    prompt, title = only_alert(book)
    assert title == "xltools" and "“export”" in prompt and "安装.bat" in prompt


# -- a scripted Ui for the bureau's buttons ----------------------------------------------------------------------


@dataclass
class ScriptedUi:
    """Answers the buttons' questions from ``answers`` in order and records what was shown."""

    answers: list[Any] = field(default_factory=list)
    asked: list[tuple[str, str]] = field(default_factory=list)  # (kind, text)
    alerts: list[tuple[str, str, bool]] = field(default_factory=list)
    statuses: list[str | None] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)
    open_with_changes: set[Path] = field(default_factory=set)

    def _answer(self, kind: str, text: str) -> Any:
        self.asked.append((kind, text))
        assert self.answers, f"unexpected {kind}: {text}"
        return self.answers.pop(0)

    def alert(self, message: str, title: str, critical: bool = False) -> None:
        self.alerts.append((message, title, critical))

    def confirm(self, message: str, title: str) -> bool:
        return bool(self._answer("confirm", message))

    def ask(self, message: str, title: str) -> Any:
        return self._answer("ask", message)

    def choose_file(self, title: str, kinds: str, patterns: str, initial: str = "") -> str | None:
        return self._answer("file", title)  # type: ignore[no-any-return]

    def choose_folder(self, title: str, initial: str = "") -> str | None:
        return self._answer("folder", title)  # type: ignore[no-any-return]

    def text(self, prompt: str, title: str, default: str = "") -> str | None:
        return self._answer("text", prompt)  # type: ignore[no-any-return]

    def status(self, text: str | None) -> None:
        self.statuses.append(text)

    def open_book(self, path: Path) -> None:
        self.opened.append(path)

    def release(self, path: Path) -> bool:
        return path not in self.open_with_changes


def context(ui: ScriptedUi, home: Path) -> launch.Context:
    return launch.Context(ui, None, settings_path(home))


@pytest.fixture
def round_files(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A round's files where a bureau keeps them, in folders with Chinese, spaces, quotes, & and %."""
    base = tmp_path / "局里 'R&D' \"2026\" 100%"
    returns = base / "回收 & 更正"
    shutil.copytree(EXAMPLES / "returns", returns / "3月5日 收件")
    (returns / "3月8日 收件").mkdir()
    shutil.copy2(EXAMPLES / "faulty" / "bad-annual-exceeds-total.xlsx", returns / "3月8日 收件")
    units = base / "单位 清单 & 控制数.csv"
    shutil.copy2(EXAMPLES / "units.csv", units)
    previous = base / "上年" / "汇总 2025.xlsx"
    assert CliRunner().invoke(main, ["consolidate", str(EXAMPLES / "previous"), "-o", str(previous)]).exit_code == 0
    yield {"base": base, "returns": returns, "units": units, "previous": previous, "out": base / "按钮 输出",
           "cli": base / "命令 输出"}


def values_of(path: Path) -> dict[str, list[list[Any]]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def settings_for(home: Path, **values: str) -> Path:
    return write_settings(settings_path(home), Settings(**values))


# -- 生成下发模板 ---------------------------------------------------------------------------------------------------


def test_templates_equal_the_command_lines(round_files: dict[str, Path], home: Path) -> None:
    password = "P&'\"%密码 1"
    settings_for(home, units=str(round_files["units"]), output=str(round_files["out"]), year="2026",
                 password=password, framework="national")
    ui = ScriptedUi([True])  # the settings are shown: OK
    forms = bureau.templates(context(ui, home))
    assert forms is not None
    target = round_files["out"] / "下发模板 2026"
    cli = CliRunner().invoke(main, ["template", "--units", str(round_files["units"]), "--out", str(round_files["cli"]),
                                    "--year", "2026", "--password", password, "--framework", "national"])
    assert cli.exit_code == 0, cli.output
    made = sorted(p.name for p in target.iterdir())
    assert made == sorted(p.name for p in round_files["cli"].iterdir())
    assert len(made) == 10 and made[0] == "001_上海市知识产权局_绩效目标申报表.xlsm"
    for name in made:
        assert semantic_dump(target / name) == semantic_dump(round_files["cli"] / name), name
    # Before: the settings and where the files go; during: the status bar; after: what was written where.
    kind, shown = ui.asked[0]
    assert kind == "confirm" and f"为单位清单中的 5 个单位生成 2026 年的模板，写到：\n{target}" in shown
    assert f"保护密码：{password}" in shown and "指标体系：national（内置）" in shown
    assert ui.statuses[:2] == ["生成下发模板：已写出 1/10 个文件……", "生成下发模板：已写出 2/10 个文件……"]
    assert ui.statuses[-1] is None
    (message, title, critical), = ui.alerts
    assert (title, critical) == ("生成下发模板", False)
    assert message.startswith(f"已为 5 个单位生成 2026 年的模板（指标体系 national），写在：\n{target}\n")
    # A second run never mixes its files with the first one's.
    assert bureau.templates(context(ScriptedUi([True]), home)) is not None
    assert len(list((round_files["out"] / "下发模板 2026 (2)").iterdir())) == 10


def test_templates_ask_for_the_units_list_and_the_output_folder_once(round_files: dict[str, Path],
                                                                     home: Path) -> None:
    ui = ScriptedUi([str(round_files["units"]), str(round_files["out"]), True])
    assert bureau.templates(context(ui, home)) is not None
    assert [kind for kind, _ in ui.asked] == ["file", "folder", "confirm"]
    kept = read_settings(settings_path(home))
    assert (kept.units, kept.output) == (str(round_files["units"]), str(round_files["out"]))
    # Remembered for the round: the next run asks only to go ahead.
    again = ScriptedUi([True])
    assert bureau.templates(context(again, home)) is not None
    assert [kind for kind, _ in again.asked] == ["confirm"]


def test_cancelling_writes_nothing_and_says_nothing(round_files: dict[str, Path], home: Path) -> None:
    settings_for(home, units=str(round_files["units"]), output=str(round_files["out"]))
    ui = ScriptedUi([False])
    assert bureau.templates(context(ui, home)) is None
    assert ui.alerts == [] and not round_files["out"].exists()
    ui = ScriptedUi([None])  # the units list dialog cancelled
    settings_for(home)
    assert bureau.templates(context(ui, home)) is None
    assert ui.alerts == []


def test_an_unusable_units_list_is_the_commands_chinese_message(tmp_path: Path, home: Path) -> None:
    units = tmp_path / "单位.csv"
    units.write_text("名称,控制数\n计量院,100\n", encoding="utf-8")
    settings_for(home, units=str(units), output=str(tmp_path / "out"))
    ui = ScriptedUi()
    assert bureau.templates(context(ui, home)) is None
    cli = CliRunner().invoke(main, ["template", "--units", str(units), "--out", str(tmp_path / "cli")])
    (message, title, critical), = ui.alerts
    assert (title, critical) == ("生成下发模板", True)
    assert message in cli.stderr and "单位名称" in message
    assert not (tmp_path / "out").exists()
    assert ui.statuses == [None]


# -- 汇总 and 退回副本 -----------------------------------------------------------------------------------------------


def test_consolidate_equals_the_command_line_and_is_opened(round_files: dict[str, Path], home: Path) -> None:
    settings_for(home, units=str(round_files["units"]), previous=str(round_files["previous"]),
                 output=str(round_files["out"]))
    ui = ScriptedUi([str(round_files["returns"]), True])
    summary = bureau.consolidate(context(ui, home))
    assert summary is not None
    output = round_files["out"] / "汇总.xlsx"
    cli = CliRunner().invoke(main, ["consolidate", str(round_files["returns"]), "-o", str(round_files["cli"] / "汇总.xlsx"),
                                    "--units", str(round_files["units"]), "--previous", str(round_files["previous"])])
    assert cli.exit_code == 1, cli.output  # the faulty return has an error
    assert values_of(output) == values_of(round_files["cli"] / "汇总.xlsx")
    assert ui.opened == [output]
    assert [kind for kind, _ in ui.asked] == ["folder", "confirm"]
    assert f"汇总回收文件夹：\n{round_files['returns']}\n写到：\n{output}" in ui.asked[1][1]
    assert "汇总：已读取 6/6 个文件……" in ui.statuses and ui.statuses[-1] is None
    (message, title, critical), = ui.alerts
    assert (title, critical) == ("汇总", False)
    assert message.startswith(summary.line()) and "点“退回副本”" in message
    assert cli.stdout.splitlines()[-1].split("已写出：")[0] == summary.line().split("已写出：")[0]
    assert read_settings(settings_path(home)).returns == str(round_files["returns"])


def test_return_copies_equal_the_command_lines(round_files: dict[str, Path], home: Path) -> None:
    settings_for(home, units=str(round_files["units"]), previous=str(round_files["previous"]),
                 output=str(round_files["out"]), returns=str(round_files["returns"]))
    ui = ScriptedUi([str(round_files["returns"]), True])
    summary = bureau.return_copies(context(ui, home))
    assert summary is not None
    copies = round_files["out"] / "退回副本"
    cli = CliRunner().invoke(main, ["consolidate", str(round_files["returns"]), "-o", str(round_files["cli"] / "汇总.xlsx"),
                                    "--units", str(round_files["units"]), "--previous", str(round_files["previous"]),
                                    "--annotate", str(round_files["cli"] / "退回")])
    assert cli.exit_code == 1, cli.output
    mine = sorted(p.relative_to(copies) for p in copies.rglob("*.xlsx"))
    theirs = sorted(p.relative_to(round_files["cli"] / "退回") for p in (round_files["cli"] / "退回").rglob("*.xlsx"))
    assert mine == theirs and len(mine) == len(summary.annotated) >= 2
    assert Path("3月8日 收件/bad-annual-exceeds-total.xlsx") in mine
    for rel in mine:
        assert values_of(copies / rel)[spec.RESULTS_SHEET] == values_of(round_files["cli"] / "退回" / rel)[
            spec.RESULTS_SHEET]
    assert not (round_files["out"] / "汇总.xlsx").exists()  # only the copies were asked for
    (message, title, _critical), = ui.alerts
    assert title == "退回副本" and message.startswith(f"已为 {len(mine)} 份有问题的申报表写出标注副本，写在：\n{copies}\n")


def test_an_open_consolidation_with_changes_is_not_overwritten(round_files: dict[str, Path], home: Path) -> None:
    output = round_files["out"] / "汇总.xlsx"
    settings_for(home, output=str(round_files["out"]))
    ui = ScriptedUi([str(round_files["returns"]), True], open_with_changes={output})
    assert bureau.consolidate(context(ui, home)) is None
    assert ui.alerts == [(f"“{output}”已在 Excel 中打开，且有未保存的改动：请另存或关闭它，再点“汇总”。", "汇总", True)]
    assert not output.exists()


def test_consolidation_failures_are_the_commands_chinese_messages(round_files: dict[str, Path], home: Path,
                                                                  tmp_path: Path) -> None:
    empty = tmp_path / "空 文件夹"
    empty.mkdir()
    settings_for(home, output=str(round_files["out"]))
    ui = ScriptedUi([str(empty), True])
    assert bureau.consolidate(context(ui, home)) is None
    cli = CliRunner().invoke(main, ["consolidate", str(empty), "-o", str(tmp_path / "x.xlsx")])
    assert cli.exit_code == 2
    assert ui.alerts[0][0] in cli.stderr and ui.alerts[0][1:] == ("汇总", True)
    # Last year's table set but moved away.
    settings_for(home, output=str(round_files["out"]), previous=str(tmp_path / "没了.xlsx"))
    ui = ScriptedUi([str(round_files["returns"])])
    assert bureau.consolidate(context(ui, home)) is None
    assert ui.alerts == [(f"设置中的上年汇总表“{tmp_path / '没了.xlsx'}”不存在（被移动或删除了？）。请点“设置”重新选择。",
                          "汇总", True)]


def test_on_a_staff_install_the_bureau_buttons_say_what_to_install(home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from xltools import extras

    monkeypatch.setattr(extras, "missing", lambda modules: list(modules))
    ui = ScriptedUi()
    assert bureau.consolidate(context(ui, home)) is None
    (message, title, critical), = ui.alerts
    assert (title, critical) == ("汇总", True) and message.startswith("汇总需要局里用的完整安装，本机缺少 pandas、pandera。")


# -- 设置 ----------------------------------------------------------------------------------------------------------


def test_settings_are_asked_item_by_item_and_kept_for_the_round(round_files: dict[str, Path], home: Path) -> None:
    ui = ScriptedUi([True,
                     "yes", str(round_files["units"]),  # 单位清单: choose
                     "yes", str(round_files["previous"]),  # 上年汇总表: choose
                     "cancel", "national",  # 指标体系: a shipped one, typed
                     "yes", str(round_files["out"]),  # 输出文件夹: choose
                     "yes", "2026",  # 预算年度
                     "yes", "新 密码&%"])  # 保护密码
    saved = configure.configure(context(ui, home))
    assert saved is not None and not ui.answers
    assert read_settings(settings_path(home)) == Settings(
        units=str(round_files["units"]), previous=str(round_files["previous"]), framework="national",
        output=str(round_files["out"]), year="2026", password="新 密码&%")
    raw = settings_path(home).read_bytes()
    assert raw[:2] == b"\xff\xfe" and "\r\ninterpreter=\r\n" in raw.decode("utf-16")  # what the VBA reads
    assert ui.asked[1] == ("ask", "设置 1/6：单位清单\n现在：（未设置：生成下发模板时选择；汇总时不核对报送情况和控制数）\n\n"
                                  "下发模板按它为每个单位生成；汇总按它列出报送情况、核对控制数。\n\n"
                                  "是：选择文件\n否：保持不变\n取消：不使用单位清单")
    assert ui.alerts[-1][0].startswith(f"已保存本轮设置：\n单位清单：{round_files['units']}\n")
    # 否 keeps, 取消 does without.
    ui = ScriptedUi([True, "no", "cancel", "no", "no", "cancel", "cancel"])
    configure.configure(context(ui, home))
    kept = read_settings(settings_path(home))
    assert (kept.units, kept.previous, kept.framework, kept.year, kept.password) == (
        str(round_files["units"]), "", "national", "", "")


def test_a_file_that_cannot_be_used_is_said_at_once_and_not_kept(tmp_path: Path, home: Path) -> None:
    bad = tmp_path / "不是清单.csv"
    bad.write_text("名称\n计量院\n", encoding="utf-8")
    not_last_year = tmp_path / "随便 & 一个.xlsx"
    shutil.copy2(EXAMPLES / "returns" / "02_上海市市场监督管理局_红盾维权联络专项经费.xlsx", not_last_year)
    ui = ScriptedUi([True, "yes", str(bad), "yes", str(not_last_year), "yes", None, "no", "yes", "19", "no"])
    configure.configure(context(ui, home))
    assert [a[0].split("：", 1)[0] for a in ui.alerts[:-1]] == ["单位清单未修改", "上年汇总表未修改", "预算年度未修改"]
    assert read_settings(settings_path(home)) == Settings()


def test_the_settings_file_keeps_what_it_does_not_know_and_reads_notepads_utf8(home: Path) -> None:
    path = settings_path(home)
    path.parent.mkdir(parents=True)
    path.write_bytes("\ufeff# 注释\r\ninterpreter=D:\\Python 3.13\\pythonw.exe\r\nunits = D:\\清单 & 单位.csv \r\n"
                     "later=kept\r\n".encode())
    s = read_settings(path)
    assert (s.interpreter, s.units, s.extra) == ("D:\\Python 3.13\\pythonw.exe", "D:\\清单 & 单位.csv", {"later": "kept"})
    write_settings(path, s)
    assert read_settings(path) == s


# -- quick, and light ----------------------------------------------------------------------------------------------


def _python(code: str, *, staff: bool) -> str:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([*([str(ROOT / "tests" / "staffsite")] if staff else []),
                                                        str(ROOT)])}
    done = subprocess.run([sys.executable, "-B", "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True,
                          text=True, env=env, check=True)
    return done.stdout.strip()


def test_the_buttons_modules_import_no_pandas_until_a_bureau_button_runs() -> None:
    out = _python("""
        import sys
        import xltools.addin.launch, xltools.addin.staff, xltools.addin.bureau, xltools.addin.configure
        import xltools.addin.ui, xltools.addin.settings
        print(sorted(m for m in ("pandas", "pandera", "numpy", "xlwings", "openpyxl") if m in sys.modules))
    """, staff=False)
    assert out == "[]"


def test_a_staff_click_runs_on_a_staff_install_without_the_bureau_code(tmp_path: Path) -> None:
    path = write(tmp_path, seed(), f"{TRICKY}.xlsx")
    out = _python(f"""
        import os, sys
        os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
        from pathlib import Path
        import xlwings as xw
        from tests.payload import payload
        from xltools.addin import launch
        book = xw.Book(json=payload({str(path)!r}))
        home = Path({str(tmp_path / "home")!r})
        (home / "run").mkdir(parents=True)
        (home / "run" / "{TOKEN}.req").write_bytes(launch.request_bytes("check", 1, book.name))
        print(launch.main(["{TOKEN}"], home=home, connect=lambda hwnd, name: (book.app, book)))
        print(book.json()["actions"][0]["values"][0][0])
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("pandas", "numpy", "pandera", "pyarrow")
                     or m.startswith(("xltools.consolidate", "xltools.addin.bureau", "xltools.distribute"))))
    """, staff=True)
    assert out.splitlines() == ["0", "校验通过（1 个警告）", "[]"]
