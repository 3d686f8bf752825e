# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors raised by the ciphertrust.cckm client and validators.

Internal to ciphertrust.cckm: not a public API, may change without notice.
Nothing below module level calls fail_json: modules turn these into one failure
in ``_common.fail_from_error``.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, Optional

REDACTED = "********"


class CckmError(Exception):
    """A failure talking to CipherTrust Manager, with what the user needs to act on it."""

    def __init__(
        self,
        message: str,
        *,
        url: Optional[str] = None,
        status: Optional[int] = None,
        code: Any = None,
        code_desc: Optional[str] = None,
        request_id: Optional[str] = None,
        retryable: bool = False,
        cm_message: Optional[str] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.url = url
        self.status = status
        self.code = code
        self.code_desc = code_desc
        self.request_id = request_id
        self.retryable = retryable
        self.cm_message = cm_message
        self.retry_after = retry_after

    def details(self) -> Dict[str, Any]:
        """Machine-readable facts for the module result (never a secret)."""
        facts = {
            "url": self.url,
            "status": self.status,
            "cm_code": self.code,
            "cm_code_desc": self.code_desc,
            "cm_message": self.cm_message,
            "request_id": self.request_id,
        }
        return {key: value for key, value in facts.items() if value is not None}

    def redact(self, secrets: Iterable[Optional[str]]) -> CckmError:
        """Blank any secret that a server or a library echoed into the message."""
        for secret in secrets:
            if secret and len(secret) >= 4:
                self.message = self.message.replace(secret, REDACTED)
        self.args = (self.message,)
        return self


class CckmInputError(CckmError):
    """An option value that cannot work; raised before any request is sent."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__("%s: %s" % (option, message))
        self.option = option
