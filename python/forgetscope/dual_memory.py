"""I-LoRA's dual memory in PyTorch, with forgetscope's replay weights (the Python side of
``src/methods/interpolated-lora``).

- :func:`ema_lambda` / :func:`ema_update`: the released code's slow-learner EMA,
  θˡ ← λθˡ + (1−λ)θʷ with λ_k = min(1 − 1/(k+1), λ_max), on every LoRA tensor (A and B separately).
- :class:`ReservoirBuffer`: reservoir sampling over every example seen (the I-LoRA / ER buffer).
- :func:`weighted_replay_sample`: Efraimidis–Spirakis weighted sampling without replacement (top-n of
  u^(1/w)), which lets forgetscope's replay weights w = softmax(score / T) drive the replay draw.
- :class:`DualMemory`: the buffer plus weighted replay draws, seeded.

Why a second implementation of the engine's dual memory (``src/methods/interpolated-lora/dualMemory.ts``
and ``ema.ts``) when everything else in the harness runs the engine: these functions run inside the
training loop, every optimizer step, on the live LoRA tensors (``ema_update`` updates them in place, on
the GPU) and on the stream of examples as it is trained on. A call through the engine would be a Node
process per step and a copy of every adapter tensor to the CPU and back — not acceptable in a training
step — so the few lines live here. They are kept equal to the engine's: the test
``tests/test_dual_memory_engine.py`` runs both on the same inputs (EMA factors and steps, softmax
weights, Efraimidis–Spirakis draws for given uniforms, reservoir slots for given random integers) and
checks both against float64 hand references. One difference is intended: the seeded random stream
(:class:`DualMemory` draws from Python's ``random``, the engine from its own generator), so the same
seed gives different, equally distributed draws in the two.
"""

from __future__ import annotations

import math
import random
from typing import Callable, Generic, Iterable, Mapping, Optional, Sequence, TypeVar

import torch

from .defaults import DEFAULT_TEMPERATURE

T = TypeVar("T")


def ema_lambda(step: int, lambda_max: float) -> float:
    """min(1 − 1/(step+1), λ_max)."""
    return min(1.0 - 1.0 / (step + 1), lambda_max)


@torch.no_grad()
def ema_update(slow: Iterable[torch.Tensor], fast: Iterable[torch.Tensor], lam: float) -> None:
    """In place: slow ← λ·slow + (1−λ)·fast, tensor by tensor."""
    for s, f in zip(slow, fast):
        s.mul_(lam).add_(f.detach().to(s.dtype), alpha=1.0 - lam)


class ReservoirBuffer(Generic[T]):
    """Reservoir of ``capacity`` items: the i-th item (from 0) goes to slot i while i < capacity, else
    r = rand_int(i) uniform in {0..i} and it replaces slot r when r < capacity. ``add`` returns the slot
    or −1 (the ``buffer_log.jsonl`` record)."""

    def __init__(self, capacity: int, rand_int: Optional[Callable[[int], int]] = None, seed: int = 0):
        if capacity < 1:
            raise ValueError("capacity must be positive")
        self.capacity = capacity
        self._rng = random.Random(seed)
        self._rand_int = rand_int or (lambda hi: self._rng.randint(0, hi))
        self.slots: list[T] = []
        self.seen = 0

    def add(self, item: T) -> int:
        i = self.seen
        self.seen += 1
        if i < self.capacity:
            self.slots.append(item)
            return i
        r = self._rand_int(i)
        if r < self.capacity:
            self.slots[r] = item
            return r
        return -1

    def sample(self, n: int) -> list[T]:
        """n distinct items, uniformly."""
        return self._rng.sample(self.slots, min(n, len(self.slots)))

    def items(self) -> list[T]:
        return list(self.slots)


def weighted_replay_sample(weights: Sequence[float], n: int, u: Sequence[float]) -> list[int]:
    """Indices of the n largest keys u^(1/w) (Efraimidis–Spirakis), by descending key; weight 0 is never drawn."""
    if len(weights) != len(u):
        raise ValueError("weights and uniforms differ in length")
    keys = [(math.log(ui) / wi if wi > 0 else -math.inf, i) for i, (wi, ui) in enumerate(zip(weights, u))]
    order = sorted((k for k in keys if k[0] > -math.inf), key=lambda k: (-k[0], k[1]))
    return [i for _, i in order[:n]]


def softmax_weights(scores: Sequence[float], temperature: float = DEFAULT_TEMPERATURE) -> list[float]:
    """softmax(score / T), stable."""
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = [s / temperature for s in scores]
    m = max(z)
    e = [math.exp(v - m) for v in z]
    s = sum(e)
    return [v / s for v in e]


class DualMemory:
    """Replay memory for I-LoRA driven by forgetscope scores: a reservoir of (example id, score) and
    weighted draws without replacement with w = softmax(score / T); ``uniform=True`` is the reservoir's
    own uniform draw."""

    def __init__(self, capacity: int, scores: Optional[Mapping[str, float]] = None, temperature: float = DEFAULT_TEMPERATURE, seed: int = 0):
        self.buffer: ReservoirBuffer[str] = ReservoirBuffer(capacity, seed=seed)
        self.scores = dict(scores or {})
        self.temperature = temperature
        self._rng = random.Random(seed + 1)

    def add(self, example_id: str) -> int:
        return self.buffer.add(example_id)

    def sample(self, n: int, uniform: bool = False) -> list[str]:
        items = self.buffer.items()
        if uniform or not items:
            return self.buffer.sample(n)
        w = softmax_weights([self.scores.get(i, 0.0) for i in items], self.temperature)
        u = [1.0 - self._rng.random() for _ in items]  # (0, 1]
        return [items[i] for i in weighted_replay_sample(w, n, u)]
