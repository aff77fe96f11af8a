"""The harness's hard requirements are present: a missing one fails the suite instead of skipping it."""

import numpy
import pyarrow
import torch

import forgetscope


def test_requirements_are_importable_and_work():
    assert torch.tensor([1.0, 2.0]).sum().item() == 3.0
    assert pyarrow.table({"a": [1]}).num_rows == 1
    assert numpy.arange(3).sum() == 3
    assert forgetscope.__version__ == "0.1.0"
