"""Which files a folder or a list of names stands for."""

from __future__ import annotations

import os
from pathlib import Path

from xltools.discover import discover


def touch(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return path


def test_folders_are_searched_recursively_in_a_stable_order(tmp_path: Path) -> None:
    for name in ("b.xlsx", "a-b/c.XLSX", "a/b/d.xlsm", "a/e.xls", "a/f.ods", "a/notes.txt", "a/~$e.xls",
                 "a/.~f.ods"):
        touch(tmp_path / name)
    found = discover([tmp_path])
    # Path order (by parts), not string order: "a/..." sorts before "a-b/..."
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "a/b/d.xlsm", "a/e.xls", "a/f.ods", "a-b/c.XLSX", "b.xlsx"]


def test_a_file_named_directly_is_kept_whatever_its_extension(tmp_path: Path) -> None:
    named = touch(tmp_path / "form.txt")
    assert discover([named]) == [named]


def test_a_file_reached_twice_is_listed_once(tmp_path: Path) -> None:
    a = touch(tmp_path / "in" / "a.xlsx")
    os.link(a, tmp_path / "in" / "hardlink.xlsx")
    (tmp_path / "elsewhere").mkdir()
    os.symlink(a, tmp_path / "elsewhere" / "link.xlsx")
    found = discover([a, tmp_path / "in", tmp_path / "elsewhere", str(a)])
    assert found == [a]


def test_a_linked_folder_is_not_followed_so_a_loop_ends(tmp_path: Path) -> None:
    a = touch(tmp_path / "in" / "a.xlsx")
    os.symlink(tmp_path / "in", tmp_path / "in" / "loop")
    assert discover([tmp_path / "in"]) == [a]
