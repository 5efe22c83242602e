"""Regenerate the example returned workbooks under examples/ from the data files beside this script.

    .venv/bin/python examples/make_examples.py

* examples/returns/  the five approved 2019 seed forms (examples/seeds.toml), filled into the template;
* examples/faulty/   deliberately faulty forms (examples/faulty.toml), one or a few rules each, and adversarial
                     files a bureau really receives: empty, not a workbook, truncated, encrypted, sheet renamed,
                     rows inserted, a formula typed into a text cell, a form re-saved by LibreOffice;
* examples/frameworks/<id>.xlsx  one correctly filled form per indicator framework (examples/frameworks/forms.toml),
                     made on a template of that framework, and its 分解目标 page rendered by LibreOffice to
                     docs/template-<id>.png.
* examples/previous/ last year's (2018) forms of the five seed projects: `make demo` consolidates them into last
                     year's table and checks this year's 同名项目上年预算额 against it (`--previous`).

The output is committed, so `make demo` and the tests need neither this script nor LibreOffice to have them.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path
from typing import Any

from xltools import data, spec
from xltools.fill import fill
from xltools.template import build_template
from xltools.units import safe_filename

HERE = Path(__file__).resolve().parent
RETURNS = HERE / "returns"
FAULTY = HERE / "faulty"
FRAMEWORKS = HERE / "frameworks"
DOCS = HERE.parent / "docs"
PREVIOUS = HERE / "previous"
# Last year's approved 项目当年预算 where it is not what this year's form copied into 同名项目上年预算额.
PREVIOUS_DIFFERENT = {"samr-redshield": 14_000_000}


def load(name: str) -> list[dict[str, Any]]:
    return tomllib.loads((HERE / name).read_text(encoding="utf-8"))["form"]


def seeds() -> dict[str, dict[str, Any]]:
    return {form["id"]: form for form in load("seeds.toml")}


def form_values(form: dict[str, Any]) -> dict[str, Any]:
    keys = set(spec.build().fields) | set(spec.build().tables)
    return {k: v for k, v in form.items() if k in keys}


def write_form(values: dict[str, Any], year: int, path: Path,
               framework: str | data.Framework = data.DEFAULT_FRAMEWORK) -> Path:
    wb = build_template(year=year, framework=framework)
    fill(wb, values)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def seed_name(index: int, form: dict[str, Any]) -> str:
    stem = f"{index:02d}_{form['unit']}_{form['project']}"
    return f"{safe_filename(stem)}.xlsx"


def write_value_forms(returns: Path, faulty: Path) -> list[Path]:
    """The seed forms into ``returns`` and the value-faulty forms into ``faulty``; returns the seed paths."""
    written = []
    for i, form in enumerate(seeds().values(), start=1):
        written.append(write_form(form_values(form), form["year"], returns / seed_name(i, form)))
    for values in faulty_forms():
        path = write_form(form_values(values), values["year"], faulty / f"{values['id']}.xlsx")
        untruncate(path, {key: value for key, value in form_values(values).items()
                          if isinstance(value, str) and len(value) > MAX_TEXT})
    return written


MAX_TEXT = 32_767  # openpyxl cuts a longer text to this; a program writing the XML itself does not


def untruncate(path: Path, long_texts: dict[str, str]) -> None:
    """Put back into ``path`` the whole of each text openpyxl cut to Excel's limit (field key -> text)."""
    if not long_texts:
        return
    from xml.sax.saxutils import escape

    from xltools.workbook import sheet_member

    with zipfile.ZipFile(path) as zin:
        parts = [(info, zin.read(info)) for info in zin.infolist()]
        member = sheet_member(zin, spec.FORM_SHEET)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, content in parts:
            if info.filename == member:
                for text in long_texts.values():
                    cut = f"<t>{escape(text[:MAX_TEXT])}</t>".encode()
                    assert content.count(cut) == 1, "the cut text is in the sheet once"
                    content = content.replace(cut, f"<t>{escape(text)}</t>".encode())
            zout.writestr(info, content)


def previous_forms(previous: Path) -> list[Path]:
    """Last year's forms: each seed project a year earlier, its 项目当年预算 what this year's form says in
    同名项目上年预算额, except the projects of :data:`PREVIOUS_DIFFERENT`."""
    written = []
    for i, form in enumerate(seeds().values(), start=1):
        values = form_values(form)
        year = form["year"] - 1
        annual = PREVIOUS_DIFFERENT.get(form["id"], form["prior_budget"])
        values.update(start=dt.date(year, 1, 1), end=dt.date(year, 12, 31), annual_budget=annual,
                      total_budget=max(annual, form["total_budget"]), prior_budget=None, prior_executed=None,
                      subprojects=[{"name": "项目经费", "amount": annual}])
        written.append(write_form(values, year, previous / seed_name(i, form)))
    return written


def faulty_forms() -> list[dict[str, Any]]:
    base = seeds()
    out = []
    for case in load("faulty.toml"):
        values = dict(base[case["base"]])
        values.update({key: value["repeat"] * value["times"] if isinstance(value, dict) and "repeat" in value
                       else value for key, value in case.get("override", {}).items()})
        values["id"] = case["id"]
        out.append(values)
    return out


def framework_of(framework_id: str) -> data.Framework:
    """A shipped framework, or the one of examples/frameworks/<id>.toml."""
    if framework_id in data.framework_ids():
        return data.framework(framework_id)
    return data.load_framework_file(FRAMEWORKS / f"{framework_id}.toml")


def framework_forms() -> list[dict[str, Any]]:
    """examples/frameworks/forms.toml: one correctly filled form per framework, as values with ``framework``."""
    base = seeds()
    out = []
    for case in tomllib.loads((FRAMEWORKS / "forms.toml").read_text(encoding="utf-8"))["form"]:
        values = {**base[case["base"]], **case.get("override", {}), "framework": case["framework"]}
        out.append(values)
    return out


def write_framework_forms(folder: Path) -> list[Path]:
    return [write_form(form_values(values), values["year"], folder / f"{values['framework']}.xlsx",
                       framework_of(values["framework"]))
            for values in framework_forms()]


def render_framework_pngs(forms: list[Path]) -> None:
    """docs/template-<framework>.png: the page of each framework form that holds 分解目标, as LibreOffice prints it."""
    sys.path.insert(0, str(HERE.parent / "tests"))
    import libreoffice as lo  # tests/libreoffice.py: the LibreOffice driver the tests use

    with tempfile.TemporaryDirectory() as tmp:
        for form, pdf in zip(forms, lo.to_pdf(forms, tmp), strict=True):
            page = next(i for i, text in enumerate(lo.pdf_text(pdf).split("\f"), start=1)
                        if spec.build().tables["indicators"].title in text)
            print(lo.render_page(pdf, page, dpi=100).save_png(DOCS / f"template-{form.stem}.png"))


def adversarial(seed_file: Path) -> None:
    """Files that are not forms at all, or forms damaged in the ways returned files are."""
    (FAULTY / "empty.xlsx").write_bytes(b"")
    (FAULTY / "not-a-workbook.xlsx").write_text("这不是一个Excel文件，只是改了扩展名的文本。\n", encoding="utf-8")
    data = seed_file.read_bytes()
    (FAULTY / "truncated.xlsx").write_bytes(data[: len(data) // 2])

    import msoffcrypto.format.ooxml  # dev dependency: only this script encrypts

    with seed_file.open("rb") as src, (FAULTY / "encrypted.xlsx").open("wb") as dst:
        msoffcrypto.format.ooxml.OOXMLFile(src).encrypt("1234", dst)

    import openpyxl

    wb = openpyxl.load_workbook(seed_file)
    wb[spec.FORM_SHEET].title = "Sheet1"
    wb.save(FAULTY / "sheet-renamed.xlsx")

    wb = openpyxl.load_workbook(seed_file)
    wb[spec.FORM_SHEET].insert_rows(spec.build().tables["indicators"].title_row, 2)
    wb.save(FAULTY / "rows-inserted.xlsx")

    wb = openpyxl.load_workbook(seed_file)
    ws = wb[spec.FORM_SHEET]
    ws[spec.build().fields["project"].cell] = '=HYPERLINK("http://example.invalid","点击查看")'
    ws[spec.build().fields["total_budget"].cell] = "=1000+2000"
    wb.save(FAULTY / "formula-typed.xlsx")

    soffice = shutil.which("soffice")
    if soffice is None:
        print("soffice not found: libreoffice-resaved.xlsx not regenerated", file=sys.stderr)
        return
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "libreoffice-resaved.xlsx"
        shutil.copy(seed_file, src)
        outdir = Path(tmp) / "out"
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--convert-to",
             "xlsx:Calc MS Excel 2007 XML", "--outdir", str(outdir), str(src)],
            check=True, capture_output=True, timeout=180,
        )
        shutil.copy(outdir / src.name, FAULTY / src.name)


def main() -> None:
    for folder in (RETURNS, FAULTY, PREVIOUS):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    written = write_value_forms(RETURNS, FAULTY)
    adversarial(written[0])
    forms = write_framework_forms(FRAMEWORKS)
    previous_forms(PREVIOUS)
    for path in sorted(RETURNS.iterdir()) + sorted(FAULTY.iterdir()) + sorted(PREVIOUS.iterdir()) + forms:
        print(path.relative_to(HERE))
    if shutil.which("soffice") is None:
        print("soffice not found: docs/template-<framework>.png not rendered", file=sys.stderr)
        return
    render_framework_pngs(forms)


if __name__ == "__main__":
    main()
