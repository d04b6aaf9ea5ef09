"""Print, as JSON, what a corpus loads to: every full article (URL, title, date, source paths).

Run as a script (``python probe.py CORPUS``) in a memory-limited subprocess by test_hostile.py;
the ingest report itself comes from ``graphsvc ingest --json``. Standard ``json`` is used on
purpose: it can print any path, even one that is not valid UTF-8.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from graphsvc.corpus import load_store


def main(corpus: str) -> None:
    store = load_store(Path(corpus), use_cache=False)
    articles = {
        a.url: {
            "title": a.title,
            "publishedAt": a.published_at.isoformat() if a.published_at else None,
            "sources": list(a.sources),
        }
        for a in store.articles.values()
        if not a.is_stub
    }
    json.dump({"articles": articles, "counts": store.counts.as_dict()}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1])
