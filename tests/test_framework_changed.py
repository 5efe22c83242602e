"""framework-changed: a form made with one content of a framework, checked against another content of the same id.

The template records the framework's digest; a different digest gives a warning naming the 一级/二级 added,
removed and renamed (read from the form's own _lists), and the form is checked against the framework given now.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.factories import DEFAULTS, SUBPROJECTS
from xltools import data, spec
from xltools.engine import check_file, check_grids
from xltools.fill import fill
from xltools.template import build_template

BEFORE = """
id = "bureau-x"
name = "测试局指标体系"

[[level1]]
name = "成本指标"
required = false
level2 = ["经济成本指标"]

[[level1]]
name = "产出指标"
level2 = ["数量指标", "质量指标", "时效指标"]

[[level1]]
name = "效益指标"
level2 = ["社会效益指标", "经济效益指标"]

[[level1]]
name = "满意度指标"
level2 = ["服务对象满意度指标", "公众满意度指标"]
"""
# 成本指标 removed; 满意度指标 renamed 服务对象满意度 (and its 公众满意度指标 removed); 可持续影响指标 added;
# under 产出指标 成本指标 added; under 效益指标 经济效益指标 renamed 生态效益指标.
AFTER = """
id = "bureau-x"
name = "测试局指标体系（修订）"

[[level1]]
name = "产出指标"
level2 = ["数量指标", "质量指标", "时效指标", "成本指标"]

[[level1]]
name = "效益指标"
level2 = ["社会效益指标", "生态效益指标"]

[[level1]]
name = "服务对象满意度"
level2 = ["服务对象满意度指标"]

[[level1]]
name = "可持续影响指标"
required = false
level2 = ["可持续影响指标"]
"""
INDICATORS = [
    {"level1": "产出指标", "level2": "数量指标", "level3": "培训人次", "target": "≥300人次"},
    {"level1": "效益指标", "level2": "经济效益指标", "level3": "带动投资", "target": "≥2%"},
    {"level1": "满意度指标", "level2": "服务对象满意度指标", "level3": "学员满意度", "target": "≥90%"},
]
CHANGES = ("一级指标“满意度指标”改名为“服务对象满意度”；删除一级指标“成本指标”；新增一级指标“可持续影响指标”；"
           "一级指标“产出指标”下新增二级指标“成本指标”；一级指标“效益指标”下二级指标“经济效益指标”改名为“生态效益指标”；"
           "一级指标“服务对象满意度”下删除二级指标“公众满意度指标”")


def framework_file(tmp_path: Path, text: str, name: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def form(tmp_path: Path, framework: data.Framework, name: str = "form.xlsx", digest: bool = True) -> Path:
    wb = build_template(framework=framework)
    values: dict[str, Any] = {**DEFAULTS, "subprojects": [{"name": n, "amount": a} for n, a in SUBPROJECTS],
                              "indicators": INDICATORS}
    fill(wb, values)
    if not digest:  # as a template made before digests were recorded
        meta = wb[spec.META_SHEET]
        row = spec.META_KEYS.index("framework_digest") + 1
        meta.cell(row=row, column=1).value = None
        meta.cell(row=row, column=2).value = None
    path = tmp_path / name
    wb.save(path)
    return path


def message(source: str, what: str) -> str:
    return (f"本表按指标体系“bureau-x”制作，与本次检查所用的{source}内容不同{what}。"
            "已按本次的指标体系检查；请核对表中的一级、二级指标是否仍然适用。")


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    return framework_file(tmp_path, BEFORE, "before.toml"), framework_file(tmp_path, AFTER, "after.toml")


def test_the_template_records_the_digest_next_to_the_framework_id(tmp_path: Path, files: tuple[Path, Path]) -> None:
    before = data.load_framework_file(files[0])
    meta = CalamineWorkbook.from_path(form(tmp_path, before)).get_sheet_by_name(spec.META_SHEET).to_python()
    assert [row[:2] for row in meta[:6]] == [
        ["template_id", spec.TEMPLATE_ID], ["version", spec.TEMPLATE_VERSION], ["year", "2019"], ["framework", "bureau-x"],
        ["unit_locked", "0"], ["framework_digest", before.digest]]
    assert len(before.digest) == 16 and before.digest != data.load_framework_file(files[1]).digest


def test_the_same_framework_file_gives_no_warning(tmp_path: Path, files: tuple[Path, Path]) -> None:
    path = form(tmp_path, data.load_framework_file(files[0]))
    result = check_file(path, frameworks=data.load_frameworks([files[0]]))
    assert result.report.codes() == []


def test_a_changed_file_names_what_was_added_removed_and_renamed(tmp_path: Path, files: tuple[Path, Path]) -> None:
    path = form(tmp_path, data.load_framework_file(files[0]))
    result = check_file(path, frameworks=data.load_frameworks([files[1]]))
    # Checked against the file given now: 满意度指标 is no 一级 of it, 经济效益指标 no 二级 of 效益指标, and the
    # required 服务对象满意度 has no row.
    table = spec.build().tables["indicators"]
    assert result.report.codes() == [
        ("framework-changed", "B4"), ("level1-missing", table.cell("level1", 0)),
        ("level2-invalid", table.cell("level2", 1)), ("level2-invalid", table.cell("level1", 2))]
    changed = result.findings[0]
    assert (changed.sheet, changed.severity) == ("_xltools", "warning")
    assert changed.message == message(f"指标体系文件“{files[1]}”", f"：{CHANGES}")


def test_only_aliases_or_required_changed(tmp_path: Path, files: tuple[Path, Path]) -> None:
    path = form(tmp_path, data.load_framework_file(files[0]))
    aliased = framework_file(tmp_path, BEFORE.replace('name = "满意度指标"', 'name = "满意度指标"\naliases = ["满意度"]'),
                             "aliased.toml")
    result = check_file(path, frameworks=data.load_frameworks([aliased]))
    assert result.report.codes() == [("framework-changed", "B4")]
    assert result.findings[0].message == message(f"指标体系文件“{aliased}”", "：一级、二级指标的名称相同，别名或必填设置不同")


def test_a_form_made_before_digests_is_compared_by_its_lists(tmp_path: Path, files: tuple[Path, Path]) -> None:
    path = form(tmp_path, data.load_framework_file(files[0]), digest=False)
    assert check_file(path, frameworks=data.load_frameworks([files[0]])).report.codes() == []
    result = check_file(path, frameworks=data.load_frameworks([files[1]]))
    assert result.report.codes()[0] == ("framework-changed", "B4")
    assert result.findings[0].message == message(f"指标体系文件“{files[1]}”", f"：{CHANGES}")


def test_an_edited_shipped_framework_is_noticed_on_forms_made_before(tmp_path: Path) -> None:
    """A blank form made with an earlier content of sh2019 (here: one with a 二级 under 影响力目标 that today's has
    not) and checked by an xltools whose shipped sh2019 is today's."""
    today = data.framework("sh2019")
    earlier = data.Framework(
        id="sh2019", name=today.name, common_level3=today.common_level3,
        levels={**today.levels, "影响力目标": (*today.levels["影响力目标"], "示范目标")})
    wb = build_template(framework=earlier)
    path = tmp_path / "sh2019-earlier.xlsx"
    wb.save(path)
    changed = [f for f in check_file(path).findings if f.code == "framework-changed"]
    assert [(f.sheet, f.cell) for f in changed] == [("_xltools", "B4")]
    assert changed[0].message == (
        "本表按指标体系“sh2019”制作，与本次检查所用的内置的同名指标体系内容不同：一级指标“影响力目标”下删除二级指标“示范目标”。"
        "已按本次的指标体系检查；请核对表中的一级、二级指标是否仍然适用。")


def test_the_button_without_lists_says_the_digests_differ(tmp_path: Path, files: tuple[Path, Path]) -> None:
    before, after = data.load_framework_file(files[0]), data.load_framework_file(files[1])
    book = CalamineWorkbook.from_path(form(tmp_path, before))
    grids = [book.get_sheet_by_name(s).to_python() for s in (spec.FORM_SHEET, spec.META_SHEET)]
    result = check_grids(*grids, file="form.xlsx", frameworks=data.load_frameworks([files[1]]))
    assert result.report.codes()[0] == ("framework-changed", "B4")
    assert result.findings[0].message == message(
        f"指标体系文件“{files[1]}”", f"（表中记录的摘要为 {before.digest}，现为 {after.digest}；表中没有可比对的指标清单）")


def test_consolidation_lists_it_and_checks_against_the_given_file(tmp_path: Path, files: tuple[Path, Path]) -> None:
    from xltools.consolidate import consolidate

    folder = tmp_path / "in"
    folder.mkdir()
    path = form(folder, data.load_framework_file(files[0]))
    summary = consolidate([folder], tmp_path / "out.xlsx", jobs=1, frameworks=data.load_frameworks([files[1]]))
    table = spec.build().tables["indicators"]
    assert [(f.code, f.cell) for f in summary.findings if f.file == str(path)] == [
        ("framework-changed", "B4"), ("level1-missing", table.cell("level1", 0)),
        ("level2-invalid", table.cell("level2", 1)), ("level2-invalid", table.cell("level1", 2))]
    sheet = openpyxl.load_workbook(tmp_path / "out.xlsx", read_only=True)["问题清单"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert any("framework-changed" in row and f"：{CHANGES}" in str(row) for row in rows)


def test_the_digest_follows_what_the_checks_use(tmp_path: Path, files: tuple[Path, Path]) -> None:
    before = data.load_framework_file(files[0])
    resaved = framework_file(tmp_path, "# 注释\n" + BEFORE.replace("测试局指标体系", "另一个标题") +
                             '\n[common_level3]\nnames = ["培训人次"]\n', "resaved.toml")
    assert data.load_framework_file(resaved).digest == before.digest  # title, comments, suggestions: no check reads them
    optional = framework_file(tmp_path, BEFORE.replace('required = false\n', ''), "required.toml")
    assert data.load_framework_file(optional).digest != before.digest


def test_every_shipped_framework_digest_is_recorded() -> None:
    """Editing a shipped framework is deliberate: its new digest goes last in data/framework_digests.toml."""
    history = data.shipped_digests()
    assert set(history) == set(data.framework_ids())
    for framework_id in data.framework_ids():
        assert history[framework_id][-1] == data.framework(framework_id).digest, framework_id


def test_a_form_made_before_digests_on_a_shipped_framework_is_compared_only_once_it_changed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Shipped files were never edited before digests were recorded: a form without a digest was made with the
    first recorded content, so its _lists are not even read while that is today's; once it is not, they are."""
    from xltools.reader import read

    wb = build_template()
    meta = wb[spec.META_SHEET]
    meta.cell(row=6, column=1).value = meta.cell(row=6, column=2).value = None
    path = tmp_path / "v2-before-digests.xlsx"
    wb.save(path)
    asked: list[bool] = []
    needs = read.needs_lists
    monkeypatch.setattr(read, "needs_lists", lambda m, f: asked.append(needs(m, f)) or asked[-1])
    assert [f.code for f in check_file(path).findings if f.code == "framework-changed"] == []
    assert asked == [False]
    today = data.framework("sh2019").digest
    monkeypatch.setattr(data, "shipped_digests", lambda: {"sh2019": ("0123456789abcdef", today)})
    assert [f.code for f in check_file(path).findings if f.code == "framework-changed"] == []  # same lists
    assert asked == [False, True]


def test_an_unreadable_lists_sheet_leaves_the_form_readable(tmp_path: Path, files: tuple[Path, Path]) -> None:
    """_lists only names what changed: one bloated beyond the reader's limits is skipped, not the whole form."""
    before, after = data.load_framework_file(files[0]), data.load_framework_file(files[1])
    path = form(tmp_path, before)
    wb = openpyxl.load_workbook(path)
    wb[spec.LISTS_SHEET]["XFD1048576"] = "远处的单元格"
    wb.save(path)
    result = check_file(path, frameworks=data.load_frameworks([files[1]]))
    assert result.declaration is not None
    assert result.report.codes()[0] == ("framework-changed", "B4")
    assert result.findings[0].message == message(
        f"指标体系文件“{files[1]}”", f"（表中记录的摘要为 {before.digest}，现为 {after.digest}；表中没有可比对的指标清单）")
