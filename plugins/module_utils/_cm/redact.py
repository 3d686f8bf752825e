# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Blanking secrets (passwords, refresh tokens, JWTs) that a server or a library echoed into a text.

Internal to ciphertrust.cckm: not a public API, may change without notice. It imports nothing, so
the action plugins on the controller use it without loading ``requests`` (40 ms of every task).
"""

from __future__ import annotations

from typing import Any, Iterable

REDACTED = "********"
SECRET_OPTIONS = ("password", "refresh_token", "token")
"""Connection options whose values never appear in a message."""
SHORTEST_SECRET = 4
"""Shorter values are not blanked: replacing ``a`` everywhere would garble the text and hide nothing."""


def redact(text: str, secrets: Iterable[Any]) -> str:
    """``text`` with each secret (a string of SHORTEST_SECRET characters or more) replaced by REDACTED."""
    for secret in secrets:
        if isinstance(secret, str) and len(secret) >= SHORTEST_SECRET:
            text = text.replace(secret, REDACTED)
    return text
