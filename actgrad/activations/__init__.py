"""Reference activation functions and their derivatives.

One small module per activation; every function takes a Python float, a list
or a NumPy array of any shape and returns a new float64 array of that shape
(0-d for a scalar), never modifying its input. Values agree with
``torch.nn.functional`` in float64 and derivatives with PyTorch's autograd,
including its choice at kinks (``relu_grad(0) = 0``,
``leaky_relu_grad(0) = alpha``, ``elu_grad(0) = alpha``,
``selu_grad(0) = SELU_LAMBDA * SELU_ALPHA``). Where PyTorch's formula loses
accuracy (the tails of ``sigmoid_grad`` or ``tanh_grad``, for instance) ours
keeps full relative accuracy.
"""

from actgrad.activations.elu import elu, elu_grad
from actgrad.activations.gelu import gelu, gelu_grad, normal_cdf
from actgrad.activations.leaky_relu import (
    leaky_relu,
    leaky_relu_grad,
    prelu,
    prelu_grad,
    prelu_grad_alpha,
)
from actgrad.activations.maxout import maxout, maxout_grad
from actgrad.activations.mish import mish, mish_grad
from actgrad.activations.relu import relu, relu_grad
from actgrad.activations.selu import SELU_ALPHA, SELU_LAMBDA, selu, selu_constants, selu_grad
from actgrad.activations.sigmoid import sigmoid, sigmoid_grad
from actgrad.activations.silu import silu, silu_grad, swish, swish_grad
from actgrad.activations.softmax import log_softmax, softmax, softmax_jacobian
from actgrad.activations.softplus import softplus, softplus_grad
from actgrad.activations.tanh import tanh, tanh_grad

__all__ = [
    "SELU_ALPHA",
    "SELU_LAMBDA",
    "elu",
    "elu_grad",
    "gelu",
    "gelu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "log_softmax",
    "maxout",
    "maxout_grad",
    "mish",
    "mish_grad",
    "normal_cdf",
    "prelu",
    "prelu_grad",
    "prelu_grad_alpha",
    "relu",
    "relu_grad",
    "selu",
    "selu_constants",
    "selu_grad",
    "sigmoid",
    "sigmoid_grad",
    "silu",
    "silu_grad",
    "softmax",
    "softmax_jacobian",
    "softplus",
    "softplus_grad",
    "swish",
    "swish_grad",
    "tanh",
    "tanh_grad",
]
