# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Typed errors, and turning CipherTrust Manager's answers and transport failures into them.

Internal to ciphertrust.cckm: not a public API, may change without notice.
Everything here is a pure function of what it is given (no request is sent; a TLS failure calls the look at CM's
certificate the client hands in), so it is unit-tested without a server. Nothing calls fail_json: modules fail in
``_mains.module.fail_from_error``.
"""

from __future__ import annotations

import ssl
import time
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Iterable, Optional

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.certificate import CertificateNames
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.redact import redact

try:
    import requests
except ImportError:  # reported by the module with missing_required_lib
    requests = None

RETRY_STATUSES = (429, 500, 502, 503, 504)


GAVE_UP = " Gave up after %d attempts."
"""What a retried request's message ends with."""


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
        timed_out: bool = False,
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
        self.timed_out = timed_out
        """The request reached CM but no answer came in time: CM may still be acting on it."""
        self.attempts = 1
        """How many times the request was sent before this error (the client's retries)."""

    @property
    def transient(self) -> bool:
        """A lost answer, a timeout, a rate limit or a server error: CM may have acted, and asking again may work.

        A wait polls again after one; a write looks at CM before it sends again.
        """
        return self.retryable or (self.status is not None and self.status >= 500)

    def gave_up_after(self, attempts: int) -> CckmError:
        """Say the request was sent ``attempts`` times (the client's last retry failed too)."""
        self.attempts = attempts
        return self.reword(self.message.rstrip(".") + "." + GAVE_UP % attempts)

    @property
    def message_without_attempts(self) -> str:
        """The message without what ``gave_up_after`` added."""
        return self.message.replace(GAVE_UP % self.attempts, "") if self.attempts > 1 else self.message

    def reword(self, message: str) -> CckmError:
        """Replace the sentence the user reads, keeping the facts (status, CM code, request id)."""
        self.message = message
        self.args = (message,)
        return self

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

    def cm_reason(self) -> str:
        """``": <codeDesc> (code N): <message>"`` from CM's error body, or ``""``."""
        parts = []
        if self.code_desc or self.code is not None:
            parts.append("%s (code %s)" % (self.code_desc or "error", self.code))
        if self.cm_message:
            parts.append(self.cm_message)
        return (": " + ": ".join(parts)) if parts else ""

    def redact(self, secrets: Iterable[Optional[str]]) -> CckmError:
        """Blank any secret that a server or a library echoed into the message."""
        return self.reword(redact(self.message, secrets))


def is_unlicensed(error: CckmError) -> bool:
    """Whether CM refused for want of a CCKM licence (a 403 whose message says so)."""
    return error.status == 403 and "licen" in str(error.cm_message or "").lower()


def permission_error(error: CckmError, what: str, targets: str) -> CckmError:
    """A 403 on a start or a cancel, said as what the user lacks: CCKM's keysynchronize permission on the targets."""
    if error.status != 403 or is_unlicensed(error):
        return error
    return error.reword(
        "CipherTrust Manager refused to %s (HTTP 403%s): the user needs the keysynchronize permission on %s (CCKM's "
        "access control grants Synchronize and Cancel per KMS account, vault or other target; an administrator "
        "sets it on the target in CM's CCKM pages)." % (what, error.cm_reason(), targets)
    )


def is_not_found(error: CckmError) -> bool:
    """Whether CM said it has no such object: a 404, or the 400 a known CM defect (KY-118691) answers instead."""
    if error.status == 404:
        return True
    said = " ".join(str(part or "") for part in (error.cm_message, error.code_desc)).lower()
    return error.status == 400 and "not found" in said


class CckmInputError(CckmError):
    """An option value that cannot work; raised before any request is sent."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__("%s: %s" % (option, message))
        self.option = option


# -- CM's answers ---------------------------------------------------------------------------------

_HINTS = {
    400: "CM rejected the request's parameters; check the filter values.",
    401: "The credentials or token were refused; check username, password and domain, or renew the token.",
    403: "The user lacks the CM permission for this request; give it a CCKM role in CM (and scheduler rights for schedules).",
    404: "CM has no such resource; check the id, the scope, and that CCKM for this cloud is enabled.",
    429: "CM is rate-limiting this client; raise poll intervals or try again later.",
    500: "CM reported an internal error; check its logs (the requestID identifies the request) and try again.",
    502: "A proxy or load balancer in front of CM could not reach it; try again, or check CM's health.",
    503: "CM is unavailable (starting or overloaded); try again in a moment.",
    504: "A proxy or load balancer in front of CM timed out; try again, or raise request_timeout.",
}


def decode_answer(method: str, url: str, response: Any) -> Any:
    """The JSON body of a 2xx answer (``{}`` when empty); a CckmError for anything else."""
    status = response.status_code
    if 200 <= status < 300:
        if status == 204 or not response.content:
            return {}
        try:
            return response.json()
        except ValueError:
            raise CckmError(
                "CipherTrust Manager answered %s %s with HTTP %d but the body is not JSON (it begins %r); "
                "check that 'address' points at CM itself and not at a proxy or login page."
                % (method, url, status, response.text[:60]),
                url=url,
                status=status,
                retryable=True,
            ) from None
    raise http_error(method, url, response)


def http_error(method: str, url: str, response: Any) -> CckmError:
    """A CckmError for a non-2xx answer: status, CM's code/codeDesc/message, request id and what to try."""
    status = response.status_code
    body: Dict[str, Any] = {}
    try:
        parsed = response.json()
        if isinstance(parsed, dict):
            body = parsed
    except ValueError:
        pass
    error = CckmError(
        "",
        url=url,
        status=status,
        code=body.get("code"),
        code_desc=body.get("codeDesc"),
        request_id=body.get("requestID"),
        retryable=status in RETRY_STATUSES,
        cm_message=body.get("message"),
        retry_after=retry_after_seconds(response.headers.get("Retry-After")) if status == 429 else None,
    )
    if status == 403 and "licen" in str(body.get("message") or "").lower():
        return error.reword(
            "CCKM is not licensed on this CipherTrust Manager: it answered %s %s with HTTP 403%s. Every CCKM request "
            "is refused until a Cloud Key Manager licence is installed (Admin Settings > Licensing on CM)."
            % (method, url, error.cm_reason())
        )
    text = ("CipherTrust Manager answered %s %s with HTTP %d %s" % (method, url, status, response.reason or "")).rstrip()
    reason = error.cm_reason()
    if not body:
        snippet = " ".join(response.text.split())[:80]
        reason = ": non-JSON body %r" % snippet if snippet else ""
    text += reason
    if error.request_id:
        text += " [requestID %s]" % error.request_id
    hint = _HINTS.get(status, "")
    return error.reword(text + (". " + hint if hint else "."))


def retry_after_seconds(value: Optional[str], now: Any = time.time) -> Optional[float]:
    """Seconds from a Retry-After header (seconds or an HTTP date), or None."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - now())
    except (TypeError, ValueError):
        return None


# -- transport failures ---------------------------------------------------------------------------

_NAME_RESOLUTION = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
    "resolve",
)


def transport_error(
    method: str,
    url: str,
    exc: Exception,
    timeout: float,
    ca_cert: Optional[str] = None,
    ca_origin: Optional[str] = None,
    presented: Optional[Callable[[], Optional[CertificateNames]]] = None,
) -> CckmError:
    """A CckmError for a request that got no answer: TLS, timeout, DNS, refused, dropped.

    ``ca_cert``: the CA bundle the request was verified with (None: the system's), ``ca_origin`` where it was given
    (``ca_cert``, ``CM_CA_CERT``, ...). ``presented()``: the names in the certificate CM presents, asked only when
    no CA the user trusts signed it (the client's one unverified look; None when it cannot tell).
    """
    reason = root_cause(exc)
    host = url.split("/")[2]
    if requests is not None and isinstance(exc, requests.exceptions.SSLError) and is_verification_failure(reason):
        advice = verification_advice(reason, host, ca_cert, ca_origin, presented)
        return CckmError("TLS verification of %s failed (%s): %s." % (host, verification_detail(reason), advice), url=url)
    if requests is not None and isinstance(exc, requests.exceptions.ConnectTimeout):
        return CckmError(
            "No connection to %s within request_timeout (%s s); check 'address', firewalls and proxies." % (host, timeout),
            url=url,
            retryable=True,
        )
    if requests is not None and isinstance(exc, requests.exceptions.Timeout):
        return CckmError(
            "CipherTrust Manager did not answer %s %s within request_timeout (%s s); raise "
            "request_timeout if CM is slow." % (method, url, timeout),
            url=url,
            retryable=True,
            timed_out=True,
        )
    text = str(reason)
    lowered = text.lower()
    if any(marker in lowered for marker in _NAME_RESOLUTION):
        return CckmError(
            "Cannot resolve the host name in 'address' (%s): check the spelling, DNS, or use an IP "
            "address." % host.rsplit(":", 1)[0],
            url=url,
        )
    if "refused" in lowered:
        return CckmError(
            "Connection to %s refused: CM is not listening there (wrong port in 'address', or CM is restarting)." % host,
            url=url,
            retryable=True,
        )
    return CckmError(
        "Connection to %s failed during %s %s (%s); retrying may help." % (host, method, url, short(text)),
        url=url,
        retryable=True,
    )


_HOST_NAME_MISMATCH = (62, 64)
"""OpenSSL's verify codes for a certificate that names another host, another IP address."""
_NOT_YET_VALID, _EXPIRED = 9, 10


def verification_advice(
    reason: BaseException,
    host: str,
    ca_cert: Optional[str] = None,
    ca_origin: Optional[str] = None,
    presented: Optional[Callable[[], Optional[CertificateNames]]] = None,
) -> str:
    """What to do about a certificate TLS refused: the host name, its dates, or the CA (naming the issuer CM presented)."""
    code = getattr(reason, "verify_code", None)
    text = str(reason).lower()
    if code in _HOST_NAME_MISMATCH or "hostname" in text or "match" in text:
        return (
            "the certificate does not name %r; use the host name the certificate was issued for in 'address'"
            % host.rsplit(":", 1)[0]
        )
    if code == _EXPIRED or "has expired" in text:
        return "CM's certificate has expired: renew it on CM, or, if it has not, correct this machine's clock"
    if code == _NOT_YET_VALID or "not yet valid" in text:
        return "CM's certificate is not valid yet: check this machine's clock (and CM's)"
    names = _presented_names(presented)
    if not ca_cert:
        if names is not None and names.self_signed:
            seen = " (CM presented a self-signed one, '%s': give that certificate itself)" % names.subject
        elif names is not None:
            seen = " (CM presented one issued by '%s'%s)" % (names.issuer, _subject(names, ", subject '%s'"))
        else:
            seen = ""
        return (
            "set 'ca_cert' (CM_CA_CERT) to the CA bundle that signed CM's certificate%s, or, knowingly, "
            "validate_certs: false" % seen
        )
    # The user did give a bundle: say which, from where, and who signed CM's certificate instead.
    given = "the CA certificate given in ca_cert (%r%s) did not sign CM's certificate" % (
        ca_cert,
        ", from %s" % ca_origin if ca_origin and ca_origin != "ca_cert" else "",
    )
    if names is not None and names.self_signed:
        return (
            "%s. CM presented a self-signed certificate, '%s': set ca_cert to that certificate itself in PEM, or, "
            "knowingly, validate_certs: false" % (given, names.subject)
        )
    if names is not None:
        return (
            "%s. CM presented a certificate issued by '%s'%s: set ca_cert to that issuer's CA certificate in PEM (or a "
            "bundle that holds it), or, knowingly, validate_certs: false"
            % (given, names.issuer, _subject(names, " (subject '%s')"))
        )
    return (
        "%s: set ca_cert to the CA that signed it, in PEM (or a bundle that holds it), or, knowingly, validate_certs: false"
        % given
    )


def verification_detail(reason: BaseException) -> str:
    """OpenSSL's reason in plain words (``certificate verify failed: unable to get local issuer certificate``), without
    the ``[SSL: ...]`` tag and the ``(_ssl.c:NNNN)`` source line."""
    message = getattr(reason, "verify_message", None)
    if isinstance(message, str) and message:
        return short("certificate verify failed: %s" % message.rstrip("."))
    return short(str(reason))


def _presented_names(presented: Optional[Callable[[], Optional[CertificateNames]]]) -> Optional[CertificateNames]:
    """The names CM's certificate holds, or None: the look at it must never turn one error into another."""
    try:
        names = presented() if presented is not None else None
    except Exception:
        return None
    return names if names is not None and names.issuer else None


def _subject(names: CertificateNames, form: str) -> str:
    return form % names.subject if names.subject else ""


def is_verification_failure(reason: BaseException) -> bool:
    """True when TLS failed on the certificate; other TLS errors (an EOF mid-handshake while CM restarts) are transient."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return True
    text = str(reason).lower()
    return any(marker in text for marker in ("certificate verify failed", "hostname", "doesn't match", "unknown ca"))


def root_cause(exc: BaseException) -> BaseException:
    """The innermost exception of a requests/urllib3 failure, whose text says what happened."""
    seen = exc
    for _depth in range(8):  # a cause chain is short; never loop on a cycle
        inner = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if inner is None or inner is seen or isinstance(inner, CckmError):  # not our own error handled around it
            break
        if isinstance(inner, BaseException):
            seen = inner
        else:
            break
    return seen if str(seen) else exc


def short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 160 else text[:157] + "..."
