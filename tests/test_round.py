"""The bureau's round: each project counted once, budget ceilings (控制数), last year's figures, links back to the
returned files. Exact figures throughout."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from tests.test_consolidate import form, records, set_saved, sheet, write
from xltools import spec
from xltools.cli import main
from xltools.consolidate import consolidate, crossfile
from xltools.units import UnitsFileError, read_units

F = spec.build().fields
DAY = 86_400


def touch(path: Path, days: int) -> Path:
    """Set the modification time (days after an arbitrary epoch): which copy is newer must not depend on luck."""
    os.utime(path, (1_700_000_000 + days * DAY, 1_700_000_000 + days * DAY))
    return path


@pytest.fixture
def resubmitted(tmp_path: Path) -> Path:
    """甲局 sends 项目一 twice (the correction is newer and smaller), and 项目二 once; 乙局 sends 项目三."""
    folder = tmp_path / "回收"
    touch(write(folder, "z-甲局-项目一-初稿.xlsx", form("甲局", "项目一", [600.0, 400.0]), saved=SAVED[1]), 1)
    touch(write(folder / "更正", "a-甲局-项目一-更正.xlsx", form("甲局", " 项目一", [700.0]), saved=SAVED[5]), 5)
    touch(write(folder, "甲局-项目二.xlsx", form("甲局", "项目二", [50.0]), saved=SAVED[2]), 2)
    touch(write(folder, "乙局-项目三.xlsx", form("乙局", "项目三", [8.0, 2.0]), saved=SAVED[3]), 3)
    return folder


# When the unit saved each workbook (dcterms:modified), by day.
SAVED = {day: f"2019-03-{day:02d}T09:00:00Z" for day in range(1, 29)}


def _saved(day: int) -> float:
    return dt.datetime(2019, 3, day, 9, tzinfo=dt.UTC).timestamp()


def test_a_resubmitted_project_counts_once(resubmitted: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "汇总.xlsx"
    result = consolidate([resubmitted], out, jobs=1, parquet=tmp_path / "pq")
    old, new = str(resubmitted / "z-甲局-项目一-初稿.xlsx"), str(resubmitted / "更正" / "a-甲局-项目一-更正.xlsx")
    # Every file is still in 项目汇总; only the newer copy counts.
    counted = {r["来源文件"]: r["计入汇总"] for r in records(out, "项目汇总")}
    assert counted == {old: "否", new: "是", str(resubmitted / "甲局-项目二.xlsx"): "是",
                       str(resubmitted / "乙局-项目三.xlsx"): "是"}
    assert (result.forms, result.not_counted) == (4, 1)
    assert "（其中 1 份为重复报送，不计入合计）" in result.line()
    # 统计 and the tables behind it count 项目一 once, with the corrected figure.
    stats = sheet(out, "统计")
    by_unit = {row[0]: row[1:4] for row in stats[2:5]}
    assert by_unit == {"甲局": [2.0, 750.0, 750.0], "乙局": [1.0, 10.0, 10.0], "合计": [3.0, 760.0, 760.0]}
    assert result.tables is not None
    assert result.tables.by_type.set_index("项目类型").loc["经常性专项业务费", "项目当年预算（元）"] == 760.0
    coverage = dict(zip(result.tables.by_level1["一级指标"], result.tables.by_level1["覆盖表数"], strict=True))
    assert coverage == {"投入和管理目标": 3, "产出目标": 3, "效果目标": 3, "影响力目标": 3}
    # Both copies are told which one counts.
    dup = [f for f in result.findings if f.code == "duplicate-submission"]
    assert [(f.file, f.cell) for f in dup] == [(old, F["project"].cell), (new, F["project"].cell)]
    assert f"本文件（保存时间 {crossfile.when(_saved(1))}）不计入统计和合计；计入汇总的是：{new}（保存时间最新：" in dup[0].message
    assert "计入汇总的是本文件" in dup[1].message and old in dup[1].message
    # Parquet carries the same flag.
    summary = pd.read_parquet(tmp_path / "pq" / "summary.parquet")
    assert dict(zip(summary["来源文件"], summary["计入汇总"], strict=True)) == counted
    assert summary.loc[summary["计入汇总"] == "是", "项目当年预算（元）"].sum() == 760.0


def test_the_copy_saved_last_counts_whatever_the_file_times(resubmitted: Path, tmp_path: Path) -> None:
    """Unzipped or copied in one go, both copies have the same file time: the time saved inside decides."""
    old, new = resubmitted / "z-甲局-项目一-初稿.xlsx", resubmitted / "更正" / "a-甲局-项目一-更正.xlsx"
    touch(old, 7)
    touch(new, 7)
    out = tmp_path / "汇总.xlsx"
    result = consolidate([resubmitted], out, jobs=1)
    counted = {r["来源文件"]: r["计入汇总"] for r in records(out, "项目汇总")}
    assert (counted[str(old)], counted[str(new)]) == ("否", "是")
    saved = crossfile.when(_saved(5))
    kept = next(f for f in result.findings if f.file == str(new) and f.code == "duplicate-submission")
    assert f"计入汇总的是本文件（保存时间最新：{saved}）" in kept.message
    assert "resubmission-undecided" not in [f.code for f in result.findings]
    # 项目汇总 shows the saved time (local time) that decided.
    assert {r["来源文件"]: r["保存时间"] for r in records(out, "项目汇总")}[str(new)] == dt.datetime.fromtimestamp(
        _saved(5))


def test_copies_saved_at_the_same_time_are_told_apart_by_the_file_time(resubmitted: Path, tmp_path: Path) -> None:
    old, new = resubmitted / "z-甲局-项目一-初稿.xlsx", resubmitted / "更正" / "a-甲局-项目一-更正.xlsx"
    set_saved(new, SAVED[1])
    touch(old, 9)  # the first draft's file is newer now
    result = consolidate([resubmitted], tmp_path / "汇总.xlsx", jobs=1)
    counted = {f.file: f.message for f in result.findings if f.code == "duplicate-submission"}
    assert "计入汇总的是本文件（保存时间同为" in counted[str(old)] and "按文件修改时间，最新：" in counted[str(old)]
    assert f"本文件（保存时间 {crossfile.when(_saved(1))}）不计入" in counted[str(new)]


def test_copies_that_no_time_tells_apart_are_reported_undecided(resubmitted: Path, tmp_path: Path) -> None:
    old, new = resubmitted / "z-甲局-项目一-初稿.xlsx", resubmitted / "更正" / "a-甲局-项目一-更正.xlsx"
    set_saved(new, SAVED[1])
    touch(old, 7)
    touch(new, 7)
    result = consolidate([resubmitted], tmp_path / "汇总.xlsx", jobs=1)
    undecided = [(f.file, f.cell, f.message) for f in result.findings if f.code == "resubmission-undecided"]
    # One is kept (the path in natural order: "回收/更正/…" after "回收/z-…"), and the warning names both.
    assert undecided == [(str(new), F["project"].cell,
                          f"“甲局”的项目“项目一”有 2 份的保存时间和文件修改时间都相同：{old}、{new}。无法判断哪一份是更正后的，"
                          "暂计入本文件。请删去不要的一份后重新汇总。")]
    assert "resubmission-undecided" in {f.code for f in result.findings if f.severity == "warning"}
    assert "无法判断计入哪一份 1 条" in result.line()


# -- 控制数 ---------------------------------------------------------------------------------------------------------

def units_csv(tmp_path: Path, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / "units.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_units_csv_takes_the_forms_label_and_ceilings(tmp_path: Path) -> None:
    path = units_csv(tmp_path, "申报单位名称,控制数,备注\n甲局,\"1,000\",x\n乙局,,\n丙局,２５００.5,\n", "gb18030")
    assert [(u.name, u.ceiling) for u in read_units(path)] == [("甲局", 1000.0), ("乙局", None), ("丙局", 2500.5)]


@pytest.mark.parametrize(("text", "message"), [
    ("单位名称,控制数\n甲局,100\n乙局,约100万\n",
     "units.csv 第 3 行（单位“乙局”）的“控制数”不是有效金额：“约100万”。请填写以元为单位的非负数字，例如 12000000，或留空"),
    ("单位名称,控制数\n甲局,-5\n", "units.csv 第 2 行（单位“甲局”）的“控制数”不是有效金额：“-5”。"
                               "请填写以元为单位的非负数字，例如 12000000，或留空"),
    ("单位名称,申报单位名称\n甲局,甲局\n", "units.csv 同时有“单位名称”和“申报单位名称”两列，请只保留一列作为单位名称"),
])
def test_a_bad_units_csv_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UnitsFileError) as err:
        read_units(units_csv(tmp_path, text))
    assert str(err.value) == message


def test_a_bad_ceiling_stops_the_command_before_reading(resubmitted: Path, tmp_path: Path) -> None:
    units = units_csv(tmp_path, "单位名称,控制数\n甲局,100\n乙局,十万\n")
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(resubmitted), "-o", str(out), "--units", str(units)])
    assert result.exit_code == 2
    assert "units.csv 第 3 行（单位“乙局”）的“控制数”不是有效金额：“十万”" in result.output
    assert not out.exists()


def test_a_unit_over_its_ceiling_gets_one_warning(resubmitted: Path, tmp_path: Path) -> None:
    # 甲局 counts 700 + 50 = 750 (the older 1,000 copy does not count): over 740; 乙局's 10 is within 10.
    units = units_csv(tmp_path, "单位编码,单位名称,控制数\n001,甲局,740\n002,乙局,10\n003,丙局,\n")
    out = tmp_path / "汇总.xlsx"
    result = consolidate([resubmitted], out, units=units, jobs=1)
    found = [(f.file, f.sheet, f.cell, f.code) for f in result.findings if f.code == "unit-over-ceiling"]
    new = str(resubmitted / "更正" / "a-甲局-项目一-更正.xlsx")
    assert found == [(new, spec.FORM_SHEET, F["annual_budget"].cell, "unit-over-ceiling")]
    message = next(f.message for f in result.findings if f.code == "unit-over-ceiling")
    assert message == (f"单位“001 甲局”计入汇总的 2 份申报表项目当年预算合计 750.00 元，超过控制数 740.00 元（超出 10.00 元）："
                       f"{new}（700.00 元）、{resubmitted / '甲局-项目二.xlsx'}（50.00 元）。")
    assert [f.code for f in result.findings if f.code not in ("duplicate-submission", "unit-over-ceiling")] == [
        "unit-not-returned"]
    # 统计 shows each unit's ceiling beside its sum.
    assert result.tables is not None
    by_unit = result.tables.by_unit.set_index("申报单位名称")
    assert by_unit.loc["甲局", ["项目当年预算（元）", "控制数"]].tolist() == [750.0, 740.0]
    assert by_unit.loc["乙局", ["项目当年预算（元）", "控制数"]].tolist() == [10.0, 10.0]
    # The warning counts for the form it sits on.
    assert {r["来源文件"]: r["警告数"] for r in records(out, "项目汇总")}[new] == 2


# -- last year --------------------------------------------------------------------------------------------------------

@pytest.fixture
def last_year(tmp_path: Path) -> Path:
    """Last year's consolidation: 甲局's 项目一 got 900 (a first draft of 1,200 was replaced), 项目二 40,
    乙局's 项目三 10, and 丙局's 项目四 5."""
    folder = tmp_path / "上年回收"
    last = {"start": _d(2018, 1, 1), "end": _d(2018, 12, 31)}
    write(folder, "a.xlsx", form("甲局", "项目一", [1200.0], **last), 2018, SAVED[1])
    write(folder, "b.xlsx", form("甲局", "项目一", [900.0], **last), 2018, SAVED[2])
    write(folder, "c.xlsx", form("甲局", "项目二", [40.0], **last), 2018)
    write(folder, "d.xlsx", form("乙局", "项目三", [10.0], **last), 2018)
    write(folder, "e.xlsx", form("丙局", "项目四", [5.0], **last), 2018)
    out = tmp_path / "上年" / "汇总.xlsx"
    consolidate([folder], out, jobs=1, parquet=tmp_path / "上年" / "parquet")
    return out


def _d(y: int, m: int, d: int) -> object:
    import datetime as dt

    return dt.date(y, m, d)


def this_year(tmp_path: Path) -> Path:
    folder = tmp_path / "回收"
    write(folder, "一.xlsx", form("甲局", "项目一", [700.0], prior_budget=1200.0, prior_executed=1100.0))  # differs
    write(folder, "二.xlsx", form("甲局", "项目二", [50.0], prior_budget=40.0, prior_executed=40.0))  # agrees
    write(folder, "三.xlsx", form("乙局", "项目三", [9.0], prior_budget=None, prior_executed=None))  # blank
    write(folder, "五.xlsx", form("丙局", "项目五", [9.0], prior_budget=None, prior_executed=None))  # new project
    return folder


@pytest.mark.parametrize("source", ["workbook", "parquet"])
def test_last_years_figures_are_checked(last_year: Path, tmp_path: Path, source: str) -> None:
    folder = this_year(tmp_path)
    previous = last_year if source == "workbook" else last_year.parent / "parquet"
    result = consolidate([folder], tmp_path / "汇总.xlsx", previous=previous, jobs=1)
    found = [(Path(f.file).name, f.sheet, f.cell, f.code) for f in result.findings]
    assert found == [("一.xlsx", spec.FORM_SHEET, F["prior_budget"].cell, "prior-budget-mismatch"),
                     ("三.xlsx", spec.FORM_SHEET, F["prior_budget"].cell, "prior-budget-mismatch")]
    # Last year's workbook shows each source file's name (its link has the path); its parquet has the path.
    b = last_year.parent.parent / "上年回收" / "b.xlsx" if source == "parquet" else "b.xlsx"
    d = last_year.parent.parent / "上年回收" / "d.xlsx" if source == "parquet" else "d.xlsx"
    assert result.findings[0].message == (
        f"“同名项目上年预算额（元）”为 1,200.00 元，与上年汇总（来源文件 {b}）中此项目的项目当年预算 900.00 元不一致"
        "（相差 300.00 元）。")
    assert result.findings[1].message == (
        f"上年汇总（来源文件 {d}）中有此项目，项目当年预算为 10.00 元，但本表“同名项目上年预算额（元）”未填写。")


@pytest.mark.parametrize("make", ["text", "form", "empty-folder"])
def test_a_previous_that_is_not_a_consolidation_stops_before_reading(tmp_path: Path, make: str) -> None:
    folder = this_year(tmp_path)
    if make == "text":
        previous = tmp_path / "上年.xlsx"
        previous.write_text("不是工作簿", encoding="utf-8")
        why = "无法作为 Excel 工作簿读取"
    elif make == "form":
        previous = folder / "一.xlsx"  # a returned form, not a consolidation
        why = "没有“项目汇总”工作表（现有：申报表、自查说明、校验结果、_lists、_xltools、_checks）"
    else:
        previous = tmp_path / "空"
        previous.mkdir()
        why = "文件夹中没有 summary.parquet"
    out = tmp_path / "汇总.xlsx"
    result = CliRunner().invoke(main, ["consolidate", str(folder), "-o", str(out), "--previous", str(previous)])
    assert result.exit_code == 2, result.output
    assert f"--previous “{previous}” 不是 xltools 汇总结果：{why}" in " ".join(result.output.split())
    assert not out.exists()


# -- links ------------------------------------------------------------------------------------------------------------

def test_rows_link_to_their_files_relative_to_the_output(resubmitted: Path, tmp_path: Path) -> None:
    out = tmp_path / "审核" / "汇总.xlsx"
    result = consolidate([resubmitted], out, jobs=1)
    wb = openpyxl.load_workbook(out)
    summary = wb["项目汇总"]
    source_col = [c.value for c in summary[1]].index("来源文件") + 1
    links = {summary.cell(r, source_col).value: summary.cell(r, source_col).hyperlink
             for r in range(2, summary.max_row + 1)}
    # The cell shows the file's name (it prints on one line); the link keeps the path.
    assert {v: (h.target, h.location) for v, h in links.items()} == {
        "z-甲局-项目一-初稿.xlsx": ("../回收/z-甲局-项目一-初稿.xlsx", None),
        "a-甲局-项目一-更正.xlsx": ("../回收/更正/a-甲局-项目一-更正.xlsx", None),
        "甲局-项目二.xlsx": ("../回收/甲局-项目二.xlsx", None),
        "乙局-项目三.xlsx": ("../回收/乙局-项目三.xlsx", None),
    }
    problems = wb["问题清单"]
    assert [(problems.cell(r, 1).hyperlink.target, problems.cell(r, 1).hyperlink.location)
            for r in range(2, problems.max_row + 1)] == [
        (f"../回收/{Path(f.file).relative_to(resubmitted).as_posix()}", f"'申报表'!{f.cell}") for f in result.findings]
    # The folder moves with the output: every link still finds its file.
    moved = tmp_path / "搬走"
    shutil.copytree(tmp_path, moved, ignore=shutil.ignore_patterns("搬走"))
    for target in [h.target for h in links.values()]:
        assert (moved / "审核" / target).resolve().is_file()


def test_unsafe_characters_in_a_file_name_are_escaped_in_its_link(tmp_path: Path) -> None:
    from xltools.consolidate.links import link_target

    assert link_target(str(tmp_path / "in" / "a #1 100%.xlsx"), str(tmp_path / "out")) == "../in/a%20%231%20100%25.xlsx"
    assert link_target(str(tmp_path / "甲局.xlsx"), str(tmp_path)) == "甲局.xlsx"


def test_the_demo_round_shows_a_ceiling_and_last_years_figures(tmp_path: Path) -> None:
    """What `make demo` shows: last year's table from examples/previous, then this year's five approved forms
    against units.csv (控制数) and last year's table."""
    root = Path(__file__).resolve().parent.parent / "examples"
    last = tmp_path / "上年" / "汇总.xlsx"
    assert consolidate([root / "previous"], last, jobs=1).ok
    result = consolidate([root / "returns"], tmp_path / "汇总.xlsx", units=root / "units.csv", previous=last, jobs=1)
    redshield = str(root / "returns" / "02_上海市市场监督管理局_红盾维权联络专项经费.xlsx")
    batch = [(f.file, f.cell, f.code) for f in result.findings if f.code in ("unit-over-ceiling", "prior-budget-mismatch")]
    assert batch == [(redshield, F["annual_budget"].cell, "unit-over-ceiling"),
                     (redshield, F["prior_budget"].cell, "prior-budget-mismatch")]
    over, prior = (f.message for f in result.findings if f.code in ("unit-over-ceiling", "prior-budget-mismatch"))
    assert "项目当年预算合计 19,194,000.00 元，超过控制数 18,000,000.00 元（超出 1,194,000.00 元）" in over
    assert "为 14,185,000.00 元，与上年汇总" in prior and "项目当年预算 14,000,000.00 元不一致（相差 185,000.00 元）" in prior
    assert result.ok
