"""The GraphQL-over-HTTP audit (graphql-http's serverAudits, `--strict`) against the real app.

tests/web/test_http_audit.py runs the same audit against GraphQLApp on a toy schema; this one
runs it against `create_app` on seeds/ under uvicorn, with every middleware (CORS, gzip, ETag)
and the readiness gate in place. Needs Node and `npm ci --prefix tests/audit`; without them it
skips, unless CI=true.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from tests.support import REPO, SHARED, require
from tests.web.server import Server

AUDIT_DIR = REPO / "tests" / "audit"
AUDIT_SCRIPT = SHARED / "tools" / "graphql-http-audit.mjs"


def test_graphql_over_http_audit_strict_on_the_service(
    seeds_server: Server, tmp_path: Path
) -> None:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require(
        (AUDIT_DIR / "node_modules" / "graphql-http").is_dir(),
        "graphql-http is not installed: run `npm ci --prefix tests/audit`",
    )
    require(AUDIT_SCRIPT.is_file(), f"{AUDIT_SCRIPT} is missing")
    assert node is not None
    # ESM resolves `graphql-http` from the script's own folder: copy the script into a
    # scratch folder whose node_modules is the pinned one.
    script = tmp_path / AUDIT_SCRIPT.name
    shutil.copyfile(AUDIT_SCRIPT, script)
    (tmp_path / "node_modules").symlink_to(AUDIT_DIR / "node_modules", target_is_directory=True)
    report_path = tmp_path / "report.json"

    proc = subprocess.run(
        [node, str(script), seeds_server.graphql, "--strict", "--json", str(report_path)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert report_path.is_file(), f"no report written\n{proc.stdout}\n{proc.stderr}"
    report = json.loads(report_path.read_text())
    summary = report["summary"]
    not_ok = [r for r in report["results"] if r["status"] != "ok"]
    details = "\n".join(json.dumps(r) for r in not_ok) + f"\n{proc.stdout}\n{proc.stderr}"
    print(json.dumps(summary))
    assert summary["url"] == seeds_server.graphql
    assert summary["total"] >= 50, details
    assert summary["error"] == 0, details
    assert summary["warn"] == 0, details
    assert proc.returncode == 0, details
