"""Credentials out of text that is shown or stored for display: log lines, errors, feed state,
``newswatch feeds``, bus records, the ledger and alerts.

A feed URL may carry ``user:password@`` or a secret in its query (``?apikey=``, ``?token=``);
the real URL is used for fetching only. Everything else goes through :func:`redact`, which
replaces the user info of any URL in a text with ``***`` and the value of any query parameter
whose name looks like a credential (:data:`SECRET_PARAMS`, shared with the channels' masked
URLs) with ``***``. Channel secrets are masked by the channels themselves
(:meth:`newswatch.config.channels.ChannelConfig.masked_url`).
"""

from __future__ import annotations

import re

# Query parameter names whose values are credentials (apikey, access_token, X-Amz-Signature,
# client_secret, passwd, session, ...).
SECRET_PARAMS = re.compile(
    r"(token|key|secret|sig|signature|password|passwd|pass|pwd|code|auth|session|credential|jwt)",
    re.I,
)
_USERINFO = re.compile(r"([a-zA-Z][a-zA-Z0-9+.-]*://)[^/?#@\s]+@")
_QUERY_VALUE = re.compile(r"([?&;]([^=&#\s?;]+)=)([^&#\s\"'<>;)]+)")


def _query(m: re.Match[str]) -> str:
    return m.group(1) + "***" if SECRET_PARAMS.search(m.group(2)) else m.group(0)


def redact(text: str) -> str:
    """``text`` with URL user info and secret-looking query values replaced by ``***``."""
    if not text or ("@" not in text and "=" not in text):
        return text
    return _QUERY_VALUE.sub(_query, _USERINFO.sub(r"\1***@", text))


def redact_url(url: str) -> str:
    """One URL made safe to show or store: ``https://***@host/feed?apikey=***&page=2``."""
    return redact(url)
