"""`xltools bundle`: the folder for staff PCs (wheels for Windows x64, 安装.bat, 卸载.bat, 说明.txt, templates).

Offline over a local folder of wheels (tests/wheels.py writes them; pip resolves them as real ones), except one
test marked ``network`` that downloads the real wheels from the package index. The batch files cannot run here
(no Windows): their commands are asserted line by line, and their bytes decoded as cmd.exe will decode them.
"""

from __future__ import annotations

import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from packaging.utils import canonicalize_name, parse_wheel_filename

from tests.wheels import make_wheel
from xltools import __version__, bundle, spec
from xltools.cli import main
from xltools.engine import check_file

PY = "3.12"
WIN = "cp312-cp312-win_amd64"
WHEEL_NAMES = {  # what a Windows PC with Python 3.12 needs, and nothing else
    f"xltools-{__version__}-py3-none-any.whl",
    "openpyxl-3.1.5-py2.py3-none-any.whl",
    "et_xmlfile-2.0.0-py3-none-any.whl",
    f"xlwings-0.37.8-{WIN}.whl",
    f"pywin32-311-{WIN}.whl",
    f"python_calamine-0.9.1-{WIN}.whl",
    "defusedxml-0.7.1-py2.py3-none-any.whl",
    "olefile-0.47-py2.py3-none-any.whl",
    "click-8.1.8-py3-none-any.whl",
    "colorama-0.4.6-py2.py3-none-any.whl",
}


def local_index(folder: Path) -> Path:
    """Wheels as an index would offer them: the right ones, plus ones for Linux, another Python, the bureau's
    extras and a Linux-only dependency, none of which may reach the bundle."""
    make_wheel(folder, "openpyxl", "3.1.5", "py2.py3-none-any", ("et_xmlfile",))
    make_wheel(folder, "et_xmlfile", "2.0.0", requires=('linuxonly; sys_platform == "linux"',))
    make_wheel(folder, "linuxonly", "1.0")
    xlwings_requires = ('pywin32>=224; platform_system == "Windows"', 'psutil>=2.0.0; platform_system == "Darwin"',
                        'pandas; extra == "all"')
    make_wheel(folder, "xlwings", "0.37.8", WIN, xlwings_requires)
    make_wheel(folder, "xlwings", "0.37.8", "cp312-cp312-manylinux_2_17_x86_64", xlwings_requires)
    make_wheel(folder, "xlwings", "0.37.8", "cp313-cp313-win_amd64", xlwings_requires)
    make_wheel(folder, "pywin32", "311", WIN)
    make_wheel(folder, "python_calamine", "0.9.1", WIN)
    make_wheel(folder, "python_calamine", "0.9.1", "cp312-cp312-manylinux_2_17_x86_64")
    make_wheel(folder, "defusedxml", "0.7.1", "py2.py3-none-any")
    make_wheel(folder, "olefile", "0.47", "py2.py3-none-any")
    make_wheel(folder, "click", "8.1.8", requires=('colorama; platform_system == "Windows"',))
    make_wheel(folder, "colorama", "0.4.6", "py2.py3-none-any")
    make_wheel(folder, "pandas", "2.2.3", WIN, ("numpy>=1.26",))
    make_wheel(folder, "numpy", "2.1.0", WIN)
    return folder


@pytest.fixture(scope="module", autouse=True)
def hermetic_pip() -> Iterator[None]:
    """pip here reads no configuration (this machine's adds indexes and constraints): only what the test gives."""
    with pytest.MonkeyPatch.context() as mp:
        for name in [n for n in os.environ if n.startswith("PIP_")]:
            mp.delenv(name)
        mp.setenv("PIP_CONFIG_FILE", os.devnull)
        yield


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["bundle", *args])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bundle written offline into a path with Chinese characters and spaces."""
    root = tmp_path_factory.mktemp("bundle")
    index = local_index(root / "index")
    out = root / "局里 文件" / "员工 安装包"
    result = run("--out", str(out), "--python", PY, "--wheels", str(index))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(out)
    return out


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def test_the_bundle_holds_the_wheels_the_scripts_and_the_templates(made: Path) -> None:
    template = spec.TEMPLATE_FILENAME
    assert files(made) == {
        "安装.bat", "卸载.bat", "说明.txt", "xltools.xlam",
        f"模板/{template}", f"模板/{Path(template).with_suffix('.xlsm')}",
        *(f"wheels/{name}" for name in WHEEL_NAMES),
    }
    # No half-made staging folder is left beside it.
    assert [p.name for p in made.parent.iterdir()] == [made.name]


def test_every_wheel_is_for_windows_x64_or_pure_python(made: Path) -> None:
    for wheel in (made / "wheels").iterdir():
        _name, _version, _build, tags = parse_wheel_filename(wheel.name)
        assert {t.platform for t in tags} in ({"win_amd64"}, {"any"}), wheel.name
        if {t.platform for t in tags} == {"win_amd64"}:
            assert {(t.interpreter, t.abi) for t in tags} == {("cp312", "cp312")}, wheel.name
    names = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in (made / "wheels").iterdir()}
    assert not names & {"pandas", "numpy", "pandera", "pyarrow", "linuxonly", "psutil"}


def test_xltools_own_wheel_requires_only_the_staff_packages(made: Path) -> None:
    (own,) = (made / "wheels").glob("xltools-*.whl")
    assert bundle.requirement_specs(own, PY) == [
        "openpyxl<3.2,>=3.1.5", "xlwings==0.37.8", "python-calamine<1,>=0.9", "defusedxml<1,>=0.7.1",
        "olefile<1,>=0.47", "click<9,>=8.1",
    ]
    with zipfile.ZipFile(own) as zf:  # the package data the bundle itself needs travels in the wheel too
        names = zf.namelist()
    assert {f"xltools/data/bundle/{n}" for n in ("install.bat", "uninstall.bat", "readme.txt")} <= set(names)
    # The VBA sources, so that `xltools addin` and `xltools template` work where the wheel is installed.
    data = f"xltools-{__version__}.data/data/share/xltools/macros"
    assert {f"{data}/{n}" for n in ("xltools.bas", "XltLaunch.bas", "XltRibbon.bas")} <= set(names)


def test_the_templates_are_the_template_with_its_macro_twin(made: Path, template_path: Path) -> None:
    xlsx = made / "模板" / spec.TEMPLATE_FILENAME
    got = [(f.code, f.cell) for f in check_file(xlsx).findings]
    assert got == [(f.code, f.cell) for f in check_file(template_path).findings]
    with zipfile.ZipFile(xlsx.with_suffix(".xlsm")) as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


# -- the batch files: bytes as cmd.exe reads them ------------------------------------------------------------------


def bat_lines(path: Path) -> list[str]:
    data = path.read_bytes()
    assert not data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"))  # cmd.exe would run a BOM as a command
    assert b"\n" not in data.replace(b"\r\n", b"")  # CRLF everywhere, no bare LF or CR
    assert data.endswith(b"\r\n")
    text = data.decode("gbk")  # strict: every byte sequence is GBK
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really GBK, not UTF-8 that happens to be ASCII
    return text.split("\r\n")[:-1]


@pytest.mark.parametrize("name", ["安装.bat", "卸载.bat"])
def test_batch_files_are_gbk_and_switch_to_code_page_936_before_any_chinese(made: Path, name: str) -> None:
    lines = bat_lines(made / name)
    switch = lines.index("chcp 936 >nul")
    assert all(line.isascii() for line in lines[: switch + 1])
    assert not all(line.isascii() for line in lines[switch:])
    # After restoring the original code page, only ASCII lines follow (they are read in that code page).
    restore = lines.index("chcp %XLT_OLDCP% >nul 2>&1")
    assert lines[restore + 1:] == ["exit /b %XLT_RC%"]
    # No GBK character with an ASCII trail byte (such as \ | ^): no tool can take half a character for a command.
    for ch in set("".join(lines)):
        if not ch.isascii():
            assert all(b >= 0x80 for b in ch.encode("gbk")), ch


def commands(path: Path) -> list[str]:
    """The lines cmd.exe executes, without the echo and rem lines (text for people)."""
    return [line for line in bat_lines(path)
            if line.strip() and not line.lower().startswith(("echo ", "echo.", "rem "))]


HEAD = [
    "@echo off",
    "setlocal EnableExtensions DisableDelayedExpansion",
    'set "XLT_OLDCP="',
    """for /f "tokens=2 delims=:" %%c in ('chcp') do set "XLT_OLDCP=%%c\"""",
    "chcp 936 >nul",
]
TAIL = [
    ":failed",
    'set "XLT_RC=1"',
    ":end",
    'if /i not "%~1"=="/quiet" pause',
    "chcp %XLT_OLDCP% >nul 2>&1",
    "exit /b %XLT_RC%",
]


def test_install_bat_commands_line_by_line(made: Path) -> None:
    assert commands(made / "安装.bat") == [
        *HEAD,
        "title xltools 安装（员工电脑）",
        'set "XLT_RC=1"',
        f'set "XLT_PY={PY}"',
        f'set "XLT_VERSION={__version__}"',
        'set "XLT_WHEELS=%~dp0wheels"',  # the folder the .bat is in, wherever it was copied
        'set "XLT_TEMPLATES=%~dp0模板"',
        'set "XLT_ADDIN=%~dp0xltools.xlam"',
        r'set "XLT_VENV=%LOCALAPPDATA%\xltools\venv"',
        r'set "XLT_XLSTART=%APPDATA%\Microsoft\Excel\XLSTART"',  # Excel opens what is there, and trusts it
        r'set "XLT_XLSTART_ADDIN=%APPDATA%\Microsoft\Excel\XLSTART\xltools.xlam"',
        r'set "XLT_CONF_DIR=%USERPROFILE%\.xlwings"',
        r'set "XLT_CONF=%USERPROFILE%\.xlwings\xlwings.conf"',
        r'set "XLT_CONF_BACKUP=%USERPROFILE%\.xlwings\xlwings.conf.before-xltools"',
        # run from inside a zip viewer, only the .bat is there
        r'if not exist "%XLT_WHEELS%\xltools-%XLT_VERSION%-py3-none-any.whl" goto :no_folder',
        'if not exist "%XLT_ADDIN%" goto :no_folder',
        # [1/7] the Python launcher finds Python 3.12; 64-bit, or exit code 32
        """py -%XLT_PY% -c "import struct, sys; sys.exit(0 if struct.calcsize('P') == 8 else 32)" >nul 2>&1""",
        'set "XLT_PYRC=%errorlevel%"',
        'if "%XLT_PYRC%"=="32" goto :python_32bit',
        'if not "%XLT_PYRC%"=="0" goto :no_python',
        # [2/7] a fresh venv (an old one, perhaps of another Python, goes first)
        r'if exist "%XLT_VENV%\" rmdir /s /q "%XLT_VENV%"',
        r'if exist "%XLT_VENV%\" goto :venv_busy',
        'py -%XLT_PY% -m venv "%XLT_VENV%"',
        "if errorlevel 1 goto :venv_failed",
        # [3/7] install from the folder only; --isolated: no pip.ini or PIP_* variable of the PC interferes
        r'"%XLT_VENV%\Scripts\python.exe" -m pip install --isolated --no-index --find-links "%XLT_WHEELS%"'
        ' --disable-pip-version-check --no-warn-script-location "xltools==%XLT_VERSION%"',
        "if errorlevel 1 goto :pip_failed",
        # [4/7] what the button and the add-in's launcher import, pywin32 included, imports
        r'"%XLT_VENV%\Scripts\python.exe" -c "import win32com.client, xlwings, xltools.excel, xltools.addin.launch;'
        """ print('      xlwings', xlwings.__version__, '/ xltools', xltools.__version__)\"""",
        "if errorlevel 1 goto :check_failed",
        # [5/7] the user's xlwings.conf (kept once as a backup), the interpreter written with %LOCALAPPDATA%
        # unexpanded: the file stays ASCII whatever the user name, and xlwings expands variables when it reads it
        r'if not exist "%XLT_CONF_DIR%\" mkdir "%XLT_CONF_DIR%"',
        'if exist "%XLT_CONF%" if not exist "%XLT_CONF_BACKUP%" copy /y "%XLT_CONF%" "%XLT_CONF_BACKUP%" >nul',
        r'(echo "INTERPRETER_WIN","%%LOCALAPPDATA%%\xltools\venv\Scripts\pythonw.exe")>"%XLT_CONF%"'
        " || goto :conf_failed",
        # [6/7] the Mark of the Web off the templates and the add-in (Excel loads a marked add-in disabled); the paths
        # reach PowerShell as variables, never quoted text
        'powershell -NoProfile -NonInteractive -Command'
        ' "Get-ChildItem -LiteralPath $env:XLT_TEMPLATES -Recurse -File | Unblock-File;'
        ' Unblock-File -LiteralPath $env:XLT_ADDIN"',
        "if errorlevel 1 echo       未能自动去掉标记：请右键模板文件和 xltools.xlam，在“属性”中勾选“解除锁定”。",
        # [7/7] the add-in into the user's XLSTART (no registry change), unblocked there too
        r'if not exist "%XLT_XLSTART%\" mkdir "%XLT_XLSTART%"',
        'copy /y "%XLT_ADDIN%" "%XLT_XLSTART_ADDIN%" >nul || goto :addin_busy',
        'powershell -NoProfile -NonInteractive -Command "Unblock-File -LiteralPath $env:XLT_XLSTART_ADDIN"',
        'if errorlevel 1 echo       未能去掉加载项的 Internet 标记：请右键 "%XLT_XLSTART_ADDIN%"，在“属性”中勾选“解除锁定”。',
        'set "XLT_RC=0"',
        "goto :end",
        ":no_folder", "goto :failed",
        ":no_python", "goto :failed",
        ":python_32bit", "goto :failed",
        ":venv_busy", "goto :failed",
        ":venv_failed", "goto :failed",
        ":pip_failed", "goto :failed",
        ":check_failed", "goto :failed",
        ":conf_failed", "goto :failed",
        ":addin_busy", "goto :failed",
        *TAIL,
    ]


def test_uninstall_bat_commands_line_by_line(made: Path) -> None:
    assert commands(made / "卸载.bat") == [
        *HEAD,
        "title xltools 卸载",
        'set "XLT_RC=1"',
        r'set "XLT_HOME=%LOCALAPPDATA%\xltools"',
        r'set "XLT_VENV=%LOCALAPPDATA%\xltools\venv"',
        r'set "XLT_RUN=%LOCALAPPDATA%\xltools\run"',
        r'set "XLT_XLSTART_ADDIN=%APPDATA%\Microsoft\Excel\XLSTART\xltools.xlam"',
        r'set "XLT_CONF=%USERPROFILE%\.xlwings\xlwings.conf"',
        r'set "XLT_CONF_BACKUP=%USERPROFILE%\.xlwings\xlwings.conf.before-xltools"',
        # the add-in first: Excel holds it while open, and then nothing else is removed
        'if exist "%XLT_XLSTART_ADDIN%" del /f /q "%XLT_XLSTART_ADDIN%"',
        'if exist "%XLT_XLSTART_ADDIN%" goto :addin_busy',
        r'if exist "%XLT_VENV%\" rmdir /s /q "%XLT_VENV%"',
        r'if exist "%XLT_VENV%\" goto :venv_busy',
        r'if exist "%XLT_RUN%\" rmdir /s /q "%XLT_RUN%"',  # the add-in's click files
        'rmdir "%XLT_HOME%" >nul 2>&1',  # only when nothing else is in it: the add-in's settings file stays
        # the xlwings.conf from before the install comes back; else ours goes, and only if it is ours
        'if exist "%XLT_CONF_BACKUP%" goto :restore_conf',
        'if not exist "%XLT_CONF%" goto :done',
        'findstr /i /l /c:"xltools" "%XLT_CONF%" >nul',
        'if not errorlevel 1 del /f /q "%XLT_CONF%"',
        "goto :done",
        ":restore_conf",
        'move /y "%XLT_CONF_BACKUP%" "%XLT_CONF%" >nul',
        "if errorlevel 1 goto :conf_failed",
        ":done",
        'set "XLT_RC=0"',
        "goto :end",
        ":addin_busy", "goto :failed",
        ":venv_busy", "goto :failed",
        ":conf_failed", "goto :failed",
        *TAIL,
    ]


@pytest.mark.parametrize("name", ["安装.bat", "卸载.bat"])
def test_every_goto_has_its_label_and_every_label_is_reached(made: Path, name: str) -> None:
    lines = commands(made / name)
    labels = [line[1:] for line in lines if line.startswith(":")]
    targets = {m for line in lines for m in re.findall(r"goto :(\w+)", line)}
    assert len(labels) == len(set(labels))
    assert targets == set(labels)
    # Each failure label says why and then goes to :failed; :failed falls through to :end, which every path reaches.
    for label in labels:
        after = lines[lines.index(f":{label}") + 1]
        if label not in ("failed", "end", "restore_conf", "done"):
            assert after == "goto :failed", label


PATH_VARIABLE = re.compile(r"%(?:~dp0|~1|XLT_(?:WHEELS|TEMPLATES|ADDIN|VENV|HOME|RUN|XLSTART|XLSTART_ADDIN|CONF|"
                           r"CONF_DIR|CONF_BACKUP))%")


@pytest.mark.parametrize("name", ["安装.bat", "卸载.bat"])
def test_every_path_is_quoted(made: Path, name: str) -> None:
    """A path with spaces, &, ( or ) stays one argument and plain text: every use of one is inside quotes."""
    for line in bat_lines(made / name):
        outside = line.split('"')[0::2]  # the parts of the line outside double quotes
        assert not any(PATH_VARIABLE.search(part) for part in outside), line
        # A program (not cmd's own `if exist "DIR\"`) would read a backslash before a closing quote as a quote.
        assert '\\"' not in re.sub(r'^if (not )?exist "[^"]*\\" ', "", line), line


def test_install_bat_tells_each_step_and_ends_with_success_or_failure(made: Path) -> None:
    echoed = [line.removeprefix("echo ").strip() for line in bat_lines(made / "安装.bat") if line.startswith("echo ")]
    steps = [line for line in echoed if re.match(r"\[\d/7\]", line)]
    assert [s[:5] for s in steps] == ["[1/7]", "[2/7]", "[3/7]", "[4/7]", "[5/7]", "[6/7]", "[7/7]"]
    assert steps[0] == "[1/7] 查找 Python %XLT_PY%（64 位）……"
    assert steps[6] == '[7/7] 把加载项放进 Excel 的启动文件夹："%XLT_XLSTART%"'
    assert any(line.startswith("安装成功。") for line in echoed)
    assert any(line.startswith("安装失败。") for line in echoed)
    # Where to get Python when the launcher cannot find it.
    assert "打开 https://www.python.org/downloads/windows/ 下载 Python %XLT_PY% 的“Windows installer (64-bit)”，" in echoed
    echoed = [line.removeprefix("echo ").strip() for line in bat_lines(made / "卸载.bat") if line.startswith("echo ")]
    assert "卸载完成。" in echoed and any(line.startswith("卸载失败。") for line in echoed)


def test_the_readme_says_what_goes_where_and_how_to_undo_it(made: Path) -> None:
    data = (made / "说明.txt").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\n" not in data.replace(b"\r\n", b"")
    text = data.decode("utf-8-sig")
    for needle in (
        r"%LOCALAPPDATA%\xltools\venv",
        r'"INTERPRETER_WIN","%LOCALAPPDATA%\xltools\venv\Scripts\pythonw.exe"',
        "xlwings.conf.before-xltools",
        "双击“卸载.bat”",
        "四、WPS 用户",
        r"%APPDATA%\Microsoft\Excel\XLSTART",
        "xlwings 不支持 WPS Office：加载项（“绩效目标”选项卡）和 .xlsm 上的按钮在 WPS 中都不能使用",
        "表内自查在 WPS 中照常有效",
        "“填报”一组",
        "Python 3.12",
        f"xltools {__version__}",
    ):
        assert needle in text, needle
    listed = re.findall(r"^    (\S+) (\S+)\r$", text, re.M)
    assert sorted(n.replace("-", "_").lower() for n, _ in listed) == sorted(
        n.split("-")[0].lower() for n in WHEEL_NAMES)


# -- the add-in -----------------------------------------------------------------------------------------------------


def ribbon_groups(addin: Path) -> list[str]:
    from xml.etree import ElementTree as ET

    from xltools.addin import ribbon

    with zipfile.ZipFile(addin) as zf:
        root = ET.fromstring(zf.read(ribbon.RIBBON_PART))
    return [g.attrib["label"] for g in root.iter(f"{{{ribbon.CUSTOMUI_NS}}}group")]


def test_the_staff_bundle_carries_the_staff_addin(made: Path) -> None:
    assert ribbon_groups(made / "xltools.xlam") == ["填报"]
    with zipfile.ZipFile(made / "xltools.xlam") as zf:
        assert "xl/vbaProject.bin" in zf.namelist()


BUREAU_WHEELS = {  # the bureau extra's, and what they need, on Windows with Python 3.12
    f"pandas-2.2.3-{WIN}.whl", f"numpy-2.1.0-{WIN}.whl", "pandera-0.35.0-py3-none-any.whl",
    f"pyarrow-18.0.0-{WIN}.whl", "packaging-24.2-py3-none-any.whl", "typeguard-4.4.1-py3-none-any.whl",
}


def test_the_bureau_bundle_has_the_bureau_extra_and_the_bureau_ribbon(tmp_path: Path) -> None:
    index = local_index(tmp_path / "index")
    make_wheel(index, "pandera", "0.35.0", requires=("pandas>=2.1", "typeguard", 'pywin32; sys_platform == "linux"'))
    make_wheel(index, "pyarrow", "18.0.0", WIN)
    make_wheel(index, "packaging", "24.2")
    make_wheel(index, "typeguard", "4.4.1")
    out = tmp_path / "局里 安装包"
    result = run("--out", str(out), "--python", PY, "--wheels", str(index), "--bureau")
    assert result.exit_code == 0, result.output
    assert {p.name for p in (out / "wheels").iterdir()} == WHEEL_NAMES | BUREAU_WHEELS
    assert ribbon_groups(out / "xltools.xlam") == ["填报", "局里"]
    lines = commands(out / "安装.bat")
    assert "title xltools 安装（局里）" in lines
    assert (r'"%XLT_VENV%\Scripts\python.exe" -m pip install --isolated --no-index --find-links "%XLT_WHEELS%"'
            ' --disable-pip-version-check --no-warn-script-location "xltools[bureau]==%XLT_VERSION%"') in lines
    assert any(line.startswith(r'"%XLT_VENV%\Scripts\python.exe" -c "import win32com.client, xlwings, xltools.excel,'
                               " xltools.addin.launch, pandas, pandera;") for line in lines)
    readme = (out / "说明.txt").read_text(encoding="utf-8-sig")
    assert readme.startswith("xltools 安装说明（局里）") and "“填报”和“局里”两组" in readme
    assert "\n    pandas 2.2.3\n" in readme and "\n    pandera 0.35.0\n" in readme
    assert "已生成局里用的安装包" in result.stderr


# -- per unit, and bad input -------------------------------------------------------------------------------------


def test_units_put_one_template_pair_per_unit(tmp_path: Path) -> None:
    index = local_index(tmp_path / "index")
    units = tmp_path / "units.csv"
    units.write_text("单位编码,单位名称\n001,上海市知识产权局\n002,上海市市场监督管理局\n", encoding="utf-8")
    out = tmp_path / "按单位"
    out.mkdir()  # an empty folder is taken
    result = run("--out", str(out), "--python", PY, "--wheels", str(index), "--units", str(units), "--year", "2025")
    assert result.exit_code == 0, result.output
    stems = ["001_上海市知识产权局_绩效目标申报表", "002_上海市市场监督管理局_绩效目标申报表"]
    assert sorted(p.name for p in (out / "模板").iterdir()) == sorted(f"{s}{x}" for s in stems for x in (".xlsm", ".xlsx"))
    decl = check_file(out / "模板" / f"{stems[1]}.xlsx").declaration
    assert decl is not None and decl.year == 2025 and decl["unit"].value == "上海市市场监督管理局"


@pytest.mark.parametrize(("args", "message"), [
    (["--python", "3.10"], "不支持的 Python 版本“3.10”：可选 3.11、3.12、3.13。"),
    (["--python", "3"], "不支持的 Python 版本“3”：可选 3.11、3.12、3.13。"),
])
def test_an_unsupported_python_is_refused(tmp_path: Path, args: list[str], message: str) -> None:
    result = run("--out", str(tmp_path / "out"), *args)
    assert result.exit_code == 2
    assert result.output.strip() == f"错误：{message}"
    assert not (tmp_path / "out").exists()


def test_an_out_folder_that_is_not_empty_is_refused(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "旧文件.txt").write_text("x", encoding="utf-8")
    result = run("--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert f"“{tmp_path / 'out'}”已存在且不是空文件夹" in result.output
    assert files(tmp_path / "out") == {"旧文件.txt"}


def test_an_unwritable_out_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "文件").write_text("x", encoding="utf-8")
    result = run("--out", str(tmp_path / "文件" / "安装包"))
    assert result.exit_code == 2
    assert f"无法写入“{tmp_path / '文件'}”：路径中有一段是文件，不是文件夹。" in result.output


def test_a_pip_failure_is_a_chinese_error_and_leaves_nothing_behind(tmp_path: Path) -> None:
    index = tmp_path / "空"
    index.mkdir()
    result = run("--out", str(tmp_path / "out"), "--python", PY, "--wheels", str(index))
    assert result.exit_code == 2
    assert f"错误：下载 Windows 64 位、Python {PY} 的安装包失败（pip 退出码 1）。请检查网络或 --wheels 文件夹。" in result.output
    assert "No matching distribution found for openpyxl" in result.output  # pip's own words follow
    assert sorted(p.name for p in tmp_path.iterdir()) == ["空"]


def test_a_wheel_for_the_wrong_platform_is_refused(tmp_path: Path) -> None:
    linux = make_wheel(tmp_path, "python_calamine", "0.9.1", "cp312-cp312-manylinux_2_17_x86_64")
    with pytest.raises(bundle.BundleError) as caught:
        bundle.check_tags([linux], "3.12")
    assert str(caught.value) == f"这些安装包不适用于 Windows 64 位 Python 3.12：{linux.name}。"


# -- the real index ----------------------------------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.slow
def test_the_real_wheels_come_from_the_index(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PIP_CONFIG_FILE")  # this machine's own pip configuration (its index), as the bureau's would be
        result = run("--out", str(tmp_path / "安装包"), "--python", "3.13")
    assert result.exit_code == 0, result.output
    wheels = sorted((tmp_path / "安装包" / "wheels").iterdir())
    names = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels}
    assert {"xltools", "openpyxl", "et-xmlfile", "xlwings", "pywin32", "python-calamine", "defusedxml", "olefile",
            "click"} <= names
    assert not names & {"pandas", "numpy", "pandera", "pyarrow", "pydantic"}
    for wheel in wheels:
        tags = parse_wheel_filename(wheel.name)[3]
        assert {t.platform for t in tags} <= {"win_amd64", "any"}, wheel.name
        assert {t.interpreter for t in tags if t.platform == "win_amd64"} <= {"cp313"}, wheel.name
    assert "xlwings-0.37.8-cp313-cp313-win_amd64.whl" in [w.name for w in wheels]


@pytest.mark.network
@pytest.mark.slow
def test_the_real_bureau_wheels_come_from_the_index(tmp_path: Path) -> None:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("PIP_CONFIG_FILE")
        result = run("--out", str(tmp_path / "局里"), "--python", "3.13", "--bureau")
    assert result.exit_code == 0, result.output
    wheels = sorted((tmp_path / "局里" / "wheels").iterdir())
    names = {canonicalize_name(parse_wheel_filename(w.name)[0]) for w in wheels}
    assert {"xltools", "xlwings", "pywin32", "pandas", "numpy", "pandera", "pyarrow", "packaging"} <= names
    for wheel in wheels:
        assert {t.platform for t in parse_wheel_filename(wheel.name)[3]} <= {"win_amd64", "any"}, wheel.name
    assert ribbon_groups(tmp_path / "局里" / "xltools.xlam") == ["填报", "局里"]


def test_the_help_names_the_pythons_the_library_supports() -> None:
    option = next(p for p in main.commands["bundle"].params if p.name == "python")
    assert option.metavar == "|".join(bundle.PYTHON_VERSIONS)
    assert option.help == f"员工电脑上的 Python 版本：3.11、3.12 或 3.13（默认 {bundle.DEFAULT_PYTHON}）。"
    assert bundle.PYTHON_VERSIONS == ("3.11", "3.12", "3.13")


def test_an_installed_xltools_takes_its_own_wheel_from_the_wheels_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle, "source_tree", lambda: None)  # installed from a wheel: no checkout to build from
    name = f"xltools-{__version__}-py3-none-any.whl"
    with pytest.raises(bundle.BundleError) as caught:
        bundle.xltools_wheel(tmp_path / "out", tmp_path)
    assert str(caught.value).startswith(f"找不到 xltools 的源码，无法生成 {name}：")
    own = make_wheel(tmp_path / "index", "xltools", __version__)
    assert bundle.xltools_wheel(tmp_path / "out", tmp_path / "index") == tmp_path / "out" / name
    assert (tmp_path / "out" / name).read_bytes() == own.read_bytes()


def test_the_checkout_is_found_and_an_installed_package_is_not(tmp_path: Path) -> None:
    assert bundle.source_tree() == Path(__file__).resolve().parent.parent
    site = tmp_path / "site-packages" / "xltools" / "__init__.py"
    site.parent.mkdir(parents=True)
    site.write_text("")
    assert bundle.source_tree(site) is None
