"""The identity module: the one place that knows key prefixes and the ID codec."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from graphsvc.identity import (
    article_key,
    decode_id,
    encode_id,
    key_value,
    kind_of,
    provider_key,
    topic_key,
)
from graphsvc.model import NodeKind


@given(st.text(max_size=200), st.sampled_from([article_key, provider_key, topic_key]))
def test_every_key_round_trips_through_its_id(value: str, build: object) -> None:
    key = build(value)  # type: ignore[operator]
    assert decode_id(encode_id(key)) == key
    assert key_value(key) == value
    assert (
        kind_of(key)
        is {
            article_key: NodeKind.ARTICLE,
            provider_key: NodeKind.PROVIDER,
            topic_key: NodeKind.TOPIC,
        }[build]
    )


@pytest.mark.parametrize("bad", ["", "!!!", "x:hello", "a", "YQ"])
def test_what_is_not_an_id_decodes_to_none(bad: str) -> None:
    raw = bad if bad in {"", "!!!", "YQ"} else encode_id(bad)
    assert decode_id(raw) is None


def test_a_story_id_decodes_but_is_no_node_kind() -> None:
    assert decode_id(encode_id("s:0123")) == "s:0123"
    with pytest.raises(ValueError, match="not a node key"):
        kind_of("s:0123")
