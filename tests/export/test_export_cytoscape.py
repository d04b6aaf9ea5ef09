"""The Cytoscape.js export loaded by Cytoscape.js itself: the explorer page's pinned copy in
web/node_modules, run headless under Node (skipped where either is missing, unless CI=true)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from graphsvc.export import select
from graphsvc.graph.store import GraphStore
from tests.export.export_expect import export_bytes
from tests.support import REPO, require

CYTOSCAPE = REPO / "web" / "node_modules" / "cytoscape"

# argv: the cytoscape package folder, then the .cyjs file. Loads the elements as cy.json does
# (what the explorer and the Cytoscape.js docs use) and prints what Cytoscape.js made of them.
LOAD = """
const cytoscape = require(process.argv[1]);
const doc = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
const cy = cytoscape({ headless: true, styleEnabled: false });
cy.json({ elements: doc.elements });
process.stdout.write(JSON.stringify({
  nodes: cy.nodes().length,
  edges: cy.edges().length,
  edgeEnds: cy.edges().map((e) => [e.id(), e.source().id(), e.target().id()]),
  stubs: cy.nodes(".stub").map((n) => n.id()),
  kinds: cy.nodes().map((n) => [n.id(), n.data("kind")]),
}));
"""


def test_cytoscape_js_loads_every_node_and_edge(seeds_store: GraphStore, tmp_path: Path) -> None:
    node = shutil.which("node")
    require(node is not None, "node is not installed")
    require((CYTOSCAPE / "package.json").is_file(), f"cytoscape is not installed in {CYTOSCAPE}")
    assert node is not None
    path = tmp_path / "seeds.cyjs"
    path.write_bytes(export_bytes(select(seeds_store), "cyjs"))
    doc = json.loads(path.read_bytes())
    file_nodes, file_edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    assert file_nodes and file_edges

    done = subprocess.run(
        [node, "-e", LOAD, str(CYTOSCAPE), str(path)], capture_output=True, timeout=120
    )
    assert done.returncode == 0, done.stderr.decode()
    assert done.stderr == b""  # Cytoscape.js warns of elements it cannot take, and drops them
    loaded = json.loads(done.stdout)
    assert loaded["nodes"] == len(file_nodes) == seeds_store.graph.number_of_nodes()
    assert loaded["edges"] == len(file_edges) == seeds_store.graph.number_of_edges()
    assert sorted(map(tuple, loaded["edgeEnds"])) == sorted(
        (e["data"]["id"], e["data"]["source"], e["data"]["target"]) for e in file_edges
    )
    assert sorted(loaded["stubs"]) == sorted(
        k for k, a in seeds_store.articles.items() if a.is_stub
    )
    assert dict(loaded["kinds"]) == {n["data"]["id"]: n["data"]["kind"] for n in file_nodes}
