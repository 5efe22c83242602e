"""The user's own settings file for the add-in: ``%LOCALAPPDATA%\\xltools\\xltools.conf``.

The only place, besides the add-in itself, that says anything about how a click runs. The VBA launcher reads one
line of it (``interpreter=``: which Python; empty for the one the install made); the bureau's buttons keep the
round's settings in it (units list, last year's consolidated workbook, framework, output folder, the returns folder
last chosen, budget year, protection password), written by 设置 and shown before each run. It is never looked for
beside a workbook, and nothing here reads a workbook.

Format: UTF-16 with a BOM and CRLF line ends (what the VBA's FileSystemObject reads, whatever the PC's code page;
Notepad opens it), one ``key=value`` a line, ``#`` comment lines; keys this version does not know are kept.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from xltools import spec

HOME_FOLDER = "xltools"
SETTINGS_NAME = "xltools.conf"
RUN_FOLDER = "run"
ENCODING = "utf-16"  # Python writes the BOM (little-endian on every PC this runs on)
HEADER = ("# xltools 加载项的设置：由功能区“绩效目标”的“设置”按钮写入，也可用记事本修改（保存为 Unicode）。",
          "# interpreter=：加载项使用的 pythonw.exe（留空则用 安装.bat 建立的环境）。")


class SettingsError(Exception):
    """The settings file cannot be read or a value in it is unusable. ``str(error)`` is Chinese."""


@dataclass
class Settings:
    """The round's settings; every value is text as stored ("" when not set)."""

    interpreter: str = ""
    units: str = ""  # the units list: 生成下发模板, 汇总, 退回副本
    previous: str = ""  # last year's consolidated workbook (汇总's --previous)
    framework: str = ""  # a shipped framework's id or a framework file; "" is the default framework
    output: str = ""  # where templates, the consolidation and the copies to send back are written
    returns: str = ""  # the returns folder chosen last (the folder dialogs start there)
    year: str = ""  # the budget year of the templates; "" is the next calendar year
    password: str = ""  # the templates' protection password; "" is the default
    extra: dict[str, str] = field(default_factory=dict)  # keys of later versions, kept as they were

    def budget_year(self, today: dt.date) -> int:
        """The templates' budget year: the setting, else the year being budgeted (the next one)."""
        if not self.year:
            return today.year + 1
        try:
            year = int(self.year)
        except ValueError:
            year = 0
        if not 1901 <= year <= 9999:
            raise SettingsError(f"设置中的预算年度“{self.year}”不是年份：请点“设置”重新输入（如 {today.year + 1}）。")
        return year

    def protection_password(self) -> str:
        return self.password or spec.DEFAULT_PASSWORD


KEYS = tuple(f.name for f in fields(Settings) if f.name != "extra")


def home() -> Path:
    """``%LOCALAPPDATA%\\xltools``: the install's folder (its venv) and the add-in's."""
    base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
    return Path(base) / HOME_FOLDER


def settings_path(folder: Path | None = None) -> Path:
    return (folder or home()) / SETTINGS_NAME


def run_folder(folder: Path | None = None) -> Path:
    """Where the VBA writes each click's request (and Python a reply when it cannot reach Excel)."""
    return (folder or home()) / RUN_FOLDER


def read_settings(path: Path) -> Settings:
    """The settings in ``path``; defaults when it does not exist. SettingsError when it cannot be read."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise SettingsError(f"无法读取设置文件“{path}”：{exc.strerror or exc}。") from exc
    try:
        # UTF-16 as written here; UTF-8 (with or without its BOM) when saved so from Notepad
        text = raw.decode("utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SettingsError(f"设置文件“{path}”的编码无法识别：请用记事本另存为 Unicode，或删除它后点“设置”重新设置。") from exc
    values: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        key = key.strip().lower()
        if sep and key and not key.startswith("#"):
            values[key] = value.strip()
    known = {k: values.pop(k) for k in KEYS if k in values}
    return Settings(**known, extra=values)


def write_settings(path: Path, settings: Settings) -> Path:
    """Write ``settings`` to ``path`` (its folder made when missing)."""
    lines = list(HEADER)
    for key in KEYS:
        lines.append(f"{key}={_one_line(getattr(settings, key))}")
    lines += [f"{key}={_one_line(value)}" for key, value in settings.extra.items()]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode(ENCODING))
    return path


def _one_line(value: str) -> str:
    return " ".join(str(value).splitlines()).strip()
