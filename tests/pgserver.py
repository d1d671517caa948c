"""A throwaway PostgreSQL server in a temp dir on 127.0.0.1, for tests and benchmarks.

It uses the server binaries of the machine (`initdb`, `pg_ctl`; Debian keeps them in
/usr/lib/postgresql/<version>/bin). `initdb` refuses to run as root, so as root the
cluster is created and run as the `postgres` user (created by Debian's package).
`.ci/run` installs the package when the binaries are missing. Nothing here skips: a
server that cannot start is an error.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def find_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    if candidates:
        return candidates[0]
    raise RuntimeError(
        f"PostgreSQL's {name} was not found: install the server (Debian: apt-get install "
        "postgresql; .ci/run does it)"
    )


class PostgresServer:
    """initdb + pg_ctl start on a free port; `url` is a postgresql:// URL; `stop()` removes it."""

    def __init__(self, port: int | None = None):
        self.port = port or _free_port()
        self.root = Path(tempfile.mkdtemp(prefix="adapter-pg-"))
        self.data = self.root / "data"
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        self._as_root = os.geteuid() == 0
        if self._as_root:
            try:
                pwd.getpwnam("postgres")
            except KeyError:
                raise RuntimeError(
                    "running as root, PostgreSQL must run as the 'postgres' user, which does "
                    "not exist: install Debian's postgresql package (.ci/run does it)"
                ) from None
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, "postgres")

    @property
    def url(self) -> str:
        return self.url_of("postgres")

    def _run(self, *args: str) -> None:
        command = list(args)
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(args[:2])} failed ({result.returncode}): "
                f"{result.stdout[-2000:]}{result.stderr[-2000:]}"
            )

    def start(self) -> PostgresServer:
        self._run(
            find_bin("initdb"),
            "-D", str(self.data),
            "-A", "trust",
            "-U", self.user,
            "--no-sync",
            "-E", "UTF8",
        )  # fmt: skip
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        self._run(
            find_bin("pg_ctl"),
            "-D", str(self.data),
            "-l", str(self.root / "log"),
            "-o", options,
            "-w", "-t", "30",
            "start",
        )  # fmt: skip
        deadline = time.monotonic() + 15
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("PostgreSQL did not accept connections") from None
                time.sleep(0.1)

    def url_of(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        command = [find_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user]
        result = subprocess.run([*command, name], capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"createdb failed: {result.stderr[-2000:]}")
        return self.url_of(name)

    def dump(self, database: str = "postgres") -> bytes:
        """`pg_dump` of a whole database (schema and data), as the bytes it writes."""
        command = [find_bin("pg_dump"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user]
        command.append(database)
        result = subprocess.run(command, capture_output=True)
        if result.returncode != 0:
            raise RuntimeError(f"pg_dump failed: {result.stderr.decode()[-2000:]}")
        return result.stdout

    def stop(self) -> None:
        try:
            self._run(find_bin("pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
