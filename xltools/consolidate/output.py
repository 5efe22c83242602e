"""Writing the consolidated workbook (for people) and parquet files (for analysts).

Thousands of forms make tens of thousands of rows; openpyxl needs ~20 µs a cell even in write-only mode, which
alone would take seconds. So the workbook is made in two parts:

* openpyxl writes a small *skeleton*: the styles, the 统计 and 报送情况 sheets (:mod:`.sheets`), and empty row
  sheets with their filters (openpyxl adds the defined names Excel expects);
* the row sheets' XML is then streamed straight into the zip, using the style ids openpyxl registered.

Every value a unit typed is written as a string cell (never a formula): text starting with ``=``, ``+``, ``-`` or
``@`` additionally gets Excel's quote prefix, so editing the cell does not turn it into a formula either.
The file is written to a temporary name in the same folder and moved into place (:mod:`xltools.atomic`): a reader
never sees half a file, and a failed or interrupted run leaves the previous output intact.

The workbook is marked as xltools' own (:mod:`xltools.marks`: a zip comment, and its kind and budget year in the
custom document properties), so a later run skips it as an input and ``--previous`` knows its year.
Layout and printing: :mod:`.layout`; where each row came from (names and links): :mod:`.links`.
"""

from __future__ import annotations

import io
import os
import shutil
import zipfile
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.packaging.custom import StringProperty
from openpyxl.utils import get_column_letter

from xltools import marks
from xltools.atomic import atomic_path
from xltools.consolidate import layout, sheets, sheetxml
from xltools.consolidate import tables as t
from xltools.consolidate.links import Links
from xltools.workbook import sheet_member

_EPOCH = pd.Timestamp("1899-12-30")


def is_formula_like(value: object) -> bool:
    return isinstance(value, str) and value.startswith(sheetxml.FORMULA_STARTS)


def _column_values(series: pd.Series, kind: str) -> list[Any] | sheetxml.Coded:
    if kind in (t.DATE, t.DATETIME):
        serial = (series - _EPOCH) / pd.Timedelta(days=1)
        return [int(v) if v == v and float(v).is_integer() else v for v in serial.tolist()]
    if kind == t.TEXT:
        # Texts repeat (unit, project, indicator names, source file): send each once, with a code per row.
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        return sheetxml.Coded(codes.tolist(), [str(u) for u in uniques])
    return series.tolist()  # int64 -> int, float64 -> float (NaN for blank)


def sheet_plan(name: str, df: pd.DataFrame, kinds: dict[str, str], styles: dict[str, int], links: Links,
               header: str = "&L&A") -> sheetxml.SheetPlan:
    """What :mod:`~xltools.consolidate.sheetxml` needs to write row sheet ``name``: plain values, widths, style
    ids, the page header, and a hyperlink per row on the source column, which shows the file's name."""
    columns = {col: _column_values(df[col], kind) for col, kind in kinds.items()}
    shown: dict[str, list[str]] = {}
    source = t.SOURCE_COLUMNS.get(name)
    if source is not None:
        names = links.names(df[source])
        columns[source] = names
        shown[source] = names.values
    located = links.sheet_links(name, df)
    return sheetxml.SheetPlan(
        headers=[str(col) for col in kinds], kinds=list(kinds.values()), columns=list(columns.values()),
        widths=layout.column_widths(df, kinds, shown=shown, link=source), styles=styles, selected=name == t.SUMMARY_SHEET,
        links=located[0] if located else None, link_column=located[1] if located else 0, header=header,
        name_column=list(kinds).index(source) if source is not None else -1,
    )


def row_sheets(tables: Any) -> tuple[Workbook, dict[str, int]]:
    """A new skeleton: the row sheets of ``tables`` (anything with ``sheets()``) empty, with their filters and
    printed header row, and the row styles registered; returns the workbook and the style ids."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    styles = layout.register_styles(wb)
    for name, (df, kinds) in tables.sheets().items():
        ws = wb.create_sheet(name)
        # Content comes from sheetxml; set here what openpyxl mirrors into workbook.xml (the filter's name and
        # the header row printed on every page).
        ws.auto_filter.ref = f"A1:{get_column_letter(len(kinds))}{len(df) + 1}"
        ws.print_title_rows = "1:1"
    return wb, styles


def marked(wb: Workbook, heading: layout.Heading, year: int | None) -> bytes:
    """The skeleton's bytes: its first sheet active, titled, marked as xltools' consolidation of ``year``."""
    wb.active = 0
    wb.properties.title = heading.title
    wb.properties.creator = "xltools"
    wb.custom_doc_props.append(StringProperty(name=marks.KIND_PROPERTY, value=marks.CONSOLIDATION_KIND))
    if year is not None:
        wb.custom_doc_props.append(StringProperty(name=marks.YEAR_PROPERTY, value=str(year)))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _skeleton(tables: t.Tables, heading: layout.Heading) -> tuple[bytes, dict[str, int]]:
    wb, styles = row_sheets(tables)
    sheets.stats_sheet(wb.create_sheet(t.STATS_SHEET), tables, heading)
    sheets.status_sheet(wb.create_sheet(t.STATUS_SHEET), tables, heading)
    return marked(wb, heading, tables.year), styles


Submit = Callable[..., "Future[str]"]


class Writer:
    """Writes the consolidated workbook to ``path`` atomically.

    A row sheet whose content is final can be rendered *ahead*, in another process, while this one works on:
    资金构成 and 绩效指标 during validation (which adds findings but changes no row), 项目汇总 and 问题清单 while
    the skeleton is built. :meth:`ahead` hands a sheet to ``submit`` (a process pool's submit); :meth:`write`
    copies the rendered XML into the zip. When ``submit`` is None, or the pool fails, the sheet is rendered in this
    process, with the same bytes. Rendered XML goes to ``scratch``, a folder the caller owns and removes (after
    stopping the pool, so no worker writes into a removed folder).
    """

    def __init__(self, path: str | Path, links: Links, heading: layout.Heading, scratch: str,
                 submit: Submit | None = None) -> None:
        self.target = Path(path)
        self.links = links
        self.heading = heading
        self.scratch = scratch
        self.submit = submit
        self._ahead: dict[str, tuple[Future[str], dict[str, int]]] = {}

    def __enter__(self) -> Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        for future, _styles in self._ahead.values():
            future.cancel()

    def ahead(self, name: str, df: pd.DataFrame, kinds: dict[str, str]) -> None:
        """Start rendering row sheet ``name`` in another process (no-op without a pool)."""
        if self.submit is None:
            return
        styles = layout.style_ids()
        plan = self._plan(name, df, kinds, styles)
        part = os.path.join(self.scratch, f"sheet-{len(self._ahead)}.xml")
        try:
            self._ahead[name] = (self.submit(sheetxml.render_to, plan, part), styles)
        except (BrokenProcessPool, RuntimeError):  # a broken or shut-down pool: render at write time
            return

    def _plan(self, name: str, df: pd.DataFrame, kinds: dict[str, str], styles: dict[str, int],
              ) -> sheetxml.SheetPlan:
        return sheet_plan(name, df, kinds, styles, self.links, self.heading.header)

    def _rendered(self, name: str, styles: dict[str, int]) -> str | None:
        """The file rendered ahead for ``name``, or None (then render here)."""
        entry = self._ahead.pop(name, None)
        if entry is None or entry[1] != styles:
            return None
        try:
            return entry[0].result()
        except BrokenProcessPool:
            return None

    def skeleton(self, tables: t.Tables) -> tuple[bytes, dict[str, int]]:
        """The small part openpyxl writes (another kind of consolidation, the self-evaluations', has its own)."""
        return _skeleton(tables, self.heading)

    def write(self, tables: t.Tables) -> Path:
        """Write the workbook; return its path."""
        skeleton, styles = self.skeleton(tables)
        with atomic_path(self.target) as tmp, zipfile.ZipFile(io.BytesIO(skeleton)) as src, \
                zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
            dst.comment = marks.CONSOLIDATION
            row_sheets = tables.sheets()
            members = {sheet_member(src, name): name for name in row_sheets}
            for info in src.infolist():
                name = members.get(info.filename)
                if name is None:
                    dst.writestr(info, src.read(info.filename))
                    continue
                rels_member = _rels_member(info.filename)
                assert rels_member not in src.namelist(), "a row sheet of the skeleton has no relationships"
                rendered = self._rendered(name, styles)
                with dst.open(info.filename, "w") as out:
                    if rendered is not None:
                        with open(rendered, "rb") as part:
                            shutil.copyfileobj(part, out, 1 << 20)
                        rels_file = Path(sheetxml.rels_path(rendered))
                        relationships = rels_file.read_bytes() if rels_file.exists() else None
                    else:
                        plan = self._plan(name, *row_sheets[name], styles)
                        for chunk in sheetxml.parts(plan):
                            out.write(chunk)
                        relationships = sheetxml.rels(plan)
                if relationships is not None:
                    dst.writestr(rels_member, relationships)
        return self.target


def _rels_member(member: str) -> str:
    """The relationships part of a zip member: xl/worksheets/sheet1.xml -> xl/worksheets/_rels/sheet1.xml.rels."""
    folder, _, name = member.rpartition("/")
    return f"{folder}/_rels/{name}.rels"


YEAR_METADATA = b"xltools.year"


def write_parquet(tables: t.Tables, directory: str | Path) -> list[Path]:
    """One parquet file per table (pyarrow), each written atomically; each records the batch's budget year in
    its schema metadata (``xltools.year``), for ``--previous``."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out_dir = Path(directory)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, df in tables.parquet_tables().items():
        table = pa.Table.from_pandas(df, preserve_index=False)
        if tables.year is not None:
            table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                                   YEAR_METADATA: str(tables.year).encode()})
        with atomic_path(out_dir / f"{name}.parquet") as tmp:
            pq.write_table(table, tmp)
        written.append(out_dir / f"{name}.parquet")
    return written
