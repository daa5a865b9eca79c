"""Benchmark: the client's per-call cost and its use of Brevo's rate budget.

Two measurements, each side by side and interleaved in one process:

1. Per-call cost of ``get_customer`` (one GET /contacts/{email} and its JSON) through raw
   httpx, the generated client, the wrapper (TajoBrevo, which also builds a LoyaltyProfile)
   and the official brevo-python SDK, all on one in-process ``httpx.MockTransport`` that
   answers a canned contact: the client stacks' own cost, no server in the way. Rounds
   interleave the four; the table gives the median per-call time over rounds, the
   throughput ratio to raw httpx (median of the per-round ratios) and its spread.
2. Rate-budget use: a fixed number of requests (GET /contacts/{email}) through the wrapper
   and through a plain loop of the official SDK against the mock's rate limit (R = 10
   and 50 per second; the mock runs in its own process on loopback, so its CPU does not
   share the client's interpreter), with no added latency (one caller) and with 250 ms
   of network latency (125 ms each way, added by the client's transport; concurrent
   callers, enough to fill the budget). Reported: requests/s over R and the 429s seen.

The official SDK is installed into a bench-only environment, ``bench/.venv-sdk``
(gitignored), created on first run; its site-packages are added to this process's path,
after ours, so both clients share one httpx.

Run: ``make bench`` or ``.venv/bin/python bench/bench_client.py --write`` (about 2-3 min).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
import venv
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from brevo_contacts import AuthenticatedClient
from brevo_contacts.api.contacts import get_contact_info
from tajo_brevo import TajoBrevo

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "client.md"
SDK_ENV = HERE / ".venv-sdk"
SDK_REQUIREMENT = "brevo-python>=5,<6"
KEY = "bench-key"
BASE = "http://127.0.0.1:9/v3"  # never dialled: the transports answer in-process
EMAIL = "ada@example.com"
CONTACT = {
    "id": 7,
    "email": EMAIL,
    "emailBlacklisted": False,
    "smsBlacklisted": False,
    "createdAt": "2024-01-01T10:00:00.000+00:00",
    "modifiedAt": "2024-03-01T10:00:00.000+00:00",
    "listIds": [1, 3],
    "attributes": {
        "FIRSTNAME": "Ada",
        "LOYALTY_ID": "LYL-0007",
        "LOYALTY_POINTS": 1250,
        "LOYALTY_TIER": "Silver",
        "TOTAL_SPENT": 830.5,
        "LAST_PURCHASE": "2024-02-28",
    },
}


# ---------------------------------------------------------------------------------------
# The official SDK, in its own environment
# ---------------------------------------------------------------------------------------


def sdk_site_packages() -> Path:
    """Create bench/.venv-sdk with brevo-python if needed; its site-packages directory."""
    python = SDK_ENV / "bin" / "python"
    if not python.exists():
        print(f"creating {SDK_ENV} with {SDK_REQUIREMENT} ...", flush=True)
        venv.create(SDK_ENV, with_pip=True)
    probe = subprocess.run(
        [str(python), "-c", "import brevo"], capture_output=True, check=False, timeout=60
    )
    if probe.returncode != 0:
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        subprocess.run(
            [*pip, SDK_REQUIREMENT],
            check=True,
            timeout=600,
        )
    found = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return Path(found.stdout.strip())


def import_sdk() -> tuple[Any, str]:
    # After our own paths: the SDK shares this process's httpx and pydantic.
    sys.path.append(str(sdk_site_packages()))
    from importlib.metadata import PackageNotFoundError, version

    import brevo

    try:
        sdk_version = version("brevo-python")
    except PackageNotFoundError:
        sdk_version = "?"
    return brevo, sdk_version


# ---------------------------------------------------------------------------------------
# 1. Per-call cost
# ---------------------------------------------------------------------------------------


def canned_transport() -> httpx.MockTransport:
    body = json.dumps(CONTACT).encode()
    headers = [
        ("content-type", "application/json"),
        ("x-sib-ratelimit-limit", "1000000"),
        ("x-sib-ratelimit-remaining", "999999"),
        ("x-sib-ratelimit-reset", "1"),
    ]

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers=headers, content=body)

    return httpx.MockTransport(answer)


def contenders(brevo_sdk: Any) -> dict[str, Callable[[], object]]:
    transport = canned_transport()
    raw = httpx.Client(base_url=BASE, transport=transport, headers={"api-key": KEY})
    path = "/contacts/ada%40example.com"

    generated = AuthenticatedClient(base_url=BASE, token=KEY, prefix="", auth_header_name="api-key")
    generated.set_httpx_client(
        httpx.Client(base_url=BASE, transport=transport, headers={"api-key": KEY})
    )
    wrapper = TajoBrevo(api_key=KEY, base_url=BASE, transport=transport, rate_limit="auto")
    sdk = brevo_sdk.Brevo(
        api_key=KEY, base_url=BASE, httpx_client=httpx.Client(transport=transport)
    )
    return {
        "raw httpx": lambda: raw.get(path).json(),
        "generated client": lambda: (
            get_contact_info.sync_detailed(client=generated, identifier=EMAIL).parsed
        ),
        "wrapper (TajoBrevo)": lambda: wrapper.get_customer(EMAIL),
        "official SDK": lambda: sdk.contacts.get_contact_info(identifier=EMAIL),
    }


@dataclass
class CallResult:
    name: str
    per_call_us: float
    ratio: float
    ratio_low: float
    ratio_high: float
    #: Throughput over the official SDK's in the same round: median and quartiles.
    vs_sdk: float = 0.0
    vs_sdk_low: float = 0.0
    vs_sdk_high: float = 0.0


def _median_and_quartiles(values: list[float]) -> tuple[float, float, float]:
    values = sorted(values)
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else values * 3
    return statistics.median(values), quartiles[0], quartiles[-1]


def per_call(brevo_sdk: Any, calls: int, rounds: int) -> list[CallResult]:
    runners = contenders(brevo_sdk)
    for run in runners.values():  # warm up: imports, caches, first connection
        for _ in range(50):
            run()
    times: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            run = runners[name]
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times[name].append((time.perf_counter() - start) / calls)
    raw = times["raw httpx"]
    sdk = times["official SDK"]
    results = []
    for name in names:
        ratio = _median_and_quartiles([r / t for r, t in zip(raw, times[name], strict=True)])
        vs_sdk = _median_and_quartiles([s / t for s, t in zip(sdk, times[name], strict=True)])
        results.append(CallResult(name, statistics.median(times[name]) * 1e6, *ratio, *vs_sdk))
    return results


# ---------------------------------------------------------------------------------------
# 2. Rate-budget use against the mock's limit
# ---------------------------------------------------------------------------------------


class NetworkTransport(httpx.BaseTransport):
    """Loopback plus simulated network: ``one_way`` seconds before and after; counts 429s."""

    def __init__(self, one_way: float) -> None:
        self._inner = httpx.HTTPTransport()
        self._one_way = one_way
        self._lock = threading.Lock()
        self.statuses: dict[int, int] = {}

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self._one_way:
            time.sleep(self._one_way)
        response = self._inner.handle_request(request)
        response.read()
        if self._one_way:
            time.sleep(self._one_way)
        with self._lock:
            self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        return response

    def close(self) -> None:
        self._inner.close()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def mock_process(rate: int) -> Iterator[str]:
    """The mock in its own process on a free loopback port; its /v3 base URL."""
    port = _free_port()
    command = [
        str(Path(sys.executable).with_name("tajo-brevo")),
        "mock",
        "--port",
        str(port),
        "--api-key",
        KEY,
        "--rate-limit",
        str(rate),
        "--log-level",
        "error",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/v3"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/contacts/attributes", headers={"api-key": KEY}, timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise SystemExit(f"the mock did not start: {command}") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def seed(base: str, rate: int) -> None:
    # One contact to read, created at the mock's pace (the window rolls first).
    time.sleep(1.1)
    client = TajoBrevo(api_key=KEY, base_url=base, rate_limit=rate)
    with client:
        client.provision("Bench")
        from tajo_brevo import LoyaltyProfile

        client.upsert_customer(LoyaltyProfile(email=EMAIL, loyalty_id="L7", loyalty_points=10))
    time.sleep(1.1)


@dataclass
class BudgetResult:
    client: str
    rate: int
    latency_ms: int
    callers: int
    requests: int
    seconds: float
    rate_429: int

    @property
    def use(self) -> float:
        return (self.requests - 1) / self.seconds / self.rate


def _drive(callers: int, total: int, call: Callable[[], object]) -> tuple[float, int]:
    """``callers`` threads share ``total`` calls; seconds between first and last answer."""
    lock = threading.Lock()
    left = [total]
    done: list[float] = []
    errors: list[BaseException] = []

    def worker() -> None:
        while True:
            with lock:
                if left[0] == 0:
                    return
                left[0] -= 1
            try:
                call()
            except Exception as exc:  # counted, the run goes on
                errors.append(exc)
            with lock:
                done.append(time.perf_counter())

    threads = [threading.Thread(target=worker) for _ in range(callers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    done.sort()
    return done[-1] - done[0], len(done) - len(errors)


def budget_run(
    brevo_sdk: Any,
    base: str,
    client: str,
    rate: int,
    one_way: float,
    callers: int | None,
    windows: int,
) -> BudgetResult:
    latency = 2 * one_way
    if callers is None:  # enough to fill the budget over the latency, twice over
        callers = math.ceil(rate * latency * 2) + 1
    total = rate * windows
    network = NetworkTransport(one_way)
    time.sleep(1.1)  # a fresh window for every run
    if client == "wrapper":
        wrapper = TajoBrevo(api_key=KEY, base_url=base, rate_limit=rate, transport=network)
        with wrapper:
            seconds, ok = _drive(callers, total, lambda: wrapper.get_customer(EMAIL))
    else:
        sdk = brevo_sdk.Brevo(
            api_key=KEY, base_url=base, httpx_client=httpx.Client(transport=network)
        )
        seconds, ok = _drive(
            callers, total, lambda: sdk.contacts.get_contact_info(identifier=EMAIL)
        )
    return BudgetResult(
        client, rate, round(latency * 1000), callers, ok, seconds, network.statuses.get(429, 0)
    )


def budget(brevo_sdk: Any, rates: list[int], windows: int) -> list[BudgetResult]:
    results = []
    for rate in rates:
        with mock_process(rate) as base:
            seed(base, rate)
            # One caller (the case), a few concurrent ones, and over a slow link.
            for one_way, callers in ((0.0, 1), (0.0, 8), (0.125, None)):
                for client in ("wrapper", "official SDK"):  # interleaved per setting
                    result = budget_run(brevo_sdk, base, client, rate, one_way, callers, windows)
                    print(
                        f"  R={rate} latency={result.latency_ms}ms callers={result.callers} "
                        f"{client}: "
                        f"{result.use:.3f} of R, {result.rate_429} x 429",
                        flush=True,
                    )
                    results.append(result)
    return results


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------


def plot(results: list[BudgetResult], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib not installed (pip install -e '.[bench]'): no plot")
        return False
    labels = sorted({(r.rate, r.latency_ms, r.callers) for r in results})
    fig, ax = plt.subplots(figsize=(8, 3.8))
    width = 0.38
    for offset, client in ((-width / 2, "wrapper"), (width / 2, "official SDK")):
        values = [
            next(
                r.use
                for r in results
                if (r.rate, r.latency_ms, r.callers) == label and r.client == client
            )
            for label in labels
        ]
        bars = ax.bar([i + offset for i in range(len(labels))], values, width, label=client)
        refused = [
            next(
                r.rate_429
                for r in results
                if (r.rate, r.latency_ms, r.callers) == label and r.client == client
            )
            for label in labels
        ]
        for bar, count in zip(bars, refused, strict=True):
            ax.annotate(
                f"{count} x 429",
                (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                ha="center",
                va="bottom",
                fontsize=6,
            )
    ax.axhline(0.95, color="grey", linestyle="--", linewidth=1, label="target 0.95")
    ticks = [f"R={r}\n{lat} ms, {n} caller{'s' * (n > 1)}" for r, lat, n in labels]
    ax.set_xticks(range(len(labels)), ticks, fontsize=7)
    ax.set_ylabel("requests/s over R")
    ax.set_ylim(0, 1.15)
    ax.set_title("Rate-budget use against the mock's limit")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


def report(
    calls: list[CallResult],
    budgets: list[BudgetResult],
    *,
    sdk_version: str,
    n_calls: int,
    rounds: int,
    windows: int,
    plotted: bool,
) -> str:
    raw = next(c for c in calls if c.name == "raw httpx")
    wrapper = next(c for c in calls if c.name.startswith("wrapper"))
    lines = [
        "# Client benchmark: per-call cost and rate-budget use",
        "",
        f"`python bench/bench_client.py --write` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"{platform.machine()}, {os.cpu_count()} cores (shared with other work), "
        f"Python {platform.python_version()}, httpx {httpx.__version__}, "
        f"brevo-python {sdk_version}.",
        "",
        "## Per call: `get_customer` on an in-process transport",
        "",
        f"{n_calls} calls per contender per round, {rounds} rounds, contenders interleaved "
        "(rotating order), so that load on the shared machine hits all four alike. One "
        "canned `getContactInfo` answer from an `httpx.MockTransport`: only the client "
        "stacks' cost. Ratio = raw httpx (or SDK) time / contender time in the same round "
        "(1.0 = as fast): median over rounds, spread = interquartile range.",
        "",
        "| client | per call (µs) | throughput vs raw httpx | spread | vs official SDK | spread |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for c in calls:
        lines.append(
            f"| {c.name} | {c.per_call_us:.0f} | {c.ratio:.2f}x | "
            f"{c.ratio_low:.2f}-{c.ratio_high:.2f} | {c.vs_sdk:.2f}x | "
            f"{c.vs_sdk_low:.2f}-{c.vs_sdk_high:.2f} |"
        )
    met_raw = "met" if wrapper.ratio >= 0.8 else "missed"
    met_sdk = "met" if wrapper.vs_sdk >= 2.0 else "missed"
    lines += [
        "",
        f"Targets: wrapper >= 0.8x raw httpx ({wrapper.ratio:.2f}x: {met_raw}), >= 2x the "
        f"official SDK ({wrapper.vs_sdk:.2f}x: {met_sdk}); medians of the per-round ratios. "
        f"Raw httpx is a plain `httpx.Client` call and `response.json()`: "
        f"{raw.per_call_us:.0f} µs (the client merges the base URL, headers and cookies, runs "
        "the auth flow and event hooks on every call). The wrapper builds the same request "
        "with what is fixed per client prepared once, hands it straight to its paced "
        "transport, decodes the body once and builds a validated LoyaltyProfile, with "
        "pacing, retry bookkeeping and error mapping"
        + (
            ": all of it in less time per call than the `httpx.Client` alone."
            if wrapper.ratio > 1
            else "."
        ),
        "",
        "## Rate-budget use against the mock's limit",
        "",
        f"{windows} windows' worth of requests (R x {windows}) per run, GET /contacts/{{email}}, "
        "against `tajo-brevo mock --rate-limit R` in its own process on loopback. "
        "Use = (requests - 1) / (time from first to last answer) / R. Three settings: one "
        "caller (each request waits for the last: the mock's own time per request bounds "
        "it), 8 concurrent callers (threads sharing one client), and 250 ms of latency "
        "(125 ms each way, added in the client's transport) with enough concurrent callers "
        "to fill the budget. The wrapper runs with `rate_limit=R`; the SDK is a plain loop "
        "(its own retries: 2, with backoff).",
        "",
        "| client | R | latency | callers | requests | use of R | 429s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for b in budgets:
        lines.append(
            f"| {b.client} | {b.rate} | {b.latency_ms} ms | {b.callers} | {b.requests} | "
            f"{b.use:.3f} | {b.rate_429} |"
        )
    if plotted:
        lines += ["", "![rate-budget use](client_budget.png)"]
    ours = [b for b in budgets if b.client == "wrapper"]
    met = ours and min(b.use for b in ours) >= 0.95 and sum(b.rate_429 for b in ours) == 0
    lines += [
        "",
        "Target: >= 0.95 of R with 0 x 429 for the wrapper at R = 10 and 50, with and "
        f"without latency: {'met' if met else 'missed'} in this run"
        + (
            f" (lowest use {min(b.use for b in ours):.3f}, "
            f"{sum(b.rate_429 for b in ours)} x 429 in all)."
            if ours
            else "."
        ),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=250, help="calls per contender per round")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--rates", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--windows", type=int, default=10, help="seconds' worth of requests")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS}")
    args = parser.parse_args(argv)

    brevo_sdk, sdk_version = import_sdk()
    print(f"per call: {args.calls} calls x {args.rounds} rounds", flush=True)
    calls = per_call(brevo_sdk, args.calls, args.rounds)
    for c in calls:
        print(f"  {c.name}: {c.per_call_us:.0f} µs, {c.ratio:.2f}x raw httpx", flush=True)
    print("rate budget:", flush=True)
    budgets = budget(brevo_sdk, args.rates, args.windows)
    plotted = False
    if args.write:
        RESULTS.parent.mkdir(exist_ok=True)
        plotted = plot(budgets, RESULTS.with_name("client_budget.png"))
    text = report(
        calls,
        budgets,
        sdk_version=sdk_version,
        n_calls=args.calls,
        rounds=args.rounds,
        windows=args.windows,
        plotted=plotted,
    )
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
