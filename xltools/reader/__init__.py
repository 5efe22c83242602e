"""Reading a returned form into a typed :class:`~xltools.model.Declaration`. One module per step:

* :mod:`~xltools.reader.read`: the entry points, :func:`read_file` (a workbook, through python-calamine) and
  :func:`read_grids` (grids fetched by someone else: the Excel button);
* :mod:`~xltools.reader.identify`: template id, version, framework and every fixed label verified, the version's
  spec resolved once and handed down (``template-mismatch`` otherwise);
* :mod:`~xltools.reader.cells` and :mod:`~xltools.reader.kinds`: a cell typed by its kind (text, money, date),
  every normalisation recorded;
* :mod:`~xltools.reader.tables`: table rows located once per form, empty rows skipped untyped;
* :mod:`~xltools.reader.declaration`: the 申报表's fields, sub-projects and indicators (一级/二级 carried down);
* :mod:`~xltools.reader.grids`: value grids and the text helpers the steps share.
"""

from __future__ import annotations

from xltools.reader.grids import Grid
from xltools.reader.identify import Identity, Mismatch, identify, read_meta
from xltools.reader.read import SHIPPED, ReadResult, read_file, read_grids

__all__ = ["SHIPPED", "Grid", "Identity", "Mismatch", "ReadResult", "identify", "read_file", "read_grids",
           "read_meta"]
