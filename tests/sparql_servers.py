"""Real SPARQL 1.1 servers for the tests: Oxigraph server and Virtuoso 7.

The SPARQL server backend talks plain HTTP (SPARQL 1.1 Query, Update and the
Graph Store Protocol) to a server the service does not own, so its tests run
against real servers rather than a stand-in: each start here launches one
server process on free loopback ports with its data in a directory of the
caller's (a pytest ``tmp_path``), waits until it answers, and hands back what a
client needs to reach it. Starting the same directory again reopens the same
data (for restart and crash tests).

Two servers because they differ where it matters to the backend (see the notes
on :class:`SparqlServer`): Oxigraph is close to the standard; Virtuoso 7.2 is
what many deployments run and has its own rules (authenticated updates, system
graphs, no atomic update requests, silent result truncation).

Only the standard library is used, so this module works before the project's
own HTTP client is importable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Literal

__all__ = [
    "VIRTUOSO_SYSTEM_GRAPHS",
    "RunningServer",
    "ServerStartError",
    "SparqlServer",
    "available",
    "free_ports",
    "oxigraph_binary",
    "start_oxigraph",
    "start_virtuoso",
]

#: Graphs a fresh Virtuoso 7.2 database holds for itself. They show up in
#: ``GRAPH ?g { ?s ?p ?o }`` and (about 2,500 triples) in every query over the
#: union default graph, so the service must leave them out of its listings.
VIRTUOSO_SYSTEM_GRAPHS: tuple[str, ...] = (
    "http://www.openlinksw.com/schemas/virtrdf#",
    "http://www.w3.org/ns/ldp#",
    "http://localuriqaserver/sparql",
)

_VIRTUOSO_BINARY = "virtuoso-t"  # Debian: /usr/bin/virtuoso-t (package virtuoso-opensource-7-bin)
_VIRTUOSO_ISQL = "isql-vt"  # Debian's name for Virtuoso's isql (same package)
_LOG_TAIL_LINES = 40


class ServerStartError(RuntimeError):
    """A server did not come up in time, or exited while starting."""


@dataclass(frozen=True)
class SparqlServer:
    """How to reach one running server, and what to expect from it.

    The URLs are what the backend's settings take. The remaining fields record
    behaviour observed on the real servers (Virtuoso 7.2.5 from Debian 12,
    Oxigraph 0.5.13) so that tests can assert per server instead of testing
    names.
    """

    name: Literal["oxigraph", "virtuoso"]
    query_url: str
    update_url: str
    #: Graph Store Protocol endpoint (``?graph=IRI``), or None when the server has none.
    graph_store_url: str | None
    user: str | None = None
    password: str | None = None
    auth: Literal["basic", "digest"] | None = None
    #: Where the server listens, e.g. ``http://127.0.0.1:40123``.
    base_url: str = ""
    #: Graphs of the server's own, to leave out of listings and counts.
    ignored_graphs: tuple[str, ...] = ()
    #: A query without GRAPH sees the union of all graphs (both servers as started here).
    union_default_graph: bool = True
    #: The server has a real default graph (INSERT DATA without GRAPH, CLEAR DEFAULT,
    #: GSP ``?default``). Virtuoso has none: those are compile errors there.
    has_default_graph: bool = True
    #: It takes USING / USING NAMED in an update's text. Oxigraph, started here with
    #: --union-default-graph, refuses them ("using-union-graph must not be used with a
    #: SPARQL UPDATE containing USING", and the same for WITH) but takes the protocol's
    #: using-graph-uri / using-named-graph-uri, which the service then sends instead.
    update_using_clauses: bool = True
    #: A multi-operation update request is all-or-nothing. On Virtuoso the operations
    #: before one that fails at run time stay applied (a parse error still rejects all).
    atomic_updates: bool = True
    #: Rows (SELECT) or triples (CONSTRUCT, GSP GET) after which the server silently cuts
    #: an answer off, or None. Virtuoso's SELECT answers then carry ``X-SPARQL-MaxRows``;
    #: its CONSTRUCT and GSP answers carry nothing.
    max_rows: int | None = None
    #: Server-side limit on a query's execution time in seconds, or None for none.
    query_timeout_s: float | None = None
    # What its SPARQL engine does with a researcher's query or update, which the
    # service passes on as written (README: "Running on a SPARQL server"):
    #: Its parser errors give a column as well as a line (Virtuoso: "line 3:" only).
    parser_columns: bool = True
    #: It implements BNODE() (Virtuoso 7.2: "Built-in function is not implemented").
    bnode_function: bool = True
    #: Its query user may call SERVICE (Virtuoso's needs SPARQL_SINV grants).
    service_calls: bool = True
    #: Its parser refuses some queries the service's shape limits let through (Virtuoso:
    #: group braces nested past about 60, "Curly brace is nested too deep"; a sum of
    #: 1,000 terms, "Too many opened parentheses").
    shallower_parser: bool = False
    #: Most statements one INSERT DATA may carry, or None (Virtuoso: about 1,000).
    max_insert_data: int | None = None
    #: It refuses a query whose estimated cost passes a limit before running it
    #: (Virtuoso's MaxQueryCostEstimationTime), so a cross product fails at once.
    refuses_costly_queries: bool = False


@dataclass
class RunningServer:
    """A started server process; ``stop()`` (or leaving the ``with`` block) ends it."""

    server: SparqlServer
    process: subprocess.Popen[bytes]
    directory: Path
    log_paths: tuple[Path, ...]
    _log_files: list[IO[bytes]] = field(default_factory=list, repr=False)

    def __enter__(self) -> RunningServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 30.0) -> None:
        """SIGTERM, then SIGKILL if the server has not exited after ``timeout`` seconds.

        On SIGTERM Virtuoso does a "quick shutdown" (0.1 s here, even during a long
        query) and removes its lock file; Oxigraph exits at once. Either directory
        can then be started again. Both servers also keep every acknowledged write
        through a SIGKILL (checked: :meth:`kill`, restart, the triple is there).
        Safe to call twice.
        """
        try:
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=timeout)
        finally:
            for handle in self._log_files:
                handle.close()
            self._log_files.clear()

    def kill(self) -> None:
        """SIGKILL without a shutdown, as a crash would (for recovery tests)."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        self.stop()

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        return _tail(self.log_paths, lines)


# -- availability -------------------------------------------------------------------


def oxigraph_binary() -> str | None:
    """The ``oxigraph`` command of the PyPI package: beside this Python (the venv),
    else on PATH."""
    beside = Path(sys.executable).parent / "oxigraph"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("oxigraph")


def _virtuoso_binary() -> str | None:
    return shutil.which(_VIRTUOSO_BINARY) or _executable("/usr/bin/" + _VIRTUOSO_BINARY)


def _isql_binary() -> str | None:
    return shutil.which(_VIRTUOSO_ISQL) or _executable("/usr/bin/" + _VIRTUOSO_ISQL)


def _executable(path: str) -> str | None:
    return path if os.path.isfile(path) and os.access(path, os.X_OK) else None


def available(name: str) -> str | None:
    """None when the server ``name`` can be started here, else how to install it.

    The test suite skips a missing server locally and fails under CI, quoting
    this sentence.
    """
    if name == "oxigraph":
        if oxigraph_binary() is None:
            return (
                "the `oxigraph` command is missing; install the dev dependencies "
                "(pip install -e '.[dev]', which pins oxigraph==0.5.13 from PyPI)"
            )
        return None
    if name == "virtuoso":
        if _virtuoso_binary() is None:
            return (
                "Virtuoso's `virtuoso-t` is missing; install Debian's package: "
                "DEBIAN_FRONTEND=noninteractive apt-get install -y virtuoso-opensource "
                "(virtuoso-opensource-7-bin alone is enough)"
            )
        return None
    raise ValueError(f"unknown SPARQL server {name!r}; expected 'oxigraph' or 'virtuoso'")


# -- Oxigraph -----------------------------------------------------------------------


def start_oxigraph(
    directory: Path,
    *,
    timeout_s: int | None = None,
    ready_timeout: float = 30.0,
    in_memory: bool = False,
) -> RunningServer:
    """``oxigraph serve`` on a free port, its store in ``directory / "store"`` (or, with
    ``in_memory``, in memory: a fresh server per test then costs about 0.2 s, and
    nothing accumulates on disk as loading and dropping graphs test after test does
    in one RocksDB store -- measured: 750 MB and a core kept busy by compaction).

    ``--union-default-graph`` is always given: the service's queries read the
    union of all named graphs when they say no GRAPH, and with this flag Oxigraph
    evaluates a query without FROM / ``default-graph-uri`` over the union of the
    default graph and every named graph (checked: a triple in ``<g1>``, one in
    ``<g2>`` and one in the default graph all answer ``?s ?p ?o``). An explicit
    ``default-graph-uri`` still narrows it. Writes are unaffected: INSERT DATA
    without GRAPH still goes to the real default graph. The flag also makes an
    update's WHERE read the union, and the server then refuses an update that
    names its own dataset in its text (USING, USING NAMED, WITH); the protocol
    parameters ``using-graph-uri`` / ``using-named-graph-uri`` still set one
    (they replace the union for that request), so the service sends those
    there (``update_using_clauses``).

    ``timeout_s`` is ``--timeout-s``: Oxigraph then cancels a query after that
    long, but the answer is an HTTP 200 whose body breaks off with "The SPARQL
    operation has been cancelled" (the status goes out before evaluation ends),
    so a client sees unparsable results. It does not bound updates, and a client
    that disconnects does not stop a query or an update.

    Oxigraph needs no authentication; its update requests are atomic (a failing
    operation rolls the whole request back); its Graph Store Protocol endpoint
    is ``/store``.
    """
    binary = oxigraph_binary()
    if binary is None:
        raise ServerStartError(available("oxigraph") or "oxigraph is missing")
    directory.mkdir(parents=True, exist_ok=True)
    store = directory / "store"
    log_path = directory / "oxigraph.log"

    def launch(port: int) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
        location = [] if in_memory else ["--location", str(store)]
        command = [
            binary,
            "serve",
            *location,
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ]
        if timeout_s is not None:
            command += ["--timeout-s", str(timeout_s)]
        log = log_path.open("ab")
        return _popen(command, directory, log), log

    def server_at(port: int) -> SparqlServer:
        base = f"http://127.0.0.1:{port}"
        return SparqlServer(
            name="oxigraph",
            query_url=f"{base}/query",
            update_url=f"{base}/update",
            graph_store_url=f"{base}/store",
            base_url=base,
            update_using_clauses=False,
            query_timeout_s=None if timeout_s is None else float(timeout_s),
        )

    return _start_with_retries(
        launch=lambda ports: launch(ports[0]),
        port_count=1,
        server_at=lambda ports: server_at(ports[0]),
        directory=directory,
        log_paths=(log_path,),
        ready_timeout=ready_timeout,
        check=lambda server: _http_ready(server.query_url),
    )


# -- Virtuoso -----------------------------------------------------------------------


def start_virtuoso(
    directory: Path,
    *,
    max_rows: int = 10_000,
    max_query_execution_time: int = 60,
    anonymous_update: bool = False,
    ready_timeout: float = 60.0,
) -> RunningServer:
    """Virtuoso 7 (``virtuoso-t +foreground``) with its database in ``directory``.

    A minimal ``virtuoso.ini`` is written there on each start (new ports each
    time; the database files are kept, so a second start reopens the data):
    database, transaction log, temporary database and error log in
    ``directory``, both the SQL port and the HTTP port on free loopback ports,
    ``DirsAllowed`` limited to ``directory``, and the smallest buffer pool
    Virtuoso 7.2 accepts (20,000 pages of 8 KB: it raises any lower
    ``NumberOfBuffers`` to that), two threads per query and few server threads,
    so that it starts in about 2 s and stays near 200-300 MB resident on a
    two-core machine shared with other tests. No VAD packages (Conductor) are
    installed: only the SPARQL endpoints built into the server are used.

    ``max_rows`` is ``[SPARQL] ResultSetMaxRows``: 10,000 like Debian's default
    ini, so tests see the truncation real deployments have. Virtuoso cuts a
    SELECT answer there (adding an ``X-SPARQL-MaxRows`` header), and CONSTRUCT
    answers and Graph Store GETs with no sign at all.
    ``max_query_execution_time`` is ``MaxQueryExecutionTime`` in seconds.

    **Updates.** Virtuoso's anonymous ``/sparql`` endpoint runs as the SQL user
    ``SPARQL``, which may read but not write. By default this uses the
    endpoint for authenticated clients, ``/sparql-auth``, with HTTP digest
    authentication as ``dba`` (password ``dba`` in a new database): it needs no
    step after start-up (no isql session racing the server's own start), it is
    how a production Virtuoso is normally written to (the anonymous endpoint
    stays read-only), and it exercises the backend's authentication. Virtuoso
    answers Basic credentials there with 401, so ``auth`` is ``"digest"``.
    ``anonymous_update=True`` instead grants ``SPARQL_UPDATE`` to the
    ``SPARQL`` user through ``isql-vt`` and returns the anonymous endpoints
    without credentials (for testing the backend without authentication; never
    do that on a server others reach).

    Queries go to ``/sparql`` without credentials (a client that sends digest
    credentials anyway is fine: the endpoint never challenges). The Graph Store
    Protocol endpoint is ``/sparql-graph-crud-auth`` (digest as well; it takes
    the standard ``?graph=IRI``, has no ``?default``, and a PUT whose body fails
    to parse leaves the graph emptied or half-loaded, so it is not atomic).

    An update's dataset: Virtuoso takes USING / USING NAMED in the text. It
    also takes the protocol's ``using-graph-uri`` / ``using-named-graph-uri``,
    but as a pragma (``define input:using-graph-uri``) that other operations of
    the request obey as well: ``DROP ALL`` then aims at those graphs alone, and
    fails on one that INSERT made ("has not been explicitly created before").
    """
    binary = _virtuoso_binary()
    if binary is None:
        raise ServerStartError(available("virtuoso") or "virtuoso is missing")
    directory = directory.resolve()
    text = str(directory)
    if any(c in text for c in ";,\n\r") or text != text.strip():
        # ';' starts a comment in the ini file and DirsAllowed is comma-separated.
        raise ValueError(f"Virtuoso cannot use the directory {text!r}")
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "www").mkdir(exist_ok=True)
    ini = directory / "virtuoso.ini"
    output_log = directory / "virtuoso.out"

    def launch(ports: tuple[int, ...]) -> tuple[subprocess.Popen[bytes], IO[bytes]]:
        sql_port, http_port = ports
        ini.write_text(
            _virtuoso_ini(directory, sql_port, http_port, max_rows, max_query_execution_time),
            encoding="utf-8",
        )
        log = output_log.open("ab")
        command = [binary, "+foreground", "+configfile", str(ini)]
        return _popen(command, directory, log), log

    def server_at(ports: tuple[int, ...]) -> SparqlServer:
        base = f"http://127.0.0.1:{ports[1]}"
        suffix = "" if anonymous_update else "-auth"
        return SparqlServer(
            name="virtuoso",
            query_url=f"{base}/sparql",
            update_url=f"{base}/sparql{suffix}",
            graph_store_url=f"{base}/sparql-graph-crud{suffix}",
            user=None if anonymous_update else "dba",
            password=None if anonymous_update else "dba",
            auth=None if anonymous_update else "digest",
            base_url=base,
            ignored_graphs=VIRTUOSO_SYSTEM_GRAPHS,
            has_default_graph=False,
            atomic_updates=False,
            max_rows=max_rows,
            query_timeout_s=float(max_query_execution_time),
            parser_columns=False,
            bnode_function=False,
            service_calls=False,
            shallower_parser=True,
            max_insert_data=1_000,
            refuses_costly_queries=True,
        )

    def ready(server: SparqlServer) -> bool:
        if not _http_ready(server.query_url):
            return False
        # The digest endpoint answers once the server's start-up scripts have run.
        return anonymous_update or _http_ready(
            server.update_url, user=server.user, password=server.password
        )

    running = _start_with_retries(
        launch=launch,
        port_count=2,
        server_at=server_at,
        directory=directory,
        log_paths=(output_log,),  # +foreground echoes the error log, plus stderr
        ready_timeout=ready_timeout,
        check=ready,
    )
    if anonymous_update:
        try:
            _virtuoso_grant_update(running)
        except BaseException:
            running.stop()
            raise
    return running


def _virtuoso_ini(
    directory: Path, sql_port: int, http_port: int, max_rows: int, max_seconds: int
) -> str:
    d = str(directory)
    return f"""; Written by tests/sparql_servers.py for one test server; rewritten at each start.
[Database]
DatabaseFile       = {d}/virtuoso.db
ErrorLogFile       = {d}/virtuoso.log
LockFile           = {d}/virtuoso.lck
TransactionFile    = {d}/virtuoso.trx
xa_persistent_file = {d}/virtuoso.pxa
ErrorLogLevel      = 7
FileExtend         = 200
MaxCheckpointRemap = 2000
Striping           = 0
TempStorage        = TempDatabase

[TempDatabase]
DatabaseFile       = {d}/virtuoso-temp.db
TransactionFile    = {d}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping           = 0

[Parameters]
ServerPort           = 127.0.0.1:{sql_port}
DisableUnixSocket    = 1
DisableTcpSocket     = 0
MaxClientConnections = 8
CheckpointInterval   = 60
O_DIRECT             = 0
CaseMode             = 2
DirsAllowed          = {d}
NumberOfBuffers      = 20000
MaxDirtyBuffers      = 15000
MaxQueryMem          = 256M
ThreadsPerQuery      = 2
AsyncQueueMaxThreads = 4
ServerThreads        = 8
SchedulerInterval    = 10

[HTTPServer]
ServerPort           = 127.0.0.1:{http_port}
ServerRoot           = {d}/www
MaxClientConnections = 8
ServerThreads        = 8
MaxKeepAlives        = 8
KeepAliveTimeout     = 10
Charset              = UTF-8
EnabledDavVSP        = 0
HTTPProxyEnabled     = 0

[SPARQL]
ResultSetMaxRows           = {max_rows}
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime      = {max_seconds}
DefaultQuery               = SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10
"""


def _virtuoso_grant_update(running: RunningServer) -> None:
    """Let the anonymous ``SPARQL`` user write (``GRANT SPARQL_UPDATE``) via isql-vt."""
    isql = _isql_binary()
    if isql is None:
        raise ServerStartError("isql-vt is missing (Debian package virtuoso-opensource-7-bin)")
    ini = (running.directory / "virtuoso.ini").read_text(encoding="utf-8")
    port = next(
        line.split("=", 1)[1].strip()
        for line in ini.splitlines()
        if line.replace(" ", "").startswith("ServerPort=")
    )
    result = subprocess.run(
        [isql, port, "dba", "dba", 'exec=GRANT SPARQL_UPDATE TO "SPARQL";'],
        capture_output=True,
        timeout=60,
        check=False,
    )
    output = (result.stdout + result.stderr).decode("utf-8", "replace")
    if result.returncode != 0 or "Error" in output:
        raise ServerStartError(f"granting SPARQL_UPDATE through isql-vt failed:\n{output}")


# -- shared machinery ---------------------------------------------------------------


def free_ports(count: int) -> tuple[int, ...]:
    """Ports the kernel just handed out on 127.0.0.1 (closed again: a small race with
    other processes, which the start retries cover)."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return tuple(s.getsockname()[1] for s in sockets)
    finally:
        for s in sockets:
            s.close()


def _popen(command: list[str], cwd: Path, log: IO[bytes]) -> subprocess.Popen[bytes]:
    """The server in its own process group, so a Ctrl-C aimed at pytest does not reach
    it before ``stop()`` does; stdin closed, output to the log file."""
    return subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


_Launch = Callable[[tuple[int, ...]], tuple["subprocess.Popen[bytes]", IO[bytes]]]


def _start_with_retries(
    *,
    launch: _Launch,
    port_count: int,
    server_at: Callable[[tuple[int, ...]], SparqlServer],
    directory: Path,
    log_paths: tuple[Path, ...],
    ready_timeout: float,
    check: Callable[[SparqlServer], bool],
    attempts: int = 3,
) -> RunningServer:
    """Launch, wait for ``check`` until ``ready_timeout``; new ports if the process died
    early because a port was taken meanwhile."""
    for attempt in range(1, attempts + 1):
        ports = free_ports(port_count)
        process, log = launch(ports)
        running = RunningServer(
            server=server_at(ports),
            process=process,
            directory=directory,
            log_paths=log_paths,
            _log_files=[log],
        )
        try:
            if _wait_ready(running, check, ready_timeout):
                return running
        except BaseException:
            running.stop()
            raise
        code = process.poll()
        tail = running.log_tail()
        running.stop()
        if code is not None and attempt < attempts and _port_taken(tail):
            continue
        what = (
            f"exited with code {code}"
            if code is not None
            else f"did not answer within {ready_timeout:g} s"
        )
        raise ServerStartError(
            f"{running.server.name} server in {directory} {what} "
            f"(query endpoint {running.server.query_url}). Log tail:\n{tail}"
        )
    raise AssertionError("unreachable")


def _port_taken(log: str) -> bool:
    """Whether a server's log says that its port was taken (then a retry on new ports
    helps). Oxigraph: "Address already in use (os error 98)"; Virtuoso: "Failed HTTP
    listen at PORT." or "Failed to start listening at SQL port"."""
    lowered = log.lower()
    return any(
        words in lowered
        for words in (
            "address already in use",
            "os error 98",
            "failed http listen",
            "failed to start listening",
        )
    )


def _wait_ready(
    running: RunningServer, check: Callable[[SparqlServer], bool], deadline_s: float
) -> bool:
    """Poll ``check`` every 0.1-0.5 s until it holds (True), the process exits or the
    deadline passes (False)."""
    deadline = time.monotonic() + deadline_s
    delay = 0.1
    while time.monotonic() < deadline:
        if running.process.poll() is not None:
            return False
        if check(running.server):
            return True
        time.sleep(delay)
        delay = min(delay * 1.5, 0.5)
    return False


def _http_ready(url: str, *, user: str | None = None, password: str | None = None) -> bool:
    """True when ``ASK {}`` at ``url`` answers 200 (with digest credentials if given)."""
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"not an HTTP URL: {url!r}")
    query = urllib.parse.urlencode({"query": "ASK {}"})
    request = urllib.request.Request(  # noqa: S310 (the scheme is checked above)
        f"{url}?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    handlers: list[urllib.request.BaseHandler] = []
    if user is not None:
        manager = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        manager.add_password(None, url, user, password or "")
        handlers.append(urllib.request.HTTPDigestAuthHandler(manager))
    opener = urllib.request.build_opener(*handlers)
    try:
        with opener.open(request, timeout=5) as response:
            return int(response.status) == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _tail(paths: tuple[Path, ...], lines: int) -> str:
    parts = []
    for path in paths:
        with contextlib.suppress(OSError):
            text = path.read_text(encoding="utf-8", errors="replace")
            kept = "\n".join(text.splitlines()[-lines:])
            parts.append(f"--- {path}\n{kept}")
    return "\n".join(parts) or "(no log written)"
