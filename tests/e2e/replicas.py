"""Several controller processes on one PostgreSQL, for the scale-out tests and benchmark.

``Fleet`` starts real ``cloudops serve --role web`` replicas and ``cloudops
worker``s, each with its own data dir, all on one database schema and one
state key, and ``Balancer`` stands where a load balancer would: each
delivery goes to the next replica in turn, and every ``duplicate_every``-th
to all of them (what a retrying balancer or a redelivery does).
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
import signal
import subprocess
import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from .crash_scenario import free_port, wait_until
from .harness import BOT_LOGIN, BOT_TOKEN, WEBHOOK_SECRET


class Process:
    """One `cloudops serve|worker` process with its own data dir and log."""

    def __init__(self, argv: list[str], env: dict[str, str], data_dir: Path) -> None:
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log = data_dir / "process.log"
        self.data_dir = data_dir
        env = {**env, "CLOUDOPS_DATA_DIR": str(data_dir), "CLOUDOPS_PORT": str(free_port())}
        with self.log.open("w") as out:
            self.proc = subprocess.Popen([sys.executable, "-m", "cloudops.cli", *argv], env=env, stdout=out,
                                         stderr=subprocess.STDOUT, text=True)
        line = wait_until(lambda: next((l for l in self.output().splitlines() if "listening" in l), None)
                          or (self.proc.poll() is not None and self.fail()), timeout=90, what="process start")
        self.url = line.split("listening: ", 1)[1].strip()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def fail(self):
        raise AssertionError(f"cloudops exited {self.proc.returncode}:\n{self.output()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


class Balancer:
    """A loopback HTTP forwarder in front of the web replicas."""

    def __init__(self, targets: list[str], *, duplicate_every: int = 3) -> None:
        self.targets = targets
        self.sent: list[tuple[str, str]] = []  # (delivery id, target)
        order = itertools.count()
        lock = threading.Lock()
        balancer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k: v for k, v in self.headers.items() if k.lower().startswith(("x-", "content-type", "user-agent"))}
                with lock:
                    n = next(order)
                chosen = list(balancer.targets) if duplicate_every and n % duplicate_every == 0 else \
                    [balancer.targets[n % len(balancer.targets)]]
                status = 502
                for target in chosen:
                    request = urllib.request.Request(target, data=body, headers=headers, method="POST")
                    try:
                        with urllib.request.urlopen(request, timeout=30) as answer:
                            status = answer.status if status == 502 else status
                    except urllib.error.HTTPError as exc:
                        status = exc.code
                    except OSError:
                        pass
                    with lock:
                        balancer.sent.append((self.headers.get("X-GitHub-Delivery", ""), target))
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/github"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Fleet:
    """`web` replicas and `worker`s on one database; stopped together."""

    def __init__(self, *, forge, full_name: str, database_url: str, root: Path, webs: int = 2, workers: int = 2,
                 worker_jobs: int = 1) -> None:
        self.env = {**self.environment(forge, full_name, database_url), "CLOUDOPS_WORKERS": str(worker_jobs)}
        self.root = root
        self.webs: list[Process] = []
        self.workers: list[Process] = []
        try:
            for i in range(webs):
                self.webs.append(Process(["serve", "--role", "web", "--no-bot"], self.env, root / f"web{i}"))
            for i in range(workers):
                self.add_worker(f"worker{i}")
        except BaseException:
            self.stop()
            raise

    @staticmethod
    def environment(forge, full_name: str, database_url: str) -> dict[str, str]:
        """What every process of a fleet shares: forge, secrets, database, one state key."""
        env = {**os.environ, "GITHUB_TOKEN": BOT_TOKEN, "CLOUDOPS_WEBHOOK_SECRET": WEBHOOK_SECRET,
               "CLOUDOPS_REPOS": full_name, "GITHUB_API_URL": forge.api_url, "CLOUDOPS_BOT_LOGIN": BOT_LOGIN,
               "CLOUDOPS_DATABASE_URL": database_url,
               "CLOUDOPS_STATE_KEY": base64.b64encode(secrets.token_bytes(32)).decode()}
        env.pop("DISCORD_TOKEN", None)
        return env

    def add_worker(self, name: str) -> Process:
        worker = Process(["worker"], self.env, self.root / name)
        self.workers.append(worker)
        return worker

    def logs(self) -> str:
        return "\n".join(f"--- {p.data_dir.name}\n{p.output()}" for p in (*self.webs, *self.workers))

    def stop(self) -> None:
        for process in (*self.webs, *self.workers):
            process.stop()
