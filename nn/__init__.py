"""chaingrad's neural-network library, built on ``autograd.Value``.

PyTorch's names, defaults and formulas wherever PyTorch has the concept::

    import random
    import nn

    random.seed(1337)
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=0)
    model = nn.MLP(2, [16, 16, 1])                 # micrograd's network
    y = [2 * t - 1 for t in y]                     # labels -1 / 1 for the hinge loss
    history = nn.fit(model, X, y, nn.hinge_loss, nn.optim.SGD(model.parameters(), lr=1.0),
                     epochs=100, l2=1e-4, lr_schedule=lambda k: 1.0 - 0.9 * k / 100)
    nn.accuracy(model, X, y)

Modules: :class:`Module`, :class:`Linear`, :class:`Neuron`, :class:`Layer`, :class:`MLP`,
:class:`Maxout`, :class:`Dropout`, :class:`Sequential`, :class:`ModuleList`,
:class:`ModuleDict` and activation modules.
Functions: :func:`softmax`, :func:`log_softmax`, the losses and penalties.
Sub-modules: :mod:`nn.optim` (SGD, Adam, parameter groups) with
:mod:`nn.optim.lr_scheduler` (PyTorch's schedulers), :mod:`nn.datasets`; :func:`fit`,
:func:`accuracy`, :func:`predict`, :class:`History`, :func:`save` / :func:`load`,
:func:`save_checkpoint` / :func:`load_checkpoint`; :func:`to_torch` / :func:`from_torch`
with :func:`to_torch_optimizer`, :func:`torch_state_dict` / :func:`load_torch_state_dict`
(PyTorch, optional).
"""

from . import (
    _packages,  # noqa: F401 -- first of all: see its docstring
    datasets,
    optim,
)
from .activations import (
    ACTIVATIONS,
    ELU,
    GELU,
    Activation,
    Identity,
    LeakyReLU,
    ReLU,
    Sigmoid,
    SiLU,
    Softplus,
    Tanh,
)
from .checkpoint import load_checkpoint, save_checkpoint
from .functional import l1_penalty, l2_penalty, log_softmax, softmax
from .layers import MLP, Dropout, Layer, Linear, Maxout, Neuron, Sequential
from .losses import bce_with_logits, binary_cross_entropy, cross_entropy, hinge_loss, mse_loss
from .module import Module, ModuleDict, ModuleList
from .serialization import load, save
from .torch_bridge import (
    from_torch,
    load_torch_state_dict,
    to_torch,
    to_torch_optimizer,
    torch_state_dict,
)
from .training import LOSSES, EarlyStopping, History, accuracy, fit, loss_and_grads, predict

__chaingrad__ = True  # this is chaingrad's package (autograd.packages checks it)

__all__ = [
    "ACTIVATIONS",
    "ELU",
    "GELU",
    "LOSSES",
    "MLP",
    "Activation",
    "Dropout",
    "EarlyStopping",
    "History",
    "Identity",
    "Layer",
    "LeakyReLU",
    "Linear",
    "Maxout",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Neuron",
    "ReLU",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "Softplus",
    "Tanh",
    "accuracy",
    "bce_with_logits",
    "binary_cross_entropy",
    "cross_entropy",
    "datasets",
    "fit",
    "from_torch",
    "hinge_loss",
    "l1_penalty",
    "l2_penalty",
    "load",
    "load_checkpoint",
    "load_torch_state_dict",
    "log_softmax",
    "loss_and_grads",
    "mse_loss",
    "optim",
    "predict",
    "save",
    "save_checkpoint",
    "softmax",
    "to_torch",
    "to_torch_optimizer",
    "torch_state_dict",
]
