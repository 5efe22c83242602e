"""The declaration's live rules on 分解目标: indicator rows read as the reader reads them (一级/二级 carried down),
the framework's names, duplicates and the targets a formula can judge (mirroring :mod:`xltools.rules.indicators`
and :mod:`xltools.rules.targets`)."""

from __future__ import annotations

from xltools import data, spec
from xltools.live.formulas import (
    contains_any,
    is_percent,
    one_of,
    plain_number,
    position,
    quoted,
    tidy,
    without_at_least_sign,
    without_percent,
)
from xltools.live.layout import Layout


def check_indicators(lay: Layout, form: spec.FormSpec, fw: data.Framework) -> None:
    t = form.tables["indicators"]
    letters = {key: t.column(key).letter for key in ("level1", "level2", "level3", "target")}
    first, last = t.first_row, t.last_row
    keys, pairs = framework_keys(lay, fw)
    vocab_rate, vocab_uncapped = marker_cells(lay)
    for i, r in enumerate(t.rows):
        cell = {k: lay.ref(f"{letter}{r}") for k, letter in letters.items()}
        t1, t2, t3, t4 = (lay.at(k, r) for k in ("i_l1", "i_l2", "i_l3", "i_target"))
        for k, key in (("i_l1", "level1"), ("i_l2", "level2"), ("i_l3", "level3"), ("i_target", "target")):
            lay.put(k, r, tidy(cell[key]))
        filled = lay.at("i_filled", r)
        lay.put("i_filled", r, f'IF(OR({t1}<>"",{t2}<>"",{t3}<>"",{t4}<>""),1,0)')
        # 一级/二级 left blank mean "same as the row above" (xltools.reader): carried through empty rows too.
        prev1 = lay.at("i_eff1", r - 1) if i else '""'
        prev2 = lay.at("i_eff2", r - 1) if i else '""'
        eff1, eff2 = lay.at("i_eff1", r), lay.at("i_eff2", r)
        lay.put("i_eff1", r, f'IF(AND({filled}=1,{t1}<>""),{t1},{prev1})')
        lay.put("i_eff2", r, f'IF({filled}=1,IF({t2}<>"",{t2},IF(EXACT({eff1},{prev1}),{prev2},"")),{prev2})')
        lay.put("i_inh1", r, f'IF(AND({filled}=1,{t1}="",{prev1}<>""),1,0)')
        lay.put("i_inh2", r, f'IF(AND({filled}=1,{t2}="",EXACT({eff1},{prev1}),{prev2}<>""),1,0)')
        c1, c2 = lay.at("i_c1", r), lay.at("i_c2", r)
        lay.put("i_c1", r, fold(eff1, fw))
        lay.put("i_c2", r, fold(eff2, fw))
        idx = lay.at("i_idx", r)
        lay.put("i_idx", r, f'IF(AND({filled}=1,{c1}<>""),{position(c1, keys)},0)')
        pair_key = f'{idx}&"|"&{c2}'
        lay.put("i_pair", r, f"IF({idx}>0,IF({one_of(pair_key, pairs)},1,0),0)")
        a, b, c, d = letters["level1"], letters["level2"], letters["level3"], letters["target"]
        lay.flag("indicator-incomplete", a, r, f'AND({filled}=1,{c1}="")')
        lay.flag("indicator-incomplete", b, r, f'AND({filled}=1,{c2}="")')
        lay.flag("indicator-incomplete", c, r, f'AND({filled}=1,{t3}="")')
        lay.flag("indicator-incomplete", d, r, f'AND({filled}=1,{t4}="")')
        lay.flag("level2-invalid", a, r, f'AND({filled}=1,{c1}<>"",{idx}=0,{lay.at("i_inh1", r)}=0)')
        lay.flag("level2-invalid", b, r,
                 f'AND({filled}=1,{idx}>0,{c2}<>"",{lay.at("i_pair", r)}=0,{lay.at("i_inh2", r)}=0)')
        key3 = lay.at("i_key3", r)
        lay.put("i_key3", r, f'IF({filled}=1,LOWER(SUBSTITUTE({t3}," ","")),"")')
        if i:
            lay.flag("indicator-duplicate", c, r,
                     f'AND({key3}<>"",{one_of(key3, [lay.at("i_key3", above) for above in range(first, r)])})')
        target = cell["target"]
        bare = without_percent(t4)
        number_cell = f"AND(ISNUMBER({target}),OR({target}=INT({target}),ABS({target})>=0.0001))"
        lay.flag("target-no-operator", d, r,
                 f'AND({t4}<>"",OR({number_cell},AND(ISTEXT({target}),{plain_number(bare)})))')
        signless = lay.at("i_signless", r)
        lay.put("i_signless", r, without_at_least_sign(t4))
        value = without_percent(signless)
        name3 = f'SUBSTITUTE({t3}," ","")'
        lay.flag("target-percent-over-100", d, r,
                 f"AND(ISTEXT({target}),{is_percent(signless)},{plain_number(value)},VALUE({value})>100,"
                 f"{contains_any(name3, vocab_rate)},NOT({contains_any(name3, vocab_uncapped)}))")
    filled_all = f"SUM({lay.span('i_filled', first, last)})"
    idx_all = lay.span("i_idx", first, last)
    # One level1-missing per framework 一级 without a row; none when the table is empty (required-missing).
    lay.flag("level1-missing", letters["level1"], first,
             *(f"AND({filled_all}>0,COUNTIF({idx_all},{fw.level1.index(name) + 1})=0)" for name in fw.required))
    lay.flag("required-missing", letters["level1"], first, f"{filled_all}=0")


def framework_keys(lay: Layout, fw: data.Framework) -> tuple[list[tuple[str, int]], list[str]]:
    """Cells holding every accepted spelling of each 一级 (canonical name and aliases, as comparison keys) with the
    一级's position, and every accepted ``position|二级`` pair: the framework file's lists, keyed as the engine
    compares names (:func:`xltools.data.name_key`: NFKC, no whitespace, case-folded)."""
    keys: list[tuple[str, int]] = []
    for i, level1 in enumerate(fw.level1, start=1):
        for spelling in dict.fromkeys(data.name_key(s) for s in fw.level1_spellings(level1)):
            row = len(keys) + 1
            lay.texts[f"{lay.col('fw_key')}{row}"] = spelling
            keys.append((lay.at("fw_key", row), i))
    pairs: list[str] = []
    for i, level1 in enumerate(fw.level1, start=1):
        for level2 in fw.levels[level1]:
            for spelling in dict.fromkeys(data.name_key(s) for s in fw.level2_spellings(level1, level2)):
                row = len(pairs) + 1
                lay.texts[f"{lay.col('fw_pair')}{row}"] = f"{i}|{spelling}"
                pairs.append(lay.at("fw_pair", row))
    return keys, pairs


def fold(x: str, fw: data.Framework) -> str:
    """``x`` (tidy text) as a comparison key like :func:`xltools.data.name_key`: no spaces, lower case, and the
    full-width forms of the characters the framework's names use turned half-width (what NFKC does to them), so a
    spelling the engine accepts is never marked here."""
    used = {ch for level1 in fw.level1 for s in (*fw.level1_spellings(level1),
                                                   *(n for l2 in fw.levels[level1]
                                                     for n in fw.level2_spellings(level1, l2)))
            for ch in data.name_key(s)}
    out = f'LOWER(SUBSTITUTE({x}," ",""))'
    for ch in sorted(c for c in used if "!" <= c <= "~"):
        wide = chr(ord(ch) + 0xFEE0)
        out = f"SUBSTITUTE({out},{quoted(wide)},{quoted(ch)})"
    return out


def marker_cells(lay: Layout) -> tuple[list[str], list[str]]:
    """Cells holding the words that make a 三级 a rate (targets.toml), and those that lift the 100% cap."""
    vocab = data.targets()
    out: list[list[str]] = []
    for key, words in (("rate_words", vocab.rate_markers), ("uncapped_words", vocab.uncapped_rate_markers)):
        for i, word in enumerate(words, start=1):
            lay.texts[f"{lay.col(key)}{i}"] = word
        out.append([lay.at(key, i) for i in range(1, len(words) + 1)])
    return out[0], out[1]
