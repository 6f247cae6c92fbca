"""A private tmux server to run the real `cosell` in, as a user's terminal would.

Each ``TmuxServer`` has its own socket (``tmux -L``), so benchmarks never see
or touch the user's tmux sessions. The server is started once with a
placeholder session, so a launch timed later does not include tmux's own start.
"""
from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path
from typing import Callable


def socket_name(pid: int) -> str:
    """The tmux socket of the benchmark process ``pid``: one private server per process."""
    return f"cosell-bench-{pid}"


def kill_server_of(pid: int) -> bool:
    """Stop the private tmux server a killed benchmark process ``pid`` left behind (and the apps in
    it): a suite stopped for running over its time budget never reaches its ``close()``."""
    try:
        done = subprocess.run(["tmux", "-L", socket_name(pid), "kill-server"], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.SubprocessError):  # no tmux installed, or it hangs: nothing to clean
        return False
    return done.returncode == 0


class TmuxServer:
    def __init__(self, env: dict, width: int = 120, height: int = 36):
        self.socket = socket_name(os.getpid())
        self.env = env
        self.width, self.height = width, height
        self._tmux(["new-session", "-d", "-s", "keep", "-x", "20", "-y", "5", "sleep 86400"], check=True)

    def _tmux(self, args: list[str], *, check: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run(["tmux", "-L", self.socket, *args], env=self.env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, check=check)

    def launch(self, name: str, argv: list[str], cwd: Path | None = None) -> None:
        """Start ``argv`` in a new detached window of the benchmark size (exec'd: the pane's pid is the app)."""
        command = "exec " + " ".join(shlex.quote(a) for a in argv)
        if cwd is not None:
            command = f"cd {shlex.quote(str(cwd))} && {command}"
        extra = [f"-e{k}={self.env[k]}" for k in sorted(self.env) if k.startswith(("COSELL_", "COLORTERM"))]
        self._tmux(["new-session", "-d", "-s", name, "-x", str(self.width), "-y", str(self.height), *extra,
                    command], check=True)

    def capture(self, name: str) -> str:
        return self._tmux(["capture-pane", "-p", "-t", name]).stdout

    def pid(self, name: str) -> int | None:
        out = self._tmux(["display-message", "-p", "-t", name, "#{pane_pid}"]).stdout.strip()
        return int(out) if out.isdigit() else None

    def send(self, name: str, *keys: str) -> None:
        self._tmux(["send-keys", "-t", name, *keys])

    def wait_for(self, name: str, seen: Callable[[str], bool], *, timeout: float = 60.0,
                 interval: float = 0.003) -> tuple[float, str]:
        """Poll the pane until ``seen(capture)``; (perf_counter when seen, the capture)."""
        deadline = time.perf_counter() + timeout
        while True:
            screen = self.capture(name)
            if seen(screen):
                return time.perf_counter(), screen
            if time.perf_counter() > deadline:
                raise TimeoutError(f"the screen never showed what was awaited; last capture:\n{screen}")
            time.sleep(interval)

    def kill(self, name: str) -> None:
        self._tmux(["kill-session", "-t", name])

    def close(self) -> None:
        socket = self._tmux(["display-message", "-p", "-t", "keep", "#{socket_path}"]).stdout.strip()
        self._tmux(["kill-server"])
        if socket and Path(socket).name == self.socket:
            Path(socket).unlink(missing_ok=True)  # tmux may leave its socket file behind

    def __enter__(self) -> TmuxServer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def vm_kib(pid: int, field: str) -> int | None:
    """A ``/proc/<pid>/status`` figure in KiB (VmHWM: peak resident set, VmRSS: resident now)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def deal_row_shown(screen: str) -> bool:
    """The dashboard shows a deal row: the table's cursor gutter (▸) beside a deal's text."""
    return any(line.startswith("▸") and len(line.strip()) > 8 for line in screen.splitlines())
