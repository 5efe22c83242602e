"""Which install this is: the staff install (`pip install xltools`) or the bureau's (`pip install "xltools[bureau]"`).

Staff PCs get what the template, the check and the button need. Consolidation needs pandas and pandera (pyarrow for
``--parquet``), and ``xltools bundle`` needs packaging: those come with the ``bureau`` extra. The commands that need
them ask here first, so a staff install answers with a Chinese hint instead of a traceback. Nothing is imported:
finding a module's spec is enough, and it keeps the check fast.
"""

from __future__ import annotations

import importlib.util

BUREAU_INSTALL = 'pip install "xltools[bureau]"'
CONSOLIDATE = ("pandas", "pandera")
PARQUET = ("pyarrow",)
BUNDLE = ("packaging",)


def missing(modules: tuple[str, ...]) -> list[str]:
    """The top-level modules of ``modules`` that cannot be imported here."""
    absent = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a finder that refuses the name; a module set to None in sys.modules
            found = False
        if not found:
            absent.append(name)
    return absent


def bureau_hint(feature: str, modules: tuple[str, ...]) -> str | None:
    """A Chinese message when ``feature`` cannot run here for want of ``modules``; None when it can."""
    absent = missing(modules)
    if not absent:
        return None
    return (f"{feature}需要局里用的完整安装，本机缺少 {'、'.join(absent)}。请运行：{BUREAU_INSTALL}\n"
            "（员工电脑上的安装只包含模板、校验和一键校验按钮，不需要这些软件包。）")
