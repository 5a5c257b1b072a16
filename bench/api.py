"""`python -m bench.api`: requests/s and latency of the JSON API under load, over real HTTP.

Takes an archive that `seed_demo` filled (DATABASE_URL, or the SQLite file in FREIGHTCRM_DATA_DIR;
with `--customers N` an empty archive is seeded first), issues a token for the demo user `manager`
(who sees every customer, with finance), starts gunicorn on a loopback port, and drives it with
`wrk` for `--duration` seconds at `--connections` concurrent connections against

* **detail**: `GET /api/v1/customers/{code}` rotating over thousands of different customers, and
* **list**: `GET /api/v1/customers?...` with mixed searches (two Chinese characters, pinyin initials,
  phone digits, codes, contacts' names) and filters, several pages and orderings.

It reports requests/s, p50/p95/p99 latency and errors (non-2xx answers and socket errors) per
endpoint into `bench/results/api-<vendor>-<date>.json`, with the machine, the software and the sizes.
The token is revoked at the end. Goal (issue 3): detail >= 300 requests/s, p95 <= 100 ms, no errors,
on 2 cores. The load generator runs on the same 2 cores as the server: the figures include its cost.

    FREIGHTCRM_DATA_DIR=/tmp/apibench python -m bench.api
    DATABASE_URL=postgres://postgres@127.0.0.1/freightcrm_1m python -m bench.api --duration 60

Why wrk: a C load generator, light enough to share two cores with the server (a Python one such as
locust would take a core of its own to make a few hundred requests a second); a Lua script rotates
the paths and sets the Authorization header.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from bench.common import ROOT, machine_info, setup_django, write_result

BIN = Path(sys.executable).parent
GOAL = {"endpoint": "detail", "min_requests_per_s": 300, "max_p95_ms": 100, "max_errors": 0}

# Rotates over the paths file, one Lua state per wrk thread (each starts at its own offset), and
# prints wrk's own figures as one JSON line at the end.
WRK_SCRIPT = r"""
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
wrk.headers["Accept"] = "application/json"

local thread_count = 0
function setup(thread)
  thread:set("offset", thread_count * 7919)
  thread_count = thread_count + 1
end

local counter = 0
function init(args)
  counter = (offset or 0) % #paths
end

function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean))
end
"""


def manage(*args: str) -> None:
    subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], check=True, cwd=ROOT)


def ensure_wrk() -> str:
    """Debian's wrk, installed the way the Makefile installs chromium when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("Installing Debian's wrk for the API benchmark", flush=True)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=environment)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("wrk is not installed and could not be installed.")
    return found


def prepare_archive(customers: int | None) -> dict[str, int]:
    """Migrate (the token table may be new), seed when empty and asked to, fill the search index."""
    manage("migrate", "--noinput", "-v", "0")
    from django.db import connections

    from freightcrm.customers.models import Contact, Customer, SearchTerm
    from freightcrm.shipments.models import Shipment

    if not Customer.objects.exists():
        if not customers:
            raise SystemExit("The archive is empty: pass --customers N to seed it, or run seed_demo.")
        # The seed takes the SQLite file for itself (bulk-load settings): let go of ours first.
        connections.close_all()
        manage("seed_demo", "--customers", str(customers), "--seed", "7", "--with-users", "--no-progress")
    if not SearchTerm.objects.exists():
        manage("rebuild_search_index", "--if-empty", "--no-progress")
    return {
        "customers": Customer.objects.count(),
        "contacts": Contact.objects.count(),
        "shipments": Shipment.objects.count(),
        "search_terms": SearchTerm.objects.count(),
    }


def sample_customers(count: int, rng: random.Random) -> list[Any]:
    """About `count` customers spread over the id range, without ORDER BY random() on a big table."""
    from freightcrm.customers.models import Customer

    ids = Customer.objects.order_by("pk").values_list("pk", flat=True)
    low, high = ids.first(), ids.last()
    assert low is not None and high is not None
    wanted = sorted(rng.sample(range(low, high + 1), min(count, high - low + 1)))
    picked: list[Any] = []
    for start in range(0, len(wanted), 500):
        picked += Customer.objects.filter(pk__in=wanted[start : start + 500]).prefetch_related("contacts")
    rng.shuffle(picked)
    return picked


def detail_paths(customers: list[Any]) -> list[str]:
    return [f"/api/v1/customers/{quote(customer.code)}" for customer in customers]


def list_paths(customers: list[Any], rng: random.Random, count: int) -> list[str]:
    """Searches and filters the way staff and integrations use the list, drawn from real rows."""
    from pypinyin import lazy_pinyin

    from freightcrm.customers.search import ORDERINGS, fold, name_stem_length

    queries: list[dict[str, Any]] = []
    for customer in customers:
        name = fold(customer.name).replace("-", "")
        stem = name[: name_stem_length(name)]
        choices: list[dict[str, Any]] = [{}, {"kind": customer.kind}, {"status": customer.status}]
        if customer.province:
            choices.append({"region": customer.province, "page": rng.randint(1, 3)})
        if len(stem) >= 2 and not stem.isascii():
            start = rng.randrange(len(stem) - 1)
            choices.append({"q": stem[start : start + 2]})
            choices.append({"q": "".join(piece[0] for piece in lazy_pinyin(stem)[:3])})
        if customer.mobile:
            choices.append({"q": customer.mobile[-4:]})
        choices.append({"q": customer.code})
        contacts = list(customer.contacts.all())
        if contacts:
            choices.append({"q": rng.choice(contacts).name})
        params = rng.choice(choices)
        if rng.random() < 0.3:
            params["ordering"] = rng.choice(ORDERINGS)
        if rng.random() < 0.2:
            params["page_size"] = 50
        queries.append(params)
        if len(queries) >= count:
            break
    return ["/api/v1/customers" + (f"?{urlencode(params)}" if params else "") for params in queries]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(args: argparse.Namespace, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "gunicorn"),
        "freightcrm.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--threads",
        str(args.threads),
        "--worker-class",
        "gthread",
        "--backlog",
        "512",
        "--log-level",
        "warning",
    ]
    environment = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT)


def fetch(url: str, token: str) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback only
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_serving(base: str, token: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn stopped:\n{log.read_text()[-2000:]}")
        try:
            if fetch(f"{base}/api/v1/customers?page_size=1", token)[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise SystemExit(f"gunicorn did not answer within 60 s:\n{log.read_text()[-2000:]}")


def check_paths(base: str, token: str, paths: list[str]) -> None:
    """Every kind of path answers 200 with JSON before load is put on it (and warms the workers)."""
    for path in paths:
        status, body = fetch(base + path, token)
        if status != 200:
            raise SystemExit(f"{path} answered {status}: {body[:300]!r}")
        json.loads(body)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_figures(share: dict[str, float], figures: dict[str, Any]) -> dict[str, Any]:
    """CPU per request is what other processes on a shared machine cannot distort; the ceiling is
    what all cores would serve if the server had them to itself (and the load generator none)."""
    cores = os.cpu_count() or 1
    seconds = figures["requests"] / max(figures["requests_per_s"], 0.001)
    cpu_ms = share["server_pct"] / 100 * cores * seconds * 1000 / max(1, figures["requests"])
    return {
        "cpu_share": share,
        "server_cpu_ms_per_request": round(cpu_ms, 2),
        "cpu_bound_ceiling_requests_per_s": round(cores * 1000 / max(cpu_ms, 0.01), 1),
    }


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) CPU ticks of the whole machine since boot, from /proc/stat."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def _process_tree_ticks(pid: int) -> int:
    """User + system ticks of a live process and its live children (gunicorn's master and workers)."""
    total = 0
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(stat[11]) + int(stat[12])
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return total
    return total + sum(_process_tree_ticks(int(child)) for child in children)


def _database_ticks() -> int:
    """Ticks of the live PostgreSQL processes (backends that exit in between are not counted)."""
    total = 0
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            name, rest = stat_file.read_text().split(") ", 1)
        except OSError:
            continue
        if name.endswith("(postgres"):
            fields = rest.split()
            total += int(fields[11]) + int(fields[12])
    return total


class CpuShare:
    """Where the machine's CPU went during a load run: the server, wrk, or anything else.

    On a shared machine "anything else" explains low figures; it should be near 0 for a clean run.
    """

    def __init__(self, server_pid: int) -> None:
        self.server_pid = server_pid
        self.machine = _machine_ticks()
        self.server = _process_tree_ticks(server_pid)
        self.database = _database_ticks()
        usage = os.times()
        self.children = usage.children_user + usage.children_system

    def result(self) -> dict[str, float]:
        busy, total = (now - then for now, then in zip(_machine_ticks(), self.machine, strict=True))
        server = _process_tree_ticks(self.server_pid) - self.server
        database = max(0, _database_ticks() - self.database)
        usage = os.times()
        load_generator = (usage.children_user + usage.children_system - self.children) * TICKS
        capacity = max(total, 1)
        return {
            "machine_busy_pct": round(100 * busy / capacity, 1),
            "server_pct": round(100 * server / capacity, 1),
            "wrk_pct": round(100 * load_generator / capacity, 1),
            "postgresql_pct": round(100 * database / capacity, 1),
            "other_processes_pct": round(
                100 * max(0.0, busy - server - load_generator - database) / capacity, 1
            ),
        }


def run_wrk(
    wrk: str, base: str, token: str, paths: list[str], args: argparse.Namespace, workdir: Path, name: str
) -> dict[str, Any]:
    paths_file = workdir / f"{name}.paths"
    paths_file.write_text("\n".join(paths) + "\n")
    script = workdir / "rotate.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        wrk,
        "--threads",
        str(args.wrk_threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{args.duration}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        base,
    ]
    environment = {**os.environ, "BENCH_PATHS": str(paths_file), "BENCH_TOKEN": token}
    done = subprocess.run(command, env=environment, capture_output=True, text=True, check=True)
    line = next(line for line in done.stdout.splitlines() if line.startswith("BENCH_JSON "))
    raw = json.loads(line.removeprefix("BENCH_JSON "))
    seconds = raw["duration_us"] / 1e6
    socket_errors = raw["connect"] + raw["read"] + raw["write"] + raw["timeout"]
    return {
        "paths": len(paths),
        "requests": raw["requests"],
        "requests_per_s": round(raw["requests"] / seconds, 1),
        "latency_ms": {
            key: round(raw[f"{key}_us"] / 1000, 2) for key in ("p50", "p90", "p95", "p99", "max", "mean")
        },
        "errors": {
            "total": raw["status"] + socket_errors,
            "non_2xx": raw["status"],
            "socket": {key: raw[key] for key in ("connect", "read", "write", "timeout")},
        },
        "transfer_mb_per_s": round(raw["bytes"] / seconds / 1e6, 2),
        "wrk_output": done.stdout.strip().splitlines()[:12],
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from freightcrm.api.services import api_token_issue, api_token_revoke

    wrk = ensure_wrk()
    sizes = prepare_archive(args.customers)
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(f"warning: the machine is busy (load {load_before:.2f}); the figures will be low", flush=True)
    rng = random.Random(args.seed)
    try:
        user = get_user_model().objects.get(username=args.user)
    except get_user_model().DoesNotExist as exc:
        raise SystemExit(f"No user {args.user!r}: seed with --with-users.") from exc
    customers = sample_customers(args.sample, rng)
    paths = {
        "detail": detail_paths(customers),
        "list": list_paths(customers, rng, args.list_paths),
    }
    issued = api_token_issue(user=user, name=f"bench.api {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M}")
    connection.close()  # the server's processes open their own
    port = args.port or free_port()
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as folder:
        workdir = Path(folder)
        log = workdir / "gunicorn.log"
        server = start_server(args, port, log)
        try:
            wait_until_serving(base, issued.value, server, log)
            for endpoint in args.endpoints:
                check_paths(base, issued.value, paths[endpoint][:: max(1, len(paths[endpoint]) // 40)])
                print(f"{endpoint}: {args.duration} s at {args.connections} connections …", flush=True)
                cpu = CpuShare(server.pid)
                results[endpoint] = run_wrk(wrk, base, issued.value, paths[endpoint], args, workdir, endpoint)
                results[endpoint].update(cpu_figures(cpu.result(), results[endpoint]))
                figures = results[endpoint]
                print(
                    f"  {figures['requests_per_s']} requests/s, p50 {figures['latency_ms']['p50']} ms, "
                    f"p95 {figures['latency_ms']['p95']} ms, p99 {figures['latency_ms']['p99']} ms, "
                    f"errors {figures['errors']['total']}; "
                    f"server CPU {figures['server_cpu_ms_per_request']} ms a request; {figures['cpu_share']}",
                    flush=True,
                )
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            server_log = log.read_text(errors="replace").strip().splitlines()[-20:]
            api_token_revoke(prefix=issued.token.prefix)
    detail = results.get("detail")
    met = None
    if detail is not None:
        met = (
            detail["requests_per_s"] >= GOAL["min_requests_per_s"]
            and detail["latency_ms"]["p95"] <= GOAL["max_p95_ms"]
            and detail["errors"]["total"] <= GOAL["max_errors"]
        )
    wrk_version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout.splitlines()
    return {
        "benchmark": "api",
        "machine": machine_info(),
        "database": connection.vendor,
        "sizes": {**sizes, "detail_codes": len(paths["detail"]), "list_paths": len(paths["list"])},
        "server": {
            "program": "gunicorn",
            "worker_class": "gthread",
            "workers": args.workers,
            "threads": args.threads,
            "log_tail": server_log,
        },
        "load": {
            "tool": wrk_version[0] if wrk_version else "wrk",
            "threads": args.wrk_threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "user": args.user,
            "load_average_1m_before": round(load_before, 2),
        },
        "goal": {**GOAL, "met": met},
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=int, default=60, help="seconds of load per endpoint (default 60)")
    parser.add_argument("--connections", type=int, default=20, help="concurrent connections (default 20)")
    parser.add_argument(
        "--customers", type=int, default=None, help="seed this many when the archive is empty"
    )
    parser.add_argument("--endpoints", nargs="+", choices=("detail", "list"), default=["detail", "list"])
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads (default 1: the cores are the server's)"
    )
    parser.add_argument("--sample", type=int, default=2000, help="different customers to rotate over")
    parser.add_argument("--list-paths", type=int, default=600, help="different list requests to rotate over")
    parser.add_argument("--user", default="manager", help="whose token drives the load (default manager)")
    parser.add_argument("--port", type=int, default=0, help="loopback port (default: a free one)")
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--label", default="", help="added to the result file's name")
    args = parser.parse_args()
    result = run(args)
    label = f"-{args.label}" if args.label else ""
    path = write_result(f"api-{result['database']}{label}", result)
    print(f"goal met: {result['goal']['met']}; written to {path}")


if __name__ == "__main__":
    main()
