"""The cross-rule literal prefilter: most events touch no rule at all, and few rules are evaluated.

Each rule carries a ``need`` (compiler/combinators.py): clauses of (field, lower-cased literal) pairs;
a rule can only match if every clause has a pair whose literal occurs in the field's lower-cased text.
Per route, the literals of each field go into one Aho-Corasick automaton (``pyahocorasick``): an
event is scanned once per field that has literals, in time linear in its text whatever the number of
literals (4,432 hashes in one rule included; no regex program, no memory ceiling to hit). What a
string value contains is remembered per field (bounded), since telemetry repeats its values. A rule is
indexed under the literals of its most selective clause; when one of them is found, its other clauses
are checked against the literals found, and only then is the rule evaluated. Rules without a need are
always evaluated.

Sound by construction: a literal is a piece of a string the rule's predicate tests with substring
semantics on the same lower-cased text (numbers: their decimal spelling; IPv4 networks: their
leading octets), so no rule that could match is skipped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import ahocorasick

from sensor.engine.compiler.combinators import best_clause
from sensor.engine.event_view import FULLTEXT, EventView
from sensor.engine.rule import CompiledRule

MEMO_ENTRIES = 4096  # remembered values per field and route


class _Automaton:
    """The literals of one field: literal -> id, searched in one pass."""

    def __init__(self, literals: dict[str, int]) -> None:
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for literal, literal_id in literals.items():
            self.automaton.add_word(literal, literal_id)
        self.automaton.make_automaton()
        self.iter = self.automaton.iter


class Prefilter:
    """The candidate rules of one route."""

    def __init__(self, rules: list[CompiledRule], enabled: bool = True) -> None:
        self.rules = rules
        self.always: list[CompiledRule] = []
        ids: dict[tuple[str, str], int] = {}
        self.triggers: list[list[int]] = []  # literal id -> positions of the rules it anchors
        self.checks: list[tuple[tuple[int, ...], ...]] = []  # rule position -> its other clauses (ids)
        for position, rule in enumerate(rules):
            self.checks.append(())
            need = rule.need
            if not enabled or not need:
                self.always.append(rule)
                continue
            anchor = best_clause(need)
            for pair in anchor:
                self._trigger(ids, pair).append(position)
            self.checks[position] = tuple(
                tuple(sorted(self._id(ids, pair) for pair in clause)) for clause in need if clause != anchor
            )
        by_field: dict[str, dict[str, int]] = defaultdict(dict)
        for (field, literal), literal_id in ids.items():
            by_field[field][literal] = literal_id
        self.fields: dict[str, _Automaton] = {f: _Automaton(lits) for f, lits in by_field.items()}
        self.keywords = self.fields.pop(FULLTEXT, None)
        self.memos: dict[str, dict[str, tuple[int, ...]]] = {f: {} for f in self.fields}
        self.nested = [f for f in self.fields if "." in f]  # dotted names: may be paths into objects

    def _id(self, ids: dict[tuple[str, str], int], pair: tuple[str, str]) -> int:
        found = ids.get(pair)
        if found is None:
            found = ids[pair] = len(ids)
            self.triggers.append([])
        return found

    def _trigger(self, ids: dict[tuple[str, str], int], pair: tuple[str, str]) -> list[int]:
        return self.triggers[self._id(ids, pair)]

    def _scan(self, automaton: _Automaton, text: str | tuple[str, ...], found: set[int]) -> None:
        if text.__class__ is str:
            for _, literal_id in automaton.iter(text):
                found.add(literal_id)
        else:
            for item in text:
                for _, literal_id in automaton.iter(item):
                    found.add(literal_id)

    def _ids(self, memo: dict[str, tuple[int, ...]], automaton: _Automaton, value: str) -> tuple[int, ...]:
        """The literal ids found in one string value, remembered: telemetry repeats its values (the same
        images, command lines, paths), so most values are scanned once per route. Bounded."""
        ids = memo.get(value)
        if ids is None:
            ids = tuple({literal_id for _, literal_id in automaton.iter(value.lower())})
            if len(memo) >= MEMO_ENTRIES:  # keep the values seen in the newer half of the window
                recent = list(memo.items())[MEMO_ENTRIES // 2 :]
                memo.clear()
                memo.update(recent)
            memo[value] = ids
        return ids

    def found_literals(self, view: EventView) -> set[int]:
        found: set[int] = set()
        fields, memos = self.fields, self.memos
        for key, raw in view.raw.items():
            automaton = fields.get(key)
            if automaton is None:
                continue
            if raw.__class__ is str:
                ids = self._ids(memos[key], automaton, raw)
                if ids:
                    found.update(ids)
                continue
            value = view.low[key]
            if value is not None:
                self._scan(automaton, value, found)
        for key in self.nested:
            if key not in view.raw:
                nested = view.low[key]
                if nested is not None:
                    self._scan(fields[key], nested, found)
        if self.keywords is not None:
            self._scan(self.keywords, view.low[FULLTEXT] or "", found)
        return found

    def candidates(self, view: EventView) -> list[CompiledRule]:
        if not self.triggers:
            return self.always
        found = self.found_literals(view)
        if not found:
            return self.always
        chosen = self._chosen(found)
        if not chosen:
            return self.always
        rules = self.rules
        out = [rules[i] for i in chosen]
        if self.always:
            out.extend(self.always)
            out.sort(key=lambda r: r.index)
        elif len(out) > 1:
            out.sort(key=lambda r: r.index)
        return out

    def _chosen(self, found: Iterable[int]) -> set[int]:
        chosen: set[int] = set()
        triggers, checks = self.triggers, self.checks
        found_set = found if isinstance(found, set) else set(found)
        for literal_id in found_set:
            for position in triggers[literal_id]:
                if position in chosen:
                    continue
                if all(any(i in found_set for i in clause) for clause in checks[position]):
                    chosen.add(position)
        return chosen
