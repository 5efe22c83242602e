"""How long is the Python side of one click of 一键校验? Not a test: run it and read the figures.

    .venv/bin/python benchmarks/click.py [FILE] [--runs N] [--staff-python PATH]

Per click, xlwings' RunPython starts a new interpreter and runs
``import xlwings.utils; xlwings.utils.prepare_sys_path(...); import xltools.excel as x; x.check_button()``.
Measured here, on one returned form (default: the last of examples/returns/), each figure the median of N new
processes (range in brackets); wall time, and for the two totals also CPU time (user + system), which a busy
machine hardly changes:

* start + imports: a new ``python -B -c "import xlwings.utils, xltools.excel"``, wall time (the goal for the staff
  install: <= 0.35 s);
* the whole click in a new process, with xlwings' remote engine standing in for Excel (``xw.Book(json=...)``, the
  payload the VBA client would send, built beforehand from the file), and inside that process: the imports, the
  payload turned into a book, reading the two ranges, the check, writing the findings and the actions as JSON.

For two installs:

* staff: this interpreter with pandas, numpy, pandera and pyarrow made unimportable (tests/staffsite), as on a PC
  where `pip install xltools` installed only the staff packages; and, with ``--staff-python``, the interpreter of a
  real staff venv too (``python -m venv v && v/bin/pip install xltools-*.whl``);
* bureau: this interpreter as it is (pandas and numpy installed: xlwings imports them whenever they are there).

The same for the add-in's 一键校验, started as its VBA starts it (``pythonw -I -B -m xltools.addin TOKEN``: -I, so
PYTHONPATH cannot make the staff install here; the staff block is loaded by the code instead):

* add-in start + imports: ``python -I -B -c "import xltools.addin.launch, xltools.addin.ui, xltools.addin.staff,
  xlwings, xltools.excel"`` (the goal: <= 0.35 s);
* add-in click: the request file written as the VBA writes it, then :func:`xltools.addin.launch.main` with the remote
  engine for Excel: reading the request, reaching the book, the check, the writes.

Excel's side (COM calls, the VBA, the virus scanner on an office PC) is not in these figures: see
docs/acceptance-checklist.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STAFFSITE = ROOT / "tests" / "staffsite"
IMPORTS = "import xlwings.utils, xltools.excel"

# One click, timed inside the new process. Phases split at check_grids' entry and exit.
CLICK = """
import time
t0 = time.perf_counter()
import json, os, sys
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"  # the remote engine (PRO, noncommercial): here only
import xlwings.utils, xltools.excel as x
import xlwings as xw
t1 = time.perf_counter()
marks = []
real = x.check_grids
def timed(*args, **kwargs):
    marks.append(time.perf_counter())
    result = real(*args, **kwargs)
    marks.append(time.perf_counter())
    return result
x.check_grids = timed
with open(sys.argv[1], encoding="utf-8") as f:
    book = xw.Book(json=json.load(f))
t2 = time.perf_counter()
result = x.check_button(book)
actions = json.dumps(book.json())
t3 = time.perf_counter()
assert result is not None and len(actions) > 1000
print(json.dumps({"imports": t1 - t0, "payload": t2 - t1, "read": marks[0] - t2, "check": marks[1] - marks[0],
                  "write": t3 - marks[1], "heavy": sorted(m for m in ("pandas", "numpy") if m in sys.modules)}))
"""
PHASES = ("imports", "payload", "read", "check", "write")

# The add-in: what `-m xltools.addin` imports before and during a staff click.
ADDIN_IMPORTS = "import xltools.addin.launch, xltools.addin.ui, xltools.addin.staff, xlwings, xltools.excel"
ADDIN_CLICK = """
import time
t0 = time.perf_counter()
import json, os, sys
os.environ["XLWINGS_LICENSE_KEY"] = "noncommercial"
from pathlib import Path
from xltools.addin import launch
import xlwings as xw
t1 = time.perf_counter()
home, token = Path(sys.argv[2]), "0123456789ABCDEF0123456789ABCDEF"
with open(sys.argv[1], encoding="utf-8") as f:
    book = xw.Book(json=json.load(f))
(home / "run").mkdir(parents=True, exist_ok=True)
(home / "run" / (token + ".req")).write_bytes(launch.request_bytes("check", 1, book.name))
t2 = time.perf_counter()
assert launch.main([token], home=home, connect=lambda hwnd, name: (book.app, book)) == 0
actions = json.dumps(book.json())
t3 = time.perf_counter()
assert len(actions) > 1000
print(json.dumps({"imports": t1 - t0, "payload": t2 - t1, "click": t3 - t2,
                  "heavy": sorted(m for m in ("pandas", "numpy") if m in sys.modules)}))
"""
ADDIN_PHASES = ("imports", "payload", "click")


def run(python: str, args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """(wall time, CPU time, stdout) of one new process. CPU time (user + system) hardly depends on how busy the
    machine is; wall time does."""
    # cwd: not the checkout, whose xltools/ would shadow the installed one of a staff venv (sys.path[0] is cwd)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([python, "-B", *args], capture_output=True, text=True, env=env, check=True, cwd=cwd)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), done.stdout


def figure(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} s ({min(values):.3f}–{max(values):.3f})"


@dataclass
class Install:
    label: str
    python: str
    env: dict[str, str]
    starts: list[float] = field(default_factory=list)
    starts_cpu: list[float] = field(default_factory=list)
    clicks: list[float] = field(default_factory=list)
    clicks_cpu: list[float] = field(default_factory=list)
    phases: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in (*PHASES, "rest")})
    heavy: list[str] = field(default_factory=list)
    staff_block: bool = False  # -I ignores PYTHONPATH: the add-in's runs load the staff block themselves
    addin_starts: list[float] = field(default_factory=list)
    addin_clicks: list[float] = field(default_factory=list)
    addin_phases: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in (*ADDIN_PHASES, "rest")})

    def _isolated(self, code: str) -> str:
        if not self.staff_block:
            return code
        return f"exec(open({str(STAFFSITE / 'sitecustomize.py')!r}, encoding='utf-8').read())\n{code}"

    def run_addin_once(self, payload: Path) -> None:
        cwd = payload.parent
        wall, _cpu, _ = run(self.python, ["-I", "-c", self._isolated(ADDIN_IMPORTS)], self.env, cwd)
        self.addin_starts.append(wall)
        with tempfile.TemporaryDirectory() as home:
            wall, _cpu, out = run(self.python, ["-I", "-c", self._isolated(ADDIN_CLICK), str(payload), home],
                                  self.env, cwd)
        inside = json.loads(out)
        assert inside.pop("heavy") == self.heavy, "the add-in's click loads what the button's does"
        self.addin_clicks.append(wall)
        for name in ADDIN_PHASES:
            self.addin_phases[name].append(inside[name])
        self.addin_phases["rest"].append(wall - sum(inside[name] for name in ADDIN_PHASES))

    def run_once(self, payload: Path) -> None:
        cwd = payload.parent
        wall, cpu, _ = run(self.python, ["-c", IMPORTS], self.env, cwd)
        self.starts.append(wall)
        self.starts_cpu.append(cpu)
        wall, cpu, out = run(self.python, ["-c", CLICK, str(payload)], self.env, cwd)
        self.clicks_cpu.append(cpu)
        inside = json.loads(out)
        self.heavy = inside.pop("heavy")
        self.clicks.append(wall)
        for name in PHASES:
            self.phases[name].append(inside[name])
        self.phases["rest"].append(wall - sum(inside[name] for name in PHASES))

    def report(self) -> None:
        print(f"\n{self.label}: {self.python}  (pandas/numpy loaded in the click: {', '.join(self.heavy) or 'none'})")
        print(f"  {'start + imports, new process':<44} {figure(self.starts)}   CPU {figure(self.starts_cpu)}")
        print(f"  {'whole click, new process':<44} {figure(self.clicks)}   CPU {figure(self.clicks_cpu)}")
        for name, text in (("rest", "interpreter start and exit"), ("imports", "imports (xlwings, xltools.excel)"),
                           ("payload", "payload -> xw.Book (remote engine)"), ("read", "read the two ranges"),
                           ("check", "the check (check_grids)"), ("write", "write findings, actions to JSON")):
            print(f"    {text:<42} {figure(self.phases[name])}")
        print(f"  {'add-in: start + imports (-I), new process':<44} {figure(self.addin_starts)}")
        print(f"  {'add-in: whole click (-I), new process':<44} {figure(self.addin_clicks)}")
        for name, text in (("rest", "interpreter start and exit"), ("imports", "imports (launcher, xlwings)"),
                           ("payload", "payload -> xw.Book, request file"),
                           ("click", "launcher: request, staff check, actions")):
            print(f"    {text:<42} {figure(self.addin_phases[name])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", type=Path)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--staff-python", help="also measure the interpreter of a real staff venv")
    args = parser.parse_args()
    path = args.file or sorted((ROOT / "examples" / "returns").glob("*.xlsx"))[-1]

    sys.path.insert(0, str(ROOT))
    from tests.payload import payload

    base = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "XLWINGS_LICENSE_KEY")}
    with tempfile.TemporaryDirectory() as tmp:
        body = Path(tmp) / "payload.json"
        body.write_text(json.dumps(payload(path), ensure_ascii=False), encoding="utf-8")
        print(f"form: {path.name}; {args.runs} runs each, the installs taking turns; Python {sys.version.split()[0]}")
        installs = [Install("staff install (pandas, numpy, pandera, pyarrow blocked)", sys.executable,
                            {**base, "PYTHONPATH": str(STAFFSITE)}, staff_block=True)]
        if args.staff_python:
            installs.append(Install("staff install (a real staff venv)", args.staff_python, base))
        installs.append(Install("bureau install (this environment)", sys.executable, base))
        for install in installs:  # warm the file cache
            run(install.python, ["-c", IMPORTS], install.env, body.parent)
        # Taking turns, so a busy spell of the (shared) machine weighs on both installs alike.
        for _ in range(args.runs):
            for install in installs:
                install.run_once(body)
                install.run_addin_once(body)
        for install in installs:
            install.report()
        # The machine may be shared: the load says how busy it was while measuring.
        print(f"\nload average after the runs (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")

if __name__ == "__main__":
    main()
