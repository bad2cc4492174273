"""The cross-rule literal prefilter: most events touch no rule at all.

Each rule carries a ``need`` (conditions.py): a set of (field, lower-cased literal) pairs at least one
of which must occur in the event's lower-cased field text for the rule to be able to match. For each
route the literals of all rules are grouped per field into one RE2 set (one linear pass per field,
like Aho-Corasick); an event's candidate rules are the rules whose literal was found plus the rules
without a need. Sound by construction: a literal is always a piece of a string the rule's predicate
tests with plain substring semantics on the same lower-cased text.
"""

from __future__ import annotations

from collections import defaultdict

from sensor.engine.event_view import EventView
from sensor.engine.regex_guard import LiteralSet
from sensor.engine.rule import CompiledRule


class Prefilter:
    def __init__(self, rules: list[CompiledRule], enabled: bool = True) -> None:
        self.rules = rules
        self.always: list[CompiledRule] = []
        by_field: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        for position, rule in enumerate(rules):
            if rule.need is None or not enabled:
                self.always.append(rule)
                continue
            for field, literal in rule.need:
                by_field[field][literal].add(position)
        self.fields: list[tuple[str, LiteralSet, list[tuple[int, ...]]]] = []
        for field, literals in by_field.items():
            ordered = sorted(literals)
            self.fields.append(
                (field, LiteralSet(ordered), [tuple(sorted(literals[lit])) for lit in ordered])
            )

    def candidates(self, view: EventView) -> list[CompiledRule]:
        if not self.fields:
            return self.always
        hits: set[int] = set()
        low = view.low
        for field, literal_set, owners in self.fields:
            text = low[field]
            if text is None:
                continue
            if not isinstance(text, str):
                text = "\n".join(text)
            for i in literal_set.matching(text):
                hits.update(owners[i])
        if not hits:
            return self.always
        rules = self.rules
        found = [rules[i] for i in hits]
        if self.always:
            found.extend(self.always)
        found.sort(key=lambda r: r.index)
        return found
