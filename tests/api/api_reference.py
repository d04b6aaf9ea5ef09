"""An independent, deliberately plain reading of a corpus with PyYAML, for checking the API.

It implements only the DATA-MODEL.md rules the API tests compare against, in the simplest way,
sharing no code with graphsvc.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from support import pyyaml_frontmatter


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
