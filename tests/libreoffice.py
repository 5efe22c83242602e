"""Drive LibreOffice headless from tests: convert, round-trip, render, and run UNO scripts.

Standard library only, so the same module also serves UNO scripts run by the system ``/usr/bin/python3`` (which
has the ``uno`` module the project's venv lacks): such a script does ``from libreoffice import uno_session``.

Profiles: every soffice process gets its own ``-env:UserInstallation``. Profiles live in a small pool of slots
(one exclusive file lock per slot, so concurrent processes, pytest-xdist workers included, never share one) and
are reused, because a fresh profile costs seconds on first start. Each profile is seeded to recalculate formulas
on load (``OOXMLRecalcMode``/``ODFRecalcMode`` = 0, "always"): openpyxl writes formulas without cached values,
and without this LibreOffice would keep stale or empty results.

API:
    convert(paths, fmt, outdir)      many files in ONE soffice call (about 8x faster than one call each)
    roundtrip_xlsx(path, outdir)     open and re-save as .xlsx ("Calc Office Open XML")
    to_pdf(paths, outdir)            render to PDF
    pdf_text(pdf) / pdf_words(pdf)   text, and words with their boxes (poppler's pdftotext)
    render_page(pdf, page, dpi)      one page as an RGB raster (poppler's pdftoppm), .pixel(x, y) / .save_png()
    run_uno_script(script, *args)    start soffice listening on a pipe, run ``/usr/bin/python3 script args``
    uno_session()                    inside such a script: connect, yield the Desktop, terminate soffice after

Command line (for docs): ``python tests/libreoffice.py png <workbook> <out.png> [dpi]`` renders page 1.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SYSTEM_PYTHON = "/usr/bin/python3"
DEFAULT_TIMEOUT = 240.0
PIPE_ENV = "XLTOOLS_UNO_PIPE"
MAX_SLOTS = 16

_REGISTRY = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="ShowTipOfTheDay" oor:op="fuse"><value>false</value></prop></item>
</oor:items>
"""


class LibreOfficeError(RuntimeError):
    """soffice failed, timed out, or did not write the expected output."""


def soffice() -> str:
    """Path of the soffice executable; LibreOfficeError when it is not installed."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    if not path:
        raise LibreOfficeError("LibreOffice (soffice) is not installed; run `make libreoffice`")
    return path


def profile_root() -> Path:
    return Path(os.environ.get("XLTOOLS_LO_PROFILES") or Path(tempfile.gettempdir()) / f"xltools-lo-{os.getuid()}")


@contextlib.contextmanager
def profile() -> Iterator[Path]:
    """An exclusive, reused LibreOffice user installation that recalculates on load. Yields its directory."""
    root = profile_root()
    root.mkdir(parents=True, exist_ok=True)
    for slot in range(MAX_SLOTS):
        lock = open(root / f"slot{slot}.lock", "w")  # noqa: SIM115 - held for the duration of the block
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        try:
            path = root / f"slot{slot}"
            registry = path / "user" / "registrymodifications.xcu"
            if not registry.exists():
                registry.parent.mkdir(parents=True, exist_ok=True)
                registry.write_text(_REGISTRY, encoding="utf-8")
            yield path
            return
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
    raise LibreOfficeError(f"all {MAX_SLOTS} LibreOffice profile slots under {root} are busy")


def _base_args(profile_dir: Path) -> list[str]:
    return [soffice(), f"-env:UserInstallation={profile_dir.resolve().as_uri()}", "--headless", "--invisible",
            "--nologo", "--norestore", "--nolockcheck", "--nodefault"]


def _stop(proc: subprocess.Popen[Any], grace: float = 20.0) -> None:
    """End the soffice process group we started (the soffice wrapper script and soffice.bin)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _run(args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _stop(proc, grace=5)
        raise LibreOfficeError(f"soffice timed out after {timeout:.0f} s: {' '.join(args[-3:])}") from exc
    return subprocess.CompletedProcess(args, proc.returncode, out, err)


def convert(paths: Iterable[str | Path], fmt: str, outdir: str | Path, *,
            timeout: float = DEFAULT_TIMEOUT, infilter: str | None = None) -> list[Path]:
    """Convert ``paths`` with one soffice call; ``fmt`` is soffice's ``--convert-to`` argument, e.g. ``pdf`` or
    ``xlsx:Calc Office Open XML`` (no shell: no quotes). ``infilter``: the import filter, for a type LibreOffice does
    not detect by itself. Returns the output paths in input order (``outdir/<stem>.<ext>``)."""
    sources = [Path(p).resolve() for p in paths]
    if not sources:
        return []
    out = Path(outdir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    ext = fmt.split(":", 1)[0]
    targets = [out / f"{src.stem}.{ext}" for src in sources]
    stems = [t.name for t in targets]
    if len(set(stems)) != len(stems):
        raise LibreOfficeError(f"two inputs would write the same output name: {stems}")
    if any(t == s for t, s in zip(targets, sources, strict=True)):
        raise LibreOfficeError("output would overwrite an input: choose another outdir")
    for t in targets:
        t.unlink(missing_ok=True)
    with profile() as prof:
        chosen = [f"--infilter={infilter}"] if infilter else []
        result = _run([*_base_args(prof), *chosen, "--convert-to", fmt, "--outdir", str(out), *map(str, sources)],
                      timeout)
    missing = [t for t in targets if not t.exists()]
    if result.returncode != 0 or missing:
        raise LibreOfficeError(f"soffice --convert-to {fmt} failed (exit {result.returncode}); missing {missing}; "
                               f"stdout: {result.stdout.strip()} stderr: {result.stderr.strip()}")
    return targets


def roundtrip_xlsx(path: str | Path, outdir: str | Path) -> Path:
    """Open ``path`` in LibreOffice (recalculating) and save it again as .xlsx into ``outdir``."""
    return convert([path], "xlsx:Calc Office Open XML", outdir)[0]


def to_pdf(paths: Iterable[str | Path], outdir: str | Path) -> list[Path]:
    return convert(paths, "pdf", outdir)


def pdf_text(pdf: str | Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


@dataclass(frozen=True)
class Word:
    text: str
    page: int  # 1-based
    x0: float  # PDF points from the page's top-left corner
    y0: float
    x1: float
    y1: float


def pdf_words(pdf: str | Path) -> list[Word]:
    """Every word of the PDF with its box (pdftotext -bbox), in points from the top-left of its page."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    words: list[Word] = []
    for page, chunk in enumerate(html.split("<page ")[1:], start=1):
        for m in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
                             chunk):
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            text = m.group(5).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
            words.append(Word(text, page, x0, y0, x1, y1))
    return words


@dataclass(frozen=True)
class Raster:
    """An RGB image of one rendered page; ``dpi`` maps PDF points to pixels (px = pt * dpi / 72)."""

    width: int
    height: int
    dpi: int
    data: bytes

    def pixel(self, x: int, y: int) -> tuple[int, int, int]:
        i = (y * self.width + x) * 3
        return self.data[i], self.data[i + 1], self.data[i + 2]

    def at_points(self, x: float, y: float) -> tuple[int, int, int]:
        scale = self.dpi / 72
        return self.pixel(min(int(x * scale), self.width - 1), min(int(y * scale), self.height - 1))

    def save_png(self, path: str | Path) -> Path:
        """Write a PNG (no imaging library needed)."""
        raw = b"".join(b"\x00" + self.data[y * self.width * 3:(y + 1) * self.width * 3] for y in range(self.height))

        def chunk(kind: bytes, body: bytes) -> bytes:
            return (len(body).to_bytes(4, "big") + kind + body
                    + zlib.crc32(kind + body).to_bytes(4, "big"))

        ihdr = self.width.to_bytes(4, "big") + self.height.to_bytes(4, "big") + bytes([8, 2, 0, 0, 0])
        png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
        Path(path).write_bytes(png)
        return Path(path)


def render_page(pdf: str | Path, page: int = 1, dpi: int = 100) -> Raster:
    """Rasterise one page of ``pdf`` with pdftoppm."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "page"
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(root)], check=True, capture_output=True)
        blob = root.with_suffix(".ppm").read_bytes()
    m = re.match(rb"P6\s+(\d+)\s+(\d+)\s+(\d+)\s", blob)
    if not m:
        raise LibreOfficeError("pdftoppm did not write a binary PPM")
    width, height = int(m.group(1)), int(m.group(2))
    return Raster(width, height, dpi, blob[m.end():m.end() + width * height * 3])


def render_png(workbook: str | Path, out_png: str | Path, *, page: int = 1, dpi: int = 110) -> Path:
    """Render ``page`` of a workbook as LibreOffice prints it, to ``out_png``."""
    with tempfile.TemporaryDirectory() as tmp:
        (pdf,) = to_pdf([workbook], tmp)
        return render_page(pdf, page, dpi).save_png(out_png)


def run_uno_script(script: str | Path, *args: str, timeout: float = DEFAULT_TIMEOUT,
                   env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Start soffice listening on a private pipe, run ``/usr/bin/python3 script *args`` against it, stop soffice.

    The script connects with ``uno_session()`` from this module (its folder is put on PYTHONPATH). Returns the
    script's completed process (stdout/stderr as text); raises LibreOfficeError when it fails or times out.
    """
    pipe = f"xltools_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with profile() as prof:
        office = subprocess.Popen([*_base_args(prof), f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            script_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONHOME", "VIRTUAL_ENV")}
            script_env.update(env or {})
            script_env[PIPE_ENV] = pipe
            script_env["PYTHONPATH"] = str(Path(__file__).resolve().parent)
            try:
                result = subprocess.run([SYSTEM_PYTHON, str(script), *args], capture_output=True, text=True,
                                        timeout=timeout, env=script_env)
            except subprocess.TimeoutExpired as exc:
                raise LibreOfficeError(f"UNO script {script} timed out after {timeout:.0f} s") from exc
        finally:
            _stop(office)
    if result.returncode != 0:
        raise LibreOfficeError(f"UNO script {script} failed (exit {result.returncode}):\n{result.stderr}")
    return result


# --- inside a UNO script (system python3 with `uno`) ---------------------------------------------------------


@contextlib.contextmanager
def uno_session(connect_timeout: float = 60.0) -> Iterator[Any]:
    """Connect to the soffice started by run_uno_script and yield its Desktop; terminate soffice afterwards."""
    import uno  # type: ignore[import-not-found]  # only in the system python

    pipe = os.environ[PIPE_ENV]
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + connect_timeout
    while True:
        try:
            ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:  # NoConnectException until soffice is up
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)
    desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
    try:
        yield desktop
    finally:
        with contextlib.suppress(Exception):  # the bridge drops while soffice quits
            desktop.terminate()


def props(**kwargs: Any) -> tuple[Any, ...]:
    """UNO PropertyValue tuple from keyword arguments (inside a UNO script)."""
    import uno
    from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

    del uno
    out = []
    for name, value in kwargs.items():
        p = PropertyValue()
        p.Name, p.Value = name, value
        out.append(p)
    return tuple(out)


def file_url(path: str | Path) -> str:
    return Path(path).resolve().as_uri()


def main(argv: Sequence[str]) -> int:
    if len(argv) >= 3 and argv[0] == "png":
        dpi = int(argv[3]) if len(argv) > 3 else 110
        print(render_png(argv[1], argv[2], dpi=dpi))
        return 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
