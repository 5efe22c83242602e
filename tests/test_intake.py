"""Whatever the folder of returns holds, every file is accounted for and nothing crashes: names that are not
UTF-8, folders that cannot be listed, zip attachments (hostile ones too), outputs that cannot be written, a reader
that fails in a worker in a way that cannot even be reported back."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import openpyxl
import pytest
from click.testing import CliRunner

from tests.test_consolidate import form, write
from xltools.cli import main
from xltools.consolidate import consolidate, rows
from xltools.discover import find

ROOT = Path(__file__).resolve().parent.parent
SOURCE = next((ROOT / "examples" / "returns").glob("05_*.xlsx"))
XLTOOLS = Path(sys.executable).with_name("xltools")
GBK_NAME = "上海表".encode("gbk") + b".xlsx"  # as unzip leaves a name from a zip made on Chinese Windows


def run(*args: object) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


# -- names as the OS gives them ---------------------------------------------------------------------------------

@pytest.fixture
def gbk_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "回收"
    folder.mkdir()
    shutil.copyfile(SOURCE, os.path.join(os.fsencode(folder), GBK_NAME))
    sub = os.path.join(os.fsencode(folder), "单位".encode("gbk"))
    os.mkdir(sub)
    shutil.copyfile(SOURCE, os.path.join(sub, b"a.xlsx"))
    return folder


def test_names_that_are_not_utf8_are_read_and_shown_with_replacement_characters(gbk_folder: Path,
                                                                              tmp_path: Path) -> None:
    out = tmp_path / "汇总.xlsx"
    result = consolidate([gbk_folder], out, jobs=1)
    assert result.forms == 2
    name, unit = GBK_NAME.decode("utf-8", "replace"), "单位".encode("gbk").decode("utf-8", "replace")
    assert "\ufffd" in name and "\ufffd" in unit
    shown = sorted(f.file for f in result.findings if f.code == "duplicate-submission")
    assert shown == sorted([f"{gbk_folder}/{name}", f"{gbk_folder}/{unit}/a.xlsx"])
    wb = openpyxl.load_workbook(out)  # a valid workbook: every string is valid text
    sources = [c.value for c in wb["项目汇总"]["S"][1:]]
    assert sorted(sources) == sorted(["a.xlsx", name])
    # The link opens the file: the bytes of its name, percent-encoded where they are not UTF-8.
    targets = sorted(unquote_to_bytes(c.hyperlink.target) for c in wb["项目汇总"]["S"][1:])
    assert targets == sorted([b"\xe5\x9b\x9e\xe6\x94\xb6/" + GBK_NAME,
                              "回收/".encode() + "单位".encode("gbk") + b"/a.xlsx"])


def test_check_json_is_valid_utf8_whatever_the_file_names(gbk_folder: Path) -> None:
    done = subprocess.run([str(XLTOOLS), "check", "--json", str(gbk_folder)], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout.decode("utf-8"))  # strict: raises on bytes that are not UTF-8
    assert {Path(item["file"]).name for item in data} == {GBK_NAME.decode("utf-8", "replace"), "a.xlsx"}
    done.stderr.decode("utf-8")


# -- what cannot be listed is named ------------------------------------------------------------------------------

def deep_folder(base: Path, depth: int = 17) -> Path:
    """A form ``depth`` folders down, each name 250 bytes: the path is beyond PATH_MAX (4,096 bytes)."""
    fd = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d" * 250, dir_fd=fd)
            inner = os.open("d" * 250, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open("form.xlsx", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, SOURCE.read_bytes())
        os.close(out)
    finally:
        os.close(fd)
    return base


@pytest.fixture
def deep(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "回收"
    folder.mkdir()
    shutil.copyfile(SOURCE, folder / "ok.xlsx")
    deep_folder(folder)
    yield folder
    subprocess.run(["rm", "-rf", str(folder)], check=False)  # shutil cannot remove a path this long everywhere


def test_a_folder_too_deep_to_list_is_named_as_unreadable(deep: Path, tmp_path: Path) -> None:
    found = find([deep])
    assert [s.display for s in found.sources] == [str(deep / "ok.xlsx")]
    assert len(found.unlisted) == 1
    assert found.unlisted[0].reason == "无法打开（文件名或路径过长），其中的文件没有读取。请检查权限或把文件移到较短的路径下再汇总"
    result = consolidate([deep], tmp_path / "o.xlsx", jobs=1)
    unreadable = [f for f in result.findings if f.code == "file-unreadable"]
    assert [f.file for f in unreadable] == [found.unlisted[0].display]
    assert (result.forms, result.unreadable, result.unlisted, result.ok) == (1, 0, 1, False)
    assert "1 个文件夹或压缩包无法打开（见“问题清单”）" in result.line()


def test_a_folder_without_permission_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "回收"
    (folder / "锁住").mkdir(parents=True)
    shutil.copyfile(SOURCE, folder / "ok.xlsx")
    real = os.scandir

    def scandir(path: Any) -> Any:
        if str(path).endswith("锁住"):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    result = run("check", folder)
    assert result.exit_code == 1
    assert (f"{folder / '锁住'}：1 个错误，0 个警告\n  错误  （文件）         file-unreadable          无法打开（没有读取权限），"
            "其中的文件没有读取。请检查权限或把文件移到较短的路径下再汇总") in result.output


NOBODY = 65534


def as_nobody(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups", *args],
                          capture_output=True, text=True, timeout=120, cwd=cwd)


@pytest.fixture
def shared() -> Iterator[Path]:
    """A folder an unprivileged user can use (pytest's own tmp folders are private to root)."""
    if os.geteuid() != 0 or not shutil.which("setpriv"):
        pytest.skip("needs root and setpriv to act as an unprivileged user")
    folder = Path(tempfile.mkdtemp(prefix="xltools-test-"))
    folder.chmod(0o777)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_files_an_unprivileged_user_cannot_read_are_findings_not_usage_errors(shared: Path) -> None:
    folder = shared / "回收"
    (folder / "锁住").mkdir(parents=True)
    shutil.copyfile(SOURCE, folder / "ok.xlsx")
    shutil.copyfile(SOURCE, folder / "secret.xlsx")
    (folder / "secret.xlsx").chmod(0o000)
    (folder / "锁住").chmod(0o000)
    folder.chmod(0o777)
    out = shared / "汇总.xlsx"
    done = as_nobody(str(XLTOOLS), "consolidate", str(folder), "-o", str(out), "--jobs", "1", cwd=shared)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert ("共读取 2 个文件：1 份申报表已汇总，1 个文件有错误，1 个无法读取或不是本模板；1 个文件夹或压缩包无法打开"
            "（见“问题清单”）") in done.stdout
    named = subprocess.run([str(XLTOOLS), "check", "--json", str(folder / "secret.xlsx")], capture_output=True,
                           text=True, check=False, timeout=60)
    assert named.returncode == 0  # root can read it: the command is fine, only the permission differs
    direct = as_nobody(str(XLTOOLS), "check", "--json", str(folder / "secret.xlsx"), cwd=shared)
    assert direct.returncode == 1  # named directly: a finding (exit 1), not a usage error (exit 2)
    (finding,) = json.loads(direct.stdout)
    assert (finding["code"], finding["message"]) == ("file-unreadable", "文件无法打开：没有读取权限。")


def test_an_existing_read_only_output_is_refused_for_an_unprivileged_user_too(shared: Path) -> None:
    out = shared / "汇总.xlsx"
    out.write_bytes(b"locked")
    out.chmod(0o444)
    done = as_nobody(str(XLTOOLS), "consolidate", str(SOURCE), "-o", str(out), cwd=shared)
    assert (done.returncode, done.stdout) == (2, "")
    assert done.stderr == f"错误：无法写入“{out}”：这是一个只读文件。请取消只读属性，或换一个文件名。\n"
    assert out.read_bytes() == b"locked"
    # root is refused the same way: the file says it is read-only.
    assert run("consolidate", SOURCE, "-o", out).exit_code == 2 and out.read_bytes() == b"locked"


# -- writing the output ------------------------------------------------------------------------------------------

def test_a_name_too_long_fails_before_reading_and_names_the_path(tmp_path: Path) -> None:
    out = tmp_path / ("长" * 100 + ".xlsx")
    result = run("consolidate", SOURCE, "-o", out)
    assert result.exit_code == 2
    assert result.output == f"错误：无法写入“{out}”：文件名或路径过长。请换一个有写入权限的位置。\n"


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "磁盘空间不足"), (errno.EACCES, "没有写入权限"),
                                               (errno.EIO, "读写设备出错")])
def test_a_write_that_fails_part_way_names_the_chosen_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          code: int, reason: str) -> None:
    out = tmp_path / "汇总.xlsx"
    out.write_bytes(b"previous")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise OSError(code, os.strerror(code), str(tmp_path / ".xltools-abc123.xlsx"))

    monkeypatch.setattr("xltools.consolidate.sheetxml.parts", fail)
    result = run("consolidate", SOURCE, "-o", out, "--jobs", "1")
    assert result.exit_code == 2
    assert result.output == f"错误：写出“{out}”失败：{reason}。原有的文件（如有）保持不变。\n"
    assert out.read_bytes() == b"previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]


# -- zip attachments -----------------------------------------------------------------------------------------------

def zipped(path: Path, members: dict[str, bytes], **infos: Any) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_zip_attachments_within_bounds(tmp_path: Path) -> None:
    folder = tmp_path / "回收"
    folder.mkdir()
    form_bytes = SOURCE.read_bytes()
    zipped(folder / "好.zip", {"a.xlsx": form_bytes, "__MACOSX/._a.xlsx": b"mac", "内层.zip": b"PK"})
    zipped(folder / "炸弹.zip", {"big.xlsx": b"\0" * (60 * 1024 * 1024)})  # 60 MB of zeros, ~60 kB packed
    zipped(folder / "比例.zip", {"ratio.xlsx": b"\0" * (12 * 1024 * 1024)})  # over 200:1 and over 10 MB
    damaged = bytearray((folder / "好.zip").read_bytes())
    start = damaged.index(b"a.xlsx") + 6 + 200
    damaged[start:start + 64] = bytes(64)  # zeroed inside the form's deflated data
    (folder / "坏.zip").write_bytes(damaged)
    (folder / "残.zip").write_bytes(form_bytes[:100])  # not even a zip directory
    found = find([folder])
    assert sorted(s.display for s in found.sources) == sorted(
        f"{folder / z}/{m}" for z, m in (("好.zip", "a.xlsx"), ("坏.zip", "a.xlsx"), ("炸弹.zip", "big.xlsx"),
                                         ("比例.zip", "ratio.xlsx")))
    assert {(Path(s.display).name, s.reason) for s in found.skipped} == {
        ("._a.xlsx", "macOS 压缩时附带的资源文件，不是申报表，无需处理"),
        ("内层.zip", "压缩包中的压缩包不展开：请解压后把其中的申报表（.xlsx）放入回收文件夹")}
    assert [(Path(s.display).name, s.reason) for s in found.unlisted] == [
        ("残.zip", "压缩包已损坏或不完整，无法查看其中的文件。请让单位重新发送")]
    result = consolidate([folder], tmp_path / "o.xlsx", jobs=1)
    verdicts = {f.file.removeprefix(str(folder) + "/"): f.message for f in result.findings
                if f.code == "file-unreadable"}
    assert verdicts == {
        "坏.zip/a.xlsx": "压缩包中的此文件已损坏，无法解压。请让单位重新发送。",
        "炸弹.zip/big.xlsx": "压缩包中的此文件过大（60 MB），不像是一张申报表。",
        "比例.zip/ratio.xlsx": "压缩包中的此文件压缩比异常（疑似压缩炸弹），出于安全不予读取。",
        "残.zip": "压缩包已损坏或不完整，无法查看其中的文件。请让单位重新发送",
    }
    assert result.forms == 1


def test_an_encrypted_zip_member_is_unreadable(tmp_path: Path) -> None:
    path = zipped(tmp_path / "密.zip", {"a.xlsx": SOURCE.read_bytes()})
    data = bytearray(path.read_bytes())
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):  # set bit 0, "encrypted", as a tool would
        at = data.index(signature)
        data[at + flag_at] |= 1
    path.write_bytes(data)
    result = consolidate([path], tmp_path / "o.xlsx", jobs=1)
    assert [(f.code, f.message) for f in result.findings] == [
        ("file-unreadable", "压缩包中的此文件已加密（设置了解压密码），无法读取。请让单位发送未加密的文件。")]


# -- a worker that fails in a way that cannot come back ----------------------------------------------------------

class Unpicklable(Exception):
    def __reduce__(self) -> Any:
        raise TypeError("cannot pickle this")


class Panic(BaseException):
    """What pyo3 raises for a Rust panic: not an Exception."""


def test_a_failure_that_cannot_be_pickled_never_fails_its_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             ) -> None:
    folder = tmp_path / "回收"
    for i in range(12):
        write(folder, f"{i:02d}.xlsx", form("甲局", f"项目{i}", [1.0]))
    real = rows.read_source

    def flaky(source: Any, frameworks: Any = None, scratch: Any = None) -> rows.FileRows:
        if source.path.endswith("03.xlsx"):
            raise Unpicklable("boom")
        if source.path.endswith("07.xlsx"):
            raise Panic("TimeDelta::milliseconds out of bounds")
        if source.path.endswith("09.xlsx"):
            result = real(source, frameworks, scratch)
            result.findings.append(Unpicklable("in the result"))  # type: ignore[arg-type]
            return result
        return real(source, frameworks, scratch)

    monkeypatch.setattr("xltools.consolidate.rows.read_source", flaky)
    result = consolidate([folder], tmp_path / "o.xlsx", jobs=2)
    assert (result.files, result.forms) == (12, 9)
    bad = [(Path(f.file).name, f.code, f.message) for f in result.findings]
    message = "读取此文件时程序出错，未能检查。请把此文件交给技术支持；其余文件不受影响。"
    assert bad == [("03.xlsx", "file-unreadable", message), ("07.xlsx", "file-unreadable", message),
                   ("09.xlsx", "file-unreadable", message)]
    assert all("Error" not in m and "Panic" not in m for _n, _c, m in bad)


# -- last year must be last year ---------------------------------------------------------------------------------

def test_a_previous_of_the_same_year_is_refused_naming_both_years(tmp_path: Path) -> None:
    this_year = tmp_path / "本年.xlsx"
    assert run("consolidate", SOURCE, "-o", this_year).exit_code == 0
    out = tmp_path / "汇总.xlsx"
    result = run("consolidate", SOURCE, "--previous", this_year, "-o", out)
    assert result.exit_code == 2
    assert result.output == (f"错误：--previous “{this_year}” 是 2019 年度的汇总，本次汇总的申报表是 2019 年度的：上年汇总应早于"
                             "本年度。请给出 2018 年度的汇总表。\n")
    assert not out.exists()
    same = run("consolidate", SOURCE, "--previous", this_year, "-o", this_year)
    assert same.exit_code == 2 and "就是 --previous 给出的上年汇总表" in same.output


def test_an_annotated_copy_that_cannot_be_written_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(*args: Any, **kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("xltools.annotate.write_copy", full)
    back = tmp_path / "退回"
    result = run("consolidate", SOURCE, "-o", tmp_path / "汇总.xlsx", "--annotate", back)
    assert result.exit_code == 2
    assert result.output == f"错误：写出“{back / SOURCE.name}”失败：磁盘空间不足。原有的文件（如有）保持不变。\n"
