"""xltools' mark on its own outputs lasts only as long as the file is untouched: a copy a unit opens and saves
again (here: LibreOffice) is a return again."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from tests import libreoffice as lo
from xltools import marks
from xltools.consolidate import consolidate

pytestmark = pytest.mark.libreoffice

ROOT = Path(__file__).resolve().parent.parent


def test_an_annotated_copy_saved_again_is_read_as_a_return(tmp_path: Path) -> None:
    returns = ROOT / "examples" / "returns"
    consolidate([returns], tmp_path / "汇总.xlsx", jobs=1, annotate=tmp_path / "退回")
    copy = next((tmp_path / "退回").glob("05_*.xlsx"))
    assert zipfile.ZipFile(copy).comment == marks.ANNOTATED
    assert marks.probe_path(str(copy)).output == "标注副本"
    saved = lo.roundtrip_xlsx(copy, tmp_path / "再存")
    assert zipfile.ZipFile(saved).comment == b""
    assert marks.probe_path(str(saved)).output is None
    both = tmp_path / "回收"
    both.mkdir()
    (both / "原样.xlsx").write_bytes(copy.read_bytes())
    (both / "改过.xlsx").write_bytes(saved.read_bytes())
    result = consolidate([both], tmp_path / "二.xlsx", jobs=1)
    assert result.forms == 1
    assert [(s.display, s.reason) for s in result.skipped] == [
        (str(both / "原样.xlsx"), "xltools 写出的标注副本，不作为申报表读取")]
