"""graph.js's ``separate``: the deterministic pass after the force-directed layout that moves
apart node bodies the layout left stacked. Run in Debian's Chromium on the page's own modules
and Cytoscape.js, as served by a real server on seeds/.

The force-directed layout is randomised, so the scale test (test_explorer_scale.py) sees a
stacked pair only now and then; here the pairs are stacked on purpose.
"""

from __future__ import annotations

from typing import Any

import pytest

from graphsvc.web.explorer import missing_files
from graphsvc.web.graphiql import INSTALL_HINT
from tests.support import require
from tests.web.browser import Watch
from tests.web.server import Server

pytestmark = pytest.mark.browser

# Builds a canvas of the page's own style off to one side, places `spots` (x, y, degree) there,
# runs separate() `times` times from the same start, and reports boxes and positions.
SEPARATE = """async ({ spots, times }) => {
  const cytoscape = (await import('/explorer/vendor/cytoscape.esm.min.mjs')).default;
  const { createGraph, separate } = await import('/explorer/graph.js');
  const runs = [];
  for (let t = 0; t < times; t++) {
    const box = document.createElement('div');
    box.style.cssText = 'position:absolute;left:0;top:0;width:800px;height:600px';
    document.body.appendChild(box);
    const cy = createGraph(cytoscape, box);
    spots.forEach(([x, y, degree], i) => cy.add({
      group: 'nodes', data: { id: 'n' + i, kind: 'article', degree }, position: { x, y },
    }));
    const moved = separate(cy);
    const body = { includeLabels: false, includeOverlays: false, includeUnderlays: false };
    const boxes = cy.nodes().map((n) => n.boundingBox(body));
    let crossing = 0;
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1)) crossing += 1;
      }
    }
    runs.push({ moved, crossing, positions: cy.nodes().map((n) => [n.position('x'), n.position('y')]) });
    cy.destroy();
    box.remove();
  }
  return runs;
}"""


def separate_runs(
    server: Server, browser: Any, spots: list[tuple[float, float, int]], times: int = 1
) -> list[dict[str, Any]]:
    require(not missing_files(), INSTALL_HINT)
    watch = Watch()
    context = browser.new_context(service_workers="block")
    context.route("**/*", watch.guard)
    page = context.new_page()
    watch.attach(page)
    try:
        page.goto(f"{server.url}/", wait_until="load")
        runs: list[dict[str, Any]] = page.evaluate(SEPARATE, {"spots": spots, "times": times})
    finally:
        context.close()
    assert watch.console_errors == [] and watch.blocked == []
    return runs


def test_stacked_nodes_end_apart_the_same_way_every_time(
    seeds_server: Server, chromium_browser: Any
) -> None:
    # 200 nodes of mixed sizes on one spot (the layout hands over at most 220), and a hub half
    # over a small node.
    spots = [(100.0, 100.0, 1 + degree % 40) for degree in range(200)]
    spots += [(400.0, 300.0, 200), (410.0, 305.0, 1)]
    first, second = separate_runs(seeds_server, chromium_browser, spots, times=2)
    assert first["moved"] is True
    assert first["crossing"] == 0
    assert first["positions"] == second["positions"]
    assert len({tuple(p) for p in first["positions"]}) == len(spots)


def test_nodes_already_apart_stay_where_they_are(
    seeds_server: Server, chromium_browser: Any
) -> None:
    spots = [(float(x), float(y), 3) for x in range(0, 600, 120) for y in range(0, 480, 120)]
    (run,) = separate_runs(seeds_server, chromium_browser, spots)
    assert run["moved"] is False
    assert run["crossing"] == 0
    assert run["positions"] == [[x, y] for x, y, _ in spots]
