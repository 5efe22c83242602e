"""Loaders for the editable data files: choice lists, indicator frameworks, target vocabulary.

Kept as TOML so the bureau can edit them without touching code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

DEFAULT_FRAMEWORK = "sh2019"


def _load(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files(__package__).joinpath(name).read_text(encoding="utf-8"))


@cache
def choices() -> dict[str, tuple[str, ...]]:
    """Choice list key -> allowed values, in dropdown order."""
    return {key: tuple(item["choices"]) for key, item in _load("choices.toml").items()}


@cache
def choice_labels() -> dict[str, str]:
    return {key: item["label"] for key, item in _load("choices.toml").items()}


@dataclass(frozen=True)
class Framework:
    id: str
    name: str
    levels: dict[str, tuple[str, ...]]  # 一级 -> allowed 二级, in form order
    common_level3: tuple[str, ...]

    @property
    def level1(self) -> tuple[str, ...]:
        return tuple(self.levels)


@cache
def framework_ids() -> tuple[str, ...]:
    """Ids of the indicator frameworks shipped as data files."""
    folder = resources.files(__package__).joinpath("frameworks")
    return tuple(sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml")))


@cache
def framework(framework_id: str = DEFAULT_FRAMEWORK) -> Framework:
    raw = _load(f"frameworks/{framework_id}.toml")
    return Framework(
        id=raw["id"],
        name=raw["name"],
        levels={item["name"]: tuple(item["level2"]) for item in raw["level1"]},
        common_level3=tuple(raw["common_level3"]["names"]),
    )


@dataclass(frozen=True)
class TargetVocabulary:
    qualitative: tuple[str, ...]
    vague_markers: tuple[str, ...]
    percent_units: tuple[str, ...]
    operator_words: dict[str, str] = field(default_factory=dict)  # word -> operator, before the number
    operator_suffixes: dict[str, str] = field(default_factory=dict)  # word -> operator, after the number
    uncapped_rate_markers: tuple[str, ...] = ()
    rate_markers: tuple[str, ...] = ()  # names that read as a rate (the template's live check only)


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
    )
