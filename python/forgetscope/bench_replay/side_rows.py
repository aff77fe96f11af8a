"""Side rows of the literature baselines, computed from the base model: base NLL (``surprise``) and the
first-order forgetting estimate −⟨g_task, g_j⟩ from TRAK-style projected per-example gradients
(``gradient``)."""

from __future__ import annotations

import numpy as np
import torch

from ..exports import per_example_gradients
from .models import lm_loss


def _loss(model, example):
    return lm_loss(model, example.unsqueeze(0))


def projected_gradients(model: torch.nn.Module, windows: torch.Tensor, projection: int, seed: int = 0) -> np.ndarray:
    """Per-example gradients of the base model's loss, projected by the seeded Gaussian
    :class:`forgetscope.side.Projection` to ``projection`` dimensions (float64, [count × projection])."""
    torch.set_num_threads(1)
    g, _ = per_example_gradients(model, list(windows), _loss, projection_dim=projection, seed=seed)
    return g.double().numpy()


def gradient_scores(upstream_grads: np.ndarray, task_grads: np.ndarray) -> np.ndarray:
    """First-order forgetting estimate of each upstream example for a step along the task's mean
    gradient: −⟨mean task gradient, g_j⟩ (larger = the task's update raises j's loss more)."""
    return -(upstream_grads @ task_grads.mean(axis=0))
