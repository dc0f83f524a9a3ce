"""``devcreds serve`` under load, beside a bare standard-library server, and when idle.

    python3 dev.py bench --only serve     (BENCH_SERVE_SECONDS=2 for a quick run)
    python bench/serve.py [--seconds 2]   (prints the section, writes no results file)

This measures the HTTP path only: the real ``server.Server`` and ``Supply``, with
a fetch that hands back fixed credentials (no emulator, no AWS), served from
this process. The baseline is a bare ``http.server.ThreadingHTTPServer``
(HTTP/1.1 keep-alive, Nagle off) answering a fixed JSON of the same size. The
load comes from a separate process, so it does not share the servers' GIL: one
selector loop over raw keep-alive sockets, cheaper per request than threads
with ``http.client``, which matters on a machine with few cores.

- closed loop: CLIENTS connections, each sending its next request as soon as
  the answer is in, for ``seconds`` after a short warm-up;
- open loop: RATE requests/s on schedule; latency counts from the scheduled
  send time, so a stall is not hidden by requests that were never sent;
- idle: a process hosting only the server, no requests; its CPU time and
  voluntary context switches (all threads) over the window, scaled to an hour.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.server
import json
import os
import resource
import selectors
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass

from devcreds.cache import RoleCredentials
from devcreds.serve import server
from devcreds.serve.supply import Supply

HOST = "127.0.0.1"
TOKEN = "bench-token-" + "x" * 32  # a fake one
SECONDS = float(os.environ.get("BENCH_SERVE_SECONDS", "10"))
CLIENTS = 64  # closed loop: concurrent keep-alive connections
RATE = 200.0  # open loop: requests per second
OPEN_CONNECTIONS = 16  # open loop: the pool a scheduled request takes a free connection from
# Targets (informational: only errors fail the run).
MIN_THROUGHPUT = 0.5  # ours / baseline
MAX_P99_RATIO = 2.0  # ours / baseline, closed loop
MAX_OPEN_P99_MS = 10.0
HEADING = "## serve: the container-credentials endpoint under load"
# Fake credentials as long as real ones (a session token is ~900 characters).
CREDENTIALS = (
    "ASIA" + "EXAMPLE0" * 2,
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "IQoJb3JpZ2luX2VjE" + "Ab+/cD0eF1gH2iJ3kL4mN5oP6qR7sT8uV9wX" * 24,
)


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- the servers --------------------------------------------------------------------------


def ours() -> tuple[server.Server, int]:
    """The real serve server with fixed credentials, renewing in the background; and the
    size of its answer."""
    creds = RoleCredentials(
        *CREDENTIALS, dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), "111111111111"
    )
    supply = Supply(lambda profile, outlive: creds, lambda: dt.datetime.now(dt.UTC), lambda _: None)
    served = server.Server(HOST, 0, TOKEN, supply, lambda _: None)
    served.renew_in_background()
    served.close_idle_in_background()
    return served, len(json.dumps(server.body(creds)).encode())


class Fixed(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # The handler writes the headers, then the body: with Nagle's algorithm on, the body
    # waits for the client's delayed ACK of the headers (~40 ms on Linux) once a kept-alive
    # connection is busy. The baseline is what the stack can do, so it turns Nagle off.
    disable_nagle_algorithm = True
    answer = b"{}"

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.answer)))
        self.end_headers()
        self.wfile.write(self.answer)

    def log_message(self, format: str, *args: object) -> None:
        pass


class Baseline(http.server.ThreadingHTTPServer):  # daemon threads
    request_queue_size = 128  # as serve's: the default 5 drops connections made at once


def baseline(size: int) -> Baseline:
    """A bare ThreadingHTTPServer answering ``size`` bytes of fixed JSON."""
    answer = json.dumps({"pad": "x" * (size - len('{"pad": ""}'))}).encode()
    return Baseline((HOST, 0), type("Fixed", (Fixed,), {"answer": answer}))


# --- the load generator (runs in its own process) -----------------------------------------


@dataclass
class Load:
    requests: int  # answered within the window
    seconds: float
    errors: int
    p50: float  # ms
    p99: float
    load_cpu: float  # the load generator's CPU share of the window (1.0 = one core)
    server_cpu: float = 0.0  # the serving process's

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


class Connection:
    """A kept-alive connection, open and answered once before it is handed out."""

    def __init__(self, port: int, request: bytes, selector: selectors.BaseSelector) -> None:
        self.sock = socket.create_connection((HOST, port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        self.sent_at = 0.0
        self.sock.sendall(request)
        while (status := self.answer()) is None:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before the first answer")
            self.buffer += chunk
        if status != 200:
            raise ConnectionError(f"the first answer was {status}")
        self.sock.setblocking(False)
        selector.register(self.sock, selectors.EVENT_READ, self)

    def answer(self) -> int | None:
        """The status of the answer complete in the buffer (taken out of it), else None."""
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = self.buffer[: end + 2].lower()  # each header line ends in CRLF
        at = head.find(b"content-length:")
        length = int(head[at + 15 : head.find(b"\r\n", at)]) if at >= 0 else 0
        if len(self.buffer) < end + 4 + length:
            return None
        self.buffer = self.buffer[end + 4 + length :]
        return int(head[9:12])


def drive(port: int, connections: int, seconds: float, rate: float | None) -> Load:
    """Closed loop (``rate`` None) or open loop over keep-alive connections, after a warm-up."""
    request = (
        f"GET /profile/bench HTTP/1.1\r\nHost: {HOST}:{port}\r\nAuthorization: {TOKEN}\r\n\r\n"
    ).encode()
    selector = selectors.DefaultSelector()
    free = deque(Connection(port, request, selector) for _ in range(connections))
    scheduled: deque[float] = deque()  # open loop: send times waiting for a free connection
    latencies: list[float] = []
    errors = answered = busy = 0
    start = time.perf_counter()
    begin = start + min(1.0, seconds / 5)  # warm-up before: not counted
    end = begin + seconds
    due = start
    cpu = 0.0
    while True:
        now = time.perf_counter()
        if not cpu and now >= begin:
            cpu = cpu_seconds()
        if rate:
            while due <= now and due < end:
                scheduled.append(due)
                due += 1 / rate
        elif now < end:
            scheduled.extend(now for _ in range(len(free)))
        while scheduled and free:
            connection = free.popleft()
            connection.sent_at = scheduled.popleft()
            connection.sock.send(request)  # small: the socket buffer takes it whole
            busy += 1
        if now >= end and not busy:
            break
        if now >= end + server.CLIENT_TIMEOUT:
            errors += busy  # never answered
            break
        wait = max(0.0, due - now) if rate and due < end else 0.5
        for key, _ in selector.select(wait):
            connection = key.data
            try:
                chunk = connection.sock.recv(65536)
            except OSError:
                chunk = b""
            if not chunk:  # closed on us: carry on with a new connection
                selector.unregister(connection.sock)
                connection.sock.close()
                if connection in free:  # idle too long: the server may do that
                    free.remove(connection)
                else:  # a request lost
                    errors += 1
                    busy -= 1
                free.append(Connection(port, request, selector))
                continue
            connection.buffer += chunk
            status = connection.answer()
            if status is None:
                continue
            done = time.perf_counter()
            if status != 200:
                errors += 1
            if connection.sent_at >= begin:
                latencies.append(done - connection.sent_at)
                answered += done <= end
            busy -= 1
            free.append(connection)
    used = cpu_seconds() - cpu
    for key in list(selector.get_map().values()):
        key.data.sock.close()
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return Load(answered, seconds, errors, cuts[49] * 1000, cuts[98] * 1000, used / seconds)


def load(port: int, connections: int, seconds: float, rate: float | None = None) -> Load:
    """``drive`` in a child process; with the serving process's CPU share over the same time."""
    before, started = cpu_seconds(), time.perf_counter()
    child = subprocess.run(
        [sys.executable, __file__, "_load", json.dumps([port, connections, seconds, rate])],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        raise SystemExit(f"serve: the load generator failed: {child.stderr[-800:]}")
    result = Load(**json.loads(child.stdout))
    result.server_cpu = (cpu_seconds() - before) / (time.perf_counter() - started)
    return result


# --- idle (runs in its own process) -------------------------------------------------------


@dataclass
class Idle:
    seconds: float
    cpu: float  # CPU seconds over the window
    switches: int  # voluntary context switches (all threads): how often it woke

    def per_hour(self, value: float) -> float:
        return value * 3600 / self.seconds


def idle_here(seconds: float) -> Idle:
    """Host only the server, as ``devcreds serve`` runs it, and take no requests."""
    served, _ = ours()
    threading.Thread(target=served.serve_forever, daemon=True).start()  # default poll 0.5 s
    time.sleep(0.2)
    before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.perf_counter()
    never = threading.Event()
    while not never.wait(1.0) and time.perf_counter() - started < seconds:
        pass  # as the main loop of devcreds.cli.running.serve_until waits
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return Idle(time.perf_counter() - started, cpu, after.ru_nvcsw - before.ru_nvcsw)


def idle(seconds: float) -> Idle:
    child = subprocess.run(
        [sys.executable, __file__, "_idle", str(seconds)],
        capture_output=True,
        text=True,
        check=True,
    )
    return Idle(**json.loads(child.stdout))


# --- the benchmark ------------------------------------------------------------------------


@dataclass
class ServeBench:
    size: int  # bytes of the JSON answer
    ours: Load
    baseline: Load
    open: Load
    idle: Idle


def show(name: str, result: Load) -> None:
    print(
        f"  {name}: {result.rate:.0f} requests/s, p50 {result.p50:.2f} ms, "
        f"p99 {result.p99:.2f} ms, {result.errors} errors",
        flush=True,
    )


def run(seconds: float = SECONDS) -> ServeBench:
    print(f"serve: HTTP path only (fixed credentials in memory, no emulator), {seconds:g} s each")
    served, size = ours()
    bare = baseline(size)
    for each in (served, bare):
        threading.Thread(target=each.serve_forever, daemon=True).start()
    try:
        result = ServeBench(
            size,
            load(served.port, CLIENTS, seconds),
            load(bare.server_address[1], CLIENTS, seconds),
            load(served.port, OPEN_CONNECTIONS, seconds, RATE),
            idle(seconds),
        )
    finally:
        for each in (served, bare):
            each.shutdown()
            each.server_close()
    show("devcreds serve, closed loop", result.ours)
    show("bare ThreadingHTTPServer, closed loop", result.baseline)
    show(f"devcreds serve, open loop {RATE:.0f}/s", result.open)
    errors = result.ours.errors + result.baseline.errors + result.open.errors
    if errors:
        print("\n".join(section(result)))
        raise SystemExit(f"serve: {errors} requests failed")
    return result


def verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def section(m: ServeBench) -> list[str]:
    ours, bare, open_loop, idle = m.ours, m.baseline, m.open, m.idle
    throughput, p99 = ours.rate / bare.rate, ours.p99 / bare.p99
    errors = ours.errors + bare.errors + open_loop.errors

    def row(name: str, r: Load) -> str:
        return (
            f"| {name} | {r.rate:.0f} | {r.p50:.2f} | {r.p99:.2f} | {r.errors} | "
            f"{r.server_cpu:.0%} | {r.load_cpu:.0%} |"
        )

    return [
        HEADING,
        "",
        "The HTTP path only: the real `server.Server` and `Supply` with fixed credentials in "
        f"memory (no emulator), a {m.size}-byte JSON answer; the baseline is a bare "
        "`ThreadingHTTPServer` (HTTP/1.1 keep-alive, `disable_nagle_algorithm = True`) answering "
        "fixed JSON of the same size. Both are served from the benchmark's process; the load "
        "comes from another (one selector loop, raw keep-alive sockets). CPU is the share of one "
        "core over the window.",
        "",
        "| server | requests/s | p50 ms | p99 ms | errors | server CPU | load CPU |",
        "|---|---:|---:|---:|---:|---:|---:|",
        row(f"devcreds serve, closed loop ({CLIENTS} connections)", ours),
        row(f"bare ThreadingHTTPServer, closed loop ({CLIENTS} connections)", bare),
        row(f"devcreds serve, open loop ({RATE:.0f}/s, {OPEN_CONNECTIONS} connections)", open_loop),
        "",
        f"- errors: **{errors}** (target 0) {verdict(not errors)}",
        f"- throughput ours / baseline: **{throughput:.2f}×** (target ≥ {MIN_THROUGHPUT}×) "
        f"{verdict(throughput >= MIN_THROUGHPUT)}",
        f"- p99 ours / baseline (closed loop): **{p99:.2f}×** (target ≤ {MAX_P99_RATIO:g}×) "
        f"{verdict(p99 <= MAX_P99_RATIO)}",
        f"- open loop p99 (from the scheduled send time): **{open_loop.p99:.2f} ms** "
        f"(target ≤ {MAX_OPEN_P99_MS:g} ms) {verdict(open_loop.p99 <= MAX_OPEN_P99_MS)}",
        f"- idle ({idle.seconds:.0f} s, a process hosting only the server): "
        f"**{idle.per_hour(idle.cpu):.2f} CPU s/hour**; it woke {idle.per_hour(idle.switches):.0f} "
        f"times/hour (voluntary context switches, all threads); the renewer by design "
        f"{3600 / server.RENEW_EVERY:.0f}/hour (RENEW_EVERY = {server.RENEW_EVERY:g} s)",
    ]


def main() -> None:
    if sys.argv[1:2] == ["_load"]:
        print(json.dumps(asdict(drive(*json.loads(sys.argv[2])))))
        return
    if sys.argv[1:2] == ["_idle"]:
        print(json.dumps(asdict(idle_here(float(sys.argv[2])))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help="each phase's length")
    print("\n" + "\n".join(section(run(parser.parse_args().seconds))))


if __name__ == "__main__":
    main()
