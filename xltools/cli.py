"""The `xltools` command: a thin layer over the library that maps outcomes to exit codes.

Exit codes: 0 no error finding, 1 at least one error finding, 2 usage or setup error.
"""

from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from xltools.data import Frameworks
    from xltools.findings import Report


class SetupError(click.ClickException):
    """What stops a command before any work (a missing part of the install, an unusable output): exit code 2."""

    exit_code = 2


def _require(feature: str, modules: tuple[str, ...]) -> None:
    """Stop with a Chinese hint on a staff install that lacks what ``feature`` needs (the bureau extra)."""
    from xltools.extras import bureau_hint

    hint = bureau_hint(feature, modules)
    if hint is not None:
        raise SetupError(hint)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xltools")
def main() -> None:
    """上海市财政支出项目绩效目标申报表工具：生成模板、校验、汇总。"""


@main.command()
@click.option("--year", type=click.IntRange(1901, 9999), default=None, help="预算年度（默认 2019）。")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help="输出目录。")
@click.option("--password", default=None, help="工作表和工作簿的保护密码（默认见 README）。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="单位清单 CSV（列：单位名称，可选 单位编码）：每个单位一个文件，申报单位名称已填好并锁定。")
@click.option("--framework", "framework_arg", default="sh2019", show_default=True, metavar="ID|FILE",
              help="指标体系：内置的 sh2019、national、cost2021，或指标体系文件（.toml）的路径。")
def template(year: int | None, out_dir: Path, password: str | None, units_csv: Path | None,
             framework_arg: str) -> None:
    """生成申报表模板：绩效目标申报表.xlsx，及带“一键校验”按钮的 .xlsm。"""
    from xltools import spec
    from xltools.data import FrameworkFileError, resolve_framework
    from xltools.template import TemplateError, write_template, write_unit_templates
    from xltools.units import UnitsFileError
    from xltools.xlsm import build_macro_workbook

    year = year or spec.DEFAULT_YEAR
    password = spec.DEFAULT_PASSWORD if password is None else password
    try:
        framework = resolve_framework(framework_arg)
    except FrameworkFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--framework") from exc
    try:
        if units_csv is not None:
            paths = write_unit_templates(units_csv, out_dir, year, password, framework)
        else:
            paths = [write_template(out_dir, year, password, framework=framework)]
    except UnitsFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--units") from exc
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(str(path))
        # The macro twin has the same form from the same spec, plus the xlwings button (not for WPS).
        macro = path.with_suffix(".xlsm")
        try:
            build_macro_workbook(path, macro)
        except FileNotFoundError as exc:
            # The button's VBA source comes from macros/ (a checkout) or <prefix>/share/xltools/macros (a wheel).
            click.echo(f"未生成 .xlsm：找不到按钮宏源码 {exc.filename}（xltools 安装不完整，请重新安装）。", err=True)
            continue
        click.echo(str(macro))
    click.echo(f"已生成 {len(paths)} 份模板（{year} 年，指标体系 {framework.id}），每份含 .xlsx 与带按钮的 .xlsm。",
               err=True)


FRAMEWORK_FILES = click.option(
    "--framework", "framework_files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="FILE", help="自定义指标体系文件（.toml），可重复；按各表记录的指标体系检查，内置体系无需提供。")


def _frameworks(paths: tuple[Path, ...]) -> Frameworks:
    """The registry of shipped frameworks and the files given; a bad file is a usage error (exit 2)."""
    from xltools.data import FrameworkFileError, load_frameworks

    try:
        return load_frameworks(paths)
    except FrameworkFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--framework") from exc


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON 数组（键：file, sheet, cell, code, severity, message）。")
@click.option("--annotate", "annotate_dir", type=click.Path(file_okay=False, path_type=Path),
              help="把带标注的副本写入此目录（原文件不变）。")
@FRAMEWORK_FILES
def check(files: tuple[Path, ...], as_json: bool, annotate_dir: Path | None, framework_files: tuple[Path, ...]) -> None:
    """检查已填写的申报表（文件或文件夹）。有错误时退出码为 1。"""
    from xltools.annotate import AnnotateError, annotate
    from xltools.discover import discover
    from xltools.engine import check_file
    from xltools.findings import to_json

    frameworks = _frameworks(framework_files)
    results = [check_file(path, frameworks=frameworks) for path in discover(files)]
    for result in results:
        if not as_json:
            click.echo(_format_report(result.report))
        if annotate_dir is not None:
            try:
                written = annotate(result, result.file, annotate_dir)
                click.echo(f"  已写出标注副本：{written}", err=as_json)
            except AnnotateError as exc:
                click.echo(f"  未能标注：{exc}", err=True)
    findings = [f for r in results for f in r.findings]
    if as_json:
        click.echo(to_json(findings))
    else:
        errors = sum(1 for f in findings if f.severity == "error")
        bad = sum(1 for r in results if not r.report.ok)
        click.echo(f"共检查 {len(results)} 个文件：{bad} 个有错误，错误 {errors} 条，警告 {len(findings) - errors} 条。")
    sys.exit(1 if any(f.severity == "error" for f in findings) else 0)


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="汇总工作簿（.xlsx）。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="下发单位清单 units.csv（列：单位名称，可选 控制数）：列出未报送的单位，核对控制数。")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="并行进程数（默认：CPU 核数）。")
@click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False, path_type=Path),
              help="同时把各表写成 parquet 文件到此目录。")
@FRAMEWORK_FILES
@click.option("--previous", "previous", type=click.Path(exists=True, path_type=Path),
              help="上一年的汇总工作簿（或其 parquet 文件夹）：核对同名项目上年预算额。")
def consolidate(inputs: tuple[Path, ...], output: Path, units_csv: Path | None, jobs: int | None,
                parquet_dir: Path | None, framework_files: tuple[Path, ...], previous: Path | None) -> None:
    """汇总已报送的申报表（文件或文件夹）为一个工作簿。有错误时退出码为 1，汇总表照常写出。"""
    from xltools import extras

    _require("汇总", extras.CONSOLIDATE + (extras.PARQUET if parquet_dir is not None else ()))
    from xltools.atomic import OutputError, os_reason
    from xltools.consolidate.previous import PreviousError
    from xltools.consolidate.progress import ProgressBar
    from xltools.consolidate.run import consolidate as run
    from xltools.units import UnitsFileError

    frameworks = _frameworks(framework_files)
    try:
        summary = run(inputs, output, units=units_csv, jobs=jobs, parquet=parquet_dir, previous=previous,
                      progress=ProgressBar(), frameworks=frameworks)
    except (UnitsFileError, PreviousError, OutputError) as exc:  # all found before any file is read
        raise click.UsageError(str(exc)) from exc
    except OSError as exc:  # the disk filled up or the folder vanished while writing: nothing half-written is left
        raise click.ClickException(f"写出汇总结果失败：{os_reason(exc)}（{exc.filename or output}）。") from exc
    click.echo(summary.line())
    sys.exit(0 if summary.ok else 1)


@main.command()
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="写出安装包的文件夹（新建；已存在时须为空）。")
@click.option("--python", "python", default=None, metavar="3.11|3.12|3.13",
              help="员工电脑上的 Python 版本：3.11、3.12 或 3.13（默认 3.13）。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="单位清单 CSV：安装包中放每个单位的模板，而不是一份通用模板。")
@click.option("--year", type=click.IntRange(1901, 9999), default=None, help="模板的预算年度（默认 2019）。")
@click.option("--password", default=None, help="模板的保护密码（默认见 README）。")
@click.option("--wheels", "wheels_dir", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="只从此文件夹取安装包（不联网，pip --no-index --find-links）。")
def bundle(out_dir: Path, python: str | None, units_csv: Path | None, year: int | None, password: str | None,
           wheels_dir: Path | None) -> None:
    """为员工电脑生成安装文件夹：Windows 安装包、安装.bat、卸载.bat、说明.txt 和模板。"""
    from xltools import extras

    _require("生成安装包", extras.BUNDLE)
    from xltools.atomic import OutputError, os_reason
    from xltools.bundle import DEFAULT_PYTHON, BundleError, write_bundle
    from xltools.units import UnitsFileError

    try:
        made = write_bundle(out_dir, python=python or DEFAULT_PYTHON, units_csv=units_csv, year=year,
                            password=password, find_links=wheels_dir, log=lambda line: click.echo(line, err=True))
    except UnitsFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--units") from exc
    except (BundleError, OutputError) as exc:
        raise SetupError(str(exc)) from exc
    except OSError as exc:
        raise SetupError(f"写出安装包失败：{os_reason(exc)}（{exc.filename or out_dir}）。") from exc
    click.echo(str(made.folder))
    click.echo(f"已生成安装包：Python {made.python}（Windows 64 位），{len(made.wheels)} 个安装包，"
               f"{len(made.templates)} 个模板文件。把整个文件夹拷到员工电脑，双击其中的 安装.bat。", err=True)


@main.command()
@click.option("--from", "approved", multiple=True, required=True, type=click.Path(exists=True, path_type=Path),
              metavar="APPROVED", help="批复的申报表（文件或文件夹）或其汇总表（xltools consolidate 的输出），可重复。")
@click.argument("more", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="输出目录：每个项目一个 [单位编码_]单位名称_项目名称_绩效自评表.xlsx 及带按钮的 .xlsm。")
@click.option("--units", "units_csv", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="单位清单 CSV：有 单位编码 列时作为文件名前缀。")
@click.option("--rules", "rules_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="自评规则文件（.toml，格式见 README）；默认为内置的财预〔2020〕10号规则。")
@click.option("--password", default=None, help="工作表和工作簿的保护密码（默认见 README）。")
@FRAMEWORK_FILES
def selfeval(approved: tuple[Path, ...], more: tuple[Path, ...], out_dir: Path, units_csv: Path | None,
             rules_file: Path | None, password: str | None, framework_files: tuple[Path, ...]) -> None:
    """由批复的申报表生成年终绩效自评表（已填好批复的指标和年初预算数并锁定）。有未能生成的项目时退出码为 1。"""
    from xltools import spec
    from xltools.approved import read_approved
    from xltools.atomic import OutputError, ensure_writable
    from xltools.data.selfeval_rules import RulesFileError, load_rules_file, selfeval_rules
    from xltools.spec.selfeval import SELFEVAL
    from xltools.template import TemplateError
    from xltools.template.selfeval import write_selfevals
    from xltools.units import UnitsFileError, read_units
    from xltools.xlsm import build_macro_workbook

    try:
        rules = load_rules_file(rules_file) if rules_file is not None else selfeval_rules()
    except RulesFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--rules") from exc
    try:
        units = read_units(units_csv) if units_csv is not None else []
    except UnitsFileError as exc:
        raise click.BadParameter(str(exc), param_hint="--units") from exc
    try:
        ensure_writable(out_dir, folder=True)
    except OutputError as exc:
        raise SetupError(str(exc)) from exc
    found = read_approved([*approved, *more], _frameworks(framework_files), units)
    try:
        paths = write_selfevals(found.projects, out_dir, rules, spec.DEFAULT_PASSWORD if password is None else password)
    except TemplateError as exc:
        raise click.ClickException(str(exc)) from exc
    for path in paths:
        click.echo(str(path))
        try:
            build_macro_workbook(path, path.with_suffix(".xlsm"), SELFEVAL)
            click.echo(str(path.with_suffix(".xlsm")))
        except FileNotFoundError as exc:
            click.echo(f"未生成 .xlsm：找不到按钮宏源码 {exc.filename}（xltools 安装不完整，请重新安装）。", err=True)
    for file, reason in found.notes:
        click.echo(f"  注意：{file}：{reason}", err=True)
    for file, reason in found.skipped:
        click.echo(f"  未生成：{file}：{reason}", err=True)
    click.echo(f"已生成 {len(paths)} 份绩效自评表（评分规则 {rules.id}），{len(found.skipped)} 个文件未生成。", err=True)
    sys.exit(1 if found.skipped or not paths else 0)


def _format_report(report: Report) -> str:
    from xltools import spec

    lines = [f"{report.file}：{report.summary()}"]
    for f in report.findings:
        where = f"{f.sheet}!{f.cell}" if f.cell else (f.sheet or "（文件）")
        lines.append(f"  {spec.SEVERITY_LABELS[f.severity]}  {where:<12} {f.code:<24} {f.message}")
    return "\n".join(lines)


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
