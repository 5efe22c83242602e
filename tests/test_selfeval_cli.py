"""`xltools selfeval`: from approved declarations (files, folders, or a consolidated workbook's counted forms) to one
prefilled, locked self-evaluation per project, with exit codes and messages; then `xltools check` on them."""

from __future__ import annotations

import dataclasses
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from tests.selfeval_cases import FORM
from tests.test_selfeval_rules_data import SHIPPED
from xltools import spec
from xltools.approved import read_approved
from xltools.cli import main
from xltools.engine import check_file
from xltools.evaluation import project_from
from xltools.reader.identify import read_meta
from xltools.template import semantic_dump, unlocked_cells

ROOT = Path(__file__).resolve().parent.parent
RETURNS = ROOT / "examples" / "returns"
UNITS = ROOT / "examples" / "units.csv"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_one_form_per_approved_project_with_its_twin(tmp_path: Path) -> None:
    code, out, err = run("selfeval", "--from", str(RETURNS), "--out", str(tmp_path / "自评"), "--units", str(UNITS))
    assert code == 0, err
    made = sorted(p.name for p in (tmp_path / "自评").iterdir())
    assert made == sorted([
        "001_上海市知识产权局_知识产权(专利扶持)专项资金_绩效自评表.xlsx",
        "002_上海市市场监督管理局_红盾维权联络专项经费_绩效自评表.xlsx",
        "002_上海市市场监督管理局_上海市政府质量奖_绩效自评表.xlsx",
        "003_上海市消费者投诉举报中心（上海市保护知识产权举报投诉服务中心）_消费者维权管理专项_绩效自评表.xlsx",
        "004_上海市质量和标准化研究院_标准资料费_绩效自评表.xlsx",
    ] + [n.replace(".xlsx", ".xlsm") for n in made if n.endswith(".xlsx")])
    assert out.count("\n") == 10
    twin = next((tmp_path / "自评").glob("001_*.xlsm"))
    with zipfile.ZipFile(twin) as zf:  # the VBA project, and the buttons on the form sheet (its first sheet)
        assert "xl/vbaProject.bin" in zf.namelist()
        assert b"<legacyDrawing" in zf.read("xl/worksheets/sheet1.xml")
    assert check_file(twin).findings == [
        dataclasses.replace(f, file=str(twin)) for f in check_file(twin.with_suffix(".xlsx")).findings]
    assert err.strip().endswith("已生成 5 份绩效自评表（评分规则 national2020），每份含 .xlsx 与带按钮的 .xlsm；0 个文件未生成。")


def test_the_form_holds_exactly_what_was_approved_and_locks_it(tmp_path: Path) -> None:
    run("selfeval", "--from", str(RETURNS / "05_上海市市场监督管理局_上海市政府质量奖.xlsx"), "--out", str(tmp_path))
    (path,) = tmp_path.glob("*.xlsx")
    decl = check_file(RETURNS / "05_上海市市场监督管理局_上海市政府质量奖.xlsx").declaration
    assert decl is not None
    ws = openpyxl.load_workbook(path)[FORM.sheet]
    table = FORM.tables["indicators"]
    for i, ind in enumerate(decl.indicators):
        assert [ws[table.cell(k, i)].value for k in ("level1", "level2", "level3", "target")] == [
            ind.level1.value, ind.level2.value, ind.level3.value, ind.target.value]
    assert ws[table.cell("level1", len(decl.indicators))].value is None
    assert ws[FORM.fields["initial"].cell].value == 7_200_000
    assert ws[FORM.fields["goal"].cell].value == decl.fields["annual_goal"].value
    assert ws[FORM.fields["project"].cell].value == "上海市政府质量奖"
    assert ws[FORM.fields["unit"].cell].value == "上海市市场监督管理局"
    unlocked = unlocked_cells(ws)
    for key in ("project", "unit", "initial", "goal"):
        assert FORM.fields[key].cell not in unlocked
    assert table.cell("target", 0) not in unlocked and table.cell("actual", 0) in unlocked
    assert table.cell("actual", len(decl.indicators)) not in unlocked  # spare rows: nothing to evaluate
    assert ws.row_dimensions[table.first_row + len(decl.indicators)].hidden
    # 13 rows of sh2019: 8 产出 (6.25), 4 效益 (7.5), 1 满意度 (10)
    assert [ws[table.cell("weight", i)].value for i in range(13)] == [6.25] * 8 + [7.5] * 4 + [10.0]
    meta = read_meta(openpyxl.load_workbook(path)[spec.META_SHEET].iter_rows(values_only=True))
    assert meta["approved_rows"] == "13" and meta["approved.4.target"] == decl.indicators[3].target.value


def test_a_consolidated_workbook_gives_the_same_forms(tmp_path: Path) -> None:
    returns = tmp_path / "回收"
    shutil.copytree(RETURNS, returns)
    code, _out, err = run("consolidate", str(returns), "-o", str(tmp_path / "批复" / "汇总.xlsx"))
    assert code == 0, err
    assert run("selfeval", "--from", str(tmp_path / "批复" / "汇总.xlsx"), "--out", str(tmp_path / "a"))[0] == 0
    assert run("selfeval", "--from", str(returns), "--out", str(tmp_path / "b"))[0] == 0
    names = sorted(p.name for p in (tmp_path / "a").glob("*.xlsx"))
    assert names == sorted(p.name for p in (tmp_path / "b").glob("*.xlsx")) and len(names) == 5
    for name in names:
        assert semantic_dump(tmp_path / "a" / name) == semantic_dump(tmp_path / "b" / name)


def test_without_its_source_files_the_workbook_rows_make_the_form(tmp_path: Path) -> None:
    returns = tmp_path / "回收"
    shutil.copytree(RETURNS, returns)
    run("consolidate", str(returns), "-o", str(tmp_path / "汇总.xlsx"))
    shutil.rmtree(returns)
    found = read_approved([tmp_path / "汇总.xlsx"])
    assert len(found.projects) == 5 and found.skipped == []
    assert all("已不在，按汇总表中的数据生成，预期目标（年度绩效目标）留空" in why for _f, why in found.notes)
    by_name = {p.project: p for p in found.projects}
    decl = check_file(RETURNS / "05_上海市市场监督管理局_上海市政府质量奖.xlsx").declaration
    assert decl is not None
    expected = project_from(decl)
    got = by_name["上海市政府质量奖"]
    assert (got.unit, got.year, got.framework, got.approved.budget, got.approved.rows) == (
        expected.unit, 2019, "sh2019", 7_200_000, expected.approved.rows)
    assert got.approved.goal == ""


def test_declarations_with_errors_are_not_evaluated(tmp_path: Path) -> None:
    faulty = ROOT / "examples" / "faulty"
    code, _out, err = run("selfeval", "--from", str(faulty / "bad-amount-text.xlsx"), str(faulty / "empty.xlsx"),
                         str(RETURNS / "01_上海市知识产权局_知识产权(专利扶持)专项资金.xlsx"), "--out", str(tmp_path))
    assert code == 1
    assert len(list(tmp_path.glob("*.xlsx"))) == 1
    assert f"未生成：{faulty / 'bad-amount-text.xlsx'}（申报表有 2 个错误（如 B17 amount-invalid），按批复修改后再生成自评表）" in err
    assert f"未生成：{faulty / 'empty.xlsx'}（不是可读取的申报表：" in err


def test_a_project_sent_twice_is_evaluated_once(tmp_path: Path) -> None:
    src = RETURNS / "02_上海市市场监督管理局_红盾维权联络专项经费.xlsx"
    (tmp_path / "in").mkdir()
    shutil.copy(src, tmp_path / "in" / "a.xlsx")
    shutil.copy(src, tmp_path / "in" / "b.xlsx")
    code, _out, err = run("selfeval", "--from", str(tmp_path / "in"), "--out", str(tmp_path / "out"))
    assert code == 0
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 1
    assert "同一单位同一项目另有较新的申报表" in err


def test_a_bureau_rules_file_changes_weights_and_travels_in_the_form(tmp_path: Path) -> None:
    rules = tmp_path / "本局.toml"
    rules.write_text(SHIPPED.replace('id = "national2020"', 'id = "bureau-x"').replace("weight = 10\n", "weight = 20\n", 1)
                     .replace("weight = 50", "weight = 40"), encoding="utf-8")
    code, _out, err = run("selfeval", "--from", str(RETURNS / "05_上海市市场监督管理局_上海市政府质量奖.xlsx"),
                          "--out", str(tmp_path / "out"), "--rules", str(rules))
    assert code == 0, err
    (path,) = (tmp_path / "out").glob("*.xlsx")
    ws = openpyxl.load_workbook(path)[FORM.sheet]
    weights = [ws[FORM.tables["indicators"].cell("weight", i)].value for i in range(13)]
    assert weights == [5.0] * 8 + [7.5] * 4 + [10.0]  # 产出 40 over 8; 效益 30 over 4; 满意度 10
    assert ws[FORM.checks["execution_weight"].cell].value == 20
    evaluation = check_file(path).selfeval
    assert evaluation is not None and evaluation.scoring.execution_weight == 20


@pytest.mark.parametrize(("args", "message"), [
    (["--rules", "README.md"], "自评规则文件“README.md”第 3 行：第 1 列不是有效的 TOML"),
    (["--units", "README.md"], "README.md 缺少“单位名称”列"),
])
def test_a_bad_rules_file_or_units_list_stops_before_reading(args: list[str], message: str, tmp_path: Path) -> None:
    code, _out, err = run("selfeval", "--from", str(RETURNS), "--out", str(tmp_path / "out"), *args)
    assert code == 2
    assert message in err
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_the_generated_forms_check_as_blank_forms(tmp_path: Path) -> None:
    run("selfeval", "--from", str(RETURNS), "--out", str(tmp_path))
    for path in tmp_path.glob("*.xlsx"):
        found = check_file(path).findings
        assert {f.code for f in found} == {"required-missing", "actual-missing"}, path.name
    code, out, _err = run("check", str(tmp_path))
    assert code == 1 and "共检查 10 个文件" in out  # the .xlsx and the .xlsm of each
