"""Full-text search over graph nodes: an immutable in-memory tantivy index ranked by BM25.

Pure module: no GraphQL, no web. tantivy was chosen over SQLite FTS5 by measurement
(``python bench/search.py``, 44k real texts, 2 CPUs): build 0.96 s vs 1.45 s, query median
0.9 ms vs 7.2 ms, p99 3.8 ms vs 137 ms. FTS5 ranks every matching row; tantivy skips to the top.
"""

from __future__ import annotations

import hashlib
import html
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final, NamedTuple

import tantivy

__all__ = [
    "BODY_WEIGHT",
    "MAX_FIRST",
    "MAX_PREFIX_TERMS",
    "MAX_QUERY_CHARS",
    "MAX_QUERY_TERMS",
    "MIN_PREFIX_CHARS",
    "SNIPPET_CHARS",
    "TITLE_WEIGHT",
    "SearchDoc",
    "SearchHit",
    "SearchIndex",
]

MAX_QUERY_CHARS: Final = 500
"""Only this many leading characters of a user query are considered; the rest is ignored."""
MAX_QUERY_TERMS: Final = 32
"""Only this many leading terms of a user query are searched for."""
MAX_FIRST: Final = 1000
"""Upper bound on hits per search, whatever ``first`` the caller passes."""
MIN_PREFIX_CHARS: Final = 2
"""The last term of a query that ends inside a word matches as a prefix from this length on."""
MAX_PREFIX_TERMS: Final = 32
"""A prefix expands to at most this many indexed words per field, the most frequent first."""
TITLE_WEIGHT: Final = 10.0
"""Boost of a title match over a body match (BM25 per field, summed)."""
BODY_WEIGHT: Final = 1.0
"""Boost of a body match."""
SNIPPET_CHARS: Final = 200
"""Longest snippet, in characters of source text, before ellipses are added."""
_SNIPPET_LEAD: Final = 40  # characters of context kept before the first match in a long text
_MAX_TOKEN_BYTES: Final = 40  # longer words are neither indexed nor searched (tantivy default)
_INDEX_HEAP_BYTES: Final = 64_000_000
_FOLD: Final = "fold"
_TITLE: Final = "title"
_BODY: Final = "body"
_KIND: Final = "kind"
_ID: Final = "id"
_MARK: Final = "graphsvc-documents"  # written last: the count of documents indexed


class SearchDoc(NamedTuple):
    """A node to index: its key and kind, a title (or display name) and a body text.

    A named tuple: a store has hundreds of thousands, made at each start."""

    key: str
    kind: str
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A ranked match; ``snippet`` is HTML-safe with the matched words in ``<mark>`` tags."""

    key: str
    kind: str
    score: float
    snippet: str


def _make_analyzer() -> tantivy.TextAnalyzer:
    """Words of letters and digits, lower-cased and folded to ASCII (é ~ e), as in the index."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(_MAX_TOKEN_BYTES))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.ascii_fold())
        .build()
    )


def _scrub(text: str) -> str:
    """Replace lone surrogates (valid in ``str``, e.g. from JSON, but not in UTF-8) by ``?``."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


@dataclass(frozen=True, slots=True)
class _Terms:
    """The analysed query: whole words, plus the last word's expansions when it is a prefix."""

    words: tuple[str, ...]
    prefix: str | None
    expansions: dict[str, list[tuple[str, float]]]  # field -> [(word with the prefix, weight)]

    def matched(self, tokens: Iterable[str]) -> set[str]:
        """The distinct analysed words of a text that count as hits (for highlighting)."""
        if self.prefix is None:
            return set(self.words).intersection(tokens)
        words, prefix = self.words, self.prefix
        return {token for token in tokens if token.startswith(prefix) or token in words}


class SearchIndex:
    """Immutable in-memory full-text index; safe to query from several threads at once."""

    __slots__ = ("_analyzer", "_docs", "_index", "_kinds", "_lock", "_schema", "_searcher")
    _docs: Sequence[SearchDoc]

    def __init__(self, docs: Iterable[SearchDoc], path: Path | None = None, tag: str = "") -> None:
        """Index ``docs`` (where two share a key, the later one wins), in RAM or, with
        ``path``, in that new folder, which ``open`` reads back given the same ``tag``."""
        docs = self._take(docs)
        builder = tantivy.SchemaBuilder()
        builder.add_text_field(_TITLE, tokenizer_name=_FOLD, index_option="freq")
        builder.add_text_field(_BODY, tokenizer_name=_FOLD, index_option="freq")
        builder.add_text_field(_KIND, tokenizer_name="raw", index_option="basic")
        builder.add_integer_field(_ID, fast=True)
        self._schema = builder.build()
        if path is None:
            self._index = index = tantivy.Index(self._schema)  # held in RAM
        else:
            path.mkdir(parents=True)
            self._index = index = tantivy.Index(self._schema, path=str(path))
        index.register_tokenizer(_FOLD, self._analyzer)
        writer = index.writer(heap_size=_INDEX_HEAP_BYTES, num_threads=1)
        for position, doc in enumerate(docs):
            writer.add_document(
                tantivy.Document(title=doc.title, body=doc.body, kind=doc.kind, id=position)
            )
        writer.commit()
        writer.wait_merging_threads()
        index.reload()
        self._searcher = index.searcher()
        if path is not None:
            files = sorted(f.name for f in path.iterdir() if not f.name.startswith("."))
            digest = content_hash(path, files)
            (path / _MARK).write_text(f"{len(docs)} {tag} {digest} {','.join(files)}")

    @classmethod
    def build(
        cls, docs: Iterable[SearchDoc], path: Path | None = None, tag: str = ""
    ) -> SearchIndex:
        """Index ``docs``; where two share a key, the later one wins (see ``__init__``)."""
        return cls(docs, path, tag)

    @classmethod
    def open(
        cls, path: Path, docs: Sequence[SearchDoc], tag: str = "", kinds: Iterable[str] = ()
    ) -> SearchIndex:
        """The index built at ``path`` from these same ``docs`` (distinct keys, in the order
        they were indexed) with this ``tag``; ValueError when that folder holds no complete
        index of as many documents with that tag. ``docs`` is read only for the hits, so it
        may make each document when it is asked for; ``kinds`` are the kinds among them
        (read off ``docs`` when not given)."""
        self = cls.__new__(cls)
        self._docs = docs
        self._kinds = frozenset(kinds) or frozenset(doc.kind for doc in docs)
        self._analyzer = _make_analyzer()
        self._lock = threading.Lock()
        try:
            count, written_tag, digest, files = (path / _MARK).read_text().split(" ")
            written = int(count)
            if digest != content_hash(path, files.split(",")):  # before tantivy reads it
                raise ValueError("its files do not match their SHA-256 (damaged)")
            self._index = index = tantivy.Index.open(str(path))
        except (OSError, ValueError) as exc:
            raise ValueError(f"no complete search index at {path}: {exc}") from None
        self._schema = index.schema
        index.register_tokenizer(_FOLD, self._analyzer)
        index.reload()
        self._searcher = index.searcher()
        if (written, written_tag) != (len(self._docs), tag) or self._searcher.num_docs != written:
            raise ValueError(f"the search index at {path} is not of these documents")
        return self

    def _take(self, docs: Iterable[SearchDoc]) -> Sequence[SearchDoc]:
        """Keep the documents (the last of each key; text made UTF-8 safe) and an analyzer."""
        by_key: dict[str, SearchDoc] = {}
        for doc in docs:
            title, body = _scrub(doc.title), _scrub(doc.body)
            if title is not doc.title or body is not doc.body:
                doc = SearchDoc(doc.key, doc.kind, title, body)
            by_key[doc.key] = doc
        self._docs = list(by_key.values())
        self._kinds = frozenset(doc.kind for doc in self._docs)
        self._analyzer = _make_analyzer()
        self._lock = threading.Lock()  # guards the analyzer, whose thread safety is undocumented
        return self._docs

    def __len__(self) -> int:
        """Number of indexed documents (distinct keys)."""
        return len(self._docs)

    def search(
        self, query: str, first: int = 10, kinds: Collection[str] | None = None
    ) -> list[SearchHit]:
        """Return up to ``first`` hits for a plain-text query, best first; never raises on input.

        Every word must match (if that finds nothing, any word may); a last word still being
        typed also matches as a prefix. ``kinds`` keeps only those node kinds.
        """
        limit = int(max(0, min(first, MAX_FIRST)))
        if isinstance(kinds, str):  # a lone kind, not a collection of letters
            kinds = (kinds,)
        wanted = self._kinds if kinds is None else self._kinds.intersection(kinds)
        terms = self._analyze_query(query)
        if terms is None or limit == 0 or not wanted:
            return []
        hits = self._run(terms, tantivy.Occur.Must, wanted, limit)
        if not hits and len(terms.words) + (terms.prefix is not None) > 1:
            hits = self._run(terms, tantivy.Occur.Should, wanted, limit)
        return [
            SearchHit(doc.key, doc.kind, score, self._snippet(doc, terms)) for score, doc in hits
        ]

    def _analyze_query(self, query: str) -> _Terms | None:
        """Split a user query into index words; None when it has none."""
        text = _scrub(query[:MAX_QUERY_CHARS])
        with self._lock:
            tokens = self._analyzer.pre_tokenize(text).tokens
        words = tuple(token.text for token in tokens[:MAX_QUERY_TERMS])
        if not words:
            return None
        # A query that ends inside its last word (no space after it) is still being typed.
        last = tokens[-1]
        if (
            len(tokens) <= MAX_QUERY_TERMS
            and last.char_offset_to == len(text)
            and len(last.text) >= MIN_PREFIX_CHARS
        ):
            expansions = {field: self._expand(field, last.text) for field in (_TITLE, _BODY)}
            return _Terms(words[:-1], last.text, expansions)
        return _Terms(words, None, {})

    def _expand(self, field: str, prefix: str) -> list[tuple[str, float]]:
        """The most frequent indexed words starting with ``prefix``, weighted by frequency.

        Weighting by document frequency (relative to the most frequent completion) keeps rare
        completions, whose BM25 IDF is high, from outranking the likely ones ("kub" → kubernetes
        before kublr).
        """
        counts = dict(self._searcher.terms_with_prefix(field, prefix, limit=MAX_PREFIX_TERMS))
        if prefix not in counts:  # the word as typed may be complete already
            counts[prefix] = self._searcher.doc_freq(field, prefix)
        top = max(counts.values())
        return [(word, count / top) for word, count in counts.items() if count > 0]

    def _field_query(
        self, field: str, words: Iterable[tuple[str, float]], boost: float
    ) -> tantivy.Query:
        """Any of ``words`` in ``field``, each scored by BM25 times its weight and ``boost``."""
        clauses = []
        for word, weight in words:
            query = tantivy.Query.term_query(self._schema, field, word)
            if weight * boost != 1.0:
                query = tantivy.Query.boost_query(query, weight * boost)
            clauses.append((tantivy.Occur.Should, query))
        return tantivy.Query.boolean_query(clauses)

    def _word_query(
        self, title_words: Iterable[tuple[str, float]], body_words: Iterable[tuple[str, float]]
    ) -> tantivy.Query:
        """One query word (or its completions) in the title or the body, title weighted higher."""
        return tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Should, self._field_query(_TITLE, title_words, TITLE_WEIGHT)),
                (tantivy.Occur.Should, self._field_query(_BODY, body_words, BODY_WEIGHT)),
            ]
        )

    def _run(
        self, terms: _Terms, occur: tantivy.Occur, kinds: frozenset[str], limit: int
    ) -> list[tuple[float, SearchDoc]]:
        """Run the query with each word required (Must) or optional (Should), best first."""
        parts = [(occur, self._word_query([(word, 1.0)], [(word, 1.0)])) for word in terms.words]
        if terms.prefix is not None:
            expansions = terms.expansions
            parts.append((occur, self._word_query(expansions[_TITLE], expansions[_BODY])))
        query = tantivy.Query.boolean_query(parts)
        if kinds != self._kinds:
            kind_filter = tantivy.Query.term_set_query(self._schema, _KIND, sorted(kinds))
            query = tantivy.Query.boolean_query(
                [
                    (tantivy.Occur.Must, query),
                    (tantivy.Occur.Must, tantivy.Query.const_score_query(kind_filter, 0.0)),
                ]
            )
        found = self._searcher.search(query, limit, count=False).hits
        if not found:
            return []
        ids = self._searcher.fast_field_values(_ID, [address for _, address in found])
        return [
            (float(score), self._doc(int(position)))
            for (score, _), position in zip(found, ids, strict=True)
            if position is not None
        ]

    def _doc(self, position: int) -> SearchDoc:
        """The document indexed at a position, its text made UTF-8 safe as it was indexed."""
        doc = self._docs[position]
        title, body = _scrub(doc.title), _scrub(doc.body)
        if title is not doc.title or body is not doc.body:
            doc = SearchDoc(doc.key, doc.kind, title, body)
        return doc

    def _snippet(self, doc: SearchDoc, terms: _Terms) -> str:
        """Mark the matched words in the title or the body, whichever has more of them."""
        best_text, best_words = doc.title or doc.body, set[str]()
        for text in (doc.title, doc.body):
            with self._lock:
                words = terms.matched(self._analyzer.analyze(text))
            if len(words) > len(best_words):
                best_text, best_words = text, words
        if not best_words:
            return _render(best_text, [])
        with self._lock:
            tokens = self._analyzer.pre_tokenize(best_text).tokens
        spans = [(tk.char_offset_from, tk.char_offset_to) for tk in tokens if tk.text in best_words]
        return _render(best_text, spans)


def content_hash(path: Path, files: Iterable[str]) -> str:
    """SHA-256 of these files of a kept index (names and bytes; tantivy's, listed when it was
    built): a flipped byte anywhere, even one that tantivy's own checks would not notice
    until a query reads it (or ever: a norm changes the ranking), changes it."""
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0")
        with (path / name).open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _render(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML-escape ``text`` with ``spans`` in ``<mark>``, cut to a window around the first one."""
    start, end = 0, len(text)
    if end > SNIPPET_CHARS:
        first_start, first_end = spans[0] if spans else (0, 0)
        start = max(0, first_start - _SNIPPET_LEAD)
        if start > 0:  # begin at a word boundary where there is one
            space = text.find(" ", start, first_start)
            start = start if space == -1 else space + 1
        end = min(len(text), start + SNIPPET_CHARS)
        if end < len(text):
            space = text.rfind(" ", first_end, end)
            end = max(first_end, end if space == -1 else space)
    parts = ["…" if start > 0 else ""]
    cursor = start
    for span_start, span_end in spans:
        if span_start < cursor or span_end > end:
            continue
        parts += [
            html.escape(text[cursor:span_start]),
            "<mark>",
            html.escape(text[span_start:span_end]),
            "</mark>",
        ]
        cursor = span_end
    parts += [html.escape(text[cursor:end]), "…" if end < len(text) else ""]
    return " ".join("".join(parts).split())  # one line: runs of white space (\r\n…) collapsed
