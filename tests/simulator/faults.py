"""Faults the simulator can inject: what goes wrong, on which requests, how many times.

A fault is checked when injected: an unknown kind or match, or an option its kind does not take,
raises ValueError at once, so a typo in a test cannot silently never fire.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

# kind -> what it does (the handler's dispatch table in server.py has one entry per kind)
KINDS: Dict[str, str] = {
    "status": "answer HTTP ``status`` with a CM error body (``retry_after`` sets Retry-After)",
    "reset": "reset the TCP connection (RST) without answering",
    "drop": "close the connection without answering (with ``acts_first``: after CM did the work, e.g. started a job)",
    "slow": "wait ``delay`` seconds, then answer normally",
    "stall": "wait ``delay`` seconds, then close the connection without acting or answering (a CM slower than any timeout)",
    "invalid_json": "answer 200 with a truncated JSON body",
    "html": "answer ``status`` with an HTML error page, as a proxy does",
    "no_resources": "answer a listing with 200 and no ``resources``",
    "outage": "close the connection and stop listening for ``downtime`` seconds, as a CM restart does (the node that "
    "got the request; with ``acts_first``: after it did the work)",
    "expire_tokens": "every JWT lapses, so this request gets a 401",
    "revoke_tokens": "JWTs lapse and refresh tokens are revoked",
    "tls_eof": "with match ``handshake``: close the connection before the TLS handshake",
}

# match -> which requests it applies to
MATCHES: Tuple[str, ...] = ("login", "list", "get", "other", "api", "any", "handshake")
"""``other`` is any API call that is neither a listing nor a GET of one job (a POST); ``api`` any but login."""

# the options each kind takes beyond match, count, after
OPTIONS: Dict[str, Tuple[str, ...]] = {
    "status": ("status", "retry_after"),
    "html": ("status",),
    "slow": ("delay",),
    "stall": ("delay",),
    "outage": ("downtime", "acts_first"),
    "drop": ("acts_first",),
    "reset": ("acts_first",),
}


class Fault:
    """A misbehaviour applied to the next ``count`` matching requests, after letting ``after`` through."""

    def __init__(
        self,
        kind: str,
        match: str = "api",
        count: int = 1,
        after: int = 0,
        status: int = 503,
        retry_after: Optional[str] = None,
        delay: float = 0.0,
        downtime: float = 10.0,
        acts_first: bool = False,
        node: Optional[int] = None,
        **unknown: Any,
    ) -> None:
        if kind not in KINDS:
            raise ValueError("unknown fault kind %r; kinds: %s" % (kind, ", ".join(sorted(KINDS))))
        if match not in MATCHES:
            raise ValueError("unknown fault match %r; matches: %s" % (match, ", ".join(MATCHES)))
        if (kind == "tls_eof") != (match == "handshake"):
            raise ValueError("tls_eof happens at the handshake only, and only tls_eof does (kind %r, match %r)" % (kind, match))
        if unknown:
            raise ValueError("fault %r takes no option %s" % (kind, ", ".join(sorted(unknown))))
        given = {"status": status != 503, "retry_after": retry_after is not None, "delay": delay != 0.0}
        given["downtime"] = downtime != 10.0
        given["acts_first"] = acts_first
        stray = [name for name, set_ in given.items() if set_ and name not in OPTIONS.get(kind, ())]
        if stray:
            raise ValueError("fault %r does not use %s" % (kind, ", ".join(stray)))
        if count < 1 or after < 0:
            raise ValueError("count must be 1 or more and after 0 or more")
        self.kind = kind
        self.match = match
        self.count = count
        self.after = after
        self.status = status
        self.retry_after = retry_after
        self.delay = delay
        self.downtime = downtime
        self.acts_first = acts_first
        self.node = node
        """The node of a cluster it happens on; None: any node."""

    def applies(self, request_kind: str) -> bool:
        """Whether this fault is aimed at a request of ``request_kind`` (and has uses left)."""
        if self.count <= 0:
            return False
        if "handshake" in (request_kind, self.match):  # only a fault aimed at the handshake happens there
            return request_kind == self.match
        return self.match in ("any", request_kind) or (self.match == "api" and request_kind != "login")

    def __repr__(self) -> str:
        return "Fault(%r, match=%r, count=%d, after=%d)" % (self.kind, self.match, self.count, self.after)
