"""The one bounded opening path (xltools.workbook and package, ooxml, sheetcopy, odf, biff, bounds): for every
kind of fault a real return can carry, the exact outcome: which finding at which cell, or which Chinese reason."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults import mutants, zips
from tests.faults.mutants import FAR_CELLS, NOT_CELLS, RECIPES, SOURCES
from xltools import ooxml, spec
from xltools.engine import check_file
from xltools.sheetcopy import rewrite
from xltools.workbook import UnreadableError, open_values

V2, V1 = SOURCES[0], next(s for s in SOURCES if s.name.startswith("v1_"))  # today's version, the first
assert "v1_" in V1.name and "v1_" not in V2.name
RANGE = ("工作表“{sheet}”的范围异常（{rows} 行 × {cols} 列），出于安全不予读取。"
         "可能在远处的单元格（{far}）中误填了内容，请删除后再报送。")
DAMAGED = "文件已损坏或不完整（内部数据无法解压或校验不符），无法读取。请重新保存后再报送。"
XML_DAMAGED = "工作表“申报表”已损坏（内部 XML 格式错误），无法读取。请重新保存后再报送。"


def outcome(data: bytes, tmp_path: Path, name: str = "form.xlsx") -> list[tuple[str, str, str]]:
    path = tmp_path / name
    path.write_bytes(data)
    return [(f.code, f.cell, f.message) for f in check_file(path).findings]


def base(source: Path) -> list[tuple[str, str, str]]:
    return [(f.code, f.cell, f.message) for f in check_file(source).findings]


def mutant(recipe: str, source: Path) -> bytes:
    return mutants.make(recipe, source).data


def unreadable(message: str) -> list[tuple[str, str, str]]:
    return [("file-unreadable", "", message)]


# -- a value far away, however it is written ------------------------------------------------------------------

FAR_RANGE = RANGE.format(sheet=spec.FORM_SHEET, rows=1048576, cols=16384, far="XFD1048576")


@pytest.mark.parametrize("source", [V2, V1], ids=["v2", "v1"])
@pytest.mark.parametrize("recipe", sorted(set(FAR_CELLS) - {"far-counted", "far-second-r"}))
def test_a_far_value_written_any_way_is_refused_before_calamine(recipe: str, source: Path, tmp_path: Path) -> None:
    """Single quotes, a tab or newline before r=, spaces around =, x: prefixes, text and inline strings: calamine
    would have allocated 17 billion cells and aborted the process."""
    assert outcome(mutant(recipe, source), tmp_path) == unreadable(FAR_RANGE)


def test_cells_without_address_are_counted_as_calamine_places_them(tmp_path: Path) -> None:
    # Row 1,048,576, cells placed one after another: refused at the first one beyond the bound.
    assert outcome(mutant("far-counted", V2), tmp_path) == unreadable(
        RANGE.format(sheet=spec.FORM_SHEET, rows=1048576, cols=4, far="A1048576"))


def test_a_cell_with_two_addresses_is_malformed_xml(tmp_path: Path) -> None:
    assert outcome(mutant("far-second-r", V2), tmp_path) == unreadable(XML_DAMAGED)


def test_a_far_value_on_the_meta_sheet_is_refused(tmp_path: Path) -> None:
    assert outcome(mutant("far-meta", V2), tmp_path) == unreadable(
        RANGE.format(sheet=spec.META_SHEET, rows=1048576, cols=16384, far="XFD1048576"))


@pytest.mark.parametrize("source", [V2, V1], ids=["v2", "v1"])
@pytest.mark.parametrize("recipe", [*sorted(NOT_CELLS), "lying-dimension", "unaddressed", "shuffled-rows",
                                    "duplicate-sheet-last", "zip-duplicate-last", "zip-stored"])
def test_what_is_no_far_value_reads_as_the_original(recipe: str, source: Path, tmp_path: Path) -> None:
    """A cell in a comment, CDATA or processing instruction is no cell; an empty far cell is nothing to calamine;
    the declared dimension is not trusted either way; cells placed by counting or in another order are the same
    cells; the first of two sheets (or members) of one name is the one read."""
    assert outcome(mutant(recipe, source), tmp_path) == base(source)


@pytest.mark.parametrize("recipe", ["duplicate-sheet-first", "zip-duplicate-first"])
def test_the_first_of_two_sheets_of_one_name_is_the_one_read(recipe: str, tmp_path: Path) -> None:
    assert outcome(mutant(recipe, V2), tmp_path) == unreadable(FAR_RANGE)


# -- scans linear in the input --------------------------------------------------------------------------------

@pytest.mark.parametrize("recipe", ["comment-c", "comment-row", "comment-f", "comment-v", "comment-sheet"])
def test_a_comment_full_of_tags_costs_its_length_only(recipe: str, tmp_path: Path) -> None:
    data = mutant(recipe, V2)
    start = time.perf_counter()
    found = outcome(data, tmp_path)
    assert time.perf_counter() - start < 2.0
    assert found == base(V2)


def test_formula_scan_is_linear_in_a_sheet_full_of_f_tags() -> None:
    xml = b'<sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><x a="' + b"<f " * 200_000 + b'"/>'
    start = time.perf_counter()
    ooxml.formulas_fast(xml)
    assert time.perf_counter() - start < 1.0


# -- damaged zips ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("recipe", "message"), [
    ("zip-local-name", DAMAGED),
    ("zip-crc", DAMAGED),
    ("zip-flip-deflate", DAMAGED),
    ("zip-zero-deflate", DAMAGED),
    ("zip-encrypted-form", "文件内部数据已加密，无法读取。请取消加密后重新保存再报送。"),
    ("zip-unknown-method", "文件使用了 Excel 不使用的压缩方式，无法读取。请用 Excel 或 WPS 重新保存后再报送。"),
    ("zip-missing-form", "工作表“申报表”无法读取（工作簿中找不到它的内容）。请重新保存后再报送。"),
    ("broken-tags", XML_DAMAGED),
    ("entity-bomb", XML_DAMAGED),
])
def test_a_damaged_part_that_is_read_is_file_unreadable(recipe: str, message: str, tmp_path: Path) -> None:
    assert outcome(mutant(recipe, V2), tmp_path) == unreadable(message)


def test_damage_in_a_part_that_is_not_read_does_not_matter(tmp_path: Path) -> None:
    data = V2.read_bytes()
    for damaged in (zips.set_flag(data, "docProps/app.xml", 0), zips.set_method(data, "xl/theme/theme1.xml", 99),
                    zips.set_crc(data, zips.member_of(data, spec.RESULTS_SHEET), 1)):
        assert outcome(damaged, tmp_path) == base(V2)


def test_a_file_that_cannot_be_read_is_not_told_about_writing(tmp_path: Path) -> None:
    folder = tmp_path / "form.xlsx"
    folder.mkdir()
    assert outcome(b"", tmp_path, "empty.xlsx") == unreadable("文件为空（0 字节），不是 Excel 工作簿。请重新保存后再报送。")
    assert [(f.code, f.message) for f in check_file(folder).findings] == [
        ("file-unreadable", "文件无法打开：这是一个文件夹，不是文件。")]
    assert [(f.code, f.message) for f in check_file(tmp_path / "missing.xlsx").findings] == [
        ("file-unreadable", "文件无法打开：文件不存在。")]


# -- values calamine cannot convert, values Excel cannot hold -------------------------------------------------

TOTAL = "项目总预算（元）填写为“{shown}”，不是有效金额（{why}）。请只填写以元为单位的非负数字，不带文字和单位，如 1200000。"
START = "“开始时间”填写为“{shown}”，不是有效日期（{why}）。请填写日期，格式如 2019-01-01。"
RANGE_WHY = "数值超出 Excel 能保存的范围"


@pytest.mark.parametrize(("recipe", "key", "code", "message"), [
    ("money-inf", "total_budget", "amount-invalid", TOTAL.format(shown="无穷大", why=RANGE_WHY)),
    ("money-1e309", "total_budget", "amount-invalid", TOTAL.format(shown="无穷大", why=RANGE_WHY)),
    ("money-1e308", "total_budget", "amount-invalid", TOTAL.format(shown="1E+308", why=RANGE_WHY)),
    ("money-nan", "total_budget", "amount-invalid", TOTAL.format(shown="非数字（NaN）", why=RANGE_WHY)),
    ("money-40-digits", "total_budget", "amount-invalid", TOTAL.format(shown="1" * 40, why="金额超过 15 位数字，不是合理的金额")),
    ("money-5mb", "total_budget", "amount-invalid",
     TOTAL.format(shown="9" * 60 + "……", why="文字长达 5242880 字，超过 Excel 单元格上限 32767 字")),
    ("money-garbage-number", "total_budget", "amount-invalid", TOTAL.format(shown="1.2.3", why="不是有效的金额数字")),
    ("date-minus-1e308", "start", "date-invalid", START.format(shown="-1e308", why=RANGE_WHY)),
    ("date-1e308", "start", "date-invalid", START.format(shown="1E+308", why=RANGE_WHY)),
    ("text-40k", "overview", "value-out-of-range",
     "单元格中的值 Excel 无法保存（文字长达 40000 字，超过 Excel 单元格上限 32767 字）：“" + "长" * 60 + "……”。"
     "请删改为正常的文字或数字后再报送。"),
    ("text-1e308", "overview", "value-out-of-range",
     f"单元格中的值 Excel 无法保存（{RANGE_WHY}）：“1E+308”。请删改为正常的文字或数字后再报送。"),
])
@pytest.mark.parametrize("source", [V2, V1], ids=["v2", "v1"])
def test_a_value_out_of_range_is_a_finding_at_its_cell(recipe: str, key: str, code: str, message: str,
                                                       source: Path, tmp_path: Path) -> None:
    found = outcome(mutant(recipe, source), tmp_path)
    assert [f for f in found if f not in base(source)] == [(code, mutants.field_cell(source, key), message)]


@pytest.mark.parametrize("source", [V2, V1], ids=["v2", "v1"])
def test_a_duration_of_1e308_names_its_cell(source: Path, tmp_path: Path) -> None:
    """calamine overflows converting the duration; the sheet is read again with that value as text. (The end
    date, in the same format, is a duration now and invalid too.)"""
    found = [f[:2] for f in outcome(mutant("duration-dates", source), tmp_path) if f not in base(source)]
    assert found == [("date-invalid", mutants.field_cell(source, "start")),
                     ("date-invalid", mutants.field_cell(source, "end"))]


def test_the_reader_hands_on_only_safe_values(tmp_path: Path) -> None:
    """What the reader keeps of an out-of-range cell is short text; typed money and dates are None."""
    from xltools.bounds import OutOfRange
    from xltools.reader import read_file

    path = tmp_path / "f.xlsx"
    path.write_bytes(mutant("money-5mb", V2))
    decl = read_file(path).declaration
    assert decl is not None
    total = decl.fields["total_budget"]
    assert isinstance(total.raw, OutOfRange) and len(total.raw) == 62 and total.value is None
    import pickle

    again = pickle.loads(pickle.dumps(decl))  # as a worker process sends it home
    assert again.fields["total_budget"].raw.reason == total.raw.reason == "文字长达 5242880 字，超过 Excel 单元格上限 32767 字"


def test_numbers_print_sensibly() -> None:
    from xltools.bounds import number_text
    from xltools.targets import format_number, parse_target

    assert format_number(float("1e309")) == "无穷大"
    assert format_number(1e308) == "1E+308"
    assert format_number(12.5) == "12.5" and format_number(300.0) == "300"
    assert number_text(-float("inf")) == "负无穷大" and number_text(123456789012345.0) == "123456789012345"
    from xltools.text import yuan

    assert (yuan(1234.5), yuan(1e300), yuan(float("nan"))) == ("1,234.50", "1E+300", "非数字（NaN）")
    assert parse_target("≥" + "9" * 400 + "%").kind == "quantitative"  # the number is infinite: judged, no crash


# -- the fast path and the rewrite agree ------------------------------------------------------------------------

@pytest.mark.parametrize("source", SOURCES, ids=[p.name[:6] for p in SOURCES])
def test_every_example_takes_the_fast_path_and_the_rewrite_reads_it_the_same(source: Path,
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    sheets = (spec.META_SHEET, spec.FORM_SHEET)
    fast = open_values(source, sheets)
    assert fast._ooxml is not None and all(s.formulas is None for s in fast._ooxml.sheets.values())  # not rewritten
    monkeypatch.setattr(ooxml, "plain", lambda _xml: False)
    slow = open_values(source, sheets)
    for sheet in sheets:
        assert slow.grid(sheet) == fast.grid(sheet)
        assert slow.formulas(sheet) == fast.formulas(sheet)


def test_the_copy_keeps_the_1904_date_system(tmp_path: Path) -> None:
    """Dates of a workbook in the 1904 system read as calamine reads them from the original file."""
    from python_calamine import CalamineWorkbook

    data = zips.edit(V2.read_bytes(), "xl/workbook.xml",
                     lambda x: x.replace(b"<sheets>", b'<workbookPr date1904="1"/><sheets>', 1))
    path = tmp_path / "1904.xlsx"
    path.write_bytes(data)
    original = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(spec.FORM_SHEET).to_python(
        skip_empty_area=False, nrows=20)
    ours = open_values(path, [spec.FORM_SHEET]).grid(spec.FORM_SHEET, 20)
    assert ours == original
    assert str(ours[7][1]) == "2023-01-02"  # 2019-01-01 in the 1900 system, four years and a day on


def test_plain_takes_only_sheets_it_can_prove_small() -> None:
    ordinary = b'<?xml version="1.0"?><sheetData><row r="1" spans="1:4"><c r="A1" s="1" t="s"><v>0</v></c><c r="D9999"/></row></sheetData>'
    assert ooxml.plain(ordinary)
    for odd in (b'<row r="1"><c r="AA1"/></row>',  # column beyond Z
                b'<row r="10000"><c r="A10000"/></row>',  # row beyond 9999
                b'<row r="1"><c s="1"/></row>',  # a cell without an address
                b'<row r="1"><c s="1" r="A1"/></row>',  # address not first
                b"<row r='1'><c r='A1'/></row>",  # single quotes
                b'<row r="1"><c\tr="A1"/></row>',  # a tab
                b'<row r="1"><x:c r="A1"/></row>',  # a prefix
                b'<row r="1"><c r="A1"/></row><!-- -->',  # a comment
                b'<row r="1"><c r="A1" r="XFD1"/></row>'):  # a second address
        assert not ooxml.plain(odd), odd


def test_the_rewrite_places_cells_as_calamine_does() -> None:
    xml = (b'<worksheet><dimension ref="A1:XFD1048576"/><sheetData>'
           b'<row r="3"><c><v>1</v></c><c r="D3"><f>SUM(A1)</f><v>2</v></c><c><is><r><t>a</t></r><r><t>b</t></r>'
           b"<rPh><t>x</t></rPh></is></c></row><row><c r='B'><v>9</v></c></row>"
           b'<!-- <row r="9"><c r="A9"><v>1</v></c></row> --><x:row><x:c><x:is><x:t>y</x:t></x:is></x:c></x:row>'
           b"</sheetData></worksheet>")
    with pytest.raises(Exception, match="单元格地址“B”无效"):
        rewrite("s", xml)
    sheet = rewrite("s", xml.replace(b"r='B'", b"r='b4'"))
    assert sheet.formulas == {"D3": "=SUM(A1)"}
    assert sheet.xml.endswith(
        b'<sheetData><row r="3"><c r="A3"><v>1</v></c><c r="D3"><v>2</v></c>'
        b'<c r="E3" t="inlineStr"><is><t>ab</t></is></c></row><row r="4"><c r="B4"><v>9</v></c></row>'
        b'<row r="5"><c r="A5" t="inlineStr"><is><t>y</t></is></c></row></sheetData></worksheet>')


def test_every_recipe_is_exercised() -> None:
    assert {"byte", "zip", "xml", "value"} == {kind for kind, _fn in RECIPES.values()}


# -- OpenDocument ------------------------------------------------------------------------------------------------

def ods(tmp_path: Path, rows: str, name: str = "t.ods", table: str = "表") -> Path:
    content = ('<?xml version="1.0" encoding="UTF-8"?><office:document-content '
               'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
               'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
               'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body><office:spreadsheet>'
               f'<table:table table:name="{table}">{rows}</table:table>'
               "</office:spreadsheet></office:body></office:document-content>")
    path = tmp_path / name
    path.write_bytes(zips.rezip([("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
                                 ("content.xml", content.encode())]))
    return path


def cell(text: str, repeat: int = 1) -> str:
    times = f' table:number-columns-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-cell office:value-type="string"{times}><text:p>{text}</text:p></table:table-cell>'


def test_an_ods_is_read_through_a_rewritten_content(tmp_path: Path) -> None:
    """Indented XML and comments between cells (calamine refuses both), a line break element, a table nested in
    a cell, LibreOffice's million trailing empty rows: read as the values they hold."""
    rows = ("\n  <table:table-row>\n    " + cell("a") + "<!-- note -->\n    "
            + '<table:table-cell office:value-type="string"><text:p>x<text:line-break/>y</text:p>'
            '<table:table table:name="嵌套"><table:table-row>' + cell("z", 1000) + "</table:table-row></table:table>"
            "</table:table-cell>\n  </table:table-row>\n"
            '<table:table-row table:number-rows-repeated="2"><table:table-cell table:number-columns-repeated="3"/>'
            "</table:table-row><table:table-row>" + '<table:table-cell table:number-columns-repeated="2"/>' + cell("b")
            + '</table:table-row><table:table-row table:number-rows-repeated="1048570">'
            '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>')
    book = open_values(ods(tmp_path, rows))
    assert book.grid("表") == [["a", "x\ny", ""], ["", "", ""], ["", "", ""], ["", "", "b"]]


def test_an_ods_value_repeated_far_is_refused_before_calamine(tmp_path: Path) -> None:
    rows = ('<table:table-row>' + cell("a") + "</table:table-row>"
            '<table:table-row table:number-rows-repeated="1000000">'
            '<table:table-cell table:number-columns-repeated="9"/>' + cell("far") + "</table:table-row>")
    form = ods(tmp_path, rows, table=spec.FORM_SHEET).read_bytes()
    assert outcome(form, tmp_path) == unreadable(
        RANGE.format(sheet=spec.FORM_SHEET, rows=1000001, cols=10, far="J1000001"))
    huge = '<table:table-row>' + cell("far", 99_999_999_999_999_999) + "</table:table-row>"
    with pytest.raises(UnreadableError, match=r"^工作表“表”的范围异常.*可能在远处的单元格中误填了内容"):
        open_values(ods(tmp_path, huge))
    # A sheet the reader does not read is not even measured: calamine gets it empty.
    assert open_values(ods(tmp_path, rows), ["其他"]).grid("表") == []


# -- the engine never raises --------------------------------------------------------------------------------------

def test_check_file_turns_any_failure_into_a_finding(monkeypatch: pytest.MonkeyPatch) -> None:
    from xltools import engine, reader

    class Panic(BaseException):  # what pyo3 raises for a Rust panic: not an Exception
        pass

    def panics(*_args: object, **_kw: object) -> None:
        raise Panic("TimeDelta::milliseconds out of bounds")

    monkeypatch.setattr(reader, "read_file", panics)
    result = engine.check_file(V2, "form.xlsx")
    assert [(f.file, f.code, f.message) for f in result.findings] == [("form.xlsx", "file-unreadable", engine.INTERNAL)]

    def interrupted(*_args: object, **_kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(reader, "read_file", interrupted)
    with pytest.raises(KeyboardInterrupt):
        engine.check_file(V2)
