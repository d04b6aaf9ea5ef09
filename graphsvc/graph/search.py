"""Full-text search over graph nodes: an immutable SQLite FTS5 index ranked by BM25.

Pure module (stdlib only): no GraphQL, no web. Chosen over tantivy by measurement,
see ``bench/search.py``.
"""

from __future__ import annotations

import html
import re
import sqlite3
import threading
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Final

__all__ = [
    "BODY_WEIGHT",
    "MAX_FIRST",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MIN_PREFIX_CHARS",
    "TITLE_WEIGHT",
    "SearchDoc",
    "SearchHit",
    "SearchIndex",
    "build_match_expression",
    "tokenize_query",
]

MAX_QUERY_CHARS: Final = 500
"""Only this many leading characters of a user query are considered; the rest is ignored."""
MAX_QUERY_TERMS: Final = 32
"""Only this many leading terms of a user query are searched for."""
MAX_FIRST: Final = 1000
"""Upper bound on hits per search, whatever ``first`` the caller passes."""
MIN_PREFIX_CHARS: Final = 2
"""The last query term is matched as a prefix (search-as-you-type) from this length on."""
TITLE_WEIGHT: Final = 10.0
"""BM25 weight of the title column; a title match outweighs a body match."""
BODY_WEIGHT: Final = 1.0
"""BM25 weight of the body column."""
SNIPPET_TOKENS: Final = 32
"""Maximum number of tokens in a snippet (FTS5 caps this at 64)."""

# Private-use sentinels marking hits inside FTS5 output; removed from indexed text so they
# cannot be forged by a document, then swapped for <mark> after HTML escaping.
_OPEN: Final = "\ue000"
_CLOSE: Final = "\ue001"
_SCRUB: Final = {ord(_OPEN): None, ord(_CLOSE): None, 0: " "}
# Runs of letters and digits: close to FTS5 unicode61 token characters (L*, N*, Co).
_TOKEN_RE: Final = re.compile(r"[^\W_]+")
_TOKENIZER: Final = "unicode61 remove_diacritics 2"


@dataclass(frozen=True, slots=True)
class SearchDoc:
    """A node to index: its key and kind, a title (or display name) and a body text."""

    key: str
    kind: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A ranked match; ``snippet`` is HTML-safe with the matched terms in ``<mark>`` tags."""

    key: str
    kind: str
    score: float
    snippet: str


def tokenize_query(query: str) -> tuple[list[str], bool]:
    """Split a plain-text query into terms; also say whether the last one is a prefix.

    >>> tokenize_query('Kube "AND" (ops')
    (['Kube', 'AND', 'ops'], True)
    """
    text = query[:MAX_QUERY_CHARS]
    terms = _TOKEN_RE.findall(text)
    if not terms:
        return [], False
    # A query that ends inside a word is still being typed: match its last word as a prefix.
    is_prefix = (
        len(terms) <= MAX_QUERY_TERMS
        and text.endswith(terms[-1])
        and len(terms[-1]) >= MIN_PREFIX_CHARS
    )
    return terms[:MAX_QUERY_TERMS], is_prefix


def build_match_expression(terms: list[str], is_prefix: bool, *, any_term: bool = False) -> str:
    """Build a safe FTS5 MATCH expression: every term quoted, so no operator gets through.

    >>> build_match_expression(['near', 'kube'], True)
    '"near" "kube"*'
    """
    quoted = ['"' + term.replace('"', '""') + '"' for term in terms]
    if quoted and is_prefix:
        quoted[-1] += "*"
    return (" OR " if any_term else " ").join(quoted)


def _render_snippet(raw: str) -> str:
    """HTML-escape FTS5 snippet output, then turn the sentinels into ``<mark>`` tags."""
    escaped = html.escape(raw, quote=True)
    return escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>")


class SearchIndex:
    """Immutable in-memory full-text index; safe to query from several threads at once."""

    __slots__ = ("_conn", "_count", "_keys", "_kinds", "_lock")

    def __init__(self, conn: sqlite3.Connection, keys: list[str], kinds: frozenset[str]) -> None:
        """Wrap a built index; use :meth:`build` instead."""
        self._conn = conn
        self._keys = keys
        self._kinds = kinds
        self._count = len(keys)
        self._lock = threading.Lock()

    @classmethod
    def build(cls, docs: Iterable[SearchDoc]) -> SearchIndex:
        """Index ``docs``; where two share a key, the later one wins."""
        by_key: dict[str, SearchDoc] = {}
        for doc in docs:
            by_key[doc.key] = doc
        conn = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        conn.execute(
            "CREATE VIRTUAL TABLE docs USING fts5("
            f"title, body, kind UNINDEXED, tokenize='{_TOKENIZER}')"
        )
        conn.execute(
            "INSERT INTO docs(docs, rank) VALUES('rank', ?)",
            (f"bm25({TITLE_WEIGHT}, {BODY_WEIGHT})",),
        )
        keys = list(by_key)
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO docs(rowid, title, body, kind) VALUES (?, ?, ?, ?)",
            (
                (rowid, doc.title.translate(_SCRUB), doc.body.translate(_SCRUB), doc.kind)
                for rowid, doc in enumerate(by_key.values())
            ),
        )
        conn.execute("COMMIT")
        conn.execute("INSERT INTO docs(docs) VALUES('optimize')")
        conn.execute("PRAGMA query_only = ON")
        return cls(conn, keys, frozenset(doc.kind for doc in by_key.values()))

    def __len__(self) -> int:
        """Number of indexed documents (distinct keys)."""
        return self._count

    def search(
        self, query: str, first: int = 10, kinds: Collection[str] | None = None
    ) -> list[SearchHit]:
        """Return up to ``first`` hits for a plain-text query, best first; never raises on input.

        All terms must match; if none does, any term may. ``kinds`` restricts node kinds.
        """
        limit = max(0, min(int(first), MAX_FIRST))
        terms, is_prefix = tokenize_query(query)
        wanted = self._kinds if kinds is None else self._kinds.intersection(kinds)
        if not terms or limit == 0 or not wanted:
            return []
        hits = self._run(build_match_expression(terms, is_prefix), wanted, limit)
        if not hits and len(terms) > 1:
            hits = self._run(build_match_expression(terms, is_prefix, any_term=True), wanted, limit)
        return hits

    def _run(self, expression: str, kinds: frozenset[str], limit: int) -> list[SearchHit]:
        """Execute one MATCH expression, filtered by kind, ranked by weighted BM25."""
        sql = (
            "SELECT rowid, rank, kind, "
            f"snippet(docs, -1, '{_OPEN}', '{_CLOSE}', '…', {SNIPPET_TOKENS}) "
            "FROM docs WHERE docs MATCH ?"
        )
        params: list[str | int] = [expression]
        if kinds != self._kinds:
            ordered = sorted(kinds)
            sql += f" AND kind IN ({', '.join('?' * len(ordered))})"
            params.extend(ordered)
        sql += " ORDER BY rank LIMIT ?"
        params.append(limit)
        try:
            with self._lock:
                rows = self._conn.execute(sql, params).fetchall()
        except sqlite3.Error:
            # Quoting keeps user text out of the FTS5 syntax; this is a last line of defence.
            return []
        return [
            SearchHit(self._keys[rowid], kind, -rank, _render_snippet(snippet))
            for rowid, rank, kind, snippet in rows
        ]
