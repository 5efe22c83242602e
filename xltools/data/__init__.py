"""Loaders for the editable data files: choice lists, indicator frameworks, target vocabulary.

Kept as TOML so the bureau can edit them without touching code.

Indicator frameworks (shipped in ``frameworks/*.toml``: ``sh2019`` the default, ``national``, ``cost2021``; a
bureau may write its own file, format in README.md), one module per concern: ``framework`` (the type and name
comparison), ``framework_files`` (the file format and its loader), ``shipped`` (the shipped files), ``registry``
(shipped plus supplied, by id). All re-exported here:

* ``framework_ids() -> tuple[str, ...]``: the shipped ids, sorted; ``framework(id="sh2019") -> Framework``: one of
  them (cached; validated like any file).
* ``load_framework_file(path) -> Framework``: read and validate a file. Any problem (TOML syntax, a missing key,
  a wrong type, an unknown key, a duplicate 一级 or alias, an empty ``level2`` ...) raises
  ``FrameworkFileError``, a ``ValueError`` whose Chinese message names the file and the key or line.
* ``load_frameworks(paths=()) -> Frameworks``: a registry of the shipped frameworks plus these files (a file may
  not reuse a shipped id with other content; two files may not share an id). ``Frameworks.get(id) -> Framework |
  None`` (supplied files first), ``Frameworks.ids``, ``Frameworks.supplied``. Picklable.
* ``resolve_framework(value) -> Framework``: ``xltools template --framework ID|FILE``.
* ``name_key(text) -> str``: how names are compared: NFKC, all whitespace removed, case-folded.

``Framework`` (frozen dataclass):

* ``id``, ``name``, ``source`` (where the framework comes from), ``path`` (the file read; '' for code-built);
* ``levels: dict[str, tuple[str, ...]]``: 一级 -> allowed 二级, both in form order; ``level1``: the 一级 tuple;
* ``optional: frozenset[str]``: 一级 marked ``required = false``; ``required``: the other 一级, in form order;
* ``aliases: dict[str, tuple[str, ...]]``: 一级 -> other accepted spellings; ``level2_aliases: dict[str,
  dict[str, tuple[str, ...]]]``: 一级 -> 二级 -> other accepted spellings;
* ``common_level3: tuple[str, ...]``: suggested 三级 names; ``level3: tuple[Level3, ...]``: the same with their
  usual ``unit`` ('' when none);
* ``canonical_level1(text) -> str | None``: the 一级 that ``text`` names, by name or alias, whatever its spacing
  or width (``产出 指标`` -> ``产出指标``); ``canonical_level2(level1, text) -> str | None``: the 二级 of that 一级
  (any spelling) that ``text`` names, None when not allowed under it;
* ``level1_spellings(l1)``, ``level2_spellings(l1, l2)``: the name and its aliases as written;
  ``spellings() -> dict[str, tuple[str, ...]]``: every 一级 spelling key -> every key of its 二级 (table checks).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from xltools.data.framework import Framework, Level3, name_key
from xltools.data.framework_files import FrameworkFileError, load_framework_file, parse_framework
from xltools.data.registry import Frameworks, load_frameworks, resolve_framework
from xltools.data.shipped import DEFAULT_FRAMEWORK, framework, framework_ids


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def choices() -> dict[str, tuple[str, ...]]:
    """Choice list key -> allowed values, in dropdown order."""
    return {key: tuple(item["choices"]) for key, item in _load("choices.toml").items()}


@cache
def choice_labels() -> dict[str, str]:
    return {key: item["label"] for key, item in _load("choices.toml").items()}


@cache
def shipped_digests() -> dict[str, tuple[str, ...]]:
    """Shipped framework id -> the digest of every content it has been shipped with, oldest first."""
    return {key: tuple(digests) for key, digests in _load("framework_digests.toml").items()}


__all__ = [
    "DEFAULT_FRAMEWORK", "Framework", "FrameworkFileError", "Frameworks", "Level3", "TargetVocabulary", "choice_labels",
    "choices", "framework", "framework_ids", "load_framework_file", "load_frameworks", "name_key", "parse_framework",
    "resolve_framework", "shipped_digests", "targets",
]


@dataclass(frozen=True)
class TargetVocabulary:
    qualitative: tuple[str, ...]
    vague_markers: tuple[str, ...]
    percent_units: tuple[str, ...]
    operator_words: dict[str, str] = field(default_factory=dict)  # word -> operator, before the number
    operator_suffixes: dict[str, str] = field(default_factory=dict)  # word -> operator, after the number
    uncapped_rate_markers: tuple[str, ...] = ()
    rate_markers: tuple[str, ...] = ()  # names that read as a rate (the template's live check only)
    grades: tuple[str, ...] = ()  # grading words, accepted like the qualitative ones
    deadline: dict[str, tuple[str, ...]] = field(default_factory=dict)  # prefixes, before_prefixes, periods, ...


@cache
def targets() -> TargetVocabulary:
    raw = _load("targets.toml")
    return TargetVocabulary(
        qualitative=tuple(raw["qualitative"]),
        vague_markers=tuple(raw["vague_markers"]),
        percent_units=tuple(raw["percent_units"]),
        operator_words=dict(raw.get("operator_words", {})),
        operator_suffixes=dict(raw.get("operator_suffixes", {})),
        uncapped_rate_markers=tuple(raw.get("uncapped_rate_markers", ())),
        rate_markers=tuple(raw.get("rate_markers", ())),
        grades=tuple(raw.get("grades", ())),
        deadline={key: tuple(words) for key, words in raw.get("deadline", {}).items()},
    )
