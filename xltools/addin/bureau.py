"""The 局里 group: 生成下发模板, 汇总 and 退回副本, each the same library call as its command, in process.

=============  ======================================================================================================
生成下发模板    ``xltools template --units U --out <输出>/下发模板 YYYY --year --password --framework``
               (:func:`xltools.distribute.write_forms`)
汇总           ``xltools consolidate <回收> -o <输出>/汇总.xlsx --units --previous --framework``, then opened
退回副本       ``xltools consolidate <回收> --annotate <输出>/退回副本 ...`` (the consolidation itself is not kept)
=============  ======================================================================================================

Each shows the round's settings (:mod:`xltools.addin.configure`) and where it will write before it starts, shows
progress in Excel's status bar, and ends with a Chinese message saying what was written where. Every failure the
command would end with (exit 2) is an alert with the command's own Chinese text; nothing is a traceback. pandas
is imported only once 汇总 or 退回副本 runs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xltools.addin.configure import UNITS_FILES, describe
from xltools.addin.settings import Settings, SettingsError, read_settings, write_settings

if TYPE_CHECKING:
    from xltools.addin.launch import Context
    from xltools.consolidate.run import Summary
    from xltools.distribute import Forms

TEMPLATES_TITLE = "生成下发模板"
CONSOLIDATE_TITLE = "汇总"
COPIES_TITLE = "退回副本"
CONSOLIDATION_NAME = "汇总.xlsx"
COPIES_FOLDER = "退回副本"


class Stop(Exception):
    """The run ends here: cancelled (no message), or with the Chinese message given."""


def fresh_folder(base: Path) -> Path:
    """``base``, or ``base (2)``, ``base (3)``... : the first that does not exist or is empty, so a run never mixes
    its files with an earlier run's."""
    candidate, n = base, 1
    while candidate.exists() and (not candidate.is_dir() or any(candidate.iterdir())):
        n += 1
        candidate = base.with_name(f"{base.name} ({n})")
    return candidate


def _run(ctx: Context, title: str, body: Callable[[Context, Settings], Any]) -> Any:
    """``body`` with the settings, every expected failure an alert with its Chinese text, the status bar given back
    to Excel at the end."""
    from xltools.atomic import OutputError, os_reason
    from xltools.consolidate.previous import PreviousError  # light: no pandas
    from xltools.data import FrameworkFileError
    from xltools.discover import NoFormsError
    from xltools.template.sheets import TemplateError
    from xltools.units import UnitsFileError

    try:
        return body(ctx, read_settings(ctx.settings))
    except Stop as exc:
        if str(exc):
            ctx.ui.alert(str(exc), title, critical=True)
    except (SettingsError, UnitsFileError, FrameworkFileError, TemplateError, OutputError, NoFormsError,
            PreviousError) as exc:
        ctx.ui.alert(str(exc), title, critical=True)
    except OSError as exc:
        ctx.ui.alert(f"{title}未能完成：{os_reason(exc)}（{exc.filename or ''}）。", title, critical=True)
    finally:
        ctx.ui.status(None)
    return None


def _save(ctx: Context, s: Settings) -> None:
    with contextlib.suppress(OSError):  # the choice holds for this run; 设置 says so when it cannot be saved
        write_settings(ctx.settings, s)


def _existing(s: Settings, key: str, label: str) -> Path | None:
    value = getattr(s, key)
    if not value:
        return None
    if not Path(value).is_file():
        raise Stop(f"设置中的{label}“{value}”不存在（被移动或删除了？）。请点“设置”重新选择。")
    return Path(value)


def _units(ctx: Context, s: Settings, required: bool) -> Path | None:
    units = _existing(s, "units", "单位清单")
    if units is None and required:
        chosen = ctx.ui.choose_file("选择本轮的单位清单（每个单位生成一份模板）", *UNITS_FILES)
        if chosen is None:
            raise Stop("")
        s.units = chosen
        _save(ctx, s)
        units = Path(chosen)
    return units


def _output(ctx: Context, s: Settings) -> Path:
    if not s.output:
        chosen = ctx.ui.choose_folder("选择输出文件夹（下发模板、汇总表和退回副本都写在这里）")
        if chosen is None:
            raise Stop("")
        s.output = chosen
        _save(ctx, s)
    return Path(s.output)


def _returns(ctx: Context, s: Settings, title: str) -> Path:
    chosen = ctx.ui.choose_folder(f"{title}：选择回收文件夹（各单位报回的表所在的文件夹）", initial=s.returns)
    if chosen is None:
        raise Stop("")
    s.returns = chosen
    _save(ctx, s)
    return Path(chosen)


def _go(ctx: Context, s: Settings, title: str, what: str) -> None:
    """The settings and what is about to happen, before each run; Cancel ends it."""
    if not ctx.ui.confirm(f"{what}\n\n本轮设置：\n{describe(s, ctx.settings)}\n\n确定：开始；取消：不运行（可先点“设置”修改）。",
                          title):
        raise Stop("")


# -- 生成下发模板 ------------------------------------------------------------------------------------------------


def templates(ctx: Context) -> Forms | None:
    """生成下发模板: one template pair per unit of the units list, in a new folder of the output folder."""
    result: Forms | None = _run(ctx, TEMPLATES_TITLE, _templates)
    return result


def _templates(ctx: Context, s: Settings) -> Forms | None:
    from xltools.data import resolve_framework
    from xltools.distribute import write_forms
    from xltools.units import read_units

    units = _units(ctx, s, required=True)
    assert units is not None
    count = len(read_units(units))
    year = s.budget_year(dt.date.today())
    framework = resolve_framework(s.framework) if s.framework else None
    target = fresh_folder(_output(ctx, s) / f"下发模板 {year}")
    _go(ctx, s, TEMPLATES_TITLE, f"为单位清单中的 {count} 个单位生成 {year} 年的模板，写到：\n{target}")
    done = 0

    def written(_path: Path) -> None:
        nonlocal done
        done += 1
        ctx.ui.status(f"{TEMPLATES_TITLE}：已写出 {done}/{2 * count} 个文件……")

    if framework is None:
        from xltools.data import DEFAULT_FRAMEWORK

        framework = resolve_framework(DEFAULT_FRAMEWORK)
    forms = write_forms(target, year, s.protection_password(), framework, units, written=written)
    ctx.ui.status(None)
    macro = ("和带“一键校验”按钮的 .xlsm（Excel 中使用，需要安装）" if forms.macros
             else f"（未生成 .xlsm：找不到按钮宏源码 {forms.missing_macro}，请重新安装 xltools）")
    ctx.ui.alert(f"已为 {len(forms.books)} 个单位生成 {year} 年的模板（指标体系 {framework.id}），写在：\n{target}\n\n"
                 f"每个单位一份 .xlsx（Excel、WPS 都能填写，表内自查不需要 Python）{macro}。"
                 "把各单位的文件发给各单位。", TEMPLATES_TITLE)
    return forms


# -- 汇总 and 退回副本 ------------------------------------------------------------------------------------------


def _consolidation_inputs(ctx: Context, s: Settings, title: str) -> dict[str, Any]:
    """What 汇总 and 退回副本 both need: the returns folder, the output folder and the run's options."""
    from xltools import extras
    from xltools.data import framework_ids, load_frameworks

    hint = extras.bureau_hint(title, extras.CONSOLIDATE)
    if hint is not None:
        raise Stop(hint)
    returns = _returns(ctx, s, title)
    files = [s.framework] if s.framework and s.framework not in framework_ids() else []
    return {"returns": returns, "out": _output(ctx, s), "units": _units(ctx, s, required=False),
            "previous": _existing(s, "previous", "上年汇总表"), "frameworks": load_frameworks(files)}


def consolidate(ctx: Context) -> Summary | None:
    """汇总: the returns folder consolidated into <输出>/汇总.xlsx, which is then opened."""
    result: Summary | None = _run(ctx, CONSOLIDATE_TITLE, _consolidate)
    return result


def _consolidate(ctx: Context, s: Settings) -> Summary:
    from xltools.addin.ui import StatusProgress
    from xltools.consolidate.run import consolidate as run

    given = _consolidation_inputs(ctx, s, CONSOLIDATE_TITLE)
    output = given["out"] / CONSOLIDATION_NAME
    _go(ctx, s, CONSOLIDATE_TITLE, f"汇总回收文件夹：\n{given['returns']}\n写到：\n{output}")
    if not ctx.ui.release(output):
        raise Stop(f"“{output}”已在 Excel 中打开，且有未保存的改动：请另存或关闭它，再点“汇总”。")
    summary = run([given["returns"]], output, units=given["units"], previous=given["previous"],
                  progress=StatusProgress(ctx.ui, CONSOLIDATE_TITLE), frameworks=given["frameworks"])
    ctx.ui.status(None)
    ctx.ui.open_book(summary.output)
    advice = ("有错误的表请退回修改：点“退回副本”写出带标注的副本。" if not summary.ok
              else "没有错误；警告请在“问题清单”中逐条确认。")
    ctx.ui.alert(f"{summary.line()}\n\n“报送情况”列出每个单位的状态，“问题清单”列出每条问题。{advice}", CONSOLIDATE_TITLE)
    return summary


def return_copies(ctx: Context) -> Summary | None:
    """退回副本: the annotated copies of the counted forms with findings (the batch's findings included), in a new
    folder of the output folder."""
    result: Summary | None = _run(ctx, COPIES_TITLE, _return_copies)
    return result


def _return_copies(ctx: Context, s: Settings) -> Summary:
    from xltools.addin.ui import StatusProgress
    from xltools.consolidate.run import consolidate as run
    from xltools.discover import display

    given = _consolidation_inputs(ctx, s, COPIES_TITLE)
    copies = fresh_folder(given["out"] / COPIES_FOLDER)
    _go(ctx, s, COPIES_TITLE, f"为回收文件夹中有问题的申报表写出标注副本：\n{given['returns']}\n写到：\n{copies}")
    with tempfile.TemporaryDirectory(prefix="xltools-") as scratch:  # the consolidation is not what is asked for
        summary = run([given["returns"]], Path(scratch) / CONSOLIDATION_NAME, units=given["units"],
                      previous=given["previous"], progress=StatusProgress(ctx.ui, COPIES_TITLE),
                      frameworks=given["frameworks"], annotate=copies)
    ctx.ui.status(None)
    failed = "".join(f"\n未能标注：{file}（{why}）" for file, why in summary.not_annotated.items())
    if not summary.annotated:
        ctx.ui.alert(f"没有需要退回的表：计入汇总的 {summary.forms} 份申报表都没有问题。{failed}", COPIES_TITLE)
        return summary
    listed = "\n".join(f"  {display(copy.relative_to(copies))}" for copy in list(summary.annotated.values())[:10])
    more = f"\n  ……共 {len(summary.annotated)} 份" if len(summary.annotated) > 10 else ""
    ctx.ui.alert(f"已为 {len(summary.annotated)} 份有问题的申报表写出标注副本，写在：\n{copies}\n{listed}{more}\n\n"
                 "副本按回收文件夹原来的子文件夹存放；问题列在各副本的“校验结果”中，申报表上标红/标橙"
                 f"（含重复报送、控制数、上年数等汇总才发现的问题）。原文件没有改动。{failed}", COPIES_TITLE)
    return summary
