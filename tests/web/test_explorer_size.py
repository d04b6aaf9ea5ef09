"""The explorer at real size: 60-150 nodes, narrow windows, stale text, shareable views.

Two real servers: the shared corpus, and a corpus written here in which one topic tags every
article (a hub, as a game's news feed has its game). Debian's Chromium drives the page through
its own UI, at 1440, 1024 and 800 px wide (768 too for the narrow-window checks); nothing may
leave localhost except the article images the failed-image check asks for.
Skipped when Chromium, Playwright, the npm assets or the shared corpus are missing, except
under CI=true.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from graphsvc.web.explorer import missing_files
from graphsvc.web.graphiql import INSTALL_HINT
from tests.support import REPO, require
from tests.web.browser import Watch, click_node, node_point
from tests.web.server import Server, corpus_settings, running_server

pytestmark = [pytest.mark.browser]

WIDTHS = [1440, 1024, 800]
ARTIFACTS = REPO / "artifacts"
HEIGHT = 900

HUB = "Everything Game"  # tags every article of the hub corpus
TOPICS = ["Patch Notes", "Esports", "Lore", "Hardware", "Community", "Speedruns"]
PROVIDERS = [
    ("Pixel Herald", "pixelherald.example"),
    ("Loot Ledger", "lootledger.example"),
    ("Respawn Times", "respawntimes.example"),
    ("Frame Rate Daily", "frameratedaily.example"),
    ("Quest Log", "questlog.example"),
]
ARTICLES = 120  # more than a filter page (100): "Load more" shows


def hub_document(i: int) -> str:
    name, domain = PROVIDERS[i % len(PROVIDERS)]
    topic = TOPICS[i % len(TOPICS)]
    month = 1 + i % 12
    related = ""
    if i % 3 == 0 and i + 1 < ARTICLES:
        other = PROVIDERS[(i + 1) % len(PROVIDERS)]
        related = f"""
related:
  - title: "Story {i + 1}: a long headline about {TOPICS[(i + 1) % len(TOPICS)]} that wraps in the panel"
    webUrl: "https://{other[1]}/story-{i + 1}"
    provider:
      name: {other[0]}
      domain: {other[1]}
"""
    return f"""---
category: news
title: "Story {i}: a long headline about {topic} that wraps in the panel"
excerpt: "What happened in story {i}, about {topic.lower()}."
publishedDateTime: 2023-{month:02d}-{1 + i % 27:02d}T10:00:00Z
originalUrl: "https://{domain}/story-{i}"
webUrl: "https://{domain}/story-{i}"
type: article
quality: 50
heat: 1
published: true

provider:
  name: {name}
  domain: {domain}

topics:
  - {HUB}
  - {topic}

images:
  - url: "https://images.{domain}/story-{i}.jpg"
    width: 640
    height: 360
{related}---
"""


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def hub_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of ARTICLES documents, every one tagged HUB."""
    root = tmp_path_factory.mktemp("hub") / "hubnews"
    root.mkdir()
    for i in range(ARTICLES):
        (root / f"{i:03d}_story.md").write_text(hub_document(i), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def hub_server(hub_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    settings = corpus_settings(hub_dir, tmp_path_factory.mktemp("cache"), watch=False)
    with running_server(settings) as server:
        yield server


@pytest.fixture(scope="module")
def news_server(news_dir: Path, cache_dir: Path) -> Iterator[Server]:
    settings = corpus_settings(news_dir, cache_dir, watch=False)
    with running_server(settings) as server:
        yield server


@dataclass
class Corpus:
    """A served corpus and a topic whose filter draws 60-150 nodes, tagging every article."""

    name: str  # the folder's name
    server: Server
    topic: str


def data(server: Server, query: str, **variables: Any) -> dict[str, Any]:
    body = server.query(query, **variables)
    assert not body.get("errors"), body["errors"]
    return dict(body["data"])


TOPIC_COUNTS = "{ topics(first: 100) { edges { node { name articleCount } } } }"


@pytest.fixture(scope="module", params=[pytest.param("news", marks=pytest.mark.corpus), "hub"])
def corpus(request: pytest.FixtureRequest) -> Corpus:
    if request.param == "hub":
        server = request.getfixturevalue("hub_server")
        return Corpus(request.getfixturevalue("hub_dir").name, server, HUB)
    server = request.getfixturevalue("news_server")
    topics = data(server, TOPIC_COUNTS)["topics"]["edges"]
    # A topic of 40-70 articles: with their providers and topics, 60-150 nodes.
    topic = next(t["node"]["name"] for t in topics if 40 <= t["node"]["articleCount"] <= 70)
    return Corpus(request.getfixturevalue("news_dir").name, server, topic)


def load(browser: Any, server: Server, width: int, path: str = "/") -> tuple[Any, Watch, Any]:
    """A new context at that width with the explorer loaded: (page, watch, context)."""
    from playwright.sync_api import expect

    watch = Watch()
    context = browser.new_context(
        viewport={"width": width, "height": HEIGHT}, service_workers="block", accept_downloads=True
    )
    context.route("**/*", watch.guard)
    context.on("page", watch.attach)
    page = context.new_page()
    response = page.goto(f"{server.url}{path}", wait_until="load")
    assert response is not None and response.status == 200
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    return page, watch, context


@pytest.fixture
def open_page(chromium_browser: Any) -> Iterator[Any]:
    """open_page(server, width, path="/") -> (page, watch): the explorer loaded at that width."""
    missing = missing_files()
    require(not missing, f"explorer files missing ({', '.join(missing)}); run `{INSTALL_HINT}`")
    contexts: list[Any] = []

    def opener(server: Server, width: int, path: str = "/") -> tuple[Any, Watch]:
        page, watch, context = load(chromium_browser, server, width, path)
        contexts.append(context)
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def settle(page: Any) -> None:
    """Wait until no request is pending, the view has stopped moving and the labels are placed
    (hang guards, not timings)."""
    page.wait_for_function("() => document.body.dataset.busy === '0'", timeout=60_000)
    page.wait_for_function("() => !window.explorer.cy.animated()")
    time.sleep(0.2)
    page.wait_for_function("() => document.getElementById('cy').dataset.labelsPending !== '1'")


def show_filters(page: Any) -> None:
    """Open the filter panel where a narrow window folds it away."""
    toggle = page.locator("#toggle-filters")
    if toggle.count() and toggle.is_visible() and not page.locator("#filter-topic").is_visible():
        toggle.click()


def hide_filters(page: Any) -> None:
    """Fold the filter panel away where it lies over the canvas (a narrow window)."""
    toggle = page.locator("#toggle-filters")
    if toggle.count() and toggle.is_visible() and page.locator("#sidebar").is_visible():
        toggle.click()
        page.wait_for_function("() => !document.getElementById('sidebar').checkVisibility()")


def filter_topic(page: Any, topic: str) -> None:
    from playwright.sync_api import expect

    show_filters(page)
    page.select_option("#filter-topic", topic)
    expect(page.locator("body")).to_have_attribute("data-view", "filter")
    settle(page)


def shot(page: Any, name: str) -> None:
    """A screenshot for the README: artifacts/explorer-<name>.png (scripts/screenshots.sh)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"explorer-{name}.png"))


def no_trouble(watch: Watch, allowed: str | None = None) -> None:
    blocked = [u for u in watch.blocked if not (allowed and re.search(allowed, u))]
    assert not blocked, blocked
    errors = [e for e in watch.console_errors if not (allowed and "ERR_BLOCKED" in e)]
    assert not errors, errors
    assert not watch.dialogs, watch.dialogs


# ----------------------------------------------------------------- 60-150 nodes, readable

LABELS = """() => {
  const cy = window.explorer.cy;
  const z = cy.zoom(), pan = cy.pan(), W = cy.width(), H = cy.height();
  const out = [];
  cy.nodes().forEach((n) => {
    const p = n.renderedPosition();
    if (p.x < 0 || p.x > W || p.y < 0 || p.y > H) return;
    const text = n.style('label');
    const px = parseFloat(n.style('font-size')) * z;
    const min = parseFloat(n.style('min-zoomed-font-size')) || 0;
    const shown = Boolean(text) && Number(n.style('text-opacity')) > 0 && px >= min && n.visible();
    const b = n.boundingBox({ includeNodes: false, includeEdges: false, includeLabels: true,
                              includeOverlays: false, includeUnderlays: false });
    out.push({ id: n.id(), kind: n.data('kind'), degree: n.degree(false), shown, px,
               box: [b.x1 * z + pan.x, b.y1 * z + pan.y, b.x2 * z + pan.x, b.y2 * z + pan.y] });
  });
  return out;
}"""

HUBS = """() => {
  const cy = window.explorer.cy;
  const articles = cy.nodes("[kind = 'article']");
  const rest = cy.nodes("[kind != 'article']");
  const hubs = rest.filter((n) => articles.every((a) => n.neighborhood().contains(a)));
  const others = rest.difference(hubs);
  return {
    articles: articles.length,
    hubs: hubs.map((n) => ({ id: n.id(), width: n.renderedWidth(),
      edgeOpacity: Math.max(...n.connectedEdges().map((e) => Number(e.style('opacity')))) })),
    widest: Math.max(0, ...others.map((n) => n.renderedWidth())),
  };
}"""

SPAN = """() => {
  const cy = window.explorer.cy;
  const b = cy.nodes().renderedBoundingBox({ includeLabels: false });
  return { left: b.x1, right: b.x2, width: b.w, canvas: cy.width() };
}"""


# The nodes well inside the canvas: room for a label (at most 150 px wide, under the node).
INSIDE = """() => { const cy = window.explorer.cy; const W = cy.width(), H = cy.height();
  return cy.nodes().filter((n) => { const p = n.renderedPosition();
    return p.x >= 80 && p.x <= W - 80 && p.y >= 0 && p.y <= H - 40; }).map((n) => n.id()); }"""


def inside(labels: list[dict[str, Any]], ids: list[str]) -> list[dict[str, Any]]:
    """The labels (LABELS' entries) of the nodes ``ids`` (INSIDE's answer)."""
    keep = set(ids)
    return [label for label in labels if label["id"] in keep]


def crossing(a: list[float], b: list[float]) -> bool:
    """Two screen boxes overlap by more than a pixel each way."""
    return min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1


@dataclass
class Drawn:
    """The page, at one width, with a filter of 60-150 nodes drawn (filters folded away)."""

    corpus: Corpus
    width: int
    page: Any
    watch: Watch


@pytest.fixture(scope="module", params=WIDTHS)
def drawn(corpus: Corpus, chromium_browser: Any, request: pytest.FixtureRequest) -> Iterator[Drawn]:
    missing = missing_files()
    require(not missing, f"explorer files missing ({', '.join(missing)}); run `{INSTALL_HINT}`")
    width = int(request.param)
    page, watch, context = load(chromium_browser, corpus.server, width)
    try:
        filter_topic(page, corpus.topic)
        hide_filters(page)
        settle(page)
        count = page.evaluate("() => window.explorer.cy.nodes().length")
        assert 60 <= count <= 150, count
        yield Drawn(corpus, width, page, watch)
    finally:
        context.close()


def hubs_of(page: Any) -> dict[str, Any]:
    return dict(page.evaluate(HUBS))


def test_labels_are_readable_and_follow_degree(drawn: Drawn) -> None:
    """Enough labels, readable (>= 10 px on screen), none covering another, and the most
    connected node in view (a hub aside) among them."""
    labels = drawn.page.evaluate(LABELS)
    shown = [label for label in labels if label["shown"]]
    readable = [label for label in shown if label["px"] >= 10]
    # A narrow window's canvas holds fewer: at 800 px one run placed 9 labels on 112 nodes
    # (the layout starts at random; other runs 12 or more), against none before this change.
    enough = 12 if drawn.width >= 1024 else 6
    assert len(readable) >= min(enough, len(labels) // 5), (len(readable), len(labels))
    assert len(readable) == len(shown), "some labels are drawn too small to read"
    pairs = [
        (a["id"], b["id"])
        for i, a in enumerate(readable)
        for b in readable[i + 1 :]
        if crossing(a["box"], b["box"])
    ]
    assert not pairs, f"{len(pairs)} pairs of labels overlap, e.g. {pairs[:3]}"
    hub_ids = {h["id"] for h in hubs_of(drawn.page)["hubs"]}
    top = max((lb for lb in labels if lb["id"] not in hub_ids), key=lambda lb: lb["degree"])
    assert top["shown"], f"the most connected node {top['id']} has no readable label"
    # Zoomed in on that node, more of its neighbourhood is labelled, still readable. Shares
    # are taken over the nodes well inside the canvas, where a label would fit: a node at the
    # rim has no room for one at any zoom (at 800 px, one run kept 9 nodes in view, 6 of them
    # unlabelled, and failed when all nodes in view were counted).
    before = inside(labels, drawn.page.evaluate(INSIDE))
    try:
        drawn.page.evaluate(
            """(id) => { const cy = window.explorer.cy;
              cy.zoom({ level: cy.zoom() * 2.5, renderedPosition: cy.getElementById(id).renderedPosition() }); }""",
            top["id"],
        )
        settle(drawn.page)
        zoomed = drawn.page.evaluate(LABELS)
        assert all(lb["px"] >= 10 for lb in zoomed if lb["shown"])
        after = inside(zoomed, drawn.page.evaluate(INSIDE))
        assert after and before
        assert sum(lb["shown"] for lb in after) / len(after) >= sum(
            lb["shown"] for lb in before
        ) / len(before), "zooming in should label a larger share of the nodes well inside the view"
    finally:  # the next tests use this page: back to the whole drawing
        drawn.page.evaluate("() => window.explorer.cy.fit(undefined, 40)")
        settle(drawn.page)


def test_a_topic_tagging_every_article_does_not_dominate(drawn: Drawn) -> None:
    """The filtered topic tags every drawn article: it is drawn no bigger than the other
    providers and topics, and its edges faint."""
    hubs = hubs_of(drawn.page)
    assert hubs["hubs"], "the filtered topic should tag every drawn article"
    for hub in hubs["hubs"]:
        assert hub["width"] <= hubs["widest"], (hub, hubs["widest"])
        assert hub["edgeOpacity"] <= 0.3, hub


def test_the_filter_layout_uses_the_whole_width(drawn: Drawn) -> None:
    span = drawn.page.evaluate(SPAN)
    assert span["width"] >= 0.8 * span["canvas"], span
    if drawn.width == 1440:
        shot(drawn.page, f"filter-{'hub' if drawn.corpus.topic == HUB else 'real'}-1440")


def test_a_hover_card_names_title_provider_and_date(drawn: Drawn) -> None:
    from playwright.sync_api import expect

    page = drawn.page
    article = page.evaluate(
        """() => { const cy = window.explorer.cy;
          return cy.nodes("[kind = 'article']").filter((n) => {
            const p = n.renderedPosition();
            return p.x > 40 && p.x < cy.width() - 40 && p.y > 40 && p.y < cy.height() - 40;
          }).first().id(); }"""
    )
    detail = data(
        drawn.corpus.server,
        "query($id: ID!) { node(id: $id) { ... on Article { title publishedAt provider { name } } } }",
        id=article,
    )["node"]
    x, y = node_point(page, article)
    page.mouse.move(x, y)
    card = page.locator("#hovercard")
    expect(card).to_be_visible()
    expect(card).to_have_attribute("data-id", article)
    expect(card.locator(".card-title")).to_have_text(detail["title"])
    expect(card.locator(".card-meta")).to_have_text(
        f"{detail['provider']['name']} · {detail['publishedAt'][:10]}"
    )
    if drawn.width == 1440 and drawn.corpus.topic != HUB:
        shot(page, "hover-card")
    box = card.bounding_box()
    canvas = page.locator("#cy").bounding_box()
    assert box and canvas
    assert canvas["x"] <= box["x"] and box["x"] + box["width"] <= canvas["x"] + canvas["width"] + 1
    title = page.locator(".topbar h1").bounding_box()
    assert title
    page.mouse.move(title["x"] + 5, title["y"] + 5)
    expect(card).to_be_hidden()
    no_trouble(drawn.watch)


# ------------------------------------------------------------------------ narrow windows

PLACEHOLDER_FITS = """() => {
  const box = document.getElementById('search');
  const style = getComputedStyle(box);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
  const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return { text: ctx.measureText(box.placeholder).width, room };
}"""


def rect(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).bounding_box()
    assert box, f"{selector} is not drawn"
    return dict(box)


NARROW = [1440, 1024, 800, 768]


@pytest.mark.parametrize("width", NARROW)
def test_top_bar_fits_and_search_is_usable(corpus: Corpus, width: int, open_page: Any) -> None:
    page, watch = open_page(corpus.server, width)
    # Nothing sticks out sideways; every button of the top bar is on screen.
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    for button in page.locator(".topbar button:visible, .topbar a:visible").all():
        box = button.bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= width, button.inner_text()
    # The search box is usable and its placeholder whole.
    assert rect(page, "#search")["width"] >= 250
    fits = page.evaluate(PLACEHOLDER_FITS)
    assert fits["text"] <= fits["room"], fits
    no_trouble(watch)


@pytest.mark.parametrize("width", NARROW)
def test_canvas_keeps_half_the_width_and_panels_fold(
    corpus: Corpus, width: int, open_page: Any
) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, width)
    assert rect(page, "#cy")["width"] >= width / 2
    # With the filters open (over the canvas where the window is narrow), and a filter drawn.
    filter_topic(page, corpus.topic)
    assert rect(page, "#cy")["width"] >= width / 2
    assert page.evaluate("() => window.explorer.cy.nodes().length") > 0
    hide_filters(page)
    assert rect(page, "#cy")["width"] >= width / 2
    if width == 800 and corpus.topic != HUB:
        settle(page)
        shot(page, "narrow-800")
    # Below 1200 px the panels fold away: "Details" hides the panel, and the canvas widens.
    if width < 1200:
        before = rect(page, "#cy")["width"]
        expect(page.locator("#toggle-panel")).to_have_attribute("aria-expanded", "true")
        page.locator("#toggle-panel").click()
        expect(page.locator("#panel")).to_be_hidden()
        expect(page.locator("#toggle-panel")).to_have_attribute("aria-expanded", "false")
        page.wait_for_function("(w) => document.getElementById('cy').clientWidth > w", arg=before)
        page.locator("#toggle-panel").click()
        expect(page.locator("#panel")).to_be_visible()
    no_trouble(watch)


@pytest.mark.parametrize("width", NARROW)
def test_load_more_is_one_line(corpus: Corpus, width: int, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, width)
    big = data(corpus.server, TOPIC_COUNTS)["topics"]["edges"][0]["node"]
    assert big["articleCount"] > 100
    filter_topic(page, big["name"])
    expect(page.locator("#filter-more")).to_be_visible()
    lines = page.evaluate(
        """() => { const b = document.getElementById('filter-more');
          const r = document.createRange(); r.selectNodeContents(b);
          return new Set([...r.getClientRects()].map((q) => Math.round(q.top))).size; }"""
    )
    assert lines == 1, "“Load more” wraps"
    side = rect(page, "#sidebar")
    button = rect(page, "#filter-more")
    assert button["x"] + button["width"] <= side["x"] + side["width"]
    no_trouble(watch)


# --------------------------------------------------------------------------- stale text


def panel_text(page: Any) -> str:
    return str(page.locator("#panel").inner_text())


def small_topic(corpus: Corpus) -> str:
    """A topic of fewer articles than a filter page."""
    return "Esports" if corpus.topic == HUB else corpus.topic


def test_load_more_is_promised_only_when_there_is_more(corpus: Corpus, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, 1440)
    big = data(corpus.server, TOPIC_COUNTS)["topics"]["edges"][0]["node"]["name"]
    filter_topic(page, big)
    expect(page.locator("#filter-more")).to_be_visible()
    assert "Load more" in panel_text(page)
    topic = small_topic(corpus)
    total = data(
        corpus.server,
        "query($t: [String!]) { articles(filter: {topics: $t}, first: 1) { totalCount } }",
        t=[topic],
    )["articles"]["totalCount"]
    assert 0 < total < 100
    page.select_option("#filter-topic", topic)
    expect(page.locator("#panel h2")).to_have_text(f"{total} articles")
    settle(page)
    expect(page.locator("#filter-more")).to_be_hidden()
    text = panel_text(page)
    assert "Load more" not in text and f"All {total} are drawn" in text, text
    no_trouble(watch)


def test_no_results_say_so(corpus: Corpus, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, 1440)
    filter_topic(page, small_topic(corpus))
    page.fill("#filter-from", "1990-01-01")
    page.fill("#filter-to", "1990-01-02")
    page.locator("#filter-apply").click()
    expect(page.locator("#panel h2")).to_have_text(re.compile("^(No articles|0 articles)$"))
    settle(page)
    text = panel_text(page)
    assert "Load more" not in text and "No article matches" in text, text
    assert page.evaluate("() => window.explorer.cy.nodes().length") == 0
    expect(page.locator("#status")).to_contain_text("No article matches")
    no_trouble(watch)


def first_article(corpus: Corpus) -> str:
    """An article of a topic of fewer articles than a page."""
    answer = data(
        corpus.server,
        "query($t: [String!]) { articles(filter: {topics: $t}, first: 1) { edges { node { id } } } }",
        t=[small_topic(corpus)],
    )
    return str(answer["articles"]["edges"][0]["node"]["id"])


def test_neighbours_on_canvas_follow_an_expand(corpus: Corpus, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, 1440, f"/#node={first_article(corpus)}")
    expect(page.locator("body")).to_have_attribute("data-view", "neighbourhood")
    settle(page)
    topic = page.evaluate(
        """(hub) => window.explorer.cy.nodes("[kind = 'topic']")
          .filter((n) => n.data('label') !== hub && !n.hasClass('expanded'))
          .max((n) => n.data('articleCount')).ele.id()""",
        HUB,
    )
    before = page.evaluate("(id) => window.explorer.cy.getElementById(id).degree(false)", topic)
    click_node(page, topic)
    page.wait_for_function(
        "(id) => window.explorer.cy.getElementById(id).hasClass('expanded')", arg=topic
    )
    settle(page)
    neighbours = page.evaluate(
        "(id) => window.explorer.cy.getElementById(id).neighborhood().nodes().length", topic
    )
    assert neighbours > before
    cell = page.locator("#panel dt:text-is('Neighbours on canvas') + dd")
    expect(cell).to_have_text(str(neighbours))
    no_trouble(watch)


BULLETS = """() => [...document.querySelectorAll('#panel .article-list li')].map((li) => {
  const mark = document.createTextNode('\\u200b');
  li.prepend(mark);
  const r = document.createRange(); r.selectNodeContents(mark);
  const bullet = r.getBoundingClientRect();
  mark.remove();
  const t = document.createRange(); t.selectNodeContents(li.querySelector('button'));
  const lines = [...t.getClientRects()];
  return { first: lines[0].top - bullet.top, lines: new Set(lines.map((q) => Math.round(q.top))).size };
})"""


def test_latest_articles_start_on_their_bullets(corpus: Corpus, open_page: Any) -> None:
    """Each title in "Latest articles" starts on its bullet's line (the titles wrap)."""
    from playwright.sync_api import expect

    topic = data(
        corpus.server, "query($n: String!) { topic(name: $n) { id } }", n=small_topic(corpus)
    )["topic"]["id"]
    page, watch = open_page(corpus.server, 1440, f"/#node={topic}")
    items = page.locator("#panel .article-list li")
    expect(items.first).to_be_visible()
    settle(page)
    offsets = page.evaluate(BULLETS)
    assert any(o["lines"] > 1 for o in offsets), "no title wraps: the check would prove nothing"
    assert all(abs(o["first"]) <= 3 for o in offsets), offsets
    no_trouble(watch)


# ---------------------------------------------------------------------- shareable state


def view_of(page: Any) -> dict[str, Any]:
    return dict(
        page.evaluate(
            """() => ({
              search: document.getElementById('search').value,
              topic: document.getElementById('filter-topic').value,
              provider: document.getElementById('filter-provider').value,
              nodes: window.explorer.cy.nodes().map((n) => n.id()).sort(),
              selected: window.explorer.cy.$('node:selected').map((n) => n.id()),
              title: document.querySelector('#panel h2').textContent,
            })"""
        )
    )


def test_a_view_survives_a_reload(corpus: Corpus, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, 1440)
    page.locator("#search").press_sequentially("story", delay=30)
    expect(page.locator("#results")).to_have_attribute("data-query", "story")
    page.keyboard.press("Escape")
    filter_topic(page, corpus.topic)
    article = page.evaluate("() => window.explorer.cy.nodes(\"[kind = 'article']\").first().id()")
    click_node(page, article)
    page.wait_for_function(
        "(id) => window.explorer.cy.getElementById(id).hasClass('expanded')", arg=article
    )
    settle(page)
    saved = view_of(page)
    assert saved["selected"] == [article] and saved["topic"] == corpus.topic
    address = page.url
    assert "#" in address

    page.reload(wait_until="load")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    settle(page)
    restored = view_of(page)
    # The filter is redrawn (the expansion was a later step, not part of the address).
    filtered = data(
        corpus.server,
        "query($t: [String!]) { articles(filter: {topics: $t}, first: 100) { totalCount } }",
        t=[corpus.topic],
    )["articles"]
    assert restored["search"] == "story"
    assert restored["topic"] == corpus.topic
    assert restored["selected"] == [article]
    assert restored["title"] == saved["title"]
    articles = page.evaluate("() => window.explorer.cy.nodes(\"[kind = 'article']\").length")
    assert articles == min(100, filtered["totalCount"])
    assert set(restored["nodes"]) <= set(saved["nodes"])
    no_trouble(watch)


def test_an_opened_node_and_its_selection_survive_a_reload(corpus: Corpus, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, 1440, f"/#node={first_article(corpus)}")
    expect(page.locator("body")).to_have_attribute("data-view", "neighbourhood")
    settle(page)
    drawn = set(view_of(page)["nodes"])
    other = page.evaluate("() => window.explorer.cy.nodes(\"[kind = 'provider']\").first().id()")
    click_node(page, other)
    page.wait_for_function(
        "(id) => window.explorer.cy.getElementById(id).hasClass('expanded')", arg=other
    )
    settle(page)
    saved = view_of(page)
    assert saved["selected"] == [other]
    page.reload(wait_until="load")
    expect(page.locator("body")).to_have_attribute("data-ready", "true", timeout=30_000)
    settle(page)
    restored = view_of(page)
    assert set(restored["nodes"]) == drawn  # the neighbourhood, as opened
    assert restored["selected"] == [other]
    assert restored["title"] == saved["title"]
    no_trouble(watch)


# ---------------------------------------------------------------------------- file names


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-")


def test_exports_are_named_after_corpus_and_view(corpus: Corpus, open_page: Any) -> None:
    from playwright.sync_api import expect

    page, watch = open_page(corpus.server, 1440)
    topic = small_topic(corpus)
    filter_topic(page, topic)
    stem = f"{slug(corpus.name)}-topic-{slug(topic)}"
    with page.expect_download() as graphml:
        page.locator("#export-graphml").click()
    assert graphml.value.suggested_filename == f"{stem}.graphml"
    with page.expect_download() as png:
        page.locator("#export-png").click()
    assert png.value.suggested_filename == f"{stem}.png"
    expect(page.locator("#export-server")).to_be_enabled()
    with page.expect_download() as server_file:
        page.select_option("#export-server", "GRAPHML")
    assert server_file.value.suggested_filename == f"{stem}.graphml"
    assert "<graphml" in Path(server_file.value.path()).read_text(encoding="utf-8")
    # A neighbourhood is named after its node.
    node = first_article(corpus)
    page.goto(f"{corpus.server.url}/#node={node}")
    page.reload(wait_until="load")
    expect(page.locator("body")).to_have_attribute("data-view", "neighbourhood", timeout=30_000)
    settle(page)
    title = data(
        corpus.server, "query($id: ID!) { node(id: $id) { ... on Article { title } } }", id=node
    )
    with page.expect_download() as hood:
        page.locator("#export-graphml").click()
    expected = f"{slug(corpus.name)}-{slug('neighbourhood of ' + title['node']['title'])}.graphml"
    assert hood.value.suggested_filename == expected
    no_trouble(watch)


# ------------------------------------------------------------------------ failed images

IMAGES = "{ articles(first: 100) { edges { node { id images { url } } } } }"


def test_a_failed_image_shows_a_note(corpus: Corpus, open_page: Any) -> None:
    """Offline (the test lets nothing leave localhost), an article's image cannot load."""
    from playwright.sync_api import expect

    article = next(
        e["node"]
        for e in data(corpus.server, IMAGES)["articles"]["edges"]
        if any(i["url"].startswith("https://") for i in e["node"]["images"])
    )
    url = next(i["url"] for i in article["images"] if i["url"].startswith("https://"))
    host = urlsplit(url).netloc
    page, watch = open_page(corpus.server, 1440, f"/#node={article['id']}")
    expect(page.locator("body")).to_have_attribute("data-view", "neighbourhood")
    page.locator("#panel button", has_text=f"Show image from {host}").click()
    note = page.locator("#panel .image-failed")
    expect(note).to_be_visible()
    expect(note).to_contain_text("could not be loaded")
    expect(page.locator("#panel img")).to_have_count(0)
    no_trouble(watch, allowed=f"^https://{re.escape(host)}/")
