"""An independent, deliberately plain reading of a corpus with PyYAML, for checking the API.

It implements only the rules of docs/data-model.md the API tests compare against, in the simplest way,
sharing no code with graphsvc.
"""

from __future__ import annotations

import html
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tests.support import pyyaml_frontmatter


def canon(url: str) -> str:
    s = urlsplit(url.strip())
    query = "&".join(p for p in s.query.split("&") if p and not p.startswith("utm_"))
    path = s.path[:-1] if len(s.path) > 1 and s.path.endswith("/") else s.path
    return urlunsplit((s.scheme.lower(), s.netloc.lower(), path, query, ""))


def url_of(d: dict[str, Any]) -> str | None:
    for k in ("webUrl", "originalUrl"):
        if isinstance(d.get(k), str) and d[k].strip():
            return canon(d[k])
    return None


def when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return None


def domain(d: dict[str, Any], url: str) -> str:
    p = d.get("provider")
    dom = p.get("domain") if isinstance(p, dict) else None
    if not isinstance(dom, str) or not dom.strip():
        dom = urlsplit(url).hostname or ""
    dom = dom.strip().lower()
    return dom[4:] if dom.startswith("www.") else dom


@dataclass
class Reference:
    docs: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> winning frontmatter
    topic_urls: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    provider_urls: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    related_out: dict[str, list[str]] = field(default_factory=dict)
    related_in: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    stubs: set[str] = field(default_factory=set)

    def published(self, url: str) -> datetime | None:
        return when(self.docs[url].get("publishedDateTime"))

    def newest_first(self, urls: set[str]) -> list[str]:
        dated = sorted(
            (u for u in urls if self.published(u)),
            key=lambda u: (-self.published(u).timestamp(), u),
        )  # type: ignore[union-attr]
        return dated + sorted(u for u in urls if not self.published(u))


def read(corpus: Path) -> Reference:
    ref = Reference()
    best: dict[str, tuple[tuple[str, str], dict[str, Any]]] = {}
    for rel, data in pyyaml_frontmatter(corpus).items():
        url = url_of(data)
        assert url is not None
        published = when(data.get("publishedDateTime"))
        order = (published.isoformat() if published else "", rel)
        if url not in best or order >= best[url][0]:
            best[url] = (order, data)
    ref.docs = {url: data for url, (_, data) in best.items()}
    for url, data in ref.docs.items():
        topics = data.get("topics") or []
        topics = [topics] if isinstance(topics, str) else topics
        for t in topics:
            if isinstance(t, str) and t.strip():
                ref.topic_urls[t.strip().casefold()].add(url)
        ref.provider_urls[domain(data, url)].add(url)
        out: list[str] = []
        for item in data.get("related") or []:
            if (
                isinstance(item, dict)
                and (target := url_of(item))
                and target != url
                and target not in out
            ):
                out.append(target)
                ref.related_in[target].add(url)
                if target not in ref.docs:
                    ref.stubs.add(target)
        ref.related_out[url] = out
    return ref


# Every field of every node, and every edge ----------------------------------------------------
# Added for tests/api/test_contract_values.py and tests/web/test_contract_http.py; the code above
# is unchanged. Node identities are ("article", url), ("provider", domain), ("topic", folded).

NodeId = tuple[str, str]
Edge = tuple[str, NodeId, NodeId]  # (kind, source, target)
EARLIEST = datetime.min.replace(tzinfo=UTC)  # an undated related item counts as earliest
# UTF-8 bytes as Windows-1252 shows them; the five bytes it leaves undefined read as Latin-1.
_CP1252 = {bytes([b]).decode("cp1252", errors="ignore") or chr(b): b for b in range(0x80, 0x100)}


def _utf8_length(lead: int) -> int:
    return 2 if 0xC2 <= lead <= 0xDF else 3 if 0xE0 <= lead <= 0xEF else 4 if lead <= 0xF4 else 0


def unmojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252, sequence by sequence; anything else is left alone."""
    out: list[str] = []
    i = 0
    while i < len(text):
        lead = _CP1252.get(text[i])
        size = _utf8_length(lead) if lead is not None and lead >= 0xC2 else 0
        chunk = text[i : i + size]
        if size and len(chunk) == size and all(c in _CP1252 for c in chunk):
            try:
                out.append(bytes(_CP1252[c] for c in chunk).decode("utf-8"))
                i += size
                continue
            except UnicodeDecodeError:
                pass
        out.append(text[i])
        i += 1
    return "".join(out)


def clean(text: str) -> str:
    """Text cleaning (docs/data-model.md#values): entities decoded until stable, mojibake repaired, BOMs out."""
    while (decoded := html.unescape(text)) != text:
        text = decoded
    return unmojibake(text).replace("\ufeff", "")


def text_title(value: Any) -> str | None:
    """A title: a number becomes a string; blank or missing is None."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value.strip() else None


def integer(value: Any) -> int | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and -(2**31) <= value < 2**31
    return value if ok else None


def images(value: Any) -> list[dict[str, Any]]:
    """The images that have a URL, as the contract's Image objects, in list order."""
    if not isinstance(value, list):
        return []
    return [
        {"url": i["url"], "width": integer(i.get("width")), "height": integer(i.get("height"))}
        for i in value
        if isinstance(i, dict) and isinstance(i.get("url"), str) and i["url"].strip()
    ]


def topic_spellings(value: Any) -> list[str]:
    value = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    return [t.strip() for t in value if isinstance(t, str) and t.strip()]


def most_frequent(seen: list[str]) -> str:
    """The most frequent value; ties go to the first seen."""
    counts = Counter(seen)
    return max(counts, key=lambda s: (counts[s], -seen.index(s)))


@dataclass
class Values:
    """Expected contract values of every article, provider and topic, and every edge."""

    ref: Reference
    articles: dict[str, dict[str, Any]] = field(default_factory=dict)  # url -> Article fields
    provider_names: dict[str, str] = field(default_factory=dict)  # domain -> display name
    topic_names: dict[str, str] = field(default_factory=dict)  # folded -> display name
    edges: set[Edge] = field(default_factory=set)
    #: Stubs whose fields depend on whether a URL repeated within one related list competes
    #: with its first mention; ``articles`` follows docs/data-model.md literally (every item does).
    stub_first_mention: dict[str, dict[str, Any]] = field(default_factory=dict)
    _incident: dict[NodeId, list[Edge]] = field(default_factory=lambda: defaultdict(list))

    def article_order(self, urls: set[str], order: str) -> list[str]:
        """The documented orders (served schema): newest/oldest first with undated last,
        quality highest first with none last then newest first; remaining ties by URL."""

        def when_key(u: str, sign: int) -> tuple[int, float]:
            at = self.articles[u]["publishedAt"]
            return (1, 0.0) if at is None else (0, sign * at.timestamp())

        def key(u: str) -> tuple[Any, ...]:
            if order == "PUBLISHED_AT_ASC":
                return (*when_key(u, 1), u)
            if order == "PUBLISHED_AT_DESC":
                return (*when_key(u, -1), u)
            quality = self.articles[u]["quality"]
            return (quality is None, -(quality or 0), *when_key(u, -1), u)

        return sorted(urls, key=key)

    def __repr__(self) -> str:  # the fields are big: keep them out of failure reports
        return f"Values({len(self.articles)} articles, {len(self.edges)} edges)"

    @property
    def providers(self) -> set[str]:
        """Every provider domain: those of documents and of stubs."""
        return {a["provider"] for a in self.articles.values()}

    def incident(self, node: NodeId) -> list[Edge]:
        """The edges into and out of ``node``."""
        if not self._incident:
            for edge in self.edges:
                self._incident[edge[1]].append(edge)
                self._incident[edge[2]].append(edge)
        return self._incident.get(node, [])

    def neighbours(self, node: NodeId, kinds: set[str] | None = None) -> set[NodeId]:
        """Nodes one edge away, either direction."""
        return {
            target if source == node else source
            for kind, source, target in self.incident(node)
            if kinds is None or kind in kinds
        }


def _article_values(d: dict[str, Any], url: str, title: str, stub: bool) -> dict[str, Any]:
    excerpt = d.get("excerpt")
    published = d.get("published")
    return {
        "url": url,
        "title": clean(title),
        "excerpt": clean(excerpt) if isinstance(excerpt, str) else None,
        "publishedAt": when(d.get("publishedDateTime")),
        "type": d.get("type") if isinstance(d.get("type"), str) else None,
        "quality": integer(d.get("quality")),
        "heat": integer(d.get("heat")),
        "published": published if isinstance(published, bool) else None,
        "isStub": stub,
        "provider": domain(d, url),
        # distinct, in document order (the served schema's "Topics of the article, in document order")
        "topics": []
        if stub
        else list(dict.fromkeys(t.casefold() for t in topic_spellings(d.get("topics")))),
        "images": images(d.get("images")),
    }


def values(corpus: Path) -> Values:
    """Read ``corpus`` with PyYAML and apply docs/data-model.md to every node and edge."""
    ref = read(corpus)
    out = Values(ref)
    frontmatter = pyyaml_frontmatter(corpus)
    winners = [rel for rel, d in frontmatter.items() if ref.docs.get(url_of(d) or "") is d]
    spellings: dict[str, list[str]] = defaultdict(list)
    names: dict[str, list[str]] = defaultdict(list)
    stub_item: dict[str, tuple[tuple[datetime, str], dict[str, Any]]] = {}
    stub_first: dict[str, tuple[tuple[datetime, str], dict[str, Any]]] = {}
    for rel in winners:  # path order: "first seen"
        d = frontmatter[rel]
        url = url_of(d)
        assert url is not None
        title = text_title(d.get("title"))
        assert title is not None
        out.articles[url] = _article_values(d, url, title, stub=False)
        for spelling in topic_spellings(d.get("topics")):
            spellings[spelling.casefold()].append(spelling)
        mentioned: set[str] = set()
        for item in [d, *(d.get("related") or [])]:
            if not isinstance(item, dict) or not (item_url := url_of(item)):
                continue
            provider = item.get("provider")
            name = provider.get("name") if isinstance(provider, dict) else None
            if isinstance(name, str) and name.strip():
                names[domain(item, item_url)].append(name)
            if item is d or item_url not in ref.stubs:
                continue
            rank = (when(item.get("publishedDateTime")) or EARLIEST, rel)
            if item_url not in stub_item or rank >= stub_item[item_url][0]:
                stub_item[item_url] = (rank, item)
            if item_url not in mentioned and (
                item_url not in stub_first or rank >= stub_first[item_url][0]
            ):
                stub_first[item_url] = (rank, item)
            mentioned.add(item_url)
    for url, (_, item) in stub_item.items():
        out.articles[url] = _article_values(item, url, text_title(item.get("title")) or "", True)
        first = stub_first[url][1]
        out.stub_first_mention[url] = _article_values(
            first, url, text_title(first.get("title")) or "", True
        )
    out.topic_names = {key: clean(most_frequent(seen)) for key, seen in spellings.items()}
    out.provider_names = {dom: clean(most_frequent(seen)) for dom, seen in names.items()}
    for url, article in out.articles.items():
        a = ("article", url)
        out.edges.add(("PUBLISHED_BY", a, ("provider", article["provider"])))
        out.edges.update(("TAGGED", a, ("topic", t)) for t in article["topics"])
        out.edges.update(("RELATED", a, ("article", t)) for t in ref.related_out.get(url, []))
    return out


def utc(value: str | None) -> datetime | None:
    """A DateTime answer, which must carry a zero UTC offset."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value)
    assert moment.utcoffset() == timedelta(0), value
    return moment


def expected_article(want: Values, url: str) -> Any:
    """The contract answer for an article (IDs left out), from ``want``."""
    a = want.articles[url]
    return {
        **{k: a[k] for k in ("url", "title", "excerpt", "publishedAt", "type", "quality")},
        **{k: a[k] for k in ("heat", "published", "isStub", "images")},
        "provider": {
            "domain": a["provider"],
            "name": want.provider_names[a["provider"]],
            "articleCount": len(want.ref.provider_urls.get(a["provider"], ())),
        },
        "topics": [
            {"name": want.topic_names[t], "articleCount": len(want.ref.topic_urls[t])}
            for t in a["topics"]
        ],
    }


def answered_article(got: dict[str, Any]) -> Any:
    """An Article answer in the shape of expected_article."""
    return {
        **{k: v for k, v in got.items() if k not in ("id", "provider", "topics", "publishedAt")},
        "publishedAt": utc(got["publishedAt"]),
        "provider": {k: v for k, v in got["provider"].items() if k != "id"},
        "topics": [{k: v for k, v in t.items() if k != "id"} for t in got["topics"]],
    }
