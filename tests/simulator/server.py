"""The HTTPS server: auth, the CCKM job API for every family, faults, counters, control API."""

from __future__ import annotations

import base64
import collections
import json
import os
import secrets
import socket
import ssl
import struct
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import parse_qs, urlsplit

import trustme

from tests.simulator.clock import SimClock
from tests.simulator.families import FAMILIES, TARGET_LISTINGS, Family
from tests.simulator.faults import Fault
from tests.simulator.scheduler import CONFIGS, RUNS, Scheduler
from tests.simulator.store import JobStore, SimJob, iso

LOGIN_PATH = "/api/v1/auth/tokens"
DEFAULT_PAGE = 10


class Starting:
    """How CM answers starts and cancels; each undocumented answer can be played (tests set these)."""

    def __init__(self) -> None:
        self.status = 201  # the POST's answer: 200 or 201
        self.duration = 5.0  # seconds a started job runs
        self.polls: Optional[int] = None  # instead: reads of it (the start's answer included) before it ends
        self.outcome = "completed"
        self.refuse_status = 409  # a start while a job of the scope runs: 409, 400 or 422 (0: allowed)
        self.refuse_code = 9
        self.cancel_settle = 1.0  # a cancelled job stays in progress (abort: true) this long
        self.cancel_finished_status = 400  # cancelling a finished job
        self.sfdc_job_key = "organizations"  # where a Salesforce job lists its targets ("kms" in the vendor's example)
        # Unconfirmed start fields (luna, dsm, external CM): the field CM really reads, per family key, and what it
        # does with a body whose targets sit under another name: "everything" (ignores it) or "refuse" (HTTP 400).
        self.start_fields: Dict[str, str] = {}
        self.unknown_field = "everything"


# what ``sort`` can order by (every listing sorts: the vendor's CLI sends it for aws, oci and google too)
SORT_PROPERTIES = ("id", "createdAt", "updatedAt", "completed_at", "overall_status", "cloud")


def sort_rendered(jobs: List[Dict[str, Any]], sort: str) -> List[Dict[str, Any]]:
    """Jobs ordered by ``sort``: comma-separated properties, ``-`` before one for descending."""
    ordered = list(jobs)
    fields = [field.strip() for field in sort.split(",")]
    for field in reversed(fields):
        name = field.lstrip("+-")
        if name not in SORT_PROPERTIES:
            raise ValueError("cannot sort by %r; sortable properties: %s" % (name, ", ".join(SORT_PROPERTIES)))
        ordered.sort(key=lambda job: str(job.get(name) or ""), reverse=field.startswith("-"))
    return ordered


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Simulator:
    """A CipherTrust Manager stand-in on 127.0.0.1 over HTTPS.

    Use as a context manager or call start()/stop(). ``ca_file`` is the CA bundle clients verify
    with; ``address`` is ``127.0.0.1:<port>``.
    """

    def __init__(
        self,
        port: int = 0,
        username: str = "admin",
        password: Optional[str] = None,
        jwt_lifetime: float = 300.0,
        max_limit: int = 1000,
        cert_names: Optional[List[str]] = None,
        workdir: Optional[str] = None,
        domains: Optional[List[str]] = None,
        tls: bool = True,
        status_filter: str = "exact",
        target_filter: str = "listed",
        nodes: int = 1,
        jwt_keys: str = "shared",
        lag: float = 0.0,
    ) -> None:
        self.tls = tls  # False only to test that plain http:// is refused unless allowed
        if nodes < 1 or jwt_keys not in ("shared", "per_node"):
            raise ValueError("nodes must be 1 or more and jwt_keys 'shared' or 'per_node'")
        self.jwt_keys = jwt_keys
        """Whether a JWT one node issued is taken by the others (``shared``) or only by its issuer (``per_node``):
        unconfirmed for a real cluster."""
        self.lag = lag
        """Seconds a job started on one node takes to show on the others (replication lag)."""
        self.not_found_status = 404
        """What CM answers for an object it does not have: 404, or 400 (the defect KY-118691)."""
        self.unlicensed = False
        """CCKM not licensed: every CCKM endpoint answers 403, its message naming the licence."""
        self.no_keysynchronize: set = set()
        """Targets the user may not synchronize or cancel (CCKM's ACLs): a start or cancel naming one answers 403."""
        self.username = username
        self.password = password or "Sim-" + secrets.token_urlsafe(12)
        self.jwt_lifetime = jwt_lifetime
        self.max_limit = max_limit
        self.status_filter = status_filter
        """How ``overall_status`` filters: ``exact`` (one spelling) or ``lenient`` (every spelling of a status)."""
        self.target_filter = target_filter
        """What a target filter (``kms``, ``key_vaults``, ...) matches: ``listed`` (jobs that list one of the values) or
        ``with_all`` (those and every job that synchronizes everything). Unconfirmed: CM may answer either way."""
        self.domains = set(domains or ["", "root"])
        self.clock = SimClock()
        self.store = JobStore()
        self.lock = threading.Lock()
        self.faults: List[Fault] = []
        self.jwts: Dict[str, float] = {}
        self.jwt_issuers: Dict[str, int] = {}
        """JWT -> the node that issued it (with per-node keys, only that node takes it)."""
        self.refresh_tokens: Dict[str, str] = {}
        self.issued_jwts: List[str] = []
        self.issued_refresh_tokens: List[str] = []
        self.counters: collections.Counter = collections.Counter()
        self.requests_log: List[Dict[str, Any]] = []
        self.page_hook = None  # callable(path, skip) run before each listing page (tests move data between pages)
        self.starting = Starting()
        self.start_bodies: List[Dict[str, Any]] = []  # every start request's path and body, in order
        self.targets: Dict[str, List[Dict[str, Any]]] = {path: [] for path in TARGET_LISTINGS}
        """Listing path -> the resources CM lists there (KMS accounts, vaults, ...), oldest first."""
        self.forbidden_listings: set = set()
        """Target listing paths answered 403 (a user whose role may not read them)."""
        self.scheduler = Scheduler(start_job=self._scheduled_job, running_job=self._running_job, clock=self.clock)
        self._tmp = tempfile.TemporaryDirectory(prefix="cm-sim-", dir=workdir)
        self.ca = trustme.CA()
        self.cert = self.ca.issue_cert(*(cert_names or ["127.0.0.1", "localhost"]))
        self.ca_file = os.path.join(self._tmp.name, "ca.pem")
        self.ca.cert_pem.write_to_path(self.ca_file)
        self.ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.cert.configure_cert(self.ssl_context)
        self.listeners: List[_Listener] = [_Listener(self, node, port if node == 0 else 0) for node in range(nodes)]
        """One HTTPS listener a node of the cluster (node 0 is ``address``)."""
        self.balancer: Optional[_Listener] = None
        """A load balancer's address that spreads requests over the nodes that are up (``start_balancer``)."""
        self._spread = 0

    # -- life cycle -------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.listeners[0].port

    @property
    def address(self) -> str:
        return "127.0.0.1:%d" % self.port

    @property
    def addresses(self) -> List[str]:
        """Every node's address, node 0 first."""
        return ["127.0.0.1:%d" % listener.port for listener in self.listeners]

    @property
    def connections(self) -> set:
        return set().union(*(listener.connections for listener in self.listeners))

    def start(self) -> Simulator:
        for listener in self.listeners:
            listener.start()
        self._ticking = threading.Event()
        threading.Thread(target=self._tick, args=(self._ticking,), daemon=True).start()
        return self

    def _tick(self, stopped: threading.Event) -> None:
        """The scheduler's clock: due configs run (when ``scheduler.settings.fire`` is on)."""
        while not stopped.wait(0.5):
            self.scheduler.tick(self.clock())

    def stop(self) -> None:
        """Stop listening and close every open connection (kept-alive ones too, as a restart does)."""
        if getattr(self, "_ticking", None) is not None:
            self._ticking.set()
        for listener in self.listeners + ([self.balancer] if self.balancer else []):
            listener.stop()

    def close(self) -> None:
        self.stop()
        self._tmp.cleanup()

    def restart(self, downtime: float, node: int = 0) -> threading.Thread:
        """A node stops listening for ``downtime`` seconds (connections are refused), then listens on the same port."""
        self.stop_node(node)

        def back():
            time.sleep(downtime)
            self.start_node(node)

        thread = threading.Thread(target=back, daemon=True)
        thread.start()
        return thread

    def stop_node(self, node: int) -> None:
        """Node ``node`` goes down: it stops listening and drops its connections."""
        self.listeners[node].stop()

    def start_node(self, node: int) -> None:
        """Node ``node`` comes back on its port."""
        self.listeners[node].start()

    def node_up(self, node: int) -> bool:
        return self.listeners[node].httpd is not None

    def start_balancer(self) -> str:
        """Listen as a load balancer in front of the nodes (each request to a node that is up, in turn); its address."""
        if self.balancer is None:
            self.balancer = _Listener(self, None, 0)
            self.balancer.start()
        return "127.0.0.1:%d" % self.balancer.port

    def spread_to(self) -> Optional[int]:
        """The node the load balancer hands the next request to, or None when every node is down."""
        up = [node for node in range(len(self.listeners)) if self.node_up(node)]
        with self.lock:
            self._spread += 1
            return up[self._spread % len(up)] if up else None

    def __enter__(self) -> Simulator:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- test controls ----------------------------------------------------------------------------

    def reset(self) -> None:
        """Forget jobs, faults, counters and tokens (the CA and port stay)."""
        with self.lock:
            self.store.clear()
            self.faults.clear()
            self.counters.clear()
            self.requests_log.clear()
            self.jwts.clear()
            self.jwt_issuers.clear()
            self.refresh_tokens.clear()
            self.page_hook = None
            self.not_found_status = 404
            self.unlicensed = False
            self.no_keysynchronize = set()
            self.status_filter = "exact"
            self.target_filter = "listed"
            self.starting = Starting()
            self.start_bodies.clear()
            self.targets = {path: [] for path in TARGET_LISTINGS}
            self.forbidden_listings = set()
        self.scheduler.clear()
        self.clock.reset()

    def advance(self, seconds: float) -> None:
        """Let ``seconds`` of the simulator's time pass at once: jobs end, schedules come due (and run if firing)."""
        self.scheduler.tick(self.clock.advance(seconds))

    def inject(self, kind: str, **kwargs: Any) -> Fault:
        fault = Fault(kind, **kwargs)
        with self.lock:
            self.faults.append(fault)
        return fault

    def _new_job(self, family: Family, **kwargs: Any) -> SimJob:
        """A job created now in the simulator's time, unless ``created`` says when."""
        kwargs.setdefault("created", self.clock())
        return SimJob(family, **kwargs)

    def add_job(self, cloud: str, scope: str = "keys", **kwargs: Any) -> SimJob:
        return self.store.add(self._new_job(FAMILIES[(cloud, scope)], **kwargs))

    def add_jobs(self, cloud: str, count: int, scope: str = "keys", **kwargs: Any) -> List[SimJob]:
        """``count`` jobs at once (one sort instead of one per job: 10,000 jobs in a blink)."""
        family = FAMILIES[(cloud, scope)]
        return self.store.add_many([self._new_job(family, **kwargs) for _job in range(count)])

    def add_many(self, cloud: str, scope: str, specs: List[Dict[str, Any]]) -> List[SimJob]:
        """Jobs of one scope at once, one ``add_job`` keyword set each (one merge, not one a job: an enterprise's
        history in seconds)."""
        family = FAMILIES[(cloud, scope)]
        return self.store.add_many([self._new_job(family, **spec) for spec in specs], now=self.clock())

    def add_target(self, cloud: str, name: str, scope: str = "keys", **fields: Any) -> Dict[str, Any]:
        """A resource in the cloud's target listing, with the fields the vendor's Terraform provider reads.

        Every resource has ``id``, ``name``, ``createdAt`` and ``updatedAt``; AWS KMS accounts also
        ``account_id``, ``regions`` and ``status`` (``active`` or ``archived``); Azure vaults a
        ``subscription_id`` and ``azure_vault_id``. ``fields`` add to or replace them.
        """
        family = FAMILIES[(cloud, scope)]
        now = iso(self.clock())
        resource: Dict[str, Any] = {"id": str(uuid.uuid4()), "name": name, "createdAt": now, "updatedAt": now}
        if family.targets_path.endswith("/aws/kms"):
            resource.update(account_id="123456789012", regions=["us-east-1", "us-west-2"], status="active")
        if cloud == "azure":
            resource.update(subscription_id="12e533dd-b5c2-4e58-a264-0cd812dc5a34", azure_vault_id="/vaults/" + name)
        resource.update(fields)
        with self.lock:
            self.targets[family.targets_path].append(resource)
        return resource

    def started_job(
        self, family: Family, targets: List[str], fields: Optional[Dict[str, Any]] = None, origin: Optional[int] = None
    ) -> SimJob:
        """The job a start or a scheduled run begins, running as ``starting`` says."""
        starting = self.starting
        job = self._new_job(
            family,
            filter_values=targets,
            duration=starting.duration,
            polls=starting.polls,
            outcome=starting.outcome,
            fields=fields,
            target_key=starting.sfdc_job_key if family.cloud == "sfdc" else family.job_key,
            origin=origin,
        )
        return self.store.add(job)

    def _scheduled_job(self, cloud: str, targets: List[str]) -> SimJob:
        """The keys synchronization a scheduled run (run-now) starts."""
        return self.started_job(FAMILIES[(cloud, "keys")], targets)

    def _running_job(self, cloud: str) -> Optional[SimJob]:
        now = self.clock()
        running = [job for job in self.store.query(FAMILIES[(cloud, "keys")].path, {}, now) if not job.finished(now)]
        return running[0] if running else None

    def requests_seen(self) -> List[Dict[str, Any]]:
        """Every request since the last reset: ``{"time", "method", "path"}``, in arrival order."""
        with self.lock:
            return list(self.requests_log)

    def revoke_refresh_tokens(self) -> None:
        with self.lock:
            self.refresh_tokens.clear()

    def expire_jwts(self) -> None:
        with self.lock:
            for jwt in self.jwts:
                self.jwts[jwt] = 0.0

    def stats(self) -> Dict[str, Any]:
        with self.lock:
            return dict(self.counters)

    def secrets_issued(self) -> List[str]:
        """Every secret a leak scan must not find: the password, refresh tokens and JWTs handed out."""
        with self.lock:
            return [self.password] + list(self.issued_refresh_tokens) + list(self.issued_jwts)

    # -- used by the handler ----------------------------------------------------------------------

    def take_fault(self, kind: str, node: int = 0) -> Optional[Fault]:
        with self.lock:
            for fault in self.faults:
                if fault.applies(kind) and fault.node in (None, node):
                    if fault.after > 0:
                        fault.after -= 1
                        continue
                    fault.count -= 1
                    return fault
        return None

    def log_request(self, method: str, path: str, node: int = 0) -> None:
        with self.lock:
            self.requests_log.append({"time": time.time(), "method": method, "path": path, "node": node})

    def count(self, *names: str) -> None:
        with self.lock:
            for name in names:
                self.counters[name] += 1

    def issue_tokens(self, username: str, with_refresh: bool, node: int = 0) -> Dict[str, Any]:
        now = time.time()
        header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
        claims = {
            "sub": "local|" + username,
            "iss": "kylo",
            "preferred_username": username,
            "jwtid": str(uuid.uuid4()),
            "iat": int(now),
            "exp": int(now + self.jwt_lifetime),
        }
        jwt = "%s.%s.%s" % (header, _b64(json.dumps(claims).encode()), _b64(secrets.token_bytes(24)))
        answer: Dict[str, Any] = {
            "jwt": jwt,
            "duration": self.jwt_lifetime,
            "token_type": "Bearer",
            "client_id": str(uuid.uuid4()),
        }
        with self.lock:
            self.jwts[jwt] = now + self.jwt_lifetime
            self.jwt_issuers[jwt] = node
            self.issued_jwts.append(jwt)
            if with_refresh:
                refresh = secrets.token_urlsafe(32)
                self.refresh_tokens[refresh] = username
                self.issued_refresh_tokens.append(refresh)
                answer["refresh_token"] = refresh
                answer["refresh_token_id"] = str(uuid.uuid4())
        return answer

    def jwt_valid(self, jwt: str, node: int = 0) -> bool:
        """A JWT is valid until it expires, on the node that issued it, and on every node with shared keys."""
        with self.lock:
            signed_here = self.jwt_keys == "shared" or self.jwt_issuers.get(jwt) == node
            return signed_here and self.jwts.get(jwt, 0.0) > time.time()


class _Listener:
    """One HTTPS listener over the simulator's one store: a node of the cluster, or (``node`` None) a load balancer."""

    def __init__(self, sim: Simulator, node: Optional[int], port: int) -> None:
        self.sim = sim
        self.node = node
        self.port = port
        self.httpd: Optional[ThreadingHTTPServer] = None
        self.connections: set = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        if self.httpd is not None:
            return
        simulator, listener = self.sim, self

        class Handler(_Handler):
            sim = simulator
            node_index = listener.node
            owner = listener

        class Server(ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True
            request_queue_size = 128

            def get_request(self):
                conn, addr = self.socket.accept()
                if not simulator.tls:
                    return conn, addr
                return simulator.ssl_context.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), addr

        self.httpd = Server(("127.0.0.1", self.port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self) -> None:
        """Stop listening and close every open connection (kept-alive ones too, as a restart does)."""
        httpd, self.httpd = self.httpd, None
        if httpd:
            httpd.shutdown()
            httpd.server_close()
        with self.lock:
            open_connections = list(self.connections)
            self.connections.clear()
        for connection in open_connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _error_body(code: int, code_desc: str, message: str) -> Dict[str, Any]:
    return {"code": code, "codeDesc": code_desc, "message": message, "requestID": str(uuid.uuid4())}


class _Handler(BaseHTTPRequestHandler):
    sim: Simulator
    node_index: Optional[int]
    """The node this listener is; None for the load balancer, which picks one a request."""
    owner: _Listener
    node = 0
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each small answer waits ~40 ms for the client's delayed ACK
    server_version = "CipherTrustManagerSimulator/1.0"

    def log_message(self, *args: Any) -> None:  # quiet: tests read counters, not logs
        pass

    def setup(self) -> None:
        super().setup()
        with self.owner.lock:
            self.owner.connections.add(self.connection)
        self.handshake_failed = False
        if not self.sim.tls:
            return
        if self.sim.take_fault("handshake", self.node_index or 0) is not None:
            self.sim.count("fault_tls_eof")
            self.handshake_failed = True
            self.close_connection = True
            self.connection.close()
            return
        try:
            self.connection.do_handshake()
        except (ssl.SSLError, OSError):  # a client that does not trust our CA hangs up here
            self.handshake_failed = True
            self.close_connection = True

    def handle(self) -> None:
        if self.handshake_failed:
            return
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, OSError):
            pass

    def finish(self) -> None:
        with self.owner.lock:
            self.owner.connections.discard(self.connection)
        try:
            super().finish()
        except (ssl.SSLError, ConnectionError, OSError, ValueError):
            pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # -- plumbing ---------------------------------------------------------------------------------

    def _send(
        self, status: int, body: Any, content_type: str = "application/json", headers: Optional[Dict[str, str]] = None
    ) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def _read_json(self) -> Any:
        """The request's JSON body (read once, before any answer), ``{}`` when empty, None when not JSON."""
        return self.body

    def _take_body(self) -> Any:
        # Read the whole body before answering, even a 401: bytes left unread would be taken as
        # the start of the next request on this kept-alive connection.
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw) if raw else {}
        except ValueError:
            return None

    def _apply_fault(self, request_kind: str, act: Any = None) -> bool:
        """Misbehave if a fault matches; True when the request was consumed by it.

        ``act`` answers the request: a fault with ``acts_first`` runs it (CM does the work) and then
        loses the answer, as a connection dropped after CM acted does.
        """
        fault = self.sim.take_fault(request_kind, self.node)
        if fault is None:
            return False
        self.sim.count("fault_" + fault.kind)
        if fault.acts_first and act is not None:
            self.wfile = _Sink()
            act()
        return _FAULT_ACTIONS[fault.kind](self, fault)

    # Each fault action returns True when it answered (or hung up), False to let the request go on.

    def _fault_expire_tokens(self, fault: Fault) -> bool:  # CM forgets every JWT: this request gets a 401
        self.sim.expire_jwts()
        return False

    def _fault_revoke_tokens(self, fault: Fault) -> bool:  # ...and every refresh token (an administrator revoked them)
        self.sim.revoke_refresh_tokens()
        self.sim.expire_jwts()
        return False

    def _fault_slow(self, fault: Fault) -> bool:
        time.sleep(fault.delay)
        return False

    def _fault_stall(self, fault: Fault) -> bool:
        time.sleep(fault.delay)
        return self._fault_hang_up(fault)

    def _fault_hang_up(self, fault: Fault) -> bool:
        if fault.kind == "outage":
            threading.Thread(target=self.sim.restart, args=(fault.downtime, self.node), daemon=True).start()
        if fault.kind == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        try:
            self.connection.close()
        except OSError:
            pass
        self.wfile = _Sink()
        return True

    def _fault_status(self, fault: Fault) -> bool:
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
        self._send(
            fault.status, _error_body(14, "NCERRServiceUnavailable", "Simulated failure %d" % fault.status), headers=headers
        )
        return True

    def _fault_html(self, fault: Fault) -> bool:
        page = b"<html><head><title>%d</title></head><body><h1>Bad Gateway</h1></body></html>" % fault.status
        self._send(fault.status, page, content_type="text/html")
        return True

    def _fault_invalid_json(self, fault: Fault) -> bool:
        self._send(200, b'{"skip": 0, "limit": 10, "total": 1, "resources": [', content_type="application/json")
        return True

    def _fault_no_resources(self, fault: Fault) -> bool:
        self._send(200, {"skip": 0, "limit": 10, "total": 0})
        return True

    def _dispatch(self, method: str) -> None:
        url = urlsplit(self.path)
        path = url.path.rstrip("/")
        query = parse_qs(url.query, keep_blank_values=True)
        self.body = self._take_body()
        node = self.node_index if self.node_index is not None else self.sim.spread_to()
        if node is None:  # a load balancer with no node up: a proxy's 503
            return self._send(503, b"<html><body>503 no backend</body></html>", content_type="text/html")
        self.node = node
        self.sim.count("requests", "requests:node%d" % node)
        self.sim.log_request(method, path, node)
        if path.startswith("/_sim"):
            return self._control(method, path, query)
        if path == LOGIN_PATH and method == "POST":
            if self._apply_fault("login"):
                return
            return self._login()
        scheduled = _scheduler_route(path)
        if scheduled:
            listing = method == "GET" and scheduled[0] in ("configs", "runs")
            kind = "list" if listing else "get" if method == "GET" else "other"
            if self._apply_fault(kind, act=lambda: self._answer_scheduler(method, path, scheduled, query)):
                return
            return self._answer_scheduler(method, path, scheduled, query)
        if path in TARGET_LISTINGS and method == "GET":
            if self._apply_fault("list", act=lambda: self._list_targets(path, query)):
                return
            return self._list_targets(path, query)
        route = _route(path)
        target = route[2] if route else None
        request_kind = "list" if method == "GET" and target == "list" else "get" if method == "GET" and route else "other"
        if self._apply_fault(request_kind, act=lambda: self._answer(method, route, query)):
            return
        self._answer(method, route, query)

    def _authorized(self) -> bool:
        """Whether the request carries a valid JWT; if not, it has been answered 401."""
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or not self.sim.jwt_valid(auth[7:], self.node):
            self.sim.count("unauthorized")
            self._send(401, _error_body(5, "NCERRUnauthorizedAccess", "Token is expired or invalid"))
            return False
        return True

    def _answer_scheduler(self, method: str, path: str, route: Tuple[str, Optional[str]], query: Dict[str, List[str]]) -> None:
        if not self._authorized():
            return None
        target, config_id = route
        scheduler = self.sim.scheduler
        self.sim.count("scheduler:%s %s" % (method, target))
        if (method, target) == ("GET", "configs"):
            return self._paged(scheduler.list_configs(query), query)
        if (method, target) == ("GET", "runs"):
            return self._paged(scheduler.list_runs(query), query)
        if (method, target) == ("POST", "configs"):
            status, body = scheduler.create(path, self.body)
        elif (method, target) == ("GET", "config"):
            status, body = scheduler.get(config_id)
        elif (method, target) == ("PATCH", "config"):
            status, body = scheduler.patch(path, config_id, self.body)
        elif (method, target) == ("DELETE", "config"):
            status, body = scheduler.delete(path, config_id)
        elif (method, target) == ("POST", "run-now"):
            status, body = scheduler.run_now(path, config_id)
        else:
            status, body = 405, _error_body(3, "NCERRMethodNotAllowed", "Method not allowed")
        return self._send(status, body)

    def _page_bounds(self, query: Dict[str, List[str]]) -> Optional[Tuple[int, int]]:
        """(skip, limit) of a listing request as CM serves it (default page 10, capped), or None once answered 400."""
        try:
            skip = int(query.get("skip", ["0"])[0])
            limit = int(query.get("limit", [str(DEFAULT_PAGE)])[0])
        except ValueError:
            self._send(400, _error_body(7, "NCERRInvalidParamValue", "skip and limit must be integers"))
            return None
        if skip < 0 or limit < 0:
            self._send(400, _error_body(7, "NCERRInvalidParamValue", "skip and limit must not be negative"))
            return None
        return skip, min(limit or DEFAULT_PAGE, self.sim.max_limit)

    def _paged(self, items: List[Dict[str, Any]], query: Dict[str, List[str]]) -> None:
        bounds = self._page_bounds(query)
        if bounds is None:
            return None
        skip, limit = bounds
        return self._send(200, {"skip": skip, "limit": limit, "total": len(items), "resources": items[skip : skip + limit]})

    def _unlicensed(self) -> bool:
        """Whether the request was answered with CM's 403 for a CCKM without a licence."""
        if not self.sim.unlicensed:
            return False
        self.sim.count("unlicensed")
        self._send(403, _error_body(15, "NCERRForbidden", "CCKM License is not available. Please install a valid License"))
        return True

    def _answer(self, method: str, route: Any, query: Dict[str, List[str]]) -> None:
        if not self._authorized() or self._unlicensed():
            return None
        if route is None:
            return self._send(404, _error_body(4, "NCERRResourceNotFound", "Resource not found"))
        family, job_id, target = route
        action = _API_ACTIONS.get((method, target))
        if action is None:
            return self._send(405, _error_body(3, "NCERRMethodNotAllowed", "Method not allowed"))
        return action(self, family, job_id, query)

    def _forbidden(self) -> None:
        self.sim.count("forbidden")
        return self._send(403, _error_body(11, "NCERRForbidden", "User is not authorized to perform this operation"))

    def _not_found(self, message: str) -> None:
        """CM's answer for an object it does not have: a 404, or a 400 with the same words (KY-118691)."""
        status = self.sim.not_found_status
        return self._send(status, _error_body(4 if status == 404 else 7, "NCERRResourceNotFound", message))

    # -- API --------------------------------------------------------------------------------------

    def _login(self) -> None:
        body = self._read_json()
        self.sim.count("login_attempts")
        if not isinstance(body, dict):
            return self._send(400, _error_body(7, "NCERRInvalidParamValue", "Invalid JSON body"))
        grant = body.get("grant_type")
        if grant == "password":
            domain_ok = str(body.get("domain") or "") in self.sim.domains
            if body.get("username") != self.sim.username or body.get("password") != self.sim.password or not domain_ok:
                self.sim.count("login_failures")
                return self._send(401, _error_body(5, "NCERRUnauthorizedAccess", "Invalid username or password"))
            self.sim.count("logins", "logins:node%d" % self.node)
            return self._send(200, self.sim.issue_tokens(body["username"], with_refresh=True, node=self.node))
        if grant == "refresh_token":
            with self.sim.lock:
                username = self.sim.refresh_tokens.get(str(body.get("refresh_token")))
            if username is None:
                self.sim.count("refresh_failures")
                return self._send(401, _error_body(5, "NCERRUnauthorizedAccess", "Invalid refresh token"))
            self.sim.count("refreshes", "refreshes:node%d" % self.node)
            return self._send(200, self.sim.issue_tokens(username, with_refresh=False, node=self.node))
        return self._send(400, _error_body(7, "NCERRInvalidParamValue", "grant_type must be password or refresh_token"))

    def _list(self, family: Family, _job_id: None, query: Dict[str, List[str]]) -> None:
        bounds = self._page_bounds(query)
        if bounds is None:
            return None
        skip, limit = bounds
        if self.sim.page_hook:
            self.sim.page_hook(family.path, skip)
        self.sim.count("list", "list:" + family.key)
        now = self.sim.clock()
        jobs = self.sim.store.query(
            family.path,
            query,
            now,
            viewer=self.node,
            lag=self.sim.lag,
            lenient_status=self.sim.status_filter == "lenient",
            targets_match_all=self.sim.target_filter == "with_all",
        )
        if "sort" in query:
            rendered = [job.render(now) for job in jobs]
            try:
                ordered = sort_rendered(rendered, query["sort"][0])
            except ValueError as error:
                return self._send(400, _error_body(7, "NCERRInvalidParamValue", str(error)))
            return self._send(200, {"skip": skip, "limit": limit, "total": len(jobs), "resources": ordered[skip : skip + limit]})
        page = [job.render(now) for job in jobs[skip : skip + limit]]
        self._send(200, {"skip": skip, "limit": limit, "total": len(jobs), "resources": page})

    def _list_targets(self, path: str, query: Dict[str, List[str]]) -> None:
        if not self._authorized() or self._unlicensed():
            return None
        self.sim.count("list_targets", "list_targets:" + path)
        if path in self.sim.forbidden_listings:
            return self._send(403, _error_body(11, "NCERRForbidden", "User is not authorized to perform this operation"))
        with self.sim.lock:
            resources = list(reversed(self.sim.targets[path]))  # newest first, as CM lists
        return self._paged(resources, query)

    def _get(self, family: Family, job_id: str, _query: Any) -> None:
        self.sim.count("get", "get:" + family.key)
        job = self.sim.store.get(family.path, job_id, viewer=self.node, lag=self.sim.lag)
        if job is None:
            return self._not_found("Synchronization job %s not found" % job_id)
        self._send(200, job.render(self.sim.clock()))

    def _start(self, family: Family, _job_id: None, _query: Any) -> None:
        """Start a job as CM does: refused while one runs in the scope, else running ``start_duration`` seconds."""
        body = self.body if isinstance(self.body, dict) else {}
        starting = self.sim.starting
        now = self.sim.clock()
        with self.sim.lock:
            self.sim.start_bodies.append({"path": family.path, "body": body})
        self.sim.count("start_requests")
        running = [job for job in self.sim.store.query(family.path, {}, now) if not job.finished(now)]
        if running and starting.refuse_status:
            self.sim.count("start_refused")
            message = "Synchronization job %s is already in progress; try again once it has finished" % running[0].id
            return self._send(starting.refuse_status, _error_body(starting.refuse_code, "NCERRConflict", message))
        field = starting.start_fields.get(family.key, family.start_field)
        stray = [key for key in body if key not in (field, "regions", "synchronize_all", "take_cloud_key_backup")]
        if stray and starting.unknown_field == "refuse":
            self.sim.count("start_refused")
            return self._send(400, _error_body(7, "NCERRInvalidParamValue", "Unknown field %s" % ", ".join(stray)))
        targets = body.get(field) or []
        if set(targets) & self.sim.no_keysynchronize or (not targets and self.sim.no_keysynchronize):
            return self._forbidden()
        fields = {key: body[key] for key in ("regions", "synchronize_all", "take_cloud_key_backup") if key in body}
        job = self.sim.started_job(family, targets, fields, origin=self.node)
        self.sim.count("start")
        self._send(starting.status, job.render(self.sim.clock()))

    def _cancel(self, family: Family, job_id: str, _query: Any) -> None:
        self.sim.count("cancel_requests")
        job = self.sim.store.get(family.path, job_id, viewer=self.node, lag=self.sim.lag)
        now = self.sim.clock()
        if job is None:
            return self._not_found("Synchronization job %s not found" % job_id)
        if set(job.filter_values) & self.sim.no_keysynchronize or (not job.filter_values and self.sim.no_keysynchronize):
            return self._forbidden()
        if job.finished(now):
            message = "Synchronization job %s is not in progress and cannot be cancelled" % job_id
            return self._send(self.sim.starting.cancel_finished_status, _error_body(7, "NCERRInvalidParamValue", message))
        job.cancel(now, settle=self.sim.starting.cancel_settle)
        self.sim.count("cancel")
        self._send(200, job.render(self.sim.clock()))

    # -- control API for standalone use (benchmarks, demo) ----------------------------------------

    def _control(self, method: str, path: str, query: Dict[str, List[str]]) -> None:
        body = self._read_json() if method == "POST" else None
        if path == "/_sim/stats":
            return self._send(200, self.sim.stats())
        if path == "/_sim/reset" and method == "POST":
            self.sim.reset()
            return self._send(200, {"reset": True})
        if path == "/_sim/jobs" and method == "POST":
            specs = body if isinstance(body, list) else [body]
            made = []
            for spec in specs:
                spec = dict(spec)
                count = int(spec.pop("count", 1))
                for _copy in range(count):
                    made.append(self.sim.add_job(**spec).id)
            return self._send(200, {"ids": made})
        if path == "/_sim/advance" and method == "POST":
            try:
                self.sim.advance(float((body or {}).get("seconds", 0)))
            except (TypeError, ValueError) as error:
                return self._send(400, {"message": "time not advanced: %s" % error})
            return self._send(200, {"now": self.sim.clock()})
        if path == "/_sim/faults" and method == "POST":
            try:
                self.sim.inject(**body)
            except (TypeError, ValueError) as error:
                return self._send(400, {"message": "fault not injected: %s" % error})
            return self._send(200, {"injected": True})
        return self._send(404, {"message": "unknown control path"})


class _Sink:
    """Where answers go once a fault has closed the connection."""

    closed = True

    def write(self, data: bytes) -> int:
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _scheduler_route(path: str) -> Optional[Tuple[str, Optional[str]]]:
    """(target, config id) for a scheduler path: ``configs``, ``config``, ``run-now`` or ``runs``; None for others."""
    if path == RUNS:
        return "runs", None
    if path == CONFIGS:
        return "configs", None
    if path.startswith(CONFIGS + "/"):
        rest = path[len(CONFIGS) + 1 :].split("/")
        if len(rest) == 1:
            return "config", rest[0]
        if len(rest) == 2 and rest[1] == "run-now":
            return "run-now", rest[0]
    return None


def _route(path: str) -> Optional[Tuple[Family, Optional[str], str]]:
    """(family, job id or None, target) for an API path: target ``list``, ``job`` or the action (``cancel``)."""
    for family in FAMILIES.values():
        if path == family.path:
            return family, None, "list"
        if path.startswith(family.path + "/"):
            rest = path[len(family.path) + 1 :].split("/")
            if len(rest) == 1:
                return family, rest[0], "job"
            if len(rest) == 2:
                return family, rest[0], rest[1]
    return None


_FAULT_ACTIONS = {
    "stall": _Handler._fault_stall,
    "expire_tokens": _Handler._fault_expire_tokens,
    "revoke_tokens": _Handler._fault_revoke_tokens,
    "slow": _Handler._fault_slow,
    "reset": _Handler._fault_hang_up,
    "drop": _Handler._fault_hang_up,
    "outage": _Handler._fault_hang_up,
    "status": _Handler._fault_status,
    "html": _Handler._fault_html,
    "invalid_json": _Handler._fault_invalid_json,
    "no_resources": _Handler._fault_no_resources,
}
"""Fault kind -> what the handler does (tls_eof happens in ``setup``, before there is a request)."""

_API_ACTIONS = {
    ("GET", "list"): _Handler._list,
    ("GET", "job"): _Handler._get,
    ("POST", "list"): _Handler._start,
    ("POST", "cancel"): _Handler._cancel,
}
"""(method, target) -> the CM API call that answers it."""
