"""Benchmark: the regular sync (``tajo-brevo sync`` / ``sync_customers``) at scale.

The mock runs in its own process (``tajo-brevo mock`` on loopback), so the numbers are the
client's own: each measured sync runs in a fresh child process that reports its CPU time
(user + system) and peak RSS (``ru_maxrss``), plus the requests it sent.

Per size N (10k, 100k, 1M by default; a fresh mock and state for each):

1. first sync of N generated customers (a CSV file), then
2. a re-sync with 1 % of the rows changed (a third of them move tier), then
3. an unchanged re-sync.

Anchor, side by side: the same steps through ``upsert_customers`` (the engine with a
throwaway state, i.e. what a caller without a state gets: every row re-sent each run),
interleaved with the sync in rounds at the smallest size; the table gives the median
ratio over rounds and its spread.

Per-contact path: 200 customers, all changed in each of 3 rounds, sent as per-contact
upserts (the import threshold set above the row count) against the mock limited to 10
requests/s with 250 ms added to every answer; the client at 10 requests/s: the steady rate
(answered upserts between the first and the last, without process start and provisioning)
and 429s. ``--only-per-contact`` runs just this part.

``--drift`` runs only this, per size: a first sync, a plain run on the unchanged account
(requests and client CPU), 1 % of the contacts edited in Brevo (one import), the plain
run that finds and repairs them (reads per 1,000 drifted), and one more plain run.

Run: ``.venv/bin/python bench/bench_sync.py --write`` (sizes with ``--sizes``; ``--append``
adds the run beside the earlier ones, e.g. a 1M run made separately with ``--sizes 1000000
--no-anchor --no-per-contact``).

The results file keeps hand-written notes: ``--write`` replaces only what lies between the
generated-runs markers (``--append`` adds a run before the end marker); the title, and
everything after the end marker, is kept as it is.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "sync.md"
BEGIN = "<!-- bench_sync.py: generated runs begin (--write replaces them, --append adds one) -->"
END = "<!-- bench_sync.py: generated runs end; hand-written notes below are kept -->"
TITLE = "# Regular sync at scale"
INTRO = (
    "Runs written by `python bench/bench_sync.py --write` (or `--append`), newest last "
    "(latest {date}, {machine}); hand-written notes after them."
)
KEY = "bench-sync-key"
PROGRAM = "Bench"
HEADER = "EMAIL,LOYALTY_ID,LOYALTY_POINTS,FIRSTNAME,TOTAL_SPENT,LAST_PURCHASE,FAVORITE_CATEGORIES"
_NAMES = ["Ana", "Ben", "Chloe", "Dev", "Eve"]
_CATS = ['"Home,Books"', "Electronics", "Fashion", ""]


def write_source(path: Path, n: int, *, changed: float = 0.0, seed: int = 1) -> int:
    """N customers; ``changed`` of them (evenly spread) with other points and name."""
    rng = random.Random(seed)
    step = round(1 / changed) if changed else 0
    count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(n):
            points = rng.randrange(0, 4000)
            name = rng.choice(_NAMES)
            spent = round(rng.uniform(0, 5000), 2)
            day = f"2024-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
            cats = rng.choice(_CATS)
            if step and i % step == 0:
                count += 1
                name = f"Changed{i}"
                if i % (3 * step) == 0:
                    points = (points + 1600) % 4000  # most of these move tier
            out.write(f"c{i}@example.com,L{i:07d},{points},{name},{spent},{day},{cats}\n")
    return count


# -- the mock, in its own process ----------------------------------------------------------


class MockProcess:
    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "tajo_brevo.cli", "mock", "--port", "0"),
                *("--api-key", KEY, "--log-level", "warning", *args),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = ""
        for _ in range(20):
            line = self.process.stdout.readline()
            if "base URL" in line:
                self.base_url = line.split("base URL", 1)[1].strip()
                break
        if not self.base_url:
            raise RuntimeError("the mock did not start")

    def close(self) -> None:
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


# -- one measured sync, in a child process -------------------------------------------------


def child(args: argparse.Namespace) -> None:
    import httpx
    from tajo_brevo import TajoBrevo
    from tajo_brevo.sync import Source

    # When each upsert's answer arrived (PUT/POST of a contact): the steady per-contact rate
    # is measured between the first and the last, without process start and provisioning.
    upserts: list[float] = []

    def on_response(response: httpx.Response) -> None:
        request = response.request
        path = request.url.path
        # Answered writes only (a 429 is retried: its retry is the upsert that counts).
        if response.status_code < 300 and (
            (request.method == "PUT" and path.startswith("/v3/contacts/"))
            or (request.method == "POST" and path == "/v3/contacts")
        ):
            upserts.append(time.perf_counter())

    http = httpx.Client(event_hooks={"response": [on_response]}, timeout=60)
    t0 = time.perf_counter()
    with TajoBrevo(
        api_key=KEY, base_url=args.base_url, rate_limit=args.rate, http_client=http
    ) as brevo:
        if args.how == "sync":
            report = brevo.sync_customers(
                args.source,
                state=args.state,
                program=PROGRAM,
                poll_interval=0.2,
                import_threshold=args.threshold,
                reconcile=args.reconcile,
            )
        else:
            brevo.provision(PROGRAM)
            rows = [dict(raw.cells) for raw in Source(args.source).rows()]
            batch = brevo.upsert_customers(rows, import_threshold=args.threshold)
            report = None
        stats = brevo.stats
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    data: dict[str, Any] = {
        "cpu": usage.ru_utime + usage.ru_stime,
        "rss_mib": usage.ru_maxrss / 1024,
        "wall": wall,
        "requests": stats.requests,
        "writes": stats.writes,
        "rate_limited": stats.rate_limited,
        "upsert_answers": len(upserts),
        "upsert_span": upserts[-1] - upserts[0] if len(upserts) > 1 else 0.0,
    }
    if report is not None:
        data["drift"] = dict(report.drift)
        data["repaired"] = dict(report.repaired)
        data["counts"] = dict(report.counts)
        data["rows_sent"] = report.plan["rows_to_send"]
        data["by_operation"] = dict(report.requests)
    else:
        data["counts"] = dict(batch.counts)
        data["rows_sent"] = sum(batch.counts.get(s, 0) for s in ("applied", "created", "updated"))
    http.close()
    print(json.dumps(data))


def measure(
    how: str,
    base_url: str,
    source: Path,
    state: Path,
    *,
    rate: float = 1000,
    threshold: int = 50,
    reconcile: bool = False,
) -> Any:
    done = subprocess.run(
        [
            *(sys.executable, __file__, "--child", how, "--base-url", base_url),
            *("--source", str(source), "--state", str(state), "--rate", str(rate)),
            *("--threshold", str(threshold)),
            *(("--reconcile",) if reconcile else ()),
        ],
        capture_output=True,
        text=True,
        timeout=7200,
        check=False,
    )
    if done.returncode not in (0,):
        raise RuntimeError(f"child failed: {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# -- the runs ------------------------------------------------------------------------------


def run_size(n: int, work: Path) -> dict[str, Any]:
    mock = MockProcess()
    try:
        source = work / f"customers-{n}.csv"
        state = work / f"customers-{n}.sync.db"
        write_source(source, n)
        first = measure("sync", mock.base_url, source, state)
        changed = write_source(source, n, changed=0.01)
        resync = measure("sync", mock.base_url, source, state)
        unchanged = measure("sync", mock.base_url, source, state)
    finally:
        mock.close()
    return {
        "n": n,
        "first": first,
        "changed": changed,
        "resync": resync,
        "unchanged": unchanged,
        "state_mib": state.stat().st_size / 2**20,
    }


def edit_in_brevo(base_url: str, n: int, share: float) -> int:
    """Edit ``share`` of the N contacts in the mock, as a marketer would (one import
    request: FIRSTNAME changed), and wait until Brevo processed it."""
    import httpx

    step = round(1 / share)
    emails = [f"c{i}@example.com" for i in range(0, n, step)]
    body = "EMAIL;FIRSTNAME\n" + "".join(f"{e};Edited\n" for e in emails)
    with httpx.Client(base_url=base_url, headers={"api-key": KEY}, timeout=120) as http:
        lists = http.get("/contacts/lists", params={"limit": 50}).json()["lists"]
        everyone = next(i["id"] for i in lists if i["name"] == f"{PROGRAM} - All customers")
        answer = http.post(
            "/contacts/import",
            json={"fileBody": body, "updateExistingContacts": True, "listIds": [everyone]},
        )
        answer.raise_for_status()
        process = answer.json()["processId"]
        for _ in range(600):  # bounded: 60 s
            if http.get(f"/processes/{process}").json().get("status") == "completed":
                break
            time.sleep(0.1)
    return len(emails)


def run_drift(n: int, work: Path) -> dict[str, Any]:
    """A plain run on an unchanged account after a first sync, then 1 % edited in Brevo."""
    mock = MockProcess()
    try:
        source = work / f"drift-{n}.csv"
        state = work / f"drift-{n}.sync.db"
        write_source(source, n)
        # Nightly runs are hours apart; here 3 s, just past the 2 s a run reads back
        # before where the last one left off (see _drift.SINCE_MARGIN).
        first = measure("sync", mock.base_url, source, state)
        time.sleep(3)
        plain = measure("sync", mock.base_url, source, state)
        time.sleep(3)
        edited = edit_in_brevo(mock.base_url, n, 0.01)
        repaired = measure("sync", mock.base_url, source, state)
        time.sleep(3)
        after = measure("sync", mock.base_url, source, state)
        reconcile = measure("sync", mock.base_url, source, state, reconcile=True)
    finally:
        mock.close()
    return {
        "n": n,
        "first": first,
        "plain": plain,
        "edited": edited,
        "repaired": repaired,
        "after": after,
        "reconcile": reconcile,
        "state_mib": state.stat().st_size / 2**20,
    }


def drift_table(runs: list[dict[str, Any]]) -> str:
    """The drift runs as Markdown."""
    lines = [
        "| N | run | requests | reads (GET) | writes | rows sent | drift found / repaired "
        "| client CPU s | peak RSS MiB | wall s |",
        "|---:|---|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for run in runs:
        for label, key in (
            ("first sync", "first"),
            ("plain, nothing changed", "plain"),
            (f"plain, {run['edited']} edited in Brevo", "repaired"),
            ("plain, after the repair", "after"),
            ("--reconcile (export)", "reconcile"),
        ):
            r = run[key]
            ops = r.get("by_operation", {})
            reads = sum(v for k, v in ops.items() if k.startswith(("get", "list")))
            drift = f"{sum(r.get('drift', {}).values())} / {sum(r.get('repaired', {}).values())}"
            lines.append(
                f"| {run['n']:,} | {label} | {r['requests']} | {reads} | {r['writes']} | "
                f"{r['rows_sent']} | {drift} | {r['cpu']:.1f} | {r['rss_mib']:.0f} | "
                f"{r['wall']:.1f} |"
            )
    return "\n".join(lines)


def run_anchor(n: int, rounds: int, work: Path) -> list[dict[str, Any]]:
    """Unchanged re-sync: sync vs upsert_customers, interleaved rounds."""
    mock = MockProcess()
    out = []
    try:
        source = work / f"anchor-{n}.csv"
        state = work / f"anchor-{n}.sync.db"
        write_source(source, n)
        measure("sync", mock.base_url, source, state)
        for _ in range(rounds):
            a = measure("sync", mock.base_url, source, state)
            b = measure("upsert_customers", mock.base_url, source, state)
            out.append({"sync": a, "anchor": b})
    finally:
        mock.close()
    return out


def write_small(path: Path, n: int, tag: int) -> None:
    """N customers whose names (and, every third round, points) differ in each round."""
    with path.open("w", encoding="utf-8") as out:
        out.write(HEADER + "\n")
        for i in range(n):
            points = (i * 37 + 1600 * (tag % 3 == 2)) % 4000
            out.write(
                f"p{i}@example.com,P{i:07d},{points},Round{tag}-{i},10.5,2024-01-02,Fashion\n"
            )


def run_per_contact(work: Path, n: int, rounds: int) -> dict[str, Any]:
    """N rows, all changed each round, as per-contact upserts (threshold above N)."""
    mock = MockProcess("--rate-limit", "10", "--fault", "latency=0.25")
    runs = []
    try:
        source = work / "per-contact.csv"
        state = work / "per-contact.sync.db"
        write_small(source, n, 0)
        measure("sync", mock.base_url, source, state, rate=10, threshold=n + 1)  # creates
        for tag in range(1, rounds + 1):
            write_small(source, n, tag)
            result = measure("sync", mock.base_url, source, state, rate=10, threshold=n + 1)
            span = result["upsert_span"]
            result["steady_rate"] = (result["upsert_answers"] - 1) / span if span else 0.0
            runs.append(result)
    finally:
        mock.close()
    return {"n": n, "runs": runs}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS}")
    parser.add_argument(
        "--append", action="store_true", help="with --write: add this run to the earlier ones"
    )
    parser.add_argument("--no-anchor", action="store_true", help="skip the anchor rounds")
    parser.add_argument("--no-per-contact", action="store_true", help="skip the per-contact rounds")
    parser.add_argument("--child", choices=("sync", "upsert_customers"))
    parser.add_argument("--base-url")
    parser.add_argument("--source")
    parser.add_argument("--state")
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--threshold", type=int, default=50)
    parser.add_argument("--per-contact-rows", type=int, default=200)
    parser.add_argument("--only-per-contact", action="store_true")
    parser.add_argument("--reconcile", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--drift",
        action="store_true",
        help="only the drift runs (plain run after a first sync, 1 %% edited in Brevo); prints "
        "a Markdown table",
    )
    args = parser.parse_args()
    if args.child:
        args.how = args.child
        child(args)
        return 0
    if args.drift:
        with tempfile.TemporaryDirectory(prefix="bench-drift-") as tmp:
            runs = []
            for n in args.sizes:
                print(f"drift, size {n} ...", flush=True)
                runs.append(run_drift(n, Path(tmp)))
                print(json.dumps(runs[-1])[:1500], flush=True)
        print(drift_table(runs))
        return 0
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        work = Path(tmp)
        sizes = []
        if args.only_per_contact:
            args.sizes, args.rounds = [], 0
        for n in args.sizes:
            print(f"size {n} ...", flush=True)
            sizes.append(run_size(n, work))
            print(json.dumps(sizes[-1])[:600], flush=True)
        anchor: list[dict[str, Any]] = []
        if args.sizes and not args.no_anchor:
            print("anchor ...", flush=True)
            anchor = run_anchor(min(args.sizes), args.rounds, work)
        per_contact: dict[str, Any] = {"n": args.per_contact_rows, "runs": []}
        if not args.no_per_contact:
            print("per-contact ...", flush=True)
            per_contact = run_per_contact(work, args.per_contact_rows, max(args.rounds, 3))
            print(json.dumps(per_contact)[:2000], flush=True)
    text = report(sizes, anchor, per_contact, time.perf_counter() - started, argv=sys.argv[1:])
    print(text)
    if args.write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
        RESULTS.write_text(merge(old, text, append=args.append), encoding="utf-8")
        print(f"wrote {RESULTS}")
    return 0


def merge(old: str, run: str, *, append: bool) -> str:
    """The results file with ``run`` written between the markers; the notes kept.

    A file without markers (or no file) keeps its whole old text as notes after the end
    marker, so nothing written by hand is ever lost.
    """
    if BEGIN in old and END in old:
        _, rest = old.split(BEGIN, 1)
        runs, notes = rest.split(END, 1)
        runs = runs.strip("\n") + "\n\n" + run if append and runs.strip() else run
    else:
        body = old.split("\n", 1)[1] if old.startswith(TITLE) else old
        notes = "\n" + body.strip("\n") + "\n" if body.strip() else "\n"
        runs = run
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    intro = INTRO.format(date=f"{datetime.now(UTC):%Y-%m-%d}", machine=machine)
    head = f"{TITLE}\n\n{intro}\n\n"  # generated too: the title and where the runs are
    if not notes.startswith("\n"):
        notes = "\n" + notes
    return f"{head}{BEGIN}\n\n{runs.strip(chr(10))}\n\n{END}{notes}"


def report(
    sizes: list[dict[str, Any]],
    anchor: list[dict[str, Any]],
    per_contact: dict[str, Any],
    seconds: float,
    *,
    argv: list[str] | None = None,
) -> str:
    now = datetime.now(UTC)
    shown = " ".join(a for a in (argv or []) if a not in ("--write", "--append"))
    lines = [
        f"## Run of {now:%Y-%m-%d %H:%M} UTC: "
        + (", ".join(f"{s['n']:,}" for s in sizes) or "no sizes")
        + " rows",
        "",
        f"`python bench/bench_sync.py {shown}`".replace(" `", "`") + f" on {now:%Y-%m-%d}, "
        f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
        f"mock in its own process on loopback; {seconds / 60:.0f} min in all. Sizes run: "
        + (", ".join(f"{s['n']:,}" for s in sizes) or "none")
        + ".",
        "",
        "Client CPU (user + system) and peak RSS of the process that ran the sync; writes "
        "are every request but GET (provisioning included on a first sync).",
        "",
        "| rows | step | rows sent | writes | writes per 5,000 rows | requests | CPU (s) "
        "| peak RSS (MiB) | wall (s) |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in sizes:
        for step, label in (
            ("first", "first sync"),
            ("resync", f"1 % changed ({s['changed']:,} rows)"),
            ("unchanged", "unchanged"),
        ):
            r = s[step]
            per = r["writes"] / s["n"] * 5000
            lines.append(
                f"| {s['n']:,} | {label} | {r['rows_sent']:,} | {r['writes']:,} | {per:.2f} "
                f"| {r['requests']:,} | {r['cpu']:.1f} | {r['rss_mib']:.0f} | {r['wall']:.1f} |"
            )
    lines += [
        "",
        "State file size: "
        + ", ".join(f"{s['n']:,} rows {s['state_mib']:.1f} MiB" for s in sizes)
        + ".",
    ]
    if anchor:
        n = sizes[0]["n"] if sizes else 0
        cpu = [r["anchor"]["cpu"] / max(r["sync"]["cpu"], 1e-9) for r in anchor]
        writes_sync = [r["sync"]["writes"] for r in anchor]
        writes_anchor = [r["anchor"]["writes"] for r in anchor]
        sent_anchor = [r["anchor"]["rows_sent"] for r in anchor]
        lines += [
            "",
            f"### Unchanged re-sync of {min(s['n'] for s in sizes):,} rows: sync vs the anchor",
            "",
            "Anchor: `upsert_customers` (the same engine with a throwaway state: what a "
            f"caller without a state file gets). {len(anchor)} interleaved rounds.",
            "",
            "| | sync (median) | anchor (median) | anchor / sync (median, min-max) |",
            "|---|---:|---:|---:|",
            f"| client CPU (s) | {statistics.median(r['sync']['cpu'] for r in anchor):.2f} | "
            f"{statistics.median(r['anchor']['cpu'] for r in anchor):.2f} | "
            f"{statistics.median(cpu):.1f}x ({min(cpu):.1f}-{max(cpu):.1f}) |",
            f"| writes | {statistics.median(writes_sync):.0f} | "
            f"{statistics.median(writes_anchor):.0f} | - |",
            f"| rows sent | 0 | {statistics.median(sent_anchor):,.0f} of {n:,} | - |",
        ]
    runs = per_contact["runs"]
    rates = [r["steady_rate"] for r in runs]
    if not runs:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        "### Per-contact path at 10 requests/s with 250 ms latency",
        "",
        f"{per_contact['n']} customers, all changed in each of {len(runs)} rounds (a fresh "
        "process each), sent as per-contact upserts (the import threshold set above the "
        "row count), 8 concurrent; mock limited to 10 requests/s with 250 ms added to each "
        "answer, client at 10 requests/s. Steady rate: upsert answers between the first "
        "and the last, i.e. without process start, provisioning check and reading the "
        "source.",
        "",
        "| round | upserts | requests | wall (s) | upsert span (s) | upserts/s (steady) | 429 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, r in enumerate(runs, start=1):
        lines.append(
            f"| {i} | {r['upsert_answers']} | {r['requests']} | {r['wall']:.1f} "
            f"| {r['upsert_span']:.1f} | {r['steady_rate']:.2f} | {r['rate_limited']} |"
        )
    if rates:
        lines += [
            "",
            f"Median {statistics.median(rates):.2f} upserts/s (min {min(rates):.2f}, max "
            f"{max(rates):.2f}); 429s: {sum(r['rate_limited'] for r in runs)}.",
            "",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
