"""settle_heap: what a server loaded before serving is frozen out of full collections."""

from __future__ import annotations

import gc

from voiceops.server.heap import settle_heap


def test_the_heap_loaded_at_startup_is_frozen_out_of_full_collections() -> None:
    kept = [[n] for n in range(1000)]  # stands for the SDKs and configs loaded first
    assert gc.is_tracked(kept[0])
    try:
        frozen = settle_heap()
        assert frozen >= len(kept) and gc.get_freeze_count() == frozen
        scanned = {id(o) for generation in range(3) for o in gc.get_objects(generation)}
        assert not any(id(o) in scanned for o in kept)  # full collections pass them by
    finally:
        gc.unfreeze()
    assert id(kept[0]) in {id(o) for o in gc.get_objects(2)}
