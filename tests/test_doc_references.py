"""Every file a docstring or comment names exists in the repository, and so does every section
it names (``docs/data-model.md#counts``): a reader of the code can open what it cites.

References are Markdown names (``README.md``, ``docs/architecture.md#memory-is-edges``)
and paths with a folder (``graph/build.py``, ``web/explorer/dom.js``). A path resolves from
the repository root, from ``graphsvc/`` or from the citing file's folder. The Markdown files
in ``docs/`` are checked the same way, links included.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("graphsvc", "tests", "bench")
_URL = re.compile(r"\b[a-z][a-z0-9+.-]*://\S+")
#: A Markdown name, or a path with at least one folder, with an optional #section.
_REFERENCE = re.compile(
    r"(?<![\w./-])"
    r"((?:\.{1,2}/)*(?:[\w.-]+/)*[\w.-]*[A-Za-z][\w.-]*\.md"
    r"|(?:\.{1,2}/)*(?:[\w.-]+/)+[\w.-]+\.(?:py|js|css|html|json|graphql|toml|sh))"
    r"(?![\w-])(#[\w-]+)?"
)


def python_files() -> Iterator[Path]:
    for folder in SOURCES:
        yield from sorted((ROOT / folder).rglob("*.py"))


def docs_and_comments(source: str) -> Iterator[tuple[int, str]]:
    """(line, text) of every docstring and comment of a module."""
    for node in ast.walk(ast.parse(source)):
        kinds = ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef
        if isinstance(node, kinds) and (doc := ast.get_docstring(node, clean=False)):
            yield node.body[0].lineno, doc
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type == tokenize.COMMENT:
            yield token.start[0], token.string


def references(text: str) -> Iterator[tuple[str, str]]:
    """(path, section or "") of every file reference in a text, URLs left out."""
    for match in _REFERENCE.finditer(_URL.sub(" ", text)):
        yield match.group(1), (match.group(2) or "")[1:]


def anchors(markdown: Path) -> set[str]:
    """GitHub's anchors of a Markdown file's headings."""
    found = set()
    for line in markdown.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            found.add(re.sub(r"[^\w\- ]", "", title).replace(" ", "-"))
    return found


def problem(citing: Path, path: str, section: str) -> str | None:
    """Why a reference does not resolve, or None when it does."""
    bases = (ROOT, ROOT / "graphsvc", citing.parent)
    target = next((b / path for b in bases if (b / path).is_file()), None)
    if target is None or ROOT not in target.resolve().parents:
        return f"{path}: no such file in the repository"
    if section and section not in anchors(target):
        return f"{path}#{section}: no such section"
    return None


def broken(citing: Path, texts: Iterator[tuple[int, str]]) -> list[str]:
    out = []
    for line, text in texts:
        for path, section in references(text):
            why = problem(citing, path, section)
            if why is not None:
                out.append(f"{citing.relative_to(ROOT)}:{line}: {why}")
    return out


def test_references_in_code_resolve() -> None:
    found = [
        p
        for file in python_files()
        for p in broken(file, docs_and_comments(file.read_text(encoding="utf-8")))
    ]
    assert found == []


def test_references_in_docs_resolve() -> None:
    docs = sorted((ROOT / "docs").glob("*.md"))
    assert docs, "docs/ holds the project's own documents"
    found = [
        p
        for doc in docs
        for p in broken(doc, enumerate(doc.read_text(encoding="utf-8").splitlines(), 1))
    ]
    assert found == []


def test_a_missing_file_or_section_is_caught(tmp_path: Path) -> None:
    source = '"""See DESIGN.md and graph/nowhere.py."""\n# docs/data-model.md#no-such-part\n'
    found = broken(ROOT / "graphsvc" / "x.py", docs_and_comments(source))
    assert len(found) == 3, found
    kept = '"""See docs/data-model.md#counts and graph/build.py."""\n'
    assert broken(ROOT / "graphsvc" / "x.py", docs_and_comments(kept)) == []
