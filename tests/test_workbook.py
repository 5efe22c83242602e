"""Byte-level scans of sheet XML: formulas typed into cells, and the quick size test before calamine."""

from __future__ import annotations

from xltools.workbook import _formulas_in, _surely_small, ooxml_extent


def test_formulas_in_plain_shared_and_prefixed_sheets() -> None:
    xml = (b'<sheetData><row r="3"><c r="B3" t="str"><f>HYPERLINK("a","&lt;b&gt;")</f><v>x</v></c>'
           b'<c r="C3"><v>1</v></c><c r="D3" s="2"><f t="shared" si="0"/><v>2</v></c></row></sheetData>'
           b'<conditionalFormatting><cfRule><formula>A1&gt;1</formula></cfRule></conditionalFormatting>')
    assert _formulas_in(xml) == {"B3": '=HYPERLINK("a","<b>")', "D3": "="}
    prefixed = b'<x:row r="1"><x:c r="A1"><x:f>1+2</x:f><x:v>3</x:v></x:c></x:row>'
    assert _formulas_in(prefixed) == {"A1": "=1+2"}
    assert _formulas_in(b'<row r="1"><c r="A1"><v>1</v></c></row>') == {}


def test_quick_size_test_passes_ordinary_sheets_only() -> None:
    ordinary = b'<row r="1" spans="1:4"><c r="A1" s="1" t="s"><v>0</v></c><c r="D9999"/></row>'
    assert _surely_small(ordinary)
    for odd in (b'<row r="1"><c r="AA1"/></row>',  # column beyond Z
                b'<row r="10000"><c r="A10000"/></row>',  # row beyond 9999
                b'<row r="1"><c s="1"/></row>',  # a cell without an address
                b"<row><c r=\"A1\"/></row>",  # a row without an address
                b'<row r="1"><c s="1" r="A1"/></row>'):  # address not first: measured exactly instead
        assert not _surely_small(odd), odd
    assert ooxml_extent(b'<row r="1048576"><c r="XFD1048576"/></row>') == (1048576, 16384)


def test_ods_extent_counts_repeats_up_to_the_last_value() -> None:
    from xltools.workbook import ods_extent

    def row(cells: str, repeat: int = 1) -> str:
        attr = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
        return f"<table:table-row{attr}>{cells}</table:table-row>"

    value = '<table:table-cell office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell>'
    empty = '<table:table-cell table:number-columns-repeated="1024"/>'
    content = (
        '<office:spreadsheet><table:table table:name="其他">' + row(value, 5000) + "</table:table>"
        '<table:table table:name="申报表">'
        + row(value + '<table:covered-table-cell table:number-columns-repeated="2"/>' + value)  # A1 and D1
        + row(empty, 3)  # empty rows: counted only when a value comes after them
        + row('<table:table-cell table:number-columns-repeated="5"/>' + value, 2)  # F5:F6
        + "<table:table-row><table:table-cell><table:table table:name=\"嵌套\">" + row(value) + "</table:table>"
        "</table:table-cell></table:table-row>"  # a nested table: its rows count for the outer one
        + row(empty, 1048560)  # LibreOffice's trailing empty rows
        + "</table:table></office:spreadsheet>"
    ).encode()
    assert ods_extent(content, "申报表") == (8, 6)
    assert ods_extent(content, "其他") == (5000, 1)
    assert ods_extent(content, "没有") == (0, 0)
    # A repeat hidden in a nested table still counts.
    nested = ('<table:table table:name="申报表"><table:table-row><table:table-cell><table:table table:name="嵌套">'
              + row(value, 1_000_000) + "</table:table></table:table-cell></table:table-row></table:table>").encode()
    assert ods_extent(nested, "申报表") == (1_000_001, 1)
