# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nodes of a CipherTrust Manager cluster as the client sees them: which to ask next, and what moves it on.

Internal to ciphertrust.cckm: not a public API, may change without notice.

CM's documentation says every node of a cluster answers every operation. A node that cannot be reached, whose
TLS handshake or answer does not come in time, or that answers 502/503/504 (a node restarting, a proxy that
lost it) is passed over for the next one; a node that failed recently is asked last. A 500, a 429 or any
other answer is that node's real answer: it is not asked of another node. Whether nodes share the keys that
sign JWTs is not documented: a node holds the JWT it issued, may be offered another node's, and once it
refuses one (401) logs in for itself.
"""

from __future__ import annotations

from typing import List, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import CckmError

FAILED_RECENTLY = 120.0
"""Seconds after a failure during which a node is asked only after the others."""
FAILOVER_STATUSES = (502, 503, 504)


class Node:
    """One node (or the one address, a load balancer's included) and the tokens it issued."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.api_url = self.url + "/api"
        self.jwt: Optional[str] = None
        """A JWT this node issued, or one it accepted from another node."""
        self.jwt_expires_at: Optional[float] = None
        self.refuses_foreign = False
        """It answered 401 to a JWT another node issued: it only takes its own."""
        self.failed_at: Optional[float] = None
        self.logins = 0
        self.skipped = False
        """A warning already named it (once per node)."""

    def __repr__(self) -> str:
        return "Node(%r)" % self.url

    @property
    def host(self) -> str:
        return self.url.split("://", 1)[-1]


def moves_on(error: CckmError) -> bool:
    """Whether another node may answer what this node could not: no connection, no TLS handshake, no answer in
    time, or a 502/503/504. Any other answer is the cluster's answer."""
    if not error.retryable:
        return False
    return error.status is None or error.status in FAILOVER_STATUSES


def failover_order(nodes: List[Node], current: Node, now: float) -> List[Node]:
    """The node in use first, then the others: those that have not failed recently, then the rest, longest ago first."""
    others = [node for node in nodes if node is not current]
    fresh = [node for node in others if node.failed_at is None or now - node.failed_at > FAILED_RECENTLY]
    stale = sorted((node for node in others if node not in fresh), key=lambda node: node.failed_at or 0.0)
    return [current] + fresh + stale


def skipped_warning(node: Node, error: CckmError, next_node: Optional[Node]) -> str:
    """What a result's warnings say once about a node passed over."""
    reason = error.message_without_attempts.rstrip(".")
    then = " went on with %s" % next_node.host if next_node is not None else " no other node answered either"
    return "CipherTrust Manager node %s was skipped (%s);%s." % (node.host, reason, then)
