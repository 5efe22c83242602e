"""The bureau's round replayed as returns are really saved: dated folders with spaces and Chinese names, several
units sending the same generic file name, a correction saved in the same minute (same file time, later saved time),
a unit typing a short name, a unit that never returns, a zip attachment made on Chinese Windows, a lock file, a
WPS file. Exact outcomes: which copy counts, which findings at which cells, which copies exist, exit codes, and
the inputs untouched."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from tests.test_consolidate import form, linked, records, set_saved, write
from xltools import spec
from xltools.cli import main

F = spec.build().fields
UNITS = "单位编码,单位名称,控制数（万元）\n01,上海市计量测试技术研究院,100\n02,上海市质量监督检验技术研究院,\n" \
        "03,上海市药品监督管理局,\n04,上海市知识产权局,\n05,上海市市场监督管理局,5\n"
FILE_TIME = 1_741_400_000  # 2025-03-08: the moment the mail client saved every attachment
NAME = "绩效目标申报表.xlsx"


class GbkInfo(zipfile.ZipInfo):
    """A member whose name is written in GBK without the UTF-8 flag, as WinRAR, 360压缩 and Windows' own
    "compressed folder" write names on Chinese Windows."""

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:
        return self.filename.encode("gbk"), self.flag_bits & ~0x800


def gbk_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip as Chinese Windows tools write it: member names in GBK, the UTF-8 flag (bit 11) unset."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            info = GbkInfo(name, date_time=(2025, 3, 7, 16, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    with zipfile.ZipFile(path) as zf:
        assert all(not i.flag_bits & 0x800 for i in zf.infolist())  # written the Windows way
    return path


@pytest.fixture
def round_folder(tmp_path: Path) -> Path:
    root = tmp_path / "回收"
    first, again, fix = root / "3月5日 收件", root / "3月8日 收件", root / "3月12日 更正"
    # 计量院's first return has an error (当年预算 over 总预算); its correction is saved later the same day, and the
    # mail client gave both files the same time.
    write(first / "计量院", NAME, form("上海市计量测试技术研究院", "计量检定", [600.0, 500.0], total=1000.0),
          saved="2025-03-05T02:10:00Z")
    write(fix / "计量院", "绩效目标申报表(1).xlsx", form("上海市计量测试技术研究院", "计量检定", [600.0, 400.0]),
          saved="2025-03-05T02:11:30Z")
    write(again / "质检院", NAME, form("上海市质量监督检验技术研究院", "质量抽检", [300.0]), saved="2025-03-07T01:00:00Z")
    # 药监局 types its short name.
    write(again / "药监局", NAME, form("上海市药监局", "药品抽检", [80.0]), saved="2025-03-07T03:00:00Z")
    # 市场监管局 sends its form inside a zip, with a readme; the zip tool wrote GBK names.
    inner = write(tmp_path / "zipped", NAME, form("上海市市场监督管理局", "市场监管", [70000.0]),
                  saved="2025-03-07T08:00:00Z").read_bytes()
    gbk_zip(again / "市场监管局附件.zip", {f"市场监管局/{NAME}": inner, "市场监管局/说明.docx": b"doc"})
    (again / "质检院" / f"~${NAME}").write_bytes(b"lock")  # the officer had it open
    (again / "药监局" / "绩效目标申报表.et").write_bytes(b"\xd0\xcf\x11\xe0 WPS")  # WPS's own format
    (root / "空文件夹").mkdir()
    for path in root.rglob("*"):
        if path.is_file():
            os.utime(path, (FILE_TIME, FILE_TIME))
    return root


def hashes(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def run(*args: object) -> object:
    return CliRunner().invoke(main, [str(a) for a in args])


def test_the_round_counts_the_right_copy_and_accounts_for_every_unit(round_folder: Path, tmp_path: Path) -> None:
    before = hashes(round_folder)
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    out = tmp_path / "汇总.xlsx"
    result = run("consolidate", round_folder, "--units", units, "-o", out, "--jobs", 1,
                 "--annotate", tmp_path / "退回")
    assert result.exit_code == 1, result.output  # the first return's error stays on the record
    first = round_folder / "3月5日 收件" / "计量院" / NAME
    fix = round_folder / "3月12日 更正" / "计量院" / "绩效目标申报表(1).xlsx"
    quality = round_folder / "3月8日 收件" / "质检院" / NAME
    drugs = round_folder / "3月8日 收件" / "药监局" / NAME
    zipped = f"{round_folder / '3月8日 收件' / '市场监管局附件.zip'}/市场监管局/{NAME}"
    # Every file is named: five forms read, the lock file, the .et and the readme skipped with what to do.
    lines = result.output.splitlines()
    assert lines[:3] == [
        f"跳过：{round_folder / '3月8日 收件' / '市场监管局附件.zip'}/市场监管局/说明.docx（不是 Excel 工作簿（文档、PDF 或图片等）："
        "申报表请以 .xlsx 报回）",
        f"跳过：{round_folder / '3月8日 收件' / '药监局' / '绩效目标申报表.et'}（WPS 表格格式，不能直接读取：请在 WPS 中"
        "“另存为”Excel 工作簿（.xlsx）后放回）",
        f"跳过：{round_folder / '3月8日 收件' / '质检院' / ('~$' + NAME)}（Excel/WPS 打开文件时生成的锁文件，不是申报表，无需处理）"]
    assert lines[-1] == (
        f"共读取 5 个文件：5 份申报表已汇总（其中 1 份为重复报送，不计入合计），1 个文件有错误，0 个无法读取或不是本模板；"
        f"单位清单 5 个单位中 2 个未报送；另跳过 3 个不是申报表的文件（见“报送情况”）；错误 1 条，警告 6 条，超过控制数 1 条，"
        f"单位不在清单中 1 条。已写出：{out}")
    # The correction counts: same file time, saved 90 seconds later.
    counted = {r["来源文件"]: r["计入汇总"] for r in records(out, "项目汇总")}
    assert counted == {str(first): "否", str(fix): "是", str(quality): "是", str(drugs): "是",
                       str(round_folder / "3月8日 收件" / "市场监管局附件.zip"): "是"}
    # 问题清单, read back from the workbook: each file as its link opens it (a form in a zip: the zip).
    attachment = str(round_folder / "3月8日 收件" / "市场监管局附件.zip")
    found = [(f.file, f.cell, f.code) for f in CliFindings(out)]
    assert found == [
        (str(fix), F["project"].cell, "duplicate-submission"),
        (str(first), F["annual_budget"].cell, "annual-exceeds-total"),
        (str(first), F["project"].cell, "duplicate-submission"),
        (attachment, F["annual_budget"].cell, "unit-over-ceiling"),
        (str(drugs), F["unit"].cell, "unit-not-listed"),
        (str(units), "", "unit-not-returned"),
        (str(units), "", "unit-not-returned"),
    ]
    shown = [row[0] for row in CalamineWorkbook.from_path(str(out)).get_sheet_by_name("问题清单").to_python()[1:]]
    assert shown[3] == f"市场监管局附件.zip/市场监管局/{NAME}" and shown[0] == "绩效目标申报表(1).xlsx"
    messages = {(f.file, f.code): f.message for f in CliFindings(out)}
    # 控制数（万元）: 5 万元 is 50,000 yuan; the message names the form inside the zip by its whole name.
    assert messages[(attachment, "unit-over-ceiling")] == (
        f"单位“05 上海市市场监督管理局”计入汇总的 1 份申报表项目当年预算合计 70,000.00 元，超过控制数 50,000.00 元"
        f"（超出 20,000.00 元）：{zipped}（70,000.00 元）。")
    assert "（保存时间最新：" in messages[(str(fix), "duplicate-submission")]
    assert messages[(str(drugs), "unit-not-listed")] == (
        f"申报单位名称“上海市药监局”不在单位清单（{units}）中。最接近的是：“上海市药品监督管理局”。如是简称或笔误，"
        "请单位改为清单上的名称后重新报送；如确是清单外的单位，请把它补入单位清单。")
    assert [f.message for f in CliFindings(out) if f.code == "unit-not-returned"] == [
        f"单位“03 上海市药品监督管理局”未报送申报表；申报单位名称填为“上海市药监局”的申报表 {drugs} 可能就是该单位的"
        "（见 unit-not-listed）。", "单位“04 上海市知识产权局”未报送申报表。"]
    # 报送情况: every listed unit, the unlisted one, with its state; over-ceiling in yuan from 万元.
    grid = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("报送情况").to_python()
    status = [row[:9] for row in grid[2:8]]
    assert status == [
        ["01", "上海市计量测试技术研究院", 1_000_000.0, 1.0, 1000.0, "", 0.0, 1.0, "有警告"],
        ["02", "上海市质量监督检验技术研究院", "", 1.0, 300.0, "", 0.0, 0.0, "通过"],
        ["03", "上海市药品监督管理局", "", 0.0, "", "", 0.0, 0.0, "未报送"],
        ["04", "上海市知识产权局", "", 0.0, "", "", 0.0, 0.0, "未报送"],
        ["05", "上海市市场监督管理局", 50_000.0, 1.0, 70_000.0, 20_000.0, 0.0, 1.0, "有警告"],
        ["", "上海市药监局", "", 1.0, 80.0, "", 0.0, 1.0, "不在名单"],
    ]
    skipped = [row[:4] for row in grid[9:] if any(row)]
    assert [row[0] for row in skipped[1:]] == [
        f"{round_folder / '3月8日 收件' / '市场监管局附件.zip'}/市场监管局/说明.docx",
        str(round_folder / "3月8日 收件" / "药监局" / "绩效目标申报表.et"),
        str(round_folder / "3月8日 收件" / "质检院" / ("~$" + NAME))]
    # Copies to send back, mirroring the folders: the counted forms with findings, batch findings included.
    copies = sorted(str(p.relative_to(tmp_path / "退回")) for p in (tmp_path / "退回").rglob("*.xlsx"))
    assert copies == ["3月12日 更正/计量院/绩效目标申报表(1).xlsx", "3月8日 收件/市场监管局附件/市场监管局/绩效目标申报表.xlsx",
                      "3月8日 收件/药监局/绩效目标申报表.xlsx"]
    sent = CalamineWorkbook.from_path(str(tmp_path / "退回" / "3月8日 收件" / "药监局" / NAME))
    rows = sent.get_sheet_by_name(spec.RESULTS_SHEET).to_python()
    assert rows[0][0] == "校验通过（1 个警告）"
    assert [r[3] for r in rows[spec.RESULTS_HEADER_ROW:] if any(r)] == ["unit-not-listed"]
    # Nothing read was written.
    assert hashes(round_folder) == before


class CliFindings(list):  # type: ignore[type-arg]
    """The findings of a written consolidation, read back from 问题清单 (the file column as its link's path)."""

    def __init__(self, out: Path) -> None:
        from xltools.findings import Finding

        rows = records(out, "问题清单")
        files = linked(out, "问题清单")
        super().__init__(Finding(file=file or "", sheet=r["工作表"] or "", cell=r["单元格"] or "", code=r["代码"],
                                 severity="error" if r["严重程度"] == "错误" else "warning", message=r["说明"])
                         for r, file in zip(rows, files, strict=True))


def test_check_mirrors_the_folders_so_same_named_copies_never_collide(round_folder: Path, tmp_path: Path) -> None:
    before = hashes(round_folder)
    back = tmp_path / "退回"
    result = run("check", round_folder, "--annotate", back)
    assert result.exit_code == 1
    copies = sorted(str(p.relative_to(back)) for p in back.rglob("*.xlsx"))
    assert copies == ["3月12日 更正/计量院/绩效目标申报表(1).xlsx", "3月5日 收件/计量院/绩效目标申报表.xlsx",
                      "3月8日 收件/市场监管局附件/市场监管局/绩效目标申报表.xlsx", "3月8日 收件/药监局/绩效目标申报表.xlsx",
                      "3月8日 收件/质检院/绩效目标申报表.xlsx"]
    # Each copy says where it went; the first return's copy lists its error.
    assert f"  已写出标注副本：{back / '3月5日 收件' / '计量院' / NAME}" in result.output
    grid = CalamineWorkbook.from_path(str(back / "3月5日 收件" / "计量院" / NAME)).get_sheet_by_name(
        spec.RESULTS_SHEET).to_python()
    assert grid[0][0] == "1 个错误，0 个警告"
    # Run again with the copies inside the folder of returns: they are recognised and skipped, not read.
    inside = round_folder / "退回"
    assert run("check", round_folder, "--annotate", inside).exit_code == 1
    again = run("check", round_folder, "--annotate", inside)
    assert again.exit_code == 1
    assert again.output.count("xltools 写出的标注副本，不作为申报表读取") == 5
    assert "共检查 5 个文件" in again.output
    assert {k: v for k, v in hashes(round_folder).items() if not k.startswith("退回")} == before


def test_the_output_is_never_an_input(round_folder: Path, tmp_path: Path) -> None:
    form_path = round_folder / "3月8日 收件" / "质检院" / NAME
    before = hashes(round_folder)
    result = run("consolidate", round_folder, "-o", form_path)
    assert result.exit_code == 2
    assert result.output == (f"错误：输出文件“{form_path}”是要汇总的输入文件之一：汇总不会覆盖报回的申报表。"
                             "请把汇总表写到另一个文件（例如回收文件夹之外）。\n")
    assert hashes(round_folder) == before
    # A consolidation written inside the folder of returns is skipped by the next run, and may be replaced.
    inside = round_folder / "汇总"
    first = run("consolidate", round_folder, "-o", inside, "--jobs", 1)
    assert first.exit_code == 1 and (round_folder / "汇总.xlsx").is_file()  # .xlsx added
    second = run("consolidate", round_folder, "-o", inside, "--jobs", 1)
    assert second.exit_code == 1
    assert f"跳过：{round_folder / '汇总.xlsx'}（xltools 写出的汇总表，不作为申报表读取）" in second.output
    assert "共读取 5 个文件" in second.output and "另跳过 4 个" in second.output


@pytest.mark.parametrize("name", ["汇总.xls", "汇总.ods", "汇总.csv"])
def test_an_output_in_another_format_is_refused(round_folder: Path, tmp_path: Path, name: str) -> None:
    result = run("consolidate", round_folder, "-o", tmp_path / name)
    suffix = Path(name).suffix
    assert result.exit_code == 2
    assert result.output == (f"错误：输出文件“{tmp_path / name}”的扩展名是 {suffix}：汇总结果只能写成 .xlsx 工作簿。"
                             "请改为 汇总.xlsx。\n")
    assert list(tmp_path.glob("汇总*")) == []


def test_an_empty_folder_or_one_without_forms_is_a_usage_error(round_folder: Path, tmp_path: Path) -> None:
    empty = round_folder / "空文件夹"
    for command in (("check", empty), ("consolidate", empty, "-o", tmp_path / "o.xlsx")):
        result = run(*command)
        assert result.exit_code == 2
        assert result.output == f"错误：在 “{empty}” 中没有找到申报表（.xlsx、.xlsm、.xls、.ods 文件，或 .zip 压缩包中的这些文件）。\n" \
                                "文件夹是空的。请检查路径是否正确。\n"
    others = round_folder / "3月8日 收件" / "药监局"
    (others / NAME).unlink()
    result = run("consolidate", others, "-o", tmp_path / "o.xlsx")
    assert result.exit_code == 2
    assert result.output.splitlines()[1:] == [
        "找到的其他文件（1 个）：",
        f"  {others / '绩效目标申报表.et'}：WPS 表格格式，不能直接读取：请在 WPS 中“另存为”Excel 工作簿（.xlsx）后放回"]
    assert not (tmp_path / "o.xlsx").exists()


def test_a_correction_saved_later_in_the_same_minute_counts(tmp_path: Path) -> None:
    """Equal file times, saved times 30 seconds apart: the later one counts, whichever path sorts last."""
    folder = tmp_path / "回收"
    late = write(folder / "3月5日", "a.xlsx", form("甲局", "项目", [2.0]), saved="2025-03-05T10:00:30Z")
    early = write(folder / "3月12日", "b.xlsx", form("甲局", "项目", [1.0]), saved="2025-03-05T10:00:00Z")
    for p in (late, early):
        os.utime(p, (FILE_TIME, FILE_TIME))
    set_saved(early, "2025-03-05T10:00:00Z")
    result = run("consolidate", folder, "-o", tmp_path / "o.xlsx", "--jobs", 1)
    assert result.exit_code == 0
    counted = {r["来源文件"]: r["计入汇总"] for r in records(tmp_path / "o.xlsx", "项目汇总")}
    assert counted == {str(late): "是", str(early): "否"}
