"""The explorer at a few hundred nodes: a real server on the shared corpus, Debian's Chromium.

The journey goes through the page's own UI only: type a provider's name in the search box,
choose the provider, then click node after node on the canvas (the biggest provider or topic
not yet expanded; when none is left, a small article, which brings its provider and topics)
until a few hundred nodes are drawn. Each click is checked against the API's neighbourhood.
Then:

* readability: the node count is in range, every layout (force-directed up to 220 nodes,
  concentric beyond) finished well within a hang guard, at every size on the way no two node
  bodies overlap by more than a small fraction of the smaller one and every node is inside
  the canvas after the layout's fit, and the smallest node is still a few pixels wide;
* colour and shape follow kind: one colour and one shape per kind, all different, the same as
  the legend's swatches; stubs (dashed, translucent) exactly where the API says `isStub`;
* size follows degree: the drawn width never decreases as the API's degree grows (articles
  and providers: `degree`; topics, which have no degree field: `articleCount`);
* nothing left localhost and no console error.

The screenshot goes to artifacts/explorer-scale.png. Skipped when the corpus, Chromium,
Playwright or the npm assets are missing, except under CI=true.
"""

from __future__ import annotations

import itertools
import json
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from graphsvc.web.explorer import missing_files
from graphsvc.web.graphiql import INSTALL_HINT
from tests.support import REPO, require
from tests.web.browser import Watch, click_node
from tests.web.server import Server, corpus_settings, running_server

pytestmark = [pytest.mark.corpus, pytest.mark.browser]

ARTIFACTS = REPO / "artifacts"
VIEWPORT = {"width": 1440, "height": 900}

START = "Business Insider"  # a provider hub: its neighbourhood is drawn whole (86 nodes)
MIN_NODES, MAX_NODES = 200, 400  # "a few hundred"; 400 is also the page's own cap
GROW_TO = 250  # stop clicking once the canvas holds this many nodes (one click adds <= 60)
MAX_CLICKS = 16

# Hang guards, not benchmarks. Measured on 2 busy cores (load 4-9): cose takes 0.3-1.2 s at
# 86 nodes and 0.7-3.1 s at 199 (O(n^2) per iteration; it runs up to 220 nodes), concentric
# 0.05-0.4 s at 226-262. A click, from mouse-up to idle: 0.4-3.8 s.
LAYOUT_BOUND_MS = 20_000
STEP_BOUND_S = 45.0
MIN_RENDERED_PX = 5  # the smallest node after the fit (measured: 8.6 px at 262 nodes, zoom 0.31)

# Overlap of two node bodies (labels excluded): the area where their bounding boxes cross, as a
# fraction of the smaller box. A box is the square around a node's ellipse or hexagon plus its
# border, so neighbours on a concentric ring (centres 93 apart, boxes up to 86 wide) have
# boxes that cross at the corners while the shapes do not touch: measured at most 0.041 (9 of
# 34,191 pairs at 262 nodes, all such corners). cose: 0 (it was up to 0.32 in a third of the
# runs, one hub stacked on another, with graph.js's nodeOverlap at 20; at 400 still 0.11 in one
# CI run of ~15, until graph.js's `separate` pass, tests/web/test_explorer_separate.py, followed
# it). Two equal nodes offset along one axis by 90% of their width are at 0.10: anything more is
# real stacking.
OVERLAP_TOLERANCE = 0.10

NEIGHBORHOOD_IDS = "query($id: ID!, $limit: Int!) { neighborhood(id: $id, depth: 1, limit: $limit) { nodes { id } } }"
NODE_FIELDS = "fragment D on Node { __typename id ... on Article { degree isStub } ... on Provider { degree articleCount } ... on Topic { articleCount } }"
ALIASES_PER_QUERY = 25  # under the server's alias limit (30)

# What the page reports about the canvas, read through its `window.explorer.cy` handle.
NODE_STYLES = """() => window.explorer.cy.nodes().map((n) => ({
  id: n.id(),
  kind: n.data('kind'),
  degree: n.data('degree'),
  stub: n.hasClass('stub'),
  color: n.style('background-color'),
  shape: n.style('shape'),
  opacity: Number(n.style('background-opacity')),
  borderStyle: n.style('border-style'),
  width: n.renderedWidth(),
  height: n.renderedHeight(),
}))"""

GEOMETRY = """() => {
  const cy = window.explorer.cy;
  const body = { includeLabels: false, includeOverlays: false, includeUnderlays: false };
  const boxes = cy.nodes().map((n) => {
    const b = n.boundingBox(body);
    return { id: n.id(), x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2, w: b.w, h: b.h };
  });
  let worst = { fraction: 0, a: null, b: null };
  let touching = 0;
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i], b = boxes[j];
      const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1);
      const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1);
      if (w <= 0 || h <= 0) continue;
      touching += 1;
      const fraction = (w * h) / Math.min(a.w * a.h, b.w * b.h);
      if (fraction > worst.fraction) {
        const pa = cy.getElementById(a.id), pb = cy.getElementById(b.id);
        const gap = Math.hypot(pa.position('x') - pb.position('x'), pa.position('y') - pb.position('y'));
        worst = { fraction, a: a.id, b: b.id, sizes: [a.w, b.w], centres: gap };
      }
    }
  }
  // Labels are not part of the check (at this zoom most are hidden: min-zoomed-font-size);
  // counted for the record.
  const labelled = cy.nodes().map((n) => n.boundingBox({ includeLabels: true }));
  let labelPairs = 0;
  for (let i = 0; i < labelled.length; i++) {
    for (let j = i + 1; j < labelled.length; j++) {
      const a = labelled[i], b = labelled[j];
      if (Math.min(a.x2, b.x2) > Math.max(a.x1, b.x1) && Math.min(a.y2, b.y2) > Math.max(a.y1, b.y1)) labelPairs += 1;
    }
  }
  const outside = cy.nodes().filter((n) => {
    const r = n.renderedBoundingBox(body);
    return r.x1 < -0.5 || r.y1 < -0.5 || r.x2 > cy.width() + 0.5 || r.y2 > cy.height() + 0.5;
  }).map((n) => n.id());
  const rendered = cy.nodes().map((n) => n.renderedWidth());
  return {
    nodes: boxes.length,
    pairs: (boxes.length * (boxes.length - 1)) / 2,
    touching,
    worst,
    labelPairs,
    outside,
    zoom: cy.zoom(),
    canvas: [cy.width(), cy.height()],
    smallest: Math.min(...rendered),
    largest: Math.max(...rendered),
  };
}"""

# Times every layout the page runs (the page's own cy handle: no change to the page).
TIME_LAYOUTS = """() => {
  const cy = window.explorer.cy;
  window.__layouts = [];
  cy.on('layoutstart', (e) => { e.layout.__t0 = performance.now(); });
  cy.on('layoutstop', (e) => window.__layouts.push({
    name: e.layout.options.name, nodes: cy.nodes().length, ms: performance.now() - e.layout.__t0,
  }));
}"""


# --------------------------------------------------------------------------- helpers


def data(server: Server, query: str, **variables: Any) -> dict[str, Any]:
    body = server.query(query, **variables)
    assert not body.get("errors"), body["errors"]
    return dict(body["data"])


def api_nodes(server: Server, ids: list[str]) -> dict[str, dict[str, Any]]:
    """The API's own view of each node (kind, degree, articleCount, isStub), by id."""
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), ALIASES_PER_QUERY):
        chunk = ids[start : start + ALIASES_PER_QUERY]
        params = ", ".join(f"$i{i}: ID!" for i in range(len(chunk)))
        fields = " ".join(f"n{i}: node(id: $i{i}) {{ ...D }}" for i in range(len(chunk)))
        answer = data(
            server,
            f"query({params}) {{ {fields} }} {NODE_FIELDS}",
            **{f"i{i}": node_id for i, node_id in enumerate(chunk)},
        )
        for node in answer.values():
            out[node["id"]] = node
    return out


def settle(page: Any) -> None:
    """Wait until no request of the page is pending."""
    page.wait_for_function("() => document.body.dataset.busy === '0'")


def canvas_ids(page: Any, selector: str = "node") -> set[str]:
    return set(page.evaluate("(s) => window.explorer.cy.nodes(s).map((n) => n.id())", selector))


def next_hub(page: Any) -> str | None:
    """Where a reader goes next: the provider or topic not yet expanded with the most
    neighbours (as the page sizes them); when none is left, the article with the fewest (at
    least 3), whose neighbourhood is drawn whole, so its provider and topics come in too."""
    return page.evaluate(
        """() => {
          const rest = window.explorer.cy.nodes().filter((n) => !n.hasClass('expanded'));
          const byId = (a, b) => (a.id() < b.id() ? -1 : 1);
          const hubs = rest.filter((n) => n.data('kind') !== 'article')
            .sort((a, b) => b.data('degree') - a.data('degree') || byId(a, b));
          if (hubs.nonempty()) return hubs.first().id();
          const articles = rest.filter((n) => n.data('degree') >= 3)
            .sort((a, b) => a.data('degree') - b.data('degree') || byId(a, b));
          return articles.nonempty() ? articles.first().id() : null;
        }"""
    )


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def news_server(news_dir: Path, cache_dir: Path) -> Iterator[Server]:
    """The shared corpus served in-thread, once for the module."""
    settings = corpus_settings(news_dir, cache_dir, watch=False)
    with running_server(settings) as server:
        yield server


@dataclass
class Step:
    """One click on the canvas (or the opening of the search result)."""

    node: str  # kind and label of the node clicked
    before: int  # nodes before, and after
    after: int
    seconds: float  # from the click until the page was idle again
    worst_overlap: float  # of two node bodies, as a fraction of the smaller (GEOMETRY)
    outside: int  # nodes not wholly on the canvas


@dataclass
class Grown:
    """The page after the journey, and what was measured on the way."""

    page: Any
    watch: Watch
    steps: list[Step] = field(default_factory=list)
    layouts: list[dict[str, Any]] = field(default_factory=list)  # name, nodes, ms


def grow(page: Any, server: Server, watch: Watch, until: int) -> Grown:
    """On a freshly loaded page: search, open a provider, click nodes until `until` are drawn."""
    from playwright.sync_api import expect

    response = page.goto(f"{server.url}/", wait_until="load")
    assert response is not None and response.status == 200
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=20_000)
    config = page.evaluate("() => ({...window.explorer.config})")
    page.evaluate(TIME_LAYOUTS)
    grown = Grown(page=page, watch=watch)

    def record(node_id: str, before: int, started: float) -> None:
        geometry = page.evaluate(GEOMETRY)
        node = page.evaluate(
            "(id) => { const n = window.explorer.cy.getElementById(id);"
            " return `${n.data('kind')} ${n.data('label')}`; }",
            node_id,
        )
        grown.steps.append(
            Step(
                node=node,
                before=before,
                after=geometry["nodes"],
                seconds=time.monotonic() - started,
                worst_overlap=geometry["worst"]["fraction"],
                outside=len(geometry["outside"]),
            )
        )

    # Type the provider's name; choose the provider among the results.
    page.locator("#search").press_sequentially(START, delay=40)
    expect(page.locator("#results")).to_have_attribute("data-query", START, timeout=10_000)
    hit = page.locator(
        "#results li[data-kind='provider']",
        has=page.locator(".result-title", has_text=re.compile(f"^{re.escape(START)}$")),
    )
    expect(hit).to_have_count(1, timeout=10_000)
    start_id = hit.get_attribute("data-id")
    assert start_id
    started = time.monotonic()
    hit.click()
    expect(page.locator("body")).to_have_attribute("data-view", "neighbourhood")
    settle(page)
    hood = data(server, NEIGHBORHOOD_IDS, id=start_id, limit=config["openLimit"])
    expected = {n["id"] for n in hood["neighborhood"]["nodes"]}
    assert canvas_ids(page) == expected
    record(start_id, 0, started)

    # Click node after node; each click adds the neighbours the API gives (<= 60).
    while len(expected) < until:
        assert len(grown.steps) <= MAX_CLICKS, f"{len(expected)} nodes after {MAX_CLICKS} clicks"
        hub = next_hub(page)
        assert hub is not None
        more = data(server, NEIGHBORHOOD_IDS, id=hub, limit=config["expandLimit"])
        before = len(expected)
        expected |= {n["id"] for n in more["neighborhood"]["nodes"]}
        assert len(expected) <= config["maxNodes"]  # the page's cap never cuts this journey
        started = time.monotonic()
        click_node(page, hub)
        page.wait_for_function(
            "(n) => window.explorer.cy.nodes().length === n",
            arg=len(expected),
            timeout=STEP_BOUND_S * 1000,
        )
        settle(page)
        assert canvas_ids(page) == expected
        assert hub in canvas_ids(page, ".expanded"), "the click did not expand the node"
        record(hub, before, started)
    grown.layouts = page.evaluate("() => window.__layouts")
    return grown


@pytest.fixture(scope="module")
def grown(news_server: Server, chromium_browser: Any) -> Iterator[Grown]:
    """The page grown to a few hundred nodes; its screenshot saved."""
    missing = missing_files()
    require(not missing, f"explorer files missing ({', '.join(missing)}); run `{INSTALL_HINT}`")
    watch = Watch()
    context = chromium_browser.new_context(viewport=VIEWPORT, service_workers="block")
    context.route("**/*", watch.guard)
    context.on("page", watch.attach)
    try:
        grown = grow(context.new_page(), news_server, watch, GROW_TO)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        grown.page.screenshot(path=str(ARTIFACTS / "explorer-scale.png"))
        yield grown
    finally:
        context.close()


# --------------------------------------------------------------------------- the checks


def test_layout_stays_readable_at_a_few_hundred_nodes(grown: Grown) -> None:
    page = grown.page
    geometry = page.evaluate(GEOMETRY)
    kinds = page.evaluate("() => window.explorer.cy.nodes().map((n) => n.data('kind'))")
    summary = {
        "nodes": geometry["nodes"],
        "edges": page.evaluate("() => window.explorer.cy.edges().length"),
        "kinds": {k: kinds.count(k) for k in sorted(set(kinds))},
        "steps": [(s.after, round(s.seconds, 2), round(s.worst_overlap, 3)) for s in grown.steps],
        "layouts": [(lay["name"], lay["nodes"], round(lay["ms"])) for lay in grown.layouts],
        "touching pairs": geometry["touching"],
        "worst overlap": round(geometry["worst"]["fraction"], 3),
        "label box pairs crossing": geometry["labelPairs"],
        "zoom": round(geometry["zoom"], 3),
        "rendered node width": [round(geometry["smallest"], 1), round(geometry["largest"], 1)],
    }
    print("explorer at scale:", json.dumps(summary))

    assert MIN_NODES <= geometry["nodes"] <= MAX_NODES, summary
    assert geometry["nodes"] == int(page.locator("#cy").get_attribute("data-node-count") or 0)
    # Every click that added nodes laid the canvas out again; no layout or click hung.
    grew = [s for s in grown.steps if s.after > s.before]
    assert [lay["nodes"] for lay in grown.layouts] == [s.after for s in grew], summary
    assert max(lay["ms"] for lay in grown.layouts) < LAYOUT_BOUND_MS, summary
    assert max(s.seconds for s in grown.steps) < STEP_BOUND_S, summary
    # Both layouts were exercised: force-directed while small, rings beyond.
    assert {lay["name"] for lay in grown.layouts} == {"cose", "concentric"}, summary
    # At every size on the way, node bodies do not stack and all nodes are on the canvas.
    for step in grown.steps:
        assert step.worst_overlap <= OVERLAP_TOLERANCE, (
            f"{step.after} nodes: two overlap by {step.worst_overlap:.0%}; {summary}"
        )
        assert step.outside == 0, f"{step.after} nodes: {step.outside} off the canvas; {summary}"
    assert geometry["worst"]["fraction"] <= OVERLAP_TOLERANCE, (
        f"nodes {geometry['worst']['a']} and {geometry['worst']['b']} overlap by"
        f" {geometry['worst']['fraction']:.0%} of the smaller one; {summary}"
    )
    assert min(geometry["canvas"]) >= 400, f"the canvas is {geometry['canvas']} px"
    assert not geometry["outside"], f"{len(geometry['outside'])} nodes off the canvas: {summary}"
    # And nodes stay big enough to see and click.
    assert geometry["smallest"] >= MIN_RENDERED_PX, summary


def test_colour_and_shape_follow_kind(grown: Grown, news_server: Server) -> None:
    page = grown.page
    styles = page.evaluate(NODE_STYLES)
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for node in styles:
        by_kind.setdefault(node["kind"], []).append(node)
    assert set(by_kind) == {"article", "provider", "topic"}
    # The canvas's kinds are the API's.
    api = api_nodes(news_server, [n["id"] for n in styles])
    assert {n["id"]: n["kind"] for n in styles} == {
        i: n["__typename"].lower() for i, n in api.items()
    }
    # One colour and one shape per kind, all different.
    colour = {}
    shape = {}
    for kind, nodes in by_kind.items():
        colours = {n["color"] for n in nodes}
        shapes = {n["shape"] for n in nodes}
        assert len(colours) == 1, f"{kind}: colours {colours}"
        assert len(shapes) == 1, f"{kind}: shapes {shapes}"
        colour[kind], shape[kind] = colours.pop(), shapes.pop()
    assert len(set(colour.values())) == 3, colour
    assert len(set(shape.values())) == 3, shape
    assert all(n["height"] == pytest.approx(n["width"]) for n in styles)
    # The legend's swatches show the canvas's colours.
    for kind, value in colour.items():
        swatch = page.locator(f".legend .swatch.{kind}")
        legend = swatch.evaluate("(e) => getComputedStyle(e).backgroundColor")
        assert legend.replace(" ", "") == value.replace(" ", ""), (kind, legend, value)
    # Stubs: drawn exactly where the API says isStub, dashed and see-through; others solid.
    articles = by_kind["article"]
    stubs = {n["id"] for n in articles if n["stub"]}
    assert stubs == {n["id"] for n in articles if api[n["id"]]["isStub"]}
    assert stubs, "the journey drew no stub: nothing checks how stubs look"
    assert len(stubs) < len(articles)
    for node in articles:
        if node["stub"]:
            assert node["borderStyle"] == "dashed" and node["opacity"] < 1, node
        else:
            assert node["borderStyle"] == "solid" and node["opacity"] == 1, node
    for node in by_kind["provider"] + by_kind["topic"]:
        assert node["borderStyle"] == "solid" and node["opacity"] == 1, node


def test_size_follows_degree(grown: Grown, news_server: Server) -> None:
    styles = grown.page.evaluate(NODE_STYLES)
    api = api_nodes(news_server, [n["id"] for n in styles])

    def api_degree(node_id: str) -> int:
        node = api[node_id]
        return int(node["articleCount"] if node["__typename"] == "Topic" else node["degree"])

    # The page sizes each node by the API's number (topics: articleCount, having no degree).
    assert {n["id"]: n["degree"] for n in styles} == {n["id"]: api_degree(n["id"]) for n in styles}
    # Equal degrees, equal widths; a higher degree, never a smaller node.
    widths: dict[int, set[float]] = {}
    for node in styles:
        widths.setdefault(api_degree(node["id"]), set()).add(round(node["width"], 3))
    ties = {d: w for d, w in widths.items() if len(w) > 1}
    assert not ties, f"same degree, different widths: {ties}"
    ladder = [(d, w.pop()) for d, w in sorted(widths.items())]
    drops = [(a, b) for a, b in itertools.pairwise(ladder) if b[1] < a[1]]
    assert not drops, f"a higher degree drawn smaller (degree, width): {drops}"
    # And it does grow: the hubs are visibly bigger than the leaves.
    assert len(ladder) >= 5, ladder
    assert ladder[-1][1] >= 2 * ladder[0][1], ladder


def test_nothing_left_localhost_and_no_console_error(grown: Grown) -> None:
    grown.page.wait_for_timeout(300)
    settle(grown.page)
    assert not grown.watch.blocked, f"requests left localhost: {grown.watch.blocked}"
    assert not grown.watch.console_errors, f"console errors: {grown.watch.console_errors}"
    assert not grown.watch.dialogs, f"dialogs opened: {grown.watch.dialogs}"
