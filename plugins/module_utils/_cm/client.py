# Copyright: (c) 2026, ciphertrust.cckm contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one HTTP client of ciphertrust.cckm: a requests session that talks to CipherTrust Manager, one node or a cluster.

Internal to ciphertrust.cckm: not a public API, may change without notice.

It logs in once per module run (once per node of a cluster whose nodes refuse each other's JWTs), refreshes the
JWT before it expires (with the refresh token that login returned, so a long wait does not create more sessions on
CM) and once more on a 401; it never sends a password CM refused again. It retries GETs and the login (never a
write) with jittered backoff on connection errors, 429 (honouring Retry-After) and 500/502/503/504, never on other
4xx; within each attempt a read moves on to the next node of a cluster when a node cannot answer (``_cm.nodes``).
A write goes to the node in use, once. A job or schedule just written that another node does not know yet
(replication lag: a 404, or CM's 400 for not found) is read again for a few seconds. It verifies TLS unless told
not to and passes ``verify=`` with every request so ``REQUESTS_CA_BUNDLE`` cannot override ``ca_cert`` (when no CA
it trusts signed CM's certificate, one unverified look at it names the issuer in the error); and it turns every
failure into a CckmError with one clear sentence that never contains a secret.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.backoff import growing_delays
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.certificate import presented_names
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.errors import (
    CckmError,
    decode_answer,
    is_not_found,
    transport_error,
)
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.nodes import Node, failover_order, moves_on, skipped_warning
from ansible_collections.ciphertrust.cckm.plugins.module_utils._cm.paging import PAGE_SIZE, read_listing

try:
    import requests
except ImportError:  # reported by the module with missing_required_lib
    requests = None

LOGIN_PATH = "/v1/auth/tokens"
MAX_RETRIES = 5
"""Retries of one request; with pauses of 0.5, 1, 2, 4 and 8 s they outlast a CM restart (about 10 s)."""
MAX_RETRY_AFTER = 60.0
DEFAULT_JWT_LIFETIME = 300.0
WRITE_GRACE = 5.0
"""Seconds after a write during which a node that does not know what was written yet is asked again (cluster lag)."""
GRACE_PAUSES = (0.25, 0.5, 1.0, 1.0, 2.0)

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
    """A CipherTrust Manager API session for one module run, over one node or several."""

    def __init__(
        self,
        base_url: Union[str, Sequence[str]],
        credentials: Credentials,
        verify: Verify = True,
        request_timeout: float = 30.0,
        max_retries: int = MAX_RETRIES,
        retry_delays: Optional[Callable[[], Iterator[float]]] = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        on_retry: Optional[Callable[[str], None]] = None,
        give_up_after: Optional[float] = None,
        on_skip: Optional[Callable[[str], None]] = None,
        ca_origin: Optional[str] = None,
    ) -> None:
        if requests is None:
            raise RuntimeError("the Python library 'requests' is required")
        urls = [base_url] if isinstance(base_url, str) else list(base_url)
        self.nodes: List[Node] = [Node(url) for url in urls]
        self.node: Node = self.nodes[0]
        """The node in use: reads start there, writes go there."""
        self.credentials = credentials
        self.verify = verify
        self.ca_origin = ca_origin
        """Where ``verify``'s CA bundle was given (``ca_cert``, ``CM_CA_CERT``, ...), for a TLS error to name."""
        self.request_timeout = request_timeout
        self.max_retries = max_retries
        self.retry_delays = retry_delays or (lambda: growing_delays(0.5, 8.0))
        self.sleep = sleep
        self.clock = clock
        self.on_retry = on_retry
        self.on_skip = on_skip
        self.session = requests.Session()
        self.session.headers.update({"Accept": "application/json", "User-Agent": "ciphertrust.cckm"})
        if credentials.token:  # a ready JWT: offered to every node
            expiry = _jwt_expiry(credentials.token, clock)
            for node in self.nodes:
                node.jwt, node.jwt_expires_at = credentials.token, expiry
        self._refresh_token: Optional[str] = credentials.refresh_token
        self._refused_login: Optional[CckmError] = None
        """The answer to a password CM refused: never sent again in this run (CM locks accounts)."""
        self._written: Dict[str, float] = {}
        """Id of each job or schedule written in this run -> when (for the replication grace)."""
        self.deadline: Optional[float] = None if give_up_after is None else clock() + give_up_after
        """A ``clock()`` time after which no retry starts (``give_up_after``: a wait's own timeout)."""
        self._auth_lock = threading.RLock()  # listing pages are fetched from several threads

    @property
    def api_url(self) -> str:
        return self.node.api_url

    # -- authentication -------------------------------------------------------------------------

    def _secrets(self) -> Tuple[Optional[str], ...]:
        return self.credentials.secrets() + tuple(node.jwt for node in self.nodes) + (self._refresh_token,)

    def _fresh(self, node: Node) -> bool:
        return bool(node.jwt) and (node.jwt_expires_at is None or self.clock() < node.jwt_expires_at)

    def _token_for(self, node: Node) -> Optional[str]:
        """The JWT to send ``node``: its own while fresh, else (unless it refuses them) another node's."""
        if self._fresh(node):
            return node.jwt
        if not node.refuses_foreign:
            for other in self.nodes:
                if other is not node and self._fresh(other):
                    return other.jwt
        return None

    def authenticate(self, force: bool = False) -> None:
        """Get a JWT for the node in use unless it holds a fresh one: refresh token first, then password."""
        with self._auth_lock:
            self._authenticate(self.node, force)

    def _authenticate(self, node: Node, force: bool) -> None:
        if not force and self._token_for(node):
            return
        can_log_in = bool(self._refresh_token or self.credentials.has_password)
        if not can_log_in:
            if node.jwt and not force:
                return  # an opaque ready token: rely on the 401
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
                self._grant(node, {"grant_type": "refresh_token", "refresh_token": self._refresh_token})
                return
            except CckmError as error:
                if error.retryable or not self.credentials.has_password:
                    if not error.retryable and error.status is not None:
                        error.reword(
                            "CipherTrust Manager refused the refresh token (HTTP %s%s): it was revoked or "
                            "has expired. Give a new refresh_token (CM_REFRESH_TOKEN), or username and "
                            "password." % (error.status, error.cm_reason())
                        )
                    raise error.redact(self._secrets())
                self._refresh_token = None  # revoked: fall back to the password below
        if self._refused_login is not None:
            raise self._refused_login  # a password CM refused is never sent twice
        self._grant(
            node,
            {
                "grant_type": "password",
                "username": self.credentials.username,
                "password": self.credentials.password,
                "domain": self.credentials.domain or "",
                "auth_domain": self.credentials.auth_domain or "",
            },
        )

    def _grant(self, node: Node, body: Dict[str, Any]) -> None:
        """One login request to ``node`` (its answer's JWT is the node's own)."""
        try:
            answer = self._exchange(node, "POST", LOGIN_PATH, None, body, None)
        except CckmError as error:
            if error.status in (400, 401, 403) and body["grant_type"] == "password":
                error.reword(
                    "Login to CipherTrust Manager at %s as user %r%s failed (HTTP %s%s). Check username, "
                    "password, domain and auth_domain (CM_USERNAME, CM_PASSWORD, CM_DOMAIN, CM_AUTH_DOMAIN)."
                    % (
                        node.url,
                        self.credentials.username,
                        " in domain %r" % self.credentials.domain if self.credentials.domain else "",
                        error.status,
                        error.cm_reason(),
                    )
                )
                self._refused_login = error.redact(self._secrets())
            raise error.redact(self._secrets())
        jwt = answer.get("jwt") if isinstance(answer, dict) else None
        if not jwt:
            raise CckmError(
                "CipherTrust Manager answered the login without a 'jwt': is 'address' a CipherTrust Manager?",
                url=node.api_url + LOGIN_PATH,
            )
        duration = _number(answer.get("duration"), DEFAULT_JWT_LIFETIME)
        node.jwt = jwt
        # Renew a little early so a request is never sent with a token about to lapse.
        node.jwt_expires_at = self.clock() + duration - min(30.0, duration * 0.2)
        if body["grant_type"] == "password":
            node.logins += 1
        if answer.get("refresh_token"):
            self._refresh_token = answer["refresh_token"]

    # -- requests ---------------------------------------------------------------------------------

    def get(self, path: str, params: Optional[Dict[str, Any]] = None, check: Optional[Check] = None) -> Any:
        """GET ``/api<path>`` as JSON, logging in, retrying and moving to another node as needed.

        ``check(url, body)`` returns what the caller wants from the body, or raises a retryable
        CckmError when it is unusable (a proxy's page, a truncated answer), which is retried too.
        """
        return self._send("GET", path, params=params, check=check, retry=True)

    def post(self, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        """POST ``/api<path>`` once (see ``write``): a repeat could start a second job."""
        return self.write("POST", path, body if body is not None else {})

    def patch(self, path: str, body: Dict[str, Any]) -> Any:
        """PATCH ``/api<path>`` once (see ``write``)."""
        return self.write("PATCH", path, body)

    def delete(self, path: str) -> Any:
        """DELETE ``/api<path>`` once (see ``write``)."""
        return self.write("DELETE", path, None)

    def write(self, method: str, path: str, body: Optional[Dict[str, Any]]) -> Any:
        """Send a write once, to the node in use: it is never retried blindly.

        Only a 401 is repeated, once, after renewing the token: CM refused the request, so nothing
        happened. Any other failure, a lost answer included, goes to the caller, who must look at
        CM's state (on whichever node answers) before deciding to send it again.
        """
        answer = self._send(method, path, json_body=body, retry=False)
        if isinstance(answer, dict) and answer.get("id"):
            self.note_written(str(answer["id"]))
        return answer

    def note_written(self, object_id: str) -> None:
        """``object_id`` was just written by this run (its answer, or found after a lost answer): for a few seconds a
        node that does not know it yet is asked again rather than believed."""
        self._written[object_id] = self.clock()

    def _send(
        self,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]] = None,
        json_body: Optional[Dict[str, Any]] = None,
        retry: bool = True,
        check: Optional[Check] = None,
    ) -> Any:
        """Attempts with backoff (``retry``: GETs), each one pass over the nodes (a write: the node in use only)."""
        delays = self.retry_delays()
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._one_pass(method, path, params, json_body, retry, check)
            except CckmError as error:
                pause = next(delays)
                if error.retry_after is not None:
                    pause = min(max(pause, error.retry_after), MAX_RETRY_AFTER)
                past_deadline = self.deadline is not None and self.clock() + pause >= self.deadline
                if not (retry and error.retryable and attempt <= self.max_retries and not past_deadline):
                    if error.retryable and retry and attempt > 1:
                        error.gave_up_after(attempt)
                    raise error.redact(self._secrets())
                if self.on_retry:
                    self.on_retry(
                        "%s; retrying in %.1f s (attempt %d of %d)" % (error.message, pause, attempt + 1, self.max_retries + 1)
                    )
                self.sleep(pause)

    def _one_pass(
        self,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]],
        json_body: Optional[Dict[str, Any]],
        failover: bool,
        check: Optional[Check],
    ) -> Any:
        with self._auth_lock:
            nodes = failover_order(self.nodes, self.node, self.clock()) if failover else [self.node]
        failures: List[Tuple[Node, CckmError]] = []
        for index, node in enumerate(nodes):
            try:
                result = self._on_node(node, method, path, params, json_body, check)
            except CckmError as error:
                if len(nodes) == 1 or not moves_on(error):
                    raise
                failures.append((node, error))
                self._skipped(node, error, nodes[index + 1] if index + 1 < len(nodes) else None)
                continue  # one pass over the nodes is one attempt: the deadline is judged between attempts
            with self._auth_lock:
                self.node = node
            return result
        last = failures[-1][1]
        tried = ", ".join(node.host for node, _error in failures)
        raise last.reword("%s Every node was tried: %s." % (last.message.rstrip(".") + ".", tried))

    def _on_node(
        self,
        node: Node,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]],
        json_body: Optional[Dict[str, Any]],
        check: Optional[Check],
    ) -> Any:
        """One request to ``node`` with a JWT it takes; after a 401, one renewal on that node and the request again."""
        with self._auth_lock:
            self._authenticate(node, force=False)
            token = self._token_for(node)
        try:
            body = self._exchange(node, method, path, params, json_body, token)
        except CckmError as error:
            if error.status != 401:
                raise
            with self._auth_lock:
                if token is not None and token != node.jwt:
                    node.refuses_foreign = True  # another node's token: this node takes only its own
                if node.jwt is None or node.jwt == token:  # not renewed by another thread meanwhile
                    self._authenticate(node, force=True)
                token = node.jwt
            body = self._exchange(node, method, path, params, json_body, token)
        return check(node.api_url + path, body) if check else body

    def _skipped(self, node: Node, error: CckmError, next_node: Optional[Node]) -> None:
        with self._auth_lock:
            node.failed_at = self.clock()
            first = not node.skipped
            node.skipped = True
        if first and self.on_skip:
            self.on_skip(skipped_warning(node, error, next_node))

    def _exchange(
        self,
        node: Node,
        method: str,
        path: str,
        params: Optional[Dict[str, Any]],
        json_body: Optional[Dict[str, Any]],
        token: Optional[str],
    ) -> Any:
        """One HTTP request to one node, its answer decoded, or a CckmError."""
        url = node.api_url + path
        headers = {"Authorization": "Bearer %s" % token} if token else None
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
            raise transport_error(
                method,
                url,
                exc,
                self.request_timeout,
                ca_cert=self.verify if isinstance(self.verify, str) else None,
                ca_origin=self.ca_origin,
                # Only when no trusted CA signed CM's certificate: one unverified look names its issuer.
                presented=lambda: presented_names(node.url, self.request_timeout),
            ) from None
        return decode_answer(method, url, response)

    # -- synchronization jobs ---------------------------------------------------------------------

    def get_job(self, path: str) -> Optional[Dict[str, Any]]:
        """One raw job by its path, or None when CM answers 404."""
        return self.get_or_none(path, check=job_content)

    def get_or_none(self, path: str, check: Check) -> Optional[Dict[str, Any]]:
        """One resource (checked by ``check``, as in ``get``), or None when CM says it has none (404, or CM's 400 for
        not found). Something this run wrote a moment ago is asked again for a few seconds first: another node (or
        the node behind a load balancer) may not know it yet."""
        written = self._written.get(path.rstrip("/").rsplit("/", 1)[-1])
        pauses = iter(GRACE_PAUSES)
        while True:
            try:
                return self.get(path, check=check)
            except CckmError as error:
                if not is_not_found(error):
                    raise
            pause = next(pauses, None)
            in_grace = written is not None and self.clock() - written < WRITE_GRACE
            if pause is None or not in_grace or (self.deadline is not None and self.clock() + pause >= self.deadline):
                return None
            self.sleep(pause)

    def list_page(self, path: str, query: Dict[str, Any], skip: int, limit: int) -> Tuple[List[Dict[str, Any]], int]:
        """One listing request: the raw jobs of the page at ``skip`` and CM's ``total``."""
        return self.get(path, params=dict(query, skip=skip, limit=limit), check=page_content)

    def read_listing(
        self,
        path: str,
        query: Dict[str, Any],
        skip: int = 0,
        limit: Optional[int] = None,
        page_size: int = PAGE_SIZE,
    ) -> Tuple[List[Dict[str, Any]], int]:
        """Raw jobs matching ``query`` from ``skip`` on (all when ``limit`` is None), each once, and CM's total.

        Pages are read consistently while the list moves (see ``_cm.paging``). The jobs are CM's own
        dicts, in CM's order; ``_jobs.find_jobs`` normalizes, merges and orders them.
        """

        def fetch(offset: int, count: int) -> Tuple[List[Dict[str, Any]], int]:
            return self.list_page(path, query, offset, count)

        return read_listing(fetch, skip, limit, page_size)


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


_NOT_CM = "is 'address' a CipherTrust Manager with CCKM, reached directly rather than through a proxy that rewrites answers?"


def job_content(url: str, job: Any) -> Dict[str, Any]:
    """A job body, or a retryable CckmError when the answer is not one."""
    if not isinstance(job, dict) or "id" not in job:
        raise CckmError(
            "CipherTrust Manager answered GET %s with something that is not a job; %s" % (url, _NOT_CM), url=url, retryable=True
        )
    return job


def page_content(url: str, page: Any) -> Tuple[List[Dict[str, Any]], int]:
    """(resources, total) of a listing page, or a retryable CckmError when the answer is not one."""
    if not isinstance(page, dict) or not isinstance(page.get("resources"), list):
        raise CckmError(
            "CipherTrust Manager answered GET %s without a 'resources' list; %s" % (url, _NOT_CM), url=url, retryable=True
        )
    resources = [job for job in page["resources"] if isinstance(job, dict)]
    total = int(_number(page.get("total"), len(resources)))
    return resources, total
