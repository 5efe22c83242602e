"""Units lists as offices keep them: CSV from Excel or WPS in any encoding and line end, "Unicode 文本", .xlsx;
控制数 in 元 or 万元; clear Chinese errors naming the line or column, never a traceback."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from xltools.cli import main
from xltools.units import UnitsFileError, closest, read_units

EXPECTED = [("01", "上海市计量测试技术研究院", 1_250_000.0), ("02", "上海市质量监督检验技术研究院", None)]


def units(tmp_path: Path, data: bytes | str, name: str = "units.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def listed(path: Path) -> list[tuple[str, str, float | None]]:
    return [(u.code, u.name, u.ceiling) for u in read_units(path)]


@pytest.mark.parametrize("header", ["控制数（万元）", "控制数(万元)", "控制数 （万元）"])
def test_a_ceiling_in_wan_yuan_is_read_as_wan_yuan(tmp_path: Path, header: str) -> None:
    path = units(tmp_path, f"单位编码,单位名称,{header}\n01,上海市计量测试技术研究院,125\n02,上海市质量监督检验技术研究院,\n")
    assert listed(path) == EXPECTED


@pytest.mark.parametrize(("text", "encoding", "line_end"), [
    ("utf-8-sig", "utf-8-sig", "\r\n"),  # Excel's "CSV UTF-8"
    ("gbk", "gbk", "\r\n"),  # Excel's "CSV" on Chinese Windows
    ("old Mac", "gb18030", "\r"),  # carriage returns only
    ("unix", "utf-8", "\n"),
])
def test_csv_in_any_encoding_and_line_end(tmp_path: Path, text: str, encoding: str, line_end: str) -> None:
    body = line_end.join(["单位编码,单位名称,控制数（元）", "01,上海市计量测试技术研究院,\"1,250,000\"",
                          "02,上海市质量监督检验技术研究院,", ""])
    assert listed(units(tmp_path, body, encoding=encoding)) == EXPECTED


def test_unicode_text_from_excel_is_utf16_with_tabs(tmp_path: Path) -> None:
    body = "单位编码\t单位名称\t控制数\r\n01\t上海市计量测试技术研究院\t1250000\r\n02\t上海市质量监督检验技术研究院\t\r\n"
    path = units(tmp_path, body.encode("utf-16"), "单位清单.txt")
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert listed(path) == EXPECTED


def test_a_units_list_kept_in_excel(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "单位"
    for row in (["单位编码", "单位名称", "控制数（万元）"], ["01", "上海市计量测试技术研究院", 125],
                [None, None, None], ["02", "上海市质量监督检验技术研究院", None]):
        ws.append(row)
    wb.create_sheet("备注")["A1"] = "第二张表不读"
    path = tmp_path / "单位清单.xlsx"
    wb.save(path)
    assert listed(path) == EXPECTED


def test_a_numeric_code_in_excel_stays_a_code(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    for row in (["单位编码", "单位名称", "控制数"], [7, "甲局", 18_000_000]):
        ws.append(row)
    wb.save(tmp_path / "u.xlsx")
    assert listed(tmp_path / "u.xlsx") == [("7", "甲局", 18_000_000.0)]


@pytest.mark.parametrize(("body", "message"), [
    ("单位名称,控制数\n甲局,100\n,200\n",
     "units.csv 第 3 行有内容但没有单位名称（“单位名称”列为空）。请补上单位名称，或删去这一行"),
    ("单位名称,控制数（千元）\n甲局,100\n",
     "units.csv 的列“控制数（千元）”看不出控制数的单位：请把表头改为“控制数（元）”或“控制数（万元）”"),
    ("单位名称,控制数,控制数（万元）\n甲局,100,1\n",
     "units.csv 有 2 个控制数列（控制数、控制数（万元）），请只保留一列"),
    ("单位名称,控制数（万元）\n甲局,约100\n",
     "units.csv 第 2 行（单位“甲局”）的“控制数”不是有效金额：“约100”。请填写以万元为单位的非负数字，例如 1200，或留空"),
    ("单位名称\n甲局\n 甲 局 \n", "units.csv 中单位“甲 局”重复（第 2 行和第 3 行）"),
    ("单位名称\n" + "长" * 200_000 + "\n",
     "units.csv 第 2 行的“单位名称”过长（200000 个字符），不像是单位清单的内容"),
    ("", "units.csv 是空的：第一行应为表头（单位名称、单位编码、控制数）"),
])
def test_a_units_list_that_cannot_be_used_says_where(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(UnitsFileError) as err:
        read_units(units(tmp_path, body))
    assert str(err.value).startswith(message) or str(err.value) == message


def test_a_broken_units_list_is_exit_2_with_one_chinese_line(tmp_path: Path) -> None:
    form = Path(__file__).resolve().parent.parent / "examples" / "returns"
    path = units(tmp_path, "单位名称,控制数\n甲局,100\n,5\n")
    result = CliRunner().invoke(main, ["consolidate", str(form), "--units", str(path), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert result.output == "错误：units.csv 第 3 行有内容但没有单位名称（“单位名称”列为空）。请补上单位名称，或删去这一行\n"
    assert not (tmp_path / "o.xlsx").exists()
    result = CliRunner().invoke(main, ["template", "--units", str(path), "--out", str(tmp_path / "t")])
    assert result.exit_code == 2 and "第 3 行有内容但没有单位名称" in result.output and "Traceback" not in result.output


def test_a_binary_file_is_not_a_units_list(tmp_path: Path) -> None:
    with pytest.raises(UnitsFileError, match="含有空字符"):
        read_units(units(tmp_path, b"\x00\x01\x02\x03" * 10 + "单位名称".encode()))
    with pytest.raises(UnitsFileError, match="无法作为工作簿读取"):
        read_units(units(tmp_path, b"PK\x03\x04 not really a zip", "u.xlsx"))


def test_the_closest_listed_names_of_a_short_name() -> None:
    names = ["上海市知识产权局", "上海市市场监督管理局", "上海市药品监督管理局", "上海市质量和标准化研究院"]
    assert closest("上海市药监局", names) == ["上海市药品监督管理局"]
    assert closest("市场监管局", names) == ["上海市市场监督管理局"]
    assert closest("上海市 知识产权局", names) == ["上海市知识产权局"]
    assert closest("某某公司", names) == []
