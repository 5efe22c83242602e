"""Fault injection in `make test`: a fast deterministic subset of tests/faults (the long run: `make test-faults`).

One mutant of every recipe (byte, zip-structure, XML and value faults of real returns of both template versions)
through `xltools check` as a new process, each answered within 5 s with findings or a Chinese refusal, never a
traceback, panic or abort; then all of them with two good returns through one `xltools consolidate --jobs 2`:
nothing lost, the good forms consolidated, an output openpyxl (and LibreOffice) can load. Then the faults of the
command line around a read: a hostile ``--previous``, an annotated copy of a damaged source, a file that cannot be
read, and the file system and command line around a run (file names, listing, units lists, outputs, exit codes).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.faults import harness, mutants
from tests.faults.mutants import RECIPES, SOURCES
from xltools import spec

FAST = [mutants.make(recipe, SOURCES[i % len(SOURCES)]) for i, recipe in enumerate(sorted(RECIPES))]
GOOD = [SOURCES[0], SOURCES[-1]]


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Path]]:
    folder = tmp_path_factory.mktemp("faults") / "in"
    folder.mkdir()
    for m in FAST:
        (folder / m.name).write_bytes(m.data)
    good = [folder / f"good-{i}-{p.name}" for i, p in enumerate(GOOD)]
    for src, dst in zip(GOOD, good, strict=True):
        shutil.copy(src, dst)
    return folder, good


@pytest.fixture(scope="module")
def answers(batch: tuple[Path, list[Path]]) -> dict[str, harness.Answer]:
    folder, _good = batch
    with ThreadPoolExecutor(2) as pool:  # two cores: two checks at a time, each still bounded on its own
        return dict(zip((m.name for m in FAST), pool.map(harness.check, (folder / m.name for m in FAST)), strict=True))


@pytest.mark.parametrize("name", [m.name for m in FAST])
def test_each_input_is_answered_by_check_within_the_bound(name: str, answers: dict[str, harness.Answer]) -> None:
    answer = answers[name]
    assert answer.verdict in ("answered", "refused"), answer.detail
    assert answer.seconds < harness.BOUND


def test_the_subset_covers_every_kind_and_every_template_version() -> None:
    assert {m.kind for m in FAST} == {"byte", "zip", "xml", "value"}
    assert {mutants.version(m.source) for m in FAST} == set(spec.SUPPORTED_VERSIONS)


@pytest.fixture(scope="module")
def consolidated(batch: tuple[Path, list[Path]], tmp_path_factory: pytest.TempPathFactory,
                 ) -> tuple[harness.Answer, Path]:
    folder, good = batch
    out = tmp_path_factory.mktemp("faults-out") / "汇总.xlsx"
    inputs = len(FAST) + len(good)
    return harness.consolidate(folder, out, good, bound=harness.BOUND * inputs), out


def test_the_batch_is_consolidated_nothing_lost(consolidated: tuple[harness.Answer, Path]) -> None:
    answer, out = consolidated
    assert answer.verdict == "answered", answer.detail
    assert harness.unfit(out) is None


@pytest.mark.libreoffice
def test_libreoffice_opens_the_consolidated_output(consolidated: tuple[harness.Answer, Path],
                                                  batch: tuple[Path, list[Path]], tmp_path: Path) -> None:
    from tests import libreoffice

    _answer, out = consolidated
    csv = libreoffice.convert([out], "csv:Text - txt - csv (StarCalc):44,34,76", tmp_path)[0]  # 76: UTF-8
    text = csv.read_text(encoding="utf-8")
    assert text.startswith("项目名称,") or "项目名称" in text.splitlines()[0]  # 项目汇总, the first sheet
    assert all(g.name in text for g in batch[1])  # the good forms' rows came through (来源文件 shows the name)


# -- the command line around a read ----------------------------------------------------------------------------

def run(*args: str, user: int | None = None) -> subprocess.CompletedProcess[str]:
    prefix = ["setpriv", f"--reuid={user}", f"--regid={user}", "--clear-groups", "--inh-caps=-all",
              "--bounding-set=-all"] if user is not None else []
    return subprocess.run([*prefix, harness.XLTOOLS, *args], capture_output=True, text=True, timeout=120,
                          check=False)


def clean(done: subprocess.CompletedProcess[str]) -> None:
    assert harness.FORBIDDEN.search(done.stdout + done.stderr) is None, done.stdout + done.stderr


@pytest.mark.parametrize("recipe", ["far-tab", "far-prefix", "zip-crc", "comment-c"])
def test_a_hostile_previous_consolidation_is_refused_or_read_never_a_crash(recipe: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SOURCES[0], folder / "form.xlsx")
    previous = tmp_path / "previous.xlsx"
    previous.write_bytes(mutants.make(recipe, SOURCES[0]).data)
    done = run("consolidate", str(folder), "-o", str(tmp_path / "out.xlsx"), "--previous", str(previous))
    clean(done)
    # A form is no consolidation: refused before any form is read, with the reason (here: what it is not).
    assert done.returncode == 2
    assert f"--previous “{previous}” 不是 xltools 汇总结果：" in done.stderr


def test_a_previous_consolidation_with_a_far_value_names_the_range(tmp_path: Path) -> None:
    from tests.faults import zips

    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SOURCES[0], folder / "form.xlsx")
    first = run("consolidate", str(folder), "-o", str(tmp_path / "last.xlsx"))
    assert first.returncode in (0, 1), first.stderr
    last = (tmp_path / "last.xlsx").read_bytes()
    hostile = tmp_path / "previous.xlsx"
    hostile.write_bytes(mutants.in_sheet(mutants.FAR_CELLS["far-single-quotes"].encode(), "项目汇总")(last, None))  # type: ignore[arg-type]
    done = run("consolidate", str(folder), "-o", str(tmp_path / "out.xlsx"), "--previous", str(hostile))
    clean(done)
    assert done.returncode == 2
    assert "的范围异常（1048576 行 × 16384 列），出于安全不予读取" in done.stderr
    assert zips.member_of(last, "项目汇总")


def test_an_annotated_copy_of_a_damaged_source_is_declined_with_the_reason(tmp_path: Path) -> None:
    from tests.faults import zips

    data = SOURCES[0].read_bytes()
    damaged = tmp_path / "form.xlsx"
    damaged.write_bytes(zips.set_crc(data, zips.member_of(data, "_checks"), 1))  # a part check never reads
    done = run("check", str(damaged), "--annotate", str(tmp_path / "out"))
    clean(done)
    assert done.returncode == 0  # the form itself reads: warnings only
    assert "未能标注：原文件无法读取，不能在其中标注：文件已损坏或不完整（内部数据无法解压或校验不符）" in done.stderr


def test_a_panicking_date_in_a_worker_batch_loses_nothing(tmp_path: Path) -> None:
    """Enough files for the process pool; the -1E+308 date (a panic in calamine) is a finding at its cell."""
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        shutil.copy(SOURCES[i % 5], folder / f"form{i}.xlsx")
    (folder / "panic.xlsx").write_bytes(mutants.make("date-minus-1e308", SOURCES[0]).data)
    answer = harness.consolidate(folder, tmp_path / "out.xlsx", sorted(folder.glob("form*.xlsx")), bound=60)
    assert answer.verdict == "answered", answer.detail
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["问题清单"]
    found = [(r[2], r[3]) for r in ws.iter_rows(values_only=True) if r and str(r[0]).endswith("panic.xlsx")]
    assert ("B8", "date-invalid") in found and not any(code == "file-unreadable" for _cell, code in found)


def test_a_file_that_cannot_be_read_is_named_as_unreadable_not_unwritable(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    from xltools import package
    from xltools.engine import check_file

    def denied(*_args: object, **_kw: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(package, "open", denied, raising=False)
    assert [(f.code, f.message) for f in check_file(SOURCES[0]).findings] == [
        ("file-unreadable", "文件无法打开：没有读取权限。")]


# -- cases the issue-15 branch fixes (its files: cli.py, discover.py, units.py, atomic.py, consolidate/) --------

needs_unprivileged = pytest.mark.skipif(os.geteuid() != 0 or shutil.which("setpriv") is None,
                                        reason="runs a command as another user (root with setpriv)")


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A folder an unprivileged user can reach (pytest's own are private to root)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="xltools-faults-", dir="/tmp"))
    folder.chmod(0o777)
    yield folder  # type: ignore[misc]
    for p in folder.rglob("*"):
        p.chmod(0o777)
    shutil.rmtree(folder)


@needs_unprivileged
def test_an_unreadable_file_is_file_unreadable_with_exit_1(shared: Path) -> None:
    form = shared / "form.xlsx"
    shutil.copy(SOURCES[0], form)
    form.chmod(0)
    done = run("check", str(form), user=65534)
    clean(done)
    assert done.returncode == 1 and "文件无法打开：没有读取权限。" in done.stdout


def _gbk_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    name = os.fsdecode(b"\xb5\xa5\xce\xbb-" + "申报表".encode("gbk") + b".xlsx")  # as unzip leaves a Windows zip
    shutil.copy(SOURCES[0], folder / name)
    shutil.copy(SOURCES[1], folder / "utf8.xlsx")
    return folder


def test_a_file_name_in_gbk_bytes_is_checked_and_consolidated(tmp_path: Path) -> None:
    folder = _gbk_folder(tmp_path)
    answer = harness.check(folder)
    assert answer.verdict == "answered", answer.detail
    done = run("consolidate", str(folder), "-o", str(tmp_path / "out.xlsx"))
    clean(done)
    assert done.returncode in (0, 1)


def test_a_form_17_folders_deep_is_not_lost(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SOURCES[1], folder / "shallow.xlsx")
    fd = os.open(folder, os.O_RDONLY)
    try:
        for i in range(17):  # made folder by folder (openat): the whole path is beyond what one call may name
            name = f"{i:02d}-" + "很长的文件夹名称" * 10  # 243 bytes: 17 of them pass 4,096
            os.mkdir(name, dir_fd=fd)
            inner = os.open(name, os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
        out = os.open("deep.xlsx", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, SOURCES[0].read_bytes())
        os.close(out)
    finally:
        os.close(fd)
    done = run("consolidate", str(folder), "-o", str(tmp_path / "out.xlsx"))
    clean(done)
    # The shallow form is read; the folder whose path is too long to open is named in the summary and in 问题清单.
    assert done.returncode == 1 and "1 个文件夹或压缩包无法打开" in done.stdout, done.stdout
    assert any("很长的文件夹名称" in name for name in harness.named_files(tmp_path / "out.xlsx")["问题清单"])


@needs_unprivileged
def test_a_subfolder_that_cannot_be_listed_is_named(shared: Path) -> None:
    folder = shared / "in"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(SOURCES[0], folder / "locked" / "form.xlsx")
    shutil.copy(SOURCES[1], folder / "open.xlsx")
    (folder / "locked").chmod(0)
    folder.chmod(0o777)
    done = run("consolidate", str(folder), "-o", str(shared / "out.xlsx"), user=65534)
    clean(done)
    assert done.returncode == 1 and "1 个文件夹或压缩包无法打开" in done.stdout, done.stdout
    assert any(name.endswith("locked") for name in harness.named_files(shared / "out.xlsx")["问题清单"])


@pytest.mark.parametrize(("content", "code", "said"), [
    ("单位名称,控制数\r" + "甲局,1\r", 0, "单位清单 1 个单位中 1 个未报送"),  # read as lines
    ("单位名称,控制数\n" + "甲" * 200_000 + ",1\n", 2, "第 2 行的“单位名称”过长（200000 个字符）"),
], ids=["old-mac-line-ends", "200k-cell"])
def test_a_strange_units_csv_is_a_clear_message(content: str, code: int, said: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SOURCES[0], folder / "form.xlsx")
    units = tmp_path / "units.csv"
    units.write_text(content, encoding="utf-8", newline="")
    done = run("consolidate", str(folder), "-o", str(tmp_path / "out.xlsx"), "--units", str(units))
    clean(done)
    assert done.returncode == code and said in done.stderr + done.stdout, done.stderr + done.stdout


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".csv"])
def test_an_output_that_is_not_xlsx_is_refused(suffix: str, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SOURCES[0], folder / "form.xlsx")
    done = run("consolidate", str(folder), "-o", str(tmp_path / f"汇总{suffix}"))
    clean(done)
    assert done.returncode == 2 and not (tmp_path / f"汇总{suffix}").exists()


@needs_unprivileged
def test_an_output_onto_a_read_only_file_is_refused(shared: Path) -> None:
    folder = shared / "in"
    folder.mkdir()
    shutil.copy(SOURCES[0], folder / "form.xlsx")
    folder.chmod(0o755)
    (folder / "form.xlsx").chmod(0o644)
    out = shared / "汇总.xlsx"
    out.write_bytes(b"keep")
    out.chmod(0o444)
    done = run("consolidate", str(folder), "-o", str(out), user=65534)
    clean(done)
    assert done.returncode == 2 and out.read_bytes() == b"keep"
