"""A hostile corpus: bad files derived from real documents and written by hand, with a manifest.

``generate(root)`` fills ``root`` with a sample of real documents (copied unchanged) and with
hostile variants of them: broken YAML of many kinds, other encodings, BOMs and CRLF, missing and
mistyped fields, odd dates, null entries, huge and deeply nested files, alias bombs, ``!!python``
tags, duplicate and colliding URLs, related cycles and self-links, symlink escapes and loops,
FIFOs, sockets and folders named like documents, markup and control characters in text.

The manifest (``<root>.manifest.json``, next to the corpus) says for every path under ``root``
what the ingest must do with it:

- ``load``: the file must load; its ``url`` must be a full article with the file among its
  source paths (and, where given, with this ``title`` / ``publishedAt``);
- ``reject``: the file must be rejected, with a reason (and a line, where ``line`` is true);
- ``either``: load or reject, but never crash; if it loads, under its ``url`` where given;
- ``ignore``: not a document (the ingest report lists it, or a folder above it, as ignored).

Former crash cases (``KNOWN_BUGS``: files that once crashed or stalled the ingest, all fixed
now) are written only with ``known_bugs``; test_hostile.py gives each its own test (it must load
or be rejected, never crash), so that a regression names its case and the main test keeps
guarding the rest.

Run by hand: ``python tests/hostile/generate.py OUT [--sample 50] [--known-bugs]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import re
import socket
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import yaml

from graphsvc.ingest.normalize import canonical_url

LOAD, REJECT, EITHER, IGNORE = "load", "reject", "either", "ignore"
HOST = "https://hostile.test"
MAX_FILE_BYTES = 5 * 1024 * 1024  # the loader's default limit (GRAPHSVC_MAX_FILE_BYTES)
DEFAULT_NEWS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "news"
_WEB_URL_LINE = re.compile(r"^webUrl:.*$", re.MULTILINE)
_TITLE_LINE = re.compile(r"^title:.*$", re.MULTILINE)
_DATE_LINE = re.compile(r"^publishedDateTime:.*$", re.MULTILINE)
_ORIGINAL_URL_LINE = re.compile(r"^originalUrl:.*\n", re.MULTILINE)


@dataclass
class Entry:
    """What the ingest must do with one path (see the module docstring)."""

    path: str
    expect: str
    why: str
    url: str | None = None
    title: str | None = None
    published_at: str | None = None  # ISO UTC; "null" means it must be null
    line: bool = False  # the rejection must name a line


@dataclass
class Base:
    """A real document usable as the base of hostile variants."""

    name: str
    text: str


def manifest_path(root: Path) -> Path:
    """Where ``generate`` writes the manifest of ``root``: next to it, not inside it."""
    return root.with_name(root.name + ".manifest.json")


def sentinel_path(root: Path) -> Path:
    """A file that ``!!python`` tags in the corpus try to create: it must never exist."""
    return root.with_name(root.name + ".PWNED")


class Builder:
    """Writes files under a root and records an entry for each."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.entries: dict[str, Entry] = {}

    def write(self, rel: str, data: str | bytes, expect: str, why: str, **kw: Any) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return self.note(rel, expect, why, **kw)

    def note(self, rel: str, expect: str, why: str, **kw: Any) -> Path:
        assert rel not in self.entries, rel
        self.entries[rel] = Entry(rel, expect, why, **kw)
        return self.root / rel

    def doc(self, rel: str, fm: str, expect: str, why: str, body: str = "", **kw: Any) -> Path:
        """A hand-written document: ``fm`` is the YAML between the delimiters."""
        return self.write(rel, f"---\n{fm}---\n{body}", expect, why, **kw)


def url_for(rel: str) -> str:
    """The unique canonical URL given to a derived or hand-written file."""
    slug = re.sub(r"[^a-z0-9/]+", "-", rel.lower().rsplit(".", 1)[0])
    return f"{HOST}/{slug}"


def derive(base: Base, rel: str, title: str | None = None, url: str | None = None) -> str:
    """The base document with its own URL and title replaced (top-level lines only)."""
    url = url or url_for(rel)
    title = title if title is not None else f"Hostile {rel}"
    text = _WEB_URL_LINE.sub(lambda _m: f"webUrl: {json.dumps(url)}", base.text, count=1)
    text = _ORIGINAL_URL_LINE.sub("", text)
    return _TITLE_LINE.sub(lambda _m: f"title: {json.dumps(title)}", text, count=1)


def split_fm(text: str) -> tuple[str, str]:
    """Frontmatter and body of a document written as ``---\\n<fm>---\\n<body>``."""
    assert text.startswith("---\n")
    end = text.index("\n---\n", 3)
    return text[4 : end + 1], text[end + 5 :]


def _real_documents(news: Path, sample: int) -> tuple[list[tuple[str, str, str]], list[Base]]:
    """(name, text, canonical URL) of ``sample`` real documents, spread over the corpus, and
    the ones whose ``webUrl`` and ``title`` lines can be swapped cleanly (the bases)."""
    files = sorted(p for p in news.iterdir() if p.suffix == ".md")
    step = max(1, len(files) // sample)
    picked = files[::step][:sample]
    docs: list[tuple[str, str, str]] = []
    bases: list[Base] = []
    for path in picked:
        text = path.read_text(encoding="utf-8")
        fm = yaml.load(split_fm(text)[0], Loader=yaml.CSafeLoader)
        raw = fm.get("webUrl") if isinstance(fm.get("webUrl"), str) else None
        if not (raw and raw.strip()):
            raw = fm.get("originalUrl")
        docs.append((path.name, text, canonical_url(raw)))
        base = Base(path.name, text)
        try:
            trial = yaml.load(split_fm(derive(base, "x/probe.md"))[0], Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            continue
        if (
            trial.get("webUrl") == url_for("x/probe.md")
            and trial.get("title") == "Hostile x/probe.md"
        ):
            bases.append(base)
    assert len(bases) >= 10, f"too few usable real documents in {news}"
    return docs, bases


def generate(
    root: Path, *, news: Path = DEFAULT_NEWS, sample: int = 50, known_bugs: bool = False
) -> dict[str, Any]:
    """Write the hostile corpus under ``root`` (a new folder) and its manifest; return it."""
    root.mkdir(parents=True)
    b = Builder(root)
    docs, bases = _real_documents(news, sample)
    pick = _Picker(bases)
    for name, text, url in docs:
        b.write(f"real/{name}", text, LOAD, "a real document, unchanged", url=url)
    _encodings(b, pick)
    _framing(b, pick)
    _broken_yaml(b, pick)
    _fields(b, pick)
    _dates(b, pick)
    _graph(b, pick, docs)
    _sizes(b, pick)
    _yaml_attacks(b, pick, sentinel_path(root))
    _text(b, pick)
    _filesystem(b, pick, docs)
    if known_bugs:
        write_known_bugs(b)
    manifest = {
        "root": str(root),
        "sentinel": str(sentinel_path(root)),
        "max_file_bytes": MAX_FILE_BYTES,
        "entries": [asdict(e) for e in sorted(b.entries.values(), key=lambda e: e.path)],
    }
    manifest_path(root).write_text(json.dumps(manifest, indent=1))
    return manifest


class _Picker:
    """Round-robin over the bases, so that variants come from many real documents."""

    def __init__(self, bases: list[Base]) -> None:
        self.bases = bases
        self.i = 0

    def __call__(self) -> Base:
        self.i += 1
        return self.bases[self.i % len(self.bases)]


# --- encodings, BOMs, line endings ------------------------------------------------------------
def _encodings(b: Builder, pick: _Picker) -> None:
    def good(rel: str, data: bytes, why: str, title: str) -> None:
        b.write(rel, data, LOAD, why, url=url_for(rel), title=title)

    rel = "enc/bom.md"
    good(rel, b"\xef\xbb\xbf" + derive(pick(), rel, "BOM").encode(), "UTF-8 BOM", "BOM")
    rel = "enc/crlf.md"
    text = derive(pick(), rel, "CRLF").replace("\n", "\r\n")
    good(rel, text.encode(), "CRLF line endings: no \\r may leak into values", "CRLF")
    rel = "enc/bom_crlf.md"
    text = "\ufeff" + derive(pick(), rel, "BOM CRLF").replace("\n", "\r\n")
    good(rel, text.encode(), "BOM and CRLF", "BOM CRLF")
    rel = "enc/open_trailing_blanks.md"
    text = derive(pick(), rel, "Trailing blanks").replace("---\n", "--- \t \n", 1)
    good(rel, text.encode(), "opening delimiter with trailing blanks", "Trailing blanks")
    rel = "enc/no_final_newline.md"
    good(
        rel,
        derive(pick(), rel, "No final newline").rstrip("\n").encode(),
        "no final newline",
        "No final newline",
    )

    def either(rel: str, data: bytes, why: str) -> None:
        b.write(rel, data, EITHER, why, url=url_for(rel))

    either(
        "enc/cr_only.md",
        derive(pick(), "enc/cr_only.md").replace("\n", "\r").encode(),
        "old Mac CR-only line endings",
    )
    either(
        "enc/latin1.md",
        derive(pick(), "enc/latin1.md", "Café crème à la français").encode("latin-1", "replace"),
        "Latin-1 encoded (not UTF-8)",
    )
    either(
        "enc/cp1252.md",
        derive(pick(), "enc/cp1252.md", "“Smart” quotes – and € signs").encode("cp1252", "replace"),
        "Windows-1252 encoded",
    )
    either(
        "enc/utf16_bom.md", derive(pick(), "enc/utf16_bom.md").encode("utf-16"), "UTF-16 with BOM"
    )
    either(
        "enc/utf16be_bom.md",
        b"\xfe\xff" + derive(pick(), "enc/utf16be_bom.md").encode("utf-16-be"),
        "UTF-16 big-endian with BOM",
    )
    either(
        "enc/utf16le_no_bom.md",
        derive(pick(), "enc/utf16le_no_bom.md").encode("utf-16-le"),
        "UTF-16 without BOM",
    )
    either("enc/utf32.md", derive(pick(), "enc/utf32.md").encode("utf-32"), "UTF-32 with BOM")
    either(
        "enc/bad_utf8_body.md",
        derive(pick(), "enc/bad_utf8_body.md").encode() + b"\n\xff\xfe\x80 body\n",
        "invalid UTF-8 in the body only",
    )
    fm, body = split_fm(derive(pick(), "enc/bad_utf8_frontmatter.md"))
    either(
        "enc/bad_utf8_frontmatter.md",
        b"---\n" + fm.encode() + b"note: caf\xe9 \xc3\x28 \xed\xa0\x80\n---\n" + body.encode(),
        "invalid UTF-8 (latin-1 byte, bad continuation, encoded surrogate) in frontmatter",
    )
    either(
        "enc/overlong_utf8.md",
        derive(pick(), "enc/overlong_utf8.md")
        .encode()
        .replace(b"---\n", b"---\nnote: \xc0\xaf\n", 1),
        "overlong UTF-8 sequence",
    )
    either(
        "enc/bom_twice.md",
        ("\ufeff\ufeff" + derive(pick(), "enc/bom_twice.md")).encode(),
        "two BOMs",
    )
    either(
        "enc/nul_in_body.md",
        derive(pick(), "enc/nul_in_body.md").encode() + b"body\x00\x00\n",
        "NUL bytes in the body only",
    )
    b.write(
        "enc/nul_in_frontmatter.md",
        derive(pick(), "enc/nul_in_frontmatter.md").encode().replace(b"title: ", b"title: \x00", 1),
        REJECT,
        "a raw NUL byte in the frontmatter is not YAML",
    )
    b.write("enc/binary.md", random.Random(8).randbytes(4000), REJECT, "random binary bytes")


# --- delimiters and the frontmatter block -----------------------------------------------------
def _framing(b: Builder, pick: _Picker) -> None:
    b.write(
        "frame/no_frontmatter.md",
        "# Just Markdown\n\ntitle: x\nwebUrl: https://x.test/\n",
        REJECT,
        "no frontmatter",
    )
    b.write("frame/empty.md", b"", REJECT, "empty file")
    b.write("frame/only_open.md", "---\n", REJECT, "only an opening delimiter")
    b.write(
        "frame/empty_frontmatter.md", "---\n---\n", REJECT, "empty frontmatter: no URL, no title"
    )
    b.write("frame/blank_frontmatter.md", "---\n\n  \n---\n", REJECT, "blank frontmatter")
    fm, _ = split_fm(derive(pick(), "frame/unclosed.md"))
    b.write(
        "frame/unclosed.md", "---\n" + fm + "\n# body, no closing line\n", REJECT, "never closed"
    )
    fm, _ = split_fm(derive(pick(), "frame/dots_close.md"))
    b.write(
        "frame/dots_close.md", "---\n" + fm + "...\nbody\n", REJECT, "closed by '...' not '---'"
    )
    fm, _ = split_fm(derive(pick(), "frame/indented_close.md"))
    b.write(
        "frame/indented_close.md",
        "---\n" + fm + " ---\nbody\n",
        REJECT,
        "closing line ' ---' is not exactly '---'",
    )
    fm, _ = split_fm(derive(pick(), "frame/four_dashes.md"))
    b.write("frame/four_dashes.md", "----\n" + fm + "---\n", REJECT, "opening line '----'")
    fm, _ = split_fm(derive(pick(), "frame/close_trailing_space.md"))
    b.write(
        "frame/close_trailing_space.md",
        "---\n" + fm + "--- \n",
        EITHER,
        "closing line with a trailing blank",
        url=url_for("frame/close_trailing_space.md"),
    )
    b.write(
        "frame/leading_blank_line.md",
        "\n" + derive(pick(), "frame/leading_blank_line.md"),
        EITHER,
        "a blank line before the opening delimiter",
        url=url_for("frame/leading_blank_line.md"),
    )
    b.write(
        "frame/list.md",
        "---\n- title: a\n- webUrl: https://x.test/\n---\n",
        REJECT,
        "frontmatter is a list",
        line=True,
    )
    b.write("frame/scalar.md", "---\njust a string\n---\n", REJECT, "frontmatter is a string")
    b.write("frame/null.md", "---\n~\n---\n", REJECT, "frontmatter is null")
    b.write("frame/number.md", "---\n42\n---\n", REJECT, "frontmatter is a number")
    rel = "frame/doc_end_marker.md"
    fm, _ = split_fm(derive(pick(), rel))
    b.write(
        rel,
        "---\n" + fm + "...\n---\n",
        EITHER,
        "YAML document-end marker inside",
        url=url_for(rel),
    )
    rel = "frame/two_yaml_documents.md"
    b.doc(
        rel,
        f"title: a\nwebUrl: {url_for(rel)}\n--- \ntitle: b\n",
        EITHER,
        "a second YAML document ('--- ' with a blank is not a closing line)",
        url=url_for(rel),
    )
    rel = "frame/yaml_directive.md"
    b.write(
        rel,
        "---\n%YAML 1.2\n" + split_fm(derive(pick(), rel))[0] + "---\n",
        EITHER,
        "a %YAML directive",
        url=url_for(rel),
    )
    rel = "frame/fake_frontmatter_in_body.md"
    b.write(
        rel,
        derive(pick(), rel, "Real title") + "\n---\ntitle: Evil\nwebUrl: https://evil.test/\n---\n",
        LOAD,
        "a second frontmatter-like block in the body is body",
        url=url_for(rel),
        title="Real title",
    )


# --- broken YAML, derived from real documents -------------------------------------------------
def _broken_yaml(b: Builder, pick: _Picker) -> None:
    def broken(rel: str, why: str, edit: Any, line: bool = True) -> None:
        text = derive(pick(), rel)
        new = edit(text)
        assert new != text, rel
        try:  # the reference parser agrees that it is broken
            yaml.load(split_fm(new)[0], Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            pass
        else:
            raise AssertionError(f"{rel} is valid YAML")
        b.write(rel, new, REJECT, why, line=line)

    def sub(pattern: str, repl: str) -> Any:
        return lambda t: re.sub(pattern, repl, t, count=1, flags=re.MULTILINE)

    broken(
        "yaml/unclosed_double_quote.md",
        "unclosed double quote",
        sub(r'^title: "(.*)"$', r'title: "\1'),
    )
    broken(
        "yaml/unclosed_single_quote.md",
        "unclosed single quote",
        sub(r'^title: "(.*)"$', r"title: '\1"),
    )
    broken(
        "yaml/unclosed_flow_sequence.md", "unclosed [", sub(r"^topics:.*$", "topics: [Azure, AI")
    )
    broken(
        "yaml/unclosed_flow_mapping.md", "unclosed {", sub(r"^provider:.*$", "provider: {name: x")
    )
    broken("yaml/tab_indentation.md", "tab used for indentation", sub(r"^(provider:\n)  ", "\\1\t"))
    broken(
        "yaml/bad_indentation.md",
        "an over-indented key after a quoted scalar",
        sub(r'^(title: ".*")$', "\\1\n   oops: 1"),
    )
    broken(
        "yaml/mapping_in_plain_scalar.md",
        "': ' inside a plain scalar",
        sub(r'^title: ".*"$', "title: a: b: c"),
    )
    broken(
        "yaml/stray_sequence_item.md",
        "a sequence item among mapping keys",
        sub(r"^(title: .*)$", "\\1\n- stray"),
    )
    broken(
        "yaml/undefined_alias.md",
        "alias to an undefined anchor",
        sub(r"^excerpt:.*$", "excerpt: *nowhere"),
    )
    broken(
        "yaml/bad_escape.md",
        "invalid escape in a double-quoted scalar",
        sub(r'^title: "(.*)"$', r'title: "bad \\q escape"'),
    )
    broken(
        "yaml/key_without_value_line.md",
        "a bare word line among mapping keys",
        sub(r"^(title: .*)$", "\\1\njustaword"),
    )
    broken(
        "yaml/unterminated_flow_in_related.md",
        "broken flow mapping deep in the related list",
        sub(r"^(  - title: )(.*)$", "\\1{broken: [1, 2"),
    )
    broken(
        "yaml/lone_surrogate_escape.md",
        "a \\ud800 escape (a lone surrogate) in a string",
        sub(r'^title: "(.*)"$', r'title: "bad \\ud800 surrogate"'),
    )
    broken(
        "yaml/anchor_without_node.md",
        "two anchors on one node",
        sub(r"^excerpt:", "excerpt: &a &b"),
    )
    broken(
        "yaml/unbalanced_brackets.md",
        "closing bracket without an opening one",
        sub(r"^topics:.*$", "topics: ]Azure["),
    )
    rng = random.Random(88)
    printable = "".join(rng.choice(" :-[]{}#&*!|>'\"%@`,?\n\tabc") for _ in range(3000))
    b.doc("yaml/printable_junk.md", printable + "\n", REJECT, "random YAML punctuation")
    rel = "yaml/duplicate_keys.md"
    b.write(
        rel,
        derive(pick(), rel).replace("\ntitle:", "\ntitle: First\ntitle:", 1),
        EITHER,
        "duplicate keys",
        url=url_for(rel),
    )
    rel = "yaml/unknown_tag.md"
    b.write(
        rel,
        derive(pick(), rel).replace("\nexcerpt:", "\nexcerpt: !custom\nignored:", 1),
        EITHER,
        "an application tag",
        url=url_for(rel),
    )
    rel = "yaml/huge_key.md"
    b.write(
        rel,
        derive(pick(), rel).replace("\ntitle:", "\n" + "k" * 1_000_000 + ": 1\ntitle:", 1),
        EITHER,
        "a 1 MB mapping key",
        url=url_for(rel),
    )


# --- fields: missing, mistyped, null entries --------------------------------------------------
def _fields(b: Builder, pick: _Picker) -> None:
    def plain(
        rel: str,
        extra: str,
        expect: str,
        why: str,
        *,
        yaml_title: str = "t",
        web: str | None = "",
        **kw: Any,
    ) -> None:
        """A hand-written document; ``web`` is the webUrl YAML ("" for its own URL, None for none)."""
        head = f"title: {yaml_title}\n" if yaml_title else ""
        if web is not None:
            head += f"webUrl: {web or url_for(rel)}\n"
        if web == "" and expect in (LOAD, EITHER):
            kw.setdefault("url", url_for(rel))
        b.doc(rel, head + extra, expect, why, **kw)

    rel = "fields/missing_title.md"
    b.write(
        rel,
        re.sub(r"^title:.*\n", "", derive(pick(), rel), count=1, flags=re.MULTILINE),
        REJECT,
        "no title key",
    )
    for name, value, expect in [
        ("blank", '"   "', REJECT),
        ("empty", '""', REJECT),
        ("null", "~", REJECT),
        ("list", "[a, b]", REJECT),
        ("mapping", "{a: 1}", REJECT),
        ("bool", "true", EITHER),
        ("date", "2020-01-01", EITHER),
        ("entity_blank", '"&nbsp;"', EITHER),
    ]:
        plain(f"fields/title_{name}.md", "", expect, f"title: {value}", yaml_title=value)
    plain(
        "fields/title_int.md",
        "",
        LOAD,
        "a number title becomes text",
        yaml_title="2020",
        title="2020",
    )
    plain(
        "fields/title_float.md",
        "",
        LOAD,
        "a float title becomes text",
        yaml_title="3.5",
        title="3.5",
    )

    plain("fields/no_url.md", "excerpt: x\n", REJECT, "neither webUrl nor originalUrl", web=None)
    for name, value in [
        ("blank", '"  "'),
        ("null", "~"),
        ("list", "[https://x.test/a]"),
        ("number", "42"),
        ("mapping", "{href: https://x.test/}"),
    ]:
        plain(f"fields/weburl_{name}.md", "", REJECT, f"webUrl {value}, no originalUrl", web=value)
        rel = f"fields/weburl_{name}_with_original.md"
        plain(
            rel,
            f"originalUrl: {url_for(rel)}\n",
            LOAD,
            f"webUrl {value}: originalUrl is the URL",
            web=value,
            url=url_for(rel),
        )
    plain(
        "fields/url_messy.md",
        "",
        LOAD,
        "a URL needing canonicalisation",
        web="HTTPS://Hostile.TEST/fields/Url-Messy/?utm_source=x&b=2&utm_medium=y#frag",
        url="https://hostile.test/fields/Url-Messy?b=2",
    )
    for name, value in [
        ("not_a_url", "not a url"),
        ("bad_ipv6", "http://[::1"),
        ("javascript", "javascript:alert(1)"),
        ("huge_port", "http://hostile.test:99999999/x"),
        ("spaces", "https://hostile.test/a b c"),
        ("unicode", "https://hostile.test/ü/ñ/✓"),
        ("only_scheme", "https://"),
        ("long", HOST + "/long/" + "a" * 100_000),
    ]:
        # Either way: the canonical form of such a URL is the loader's business.
        plain(f"fields/url_{name}.md", "", EITHER, f"odd URL {value[:40]!r}", web=json.dumps(value))

    mistyped = {
        "quality_text": "quality: high\nheat: [1, 2]\n",
        "quality_float": "quality: 3.7\nheat: .nan\n",
        "quality_inf": "quality: .inf\nheat: -.inf\n",
        "quality_int64": "quality: 9223372036854775807\nheat: -9223372036854775808\n",
        "quality_int33": "quality: 3000000000\nheat: -3000000000\n",
        "flags_text": "published: 'yes'\nremoved: 'no'\n",
        "flags_null": "published: ~\nremoved: ~\n",
        "type_number": "type: 5\n",
        "type_list": "type: [video]\n",
        "excerpt_list": "excerpt: [a, b]\n",
        "excerpt_number": "excerpt: 5\n",
        "topics_number": "topics: 42\n",
        "topics_mapping": "topics: {Azure: 1}\n",
        "topics_string": "topics: '  Single Topic  '\n",
        "topics_nulls": "topics: [null, ~, '', '   ', 5, [x], {a: 1}, '  AI  ']\n",
        "provider_string": "provider: microsoft.com\n",
        "provider_null": "provider: ~\n",
        "provider_list": "provider: [a, b]\n",
        "provider_mistyped": "provider: {domain: 5, name: [x]}\n",
        "provider_blank": "provider: {domain: '   ', name: '  '}\n",
        "provider_www_only": "provider: {domain: 'WWW.', name: x}\n",
        "images_string": "images: https://x.test/i.png\n",
        "images_nulls": "images: [null, ~, 5, {url: ~}, {url: ''}, {width: 5}]\n",
        "images_mapping": "images: {url: https://x.test/i.png}\n",
        "images_mistyped": "images: [{url: https://x.test/i.png, width: wide, height: [1]}]\n",
        "related_string": "related: https://x.test/r\n",
        "related_mapping": "related: {webUrl: https://x.test/r}\n",
        "related_nulls": "related: [null, ~, 5, str, [x], {title: no url}, {webUrl: ''}, {webUrl: 5}]\n",
        "related_bad_urls": "related: [{webUrl: 'http://[::1'}, {webUrl: 'not a url', title: x}]\n",
        "related_mistyped_items": "related: [{webUrl: https://x.test/r1, title: [x], quality: x, "
        "provider: 5, images: 5, publishedDateTime: [x]}]\n",
        "everything_null": "excerpt: ~\npublishedDateTime: ~\ntype: ~\nquality: ~\nheat: ~\npublished: ~\n"
        "provider: ~\ntopics: ~\nimages: ~\nrelated: ~\nremoved: ~\noriginalUrl: ~\n",
        "non_string_keys": "1: one\n~: null key\ntrue: yes\n2020-01-01: date key\n? [a, b]\n: list key\n"
        "? {a: 1}\n: map key\n",
        "many_keys": "".join(f"k{i}: {i}\n" for i in range(50_000)),
        "set_and_omap": "topics: !!set {Azure, AI}\nimages: !!omap [a: 1]\n",
        "binary_tag": "excerpt: !!binary aGVsbG8=\n",
        "recursive_alias": "loop: &a [*a]\n",
    }
    for name, extra in mistyped.items():
        expect = EITHER if name == "recursive_alias" else LOAD
        plain(f"fields/{name}.md", extra, expect, f"mistyped: {extra[:60]!r}")
    rel = "fields/video_without_weburl.md"
    b.doc(
        rel,
        f"title: A video\ntype: video\noriginalUrl: {url_for(rel)}\n"
        "featuredContent: '<iframe src=\"https://www.youtube.com/embed/x\"></iframe>'\n",
        LOAD,
        "a video item with originalUrl only",
        url=url_for(rel),
        title="A video",
    )


# --- dates in odd formats ---------------------------------------------------------------------
def _dates(b: Builder, pick: _Picker) -> None:
    cases: list[tuple[str, str, str | None]] = [
        ("offset", "2020-04-29T09:38:00+14:00", "2020-04-28T19:38:00+00:00"),
        ("offset_negative", "'2020-04-29T09:38:00-09:30'", "2020-04-29T19:08:00+00:00"),
        ("naive", "2020-04-29T09:38:00", "2020-04-29T09:38:00+00:00"),
        ("bare_date", "2020-04-29", "2020-04-29T00:00:00+00:00"),
        ("zulu_string", "'2020-04-29T09:38:00Z'", "2020-04-29T09:38:00+00:00"),
        ("month_13", "2020-13-45", "null"),
        ("feb_30", "2020-02-30", "null"),
        ("year_zero", "0000-01-01", "null"),
        ("empty", "''", "null"),
        ("null", "~", "null"),
        ("list", "[2020-04-29]", "null"),
        ("mapping", "{y: 2020}", "null"),
        ("words", "yesterday", "null"),
        ("true", "true", "null"),
        ("slashes", "29/04/2020", None),
        ("us_slashes", "04/29/2020", None),
        ("english", "April 29, 2020", None),
        ("rfc2822", "'Wed, 29 Apr 2020 09:38:00 +0000'", None),
        ("epoch", "1588150680", None),
        ("epoch_ms", "1588150680000", None),
        ("epoch_huge", "99999999999999999999", None),
        ("negative", "-1", None),
        ("float", "2020.5", None),
        ("year_10000", "'10000-01-01T00:00:00Z'", None),
        ("min_with_offset", "0001-01-01T00:00:00+01:00", None),
        ("max_with_offset", "9999-12-31T23:59:59-01:00", None),
        ("offset_25h", "'2020-04-29T09:38:00+25:00'", None),
        ("nanoseconds", "'2020-04-29T09:38:00.123456789Z'", None),
        ("space_separated", "2020-04-29 09:38:00", None),
        ("lower_t_z", "'2020-04-29t09:38:00z'", None),
        ("padded", "'  2020-04-29T09:38:00Z  '", None),
        ("week_date", "2020-W18-3", None),
        ("huge_string", "'" + "2020-" * 200_000 + "'", None),
    ]
    for name, value, expected in cases:
        rel = f"dates/{name}.md"
        text = _DATE_LINE.sub(
            lambda _m, v=value: f"publishedDateTime: {v}", derive(pick(), rel), count=1
        )
        b.write(
            rel,
            text,
            LOAD,
            f"publishedDateTime: {value[:40]}",
            url=url_for(rel),
            published_at=expected,
        )


# --- URLs shared, canonical collisions, cycles, self-links ------------------------------------
def _graph(b: Builder, pick: _Picker, docs: list[tuple[str, str, str]]) -> None:
    dup = url_for("graph/dup")
    for name, date in [("dup_a", "2020-01-01"), ("dup_b", "2021-01-01"), ("dup_c", "2021-01-01")]:
        rel = f"graph/{name}.md"
        text = _DATE_LINE.sub(f"publishedDateTime: {date}", derive(pick(), rel, url=dup), count=1)
        b.write(
            rel, text, LOAD, "three documents share one URL: one article, every path kept", url=dup
        )
    canon = url_for("graph/canon")
    for name, raw in [
        ("canon_upper", "HTTPS://HOSTILE.test/graph/canon/#top"),
        ("canon_utm", canon + "?utm_source=feed&utm_medium=rss"),
        ("canon_plain", canon),
    ]:
        rel = f"graph/{name}.md"
        b.write(
            rel, derive(pick(), rel, url=raw), LOAD, f"{raw} is {canon} once canonical", url=canon
        )
    real_name, _, real_url = docs[0]
    rel = "graph/steals_real_url.md"
    b.write(
        rel,
        _DATE_LINE.sub("publishedDateTime: 2099-01-01", derive(pick(), rel, url=real_url), count=1),
        LOAD,
        f"reuses the URL of real/{real_name} with a later date: both paths kept",
        url=real_url,
    )
    ring = [url_for(f"graph/cycle_{x}") for x in "abc"]
    for i, x in enumerate("abc"):
        rel = f"graph/cycle_{x}.md"
        b.doc(
            rel,
            f"title: Cycle {x}\nwebUrl: {ring[i]}\nrelated:\n  - webUrl: {ring[(i + 1) % 3]}\n"
            f"    title: next\n  - webUrl: {ring[(i + 2) % 3]}\n    title: previous\n",
            LOAD,
            "a related cycle a → b → c → a (and back)",
            url=ring[i],
        )
    rel = "graph/self_link.md"
    me = url_for(rel)
    b.doc(
        rel,
        f"title: Self\nwebUrl: {me}\nrelated:\n  - {{webUrl: {me}, title: me}}\n"
        f"  - {{webUrl: '{me}/?utm_source=x#again', title: me again}}\n  - {{webUrl: {ring[0]}}}\n",
        LOAD,
        "lists itself as related (also under a non-canonical spelling)",
        url=me,
    )
    rel = "graph/repeated_related.md"
    items = "".join(f"  - {{webUrl: {ring[i % 3]}, title: r{i}}}\n" for i in range(3000))
    b.doc(
        rel,
        f"title: Repeats\nwebUrl: {url_for(rel)}\nrelated:\n{items}",
        LOAD,
        "the same three related URLs 3,000 times",
        url=url_for(rel),
    )
    rel = "graph/related_to_dup_and_rejected.md"
    b.doc(
        rel,
        f"title: Points at odd things\nwebUrl: {url_for(rel)}\nrelated:\n  - {{webUrl: {dup}}}\n"
        f"  - {{webUrl: {url_for('yaml/unclosed_double_quote.md')}, title: a rejected file}}\n",
        LOAD,
        "related to a shared URL and to a rejected file's URL",
        url=url_for(rel),
    )
    rel = "graph/original_is_anothers_web.md"
    b.doc(
        rel,
        f"title: Cross\nwebUrl: {url_for(rel)}\noriginalUrl: {ring[1]}\n",
        LOAD,
        "originalUrl equal to another document's webUrl",
        url=url_for(rel),
    )


# --- sizes, nesting ---------------------------------------------------------------------------
def _sizes(b: Builder, pick: _Picker) -> None:
    rel = "size/at_limit.md"
    head = derive(pick(), rel).encode()
    b.write(
        rel,
        head + b"x" * (MAX_FILE_BYTES - len(head) - 1) + b"\n",
        LOAD,
        "exactly at the file size limit",
        url=url_for(rel),
    )
    rel = "size/over_limit.md"
    head = derive(pick(), rel).encode()
    b.write(
        rel,
        head + b"x" * (MAX_FILE_BYTES - len(head)) + b"\n",
        REJECT,
        "one byte over the size limit",
    )
    rel = "size/sparse_2gib.md"
    path = b.note(rel, REJECT, "a 2 GiB sparse file: must be refused by size, never read")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        fh.write(derive(pick(), rel).encode())
        fh.truncate(2 << 30)
    rel = "size/huge_related.md"
    filler = "Lorem ipsum dolor sit amet. " * 70
    items = "".join(
        f"  - webUrl: {HOST}/stub/{i}\n    title: Stub {i}\n    excerpt: {filler}\n"
        f"    publishedDateTime: 2020-01-01\n    provider: {{domain: p{i % 50}.hostile.test, name: P{i % 50}}}\n"
        for i in range(2_400)
    )
    b.doc(
        rel,
        f"title: Huge related list\nwebUrl: {url_for(rel)}\nrelated:\n{items}",
        LOAD,
        "2,400 related items with long excerpts (4.8 MB of frontmatter, under the limit)",
        url=url_for(rel),
    )
    rel = "size/long_title.md"
    b.doc(
        rel,
        f"title: {'Long ' * 400_000}\nwebUrl: {url_for(rel)}\n",
        LOAD,
        "a 2 MB title",
        url=url_for(rel),
    )
    rel = "size/long_excerpt_entities.md"
    b.doc(
        rel,
        f'title: t\nexcerpt: "{"&amp;amp;lt;b&amp;gt; â€˜x’ " * 10_000}"\nwebUrl: {url_for(rel)}\n',
        LOAD,
        "a 300 KB excerpt of entities and mojibake to clean",
        url=url_for(rel),
    )
    rel = "size/huge_body.md"
    b.write(
        rel,
        derive(pick(), rel) + "lorem ipsum\n" * 300_000,
        LOAD,
        "a 3.6 MB body",
        url=url_for(rel),
    )
    n = 100_000
    for name, nested in [
        ("deep_flow_sequence", "[" * n + "]" * n),
        ("deep_flow_mapping", "{a: " * n + "1" + "}" * n),
        ("deep_flow_mixed", "[{a: " * n + "1" + "}]" * n),
    ]:
        rel = f"size/{name}.md"
        b.doc(
            rel,
            f"title: t\nwebUrl: {url_for(rel)}\nx: {nested}\n",
            EITHER,
            f"{name}, {n:,} levels",
            url=url_for(rel),
        )
    rel = "size/deep_block_mapping.md"
    nested = "".join(" " * i + "a:\n" for i in range(1, 2000)) + " " * 2000 + "1\n"
    b.doc(
        rel,
        f"title: t\nwebUrl: {url_for(rel)}\nx:\n{nested}",
        EITHER,
        "block mappings 2,000 deep (2 MB)",
        url=url_for(rel),
    )
    rel = "size/block_sequence_5000.md"
    b.doc(
        rel,
        f"title: t\nwebUrl: {url_for(rel)}\nx:\n{'- ' * 5000}1\n",
        EITHER,
        "compact block sequences 5,000 deep (10 KB)",
        url=url_for(rel),
    )


# --- alias bombs, !!python tags ---------------------------------------------------------------
def _yaml_attacks(b: Builder, pick: _Picker, sentinel: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, cur in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 10) + "]")
    rel = "attack/billion_laughs.md"
    b.doc(
        rel,
        f"title: t\nwebUrl: {url_for(rel)}\n" + "\n".join(lines) + "\n",
        REJECT,
        "billion laughs: 10^9 strings if expanded",
    )
    rel = "attack/billion_laughs_in_title.md"
    b.doc(
        rel,
        "\n".join(lines) + f"\ntitle: *i\nwebUrl: {url_for(rel)}\n",
        REJECT,
        "billion laughs referenced by the title",
    )
    rel = "attack/small_aliases.md"
    b.doc(
        rel,
        f"title: &t Shared title\nexcerpt: *t\nwebUrl: &u {url_for(rel)}\nrelated:\n"
        "  - {webUrl: *u, title: *t}\n",
        LOAD,
        "small legitimate anchors and aliases",
        url=url_for(rel),
        title="Shared title",
    )
    rel = "attack/alias_fanout_100k.md"
    b.doc(
        rel,
        f"title: t\nwebUrl: {url_for(rel)}\na: &a [" + ",".join(["x"] * 100) + "]\n"
        "b: [" + ",".join(["*a"] * 1000) + "]\n",
        EITHER,
        "100 items × 1,000 aliases",
        url=url_for(rel),
    )
    target = json.dumps(str(sentinel))
    for name, fm in [
        (
            "python_apply",
            f"x: !!python/object/apply:os.system [{json.dumps('touch ' + str(sentinel))}]\n",
        ),
        (
            "python_apply_title",
            f"title: !!python/object/apply:os.system [{json.dumps('touch ' + str(sentinel))}]\n",
        ),
        ("python_new", f"x: !!python/object/new:subprocess.Popen [[touch, {target}]]\n"),
        ("python_name", "x: !!python/name:os.system\n"),
        ("python_module", "x: !!python/module:os\n"),
        ("python_object", "x: !!python/object:pathlib.Path {}\n"),
        ("python_url", f"webUrl: !!python/object/apply:str [{url_for('attack/python_url.md')}]\n"),
    ]:
        rel = f"attack/{name}.md"
        head = "" if "title:" in fm else "title: t\n"
        url = "" if "webUrl:" in fm else f"webUrl: {url_for(rel)}\n"
        b.doc(rel, head + url + fm, EITHER, f"{fm.strip()[:50]}: must never run", url=url_for(rel))


# --- markup and control characters ------------------------------------------------------------
def _text(b: Builder, pick: _Picker) -> None:
    def titled(
        name: str, yaml_title: str, expected: str | None, why: str, expect: str = LOAD
    ) -> None:
        rel = f"text/{name}.md"
        text = _TITLE_LINE.sub(lambda _m: f"title: {yaml_title}", derive(pick(), rel), count=1)
        b.write(rel, text, expect, why, url=url_for(rel), title=expected)

    titled(
        "script",
        json.dumps('<script>alert("x")</script><img src=x onerror=alert(1)>'),
        '<script>alert("x")</script><img src=x onerror=alert(1)>',
        "HTML markup is text",
    )
    titled(
        "entities_nested",
        '"&amp;amp;amp;#39;quoted&amp;amp;#39;"',
        "'quoted'",
        "entities decoded until stable",
    )
    titled("mojibake", '"â€˜Quotedâ€™ and â€œdoubleâ€\x9d"', None, "mojibake to repair")
    titled(
        "ansi_escapes",
        r'"\e[31mred\e[0m \a bell \b back"',
        None,
        "ANSI escapes and C0 controls (escaped)",
    )
    titled(
        "c1_controls", r'"next\x85line \x9b csi \N \_"', None, "C1 controls, NEL, NBSP (escaped)"
    )
    titled("nul_escape", r'"before\0after"', None, "an escaped NUL inside the title")
    titled(
        "bidi_zero_width",
        '"\u202egnp.exe\u202c \u200b\u200d\ufeff hidden"',
        None,
        "bidi override, zero-width characters",
    )
    titled(
        "zalgo",
        json.dumps("Z" + "\u0301\u0316\u0337" * 2000 + "algo"),
        None,
        "6,000 combining marks",
    )
    titled(
        "astral", '"\U0001f4a9 \U0001d573 \U000e0041 \U0010fffd"', None, "astral and tag characters"
    )
    titled(
        "graphql_injection",
        json.dumps('"}}} { __schema { types { name } } } #'),
        None,
        "GraphQL-looking text",
    )
    titled("multiline", "|\n  line one\n  line two\n", None, "a literal block title with newlines")
    titled(
        "raw_controls",
        '"raw \x07 bell \x1b[31m"',
        None,
        "raw C0 controls (not allowed in YAML)",
        EITHER,
    )
    rel = "text/topics_markup.md"
    topics = "topics:\n  - '<b>Bold</b> &amp; Co'\n  - \"\\0\"\n  - '\u202eRTL'\n  - \"a\\u0000b\"\n  - AZURE\n"
    text = re.sub(
        r"^topics:\n(  - .*\n)+",
        lambda _m: topics,
        derive(pick(), rel),
        count=1,
        flags=re.MULTILINE,
    )
    b.write(rel, text, LOAD, "markup and control characters in topics", url=url_for(rel))
    rel = "text/provider_markup.md"
    provider = "provider:\n  name: '<i>Evil</i> &lt;Corp&gt;'\n  domain: 'WWW.Evil.<b>.test'\n"
    text = re.sub(
        r"^provider:\n(  .*\n)+",
        lambda _m: provider,
        derive(pick(), rel),
        count=1,
        flags=re.MULTILINE,
    )
    b.write(rel, text, LOAD, "markup in the provider name and domain", url=url_for(rel))


# --- the file system: links, loops, FIFOs, odd names ------------------------------------------
def _filesystem(b: Builder, pick: _Picker, docs: list[tuple[str, str, str]]) -> None:
    root = b.root
    outside = root.with_name(root.name + ".outside")
    outside.mkdir(exist_ok=True)
    secret = outside / "secret.md"
    secret.write_text(f"---\ntitle: Secret\nwebUrl: {HOST}/outside/secret\n---\n")
    (root / "fs").mkdir()

    def link(rel: str, target: str | Path, expect: str, why: str, **kw: Any) -> None:
        os.symlink(target, root / rel)
        b.note(rel, expect, why, **kw)

    link("fs/escape_absolute.md", secret, REJECT, "link to a document outside the corpus")
    link(
        "fs/escape_relative.md",
        os.path.relpath(secret, root / "fs"),
        REJECT,
        "relative link outside",
    )
    link("fs/escape_etc_passwd.md", "/etc/passwd", REJECT, "link to /etc/passwd")
    link("fs/escape_dev_zero.md", "/dev/zero", REJECT, "link to /dev/zero (endless)")
    link("fs/escape_proc.md", "/proc/self/environ", REJECT, "link to /proc/self/environ")
    link("fs/loop_self.md", "loop_self.md", REJECT, "a link to itself")
    link("fs/loop_a.md", "loop_b.md", REJECT, "a two-link loop")
    link("fs/loop_b.md", "loop_a.md", REJECT, "a two-link loop")
    link("fs/dangling.md", "does-not-exist.md", REJECT, "a dangling link (unreadable)")
    link("fs/dangling_absolute.md", "/nonexistent/x.md", REJECT, "a dangling absolute link")
    real_name, _, real_url = docs[1]
    link(
        "fs/inside_link.md",
        f"../real/{real_name}",
        LOAD,
        "a link to a document inside the corpus",
        url=real_url,
    )
    os.mkfifo(root / "fs/fifo.md")
    b.note("fs/fifo.md", REJECT, "a FIFO named like a document: must be refused without blocking")
    link("fs/fifo_link.md", "fifo.md", REJECT, "a link to the FIFO")
    with contextlib.suppress(OSError):
        _make_socket(root / "fs", "socket.md")
        b.note("fs/socket.md", REJECT, "a Unix socket named like a document")
    link("fs/dir_link_outside", outside, IGNORE, "a link to a folder outside: not followed")
    link("fs/dir_link_loop", ".", IGNORE, "a link to its own folder: not followed")
    link("fs/dir_link_root", "/", IGNORE, "a link to /: not followed")
    rel = "fs/folder.md/inner.md"
    b.write(
        rel, derive(pick(), rel), LOAD, "inside a folder named like a document", url=url_for(rel)
    )
    (root / "fs/empty_folder.md").mkdir()
    rel = "fs/.hidden/secret.md"
    b.write(rel, derive(pick(), rel), IGNORE, "inside a hidden folder")
    rel = "fs/.hidden_file.md"
    b.write(rel, derive(pick(), rel), EITHER, "a hidden file", url=url_for(rel))
    deep = "fs/" + "/".join(f"d{i}" for i in range(40)) + "/deep.md"
    b.write(deep, derive(pick(), deep), LOAD, "40 folders deep", url=url_for(deep))
    for rel, expect in [
        ("fs/upper.MD", LOAD),
        ("fs/mixed.Markdown", LOAD),
        ("fs/plain.TXT", LOAD),
        ("fs/notes.json", IGNORE),
        ("fs/README", IGNORE),
        ("fs/backup.md.bak", IGNORE),
        ("fs/component.mdx", IGNORE),
        ("fs/image.png", IGNORE),
        ("fs/trailing_dot.md.", IGNORE),
    ]:
        kw = {"url": url_for(rel)} if expect == LOAD else {}
        b.write(rel, derive(pick(), rel), expect, f"extension of {rel}", **kw)
    for name in [
        "spaces and ünïcödé ✓.md",
        "new\nline.md",
        "-starts-with-dash.md",
        "quote'\"quote.md",
        "back\\slash.md",
        "tab\there.md",
        "emoji 📰.md",
        "x" * 240 + ".md",
    ]:
        rel = f"names/{name}"
        b.write(rel, derive(pick(), rel), LOAD, f"odd file name {name[:30]!r}", url=url_for(rel))


def _make_socket(folder: Path, name: str) -> None:
    """A Unix socket file (bound from inside the folder: socket paths are short)."""
    cwd = os.getcwd()
    try:
        os.chdir(folder)
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(name)
        sock.close()
    finally:
        os.chdir(cwd)


# --- former crash cases -----------------------------------------------------------------------
#: Files that once crashed or stalled the ingest (all fixed); each has its own test in
#: test_hostile.py, where they must load or be rejected: three are rejected today (the deep
#: sequence, the alias amplification, the non-UTF-8 name), two load (the huge integer, whose
#: quality is dropped, and the entity nesting).
KNOWN_BUGS = {
    "deep_block_sequence": "compact block sequences ('- - - …') 30,000 deep, a 60 KB file",
    "huge_integer": "quality: an integer beyond 64 bits",
    "alias_amplification": "a 1 MB anchored string aliased 2,000 times (2 GB if expanded)",
    "non_utf8_file_name": "a file name that is not UTF-8 (Latin-1 'café.md')",
    "entity_nesting": "a title '&amp;amp;amp;…lt;' nested 100,000 deep (400 KB): quadratic decoding",
}


def write_known_bug(b: Builder, name: str) -> None:
    """Write the file of one former crash case (see KNOWN_BUGS), with the outcome its fix
    gives: rejected (deep nesting, alias amplification, a non-UTF-8 name) or loaded."""
    why = "KNOWN BUG: " + KNOWN_BUGS[name]
    rel = f"bugs/{name}.md"
    url = url_for(rel)
    if name == "deep_block_sequence":
        b.doc(rel, f"title: t\nwebUrl: {url}\nx:\n{'- ' * 30_000}1\n", REJECT, why, url=url)
    elif name == "huge_integer":
        b.doc(rel, f"title: t\nwebUrl: {url}\nquality: {10**30}\n", LOAD, why, url=url)
    elif name == "alias_amplification":
        b.doc(
            rel,
            f'title: t\nwebUrl: {url}\nbig: &b "{"x" * 1_000_000}"\nrefs: [{", ".join(["*b"] * 2000)}]\n',
            REJECT,
            why,
            url=url,
        )
    elif name == "entity_nesting":
        b.doc(rel, f"title: '&{'amp;' * 100_000}lt;'\nwebUrl: {url}\n", LOAD, why, url=url)
    elif name == "non_utf8_file_name":
        folder = b.root / "bugs"
        folder.mkdir(parents=True, exist_ok=True)
        raw = os.fsencode(folder) + b"/caf\xe9.md"
        with open(raw, "wb") as fh:
            fh.write(f"---\ntitle: t\nwebUrl: {url}\n---\n".encode())
        b.note("bugs/" + os.fsdecode(b"caf\xe9.md"), REJECT, why, url=url)
    else:
        raise KeyError(name)


def write_known_bugs(b: Builder) -> None:
    for name in KNOWN_BUGS:
        write_known_bug(b, name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a new folder for the corpus")
    parser.add_argument("--news", type=Path, default=DEFAULT_NEWS)
    parser.add_argument("--sample", type=int, default=50)
    parser.add_argument(
        "--known-bugs",
        action="store_true",
        help="also write the files that once crashed the ingest (fixed since)",
    )
    args = parser.parse_args(argv)
    manifest = generate(args.out, news=args.news, sample=args.sample, known_bugs=args.known_bugs)
    counts: dict[str, int] = {}
    for entry in manifest["entries"]:
        counts[entry["expect"]] = counts.get(entry["expect"], 0) + 1
    print(
        f"{args.out}: {len(manifest['entries'])} entries {counts}; manifest {manifest_path(args.out)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
