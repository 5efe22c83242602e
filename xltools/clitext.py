"""click's own messages in Chinese: usage errors, help headings, prompts. Staff never see click's English. And the
one report text the commands print per file (:func:`report_text`).

click passes every message it prints through ``gettext``; :func:`xltools.clihelp.install_chinese` points those calls at
:func:`translate`. A test reads click's source and checks that every message it can print is here, so an upgrade
of click that adds one fails the tests instead of showing English. This module imports nothing from click (the
library does not depend on it); the keys are click's English source strings.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xltools.findings import Report

TEXTS: dict[str, str] = {
    # core.py
    "(dynamic)": "（动态）",
    "Aborted!": "已中断。",
    "Arguments take exactly one parameter declaration, got {length}: {decls}.":
        "参数只能有一个声明，实际有 {length} 个：{decls}。",
    "Boolean option {decl!r} cannot use the same flag for true/false.": "开关选项 {decl} 的“是”与“否”不能用同一个写法。",
    "Commands": "命令",
    "Could not determine name for option with declarations {decls!r}": "无法确定选项名称：{decls}",
    "DeprecationWarning: The command {name!r} is deprecated.{extra_message}": "提示：命令 {name} 已不再使用。{extra_message}",
    "DeprecationWarning: The {param_type} {name!r} is deprecated.{extra_message}":
        "提示：{param_type} {name} 已不再使用。{extra_message}",
    "Got unexpected extra argument ({args})": "多了一个无法识别的参数（{args}）",
    "Got unexpected extra arguments ({args})": "多了几个无法识别的参数（{args}）",
    "Missing command.": "缺少命令。",
    "Name '{name}' defined twice": "名称“{name}”定义了两次",
    "No options defined but a name was passed ({name}). Did you mean to declare an argument instead? Did you mean "
    "to pass '--{name}'?": "没有定义选项却给出了名称（{name}）。",
    "Options": "选项",
    "Positional arguments": "位置参数",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，只给了 1 个。",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，给了 {len} 个。",
    "Value must be an iterable.": "值必须是一组数据。",
    "default: {default}": "默认：{default}",
    "deprecated": "已不再使用",
    "env var: {var}": "环境变量：{var}",
    "required": "必填",
    # decorators.py
    "%(prog)s, version %(version)s": "%(prog)s 版本 %(version)s",
    "Confirm the action without prompting.": "不询问，直接确认。",
    "Do you want to continue?": "是否继续？",
    "Show the version and exit.": "显示版本后退出。",
    "Show this message and exit.": "显示本帮助后退出。",
    # exceptions.py
    "(Did you mean one of: {possibilities}?)": "（您是否要输入以下之一：{possibilities}？）",
    "Could not open file {filename!r}: {message}": "无法打开文件“{filename}”：{message}",
    "Did you mean {possibility}?": "您是否要输入 {possibility}？",
    "Error: {message}": "错误：{message}",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "No such command {name!r}.": "没有命令“{name}”。",
    "No such option {name!r}.": "没有选项“{name}”。",
    "Try '{command} {option}' for help.": "用“{command} {option}”查看帮助。",
    "unknown error": "未知错误",
    # formatting.py
    "Usage:": "用法：",
    # parser.py
    "Argument {name!r} takes {nargs} values.": "参数 {name} 需要 {nargs} 个值。",
    "Invalid start character for option ({option})": "选项的开头字符无效（{option}）",
    "Option {name!r} does not take a value.": "选项 {name} 后面不带值。",
    "Option {name!r} requires an argument.": "选项 {name} 后面需要一个值。",
    "Option {name!r} requires {nargs} arguments.": "选项 {name} 后面需要 {nargs} 个值。",
    # shell_completion.py
    "Couldn't detect Bash version, shell completion is not supported.": "无法确定 Bash 版本，不支持命令补全。",
    "Shell completion is not supported for Bash versions older than 4.4.": "Bash 4.4 以前的版本不支持命令补全。",
    # termui.py
    "Error: The two entered values do not match.": "错误：两次输入不一致。",
    "Error: invalid input": "错误：输入无效",
    "Press any key to continue...": "按任意键继续……",
    "Repeat for confirmation": "再输入一次以确认",
    "Unknown color {colour!r}": "未知的颜色 {colour}",
    # types.py
    "Choice({choices})": "选项（{choices}）",
    "Choose from:\n\t{choices}": "可选：\n\t{choices}",
    "directory": "文件夹",
    "file": "文件",
    "path": "路径",
    "{len_type} values are required, but {len_value} was given.": "需要 {len_type} 个值，只给了 {len_value} 个。",
    "{len_type} values are required, but {len_value} were given.": "需要 {len_type} 个值，给了 {len_value} 个。",
    "{name} {filename!r} does not exist.": "{name}“{filename}”不存在。",
    "{name} {filename!r} is a directory.": "{name}“{filename}”是一个文件夹，这里需要文件。",
    "{name} {filename!r} is a file.": "{name}“{filename}”是一个文件，这里需要文件夹。",
    "{name} {filename!r} is not executable.": "{name}“{filename}”不能执行。",
    "{name} {filename!r} is not readable.": "{name}“{filename}”没有读取权限。",
    "{name} {filename!r} is not writable.": "{name}“{filename}”没有写入权限。",
    "{value!r} does not match the format {format}.": "“{value}”不符合格式 {format}。",
    "{value!r} does not match the formats {formats}.": "“{value}”不符合以下任何格式：{formats}。",
    "{value!r} is not a valid UUID.": "“{value}”不是有效的 UUID。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "“{value}”不是有效的是/否值，可用：{states}",
    "{value!r} is not a valid {number_type}.": "“{value}”不是有效的数字。",
    "{value!r} is not one of {choices}.": "“{value}”不是以下之一：{choices}。",
    "{value!r} is not {choice}.": "“{value}”不是 {choice}。",
    "{value} is not in the range {range}.": "{value} 超出允许的范围（{range}）。",
    # utils.py, _termui_impl.py, _winconsole.py
    "Unknown standard stream '{name}'": "未知的标准流“{name}”",
    "{editor}: Editing failed": "{editor}：编辑失败",
    "{editor}: Editing failed: {e}": "{editor}：编辑失败：{e}",
    "Windows error: {error}": "Windows 错误：{error}",
    "d": "d",  # a format letter click passes through gettext, not a message
}

INTERRUPTED = "已中断：汇总未完成，没有写出新的结果，原有的输出文件保持不变。"
# What Ctrl-C left, by command (the one line printed); others: INTERRUPTED_OTHER.
INTERRUPTED_BY = {
    "consolidate": INTERRUPTED,
    "check": "已中断：检查未完成；已写出的标注副本完整保留，其余没有写出，原文件不变。",
}
INTERRUPTED_OTHER = "已中断：没有写完的文件不会留下。"


def translate(message: str) -> str:
    """click's ``gettext``: the Chinese text of ``message`` (unknown ones as they are)."""
    return TEXTS.get(message, message)


def translate_plural(singular: str, plural: str, n: int) -> str:
    """click's ``ngettext``."""
    return translate(singular if n == 1 else plural)


def report_text(report: Report) -> str:
    """A file's findings as ``xltools check`` prints them: the summary, then one line per finding."""
    from xltools import spec

    lines = [f"{report.file}：{report.summary()}"]
    for f in report.findings:
        where = f"{f.sheet}!{f.cell}" if f.cell else (f.sheet or "（文件）")
        lines.append(f"  {spec.SEVERITY_LABELS[f.severity]}  {where:<12} {f.code:<24} {f.message}")
    return "\n".join(lines)
