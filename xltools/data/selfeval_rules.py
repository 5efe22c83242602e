"""The year-end self-evaluation's scoring rules as data (``selfeval_rules.toml``, or a bureau's own file given with
``xltools selfeval --rules FILE``): the 执行率 weight, the scoring categories and their weights, how each
framework's 一级 map to them, the qualitative bands, the grades, and the sources they come from.

Two parts: :class:`Scoring` is what a filled form is checked against (execution weight, bands, grades, deviation,
the operator of a bare number); every generated form records it in its hidden meta (``scoring``, JSON), so a form is
checked with the rules it was made with, whoever checks it. :class:`SelfEvalRules` adds what only generation uses
(categories, mapping: the default 分值) and the sources.

A bad file raises :class:`RulesFileError`, a ``ValueError`` whose Chinese message names the file and the key (and
line), validated like a framework file. Standard library only.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from xltools.data.framework import Framework, name_key
from xltools.data.framework_files import ID_RE, _describe, _Reader, read_text

OPERATORS = ("≥", "≤", "=", ">", "<")
SHIPPED_RULES = "selfeval_rules.toml"
_TOP_KEYS = ("id", "name", "execution", "category", "mapping", "quantitative", "band", "grade", "source")
_EPSILON = 1e-9


class RulesFileError(ValueError):
    """A rules file cannot be used; ``str(error)`` names the file and the key or line, in Chinese."""


@dataclass(frozen=True)
class Band:
    """A qualitative band: ``low``..``high`` percent of the indicator's 分值 (the top band includes ``high``)."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class Grade:
    name: str
    min: float


@dataclass(frozen=True)
class Scoring:
    """What a form is scored and checked with; recorded in every generated form."""

    execution_weight: float
    bands: tuple[Band, ...]
    grades: tuple[Grade, ...]
    deviation: float  # percent beyond the 年度指标值 that needs a reason
    bare_operator: str

    @property
    def indicator_total(self) -> float:
        return 100 - self.execution_weight

    def band(self, name: str) -> Band | None:
        return next((b for b in self.bands if b.name == name), None)

    def in_band(self, band: Band, score: float, weight: float) -> bool:
        """Whether ``score`` lies in ``band`` of an indicator worth ``weight`` (the live formula compares alike)."""
        top = band is self.bands[0]
        above = score >= band.low / 100 * weight - _EPSILON
        below = score <= weight + _EPSILON if top else score < band.high / 100 * weight - _EPSILON
        return above and below

    def grade(self, total: float) -> str:
        return next((g.name for g in self.grades if total >= g.min - _EPSILON), self.grades[-1].name)

    def to_meta(self) -> str:
        return json.dumps({"execution_weight": self.execution_weight,
                           "bands": [[b.name, b.low, b.high] for b in self.bands],
                           "grades": [[g.name, g.min] for g in self.grades],
                           "deviation": self.deviation, "bare_operator": self.bare_operator},
                          ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_meta(cls, text: str) -> Scoring | None:
        """The scoring a form records, or None when its meta value is missing or damaged."""
        try:
            raw = json.loads(text)
            out = cls(float(raw["execution_weight"]), tuple(Band(str(n), float(lo), float(hi))
                                                           for n, lo, hi in raw["bands"]),
                      tuple(Grade(str(n), float(m)) for n, m in raw["grades"]), float(raw["deviation"]),
                      str(raw["bare_operator"]))
        except (ValueError, TypeError, KeyError):
            return None
        return out if out.bands and out.grades and out.bare_operator in OPERATORS else None


@dataclass(frozen=True)
class Source:
    title: str
    url: str
    supports: str


@dataclass(frozen=True)
class SelfEvalRules:
    id: str
    name: str
    scoring: Scoring
    categories: dict[str, float]  # category -> weight, in file order
    mapping: dict[str, dict[str, str]]  # framework id -> {"一级" or "一级/二级": category}
    sources: tuple[Source, ...] = ()
    path: str = field(default="", compare=False)

    def __hash__(self) -> int:
        return hash((self.id, self.scoring))

    def category(self, framework_id: str, framework: Framework | None, level1: str, level2: str) -> str | None:
        """The category of an indicator row, or None when nothing maps it. Names are compared as the framework
        compares them (aliases, spacing, width); without the framework, by :func:`name_key`."""
        table = self.mapping.get(framework_id)
        if not table:
            return None

        def key1(text: str) -> str:
            found = framework.canonical_level1(text) if framework is not None else None
            return name_key(found or text)

        def key2(l1: str, text: str) -> str:
            found = framework.canonical_level2(l1, text) if framework is not None else None
            return name_key(found or text)

        wanted1, wanted2 = key1(level1), key2(level1, level2)
        fallback = None
        for name, category in table.items():
            first, _, second = name.partition("/")
            if key1(first) != wanted1:
                continue
            if second and key2(first, second) == wanted2:
                return category
            if not second:
                fallback = category
        return fallback


class _RulesReader(_Reader):
    def fail(self, problem: str, line: int | None = None) -> RulesFileError:  # type: ignore[override]
        where = f"第 {line} 行：" if line else ""
        return RulesFileError(f"自评规则文件“{self.path}”{where}{problem}")

    def number(self, table: Mapping[str, Any], key: str, where: str, line: int | None, low: float = 0,
               high: float = 100) -> float:
        if key not in table:
            raise self.fail(f"缺少键 {where}{key}。", line)
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(f"键 {where}{key} 应为数字，实为{_describe(value)}。", line)
        if not low <= value <= high:
            raise self.fail(f"键 {where}{key} 为 {value}，应在 {low} 到 {high} 之间。", line)
        return float(value)

    def entries(self, raw: dict[str, Any], key: str, keys: tuple[str, ...]) -> list[tuple[dict[str, Any], str,
                                                                                          int | None]]:
        items = self.get(raw, key, list, "", self.line_of(key, 0))
        if not items:
            raise self.fail(f"键 {key} 为空：至少要有一个 [[{key}]]。")
        out = []
        for i, item in enumerate(items):
            where, line = f"{key}[{i + 1}].", self.line_of(key, i)
            if not isinstance(item, dict):
                raise self.fail(f"{key}[{i + 1}] 应为表（[[{key}]]），实为{_describe(item)}。", line)
            self.unknown(item, keys, where, line)
            out.append((item, where, line))
        return out

    def rules(self, raw: dict[str, Any]) -> SelfEvalRules:
        self.unknown(raw, _TOP_KEYS, "", None)
        rid = self.get(raw, "id", str, "", self.line_of("id"))
        if not ID_RE.fullmatch(rid):
            raise self.fail(f"id“{rid}”无效：只能用英文字母、数字、- 和 _，不超过 40 个字符。", self.line_of("id"))
        title = self.text(self.get(raw, "name", str, "", self.line_of("name")), "name", self.line_of("name"))
        execution = self.get(raw, "execution", dict, "", self.line_of("execution"))
        self.unknown(execution, ("weight",), "execution.", self.line_of("execution"))
        weight = self.number(execution, "weight", "execution.", self.line_of("execution"))
        categories = self.categories(raw, 100 - weight)
        quantitative = self.get(raw, "quantitative", dict, "", self.line_of("quantitative"))
        qline = self.line_of("quantitative")
        self.unknown(quantitative, ("bare_operator", "deviation"), "quantitative.", qline)
        bare = self.get(quantitative, "bare_operator", str, "quantitative.", qline)
        if bare not in OPERATORS:
            raise self.fail(f"quantitative.bare_operator“{bare}”应为 {'、'.join(OPERATORS)} 之一。", qline)
        deviation = self.number(quantitative, "deviation", "quantitative.", qline, low=0.01, high=10000)
        scoring = Scoring(weight, self.bands(raw), self.grades(raw), deviation, bare)
        return SelfEvalRules(rid, title, scoring, categories, self.mapping(raw, categories), self.sources(raw),
                             path=self.path)

    def categories(self, raw: dict[str, Any], total: float) -> dict[str, float]:
        out: dict[str, float] = {}
        for item, where, line in self.entries(raw, "category", ("name", "weight")):
            name = self.text(self.get(item, "name", str, where, line), f"{where}name", line)
            if name in out:
                raise self.fail(f"类别“{name}”重复（{where}name）。", line)
            out[name] = self.number(item, "weight", where, line)
        if abs(sum(out.values()) - total) > _EPSILON:
            raise self.fail(f"各 category 的 weight 合计为 {_num(sum(out.values()))}，应为 100 − execution.weight = "
                            f"{_num(total)}。", self.line_of("category", 0))
        return out

    def mapping(self, raw: dict[str, Any], categories: dict[str, float]) -> dict[str, dict[str, str]]:
        line = self.line_of("mapping")
        table = self.get(raw, "mapping", dict, "", line, required=False) or {}
        out: dict[str, dict[str, str]] = {}
        for fid, names in table.items():
            where = f"mapping.{fid}"
            if not isinstance(names, dict):
                raise self.fail(f"键 {where} 应为表（[{where}]），实为{_describe(names)}。", line)
            inner: dict[str, str] = {}
            for name, category in names.items():
                if not isinstance(category, str) or category not in categories:
                    raise self.fail(f"{where} 中“{name}”的类别“{category}”不是 category 中的一个"
                                    f"（{'、'.join(categories)}）。", line)
                first, sep, second = name.partition("/")
                if not first.strip() or (sep and not second.strip()):
                    raise self.fail(f"{where} 中的“{name}”应为“一级指标”或“一级指标/二级指标”。", line)
                inner[name] = category
            out[fid] = inner
        return out

    def bands(self, raw: dict[str, Any]) -> tuple[Band, ...]:
        out: list[Band] = []
        for item, where, line in self.entries(raw, "band", ("name", "low", "high")):
            name = self.text(self.get(item, "name", str, where, line), f"{where}name", line)
            low, high = self.number(item, "low", where, line), self.number(item, "high", where, line)
            if name in {b.name for b in out}:
                raise self.fail(f"档次“{name}”重复（{where}name）。", line)
            expected_high = out[-1].low if out else 100
            if high != expected_high or low >= high:
                raise self.fail(f"{where}high 应为 {_num(expected_high)}（档次从 100 起依次向下、首尾相接），"
                                f"且 low 小于 high；实为 low {_num(low)}、high {_num(high)}。", line)
            out.append(Band(name, low, high))
        if out[-1].low != 0:
            raise self.fail(f"最后一个 band 的 low 应为 0，实为 {_num(out[-1].low)}。",
                            self.line_of("band", len(out) - 1))
        return tuple(out)

    def grades(self, raw: dict[str, Any]) -> tuple[Grade, ...]:
        out: list[Grade] = []
        for item, where, line in self.entries(raw, "grade", ("name", "min")):
            name = self.text(self.get(item, "name", str, where, line), f"{where}name", line)
            low = self.number(item, "min", where, line)
            if name in {g.name for g in out}:
                raise self.fail(f"等级“{name}”重复（{where}name）。", line)
            if out and low >= out[-1].min:
                raise self.fail(f"{where}min 应小于上一个等级的 min（{_num(out[-1].min)}），实为 {_num(low)}。", line)
            out.append(Grade(name, low))
        if out[-1].min != 0:
            raise self.fail(f"最后一个 grade 的 min 应为 0，实为 {_num(out[-1].min)}。",
                            self.line_of("grade", len(out) - 1))
        return tuple(out)

    def sources(self, raw: dict[str, Any]) -> tuple[Source, ...]:
        if "source" not in raw:
            return ()
        out = []
        for item, where, line in self.entries(raw, "source", ("title", "url", "supports")):
            title = self.text(self.get(item, "title", str, where, line), f"{where}title", line)
            url = self.get(item, "url", str, where, line, required=False) or ""
            supports = self.text(self.get(item, "supports", str, where, line), f"{where}supports", line)
            out.append(Source(title, url.strip(), supports))
        return tuple(out)


def _num(value: float) -> str:
    return f"{value:g}"


def parse_rules(text: str, path: str) -> SelfEvalRules:
    """Parse and validate the TOML ``text`` of a rules file; ``path`` is named in error messages."""
    reader = _RulesReader(path, text)
    return reader.rules(reader.parsed())


def load_rules_file(path: str | Path) -> SelfEvalRules:
    """Read and validate a rules file (UTF-8 with or without BOM, or GB18030)."""
    return parse_rules(read_text(path, "自评规则文件", RulesFileError), str(path))


@cache
def selfeval_rules() -> SelfEvalRules:
    """The shipped rules (财预〔2020〕10号 defaults)."""
    text = resources.files(__package__).joinpath(SHIPPED_RULES).read_text(encoding="utf-8")
    return parse_rules(text, SHIPPED_RULES)
