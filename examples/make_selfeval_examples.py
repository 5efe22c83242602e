"""Regenerate the example year-end self-evaluations under examples/selfeval/ from examples/selfeval.toml.

    .venv/bin/python examples/make_selfeval_examples.py

Each form is made as `xltools selfeval` makes it (from the approved declaration in examples/returns/, or from the
approved values given in the data file), then filled in as a unit returns it: a complete one, one with shortfalls
and reasons, one with errors, and the README's worked example. LibreOffice renders the worked example and the one
with errors to docs/selfeval.png and docs/selfeval-errors.png (first page), as they print.

The output is committed, so `make demo` and the tests need neither this script nor LibreOffice to have them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from xltools.engine import check_file
from xltools.evaluation import Approved, ApprovedRow, Project, project_from
from xltools.fill import fill_form
from xltools.spec.selfeval import selfeval_form
from xltools.template.selfeval import build_selfeval, selfeval_filename

HERE = Path(__file__).resolve().parent
OUT = HERE / "selfeval"
DOCS = HERE.parent / "docs"
RENDERED = {"worked": "selfeval.png", "errors": "selfeval-errors.png"}


def forms() -> list[dict[str, Any]]:
    return list(tomllib.loads((HERE / "selfeval.toml").read_text(encoding="utf-8"))["form"])


def form(form_id: str) -> dict[str, Any]:
    return next(f for f in forms() if f["id"] == form_id)


def _returned(seed_id: str) -> Path:
    """The approved declaration of a seed project: its examples/returns/ file."""
    seeds = [f["id"] for f in tomllib.loads((HERE / "seeds.toml").read_text(encoding="utf-8"))["form"]]
    index = seeds.index(seed_id) + 1
    return next(p for p in sorted((HERE / "returns").glob("*.xlsx")) if p.name.startswith(f"{index:02d}_"))


def project(case: dict[str, Any]) -> Project:
    if "base" in case:
        decl = check_file(_returned(case["base"])).declaration
        assert decl is not None
        return project_from(decl)
    p = case["project"]
    rows = tuple(ApprovedRow(*row) for row in p["rows"])
    return Project(p["unit"], p["project"], p["year"], p["framework"], Approved(float(p["budget"]), p["goal"], rows))


def write(case: dict[str, Any], folder: Path) -> Path:
    proj = project(case)
    wb = build_selfeval(proj)
    fill_form(wb, selfeval_form(), case["values"])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / selfeval_filename(proj)
    wb.save(path)
    return path


def render(paths: dict[str, Path]) -> None:
    sys.path.insert(0, str(HERE.parent / "tests"))
    import libreoffice as lo  # tests/libreoffice.py: the LibreOffice driver the tests use

    with tempfile.TemporaryDirectory() as tmp:
        wanted = {case: paths[case] for case in RENDERED}
        for (case, _path), pdf in zip(wanted.items(), lo.to_pdf(wanted.values(), tmp), strict=True):
            print(lo.render_page(pdf, 1, dpi=100).save_png(DOCS / RENDERED[case]))


def main() -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    paths = {case["id"]: write(case, OUT) for case in forms()}
    for path in paths.values():
        print(path.relative_to(HERE))
    if shutil.which("soffice") is None:
        print("soffice not found: docs/selfeval*.png not rendered", file=sys.stderr)
        return
    render(paths)


if __name__ == "__main__":
    main()
