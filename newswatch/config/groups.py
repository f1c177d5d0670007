"""``[[groups]]``: the user's own named armed groups, merged with the bundled gazetteer.

Same keys as an entry of ``classifiers/data/groups.json`` (and of a ``[classifier] groups_file``).
A group whose ``name`` is a bundled canonical name extends that group (more aliases, leaders,
context words); any other name is a new group. Watches may name user groups. Aliases that
collide with another group's are rejected at start, naming both groups (see
:mod:`classifiers.usergroups`).
"""

from __future__ import annotations

import unicodedata

from pydantic import Field, field_validator, model_validator

from newswatch.config.base import StrictModel


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


class GroupConfig(StrictModel):
    # Canonical name: what alerts, `newswatch classify` and watches' ``groups`` use.
    name: str = Field(min_length=1, max_length=200)
    # Other names: abbreviations ("NOB"), transliterations, native-script forms.
    aliases: list[str] = []
    # Aliases that are ordinary words or clash with other things: they count only with context.
    ambiguous_aliases: list[str] = []
    # Founders, commanders, spokesmen: near an ambiguous alias, they confirm it.
    leaders: list[str] = []
    # Unit words and places the group fights for: near an ambiguous alias, they confirm it.
    context: list[str] = []
    # Words that make an ambiguous alias something else ("festival", "bank"): they veto it.
    not_context: list[str] = []
    kind: str = ""  # militia, insurgent, partisan, pmc, ...
    region: str = ""  # free text, e.g. "Russia/Ukraine"
    home: str = ""  # ISO 3166 code of where the group is based, e.g. "UA"
    # Other countries its own insurgency is fought in ("BF", "NE" for a Sahel group based in
    # Mali): its attacks there are not cross-border.
    also_home: list[str] = []

    @field_validator("aliases", "ambiguous_aliases", "leaders", "context", "not_context",
                     "also_home")
    @classmethod
    def _no_blanks(cls, items: list[str]) -> list[str]:
        items = [i.strip() for i in items]
        if any(not i for i in items):
            raise ValueError("empty string in list")
        return items

    @model_validator(mode="after")
    def _ambiguous_are_aliases(self) -> GroupConfig:
        known = {_fold(a) for a in (self.name, *self.aliases)}
        stray = [a for a in self.ambiguous_aliases if _fold(a) not in known]
        if stray:
            raise ValueError(f"ambiguous_aliases {stray} are not the name or one of the aliases")
        return self

    def entry(self) -> dict[str, object]:
        """The gazetteer entry (the ``groups.json`` format)."""
        return self.model_dump()
