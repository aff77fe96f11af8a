"""Exports for forgetscope's seed-method modules (``forgetscope recipes|subspace|fisher|lora``), in one place.

A re-export of the modules that hold them, kept so existing imports keep working; new code may import
from the modules directly:

- :mod:`forgetscope.tensors` — atomic safetensors files: :func:`save_tensors`, :func:`load_tensors`;
  weight snapshots and deltas: :func:`weight_snapshot`, :func:`weight_delta`; SVD factors: :func:`export_svd`
- :mod:`forgetscope.tokens` — teacher-forced per-token log-probs and a token class's log-mass:
  :func:`token_logprobs`, :func:`export_token_logprobs`, :func:`number_token_ids`, :func:`is_number_token`
- :mod:`forgetscope.gradients` — per-example gradients and the diagonal Fisher:
  :func:`per_example_gradients`, :func:`export_per_example_gradients`, :func:`diagonal_fisher`
- :mod:`forgetscope.activations` — captured layer inputs via forward pre-hooks:
  :func:`capture_layer_inputs`, :func:`export_layer_inputs`
- :mod:`forgetscope.lora` — LoRA adapters in the PEFT layout (``...lora_A.weight``, ``...lora_B.weight``):
  :class:`LoraLinear`, :func:`add_lora`, :func:`lora_snapshot`, :func:`load_lora`; losses along an
  interpolation path between two adapters: :func:`interpolation_losses`
"""

from __future__ import annotations

# the private helpers (_matcher, _named_params, ...) were importable from the old single module; kept
from .activations import capture_layer_inputs, export_layer_inputs
from .gradients import _named_params, diagonal_fisher, export_per_example_gradients, per_example_gradients  # noqa: F401
from .lora import LoraLinear, _eval_delta_mix, add_lora, interpolation_losses, load_lora, lora_snapshot  # noqa: F401
from .tensors import PathLike, Pattern, _matcher, export_svd, load_tensors, save_tensors, weight_delta, weight_snapshot  # noqa: F401
from .tokens import _NUMBER_WORDS, _WORDS, export_token_logprobs, is_number_token, number_token_ids, token_logprobs  # noqa: F401

__all__ = [
    "PathLike", "Pattern",
    "save_tensors", "load_tensors", "weight_snapshot", "weight_delta", "export_svd",
    "is_number_token", "number_token_ids", "token_logprobs", "export_token_logprobs",
    "per_example_gradients", "export_per_example_gradients", "diagonal_fisher",
    "capture_layer_inputs", "export_layer_inputs",
    "LoraLinear", "add_lora", "lora_snapshot", "load_lora", "interpolation_losses",
]
