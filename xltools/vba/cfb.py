"""A minimal Compound File Binary (MS-CFB) writer: version 3, 512-byte sectors, written in one pass.

olefile reads compound files but cannot create them, and a vbaProject.bin is one. Only what a VBA project needs
is supported: storages and streams given as paths, no timestamps (so builds are reproducible), no CLSIDs.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
_HEADER_DIFAT = 109
_FAT_PER_SECTOR = SECTOR // 4
_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_RED, _BLACK = 0, 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: list[_Entry] = field(default_factory=list)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    color: int = _BLACK
    start: int = ENDOFCHAIN


def _order_key(name: str) -> tuple[int, str]:
    # MS-CFB 2.6.4: shorter names sort first, equal lengths compare upper-cased.
    return (len(name), name.upper())


def _tree(children: list[_Entry]) -> int:
    """Link siblings into a balanced binary search tree, coloured as a valid red-black tree; return its root.

    Splitting at the middle puts every leaf on the last two levels; colouring the deepest level red and the rest
    black then gives every path the same number of black nodes and no red node a red child.
    """
    ordered = sorted(children, key=lambda e: _order_key(e.name))
    depth_of: dict[int, int] = {}

    def build(lo: int, hi: int, depth: int) -> int:
        if lo >= hi:
            return NOSTREAM
        mid = (lo + hi) // 2
        node = ordered[mid]
        depth_of[node.sid] = depth
        node.left = build(lo, mid, depth + 1)
        node.right = build(mid + 1, hi, depth + 1)
        return node.sid

    root = build(0, len(ordered), 0)
    deepest = max(depth_of.values(), default=0)
    for node in ordered:
        node.color = _RED if deepest > 0 and depth_of[node.sid] == deepest else _BLACK
    return root


def _dir_entry(e: _Entry) -> bytes:
    encoded = e.name.encode("utf-16-le")
    # MS-CFB 2.6.3: a storage object's starting sector and stream size MUST be 0 (Excel writes 0 too).
    start, size = (0, 0) if e.kind == _STORAGE else (e.start, len(e.data))
    return struct.pack(
        "<64sHBBIII16sI8s8sIQ",
        encoded,
        len(encoded) + 2,
        e.kind,
        e.color,
        e.left,
        e.right,
        e.child,
        b"\0" * 16,
        0,
        b"\0" * 8,
        b"\0" * 8,
        start,
        size,
    )


_FREE_ENTRY = struct.pack(
    "<64sHBBIII16sI8s8sIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, b"\0" * 16, 0, b"", b"", 0, 0
)


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """A compound file holding ``streams``, keyed by slash-separated paths such as ``"VBA/dir"``.

    Storages are created from the paths. Names are at most 31 characters and may not contain ``/``.
    """
    root = _Entry("Root Entry", _ROOT)
    storages: dict[tuple[str, ...], _Entry] = {(): root}
    for path, data in streams.items():
        parts = tuple(path.split("/"))
        for p in parts:
            if not p or len(p) > 31 or any(c in p for c in "\\:!"):
                raise ValueError(f"invalid compound file name {p!r} in {path!r}")
        for i in range(1, len(parts)):
            if parts[:i] not in storages:
                storage = _Entry(parts[i - 1], _STORAGE)
                storages[parts[: i - 1]].children.append(storage)
                storages[parts[:i]] = storage
        parent = storages[parts[:-1]]
        if any(_order_key(c.name) == _order_key(parts[-1]) for c in parent.children):
            raise ValueError(f"duplicate name {path!r}")
        parent.children.append(_Entry(parts[-1], _STREAM, bytes(data)))

    # Directory ids in breadth-first order, root first.
    entries: list[_Entry] = [root]
    i = 0
    while i < len(entries):
        entries.extend(entries[i].children)
        i += 1
    for sid, e in enumerate(entries):
        e.sid = sid
    for e in entries:
        if e.children:
            e.child = _tree(e.children)

    # Small streams live in the mini stream, the others in regular sectors.
    mini_stream = bytearray()
    mini_fat: list[int] = []
    big: list[_Entry] = []
    for e in entries:
        if e.kind != _STREAM or not e.data:
            continue
        if len(e.data) < MINI_CUTOFF:
            n = math.ceil(len(e.data) / MINI_SECTOR)
            e.start = len(mini_fat)
            mini_fat.extend(range(e.start + 1, e.start + n))
            mini_fat.append(ENDOFCHAIN)
            mini_stream += e.data + b"\0" * (n * MINI_SECTOR - len(e.data))
        else:
            big.append(e)
    root.data = bytes(mini_stream)  # its length is the root entry's stream size

    def sectors(nbytes: int) -> int:
        return math.ceil(nbytes / SECTOR)

    # Layout: directory, mini FAT, mini stream, big streams, then the FAT itself.
    dir_bytes = b"".join(_dir_entry(e) for e in entries)
    dir_bytes += _FREE_ENTRY * (-len(entries) % (SECTOR // 128))
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat)
    mini_fat_bytes += b"\xff" * (-len(mini_fat_bytes) % SECTOR)
    chains: list[tuple[str, bytes]] = [("dir", dir_bytes), ("minifat", mini_fat_bytes)]
    chains.append(("ministream", bytes(mini_stream)))
    chains.extend((f"stream:{e.sid}", e.data) for e in big)

    fat: list[int] = []
    starts: dict[str, int] = {}
    for key, data in chains:
        n = sectors(len(data))
        if n == 0:
            starts[key] = ENDOFCHAIN
            continue
        starts[key] = len(fat)
        fat.extend(range(len(fat) + 1, len(fat) + n))
        fat.append(ENDOFCHAIN)
    n_fat = 1
    while n_fat * _FAT_PER_SECTOR < len(fat) + n_fat:
        n_fat += 1
    if n_fat > _HEADER_DIFAT:
        raise ValueError("compound file too large for a header-only DIFAT")
    fat_start = len(fat)
    fat.extend([FATSECT] * n_fat)
    fat.extend([FREESECT] * (n_fat * _FAT_PER_SECTOR - len(fat)))

    root.start = starts["ministream"]
    for e in big:
        e.start = starts[f"stream:{e.sid}"]
    # Entries changed (start sectors): serialise the directory again, same size as before.
    dir_bytes = b"".join(_dir_entry(e) for e in entries)
    dir_bytes += _FREE_ENTRY * (-len(entries) % (SECTOR // 128))

    difat = list(range(fat_start, fat_start + n_fat)) + [FREESECT] * (_HEADER_DIFAT - n_fat)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        _MAGIC,
        b"\0" * 16,
        0x003E,
        0x0003,
        0xFFFE,
        9,
        6,
        b"\0" * 6,
        0,
        n_fat,
        starts["dir"],
        0,
        MINI_CUTOFF,
        starts["minifat"] if mini_fat else ENDOFCHAIN,
        sectors(len(mini_fat_bytes)) if mini_fat else 0,
        ENDOFCHAIN,
        0,
    ) + struct.pack(f"<{_HEADER_DIFAT}I", *difat)

    body = bytearray(header)
    for key, data in [("dir", dir_bytes), *chains[1:]]:
        if starts[key] == ENDOFCHAIN:
            continue
        body += data + b"\0" * (-len(data) % SECTOR)
    body += struct.pack(f"<{len(fat)}I", *fat)
    return bytes(body)
