"""What a workbook's bytes say after a unit saved it (here: in LibreOffice). xltools' mark on its own outputs lasts
only as long as the file is untouched: a copy a unit opens and saves again is a return again. The time of the save
is read right from .xlsx, .ods and .xls alike."""

from __future__ import annotations

import datetime as dt
import os
import re
import time
import zipfile
from pathlib import Path

import pytest

from tests import libreoffice as lo
from tests.test_consolidate import set_saved
from xltools import marks
from xltools.consolidate import consolidate, crossfile

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


SAVE_SCRIPT = r'''
import sys
from libreoffice import file_url, props, uno_session

src, out_dir = sys.argv[1:3]
with uno_session() as desktop:
    for name, flt in [("saved.xlsx", "Calc MS Excel 2007 XML"), ("saved.ods", "calc8"), ("saved.xls", "MS Excel 97")]:
        doc = desktop.loadComponentFromURL(file_url(src), "_blank", 0, props(Hidden=True))
        try:
            doc.Sheets.getByIndex(0).getCellRangeByName("AZ1").setString("x")  # an edit, as a clerk's save
            doc.storeToURL(file_url(out_dir + "/" + name), props(FilterName=flt))
        finally:
            doc.close(True)
'''


def test_a_save_in_libreoffice_in_shanghai_records_the_true_time_in_every_format(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """LibreOffice saving in Shanghai writes local time with a Z into an .xlsx, local time without a zone into an
    .ods, and UTC into an .xls: each is read as the true moment of the save, so copies saved in different
    formats or programs are ordered correctly."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")  # soffice inherits it
    (tmp_path / "save.py").write_text(SAVE_SCRIPT, encoding="utf-8")
    source = next((ROOT / "examples" / "returns").glob("04_*.xlsx"))
    before = time.time()
    lo.run_uno_script(tmp_path / "save.py", str(source), str(tmp_path))
    after = time.time()
    for name in ("saved.xlsx", "saved.ods", "saved.xls"):
        saved = marks.probe_path(str(tmp_path / name)).saved
        assert saved is not None and before - 1 <= saved <= after + 1, (name, saved, before, after)


def test_an_ods_correction_counts_over_an_earlier_xlsx(tmp_path: Path) -> None:
    """A unit re-saved its form as .ods after the .xlsx it sent first: the .ods counts, by its saved time
    (before, an .ods had none and the file times decided)."""
    folder = tmp_path / "回收"
    folder.mkdir()
    source = next((ROOT / "examples" / "returns").glob("04_*.xlsx"))
    first = folder / "原稿.xlsx"
    first.write_bytes(source.read_bytes())
    set_saved(first, "2026-03-05T02:00:00Z")
    ods = lo.convert([first], "ods", tmp_path / "ods")[0]
    corrected = folder / "更正.ods"
    with zipfile.ZipFile(ods) as zin, zipfile.ZipFile(corrected, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "meta.xml":
                data, n = re.subn(rb"<dc:date>[^<]*", b"<dc:date>2026-03-05T11:30:00.123456789", data)
                assert n == 1  # 11:30 in Shanghai = 03:30 UTC, after the original's 02:00 UTC
            zout.writestr(info, data)
    os.utime(corrected, (1_000_000_000, 1_000_000_000))  # older file time: only the saved time can decide
    os.utime(first, (1_700_000_000, 1_700_000_000))
    result = consolidate([folder], tmp_path / "汇总.xlsx", jobs=1)
    assert result.forms == 2
    dups = [f for f in result.findings if f.code == "duplicate-submission"]
    kept = [f for f in dups if "计入汇总的是本文件" in f.message]
    assert [Path(f.file).name for f in kept] == ["更正.ods"]
    shanghai_1130 = dt.datetime(2026, 3, 5, 3, 30, tzinfo=dt.UTC).timestamp()
    assert f"保存时间最新：{crossfile.when(shanghai_1130)}" in kept[0].message  # shown in the machine's time
