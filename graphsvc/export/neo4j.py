"""Neo4j bulk-import CSV: a zip of one nodes file per kind, one relationships file per kind,
and a README with the ``neo4j-admin database import full`` command.

Headers follow neo4j-admin's grammar (``id:ID``, ``:LABEL``, ``name:type``, ``:START_ID``,
``:END_ID``, ``:TYPE``). Node ids are node keys, unique across kinds, so one ID space serves
all files. Strings are always quoted (``""`` inside), so an empty string stays empty while an
unquoted empty field is null; excerpts may hold line breaks, hence ``--multiline-fields=true``.
The zip is written as a stream (entries with data descriptors, ZIP64 so size is no limit).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from graphsvc.export.fields import (
    ARTICLE_FIELDS,
    PROVIDER_FIELDS,
    TOPIC_FIELDS,
    Field,
    FieldType,
    flat_text,
    node_values,
)
from graphsvc.export.select import Selection
from graphsvc.export.stream import CHUNK_CHARS, Progress
from graphsvc.model import EdgeKind

#: neo4j-admin property type of each field type.
NEO4J_TYPES: Mapping[FieldType, str] = {
    "string": "string",
    "int": "int",
    "boolean": "boolean",
    "datetime": "datetime",
    "tags": "string",
    "json": "string",
}
_SKIP = {"kind", "label"}  # the :LABEL column and the title/name say these


@dataclass(frozen=True, slots=True)
class NodeFile:
    """One nodes file: its name, Neo4j label and properties."""

    name: str
    label: str
    fields: tuple[Field, ...]


NODE_FILES: tuple[NodeFile, ...] = (
    NodeFile("articles.csv", "Article", tuple(f for f in ARTICLE_FIELDS if f.name not in _SKIP)),
    NodeFile("providers.csv", "Provider", tuple(f for f in PROVIDER_FIELDS if f.name not in _SKIP)),
    NodeFile("topics.csv", "Topic", tuple(f for f in TOPIC_FIELDS if f.name not in _SKIP)),
)
RELATIONSHIP_FILES: Mapping[EdgeKind, str] = {
    EdgeKind.RELATED: "related.csv",
    EdgeKind.PUBLISHED_BY: "published_by.csv",
    EdgeKind.TAGGED: "tagged.csv",
}
STUB_LABEL = "Stub"
#: Deflate level: 1 writes about 3x faster than the default 6, for about 20% more bytes
#: (measured on the news corpus's CSV); generating, not the network, is the slow part.
COMPRESS_LEVEL = 1


def node_header(node_file: NodeFile) -> list[str]:
    """The header row of a nodes file."""
    return ["id:ID", ":LABEL", *(f"{f.name}:{NEO4J_TYPES[f.type]}" for f in node_file.fields)]


def relationship_header(kind: EdgeKind) -> list[str]:
    """The header row of a relationships file (RELATED carries its rank)."""
    extra = ["rank:int"] if kind is EdgeKind.RELATED else []
    return [":START_ID", ":END_ID", ":TYPE", *extra]


def quote(text: str) -> str:
    """A CSV string field, always quoted.

    >>> quote('a"b')
    '"a""b"'
    """
    return '"' + text.replace('"', '""') + '"'


def import_command() -> str:
    """The neo4j-admin (Neo4j 5) command that loads the unzipped files."""
    nodes = " ".join(f"--nodes={f.name}" for f in NODE_FILES)
    rels = " ".join(f"--relationships={name}" for name in RELATIONSHIP_FILES.values())
    return (
        f"neo4j-admin database import full neo4j {nodes} {rels}"
        " --multiline-fields=true --overwrite-destination=true"
    )


class _Sink:
    """A write-only, unseekable file that keeps what is written until taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def write(self, data: bytes, /) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        """Nothing to flush: bytes wait in ``parts``."""

    def close(self) -> None:
        """Nothing to close."""

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


def generate_neo4j_zip(selection: Selection, progress: Progress | None = None) -> Iterator[bytes]:
    """The selection as a zip of Neo4j import CSV files and a README, a chunk at a time."""
    sink = _Sink()
    counts: dict[str, int] = {}
    stamp = selection.store.loaded_at.timetuple()[:6]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, header, rows in _files(selection):
            counts[name] = 0
            with archive.open(_entry(name, stamp), "w", force_zip64=True) as entry:
                lines = [",".join(header) + "\n"]
                size = 0
                for line in rows:
                    lines.append(line)
                    size += len(line)
                    counts[name] += 1
                    if size >= CHUNK_CHARS:
                        entry.write("".join(lines).encode("utf-8"))
                        if progress is not None:
                            progress(len(lines))
                        lines.clear()
                        size = 0
                        yield sink.take()
                entry.write("".join(lines).encode("utf-8"))
            yield sink.take()
        archive.writestr(_entry("README.md", stamp), _readme(counts))
    yield sink.take()


def _entry(name: str, stamp: tuple[int, ...]) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info._compresslevel = COMPRESS_LEVEL  # type: ignore[attr-defined]  # as ZipFile.open sets it
    info.external_attr = 0o644 << 16
    return info


def _files(selection: Selection) -> Iterator[tuple[str, list[str], Iterator[str]]]:
    """Each file's name, header and data rows: nodes by kind, then relationships by kind."""
    groups: Sequence[Sequence[str]] = (selection.articles, selection.providers, selection.topics)
    for node_file, keys in zip(NODE_FILES, groups, strict=True):
        yield node_file.name, node_header(node_file), _node_rows(selection, node_file, keys)
    for kind, name in RELATIONSHIP_FILES.items():
        yield name, relationship_header(kind), _edge_rows(selection, kind)


def _node_rows(selection: Selection, node_file: NodeFile, keys: Sequence[str]) -> Iterator[str]:
    store = selection.store
    fields = node_file.fields
    for key in keys:
        values = node_values(store, key)
        label = node_file.label + (f";{STUB_LABEL}" if values.get("isStub") else "")
        cells = [quote(key), label]
        for f in fields:
            value = values.get(f.name)
            if value is None:
                cells.append("")
            elif NEO4J_TYPES[f.type] == "string":
                cells.append(quote(flat_text(f.type, value)))
            else:
                cells.append(flat_text(f.type, value))
        yield ",".join(cells) + "\n"


def _edge_rows(selection: Selection, kind: EdgeKind) -> Iterator[str]:
    for source, target, edge_kind, rank in selection.edges(kind):
        tail = "" if rank is None else f",{rank}"
        yield f"{quote(source)},{quote(target)},{edge_kind.value}{tail}\n"


def _readme(counts: Mapping[str, int]) -> str:
    rows = "\n".join(f"| {name} | {count:,} |" for name, count in counts.items())
    return f"""# graphsvc export for Neo4j

Unzip, then load into an empty database (Neo4j 5; stop the database first):

```
{import_command()}
```

Run it from the folder holding these files (or give their paths), as the user that owns
Neo4j's data folder. `--overwrite-destination=true` replaces the database named `neo4j`; pick
another name to keep it. With Neo4j 4.x the command is `neo4j-admin import --database=neo4j`
with the same `--nodes`/`--relationships` options.

| file | rows |
|---|---|
{rows}

- Node ids (`id:ID`) are graphsvc node keys: `a:` + article URL, `p:` + provider domain,
  `t:` + folded topic name. Stub articles carry the labels `Article` and `Stub`.
- `publishedAt:datetime` is UTC. `topics` joins topic names with `|`; `images`, `sources`
  and `urls` are JSON text. An empty unquoted field means "unknown" (no property).
- `rank:int` on RELATED is the target's 1-based position in the source's related list.
"""
