"""Benchmark: the Brevo mock's speed and scale, side by side with Prism 5.16.

Three parts, each recorded in bench/results/mock.md:

1. Loopback, GET contact and POST contact, 1 and 8 concurrent clients: requests per
   second of ``tajo-brevo mock`` and of the Prism 5.16 mock (``@stoplight/prism-cli``,
   installed with npm into the gitignored bench/.prism on first use, started by this
   script on 127.0.0.1 with the effective spec). Both servers run as their own process;
   the load comes from one small keep-alive HTTP/1.1 client (asyncio, raw sockets) so the
   client costs little next to the servers. Rounds are interleaved (tajo, Prism, Prism,
   tajo, ...); the table gives the median of each and the median and spread (min-max) of
   the per-round ratio tajo / Prism.
2. In-process: GET contact through ``BrevoMock().transport()`` (``handle_request``, the
   transport alone) and through an ``httpx.Client`` on it (what a test pays).
3. Import of N generated rows (default 1,000,000) in ~8 MB ``fileBody`` chunks, through
   the in-process client and against ``tajo-brevo mock`` (default settings, its own
   process) over loopback (``--import-mode``): time until every process is
   ``completed``, GET latency while it runs (a reader thread, every 20 ms), and memory
   per stored contact (RSS growth of the mock's process). In-process, the mock shares
   the GIL with the bench's threads, and a reader's clock starts only once it holds the
   GIL; over loopback the latency is what any client sees.

Run: ``.venv/bin/python bench/bench_mock.py --write`` (``--help`` for sizes). Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from tajo_brevo.mock import BrevoMock, effective_spec_path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).with_name("results") / "mock.md"
PRISM_DIR = Path(__file__).with_name(".prism")
PRISM_VERSION = "5.16"
KEY = "bench-mock-key"
CHUNK_BYTES = 8 * 1024 * 1024


# ----------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port} after {timeout} s")


@contextmanager
def _process(args: list[str], port: int) -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, process)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def prism_binary(prism_dir: Path) -> Path:
    """Prism's launcher, installed with npm into ``prism_dir`` when missing."""
    binary = prism_dir / "node_modules" / ".bin" / "prism"
    if not binary.exists():
        if shutil.which("npm") is None:
            raise SystemExit("bench_mock: npm is needed to install Prism (or pass --no-prism)")
        prism_dir.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
             f"@stoplight/prism-cli@{PRISM_VERSION}"],
            cwd=prism_dir,
            check=True,
            timeout=900,
        )  # fmt: skip
    return binary


# ----------------------------------------------------------------------------- load


@dataclass
class Target:
    name: str
    port: int
    #: Prism serves the spec's paths at its root (it drops the server's /v3).
    prefix: str


def _request_bytes(method: str, path: str, port: int, body: bytes = b"") -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"api-key: {KEY}",
        "accept: application/json",
    ]
    if body or method == "POST":
        lines += ["content-type: application/json", f"content-length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)


async def _client(
    port: int,
    make: Callable[[int], bytes],
    until: float,
    counts: list[int],
    statuses: dict[int, int],
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    n = 0
    try:
        while time.monotonic() < until:
            writer.write(make(n))
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            found = _LENGTH.search(head)
            if found:
                await reader.readexactly(int(found.group(1)))
            elif b"chunked" in head.lower():
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            statuses[status] = statuses.get(status, 0) + 1
            n += 1
    finally:
        writer.close()
    counts.append(n)


def measure(
    port: int, make: Callable[[int, int], bytes], clients: int, seconds: float
) -> tuple[float, dict[int, int]]:
    """Requests per second of ``clients`` keep-alive connections for ``seconds``."""

    async def run() -> tuple[float, dict[int, int]]:
        counts: list[int] = []
        statuses: dict[int, int] = {}
        start = time.monotonic()
        until = start + seconds
        await asyncio.gather(
            *(
                _client(port, (lambda n, c=c: make(c, n)), until, counts, statuses)
                for c in range(clients)
            )
        )
        return sum(counts) / (time.monotonic() - start), statuses

    return asyncio.run(run())


@dataclass
class Comparison:
    operation: str
    clients: int
    tajo: list[float] = field(default_factory=list)
    prism: list[float] = field(default_factory=list)
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def ratios(self) -> list[float]:
        return [t / p for t, p in zip(self.tajo, self.prism, strict=True) if p]


def _tajo_args(port: int) -> list[str]:
    """``tajo-brevo mock`` on 127.0.0.1:port with the bench key, default settings."""
    args = [
        str(ROOT / ".venv" / "bin" / "tajo-brevo"), "mock", "--host", "127.0.0.1",
        "--port", str(port), "--api-key", KEY, "--log-level", "warning",
    ]  # fmt: skip
    if not Path(args[0]).exists():
        args[0:1] = [sys.executable, "-m", "tajo_brevo.cli"]
    return args


def loopback(rounds: int, seconds: float, prism_dir: Path | None) -> list[Comparison]:
    tajo_port = _free_port()
    tajo_args = _tajo_args(tajo_port)
    prism_port = _free_port()
    with _process(tajo_args, tajo_port):
        httpx.post(
            f"http://127.0.0.1:{tajo_port}/v3/contacts",
            json={"email": "ada@example.com"},
            headers={"api-key": KEY},
        ).raise_for_status()
        prism_ctx = (
            _process(
                [str(prism_binary(prism_dir)), "mock", str(effective_spec_path()),
                 "-h", "127.0.0.1", "-p", str(prism_port)],
                prism_port,
            )
            if prism_dir is not None
            else None
        )  # fmt: skip
        with prism_ctx if prism_ctx is not None else _nothing():
            targets = {"tajo": Target("tajo", tajo_port, "/v3")}
            if prism_ctx is not None:
                targets["prism"] = Target("prism", prism_port, "")
            results = []
            for operation in ("GET contact", "POST contact"):
                for clients in (1, 8):
                    comparison = Comparison(operation, clients)
                    for r in range(rounds):
                        order = ["tajo", "prism"] if r % 2 == 0 else ["prism", "tajo"]
                        for name in order:
                            if name not in targets:
                                continue
                            port = targets[name].port
                            make = _maker(
                                operation, port, targets[name].prefix, f"{name}{r}c{clients}"
                            )
                            rate, statuses = measure(port, make, clients, seconds)
                            getattr(comparison, name).append(rate)
                            bucket = comparison.statuses.setdefault(name, {})
                            for status, count in statuses.items():
                                bucket[status] = bucket.get(status, 0) + count
                    results.append(comparison)
                    _print_comparison(comparison)
            return results


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def _maker(operation: str, port: int, prefix: str, tag: str) -> Callable[[int, int], bytes]:
    if operation == "GET contact":
        fixed = _request_bytes("GET", f"{prefix}/contacts/ada%40example.com", port)
        return lambda client, n: fixed

    def post(client: int, n: int) -> bytes:
        body = f'{{"email":"b{tag}-{client}-{n}@example.com","attributes":{{"FIRSTNAME":"B"}}}}'
        return _request_bytes("POST", f"{prefix}/contacts", port, body.encode())

    return post


def _print_comparison(c: Comparison) -> None:
    line = f"{c.operation}, {c.clients} client(s): tajo {statistics.median(c.tajo):,.0f}/s"
    if c.prism:
        ratios = c.ratios
        line += (
            f", Prism {statistics.median(c.prism):,.0f}/s, ratio {statistics.median(ratios):.2f}x"
            f" ({min(ratios):.2f}-{max(ratios):.2f})"
        )
    print(line, c.statuses, flush=True)


# ----------------------------------------------------------------------------- in-process


def in_process(rounds: int, n: int) -> dict[str, list[float]]:
    mock = BrevoMock()
    transport = mock.transport()
    out: dict[str, list[float]] = {"transport.handle_request": [], "httpx.Client": []}
    with mock.client() as http:
        http.post("/contacts", json={"email": "ada@example.com"}).raise_for_status()
        request = httpx.Request(
            "GET", "http://testserver/v3/contacts/ada%40example.com", headers={"api-key": KEY}
        )
        request.headers["api-key"] = mock.api_key
        for _ in range(rounds):
            start = time.perf_counter()
            for _ in range(n):
                response = transport.handle_request(request)
            assert response.status_code == 200
            out["transport.handle_request"].append(n / (time.perf_counter() - start))
            start = time.perf_counter()
            for _ in range(n):
                response = http.get("/contacts/ada%40example.com")
            assert response.status_code == 200
            out["httpx.Client"].append(n / (time.perf_counter() - start))
    for name, rates in out.items():
        print(f"in-process GET contact, {name}: {statistics.median(rates):,.0f}/s", flush=True)
    return out


# ----------------------------------------------------------------------------- import


def _rss_bytes(pid: int | str = "self") -> int:
    with open(f"/proc/{pid}/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _chunks(rows: int) -> Iterator[str]:
    header = "EMAIL;FIRSTNAME;LASTNAME;LOYALTY_POINTS\n"
    lines: list[str] = []
    size = len(header)
    for i in range(rows):
        line = f"customer{i:07d}@example.com;First{i % 97};Last{i % 89};{i % 5000}\n"
        if size + len(line) > CHUNK_BYTES - 1024 and lines:
            yield header + "".join(lines)
            lines, size = [], len(header)
        lines.append(line)
        size += len(line)
    if lines:
        yield header + "".join(lines)


@dataclass
class ImportResult:
    mode: str
    rows: int
    chunks: int
    seconds: float
    contacts: int
    bytes_per_contact: float
    get_latencies_ms: list[float]
    #: the reads made after the last chunk was accepted (only processing left)
    processing_latencies_ms: list[float]
    upload_seconds: float


def _drive_import(
    client: Callable[[], httpx.Client], rows: int, finished: Callable[[], bool]
) -> tuple[list[tuple[float, float]], float, float, float]:
    """Set up, POST every chunk while a reader GETs a contact every 20 ms, wait until
    ``finished()``. Returns (reads as (start, ms)), start, uploaded, done (perf_counter)."""
    with client() as http:
        http.post("/contacts/attributes/normal/LOYALTY_POINTS", json={"type": "float"})
        folder = http.post("/contacts/folders", json={"name": "Bench"}).json()["id"]
        target = http.post("/contacts/lists", json={"name": "All", "folderId": folder}).json()["id"]
        http.post("/contacts", json={"email": "probe@example.com"}).raise_for_status()
        # Encoded up front, as a client in its own process would: httpx's json= would run
        # json.dumps on 8 MB in this process, holding the GIL (in-process: the mock's too).
        bodies = [
            json.dumps({"fileBody": chunk, "listIds": [target]}).encode() for chunk in _chunks(rows)
        ]
        latencies: list[tuple[float, float]] = []
        stop = threading.Event()

        def reader() -> None:
            with client() as probe:
                while not stop.is_set():
                    start = time.perf_counter()
                    probe.get("/contacts/probe%40example.com").raise_for_status()
                    latencies.append((start, (time.perf_counter() - start) * 1000))
                    time.sleep(0.02)

        thread = threading.Thread(target=reader, daemon=True)
        thread.start()
        start = time.perf_counter()
        for body in bodies:
            response = http.post(
                "/contacts/import", content=body, headers={"content-type": "application/json"}
            )
            assert response.status_code == 202, response.text
        uploaded = time.perf_counter()
        deadline = time.monotonic() + 1800
        while not finished():
            assert time.monotonic() < deadline, "imports did not finish"
            time.sleep(0.05)
        done = time.perf_counter()
        stop.set()
        thread.join(5)
    return latencies, start, uploaded, done


def import_run(rows: int) -> ImportResult:
    """The import through the in-process client (mock and client share one process)."""
    mock = BrevoMock(record_limit=100)
    rss_before = _rss_bytes()
    latencies, start, uploaded, done = _drive_import(
        lambda: mock.client(timeout=120), rows, lambda: mock.state.wait_for_imports(timeout=0.05)
    )
    statuses = {p.status for p in mock.state.imports}
    assert statuses == {"completed"}, statuses
    contacts = len(mock.state.contacts)
    gc.collect()
    grown = _rss_bytes() - rss_before
    return _result("in-process", rows, len(mock.state.imports), latencies, start, uploaded,
                   done, contacts, grown)  # fmt: skip


def import_run_loopback(rows: int) -> ImportResult:
    """The import against ``tajo-brevo mock`` (default settings) in its own process, over
    loopback: the reads' latency includes any wait of the server, GIL included."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}/v3"

    def client() -> httpx.Client:
        return httpx.Client(base_url=base, headers={"api-key": KEY}, timeout=120)

    with _process(_tajo_args(port), port) as server, client() as poll:
        rss_before = _rss_bytes(server.pid)

        def finished() -> bool:
            listed = poll.get("/processes", params={"limit": 50}).json()
            return bool(listed["processes"]) and all(
                p["status"] in ("completed", "failed") for p in listed["processes"]
            )

        latencies, start, uploaded, done = _drive_import(client, rows, finished)
        listed = poll.get("/processes", params={"limit": 50}).json()
        statuses = {p["status"] for p in listed["processes"]}
        assert statuses == {"completed"}, statuses
        contacts = poll.get("/contacts", params={"limit": 1}).json()["count"]
        grown = _rss_bytes(server.pid) - rss_before
    return _result("loopback", rows, listed["count"], latencies, start, uploaded, done,
                   contacts, grown)  # fmt: skip


def _result(
    mode: str,
    rows: int,
    chunks: int,
    latencies: list[tuple[float, float]],
    start: float,
    uploaded: float,
    done: float,
    contacts: int,
    grown: int,
) -> ImportResult:
    result = ImportResult(
        mode,
        rows,
        chunks,
        done - start,
        contacts,
        grown / max(1, contacts - 1),
        [ms for _, ms in latencies],
        [ms for at, ms in latencies if at >= uploaded],
        uploaded - start,
    )
    lat = sorted(result.get_latencies_ms)
    print(
        f"import ({mode}) {rows:,} rows in {chunks} chunks: {result.seconds:.1f} s "
        f"({rows / result.seconds:,.0f} rows/s); GET while importing: "
        f"median {statistics.median(lat):.1f} ms, "
        f"p99 {lat[int(len(lat) * 0.99)]:.1f} ms, max {lat[-1]:.1f} ms ({len(lat)} reads); "
        f"{result.bytes_per_contact:,.0f} bytes per stored contact",
        flush=True,
    )
    return result


# ----------------------------------------------------------------------------- report


def report(
    loop: list[Comparison],
    inproc: dict[str, list[float]],
    imports: list[ImportResult],
    args: argparse.Namespace,
) -> str:
    lines = [
        "# Mock benchmark (bench/bench_mock.py)",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs (shared with other jobs while "
        f"this ran), Python {platform.python_version()}, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}.",
        f"Command: `.venv/bin/python bench/bench_mock.py {' '.join(sys.argv[1:])}`",
        "",
        "## Loopback: tajo-brevo mock vs Prism " + PRISM_VERSION,
        "",
        f"{args.rounds} interleaved rounds of {args.seconds:g} s per server and case; "
        "requests/s, median of the rounds; ratio = tajo / Prism per round (median, min-max).",
        "",
        "| operation | clients | tajo-brevo mock | Prism | ratio | spread |",
        "|---|---|---|---|---|---|",
    ]
    for c in loop:
        if c.prism:
            ratios = c.ratios
            lines.append(
                f"| {c.operation} | {c.clients} | {statistics.median(c.tajo):,.0f} | "
                f"{statistics.median(c.prism):,.0f} | {statistics.median(ratios):.2f}x | "
                f"{min(ratios):.2f}-{max(ratios):.2f} |"
            )
        else:
            lines.append(
                f"| {c.operation} | {c.clients} | {statistics.median(c.tajo):,.0f} | not run | | |"
            )
    statuses = {f"{c.operation}/{c.clients}": c.statuses for c in loop}
    lines += ["", f"Statuses seen: `{statuses}`", ""]
    lines += [
        "## In-process GET contact (target >= 3,000/s)",
        "",
        "| through | GET contact/s (median) | spread |",
        "|---|---|---|",
    ]
    for name, rates in inproc.items():
        lines.append(
            f"| {name} | {statistics.median(rates):,.0f} | {min(rates):,.0f}-{max(rates):,.0f} |"
        )
    lines.append("")
    for imp in imports:
        lat = sorted(imp.get_latencies_ms)
        after = sorted(imp.processing_latencies_ms) or [float("nan")]
        where = (
            "in-process client (mock and client share one process and its GIL)"
            if imp.mode == "in-process"
            else "`tajo-brevo mock` (default settings) in its own process, over loopback"
        )
        lines += [
            f"## Import of {imp.rows:,} generated rows, {imp.mode} (target: 1,000,000 in "
            "<= 60 s, GET < 50 ms meanwhile)",
            "",
            f"- {imp.chunks} `fileBody` chunks of ~8 MB (JSON encoded before the clock "
            f"starts), {where}, no speed cap; each body is validated and parsed in the "
            "mock's helper process",
            f"- all processes completed after **{imp.seconds:.1f} s** "
            f"({imp.rows / imp.seconds:,.0f} rows/s)",
            f"- GET contact while importing ({len(lat)} reads, every 20 ms): median "
            f"{statistics.median(lat):.1f} ms, p99 {lat[int(len(lat) * 0.99)]:.1f} ms, "
            f"**max {lat[-1]:.1f} ms**",
            f"- of which after the last chunk was accepted ({imp.upload_seconds:.1f} s in; "
            f"{len(imp.processing_latencies_ms)} reads while only processing ran): median "
            f"{statistics.median(after):.1f} ms, p99 {after[int(len(after) * 0.99)]:.1f} ms, "
            f"max {after[-1]:.1f} ms",
            f"- memory per stored contact (RSS growth of the mock's process / contacts, 4 "
            f"short attributes, one list): **{imp.bytes_per_contact:,.0f} bytes**",
            "",
        ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (default 5)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per measure")
    parser.add_argument("--import-rows", type=int, default=1_000_000, help="0: skip the import")
    parser.add_argument(
        "--import-mode",
        choices=("in-process", "loopback", "both"),
        default="both",
        help="where the import runs: through the in-process client, against `tajo-brevo "
        "mock` over loopback, or both (default)",
    )
    parser.add_argument(
        "--import-repeat", type=int, default=1, help="import runs per mode (default 1)"
    )
    parser.add_argument("--no-loopback", action="store_true", help="skip the loopback part")
    parser.add_argument("--no-prism", action="store_true", help="loopback without Prism")
    parser.add_argument("--prism-dir", type=Path, default=PRISM_DIR, help="npm folder of Prism")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS}")
    args = parser.parse_args()
    loop = (
        []
        if args.no_loopback
        else loopback(args.rounds, args.seconds, None if args.no_prism else args.prism_dir)
    )
    inproc = in_process(args.rounds, 3000)
    imports: list[ImportResult] = []
    for _ in range(args.import_repeat if args.import_rows else 0):
        if args.import_mode in ("in-process", "both"):
            imports.append(import_run(args.import_rows))
        if args.import_mode in ("loopback", "both"):
            imports.append(import_run_loopback(args.import_rows))
    text = report(loop, inproc, imports, args)
    print(text)
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text(text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
