"""Processes: stopping a process group, and resident memory read from /proc (Linux)."""

from __future__ import annotations

import os
import resource
import signal
import socket
import subprocess
from pathlib import Path


def stop_group(proc: subprocess.Popen[bytes] | None, timeout: float) -> None:
    """Stop a server started in its own process group (workers, ingest pools and all):
    SIGTERM, then SIGKILL after ``timeout`` seconds."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


def free_port() -> int:
    """A port free a moment ago (a server under test is told it on its command line)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def process_tree(root: int) -> list[int]:
    """``root`` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def comm(pid: int) -> str:
    """A process's command name ("?" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


def vm_rss(pid: int | None = None) -> int:
    """Current resident bytes of one process (this one by default; 0 once it is gone)."""
    try:
        status = Path(f"/proc/{os.getpid() if pid is None else pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def tree_rss(pid: int) -> int:
    """VmRSS summed over a process and all its descendants."""
    return sum(vm_rss(p) for p in process_tree(pid))


def meminfo(field_name: str) -> int:
    """A /proc/meminfo figure in bytes (0 when unknown)."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def max_rss_self() -> int:
    """Peak resident bytes of this process."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def max_rss_children() -> int:
    """Peak resident bytes of the largest waited-for child."""
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024


def smaps_rollup(pid: int) -> dict[str, int]:
    """``/proc/PID/smaps_rollup`` in bytes ({} once it is gone): ``Pss`` (proportional set
    size: the private pages plus a share of every page mapped with others), ``Private_Clean``,
    ``Private_Dirty``..."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return {}
    out = {}
    for line in rollup.splitlines()[1:]:
        name, _, rest = line.partition(":")
        fields = rest.split()
        if len(fields) == 2 and fields[1] == "kB":
            out[name] = int(fields[0]) * 1024
    return out


def cmdline(pid: int) -> str:
    """A process's command line, arguments joined by spaces ("" once it is gone)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
    except OSError:
        return ""
