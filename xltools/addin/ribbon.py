"""The add-in's ribbon tab 绩效目标: two groups, 填报 for staff and 局里 for the bureau, written as ``customUI.xml``.

The part follows the 2006 customUI schema (MS-CUSTOMUI), the one Excel 2007 and every later version read, with the
relationship type that belongs to it, as in xlwings' own Excel-made add-in: namespace ``.../2006/01/customui``, part
``customUI/customUI.xml``, related from the package (``_rels/.rels``) by ``.../2006/relationships/ui/extensibility``.
(The 2009/07 ``customUI14.xml`` would go with ``.../2007/relationships/ui/extensibility``; nothing here needs it.)

Every button calls a Sub of the VBA module :data:`CALLBACK_MODULE` (``onAction="XltRibbon.OnCheck"``), declared
``Sub OnCheck(control As IRibbonControl)`` in ``macros/XltRibbon.bas``; the Sub hands the button's :attr:`Button.action`
to the launcher, which runs the Python function :data:`xltools.addin.launch.ACTIONS` names for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import quoteattr

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
UI_RELATIONSHIP = "http://schemas.microsoft.com/office/2006/relationships/ui/extensibility"
RIBBON_PART = "customUI/customUI.xml"
CALLBACK_MODULE = "XltRibbon"
TAB_ID = "xltTab"
TAB_LABEL = "绩效目标"


@dataclass(frozen=True)
class Button:
    """One ribbon button: its id, label, the Sub it calls, the launcher's action, a built-in image and its tips."""

    id: str
    label: str
    callback: str
    action: str
    image: str
    tip: str

    @property
    def on_action(self) -> str:
        return f"{CALLBACK_MODULE}.{self.callback}"


@dataclass(frozen=True)
class Group:
    id: str
    label: str
    bureau: bool  # only in the bureau's add-in
    buttons: tuple[Button, ...]


GROUPS = (
    Group("xltStaff", "填报", False, (
        Button("xltCheck", "一键校验", "OnCheck", "check", "MacroPlay",
               "检查当前打开的申报表（.xlsx 或 .xlsm，任何一版模板），问题写入“校验结果”工作表，申报表上标红/标橙。"),
        Button("xltClear", "清除标记", "OnClear", "clear", "ClearAll",
               "清空当前申报表“校验结果”中的结论和问题行，申报表上的红/橙标记随之消失。"),
    )),
    Group("xltBureau", "局里", True, (
        Button("xltTemplates", "生成下发模板", "OnTemplates", "templates", "FileNew",
               "按单位清单为每个单位生成一份已填好单位名称的模板（.xlsx 和带按钮的 .xlsm），写入输出文件夹。"),
        Button("xltConsolidate", "汇总", "OnConsolidate", "consolidate", "Consolidate",
               "选择回收文件夹，把报回的申报表汇总成一个工作簿（报送情况、问题清单等），写入输出文件夹并打开。"),
        Button("xltCopies", "退回副本", "OnCopies", "copies", "FileSaveAs",
               "选择回收文件夹，为有问题的申报表写出带标注的副本（含汇总才发现的问题），退给单位修改。"),
        Button("xltSettings", "设置", "OnSettings", "settings", "ControlProperties",
               "本轮的单位清单、上年汇总表、指标体系、输出文件夹、预算年度和保护密码；每次运行前都会列出。"),
    )),
)


def groups(bureau: bool = True) -> tuple[Group, ...]:
    """The groups of the add-in: both for the bureau, 填报 alone for staff PCs."""
    return tuple(g for g in GROUPS if bureau or not g.bureau)


def buttons(bureau: bool = True) -> tuple[Button, ...]:
    return tuple(b for g in groups(bureau) for b in g.buttons)


def ribbon_xml(bureau: bool = True) -> bytes:
    """``customUI/customUI.xml`` of the add-in (UTF-8)."""
    lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
             f'<customUI xmlns="{CUSTOMUI_NS}">', "  <ribbon>", "    <tabs>",
             f"      <tab id={quoteattr(TAB_ID)} label={quoteattr(TAB_LABEL)}>"]
    for group in groups(bureau):
        lines.append(f"        <group id={quoteattr(group.id)} label={quoteattr(group.label)}>")
        for b in group.buttons:
            lines.append(f'          <button id={quoteattr(b.id)} label={quoteattr(b.label)} size="large"'
                         f' imageMso={quoteattr(b.image)} onAction={quoteattr(b.on_action)}'
                         f" screentip={quoteattr(b.label)} supertip={quoteattr(b.tip)}/>")
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines).encode("utf-8")
