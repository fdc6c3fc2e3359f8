#!/usr/bin/env python3
"""Runs one queue workload through popular Redis job queues (BullMQ's Python
client, dramatiq, rq) and prints comparable figures as one JSON object.

    python peers.py --redis-url URL [--peers bullmq,dramatiq,rq] [--jobs N]
                    [--payload-bytes B] [--workers W] [--runs R] [--timeout S]

Run it with the python of the venv made by setup-venv.sh. See README.md.

Each run of each peer happens in a child process of its own (this same file with
--internal-run), so that no peer's threads, event loops or imports leak into the
next. Progress goes to stderr; stdout carries only the final JSON. On failure
the last stderr line is a one-line error and the exit status is 1.

This module is also imported by rq's workers (as module "peers", for
rq_handle), so its top level imports only cheap standard modules.
"""

import json
import os
import sys
import time

PROG = "peers.py"
DEFAULT_PEERS = ("bullmq", "dramatiq", "rq")
# "rq" runs rq's SimpleWorker (the job runs in the worker process, as in the other
# peers); "rq-fork" runs rq's default Worker, which forks a child per job. rq-fork
# is selectable but not in the default set (see README.md).
ALL_PEERS = DEFAULT_PEERS + ("rq-fork",)
DISTRIBUTIONS = {"bullmq": "bullmq", "dramatiq": "dramatiq", "rq": "rq", "rq-fork": "rq"}
QUEUE = "bench"
LEDGER_ENV = "PEERS_BENCH_LEDGER"
# Commands that run scripts or manage them; "excluding scripts" leaves these out
# (the commands the scripts run inside Redis are still counted).
SCRIPT_COMMANDS = ("eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro")
SCRIPT_COMMAND_PREFIXES = ("script|", "function|")
RESULT_KEYS = (
    "enqueueSeconds",
    "drainSeconds",
    "enqueuedPerSecond",
    "drainedPerSecond",
    "commandsPerJobEnqueue",
    "commandsPerJobDrain",
    "commandsPerJobTotal",
    "commandsPerJobTotalExcludingScripts",
    "redisCpuMicrosecondsPerJob",
    "missing",
    "duplicates",
)


class BenchError(Exception):
    """A failure reported as one line."""


def log(msg):
    print(f"peers: {msg}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# URL check


def check_redis_url(url):
    """Only a loopback TCP address or a unix socket: the benchmark FLUSHALLs."""
    import ipaddress
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = parts.hostname
    except ValueError as e:
        raise BenchError(f"invalid --redis-url {url!r}: {e}")
    if scheme == "unix":
        if not parts.path:
            raise BenchError(f"--redis-url {url!r} names no socket path")
        return
    if scheme not in ("redis", "rediss"):
        raise BenchError(f"--redis-url must be redis://, rediss:// or unix://, got {url!r}")
    if not host:
        raise BenchError(f"--redis-url {url!r} names no host")
    if host.lower() == "localhost":
        return
    try:
        if ipaddress.ip_address(host).is_loopback:
            return
    except ValueError:
        pass
    raise BenchError(f"refusing --redis-url {url!r}: only a loopback address or a unix socket (the benchmark runs FLUSHALL)")


# ---------------------------------------------------------------------------
# Redis measurement (child side)


class Meter:
    """CONFIG RESETSTAT + INFO cpu before a phase; INFO commandstats + INFO cpu after."""

    def __init__(self, url):
        import redis

        self.r = redis.Redis.from_url(url, decode_responses=True)

    def server_version(self):
        return self.r.info("server")["redis_version"]

    def flushall(self):
        self.r.flushall()

    def _cpu(self):
        info = self.r.info("cpu")
        return float(info["used_cpu_sys"]) + float(info["used_cpu_user"])

    def begin(self):
        self.cpu0 = self._cpu()
        self.r.config_resetstat()

    def end(self):
        stats = self.r.info("commandstats")
        cpu = self._cpu() - self.cpu0
        calls = {}
        for key, value in stats.items():
            name = key[len("cmdstat_"):] if key.startswith("cmdstat_") else key
            calls[name] = int(value["calls"]) if isinstance(value, dict) else 0
        # Our own CONFIG RESETSTAT is counted once after the reset.
        if calls.get("config|resetstat"):
            calls["config|resetstat"] -= 1
        calls = {k: v for k, v in calls.items() if v}
        total = sum(calls.values())
        scripts = sum(v for k, v in calls.items() if k in SCRIPT_COMMANDS or k.startswith(SCRIPT_COMMAND_PREFIXES))
        return {"calls": total, "callsExcludingScripts": total - scripts, "cpuSeconds": cpu, "byCommand": calls}


class Timing:
    """Collects the two phases: begin() starts the meter then the clock; end() stops the clock then reads the meter."""

    def __init__(self, meter):
        self.meter = meter
        self.phases = {}

    def begin(self, phase):
        self.meter.begin()
        self.phases[phase] = {"t0": time.perf_counter()}

    def end(self, phase):
        p = self.phases[phase]
        if "seconds" in p:
            return
        p["seconds"] = time.perf_counter() - p["t0"]
        p.update(self.meter.end())


# ---------------------------------------------------------------------------
# Peers. Each has enqueue(n, payload, timing) -> [job id] and
# drain(n, workers, timeout, timing) -> [(job id, payload length)] (the ledger),
# calling timing.begin("drain") before starting its consumers and
# timing.end("drain") as soon as all n jobs are acknowledged/completed, before
# shutting the consumers down.


def run_bullmq(url, n, payload, workers, timeout, timing):
    """One Worker (asyncio) with concurrency=workers; Queue.add per job."""
    import asyncio
    from bullmq import Queue, Worker

    ledger = []

    async def enqueue():
        queue = Queue(QUEUE, {"connection": url})
        timing.begin("enqueue")
        ids = []
        for _ in range(n):
            job = await queue.add("job", payload)
            ids.append(job.id)
        timing.end("enqueue")
        await queue.close()
        return ids

    async def drain():
        done = asyncio.Event()
        completed = set()

        async def process(job, token):
            ledger.append((job.id, len(job.data)))
            return None

        def on_completed(job, result):
            completed.add(job.id)
            if len(completed) >= n:
                done.set()

        def on_error(err, *rest):
            log(f"bullmq worker error: {err!r}")

        timing.begin("drain")
        worker = Worker(QUEUE, process, {"connection": url, "concurrency": workers, "autorun": False})
        worker.on("completed", on_completed)
        worker.on("error", on_error)
        runner = asyncio.ensure_future(worker.run())
        try:
            await asyncio.wait_for(done.wait(), timeout)
            timing.end("drain")
        except asyncio.TimeoutError:
            timing.end("drain")
            log(f"bullmq: drain timed out after {timeout} s with {len(completed)} of {n} completed")
        await worker.close()
        try:
            await asyncio.wait_for(runner, 30)
        except Exception:
            pass

    ids = asyncio.run(enqueue())
    asyncio.run(drain())
    return ids, ledger


def run_dramatiq(url, n, payload, workers, timeout, timing):
    """One dramatiq Worker (in this process) with worker_threads=workers; actor.send per job."""
    import threading

    import dramatiq
    from dramatiq.brokers.redis import RedisBroker
    from dramatiq.middleware import CurrentMessage, Middleware

    ledger = []
    ledger_lock = threading.Lock()
    done = threading.Event()
    acked = set()

    class Acked(Middleware):
        def after_ack(self, broker, message):
            with ledger_lock:
                acked.add(message.message_id)
                if len(acked) >= n:
                    done.set()

    broker = RedisBroker(url=url)
    broker.add_middleware(CurrentMessage())
    broker.add_middleware(Acked())
    dramatiq.set_broker(broker)

    def handle(payload):
        message = CurrentMessage.get_current_message()
        with ledger_lock:
            ledger.append((message.message_id, len(payload)))

    actor = dramatiq.actor(handle, actor_name="peers_bench_handle", queue_name=QUEUE, broker=broker)

    timing.begin("enqueue")
    ids = [actor.send(payload).message_id for _ in range(n)]
    timing.end("enqueue")

    timing.begin("drain")
    worker = dramatiq.Worker(broker, worker_threads=workers)
    worker.start()
    if done.wait(timeout):
        timing.end("drain")
    else:
        timing.end("drain")
        log(f"dramatiq: drain timed out after {timeout} s with {len(acked)} of {n} acknowledged")
    worker.stop(timeout=30_000)
    broker.close()
    with ledger_lock:
        return ids, list(ledger)


def rq_handle(payload):
    """rq's job function: appends "<job id> <payload length>" to the ledger file."""
    from rq import get_current_job

    line = f"{get_current_job().id} {len(payload)}\n".encode()
    fd = os.open(os.environ[LEDGER_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, line)
    finally:
        os.close(fd)


def run_rq(url, n, payload, workers, timeout, timing, worker_class="rq.SimpleWorker"):
    """`rq worker --burst` x workers as subprocesses; Queue.enqueue per job."""
    import subprocess
    import tempfile

    from redis import Redis
    from rq import Queue

    here = os.path.dirname(os.path.abspath(__file__))
    scratch = tempfile.mkdtemp(prefix="peers-rq-")
    ledger_path = os.path.join(scratch, "ledger")
    open(ledger_path, "w").close()

    queue = Queue(QUEUE, connection=Redis.from_url(url))
    timing.begin("enqueue")
    ids = [queue.enqueue("peers.rq_handle", payload).id for _ in range(n)]
    timing.end("enqueue")

    env = dict(os.environ)
    env[LEDGER_ENV] = ledger_path
    env["PYTHONPATH"] = here + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    command = [sys.executable, "-m", "rq.cli", "worker", "--burst", "--quiet", "--url", url,
               "--worker-class", worker_class, QUEUE]
    logs = [open(os.path.join(scratch, f"worker-{i}.log"), "wb") for i in range(workers)]
    timing.begin("drain")
    procs = [subprocess.Popen(command, env=env, cwd=here, stdin=subprocess.DEVNULL, stdout=f, stderr=subprocess.STDOUT)
             for f in logs]
    deadline = time.monotonic() + timeout
    failed = []
    for i, p in enumerate(procs):
        try:
            rc = p.wait(max(0.1, deadline - time.monotonic()))
            if rc != 0:
                failed.append((i, f"exit status {rc}"))
        except subprocess.TimeoutExpired:
            failed.append((i, "timed out"))
    timing.end("drain")
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    for f in logs:
        f.close()
    for i, why in failed:
        with open(os.path.join(scratch, f"worker-{i}.log"), "rb") as f:
            tail = f.read().decode(errors="replace").strip().splitlines()[-5:]
        log(f"rq worker {i}: {why}" + "".join(f"\n    {line}" for line in tail))

    ledger = []
    with open(ledger_path) as f:
        for line in f:
            job_id, _, length = line.strip().partition(" ")
            if job_id:
                ledger.append((job_id, int(length or -1)))
    for name in os.listdir(scratch):
        os.unlink(os.path.join(scratch, name))
    os.rmdir(scratch)
    return ids, ledger


RUNNERS = {
    "bullmq": run_bullmq,
    "dramatiq": run_dramatiq,
    "rq": run_rq,
    "rq-fork": lambda *a: run_rq(*a, worker_class="rq.Worker"),
}


def make_payload(size):
    """A JSON-able ASCII string of exactly `size` bytes."""
    return ("payload:" + "x" * size)[:size]


def internal_run(args):
    """Child: one run of one peer; returns the run's figures (plus 'detail' for the log)."""
    peer = args.internal_run
    n = args.jobs
    payload = make_payload(args.payload_bytes)
    meter = Meter(args.redis_url)
    meter.flushall()
    timing = Timing(meter)
    ids, ledger = RUNNERS[peer](args.redis_url, n, payload, args.workers, args.timeout, timing)

    expected = set(ids)
    if len(expected) != len(ids):
        raise BenchError(f"{peer}: the producer returned {len(ids) - len(expected)} duplicate job ids")
    seen = set()
    duplicates = unexpected = bad_payloads = 0
    for job_id, length in ledger:
        if job_id in seen:
            duplicates += 1
        seen.add(job_id)
        if job_id not in expected:
            unexpected += 1
        if length != args.payload_bytes:
            bad_payloads += 1
    missing = len(expected - seen)
    if unexpected:
        raise BenchError(f"{peer}: {unexpected} processed job ids were never enqueued")
    if bad_payloads:
        raise BenchError(f"{peer}: {bad_payloads} jobs got a payload of the wrong size")

    enq, drn = timing.phases["enqueue"], timing.phases["drain"]
    result = {
        "enqueueSeconds": enq["seconds"],
        "drainSeconds": drn["seconds"],
        "enqueuedPerSecond": n / enq["seconds"],
        "drainedPerSecond": n / drn["seconds"],
        "commandsPerJobEnqueue": enq["calls"] / n,
        "commandsPerJobDrain": drn["calls"] / n,
        "commandsPerJobTotal": (enq["calls"] + drn["calls"]) / n,
        "commandsPerJobTotalExcludingScripts": (enq["callsExcludingScripts"] + drn["callsExcludingScripts"]) / n,
        "redisCpuMicrosecondsPerJob": (enq["cpuSeconds"] + drn["cpuSeconds"]) * 1e6 / n,
        "missing": missing,
        "duplicates": duplicates,
    }
    top = {}
    for phase, p in (("enqueue", enq), ("drain", drn)):
        by = sorted(p["byCommand"].items(), key=lambda kv: -kv[1])
        top[phase] = " ".join(f"{k}={v / n:.2f}" for k, v in by[:10])
    return {"result": result, "detail": top}


# ---------------------------------------------------------------------------
# Parent


def rounded(result):
    out = {}
    for k in RESULT_KEYS:
        v = result[k]
        if k in ("missing", "duplicates"):
            out[k] = int(v) if float(v).is_integer() else v
        elif k.endswith("Seconds"):
            out[k] = round(v, 4)
        else:
            out[k] = round(v, 2)
    return out


def peer_version(peer):
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(DISTRIBUTIONS[peer])
    except PackageNotFoundError:
        raise BenchError(f"{DISTRIBUTIONS[peer]} is not installed in {sys.prefix} (run setup-venv.sh and use its python)")


def run_child(args, peer, run):
    import subprocess

    command = [sys.executable, os.path.abspath(__file__), "--internal-run", peer,
               "--redis-url", args.redis_url, "--jobs", str(args.jobs), "--payload-bytes", str(args.payload_bytes),
               "--workers", str(args.workers), "--timeout", str(args.timeout)]
    try:
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              timeout=2 * args.timeout + 120)
    except subprocess.TimeoutExpired:
        raise BenchError(f"{peer} run {run}: did not finish within {2 * args.timeout + 120} s")
    lines = proc.stdout.decode(errors="replace").strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise BenchError(f"{peer} run {run}: the child exited with status {proc.returncode} and no result")
    if "error" in answer:
        raise BenchError(f"{peer} run {run}: {answer['error']}")
    return answer


def main_parent(args):
    import statistics

    import redis

    peers = [p.strip() for p in args.peers.split(",") if p.strip()]
    for p in peers:
        if p not in ALL_PEERS:
            raise BenchError(f"unknown peer {p!r} (known: {', '.join(ALL_PEERS)})")
    if len(set(peers)) != len(peers):
        raise BenchError("--peers names a peer twice")
    try:
        server = redis.Redis.from_url(args.redis_url, decode_responses=True)
        redis_version = server.info("server")["redis_version"]
        server.close()
    except redis.RedisError as e:
        raise BenchError(f"cannot reach Redis at {args.redis_url}: {e}")

    log(f"redis {redis_version} at {args.redis_url}; jobs={args.jobs} payloadBytes={args.payload_bytes} "
        f"workers={args.workers} runs={args.runs}")
    out = {"redis": redis_version, "jobs": args.jobs, "payloadBytes": args.payload_bytes,
           "workers": args.workers, "peers": []}
    for peer in peers:
        version = peer_version(peer)
        runs = []
        for run in range(1, args.runs + 1):
            log(f"{peer} {version} run {run}/{args.runs} ...")
            answer = run_child(args, peer, run)
            r = answer["result"]
            log(f"{peer} run {run}: enqueue {r['enqueueSeconds']:.2f} s ({r['enqueuedPerSecond']:.0f}/s), "
                f"drain {r['drainSeconds']:.2f} s ({r['drainedPerSecond']:.0f}/s), "
                f"commands/job {r['commandsPerJobEnqueue']:.1f}+{r['commandsPerJobDrain']:.1f} "
                f"(excl. scripts {r['commandsPerJobTotalExcludingScripts']:.1f}), "
                f"redis cpu {r['redisCpuMicrosecondsPerJob']:.0f} us/job, duplicates {r['duplicates']}")
            for phase, text in answer.get("detail", {}).items():
                log(f"    {phase} commands/job: {text}")
            if r["missing"]:
                raise BenchError(f"{peer} run {run}: {r['missing']} of {args.jobs} jobs missing "
                                 f"(not processed within --timeout {args.timeout} s)")
            runs.append(rounded(r))
        median = {k: statistics.median([r[k] for r in runs]) for k in RESULT_KEYS}
        out["peers"].append({"peer": peer, "version": version, "runs": runs, "median": rounded(median)})
    return out


def parse_args(argv):
    import argparse

    def positive(text):
        v = int(text)
        if v < 1:
            raise argparse.ArgumentTypeError("must be at least 1")
        return v

    def non_negative(text):
        v = int(text)
        if v < 0:
            raise argparse.ArgumentTypeError("must be at least 0")
        return v

    class Parser(argparse.ArgumentParser):
        def error(self, message):  # one line, status 1 (argparse's own: usage + status 2)
            print(f"{PROG}: error: {message}", file=sys.stderr)
            sys.exit(1)

    ap = Parser(prog=PROG, description="Runs one queue workload through BullMQ (Python), dramatiq and rq.")
    ap.add_argument("--redis-url", required=True, help="redis://127.0.0.1:PORT[/DB] or unix:///path/redis.sock; it is FLUSHALLed")
    ap.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                    help=f"comma-separated, of {', '.join(ALL_PEERS)} (default: %(default)s)")
    ap.add_argument("--jobs", type=positive, default=5000, help="jobs per run (default: %(default)s)")
    ap.add_argument("--payload-bytes", type=non_negative, default=100, help="payload size per job (default: %(default)s)")
    ap.add_argument("--workers", type=positive, default=4, help="concurrent consumers (default: %(default)s)")
    ap.add_argument("--runs", type=positive, default=1, help="runs per peer; the median is over these (default: %(default)s)")
    ap.add_argument("--timeout", type=positive, default=300, help="seconds the drain of one run may take (default: %(default)s)")
    ap.add_argument("--internal-run", choices=ALL_PEERS, help=argparse.SUPPRESS)
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.internal_run:
        # Child: keep the real stdout for the one result line; everything else printed goes to stderr.
        result_out = os.fdopen(os.dup(1), "w")
        os.dup2(2, 1)
        try:
            check_redis_url(args.redis_url)
            answer = internal_run(args)
        except BenchError as e:
            answer = {"error": str(e)}
        except Exception as e:  # one line for the parent; the traceback for the log
            import traceback

            traceback.print_exc()
            answer = {"error": f"{type(e).__name__}: {e}".splitlines()[0]}
        result_out.write(json.dumps(answer) + "\n")
        result_out.flush()
        return 0 if "error" not in answer else 1
    try:
        check_redis_url(args.redis_url)
        out = main_parent(args)
    except BenchError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        return 1
    except Exception as e:
        print(f"{PROG}: error: {type(e).__name__}: {e}".splitlines()[0], file=sys.stderr)
        return 1
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
