# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of ciphertrust.cckm: a requests session that talks to CipherTrust Manager.

Internal to ciphertrust.cckm: not a public API, may change without notice.

It logs in once per module run, refreshes the JWT before it expires (with the refresh token
that login returned, so a long wait does not create more sessions on CM) and once more on a
401; it retries GETs and the login with jittered backoff on connection errors, 429 (honouring
Retry-After) and 500/502/503/504, never on other 4xx; it verifies TLS unless told not to and passes
``verify=`` with every request so ``REQUESTS_CA_BUNDLE`` cannot override ``ca_cert``; and it turns
every failure into a CckmError with one clear sentence that never contains a secret.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from ansible_collections.ciphertrust.cckm.plugins.module_utils._backoff import growing_delays
from ansible_collections.ciphertrust.cckm.plugins.module_utils._errors import CckmError

try:
    import requests
except ImportError:  # reported by the module with missing_required_lib
    requests = None

LOGIN_PATH = "/v1/auth/tokens"
PAGE_SIZE = 1000
"""Jobs asked for per listing request; a server that caps pages lower is followed page by page."""
PAGE_WORKERS = 4
"""Listing pages fetched at once after the first; few, so that CM is not flooded."""
LISTING_PASSES = 3
"""Times a listing that moved while being read is read again."""
MAX_RETRIES = 5
"""Retries of one request; with pauses of 0.5, 1, 2, 4 and 8 s they outlast a CM restart (about 10 s)."""
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = (429, 500, 502, 503, 504)
DEFAULT_JWT_LIFETIME = 300.0

Verify = Union[bool, str]
Check = Callable[[str, Any], Any]


class Credentials:
    """What the client may log in with; never printed."""

    def __init__(
        self,
        username: Optional[str] = None,
        password: Optional[str] = None,
        domain: Optional[str] = None,
        auth_domain: Optional[str] = None,
        refresh_token: Optional[str] = None,
        token: Optional[str] = None,
    ) -> None:
        self.username = username
        self.password = password
        self.domain = domain
        self.auth_domain = auth_domain
        self.refresh_token = refresh_token
        self.token = token

    def __repr__(self) -> str:
        return "Credentials(username=%r, secrets hidden)" % self.username

    @property
    def has_password(self) -> bool:
        return bool(self.username and self.password)

    def secrets(self) -> Tuple[Optional[str], ...]:
        return (self.password, self.refresh_token, self.token)


class CckmClient:
    """A CipherTrust Manager API session for one module run."""

    def __init__(
        self,
        base_url: str,
        credentials: Credentials,
        verify: Verify = True,
        request_timeout: float = 30.0,
        max_retries: int = MAX_RETRIES,
        retry_delays: Optional[Callable[[], Iterator[float]]] = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Optional[Callable[[str], None]] = None,
    ) -> None:
        if requests is None:
            raise RuntimeError("the Python library 'requests' is required")
        self.api_url = base_url.rstrip("/") + "/api"
        self.credentials = credentials
        self.verify = verify
        self.request_timeout = request_timeout
        self.max_retries = max_retries
        self.retry_delays = retry_delays or (lambda: growing_delays(0.5, 8.0))
        self.sleep = sleep
        self.clock = clock
        self.on_retry = on_retry
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "ciphertrust.cckm"})
        self._jwt: Optional[str] = credentials.token
        self._jwt_expires_at: Optional[float] = _jwt_expiry(credentials.token, clock) if credentials.token else None
        self._refresh_token: Optional[str] = credentials.refresh_token
        self.deadline: Optional[float] = None
        """A ``clock()`` time after which no retry starts (a wait's own timeout)."""
        self._auth_lock = threading.RLock()  # listing pages are fetched from several threads

    # -- authentication -------------------------------------------------------------------------

    def _secrets(self) -> Tuple[Optional[str], ...]:
        return self.credentials.secrets() + (self._jwt, self._refresh_token)

    def _jwt_is_fresh(self) -> bool:
        if not self._jwt:
            return False
        if self._jwt_expires_at is None:
            return True
        return self.clock() < self._jwt_expires_at

    def authenticate(self, force: bool = False) -> None:
        """Get a JWT unless a fresh one is held: refresh token first, then password."""
        with self._auth_lock:
            self._authenticate(force)

    def _authenticate(self, force: bool) -> None:
        if not force and self._jwt_is_fresh():
            return
        can_log_in = bool(self._refresh_token or self.credentials.has_password)
        if not can_log_in:
            if self._jwt and not force:
                return
            if self.credentials.token:
                raise CckmError(
                    "CipherTrust Manager refused the token given in 'token' (CM_TOKEN): it has expired "
                    "or is not valid. Give a new token, or give username and password or refresh_token "
                    "so that the collection can log in and renew it.",
                    status=401,
                )
            raise CckmError(
                "No credentials for CipherTrust Manager: set username and password (CM_USERNAME, "
                "CM_PASSWORD), refresh_token (CM_REFRESH_TOKEN) or token (CM_TOKEN)."
            )
        if self._refresh_token:
            try:
                self._grant({"grant_type": "refresh_token", "refresh_token": self._refresh_token})
                return
            except CckmError as error:
                if error.retryable or not self.credentials.has_password:
                    if not error.retryable and error.status is not None:
                        error.message = (
                            "CipherTrust Manager refused the refresh token (HTTP %s%s): it was revoked or "
                            "has expired. Give a new refresh_token (CM_REFRESH_TOKEN), or username and "
                            "password." % (error.status, _cm_reason_suffix(error))
                        )
                        error.args = (error.message,)
                    raise error.redact(self._secrets())
                self._refresh_token = None  # revoked: fall back to the password below
        self._grant(
            {
                "grant_type": "password",
                "username": self.credentials.username,
                "password": self.credentials.password,
                "domain": self.credentials.domain or "",
                "auth_domain": self.credentials.auth_domain or "",
            }
        )

    def _grant(self, body: Dict[str, Any]) -> None:
        try:
            answer = self._send("POST", LOGIN_PATH, json_body=body, authenticated=False, retry=True)
        except CckmError as error:
            if error.status in (400, 401, 403) and body["grant_type"] == "password":
                error.message = (
                    "Login to CipherTrust Manager at %s as user %r%s failed (HTTP %s%s). Check username, "
                    "password, domain and auth_domain (CM_USERNAME, CM_PASSWORD, CM_DOMAIN, CM_AUTH_DOMAIN)."
                    % (
                        self.api_url[: -len("/api")],
                        self.credentials.username,
                        " in domain %r" % self.credentials.domain if self.credentials.domain else "",
                        error.status,
                        _cm_reason_suffix(error),
                    )
                )
                error.args = (error.message,)
            raise error.redact(self._secrets())
        jwt = answer.get("jwt") if isinstance(answer, dict) else None
        if not jwt:
            raise CckmError(
                "CipherTrust Manager answered the login without a 'jwt': is 'address' a CipherTrust Manager?",
                url=self.api_url + LOGIN_PATH,
            )
        duration = _number(answer.get("duration"), DEFAULT_JWT_LIFETIME)
        self._jwt = jwt
        # Renew a little early so a request is never sent with a token about to lapse.
        self._jwt_expires_at = self.clock() + duration - min(30.0, duration * 0.2)
        if answer.get("refresh_token"):
            self._refresh_token = answer["refresh_token"]

    # -- requests ---------------------------------------------------------------------------------

    def get(self, path: str, params: Optional[Dict[str, Any]] = None, check: Optional[Check] = None) -> Any:
        """GET ``/api<path>`` as JSON, logging in and retrying as needed.

        ``check(url, body)`` returns what the caller wants from the body, or raises a retryable
        CckmError when it is unusable (a proxy's page, a truncated answer), which is retried too.
        """
        return self.request("GET", path, params=params, check=check)

    def request(
        self,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]] = None,
        json_body: Optional[Dict[str, Any]] = None,
        check: Optional[Check] = None,
    ) -> Any:
        """Send an authenticated request; only GETs are retried (a repeated POST could start a second job)."""
        self.authenticate()
        sent_with = self._jwt
        retry = method == "GET"
        try:
            return self._send(method, path, params=params, json_body=json_body, retry=retry, check=check)
        except CckmError as error:
            if error.status != 401:
                raise error.redact(self._secrets())
        with self._auth_lock:
            if self._jwt == sent_with:  # another thread may have renewed it meanwhile
                self._authenticate(force=True)
        try:
            return self._send(method, path, params=params, json_body=json_body, retry=retry, check=check)
        except CckmError as error:
            raise error.redact(self._secrets())

    def _send(
        self,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]] = None,
        json_body: Optional[Dict[str, Any]] = None,
        authenticated: bool = True,
        retry: bool = True,
        check: Optional[Check] = None,
    ) -> Any:
        url = self.api_url + path
        delays = self.retry_delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                body = self._send_once(method, url, params, json_body, authenticated)
                return check(url, body) if check else body
            except CckmError as error:
                pause = next(delays)
                if error.retry_after is not None:
                    pause = min(max(pause, error.retry_after), MAX_RETRY_AFTER)
                past_deadline = self.deadline is not None and self.clock() + pause >= self.deadline
                if not (retry and error.retryable and attempt <= self.max_retries and not past_deadline):
                    if error.retryable and retry and attempt > 1:
                        error.message = error.message.rstrip(".") + ". Gave up after %d attempts." % attempt
                        error.args = (error.message,)
                    raise
                if self.on_retry:
                    self.on_retry(
                        "%s; retrying in %.1f s (attempt %d of %d)" % (error.message, pause, attempt + 1, self.max_retries + 1)
                    )
                self.sleep(pause)

    def _send_once(
        self,
        method: str,
        url: str,
        params: Optional[Dict[str, Any]],
        json_body: Optional[Dict[str, Any]],
        authenticated: bool,
    ) -> Any:
        headers = {"Authorization": "Bearer %s" % self._jwt} if authenticated and self._jwt else None
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                json=json_body,
                headers=headers,
                verify=self.verify,
                timeout=self.request_timeout,
            )
        except requests.exceptions.RequestException as exc:
            raise _transport_error(method, url, exc, self.request_timeout) from None
        return _decode(method, url, response)

    # -- synchronization jobs ---------------------------------------------------------------------

    def get_job(self, path: str) -> Optional[Dict[str, Any]]:
        """One job by its path, or None when CM answers 404."""
        try:
            return self.get(path, check=_job_content)
        except CckmError as error:
            if error.status == 404:
                return None
            raise

    def list_jobs(
        self,
        path: str,
        query: Dict[str, Any],
        skip: int = 0,
        limit: Optional[int] = None,
        page_size: int = PAGE_SIZE,
    ) -> Tuple[List[Dict[str, Any]], int]:
        """Jobs matching ``query`` from ``skip`` on (all of them when ``limit`` is None), and CM's total.

        The first page tells ``total`` and the page size the server really uses; the other pages
        are then fetched concurrently. When the list moved while it was being read (a page reports
        another ``total``, or comes back short), the whole listing is read again so that no job is
        lost or repeated; the last of LISTING_PASSES reads pages one by one, following the latest
        ``total``, for a list that never stops moving. Jobs are always kept once by id.
        """
        for _pass in range(LISTING_PASSES - 1):
            jobs, total, steady = self._list_once(path, query, skip, limit, page_size)
            if steady:
                return jobs, total
        return self._list_following_total(path, query, skip, limit, page_size)

    def _list_once(
        self, path: str, query: Dict[str, Any], skip: int, limit: Optional[int], page_size: int
    ) -> Tuple[List[Dict[str, Any]], int, bool]:
        wanted = page_size if limit is None else min(page_size, limit)
        first, total = self.get(path, params=dict(query, skip=skip, limit=wanted), check=_page_content)
        served = len(first)  # the server's real page size (it may cap ``limit``)
        end = total if limit is None else min(total, skip + limit)
        offsets = list(range(skip + served, end, served)) if served else []
        pages = [(first, total)] + self._fetch_pages(path, query, offsets, served, end)
        jobs = _unique(job for resources, _total in pages for job in resources)
        steady = all(
            page_total == total and len(resources) == min(served, end - offset)
            for (resources, page_total), offset in zip(pages[1:], offsets)
        )
        if limit is not None:
            jobs = jobs[:limit]
        return jobs, total, steady

    def _list_following_total(
        self, path: str, query: Dict[str, Any], skip: int, limit: Optional[int], page_size: int
    ) -> Tuple[List[Dict[str, Any]], int]:
        """Last resort for a list that keeps moving: page one by one until the latest ``total``."""
        jobs: List[Dict[str, Any]] = []
        offset = skip
        while True:
            wanted = page_size if limit is None else min(page_size, limit - len(jobs))
            resources, total = self.get(path, params=dict(query, skip=offset, limit=wanted), check=_page_content)
            jobs = _unique(jobs + resources)
            offset += len(resources)
            if offset >= total or not resources or (limit is not None and len(jobs) >= limit):
                return (jobs if limit is None else jobs[:limit]), total

    def _fetch_pages(
        self, path: str, query: Dict[str, Any], offsets: List[int], size: int, end: int
    ) -> List[Tuple[List[Dict[str, Any]], int]]:
        """The pages at ``offsets``, in order; concurrently when there are several."""

        def fetch(offset: int) -> Tuple[List[Dict[str, Any]], int]:
            return self.get(path, params=dict(query, skip=offset, limit=min(size, end - offset)), check=_page_content)

        if len(offsets) < 2:
            return [fetch(offset) for offset in offsets]
        from concurrent.futures import ThreadPoolExecutor  # only a long listing pays for the import

        with ThreadPoolExecutor(max_workers=PAGE_WORKERS) as pool:
            return list(pool.map(fetch, offsets))


# -- helpers --------------------------------------------------------------------------------------


def _number(value: Any, default: float) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _jwt_expiry(token: Optional[str], clock: Callable[[], float]) -> Optional[float]:
    """Monotonic expiry of a ready JWT from its ``exp`` claim, or None when it cannot be read."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return clock() + float(claims["exp"]) - time.time() - 5.0
    except Exception:  # an opaque token: rely on the 401 instead
        return None


def _cm_reason_suffix(error: CckmError) -> str:
    parts = []
    if error.code_desc or error.code is not None:
        parts.append("%s (code %s)" % (error.code_desc or "error", error.code))
    if error.cm_message:
        parts.append(error.cm_message)
    return (": " + ": ".join(parts)) if parts else ""


def _job_content(url: str, job: Any) -> Dict[str, Any]:
    if not isinstance(job, dict) or "id" not in job:
        raise CckmError(
            "CipherTrust Manager answered GET %s with something that is not a job; is 'address' a "
            "CipherTrust Manager with CCKM, reached directly rather than through a proxy that rewrites answers?" % url,
            url=url,
            retryable=True,
        )
    return job


def _page_content(url: str, page: Any) -> Tuple[List[Dict[str, Any]], int]:
    if not isinstance(page, dict) or not isinstance(page.get("resources"), list):
        raise CckmError(
            "CipherTrust Manager answered GET %s without a 'resources' list; is 'address' a CipherTrust "
            "Manager with CCKM, reached directly rather than through a proxy that rewrites answers?" % url,
            url=url,
            retryable=True,
        )
    resources = [job for job in page["resources"] if isinstance(job, dict)]
    total = int(_number(page.get("total"), len(resources)))
    return resources, total


def _unique(jobs: Iterable[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """Jobs in order, each id once (a job can show up on two pages when the list shifts)."""
    seen = set()
    kept = []
    for job in jobs:
        key = job.get("id")
        if key not in seen:
            seen.add(key)
            kept.append(job)
    return kept


def _retry_after(value: Optional[str]) -> Optional[float]:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _decode(method: str, url: str, response: Any) -> Any:
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
    body: Dict[str, Any] = {}
    try:
        parsed = response.json()
        if isinstance(parsed, dict):
            body = parsed
    except ValueError:
        pass
    error = CckmError(
        _http_error_message(method, url, status, body, response),
        url=url,
        status=status,
        code=body.get("code"),
        code_desc=body.get("codeDesc"),
        request_id=body.get("requestID"),
        retryable=status in RETRY_STATUSES,
        cm_message=body.get("message"),
        retry_after=_retry_after(response.headers.get("Retry-After")) if status == 429 else None,
    )
    raise error


_HINTS = {
    400: "CM rejected the request's parameters; check the filter values.",
    401: "The credentials or token were refused; check username, password and domain, or renew the token.",
    403: "The user is not allowed to read CCKM synchronization jobs; give it a CCKM role in CM.",
    404: "CM has no such resource; check the id, the scope, and that CCKM for this cloud is enabled.",
    429: "CM is rate-limiting this client; raise poll intervals or try again later.",
    500: "CM reported an internal error; check its logs (the requestID identifies the request) and try again.",
    502: "A proxy or load balancer in front of CM could not reach it; try again, or check CM's health.",
    503: "CM is unavailable (starting or overloaded); try again in a moment.",
    504: "A proxy or load balancer in front of CM timed out; try again, or raise request_timeout.",
}


def _http_error_message(method: str, url: str, status: int, body: Dict[str, Any], response: Any) -> str:
    detail = []
    if body.get("codeDesc") or body.get("code") is not None:
        detail.append("%s (code %s)" % (body.get("codeDesc") or "error", body.get("code")))
    if body.get("message"):
        detail.append(str(body["message"]))
    if not body:
        snippet = " ".join(response.text.split())[:80]
        if snippet:
            detail.append("non-JSON body %r" % snippet)
    text = "CipherTrust Manager answered %s %s with HTTP %d %s" % (method, url, status, response.reason or "")
    text = text.rstrip()
    if detail:
        text += ": " + ": ".join(detail)
    if body.get("requestID"):
        text += " [requestID %s]" % body["requestID"]
    hint = _HINTS.get(status, "")
    return text + (". " + hint if hint else ".")


def _transport_error(method: str, url: str, exc: Exception, timeout: float) -> CckmError:
    reason = _root_cause(exc)
    host = url.split("/")[2]
    if isinstance(exc, requests.exceptions.SSLError) and _is_verification_failure(reason):
        text = str(reason)
        if "hostname" in text.lower() or "match" in text.lower():
            advice = (
                "the certificate does not name %r; use the host name the certificate was issued for "
                "in 'address'" % host.rsplit(":", 1)[0]
            )
        else:
            advice = (
                "set 'ca_cert' (CM_CA_CERT) to the CA bundle that signed CM's certificate, or, knowingly, validate_certs: false"
            )
        return CckmError("TLS verification of %s failed (%s): %s." % (host, _short(text), advice), url=url)
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return CckmError(
            "No connection to %s within request_timeout (%s s); check 'address', firewalls and proxies." % (host, timeout),
            url=url,
            retryable=True,
        )
    if isinstance(exc, requests.exceptions.Timeout):
        return CckmError(
            "CipherTrust Manager did not answer %s %s within request_timeout (%s s); raise "
            "request_timeout if CM is slow." % (method, url, timeout),
            url=url,
            retryable=True,
        )
    text = str(reason)
    lowered = text.lower()
    if any(
        marker in lowered
        for marker in (
            "name or service not known",
            "nodename nor servname",
            "getaddrinfo",
            "name resolution",
            "no address associated",
            "resolve",
        )
    ):
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
        "Connection to %s failed during %s %s (%s); retrying may help." % (host, method, url, _short(text)),
        url=url,
        retryable=True,
    )


def _is_verification_failure(reason: BaseException) -> bool:
    """True when TLS failed on the certificate; other TLS errors (an EOF mid-handshake while CM restarts) are transient."""
    if isinstance(reason, ssl.SSLCertVerificationError):
        return True
    text = str(reason).lower()
    return any(marker in text for marker in ("certificate verify failed", "hostname", "doesn't match", "unknown ca"))


def _root_cause(exc: BaseException) -> BaseException:
    seen = exc
    for _depth in range(8):  # a cause chain is short; never loop on a cycle
        inner = getattr(seen, "reason", None) or seen.__cause__ or seen.__context__
        if inner is None or inner is seen:
            break
        if isinstance(inner, BaseException):
            seen = inner
        else:
            break
    return seen if str(seen) else exc


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= 160 else text[:157] + "..."
