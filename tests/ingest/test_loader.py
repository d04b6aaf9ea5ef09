"""Walking a corpus: every file accounted for, links, limits, the parse cache."""

from __future__ import annotations

import os
from pathlib import Path

from graphsvc.ingest.loader import load_corpus


def doc(title: str, url: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\nwebUrl: {url}\n{extra}---\n"


def write(root: Path, rel: str, text: str | bytes) -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_every_file_is_accounted_for(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    outside = tmp_path / "outside"
    write(outside, "secret.md", doc("Secret", "https://x.org/secret"))
    write(corpus, "a.md", doc("A", "https://x.org/a"))
    write(corpus, "sub/b.markdown", doc("B", "https://x.org/b"))
    write(corpus, "sub/deeper/c.TXT", doc("C", "https://x.org/c"))
    write(corpus, "notes.json", "{}")
    write(corpus, "bad.md", "---\ntitle: [unclosed\n---\n")
    write(corpus, "big.md", doc("Big", "https://x.org/big", "excerpt: " + "x" * 3000 + "\n"))
    os.symlink(outside / "secret.md", corpus / "escape.md")
    os.symlink(corpus / "loop.md", corpus / "loop.md")
    os.symlink(corpus / "a.md", corpus / "alias.md")  # a link inside the corpus is read
    os.symlink(outside, corpus / "linked-folder")
    write(corpus, ".git/config.md", doc("Hidden", "https://x.org/hidden"))

    result = load_corpus(corpus, use_cache=False, max_file_bytes=2000)
    loaded = [path for path, _ in result.records]
    assert loaded == ["a.md", "alias.md", "sub/b.markdown", "sub/deeper/c.TXT"]
    reasons = {p.path: p.reason for p in result.report.rejected}
    assert set(reasons) == {"bad.md", "big.md", "escape.md", "loop.md"}
    assert "outside the corpus" in reasons["escape.md"]
    assert "loop" in reasons["loop.md"]
    assert "over the limit of 2,000" in reasons["big.md"]
    assert "invalid YAML" in reasons["bad.md"]
    assert next(p for p in result.report.rejected if p.path == "bad.md").line == 2
    ignored = " ".join(result.report.ignored)
    assert "notes.json" in ignored and "linked-folder/" in ignored and ".git/" in ignored
    assert result.report.files == 8  # every .md/.markdown/.txt outside hidden and linked folders


def test_warm_run_parses_nothing_and_changes_are_seen(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    for i in range(5):
        write(corpus, f"{i}.md", doc(f"T{i}", f"https://x.org/{i}"))
    cache = tmp_path / "cache"
    cold = load_corpus(corpus, cache_dir=cache)
    assert (cold.report.parsed, cold.report.cached) == (5, 0)
    warm = load_corpus(corpus, cache_dir=cache)
    assert (warm.report.parsed, warm.report.cached) == (0, 5)
    assert warm.records == cold.records and warm.version == cold.version

    path = write(corpus, "2.md", doc("Changed title", "https://x.org/2"))
    os.utime(path, ns=(1, 1))
    (corpus / "4.md").unlink()
    write(corpus, "5.md", "---\n: [\n---\n")
    again = load_corpus(corpus, cache_dir=cache)
    assert (again.report.parsed, again.report.cached) == (2, 3)
    assert dict(again.records)["2.md"].item.title == "Changed title"
    assert [p.path for p in again.report.rejected] == ["5.md"]
    assert again.version != warm.version
    # A rejected file comes back from the cache as rejected, with its reason.
    last = load_corpus(corpus, cache_dir=cache)
    assert last.report.parsed == 0 and [p.path for p in last.report.rejected] == ["5.md"]


def test_unusable_cache_is_not_fatal(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write(corpus, "a.md", doc("A", "https://x.org/a"))
    blocker = tmp_path / "file-not-folder"
    blocker.write_text("x")
    result = load_corpus(corpus, cache_dir=blocker / "sub")
    assert [p for p, _ in result.records] == ["a.md"]


def test_process_pool_gives_the_same_records(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    for i in range(120):
        write(
            corpus,
            f"{i:03}.md",
            doc(f"T{i}", f"https://x.org/{i}", f"related:\n  - webUrl: https://x.org/{i + 1}\n"),
        )
    write(corpus, "zz-bad.md", b"\xff\xfe")
    pooled = load_corpus(corpus, use_cache=False, workers=2)
    single = load_corpus(corpus, use_cache=False, workers=1)
    assert pooled.records == single.records
    assert [p.path for p in pooled.report.rejected] == ["zz-bad.md"]


def test_missing_folder_is_an_error(tmp_path: Path) -> None:
    import pytest

    from graphsvc.errors import IngestError

    with pytest.raises(IngestError):
        load_corpus(tmp_path / "nope")


def test_a_file_that_turns_bad_keeps_its_last_good_version(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    path = write(corpus, "a.md", doc("Good title", "https://x.org/a"))
    write(corpus, "b.md", doc("B", "https://x.org/b"))
    cache = tmp_path / "cache"
    load_corpus(corpus, cache_dir=cache)
    path.write_text("---\ntitle: [broken\n---\n")
    os.utime(path, ns=(2, 2))
    for _ in range(2):  # the fresh parse, then the cached rejection
        result = load_corpus(corpus, cache_dir=cache)
        assert dict(result.records)["a.md"].item.title == "Good title"
        (problem,) = result.report.rejected
        assert problem.path == "a.md" and "last good version is kept" in problem.reason
    path.unlink()  # a deleted file is gone for real
    assert [p for p, _ in load_corpus(corpus, cache_dir=cache).records] == ["b.md"]
    # A file that was never good is simply rejected.
    write(corpus, "c.md", "---\n: [\n---\n")
    result = load_corpus(corpus, cache_dir=cache)
    assert [p.path for p in result.report.rejected] == ["c.md"]
    assert "last good" not in result.report.rejected[0].reason
