"""设置: the round's settings, asked item by item and kept in the user's settings file; :func:`describe` is what the
bureau's buttons show before each run.

Excel's own boxes only (a Yes/No/Cancel question per item, its file or folder dialog, its text box): a form of our
own would need Excel to build. Each item answers 是 (choose anew), 否 (keep) or 取消 (do without / the default).
A file chosen is tried at once (a units list read, a framework file parsed, last year's table recognised), so a
mistake is said here and not in the middle of a run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from xltools import spec
from xltools.addin.settings import Settings, SettingsError, read_settings, write_settings

if TYPE_CHECKING:
    from xltools.addin.launch import Context

TITLE = "设置"
UNITS_FILES = ("单位清单", "*.csv;*.txt;*.xlsx;*.xls;*.ods")
WORKBOOKS = ("汇总工作簿", "*.xlsx")
FRAMEWORK_FILES = ("指标体系文件", "*.toml")


def framework_label(value: str) -> str:
    from xltools.data import DEFAULT_FRAMEWORK, framework_ids

    if not value:
        return f"{DEFAULT_FRAMEWORK}（内置，默认）"
    return f"{value}（内置）" if value in framework_ids() else f"{value}（文件）"


LABELS = {"units": "单位清单", "previous": "上年汇总表", "framework": "指标体系", "output": "输出文件夹",
          "returns": "回收文件夹", "year": "预算年度", "password": "保护密码"}


def shown(settings: Settings, key: str, today: dt.date | None = None) -> str:
    """One setting as the bureau reads it, saying what an unset one means."""
    value = getattr(settings, key)
    today = today or dt.date.today()
    unset = {
        "units": "（未设置：生成下发模板时选择；汇总时不核对报送情况和控制数）",
        "previous": "（未设置：汇总时不核对上年预算额）",
        "output": "（未设置：第一次运行时选择）",
        "returns": "（未选择过）",
        "year": f"{today.year + 1}（默认：下一个日历年）",
        "password": f"{spec.DEFAULT_PASSWORD}（默认；下发前请在“设置”中换成自己的密码）",
    }
    if key == "framework":
        return framework_label(value)
    return str(value) if value else unset[key]


def describe(settings: Settings, path: Path, today: dt.date | None = None) -> str:
    """The settings as the bureau reads them before a run: every item, what an unset one means, and the file."""
    lines = [f"{label}：{shown(settings, key, today)}" for key, label in LABELS.items()]
    return "\n".join([*lines, f"（设置保存在 {path}）"])


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    help: str
    choose: str  # what 是 does
    clear: str  # what 取消 does
    pick: Callable[[Context, Settings], str | None]


def _units(ctx: Context, s: Settings) -> str | None:
    chosen = ctx.ui.choose_file("选择本轮的单位清单", *UNITS_FILES, initial=s.units)
    if chosen is not None:
        from xltools.units import read_units

        read_units(chosen)
    return chosen


def _previous(ctx: Context, s: Settings) -> str | None:
    chosen = ctx.ui.choose_file("选择上一年的汇总表（由 xltools 汇总得到的 .xlsx）", *WORKBOOKS, initial=s.previous)
    if chosen is not None:
        from xltools.consolidate.previous import read

        read(chosen)
    return chosen


def _framework(ctx: Context, s: Settings) -> str | None:
    from xltools.data import framework_ids, resolve_framework

    initial = "" if s.framework in framework_ids() else s.framework
    chosen = ctx.ui.choose_file("选择指标体系文件（.toml）", *FRAMEWORK_FILES, initial=initial)
    if chosen is not None:
        resolve_framework(chosen)
    return chosen


def _builtin_framework(ctx: Context, s: Settings) -> str | None:
    from xltools.data import DEFAULT_FRAMEWORK, framework_ids

    ids = framework_ids()
    typed = ctx.ui.text(f"输入内置指标体系：{'、'.join(ids)}（默认 {DEFAULT_FRAMEWORK}）。", TITLE,
                        s.framework if s.framework in ids else DEFAULT_FRAMEWORK)
    if typed is None:
        return None
    typed = typed.strip() or DEFAULT_FRAMEWORK
    if typed not in ids:
        raise SettingsError(f"没有内置指标体系“{typed}”：可选 {'、'.join(ids)}。")
    return "" if typed == DEFAULT_FRAMEWORK else typed


def _output(ctx: Context, s: Settings) -> str | None:
    return ctx.ui.choose_folder("选择输出文件夹（下发模板、汇总表和退回副本都写在这里）", initial=s.output)


def _year(ctx: Context, s: Settings) -> str | None:
    today = dt.date.today()
    typed = ctx.ui.text("输入模板的预算年度（如 " + str(today.year + 1) + "）。", TITLE, s.year or str(today.year + 1))
    if typed is None:
        return None
    candidate = Settings(year=typed.strip())
    candidate.budget_year(today)  # SettingsError when it is no year
    return candidate.year


def _password(ctx: Context, s: Settings) -> str | None:
    typed = ctx.ui.text("输入下发模板的保护密码（工作表和工作簿结构；留空则用默认密码）。", TITLE, s.password)
    return None if typed is None else typed.strip()


ITEMS = (
    Item("units", "单位清单", "下发模板按它为每个单位生成；汇总按它列出报送情况、核对控制数。",
         "选择文件", "不使用单位清单", _units),
    Item("previous", "上年汇总表", "汇总时核对同名项目的上年预算额。", "选择文件", "不核对上年数", _previous),
    Item("framework", "指标体系", "下发模板用它做一级、二级指标的下拉；局里自己的指标体系文件汇总时也要用。",
         "选择指标体系文件", "改用内置指标体系（接着输入名称）", _framework),
    Item("output", "输出文件夹", "下发模板、汇总表和退回副本写在这里。", "选择文件夹", "清除（下次运行时再选）", _output),
    Item("year", "预算年度", "下发模板的预算年度。", "输入年份", "用默认（下一个日历年）", _year),
    Item("password", "保护密码", "下发模板的工作表和工作簿结构保护密码。", "输入密码", f"用默认密码 {spec.DEFAULT_PASSWORD}",
         _password),
)


def configure(ctx: Context) -> Settings | None:
    """设置: every item asked in turn, then saved. None when the settings file cannot be read or nothing changed."""
    try:
        s = read_settings(ctx.settings)
    except SettingsError as exc:
        ctx.ui.alert(str(exc), TITLE, critical=True)
        return None
    if not ctx.ui.confirm(f"本轮设置：\n{describe(s, ctx.settings)}\n\n确定：逐项修改（共 {len(ITEMS)} 项）；取消：不修改。",
                          TITLE):
        return None
    for number, item in enumerate(ITEMS, start=1):
        answer = ctx.ui.ask(f"设置 {number}/{len(ITEMS)}：{item.label}\n现在：{shown(s, item.key)}\n\n{item.help}\n\n"
                            f"是：{item.choose}\n否：保持不变\n取消：{item.clear}", TITLE)
        if answer == "no":
            continue
        pick = _builtin_framework if (answer == "cancel" and item.key == "framework") else item.pick
        if answer == "cancel" and pick is item.pick:
            setattr(s, item.key, "")
            continue
        try:
            value = pick(ctx, s)
        except Exception as exc:  # the file chosen is unusable: say why, keep what was set
            ctx.ui.alert(f"{item.label}未修改：{exc}", TITLE, critical=True)
            continue
        if value is not None:
            setattr(s, item.key, value)
    try:
        write_settings(ctx.settings, s)
    except OSError as exc:
        ctx.ui.alert(f"无法保存设置文件“{ctx.settings}”：{exc.strerror or exc}。", TITLE, critical=True)
        return None
    ctx.ui.alert(f"已保存本轮设置：\n{describe(s, ctx.settings)}", TITLE)
    return s
