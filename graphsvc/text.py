"""Display text: HTML entities decoded, mojibake repaired, BOMs removed (docs/data-model.md#values).

Below ingest and graph alike: ingest cleans a document's text, and the graph builder cleans the
provider names and topic spellings it picks for display.
"""

from __future__ import annotations

import html
import re

__all__ = ["clean_text"]

_AMP_RUN = re.compile(r"&(?:amp;|#38;|#[xX]0*26;)+")
_MAX_UNESCAPE_PASSES = 8

#: UTF-8 read as Windows-1252 always shows one of these lead characters (Â to ÿ); text
#: without any of them is left alone, which spares ftfy's slower checks on most accented text.
_MOJIBAKE_LEAD = re.compile("[\u00c2-\u00ff]")


def clean_text(text: str) -> str:
    """Text for display: HTML entities decoded until stable, mojibake repaired, BOMs removed.

    Nothing is trimmed.

    >>> clean_text("Don&amp;#39;t â€œpanicâ€\\ufeff")
    'Don\\'t “panic”'
    """
    out = text
    if "&" in out:
        # A run of encoded ampersands decodes to one "&", however long: collapsing it first
        # keeps "decode until stable" linear (an &amp;amp;amp;... title is not quadratic).
        out = _AMP_RUN.sub("&", out)
        for _ in range(_MAX_UNESCAPE_PASSES):
            decoded = html.unescape(out)
            if decoded == out:
                break
            out = decoded
    if not out.isascii():
        if _MOJIBAKE_LEAD.search(out):
            import ftfy  # only here: its import costs more than reading a kept store

            out = ftfy.fix_encoding(out)
        out = out.replace("\ufeff", "")
    return out
