"""A throwaway PostgreSQL cluster for the tests: initdb in a temporary folder, started
on its own port with a private socket folder, stopped at the end.  As root (CI) the
server runs as the `postgres` user, because PostgreSQL refuses to run as root."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


class ClusterUnavailable(Exception):
    pass


def _bin(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(
        f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if not found:
        raise ClusterUnavailable(f"PostgreSQL's {name} is not installed (Debian package "
                                 "'postgresql'; .ci/run installs it)")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="nicdesk-pg-"))
        self.port = _free_port()
        self.sock = self.root / "sock"
        self.data = self.root / "data"
        self.user: str | None = "postgres" if os.geteuid() == 0 else None

    def _run(self, *cmd: str) -> subprocess.CompletedProcess[str]:
        full = (["runuser", "-u", self.user, "--"] if self.user else []) + list(cmd)
        return subprocess.run(full, capture_output=True, text=True, timeout=120)

    def start(self) -> Cluster:
        initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
        self.sock.mkdir(parents=True)
        if self.user:
            shutil.chown(self.root, self.user)
            shutil.chown(self.sock, self.user)
        done = self._run(initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres",
                         "--no-sync")
        if done.returncode:
            raise ClusterUnavailable(f"initdb failed: {done.stderr.strip()[:300]}")
        done = self._run(pg_ctl, "-D", str(self.data), "-l", str(self.root / "log"), "-w",
                         "-o", f"-p {self.port} -k {self.sock} -c listen_addresses='' "
                         "-c fsync=off -c full_page_writes=off", "start")
        if done.returncode:
            log = (self.root / "log").read_text() if (self.root / "log").exists() else ""
            raise ClusterUnavailable(f"the server did not start: {done.stderr.strip()[:200]}"
                                     f" {log[-300:]}")
        return self

    def url(self, database: str = "postgres") -> str:
        return (f"postgresql+psycopg://postgres@/{database}?host={self.sock}"
                f"&port={self.port}")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(host=str(self.sock), port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as con:
            con.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(host=str(self.sock), port=self.port, user="postgres",
                             dbname="postgres", autocommit=True) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        try:
            self._run(_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
