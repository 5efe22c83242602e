"""The staff install (`pip install xltools`): template, check and button without pandas, numpy, pandera or pyarrow.

Two kinds of proof. Offline, in this environment: subprocesses whose interpreter refuses those packages
(tests/staffsite/sitecustomize.py, a meta path finder ahead of all others) run `xltools check`, `xltools template`
and the button (tests/test_excel_button.py) and must give exactly what they give here with everything installed;
`xltools consolidate` must stop with exit code 2 and the Chinese hint. Online (``network``): a fresh venv with
xltools' wheel installed from the package index, which must not bring pandas or numpy and must run the same.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from xltools import bundle, extras
from xltools.engine import check_file
from xltools.findings import to_json

REPO = Path(__file__).resolve().parent.parent
STAFFSITE = REPO / "tests" / "staffsite"
RETURN = REPO / "examples" / "returns" / "05_上海市市场监督管理局_上海市政府质量奖.xlsx"
XLTOOLS = Path(sys.executable).parent / "xltools"
HEAVY = {"pandas", "numpy", "pandera", "pyarrow"}
BUREAU_HINT = ("错误：汇总需要局里用的完整安装，本机缺少 {}。请运行：pip install \"xltools[bureau]\"\n"
               "（员工电脑上的安装只包含模板、校验和一键校验按钮，不需要这些软件包。）\n")


def staff(args: list[str], tmp_path: Path, block: str | None = None) -> tuple[subprocess.CompletedProcess[str], list[str]]:
    """Run ``args`` as on a staff install: (the finished process, the blocked imports it attempted)."""
    log = tmp_path / "blocked.log"
    log.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(STAFFSITE), "XLTOOLS_BLOCKED_LOG": str(log)}
    if block is not None:
        env["XLTOOLS_BLOCK"] = block
    done = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp_path, check=False, timeout=300)
    tried = log.read_text(encoding="utf-8").split() if log.exists() else []
    return done, tried


def names(requirements: list[str]) -> set[str]:
    return {Requirement(r).name for r in requirements}


def test_pip_install_xltools_brings_only_what_staff_need() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert names(project["dependencies"]) == {"openpyxl", "xlwings", "python-calamine", "defusedxml", "olefile",
                                              "click"}
    extra = project["optional-dependencies"]
    assert names(extra["bureau"]) == {"pandas", "pandera", "pyarrow", "packaging"}
    assert names(extra["parquet"]) == {"pyarrow"}  # the older, narrower extra keeps working


def test_the_blocker_really_blocks(tmp_path: Path) -> None:
    done, tried = staff([sys.executable, "-c", "import pandas"], tmp_path)
    assert done.returncode == 1 and "ModuleNotFoundError: No module named 'pandas' (blocked" in done.stderr
    assert tried == ["pandas"]


def test_check_runs_and_tries_no_heavy_import(tmp_path: Path) -> None:
    done, tried = staff([str(XLTOOLS), "check", str(RETURN), "--json"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(to_json(check_file(RETURN).findings))
    assert len(json.loads(done.stdout)) == 7
    assert tried == []  # the check path does not even look for them


def test_template_runs_and_writes_the_same_workbooks(tmp_path: Path) -> None:
    done, tried = staff([str(XLTOOLS), "template", "--out", "员工"], tmp_path)
    assert done.returncode == 0, done.stderr
    assert set(tried) == {"numpy"}  # openpyxl looks for numpy's number types and does without
    subprocess.run([str(XLTOOLS), "template", "--out", "局里"], cwd=tmp_path, capture_output=True, check=True)
    for suffix in (".xlsx", ".xlsm"):
        ours = zipfile.ZipFile(tmp_path / "员工" / f"绩效目标申报表{suffix}")
        full = zipfile.ZipFile(tmp_path / "局里" / f"绩效目标申报表{suffix}")
        assert ours.namelist() == full.namelist()
        differ = [n for n in ours.namelist() if ours.read(n) != full.read(n)]
        assert set(differ) <= {"docProps/core.xml"}, suffix  # at most the creation time


def test_consolidate_says_to_install_the_bureau_extra(tmp_path: Path) -> None:
    done, _ = staff([str(XLTOOLS), "consolidate", str(RETURN), "-o", "汇总.xlsx"], tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", BUREAU_HINT.format("pandas、pandera"))
    assert not (tmp_path / "汇总.xlsx").exists()


def test_consolidate_with_parquet_names_pyarrow_too(tmp_path: Path) -> None:
    # pandas and pandera present, only pyarrow missing: the older `parquet` extra's case
    done, _ = staff([str(XLTOOLS), "consolidate", str(RETURN), "-o", "汇总.xlsx", "--parquet", "pq"], tmp_path,
                    block="pyarrow")
    assert (done.returncode, done.stderr) == (2, BUREAU_HINT.format("pyarrow"))
    done, _ = staff([str(XLTOOLS), "consolidate", str(RETURN), "-o", "汇总.xlsx"], tmp_path, block="pyarrow")
    assert done.returncode == 0, done.stderr  # without --parquet pyarrow is not needed


def test_bundle_says_to_install_the_bureau_extra(tmp_path: Path) -> None:
    done, _ = staff([str(XLTOOLS), "bundle", "--out", "安装包"], tmp_path, block="packaging")
    assert (done.returncode, done.stderr) == (2, BUREAU_HINT.format("packaging").replace("汇总", "生成安装包"))
    assert not (tmp_path / "安装包").exists()


def test_missing_reads_absent_and_blocked_modules_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # how tests elsewhere block an import
    assert extras.missing(("pandas", "json", "no_such_module_xyz")) == ["pandas", "no_such_module_xyz"]
    assert extras.bureau_hint("汇总", ("json",)) is None


# -- a real staff install -----------------------------------------------------------------------------------------


@pytest.mark.network
@pytest.mark.slow
def test_a_fresh_venv_from_the_wheel_has_no_pandas_and_runs_check_and_button(tmp_path: Path) -> None:
    wheel = bundle.build_wheel(REPO, tmp_path / "dist")
    venv = tmp_path / "员工 venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    python, xltools = venv / "bin" / "python", venv / "bin" / "xltools"
    subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True,
                   timeout=900)
    listed = subprocess.run([str(python), "-m", "pip", "list", "--format", "json"], check=True, capture_output=True,
                            text=True).stdout
    installed = {p["name"].lower().replace("_", "-") for p in json.loads(listed)}
    assert {"xltools", "xlwings", "openpyxl", "python-calamine", "click", "defusedxml", "olefile"} <= installed
    assert not installed & (HEAVY | {"pydantic"})

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([str(xltools), "check", str(RETURN), "--json"], capture_output=True, text=True, env=env,
                          cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(to_json(check_file(RETURN).findings))
    done = subprocess.run([str(xltools), "consolidate", str(RETURN), "-o", "汇总.xlsx"], capture_output=True,
                          text=True, env=env, cwd=tmp_path, check=False)
    assert (done.returncode, done.stderr) == (2, BUREAU_HINT.format("pandas、pandera"))

    # The button through xlwings' remote engine, with the payload builder copied beside (not the checkout).
    shutil.copy2(REPO / "tests" / "payload.py", tmp_path / "payload.py")
    code = (
        "import os, sys\n"
        "os.environ['XLWINGS_LICENSE_KEY'] = 'noncommercial'\n"
        "import xlwings as xw, xltools.excel as x\n"
        "from payload import payload\n"
        f"book = xw.Book(json=payload({str(RETURN)!r}))\n"
        "result = x.check_button(book)\n"
        "acts = book.json()['actions']\n"
        "print(x.__file__.startswith(sys.prefix), acts[0]['values'][0][0], [a['func'] for a in acts],\n"
        "      sorted(m for m in ('pandas', 'numpy', 'pandera') if m in sys.modules))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True 校验通过（7 个警告） ['setValues', 'setValues', 'activateSheet'] []"
