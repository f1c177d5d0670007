"""What every page of the UI shares: the config, the ledger, the side index, the model, the
retrainer, the link signer, and the hooks into the running service. One background thread keeps
the side index and the recent-articles buffer current."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newswatch.bus import Bus
from newswatch.config import Config
from newswatch.links import Links, is_loopback, load_secret, public_base
from newswatch.stage import ARTICLES
from newswatch.ui.index import Index
from newswatch.ui.model import CurrentModel
from newswatch.ui.queries import LedgerView
from newswatch.ui.recent import RecentArticles
from newswatch.ui.retrain import Retrainer

log = logging.getLogger("newswatch.ui")
TICK_SECS = 1.0
FACETS_SECS = 2.0


def _noop() -> None:
    pass


@dataclass
class Hooks:
    """How the UI reaches the service it runs in (no-ops when it runs alone, as in tests)."""

    reload: Callable[[], None] = _noop  # check the config file now (after an edit)
    bus: Callable[[], Bus | None] = field(default=lambda: None)


class UiContext:
    def __init__(self, config: Callable[[], Config], *, bound_host: str = "127.0.0.1",
                 config_path: str | Path | None = None, hooks: Hooks | None = None):
        from alerts.stage import ledger_path

        self.config, self.hooks = config, hooks or Hooks()
        cfg = config()
        self.config_path = Path(config_path) if config_path else None
        self.loopback = is_loopback(bound_host)
        self.secret = load_secret(cfg)
        self.ledger = LedgerView(ledger_path(cfg))
        self.index = Index(cfg.data_path("ui.db"))
        self.model = CurrentModel(config)
        self.retrainer = Retrainer(config, on_swap=self._swapped)
        self.recent = RecentArticles(self.hooks.bus, cfg.bus.topic(ARTICLES),
                                     cfg.bus.group("ui-recent"))
        self._facets: dict[str, Any] = {}
        self._facets_at = 0.0
        self._stale = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="ui-index", daemon=True)

    def links(self) -> Links:
        cfg = self.config()
        return Links(self.secret, public_base(cfg), cfg.ui.link_max_age_secs)

    def start(self) -> None:
        self.retrainer.start()
        self._thread.start()

    def sync(self) -> int:
        """Bring the side index up to date now, unless the background thread is at it."""
        try:
            added = self.index.sync(self.ledger, limit=2000, wait=False)
            self._stale = self._stale or bool(added)
            return added
        except Exception as exc:
            log.warning("web UI: cannot read the ledger: %s", exc)
            return 0

    def facets(self) -> dict[str, Any]:
        """Filter choices with counts; recounted by the background thread as rows arrive."""
        if not self._facets:
            self._facets, self._facets_at = self.index.facets(), time.monotonic()
        return self._facets

    def labels(self) -> list[str]:
        """Model labels known without importing the classifier (slow on a busy machine)."""
        names = set(self.model.meta.get("labels", []))
        names |= {lb for w in self.config().watches for lb in w.labels}
        names |= {v for v, _, _ in self.facets().get("label", [])}
        return sorted(names)

    def _swapped(self, report: dict[str, Any]) -> None:
        self.model.refresh()  # the classify stage switches by itself (classifiers.hotswap)

    def _loop(self) -> None:
        try:  # load the model (and the classifier's libraries) before a page needs them
            self.model.refresh()
        except Exception:
            log.exception("web UI: cannot load the model")
        while not self._stop.wait(TICK_SECS):
            try:
                while self.index.sync(self.ledger, limit=5000) and not self._stop.is_set():
                    self._stale = True
                if self._stale and time.monotonic() - self._facets_at > FACETS_SECS:
                    self._facets, self._facets_at = self.index.facets(), time.monotonic()
                    self._stale = False
                self.recent.refresh()
            except Exception:
                log.exception("web UI: background indexing failed; retrying")
        self.recent.close()

    def close(self) -> None:
        self._stop.set()
        self.retrainer.close()
        if self._thread.ident is not None:
            self._thread.join(timeout=5)
        self.index.close()
        self.ledger.close()
