"""An OOXML workbook (.xlsx/.xlsm) made safe for calamine: a new zip holding exactly the parts that were checked.

calamine keeps a sheet as a dense grid of (rows x columns) cells and aborts the whole process when that allocation
fails: one value typed at XFD1048576 is enough. Measuring the sheet and then handing calamine the original file
is not a guard when the two read differently (a cell in a comment, single quotes, a tab before ``r=``, a namespace
prefix, two sheets of one name, a member whose local header disagrees with the directory). So calamine never sees
the original file. It gets a new zip: our own workbook.xml and relationships (each sheet name once, pointing at the
part we chose), the styles and shared strings as read, and each sheet either

* as it was, when a linear byte scan proves every cell calamine can see is addressed within A1:Z9999 (forms
  written by Excel, WPS, LibreOffice and openpyxl: the fast path), or
* rewritten from its XML as expat parses it (:mod:`xltools.sheetcopy`): only the values, each cell addressed,
  nothing else; a sheet whose values reach too far is refused before calamine sees it.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from xltools import xmlsafe, ziparchive
from xltools.package import RESAVE, UnreadableError, Zip
from xltools.sheetcopy import Sheet, rewrite

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
WORKBOOK, RELS = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
STYLES, STRINGS = "xl/styles.xml", "xl/sharedStrings.xml"


class Listing:
    """The worksheets a workbook.xml lists, by name (the first of duplicate names), and its date system."""

    __slots__ = ("date1904", "sheets")

    def __init__(self, sheets: tuple[tuple[str, str], ...], date1904: bool = False) -> None:
        self.sheets = sheets  # (name, its relationship's target as written)
        self.date1904 = date1904


def listing(workbook_xml: bytes, rels_xml: bytes | None) -> Listing:
    """The sheets of workbook.xml with their targets from its relationships, parsed by expat (any prefixes, any
    quoting, comments understood); a sheet without a target is left out, a repeated name after the first too."""
    sheets: list[tuple[str, str]] = []
    flags = {"date1904": False}

    def sheet_start(name: str, attrs: dict[str, str]) -> None:
        tag = xmlsafe.local(name)
        if tag == "sheet":
            rid = next((v for k, v in attrs.items() if ":" in k and xmlsafe.local(k) == "id"), None)
            if "name" in attrs and rid is not None:
                sheets.append((attrs["name"], rid))
        elif tag == "workbookPr":
            flags["date1904"] = attrs.get("date1904", "").strip().lower() in ("1", "true")

    p = xmlsafe.parser()
    p.StartElementHandler = sheet_start
    xmlsafe.parse(p, workbook_xml, "文件的工作簿结构（xl/workbook.xml）")
    targets: dict[str, str] = {}

    def rel_start(name: str, attrs: dict[str, str]) -> None:
        if xmlsafe.local(name) == "Relationship" and attrs.get("TargetMode", "") != "External":
            targets.setdefault(attrs.get("Id", ""), attrs.get("Target", ""))

    if rels_xml is not None:
        p = xmlsafe.parser()
        p.StartElementHandler = rel_start
        xmlsafe.parse(p, rels_xml, "文件的工作簿关系（xl/_rels/workbook.xml.rels）")
    seen: set[str] = set()
    out = []
    for name, rid in sheets:
        target = targets.get(rid)
        if target is None or name in seen:
            continue
        seen.add(name)
        out.append((name, target))
    return Listing(tuple(out), flags["date1904"])


_LISTINGS: dict[tuple[int, ...], Listing] = {}


def _listing_of(zf: Zip) -> Listing:
    """The listing of ``zf``, remembered by the CRC-32 and size of its two parts: every form of one template has
    the same ones, so neither is read again. (The listing only chooses which part is which sheet; each part
    chosen is read and checked whatever the listing says, so a forged CRC gains nothing.)"""
    workbook, rels = zf.find(WORKBOOK), zf.find(RELS)
    assert workbook is not None
    key = (workbook.crc, workbook.file_size, *((rels.crc, rels.file_size) if rels is not None else ()))
    found = _LISTINGS.get(key)
    if found is None:
        found = listing(zf.read(workbook), zf.read(rels) if rels is not None else None)
        if len(_LISTINGS) >= 64:
            _LISTINGS.clear()
        _LISTINGS[key] = found
    return found


def resolve(zf: Zip, target: str) -> str | None:
    """The zip member a relationship target of workbook.xml points at (relative to xl/, or absolute)."""
    candidates = [target[1:]] if target.startswith("/") else [posixpath.normpath("xl/" + target), target]
    return next((c for c in candidates if not c.startswith("..") and c in zf), None)


class Book:
    """The parts of an OOXML workbook that calamine is to read, checked; :meth:`copy` zips them."""

    def __init__(self, names: list[str], date1904: bool, styles: bytes | None, strings: bytes | None) -> None:
        self.names = names  # every worksheet name, in workbook order
        self.date1904 = date1904
        self.styles = styles
        self.strings = strings
        self.parts: dict[str, bytes] = {}  # sheet name -> its part as read (original bytes)
        self.sheets: dict[str, Sheet] = {}  # sheet name -> what calamine gets, and its formulas

    def copy(self) -> bytes:
        return package(list(self.sheets.items()), self.styles, self.strings, self.date1904)

    def neutralise(self, name: str) -> Sheet:
        """Rewrite sheet ``name`` again with every value calamine cannot convert (a date serial beyond year
        9999, a malformed number) turned into text, and remember it: calamine failed on the sheet as it was."""
        self.sheets[name] = rewrite(name, self.parts[name], date_styles(self.styles))
        return self.sheets[name]


def read_book(zf: Zip, wanted: set[str] | None) -> Book:
    """The worksheets ``wanted`` (all when None) of the OOXML workbook in ``zf``, each checked (see module)."""
    if WORKBOOK not in zf:
        if "xl/workbook.bin" in zf:
            raise UnreadableError("文件是 Excel 二进制工作簿（.xlsb），无法读取。请另存为 .xlsx 后再报送。")
        raise UnreadableError("文件已损坏（缺少工作簿结构），无法读取。" + RESAVE)
    found = _listing_of(zf)
    book = Book([name for name, _t in found.sheets], found.date1904, zf.read_optional(STYLES),
                zf.read_optional(STRINGS))
    for name, target in found.sheets:
        if wanted is not None and name not in wanted:
            continue
        member = resolve(zf, target)
        if member is None:
            continue  # calamine would not find it either: the sheet is listed but cannot be read
        xml = zf.read(member)
        book.parts[name] = xml
        book.sheets[name] = prepare(name, xml)
    return book


def prepare(name: str, xml: bytes) -> Sheet:
    """What calamine gets for one sheet: its bytes when the fast scan proves them small, else a rewrite."""
    if plain(xml):
        return Sheet(xml, None)
    return rewrite(name, xml)


# -- the fast path ---------------------------------------------------------------------------------------------

# A cell, row, formula or value element with a namespace prefix (x:c): calamine takes it by its local name.
_PREFIXED = re.compile(rb":(?:c|row|f|v|is|sheetData)[\s/>]")
# A cell start tag not written exactly as Excel, WPS, LibreOffice and openpyxl write one: r first, within A1:Z9999,
# then only s, t and two-letter attributes (cm, vm, ph) with plain values. calamine takes the LAST of two r
# attributes, so a tag with anything else in it goes to the rewrite.
_ODD_CELL = re.compile(rb'<c(?=[\s/>])(?! r="[A-Z][1-9][0-9]{0,3}"(?: s="[0-9]{1,6}")?(?: t="[a-zA-Z]{1,9}")?'
                       rb'(?: [a-z]{2}="[0-9]{1,6}")*\s*/?>)')


def plain(xml: bytes) -> bool:
    """True when every cell calamine can see in ``xml`` is addressed within A1:Z9999 (26 x 9999 cells at most).

    Sound, not exact: each test looks at more than calamine does (a cell tag inside an attribute value counts
    too), so passing them proves the bound; anything unusual goes to the exact rewrite instead. Every element
    calamine takes for a cell starts with the bytes ``<c`` and a space, tab, line end, ``/`` or ``>`` (or is
    prefixed, which goes to the rewrite), and each such tag here holds exactly one address, in range: calamine
    places a cell by its r attribute, and only a cell without one by counting. A few scans of the bytes at C
    speed, linear whatever they hold."""
    start = 0
    if xml.startswith(b"\xef\xbb\xbf"):
        start = 3
    if xml.startswith(b"<?xml", start):
        start = xml.find(b"?>", start)
        if start < 0:
            return False
    # No comment, CDATA or DTD (<!), no processing instruction after the declaration, no NUL (another encoding):
    # anything the rewrite reads as XML does, and a byte scan cannot.
    # (Each looked for by its rarer byte first: "<" is everywhere, and find() is slow on a frequent first byte.)
    if (b"!" in xml and b"<!" in xml) or (xml.find(b"?", start) >= 0 and xml.find(b"<?", start) >= 0) \
            or b"\x00" in xml:
        return False
    return _PREFIXED.search(xml) is None and _ODD_CELL.search(xml) is None


def _unescape(text: bytes) -> str:
    decoded = text.decode("utf-8", "replace")
    if "&" not in decoded:
        return decoded
    # XML's five named entities by plain replacement (&amp; last): a template's formulas hold many (every >, <>,
    # &), and html.unescape's regex costs tens of microseconds on a long one. A character reference is rare.
    plain = (decoded.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'"))
    if "&#" not in plain:
        return plain.replace("&amp;", "&")
    import html  # only for a formula with a character reference: html costs a millisecond to import

    return html.unescape(decoded)


_F_START = re.compile(rb"<f[\s/>]")
_CELL_START = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*(?<!/)>\s*')


def formulas_fast(xml: bytes) -> dict[str, str]:
    """A1 -> formula text of every cell with an <f> child, in a sheet :func:`plain` passed (every cell tag is
    ``<c r="..."``, unprefixed). A formula is its cell's first child (the schema's order: f, then v), so each <f>
    is matched with the tag just before it: linear in the sheet whatever it holds."""
    out: dict[str, str] = {}
    for m in _F_START.finditer(xml):
        pos = m.start()
        cell = _CELL_START.fullmatch(xml, xml.rfind(b"<", 0, pos), pos)
        if cell is None:
            continue
        close = xml.find(b">", pos)
        text = b""
        if close > 0 and xml[close - 1] != 0x2F:  # not <f .../>
            end = xml.find(b"<", close + 1)  # text holds no "<": the next tag ends it
            text = xml[close + 1:end if end >= 0 else len(xml)]
        out[cell.group(1).decode()] = "=" + _unescape(text)
    return out


# -- the new zip -----------------------------------------------------------------------------------------------

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')


_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    b'officeDocument" Target="xl/workbook.xml"/></Relationships>')


@lru_cache(maxsize=64)
def _workbook_parts(names: tuple[str, ...], date1904: bool) -> tuple[bytes, bytes]:
    sheets = "".join(f'<sheet name="{xmlsafe.attr(n)}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, n in enumerate(names, start=1))
    pr = '<workbookPr date1904="1"/>' if date1904 else ""
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN_NS}" '
                f'xmlns:r="{REL_NS}">{pr}<sheets>{sheets}</sheets></workbook>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(names) + 1))
    return workbook.encode(), (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                               f'<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>').encode()


def package(sheets: list[tuple[str, Sheet]], styles: bytes | None, strings: bytes | None, date1904: bool) -> bytes:
    """A stored (uncompressed) zip that calamine reads: nothing in it was not checked or made here."""
    workbook, rels = _workbook_parts(tuple(name for name, _s in sheets), date1904)
    members = [("[Content_Types].xml", _CONTENT_TYPES),
               ("_rels/.rels", _ROOT_RELS),  # how calamine tells an .xlsx from other zips
               (WORKBOOK, workbook), (RELS, rels)]
    if styles is not None:
        members.append((STYLES, styles))
    if strings is not None:
        members.append((STRINGS, strings))
    members += [(f"xl/worksheets/sheet{i}.xml", sheet.xml) for i, (_name, sheet) in enumerate(sheets, start=1)]
    return ziparchive.stored(members)


# -- date styles, for the rare rewrite after calamine failed on a sheet -----------------------------------------

# Built-in number formats that calamine converts to dates, times or durations.
_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59), *range(71, 82)])
_QUOTED = r'(?i)"[^"]*"|\\.|\[(?![hms]+\])[^\]]*\]'  # compiled on first use: the rare path


def _is_date_format(code: str) -> bool:
    plain_code = re.sub(_QUOTED, "", code)
    if plain_code.strip().lower() in ("general", "@", ""):
        return False
    return re.search(r"[ymdhsegYMDHSEG]", plain_code) is not None


def date_styles(styles: bytes | None) -> frozenset[int]:
    """Indexes of the cell formats (cellXfs) that format a number as a date, time or duration; generous: it only
    decides which out-of-range numbers become text after calamine failed on a sheet."""
    if styles is None:
        return frozenset()
    custom: dict[str, str] = {}
    xfs: list[str] = []
    where: list[str] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = xmlsafe.local(name)
        if tag == "numFmt":
            custom[attrs.get("numFmtId", "")] = attrs.get("formatCode", "")
        elif tag in ("cellXfs", "cellStyleXfs"):
            where.append(tag)
        elif tag == "xf" and where and where[-1] == "cellXfs":
            xfs.append(attrs.get("numFmtId", "0"))

    def end(name: str) -> None:
        if xmlsafe.local(name) in ("cellXfs", "cellStyleXfs") and where:
            where.pop()

    p = xmlsafe.parser()
    p.StartElementHandler = start
    p.EndElementHandler = end
    try:
        xmlsafe.parse(p, styles, "文件的样式（xl/styles.xml）")
    except UnreadableError:
        return frozenset()
    out = set()
    for i, fmt in enumerate(xfs):
        if fmt in custom:
            if _is_date_format(custom[fmt]):
                out.add(i)
        elif fmt.isdigit() and int(fmt) in _DATE_IDS:
            out.add(i)
    return frozenset(out)
