"""Length-sorted batching (``journeymap.emotions._batching.forward_sorted``): rows, errors, concurrency."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import torch

from journeymap.emotions._batching import forward_sorted
from journeymap.exceptions import JourneyMapError

CPU = torch.device("cpu")
SEQUENCES = [[101, *range(1, k + 1), 102] for k in (5, 1, 9, 3, 3, 12, 7, 2, 8, 4, 6, 10, 11)]


def row_of(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """A row per sequence that depends only on that sequence: its length and the sum of its ids."""
    return torch.stack([mask.sum(dim=1).float(), (ids * mask).sum(dim=1).float()], dim=1)


@pytest.mark.parametrize("workers", [1, 2, 3])
@pytest.mark.parametrize("batch_size", [1, 4, 64])
def test_rows_do_not_depend_on_workers_or_batch_size(workers: int, batch_size: int) -> None:
    got = forward_sorted(SEQUENCES, forward=row_of, pad_id=0, batch_size=batch_size, device=CPU, workers=workers)
    want = np.array([[len(s), sum(s)] for s in SEQUENCES], dtype=np.float32)
    np.testing.assert_array_equal(got, want)


def test_workers_run_batches_at_the_same_time() -> None:
    # Each of the first two calls waits for the other: this passes only when two batches run at once.
    barrier = threading.Barrier(2, timeout=10)
    calls = []

    def waiting(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        calls.append(threading.current_thread().name)
        if len(calls) <= 2:
            barrier.wait()
        return row_of(ids, mask)

    forward_sorted(SEQUENCES, forward=waiting, pad_id=0, batch_size=4, device=CPU, workers=2)
    assert len(set(calls)) == 2
    # fewer sequences than two full batches are split in two, so both workers still get one
    barrier.reset()
    calls.clear()
    forward_sorted(SEQUENCES[:3], forward=waiting, pad_id=0, batch_size=64, device=CPU, workers=2)
    assert len(calls) == 2


def test_a_failing_batch_names_its_texts_from_a_worker_thread() -> None:
    def failing(ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        if int(mask.sum(dim=1).max()) > 12:
            raise RuntimeError("out of memory")
        return row_of(ids, mask)

    where = list(range(13))
    # one batch at a time: the first failing batch (the third of the sorted order) stops the run
    with pytest.raises(JourneyMapError, match=r"scoring failed for the texts at positions \[2, 8, 11, 12\]: out of memory"):
        forward_sorted(SEQUENCES, forward=failing, pad_id=0, batch_size=4, device=CPU, positions=where)
    # at once: every failing batch is named (the longest text, 5, is alone in the last one)
    with pytest.raises(JourneyMapError, match=r"positions \[2, 5, 8, 11, 12\]: out of memory") as info:
        forward_sorted(SEQUENCES, forward=failing, pad_id=0, batch_size=4, device=CPU, workers=2, positions=where)
    assert isinstance(info.value.__cause__, RuntimeError)


def test_no_sequences_give_an_empty_array() -> None:
    assert forward_sorted([], forward=row_of, pad_id=0, batch_size=4, device=CPU, workers=2).shape == (0, 0)
