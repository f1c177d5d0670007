"""Canonical article URLs: the identity that survives tracking parameters and cosmetic churn."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from newswatch.redact import redact as _redact

# Query parameters that only say how a reader arrived, never which article it is.
TRACKING_PREFIXES = ("utm_", "mc_", "pk_", "piwik_", "hsa_", "oly_", "__hs", "_hs")
TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid", "mkt_tok",
        "ocid", "cmpid", "cmp", "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname",
        "ns_fee", "sr_share", "spm", "share", "ref", "ref_src", "ref_url", "rss", "feed", "src",
        "at_medium", "at_campaign", "xtor", "_ga", "guccounter", "wt.mc_id",
    }
)
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _tracking(name: str) -> bool:
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


def canonical_url(url: str, base: str = "") -> str:
    """Lower-case scheme and host, default port dropped, fragment dropped, tracking parameters
    removed (the rest keep their order), user info dropped. Anything that is not an absolute
    http(s) URL (``javascript:``, ``data:``, ``mailto:``, a bare path) gives "": only http(s)
    links leave the collector."""
    url = (url or "").strip()
    if not url:
        return ""
    if url.startswith("//"):
        url = "https:" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return ""
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host if port is None or str(port) == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)]
    path = parts.path or "/"
    return urlunsplit((scheme, netloc, path, urlencode(query, doseq=True), ""))


def redact(text: str) -> str:
    """``text`` with URL credentials (user info, secret-looking query values) masked."""
    return _redact(text)


def host_of(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
