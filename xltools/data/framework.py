"""An indicator framework as data: the :class:`Framework` type (一级 -> 二级 in form order, aliases, required
一级, suggested 三级) and how names are compared (:func:`name_key`). See :mod:`xltools.data` for the API.

Standard library only: the engine, the worker processes and the template all import it.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field


def name_key(text: str) -> str:
    """How 一级/二级 names are compared: NFKC (full-width to half-width), no whitespace at all, case-folded.
    ``产出 指标`` and ``产出指标`` have the same key."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()



@dataclass(frozen=True)
class Level3:
    """A suggested 三级指标 and its usual unit ('' when it has none, e.g. a qualitative one)."""

    name: str
    unit: str = ""


@dataclass(frozen=True)
class Framework:
    """One indicator framework. See :mod:`xltools.data` for the API."""

    id: str
    name: str
    levels: dict[str, tuple[str, ...]]  # 一级 -> allowed 二级, in form order
    common_level3: tuple[str, ...]
    optional: frozenset[str] = frozenset()  # 一级 that need no indicator (every other one is required)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 一级 -> other accepted spellings
    level2_aliases: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)  # 一级 -> 二级 -> spellings
    level3: tuple[Level3, ...] = ()  # common_level3 with their units
    source: str = ""
    path: str = field(default="", compare=False)  # the file it was read from ('' when built in code)
    # name_key -> canonical name, built once (the rules ask for every row of every form).
    _level1_keys: dict[str, str] = field(init=False, repr=False, compare=False)
    _level2_keys: dict[str, dict[str, str]] = field(init=False, repr=False, compare=False)
    _digest: str = field(init=False, repr=False, compare=False)

    def __hash__(self) -> int:  # the dict fields are not hashable; equal frameworks share id and levels' names
        return hash((self.id, self.name, tuple(self.levels)))

    def __post_init__(self) -> None:
        keys1: dict[str, str] = {}
        keys2: dict[str, dict[str, str]] = {}
        for level1, level2 in self.levels.items():
            for spelling in (level1, *self.aliases.get(level1, ())):
                keys1.setdefault(name_key(spelling), level1)
            inner: dict[str, str] = {}
            extra = self.level2_aliases.get(level1, {})
            for name in level2:
                for spelling in (name, *extra.get(name, ())):
                    inner.setdefault(name_key(spelling), name)
            keys2[level1] = inner
        object.__setattr__(self, "_level1_keys", keys1)
        object.__setattr__(self, "_level2_keys", keys2)
        object.__setattr__(self, "_digest", _digest(self))

    @property
    def digest(self) -> str:
        """What a template records of the framework it was made from (meta ``framework_digest``): a hash of what
        the checks use, so a later edit of the file is noticed on forms made before it (``framework-changed``).
        See :func:`_digest`."""
        return self._digest

    @property
    def level1(self) -> tuple[str, ...]:
        return tuple(self.levels)

    @property
    def required(self) -> tuple[str, ...]:
        """The 一级 every form must have at least one indicator of, in form order."""
        return tuple(name for name in self.levels if name not in self.optional)

    def canonical_level1(self, text: str) -> str | None:
        """The 一级 that ``text`` names (itself, an alias, or either with other spacing/width), or None."""
        return self._level1_keys.get(name_key(text or ""))

    def canonical_level2(self, level1: str, text: str) -> str | None:
        """The 二级 of 一级 ``level1`` (any spelling) that ``text`` names, or None when it is not allowed there."""
        canonical = self.canonical_level1(level1)
        if canonical is None:
            return None
        return self._level2_keys[canonical].get(name_key(text or ""))

    def spellings(self) -> dict[str, tuple[str, ...]]:
        """Every accepted pair as name keys: each spelling of a 一级 (its :func:`name_key`) -> the keys of every
        spelling of its 二级. For table-level checks (consolidation)."""
        return {key1: tuple(self._level2_keys[level1]) for key1, level1 in self._level1_keys.items()}

    def level1_spellings(self, level1: str) -> tuple[str, ...]:
        """The canonical name of a 一级 and its aliases, as written in the file."""
        return (level1, *self.aliases.get(level1, ()))

    def level2_spellings(self, level1: str, level2: str) -> tuple[str, ...]:
        return (level2, *self.level2_aliases.get(level1, {}).get(level2, ()))


def _digest(fw: Framework) -> str:
    """16 hex digits of SHA-256 over the framework's checking content: its id, every 一级 with its 二级 in form
    order, which 一级 are optional, and the aliases. Not its title, source or suggested 三级 (no check reads them),
    nor the file's comments, spacing or encoding: re-saving a file keeps its digest."""
    content = {
        "id": fw.id,
        "levels": [[level1, list(level2)] for level1, level2 in fw.levels.items()],
        "optional": sorted(fw.optional),
        "aliases": {k: list(v) for k, v in sorted(fw.aliases.items())},
        "level2_aliases": {k: {n: list(v) for n, v in sorted(d.items())} for k, d in sorted(fw.level2_aliases.items())},
    }
    text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
