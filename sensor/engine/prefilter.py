"""The cross-rule literal prefilter: most events touch no rule at all.

Each rule carries a ``need`` (conditions.py): a set of (field, lower-cased literal) pairs at least one
of which must occur in the event's lower-cased field text for the rule to be able to match. Per route,
all rules' needs go into ONE RE2 set; an event is scanned once, as the composite text
``\\x01Field\\x02value\\x01Field\\x02value...`` of its lower-cased fields, with each literal qualified
by its field (``\\x01Field\\x02[^\\x01]*literal``) and keyword literals unqualified. The candidates are
the rules whose literal was found plus the rules without a need.

Sound by construction: a literal is a piece of a string the rule's predicate tests with substring
semantics on the same lower-cased text, so no rule that could match is skipped. ``\\x01`` inside a
value is replaced before the scan (it cannot occur in a literal), so a value cannot end its section
early; a forged section can only add candidates. Literals containing ``\\x01``, ``\\x02`` or (for
keywords) a newline give no need.
"""

from __future__ import annotations

from collections import defaultdict

from sensor.engine.event_view import FULLTEXT, ROUTING_KEYS, EventView
from sensor.engine.regex_guard import LiteralSet, escape
from sensor.engine.rule import CompiledRule

SECTION = "\x01"
VALUE = "\x02"


def usable(field: str, literal: str) -> bool:
    if SECTION in literal or VALUE in literal or SECTION in field or VALUE in field:
        return False
    return not (field == FULLTEXT and "\n" in literal)


def pattern(field: str, literal: str) -> str:
    if field == FULLTEXT:
        return escape(literal)
    return f"\\x01{escape(field)}\\x02[^\\x01]*{escape(literal)}"


class Prefilter:
    def __init__(self, rules: list[CompiledRule], enabled: bool = True) -> None:
        self.rules = rules
        self.always: list[CompiledRule] = []
        owners: dict[str, set[int]] = defaultdict(set)
        for position, rule in enumerate(rules):
            need = rule.need
            if not enabled or need is None or not all(usable(f, lit) for f, lit in need):
                self.always.append(rule)
                continue
            for field, literal in need:
                owners[pattern(field, literal)].add(position)
        ordered = sorted(owners)
        self.owners = [tuple(sorted(owners[p])) for p in ordered]
        self.literals = LiteralSet(ordered, regex=True) if ordered else None

    def candidates(self, view: EventView) -> list[CompiledRule]:
        if self.literals is None:
            return self.always
        low = view.low
        parts = []
        for key, raw in view.raw.items():
            if key in ROUTING_KEYS:
                continue
            if raw.__class__ is str:
                value = raw.lower()
                low[key] = value  # predicates read it from the view, lowered once
            else:
                text = low[key]
                if text is None:
                    continue
                value = text if isinstance(text, str) else "\n".join(text)
            if SECTION in value:
                value = value.replace(SECTION, "\x00")
            parts.append(f"\x01{key}\x02{value}")
        hits = self.literals.matching("".join(parts))
        if not hits:
            return self.always
        owners = self.owners
        found_ids: set[int] = set()
        for i in hits:
            found_ids.update(owners[i])
        rules = self.rules
        found = [rules[i] for i in found_ids]
        if self.always:
            found.extend(self.always)
        found.sort(key=lambda r: r.index)
        return found
