"""The `xltools` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 no error finding, 1 at least one error finding, 2 usage or setup error (anything that stops a
command before or instead of its work, including an output that cannot be written), 130 interrupted (Ctrl-C).
Everything staff read is Chinese: click's own messages go through :mod:`xltools.clitext`.
"""

from __future__ import annotations

import datetime as dt
import gc
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from xltools import clitext
from xltools.clihelp import Command, Context, install_chinese

if TYPE_CHECKING:
    from xltools.data import Frameworks
    from xltools.discover import Skipped

CONTEXT = {"help_option_names": ["-h", "--help"]}
# Usage errors, setup errors and failed writes: the command did not do its work.
USAGE = 2
INTERRUPTED = 130


# Now, before the options below are made: click translates some of their texts (a path's "file") when made.
install_chinese()


class SetupError(click.ClickException):
    """What stops a command before any work (a missing part of the install, an unusable output): exit code 2."""

    exit_code = USAGE


class Interrupted(click.ClickException):
    """Ctrl-C: one Chinese line saying what was left (by command), exit code 130."""

    exit_code = INTERRUPTED

    def __init__(self, command: str | None = None) -> None:
        super().__init__(clitext.INTERRUPTED_BY.get(command or "", clitext.INTERRUPTED_OTHER))

    def show(self, file: Any = None) -> None:
        stream = file or sys.stderr
        lead = "\n" if getattr(stream, "isatty", lambda: False)() else ""  # after the terminal's "^C"
        click.echo(f"{lead}{self.message}", file=stream)


class Group(click.Group):
    context_class = Context
    command_class = Command

    """The ``xltools`` group: Chinese messages, and every way a command can stop mapped to an exit code with one
    Chinese message (click would print "Aborted!" and exit 1 on Ctrl-C)."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        install_chinese()
        try:
            code = super().main(args, prog_name or "xltools", complete_var, standalone_mode=False, **extra)
        except Interrupted as exc:
            exc.show()
            sys.exit(INTERRUPTED)
        except click.ClickException as exc:
            if isinstance(exc, click.MissingParameter):  # click ends this one with its own full stop
                exc = click.UsageError(exc.format_message().rstrip(".") + "。", exc.ctx)
            exc.show()
            sys.exit(USAGE)
        except (click.Abort, KeyboardInterrupt):
            Interrupted().show()
            sys.exit(INTERRUPTED)
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:  # before click turns it into Abort (and prints an empty line)
            raise Interrupted(ctx.invoked_subcommand) from None


@click.group(cls=Group, context_settings=CONTEXT, options_metavar="[选项]", subcommand_metavar="命令 [参数]...")
@click.version_option(package_name="xltools")
def main() -> None:
    """上海市财政支出项目绩效目标申报表工具：生成模板、校验、汇总。"""


def next_year() -> int:
    """The year being budgeted: forms are sent out the year before."""
    return dt.date.today().year + 1


UNITS_HELP = "单位清单（列：" + "、".join(["单位名称（或 申报单位名称，必填）", "单位编码（可选）",
                                          "控制数 或 控制数（元）/控制数（万元）（可选）"]) + "）"


def _command(**kwargs: Any) -> Any:
    return main.command(context_settings=CONTEXT, options_metavar="[选项]", **kwargs)


@_command()
@click.option("--year", type=click.IntRange(1901, 9999), default=None, metavar="年份",
              help="预算年度（默认：下一个日历年，即正在编制预算的年度）。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              metavar="文件夹", show_default=True, help="输出目录。")
@click.option("--password", default=None, metavar="密码", help="工作表和工作簿的保护密码（默认见 README）。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
              metavar="文件", help=f"{UNITS_HELP}：每个单位一个文件，申报单位名称已填好并锁定。")
@click.option("--framework", "framework_arg", default="sh2019", show_default=True, metavar="ID|文件",
              help="指标体系：内置的 sh2019、national、cost2021，或指标体系文件（.toml）的路径。")
def template(year: int | None, out_dir: Path, password: str | None, units_csv: Path | None,
             framework_arg: str) -> None:
    """生成申报表模板：绩效目标申报表.xlsx，及带“一键校验”按钮的 .xlsm。"""
    from xltools import spec
    from xltools.data import FrameworkFileError, resolve_framework
    from xltools.distribute import write_forms
    from xltools.template import TemplateError
    from xltools.units import UnitsFileError

    year = year or next_year()
    password = spec.DEFAULT_PASSWORD if password is None else password
    try:
        framework = resolve_framework(framework_arg)
    except FrameworkFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--framework") from exc
    try:
        # The macro twin has the same form from the same spec, plus the xlwings button (not for WPS).
        forms = write_forms(out_dir, year, password, framework, units_csv, written=lambda p: click.echo(str(p)))
    except UnitsFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--units") from exc
    except TemplateError as exc:
        raise SetupError(str(exc)) from exc
    if forms.missing_macro is not None:
        click.echo(f"未生成 .xlsm：找不到按钮宏源码 {forms.missing_macro}（xltools 安装不完整，请重新安装）。", err=True)
    click.echo(f"已生成 {len(forms.books)} 份模板（{year} 年，指标体系 {framework.id}），每份含 .xlsx 与带按钮的 .xlsm。",
               err=True)


FRAMEWORK_FILES = click.option(
    "--framework", "framework_files", multiple=True,
    type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
    metavar="文件", help="自定义指标体系文件（.toml），可重复；按各表记录的指标体系检查，内置体系无需提供。")
# Inputs must exist; whether they can be read is the reader's to report (file-unreadable, exit 1), not a usage error.
INPUTS = click.Path(exists=True, readable=False, path_type=Path)


def _frameworks(paths: tuple[Path, ...]) -> Frameworks:
    """The registry of shipped frameworks and the files given; a bad file is a usage error (exit 2)."""
    from xltools.data import FrameworkFileError, load_frameworks

    try:
        return load_frameworks(paths)
    except FrameworkFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--framework") from exc


def _skipped(skipped: list[Skipped], err: bool) -> None:
    for s in skipped:
        click.echo(f"跳过：{s.display}（{s.reason}）", err=err)


@_command()
@click.argument("files", nargs=-1, required=True, type=INPUTS, metavar="文件或文件夹...")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 数组（键：file, sheet, cell, code, severity, message）。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="把带标注的副本写入此目录，按原来的子文件夹存放（原文件不变）。")
@FRAMEWORK_FILES
def check(files: tuple[Path, ...], as_json: bool, annotate_dir: Path | None, framework_files: tuple[Path, ...]) -> None:
    """检查已填写的申报表（文件、文件夹或 .zip 压缩包）。有错误时退出码为 1。"""
    from xltools.annotate import AnnotateError, annotate_source, plan_copies
    from xltools.atomic import OutputError
    from xltools.discover import Found, NoFormsError, Skipped, display, find
    from xltools.engine import CheckResult
    from xltools.findings import Finding, to_json
    from xltools.inputs import check_source

    frameworks = _frameworks(framework_files)
    found = find(files)
    try:
        if not found.sources and not found.unlisted:
            raise NoFormsError(files, found)
        planned = plan_copies(found.sources, annotate_dir) if annotate_dir is not None else {}
    except (NoFormsError, OutputError) as exc:
        raise SetupError(str(exc)) from exc
    results: list[CheckResult] = [
        CheckResult(s.display, None, [Finding.of("file-unreadable", s.reason, file=s.display)]) for s in found.unlisted]
    skipped = list(found.skipped)
    with tempfile.TemporaryDirectory(prefix="xltools-") as scratch:
        for source in found.sources:
            checked = check_source(source, frameworks, scratch)
            if checked.result is None:
                skipped.append(Skipped(source.display, checked.skipped or ""))
                continue
            result = checked.result
            results.append(result)
            if not as_json:
                click.echo(clitext.report_text(result.report))
            if annotate_dir is not None:
                try:
                    if result.declaration is None and result.selfeval is None:
                        raise AnnotateError("文件无法按本模板读取，不能在其中标注；问题见检查报告。")
                    written = annotate_source(source, planned[source.display], result.findings)
                    click.echo(f"  已写出标注副本：{display(written)}", err=as_json)
                except AnnotateError as exc:
                    click.echo(f"  未能标注：{exc}", err=True)
                except OSError as exc:
                    from xltools.atomic import write_failed

                    raise SetupError(str(write_failed(planned[source.display], exc))) from exc
    if not results:
        raise SetupError(str(NoFormsError(files, Found([], skipped, found.unlisted))))
    findings = [f for r in results for f in r.findings]
    _skipped(skipped, err=as_json)
    if as_json:
        click.echo(to_json(findings))
    else:
        for r in results[:len(found.unlisted)]:
            click.echo(clitext.report_text(r.report))
        errors = sum(1 for f in findings if f.severity == "error")
        bad = sum(1 for r in results if not r.report.ok)
        more = f"；另跳过 {len(skipped)} 个不是申报表的文件" if skipped else ""
        click.echo(f"共检查 {len(results)} 个文件：{bad} 个有错误，错误 {errors} 条，警告 {len(findings) - errors} 条"
                   f"{more}。")
    sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


@_command()
@click.argument("inputs", nargs=-1, required=True, type=INPUTS, metavar="文件或文件夹...")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              metavar="文件", help="汇总工作簿（.xlsx；未写扩展名时自动加上）。不能是要汇总的输入文件。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
              metavar="文件", help=f"下发{UNITS_HELP}：列出各单位报送情况和未报送的单位，核对控制数。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N", help="并行进程数（默认：CPU 核数）。")
@click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="同时把各表写成 parquet 文件到此目录。")
@FRAMEWORK_FILES
@click.option("--previous", "previous", type=click.Path(exists=True, readable=False, path_type=Path),
              metavar="文件或文件夹", help="上一年的汇总工作簿（或其 parquet 文件夹）：核对同名项目上年预算额。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="为计入汇总且有问题的表写出退回单位的标注副本（含重复报送、控制数、上年数等汇总才发现的问题），"
                   "按原来的子文件夹存放。")
def consolidate(inputs: tuple[Path, ...], output: Path, units_csv: Path | None, jobs: int | None,
                parquet_dir: Path | None, framework_files: tuple[Path, ...], previous: Path | None,
                annotate_dir: Path | None) -> None:
    """汇总已报送的申报表（文件、文件夹或 .zip 压缩包）为一个工作簿。有错误时退出码为 1，汇总表照常写出。"""
    from xltools import extras

    _require("汇总", extras.CONSOLIDATE + (extras.PARQUET if parquet_dir is not None else ()))
    from xltools.atomic import OutputError
    from xltools.consolidate.previous import PreviousError
    from xltools.consolidate.progress import ProgressBar
    from xltools.consolidate.run import consolidate as run
    from xltools.discover import NoFormsError, display
    from xltools.units import UnitsFileError

    frameworks = _frameworks(framework_files)
    try:
        summary = run(inputs, output, units=units_csv, jobs=jobs, parquet=parquet_dir, previous=previous,
                      progress=ProgressBar(), frameworks=frameworks, annotate=annotate_dir)
    except (UnitsFileError, PreviousError, OutputError, NoFormsError) as exc:
        raise SetupError(str(exc)) from exc
    _skipped(summary.skipped, err=False)
    for file, copy in summary.annotated.items():
        click.echo(f"已写出标注副本：{display(copy)}（{file}）")
    for file, why in summary.not_annotated.items():
        click.echo(f"未能标注：{file}（{why}）", err=True)
    click.echo(summary.line())
    sys.exit(0 if summary.ok else 1)


def _require(feature: str, modules: tuple[str, ...]) -> None:
    """Stop with a Chinese hint on a staff install that lacks what ``feature`` needs (the bureau extra)."""
    from xltools.extras import bureau_hint

    hint = bureau_hint(feature, modules)
    if hint is not None:
        raise SetupError(hint)


@_command(short_help="生成员工电脑（或局里）用的安装文件夹。")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="写出安装包的文件夹（新建；已存在时须为空）。")
@click.option("--python", "python", default=None, metavar="3.11|3.12|3.13",
              help="员工电脑上的 Python 版本：3.11、3.12 或 3.13（默认 3.13）。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
              metavar="文件", help=f"{UNITS_HELP}：安装包中放每个单位的模板，而不是一份通用模板。")
@click.option("--year", type=click.IntRange(1901, 9999), default=None, metavar="年份",
              help="模板的预算年度（默认：下一个日历年）。")
@click.option("--password", default=None, metavar="密码", help="模板的保护密码（默认见 README）。")
@click.option("--wheels", "wheels_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              metavar="文件夹", help="只从此文件夹取安装包（不联网，pip --no-index --find-links）。")
@click.option("--bureau", is_flag=True, help="局里用的安装文件夹：另含 pandas、pandera、pyarrow，加载项有“局里”一组。")
def bundle(out_dir: Path, python: str | None, units_csv: Path | None, year: int | None, password: str | None,
           wheels_dir: Path | None, bureau: bool) -> None:
    """为员工电脑（或 --bureau：局里）生成安装文件夹：Windows 安装包、Excel 加载项、安装.bat、卸载.bat、说明.txt 和模板。"""
    from xltools import extras

    _require("生成安装包", extras.BUNDLE)
    from xltools.atomic import OutputError, os_reason
    from xltools.bundle import DEFAULT_PYTHON, BundleError, write_bundle
    from xltools.units import UnitsFileError

    try:
        made = write_bundle(out_dir, python=python or DEFAULT_PYTHON, units_csv=units_csv, year=year or next_year(),
                            password=password, find_links=wheels_dir, log=lambda s: click.echo(s, err=True), bureau=bureau)
    except UnitsFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--units") from exc
    except (BundleError, OutputError) as exc:
        raise SetupError(str(exc)) from exc
    except OSError as exc:
        raise SetupError(f"写出安装包失败：{os_reason(exc)}（{out_dir}）。") from exc
    click.echo(str(made.folder))
    click.echo(f"已生成{'局里用的' if bureau else ''}安装包：Python {made.python}（Windows 64 位），{len(made.wheels)} 个安装包，加载项 "
               f"{made.addin.name}，{len(made.templates)} 个模板文件。把整个文件夹拷到电脑上，关闭 Excel，双击其中的 安装.bat。", err=True)


@_command(short_help="生成 Excel 加载项 xltools.xlam（功能区“绩效目标”选项卡）。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              metavar="文件夹", show_default=True, help="写出 xltools.xlam 的文件夹。")
@click.option("--staff", is_flag=True, help="员工版：功能区只有“填报”一组（一键校验、清除标记）；默认另有“局里”一组。")
def addin(out_dir: Path, staff: bool) -> None:
    """生成 Excel 加载项 xltools.xlam：功能区“绩效目标”选项卡，对当前打开的工作簿校验，局里的一轮申报也都在其中。"""
    from xltools.addin.xlam import AddinError, build_addin

    try:
        made = build_addin(out_dir, bureau=not staff)
    except AddinError as exc:
        raise SetupError(str(exc)) from exc
    click.echo(str(made.path))
    click.echo(made.summary(), err=True)


@_command(short_help="由批复的申报表生成年终绩效自评表。")
@click.option("--from", "approved", multiple=True, required=True, type=INPUTS, metavar="文件或文件夹",
              help="批复的申报表（文件或文件夹）或其汇总表（xltools consolidate 的输出），可重复；其后可接更多。")
@click.argument("more", nargs=-1, type=INPUTS, metavar="[文件或文件夹]...")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), metavar="文件夹",
              help="输出目录：每个项目一个 [单位编码_]单位名称_项目名称_绩效自评表.xlsx 及带按钮的 .xlsm。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
              metavar="文件", help=f"{UNITS_HELP}：有单位编码时作为文件名前缀。")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, readable=False, path_type=Path),
              metavar="文件", help="自评规则文件（.toml，格式见 README）；默认为内置的财预〔2020〕10号规则。")
@click.option("--password", default=None, metavar="密码", help="工作表和工作簿的保护密码（默认见 README）。")
@FRAMEWORK_FILES
def selfeval(approved: tuple[Path, ...], more: tuple[Path, ...], out_dir: Path, units_csv: Path | None,
             rules_file: Path | None, password: str | None, framework_files: tuple[Path, ...]) -> None:
    """由批复的申报表（或其汇总表）生成年终绩效自评表：批复的指标、年度指标值和年初预算数已填好并锁定。有未能生成的项目时退出码为 1。"""
    from xltools.yearend import STOPS, make_selfevals

    try:  # a bad rules file or units list, an output folder that cannot be written: nothing is read
        made = make_selfevals([*approved, *more], out_dir, units_csv=units_csv, rules_file=rules_file,
                              password=password, frameworks=_frameworks(framework_files))
    except STOPS as exc:
        raise SetupError(str(exc)) from exc
    for path in made.written:
        click.echo(str(path))
    for line in made.lines():
        click.echo(line, err=True)
    sys.exit(0 if made.ok else 1)


def entry() -> None:
    """The ``xltools`` console script. The process ends with the command, so the cyclic garbage collector stays
    off: the engine makes no reference cycles, and with pandas loaded and thousands of forms read, its passes over
    every live object cost ~0.1 s during a run and ~0.2 s more at exit (``gc.freeze`` spares that final pass)."""
    gc.disable()
    try:
        main()
    finally:
        gc.freeze()


if __name__ == "__main__":  # pragma: no cover
    entry()
