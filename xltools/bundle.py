"""`xltools bundle`: the folder the bureau copies to staff PCs, so the button and the add-in work there without
network; `xltools bundle --bureau`: the bureau's own, with the bureau extra (pandas, pandera, pyarrow) and the add-in's
局里 group.

The folder (names are the constants below):

* ``wheels/``: xltools' own wheel and the wheels of its staff dependencies for Windows x64 and one CPython version,
  fetched with pip's platform options (``--platform win_amd64 --python-version 3.X --only-binary=:all:``). pip
  evaluates environment markers for the machine it runs on, not for the target, so requirements that only Windows
  needs (pywin32 for xlwings, colorama for click) are found here, by evaluating every wheel's ``Requires-Dist`` for
  the target, and fetched in a second round; wheels only the bureau's machine would need are left out.
* ``xltools.xlam``: the add-in (:mod:`xltools.addin`): 填报 for staff; 填报 and 局里 in the bureau's bundle.
* ``安装.bat`` and ``卸载.bat`` (from ``xltools/data/bundle/``): a venv in ``%LOCALAPPDATA%\\xltools\\venv`` installed
  from ``wheels/`` with ``--no-index``, the user's ``xlwings.conf`` pointing the .xlsm's button at its ``pythonw.exe``,
  the Mark of the Web taken off the templates and the add-in, and the add-in copied into the user's
  ``%APPDATA%\\Microsoft\\Excel\\XLSTART`` (Excel opens what is there at start and trusts it; no registry change).
  See docs/excel-button.md.
* ``说明.txt``: what is installed where, how to undo it, what WPS users do.
* ``模板/``: the template (.xlsx and its .xlsm twin), or one pair per unit of ``units.csv``.

Encodings. cmd.exe decodes a batch file line by line in the console's code page (it has no notion of a BOM: a
UTF-8 BOM would be a garbage command on line 1). The batch files are therefore GBK (code page 936, what Chinese
Windows uses as its console code page) with CRLF line endings, and they begin with ASCII lines that switch the
console to 936 (``chcp 936``) before the first Chinese line: they read right on any Windows, including one set to
another code page or to "UTF-8 for worldwide language support". UTF-8 with ``chcp 65001`` was not chosen: cmd's
handling of UTF-8 batch files has a history of misread lines, while code page 936 batch files have been read by
every Chinese Windows for decades. ``说明.txt`` is UTF-8 with a BOM (Notepad on every Windows reads that right).
"""

from __future__ import annotations

import email.parser
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import Message
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from xltools import __version__, spec
from xltools.addin import ADDIN_FILENAME
from xltools.addin.xlam import build_addin
from xltools.atomic import ensure_writable, os_reason

if TYPE_CHECKING:
    from packaging.requirements import Requirement
    from packaging.tags import Tag

PYTHON_VERSIONS = ("3.11", "3.12", "3.13")
DEFAULT_PYTHON = "3.13"
PLATFORM = "win_amd64"
INSTALL_BAT = "安装.bat"
UNINSTALL_BAT = "卸载.bat"
README = "说明.txt"
WHEELS = "wheels"
TEMPLATES = "模板"
BUREAU_EXTRA = "bureau"
BAT_ENCODING = "gbk"  # code page 936; the batch files switch the console to it first (see above)
README_ENCODING = "utf-8-sig"
# What pip is asked to fetch per round, at most: the second round adds what only Windows needs; a third is spare.
MAX_ROUNDS = 3

Log = Callable[[str], None]


class BundleError(Exception):
    """The bundle cannot be made as asked. ``str(error)`` is a Chinese reason for the bureau."""


@dataclass
class Bundle:
    """A bundle written: its folder, the Python it is for, xltools' version, and what it holds."""

    folder: Path
    python: str
    version: str
    wheels: list[Path]
    templates: list[Path]
    addin: Path
    bureau: bool = False  # the bureau's bundle: the bureau extra and the 局里 group

    @property
    def scripts(self) -> list[Path]:
        return [self.folder / INSTALL_BAT, self.folder / UNINSTALL_BAT, self.folder / README]


def _silent(_message: str) -> None:
    pass


def write_bundle(
    out: str | Path,
    *,
    python: str = DEFAULT_PYTHON,
    units_csv: str | Path | None = None,
    year: int | None = None,
    password: str | None = None,
    find_links: str | Path | None = None,
    log: Log = _silent,
    bureau: bool = False,
) -> Bundle:
    """Write the staff bundle (``bureau``: the bureau's) into ``out`` (absent or empty). ``find_links``: take wheels
    from this folder only (``pip --no-index --find-links``) instead of the package index. Raises BundleError,
    OutputError (``out`` not writable) or UnitsFileError (``units_csv``)."""
    if python not in PYTHON_VERSIONS:
        raise BundleError(f"不支持的 Python 版本“{python}”：可选 {'、'.join(PYTHON_VERSIONS)}。")
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise BundleError(f"“{out}”已存在且不是空文件夹：请换一个新的文件夹名，安装包只写进新文件夹。")
    ensure_writable(out.parent, folder=True)
    # Everything is made in a hidden sibling and moved into place at the end: a failure leaves no half bundle.
    staging = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        log("生成模板……")
        templates = write_templates(staging / TEMPLATES, units_csv, year, password)
        log(f"生成加载项 {ADDIN_FILENAME}……")
        addin = build_addin(staging, bureau=bureau).path
        log("生成 xltools 自身的安装包……")
        own = xltools_wheel(staging / WHEELS, find_links)
        version = wheel_version(own)
        log(f"取得 Windows 64 位、Python {python} 的安装包{'（本地文件夹）' if find_links else '（联网）'}……")
        extras = (BUREAU_EXTRA,) if bureau else ()
        wheels = [own, *fetch_wheels(staging / WHEELS, requirement_specs(own, python, extras), python,
                                     find_links=find_links)]
        log(f"写出 {INSTALL_BAT}、{UNINSTALL_BAT}、{README}……")
        write_scripts(staging, python, version, wheels, bureau)
        _publish(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return Bundle(out, python, version, sorted(out / p.relative_to(staging) for p in wheels),
                  [out / p.relative_to(staging) for p in templates], out / addin.name, bureau)


def _publish(staging: Path, out: Path) -> None:
    # mkdtemp makes the folder private (0700); the bundle is meant to be copied and shared like any folder.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    if out.exists():
        out.rmdir()  # empty (checked above); os.replace cannot put a folder over a folder on Windows
    os.replace(staging, out)


# -- templates --------------------------------------------------------------------------------------------------


def write_templates(folder: Path, units_csv: str | Path | None, year: int | None, password: str | None) -> list[Path]:
    """The template and its .xlsm twin (one pair per unit with ``units_csv``), as ``xltools template`` writes."""
    from xltools.data import DEFAULT_FRAMEWORK
    from xltools.distribute import write_forms
    from xltools.template import TemplateError

    year = year or spec.DEFAULT_YEAR
    password = spec.DEFAULT_PASSWORD if password is None else password
    try:
        forms = write_forms(folder, year, password, DEFAULT_FRAMEWORK, units_csv)
    except TemplateError as exc:
        raise BundleError(str(exc)) from exc
    if forms.missing_macro is not None:
        raise BundleError(f"找不到按钮宏源码 {forms.missing_macro}（xltools 安装不完整，请重新安装）。")
    return forms.files


# -- xltools' own wheel ------------------------------------------------------------------------------------------


def source_tree(package_file: str | Path | None = None) -> Path | None:
    """The checkout xltools runs from (the folder with its pyproject.toml), or None for an installed wheel."""
    import xltools

    root = Path(package_file or xltools.__file__).resolve().parents[1]
    try:
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8")).get("project", {})
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return root if project.get("name") == "xltools" else None


def xltools_wheel(dest: Path, find_links: str | Path | None = None) -> Path:
    """xltools' wheel in ``dest``: built from the checkout, else the one for this version in ``find_links``."""
    dest.mkdir(parents=True, exist_ok=True)
    root = source_tree()
    if root is not None:
        return build_wheel(root, dest)
    name = f"xltools-{__version__}-py3-none-any.whl"
    if find_links is not None and (Path(find_links) / name).is_file():
        return Path(shutil.copy2(Path(find_links) / name, dest / name))
    raise BundleError(f"找不到 xltools 的源码，无法生成 {name}：请在 xltools 的源码目录（含 pyproject.toml）"
                      f"安装的环境中运行，或用 --wheels 指定含 {name} 的文件夹。")


def build_wheel(root: Path, dest: Path, *, isolated: bool | None = None) -> Path:
    """Build xltools' wheel from the checkout at ``root`` into ``dest``, as pip builds it.

    Built from a copy: setuptools leaves a build/ folder in the tree it builds. ``isolated`` None: without build
    isolation (offline) when this environment has a setuptools that reads pyproject.toml's license string (77 or
    later), else isolated (pip fetches setuptools)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "src"
        for name in ("xltools", "macros"):
            shutil.copytree(root / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(root / name, source / name)
        built = Path(tmp) / "wheel"
        if isolated is None:
            isolated = not _setuptools_reads_license_strings()
        _pip(["wheel", "--no-deps", "-w", str(built), *([] if isolated else ["--no-build-isolation"]), str(source)],
             "生成 xltools 自身的安装包")
        (wheel,) = built.glob("xltools-*.whl")
        dest.mkdir(parents=True, exist_ok=True)
        return Path(shutil.copy2(wheel, dest / wheel.name))


def _setuptools_reads_license_strings() -> bool:
    try:
        return int(importlib.metadata.version("setuptools").split(".")[0]) >= 77
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return False


# -- the dependencies ---------------------------------------------------------------------------------------------


def target_environment(python: str) -> dict[str, str]:
    """Environment markers as a 64-bit CPython ``python`` on Windows evaluates them (no extras asked for)."""
    return {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows", "platform_machine": "AMD64",
        "platform_release": "10", "platform_version": "10.0.19045",
        "implementation_name": "cpython", "platform_python_implementation": "CPython",
        "python_version": python, "python_full_version": f"{python}.0", "implementation_version": f"{python}.0",
        "extra": "",
    }


def wheel_metadata(path: Path) -> Message:
    """The METADATA of a wheel (its ``*.dist-info/METADATA``)."""
    try:
        with zipfile.ZipFile(path) as zf:
            member = next(n for n in zf.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n))
            return email.parser.BytesParser().parsebytes(zf.read(member), headersonly=True)
    except (OSError, zipfile.BadZipFile, StopIteration) as exc:
        raise BundleError(f"安装包 {path.name} 已损坏或不是 wheel 文件。") from exc


def wheel_version(path: Path) -> str:
    return str(wheel_metadata(path)["Version"])


def target_requirements(path: Path, python: str, extras: Sequence[str] = ()) -> list[Requirement]:
    """What the wheel at ``path`` requires on Windows x64 under CPython ``python``, with its ``extras``."""
    from packaging.requirements import Requirement

    envs = [{**target_environment(python), "extra": extra} for extra in ("", *extras)]
    reqs = [Requirement(text) for text in wheel_metadata(path).get_all("Requires-Dist") or []]
    return [r for r in reqs if r.marker is None or any(r.marker.evaluate(env) for env in envs)]


def requirement_specs(path: Path, python: str, extras: Sequence[str] = ()) -> list[str]:
    """The wheel's target requirements as pip arguments (name, extras and versions; the marker already applied)."""
    return [_spec(req) for req in target_requirements(path, python, extras)]


def _spec(req: Requirement) -> str:
    """A requirement for pip's command line without its marker: pip would judge the marker for this machine."""
    extras = f"[{','.join(sorted(req.extras))}]" if req.extras else ""
    return f"{req.name}{extras}{req.specifier}"


def fetch_wheels(dest: Path, requirements: Sequence[str], python: str, *,
                 find_links: str | Path | None = None) -> list[Path]:
    """Wheels for Windows x64 and CPython ``python`` of ``requirements`` and of everything they need there, into
    ``dest``; from the package index, or only from the folder ``find_links``. Each round is one pip resolution
    into a fresh folder, so the wheels kept always come from one consistent resolution."""
    from packaging.requirements import Requirement

    roots = [Requirement(text) for text in requirements]
    asked = list(requirements)
    missing: list[Requirement] = []
    for _ in range(MAX_ROUNDS):
        with tempfile.TemporaryDirectory() as tmp:
            got = Path(tmp)
            _pip_download(got, asked, python, find_links)
            needed, missing = _closure(got, roots, python)
            if not missing:
                dest.mkdir(parents=True, exist_ok=True)
                kept = [Path(shutil.move(wheel, dest / wheel.name)) for wheel in needed]
                check_tags(kept, python)
                return sorted(kept)
        asked += [_spec(req) for req in missing]
    raise BundleError(f"无法凑齐 Windows 上需要的安装包（仍缺：{'、'.join(_spec(r) for r in missing)}）。")


def _closure(folder: Path, roots: list[Requirement], python: str) -> tuple[list[Path], list[Requirement]]:
    """(wheels in ``folder`` that Windows needs, requirements no wheel in ``folder`` meets), from ``roots``."""
    from packaging.utils import canonicalize_name, parse_wheel_filename

    by_name = {parse_wheel_filename(p.name)[0]: p for p in folder.glob("*.whl")}
    needed: dict[str, Path] = {}
    missing: dict[str, Requirement] = {}
    queue = list(roots)
    while queue:
        req = queue.pop(0)
        name = canonicalize_name(req.name)
        if name in needed or name in missing:
            continue
        wheel = by_name.get(name)
        if wheel is None:
            missing[name] = req
            continue
        needed[name] = wheel
        queue.extend(target_requirements(wheel, python))
    return list(needed.values()), list(missing.values())


def supported_tags(python: str) -> set[Tag]:
    """The wheel tags pip on 64-bit Windows with CPython ``python`` accepts."""
    from packaging import tags

    major, minor = (int(part) for part in python.split("."))
    interpreter = f"cp{major}{minor}"
    return (set(tags.cpython_tags((major, minor), platforms=[PLATFORM]))
            | set(tags.compatible_tags((major, minor), interpreter, [PLATFORM])))


def check_tags(wheels: Sequence[Path], python: str) -> None:
    from packaging.utils import parse_wheel_filename

    supported = supported_tags(python)
    wrong = [w.name for w in wheels if not parse_wheel_filename(w.name)[3] & supported]
    if wrong:
        raise BundleError(f"这些安装包不适用于 Windows 64 位 Python {python}：{'、'.join(wrong)}。")


def _pip_download(dest: Path, requirements: Sequence[str], python: str, find_links: str | Path | None) -> None:
    index = ["--no-index", "--find-links", str(find_links)] if find_links is not None else []
    _pip(["download", "--dest", str(dest), "--only-binary=:all:", "--platform", PLATFORM,
          "--python-version", python, "--implementation", "cp", *index, *requirements],
         f"下载 Windows 64 位、Python {python} 的安装包")


def _pip(args: list[str], what: str) -> None:
    command = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", *args]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BundleError(f"{what}失败：无法运行 pip（{os_reason(exc)}）。") from exc
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-8:])
        raise BundleError(f"{what}失败（pip 退出码 {done.returncode}）。请检查网络或 --wheels 文件夹。pip 的输出：\n{tail}")


# -- the scripts --------------------------------------------------------------------------------------------------


def render(name: str, values: dict[str, str]) -> str:
    """A text of ``xltools/data/bundle/`` with its ``@KEY@`` placeholders filled in (LF line endings)."""
    text = resources.files("xltools.data").joinpath("bundle", name).read_text(encoding="utf-8")
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    left = re.findall(r"@[A-Z_]+@", text)
    assert not left, f"{name}: unfilled {left}"
    return text


def crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def write_scripts(folder: Path, python: str, version: str, wheels: Sequence[Path], bureau: bool = False) -> list[Path]:
    """安装.bat and 卸载.bat (GBK, CRLF) and 说明.txt (UTF-8 with BOM, CRLF) in ``folder``; ``bureau``: the bureau's."""
    values = {"PYTHON": python, "VERSION": version, "WHEELS": WHEELS, "TEMPLATES": TEMPLATES, "ADDIN": ADDIN_FILENAME,
              "REQUIREMENT": f"xltools[{BUREAU_EXTRA}]" if bureau else "xltools",
              "IMPORTS": ", pandas, pandera" if bureau else "", "KIND": "局里" if bureau else "员工电脑",
              "GROUPS": "“填报”和“局里”两组" if bureau else "“填报”一组"}
    listed = []
    for wheel in sorted(wheels, key=lambda p: p.name.lower()):
        meta = wheel_metadata(wheel)
        listed.append(f"    {meta['Name']} {meta['Version']}")
    files = {
        INSTALL_BAT: crlf(render("install.bat", values)).encode(BAT_ENCODING),
        UNINSTALL_BAT: crlf(render("uninstall.bat", values)).encode(BAT_ENCODING),
        README: crlf(render("readme.txt", {**values, "WHEEL_LIST": "\n".join(listed)})).encode(README_ENCODING),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]
