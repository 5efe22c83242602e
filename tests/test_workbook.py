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
