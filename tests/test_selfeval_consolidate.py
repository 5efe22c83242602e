"""`xltools consolidate` on year-end self-evaluations: their own workbook (自评汇总, 指标完成, 问题清单, 统计), never
merged into the declarations' tables; a mixed folder gives both workbooks; every input accounted for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from python_calamine import CalamineWorkbook

from tests.selfeval_cases import FORM
from tests.test_selfeval_examples import CASES, committed
from xltools.consolidate import consolidate
from xltools.engine import check_file
from xltools.rules.selfeval import scores

ROOT = Path(__file__).resolve().parent.parent


def sheet(path: Path, name: str) -> list[list[object]]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def records(path: Path, name: str) -> list[dict[str, object]]:
    rows = sheet(path, name)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:] if any(v not in ("", None) for v in r)]


@pytest.fixture
def evaluations(tmp_path: Path) -> Path:
    folder = tmp_path / "自评回收"
    folder.mkdir()
    for case in CASES:
        shutil.copy(committed(case), folder)
    return folder


def test_self_evaluations_alone_make_their_workbook(evaluations: Path, tmp_path: Path) -> None:
    summary = consolidate([evaluations], tmp_path / "自评汇总.xlsx", jobs=1)
    out = tmp_path / "自评汇总.xlsx"
    assert CalamineWorkbook.from_path(str(out)).sheet_names == ["自评汇总", "指标完成", "问题清单", "统计"]
    assert (summary.files, summary.forms, summary.evaluations, summary.evaluation_output) == (4, 0, 4, out)
    assert summary.errors == 10 and not summary.ok
    assert summary.line().startswith("共读取 4 个文件：4 份绩效自评表已汇总，1 个文件有错误，")
    rows = {r["项目名称"]: r for r in records(out, "自评汇总")}
    assert set(rows) == {"职业技能提升培训", "知识产权(专利扶持)专项资金", "红盾维权联络专项经费", "上海市政府质量奖"}
    worked = rows["职业技能提升培训"]
    # tests/selfeval_cases.py works these out by hand
    assert (worked["执行率得分"], worked["指标得分"], worked["总分"], worked["等级"]) == (9.03, 77.11, 86.14, "良")
    assert (worked["年初预算数（元）"], worked["全年执行数（元）"], worked["执行率"]) == (1_000_000, 903_400, 0.9034)
    assert (worked["指标数"], worked["未达成指标数"], worked["错误数"], worked["计入汇总"]) == (6, 3, 0, "是")
    for case in CASES:  # every row is the engine's score of its file
        s = scores(check_file(committed(case)).selfeval)  # type: ignore[arg-type]
        row = next(r for r in rows.values() if r["来源文件"] == committed(case).name)
        assert (row["总分"], row["等级"]) == (s.total, s.grade)
    assert rows["上海市政府质量奖"]["错误数"] == 10


def test_each_indicator_with_target_actual_and_whether_it_was_reached(evaluations: Path, tmp_path: Path) -> None:
    consolidate([evaluations], tmp_path / "out.xlsx", jobs=1)
    mine = [r for r in records(tmp_path / "out.xlsx", "指标完成") if r["项目名称"] == "职业技能提升培训"]
    assert [(r["三级指标"], r["年度指标值"], r["实际完成值"], r["是否达成"], r["分值"], r["得分"]) for r in mine] == [
        ("培训场次", "≥20场", "18场", "否", 16.67, 15.0),
        ("培训合格率", "≥95%", "98%", "是", 16.67, 16.67),
        ("培训完成时间", "2019年12月31日前", "达成预期指标", "是", 16.66, 15.0),
        ("受训人数", "≥1000人", "1500人", "是", 15.0, 12.0),
        ("培训长效机制", "健全", "部分达成预期指标", "否", 15.0, 9.0),
        ("学员满意度", "≥90%", "85%", "否", 10.0, 9.44),
    ]
    assert mine[0]["单元格"] == FORM.tables["indicators"].cell("actual", 0)
    assert str(mine[0]["偏差原因分析及改进措施"]).startswith("2 场培训因场地检修顺延")


def test_statistics_by_unit(evaluations: Path, tmp_path: Path) -> None:
    consolidate([evaluations], tmp_path / "out.xlsx", jobs=1)
    rows = sheet(tmp_path / "out.xlsx", "统计")
    header = rows[1]
    assert header == ["实施单位", "项目数", "平均总分", "优（份）", "良（份）", "中（份）", "差（份）", "未达成指标数"]
    body = {r[0]: r[1:] for r in rows[2:] if r and r[0]}
    # 上海市市场监督管理局: 96.27 (shortfalls) and 90.75 (errors) -> 93.51, both 优; 4 + 2 unmet
    assert body["上海市市场监督管理局"] == [2, 93.51, 2, 0, 0, 0, 6]
    assert body["上海市示例职业培训中心"] == [1, 86.14, 0, 1, 0, 0, 3]


def test_a_mixed_folder_gives_two_workbooks_never_one_table(evaluations: Path, tmp_path: Path) -> None:
    for path in (ROOT / "examples" / "returns").glob("*.xlsx"):
        shutil.copy(path, evaluations)
    summary = consolidate([evaluations], tmp_path / "汇总.xlsx", jobs=1)
    assert summary.evaluation_output == tmp_path / "汇总_绩效自评.xlsx"
    assert (summary.files, summary.forms, summary.evaluations) == (9, 5, 4)
    declarations = records(tmp_path / "汇总.xlsx", "项目汇总")
    assert len(declarations) == 5
    assert not any("绩效自评表" in str(f["文件"]) for f in records(tmp_path / "汇总.xlsx", "问题清单"))
    assert len(records(tmp_path / "汇总_绩效自评.xlsx", "自评汇总")) == 4
    assert {str(f["文件"]) for f in records(tmp_path / "汇总_绩效自评.xlsx", "问题清单")} == {
        committed(CASES[3]).name}
    assert summary.errors == 10 and "4 份绩效自评表另行汇总，已写出：" in summary.line()


def test_a_self_evaluation_sent_twice_counts_once(evaluations: Path, tmp_path: Path) -> None:
    again = evaluations / "更正"
    again.mkdir()
    shutil.copy(committed(CASES[0]), again)
    summary = consolidate([evaluations], tmp_path / "out.xlsx", jobs=1)
    rows = records(tmp_path / "out.xlsx", "自评汇总")
    assert len(rows) == 5 and sum(r["计入汇总"] == "否" for r in rows) == 1
    dup = [f for f in summary.findings if f.code == "duplicate-submission"]
    assert len(dup) == 2 and {f.cell for f in dup} == {FORM.fields["project"].cell}
    stats = {r[0]: r[1] for r in sheet(tmp_path / "out.xlsx", "统计")[2:] if r and r[0]}
    assert stats["上海市示例职业培训中心"] == 1


def test_files_that_are_neither_are_accounted_for(evaluations: Path, tmp_path: Path) -> None:
    shutil.copy(ROOT / "examples" / "faulty" / "not-a-workbook.xlsx", evaluations)
    summary = consolidate([evaluations], tmp_path / "out.xlsx", jobs=1)
    assert summary.unreadable == 1
    unreadable = [f for f in records(tmp_path / "out.xlsx", "问题清单") if f["代码"] == "file-unreadable"]
    assert [Path(str(f["文件"])).name for f in unreadable] == ["not-a-workbook.xlsx"]


def test_the_outputs_are_skipped_as_inputs_and_parquet_holds_the_tables(evaluations: Path, tmp_path: Path) -> None:
    summary = consolidate([evaluations], evaluations / "自评汇总.xlsx", jobs=1, parquet=tmp_path / "pq")
    assert sorted(p.name for p in summary.parquet) == [
        "evaluation_by_unit.parquet", "evaluation_findings.parquet", "evaluation_indicators.parquet",
        "evaluation_summary.parquet"]
    again = consolidate([evaluations], tmp_path / "again.xlsx", jobs=1)
    assert [Path(s.display).name for s in again.skipped] == ["自评汇总.xlsx"]
    assert again.evaluations == 4
