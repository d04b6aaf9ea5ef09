"""wrk runs: one over a request mix, started in the background, with its JSON summary.

wrk is installed by ``scripts/install.sh --dev`` (the Debian/Ubuntu package ``wrk``); the
summary line comes from the shared ``wrk-post.lua`` next to the corpus (``../shared/tools``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mix import Case

WRK_POST_LUA = Path(__file__).resolve().parents[2].parent / "shared" / "tools" / "wrk-post.lua"


def ensure_wrk() -> str:
    """The wrk executable; exits saying what to install when it is missing."""
    found = shutil.which("wrk")
    if not found:
        raise SystemExit(
            "wrk is not installed: run scripts/install.sh --dev (or install the wrk package,"
            " e.g. sudo apt-get install wrk), then run the benchmark again"
        )
    return found


def ensure_wrk_script() -> Path:
    """The shared wrk-post.lua; exits naming where it was looked for when it is missing."""
    if not WRK_POST_LUA.is_file():
        raise SystemExit(f"no wrk script at {WRK_POST_LUA} (the shared tools folder)")
    return WRK_POST_LUA


#: Wraps wrk-post.lua (method, JSON header, summary line): rotates bodies, checks responses.
MIX_LUA = r"""
dofile(os.getenv("WRK_POST_LUA"))
local summary_line = done
local bodies = {}
for line in io.lines(os.getenv("MIX_FILE")) do bodies[#bodies + 1] = line end
local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
local threads = {}
function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end
function init(args)
  -- each thread starts at its own place in the file, so threads do not send in lockstep
  n = math.floor((offset or 0) * #bodies / nthreads)
  bad = 0
  checked = 0
end
function request()
  n = n % #bodies + 1
  return wrk.format("POST", nil, nil, bodies[n])
end
function response(status, headers, body)
  checked = checked + 1
  local has_data = string.find(body, '"data":{', 1, true)
  local has_errors = string.find(body, '"errors"', 1, true)
  if status ~= 200 or not has_data or has_errors then
    bad = bad + 1
    if bad <= 3 then
      io.stderr:write("bad response " .. status .. ": " .. string.sub(body, 1, 300) .. "\n")
    end
  end
end
function done(summary, latency, requests)
  summary_line(summary, latency, requests)
  local b, c = 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    c = c + t:get("checked")
  end
  io.write(string.format('{"graphql_errors":%d,"checked":%d}\n', b, c))
end
"""


@dataclass
class Wrk:
    """One wrk run over the mix, started in the background."""

    url: str
    mix: list[Case]
    workdir: Path
    duration: int
    connections: int
    threads: int
    proc: subprocess.Popen[str] | None = None

    def start(self) -> Wrk:
        self.workdir.mkdir(parents=True, exist_ok=True)
        lua = self.workdir / "mix.lua"
        lua.write_text(MIX_LUA)
        bodies = self.workdir / "bodies.jsonl"
        bodies.write_text("".join(json.dumps(c.body()) + "\n" for c in self.mix))
        env = {
            **os.environ,
            "WRK_POST_LUA": str(WRK_POST_LUA),
            "MIX_FILE": str(bodies),
            "WRK_THREADS": str(self.threads),
        }
        command = [
            ensure_wrk(),
            f"-t{self.threads}",
            f"-c{self.connections}",
            f"-d{self.duration}s",
            "--latency",
            "--timeout",
            "10s",
            "-s",
            str(lua),
            self.url,
        ]
        self.proc = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        return self

    def result(self) -> dict[str, Any]:
        assert self.proc is not None
        out, err = self.proc.communicate(timeout=self.duration + 120)
        found: dict[str, Any] = {}
        for line in out.splitlines():
            if line.startswith("{"):
                found.update(json.loads(line))
        if "requests" not in found:
            raise RuntimeError(
                f"wrk printed no summary (exit {self.proc.returncode}):\n{out}\n{err}"
            )
        found["stderr"] = err.strip()[-2000:]
        return found
