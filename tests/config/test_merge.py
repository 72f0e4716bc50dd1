from voiceops.config.merge import deep_merge


def test_maps_merge_and_lists_replace() -> None:
    base = {"llm": {"provider": "openai", "temperature": 0.4}, "tags": [1, 2]}
    child = {"llm": {"temperature": 0.7}, "tags": [3]}
    assert deep_merge(base, child) == {"llm": {"provider": "openai", "temperature": 0.7},
                                       "tags": [3]}
    assert base == {"llm": {"provider": "openai", "temperature": 0.4}, "tags": [1, 2]}


def test_scalar_replaces_map_and_map_replaces_scalar() -> None:
    assert deep_merge({"a": {"b": 1}}, {"a": 2}) == {"a": 2}
    assert deep_merge({"a": 2}, {"a": {"b": 1}}) == {"a": {"b": 1}}
