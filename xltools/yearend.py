"""The year-end round's first step (``xltools selfeval``): what was approved, read (:mod:`xltools.approved`),
becomes one self-evaluation per project (:mod:`xltools.template.selfeval`), each with its ``.xlsm`` twin that has
the 一键校验 button. The command line only maps the outcome to messages and exit codes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from xltools import data, spec
from xltools.approved import Approvals, read_approved
from xltools.atomic import OutputError, ensure_writable
from xltools.data.selfeval_rules import RulesFileError, SelfEvalRules, load_rules_file, selfeval_rules
from xltools.spec.selfeval import SELFEVAL
from xltools.template.selfeval import write_selfevals
from xltools.template.sheets import TemplateError
from xltools.units import UnitsFileError, read_units
from xltools.xlsm import build_macro_workbook

# What stops a run before it reads any form (exit 2): each says what is wrong, in Chinese.
STOPS = (RulesFileError, UnitsFileError, OutputError, TemplateError)


@dataclass
class Made:
    """What a run wrote (each form and, after it, its twin) and what it could not make."""

    rules: SelfEvalRules
    approvals: Approvals
    written: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Chinese, one line each

    @property
    def forms(self) -> int:
        return sum(1 for p in self.written if p.suffix == ".xlsx")

    def lines(self) -> list[str]:
        """Notes and skipped inputs, one Chinese line each, then the summary."""
        out = [*self.problems]
        out += [f"注意：{file}（{reason}）" for file, reason in self.approvals.notes]
        out += [f"未生成：{file}（{reason}）" for file, reason in self.approvals.skipped]
        out.append(f"已生成 {self.forms} 份绩效自评表（评分规则 {self.rules.id}），每份含 .xlsx 与带按钮的 .xlsm；"
                   f"{len(self.approvals.skipped)} 个文件未生成。")
        return out

    @property
    def ok(self) -> bool:
        return self.forms > 0 and not self.approvals.skipped


def make_selfevals(inputs: Sequence[str | Path], out_dir: str | Path, *, units_csv: str | Path | None = None,
                   rules_file: str | Path | None = None, password: str | None = None,
                   frameworks: data.Frameworks | None = None) -> Made:
    """Read what was approved in ``inputs`` and write a self-evaluation for each project into ``out_dir``. A bad
    rules file, units list or output folder (:data:`STOPS`) stops it before any form is read."""
    rules = load_rules_file(rules_file) if rules_file is not None else selfeval_rules()
    units = read_units(units_csv) if units_csv is not None else []
    ensure_writable(out_dir, folder=True)
    made = Made(rules, read_approved(inputs, frameworks, units))
    password = spec.DEFAULT_PASSWORD if password is None else password
    for path in write_selfevals(made.approvals.projects, out_dir, rules, password):
        made.written.append(path)
        try:
            build_macro_workbook(path, path.with_suffix(".xlsm"), SELFEVAL)
            made.written.append(path.with_suffix(".xlsm"))
        except FileNotFoundError as exc:
            made.problems.append(f"未生成 .xlsm：找不到按钮宏源码 {exc.filename}（xltools 安装不完整，请重新安装）。")
    return made
