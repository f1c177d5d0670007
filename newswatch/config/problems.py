"""Problems found after the schema validated: broken references, unknown names, missing codecs.

A :class:`Problem` is a key path plus a message; :func:`located` turns it into the
``file:LINE: key.path: message`` line the loader prints for schema errors too. A
:data:`Check` is a function ``Config -> [Problem]``: the core runs :func:`core_problems`; the
front doors add the stages' checks (labels the model knows, groups in the gazetteer, channels
that open), so ``check-config`` and ``run`` reject exactly the same files.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from newswatch.config.base import key_path, locate

if TYPE_CHECKING:
    from newswatch.config import Config


@dataclass(frozen=True, slots=True)
class Problem:
    loc: tuple[str | int, ...]
    message: str


Check = Callable[["Config"], list[Problem]]


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or ``""`` if none is close."""
    known = list(known)
    folded = {k.casefold(): k for k in known}
    near = difflib.get_close_matches(name.casefold(), list(folded), n=1, cutoff=0.6)
    return f" (did you mean {folded[near[0]]!r}?)" if near else ""


def unknown(kind: str, name: str, known: Iterable[str], lead: str = "") -> str:
    """``unknown label 'x' (did you mean 'y'?)``, or the known names when there are few;
    ``lead`` replaces ``unknown <kind>`` (``no channel named``)."""
    known = sorted(known)
    hint = did_you_mean(name, known)
    if not hint and 0 < len(known) <= 8:
        hint = f" (known: {', '.join(known)})"
    elif not known:
        hint = f" (no {kind} is defined)"
    return f"{lead or f'unknown {kind}'} {name!r}{hint}"


def located(problem: Problem, text: str, source: str) -> str:
    line = locate(text, problem.loc) if text else None
    where = f"{source}:{line}" if line else source
    return f"{where}: {key_path(problem.loc) or '(top level)'}: {problem.message}"


def _duplicates(config: Config) -> list[Problem]:
    out = []
    for table, attr in (("feeds", "id"), ("watches", "name"), ("channels", "name"),
                        ("routes", "name"), ("groups", "name")):
        seen: set[str] = set()
        for i, item in enumerate(getattr(config, table)):
            value = getattr(item, attr)
            if value in seen:
                out.append(Problem((table, i, attr), f"duplicate {attr} {value!r}"))
            seen.add(value)
    return out


def _channel_refs(config: Config) -> list[Problem]:
    names = [c.name for c in config.channels]
    users: list[tuple[tuple[str | int, ...], list[str]]] = [
        *((("watches", i, "channels"), w.channels) for i, w in enumerate(config.watches)),
        *((("routes", i, "channels"), r.channels) for i, r in enumerate(config.routes)),
        (("alerts", "feed_health_channels"), config.alerts.feed_health_channels or []),
    ]
    out = []
    for loc, used in users:
        for j, name in enumerate(used):
            if name not in names:
                out.append(Problem((*loc, j),
                                   unknown("channel", name, names, "no channel named")))
    return out


def _route_watches(config: Config) -> list[Problem]:
    from newswatch.config.watches import FEED_HEALTH_WATCH

    names = [w.name for w in config.watches] + [FEED_HEALTH_WATCH]
    return [
        Problem(("routes", i, "watches", j), unknown("watch", name, names[:-1]))
        for i, route in enumerate(config.routes)
        for j, name in enumerate(route.watches)
        if name not in names
    ]


def _bus_codec(config: Config) -> list[Problem]:
    from newswatch.bus.base import missing_codec

    codec = config.bus.kafka.compression_type
    if not config.bus_url().startswith("kafka://"):
        return []
    missing = missing_codec(codec)
    return [Problem(("bus", "kafka", "compression_type"), missing)] if missing else []


def core_problems(config: Config) -> list[Problem]:
    """What the core can check alone: duplicate names, references between tables, codecs."""
    return _duplicates(config) + _channel_refs(config) + _route_watches(config) + _bus_codec(config)


def run_checks(config: Config, checks: Iterable[Check]) -> list[Problem]:
    problems = core_problems(config)
    for check in checks:
        problems.extend(check(config))
    return problems
