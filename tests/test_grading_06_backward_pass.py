"""Assignment 6 (gradient checks, dense and batch-norm backward passes) graded by the real nbgrader.

One temporary course, one `nbgrader autograde` run for all the students below
(module-scoped fixture): the reference solution, the untouched release, wrong
implementations that must each lose exactly the points of the cells they
break, alternative correct implementations (other loops, other formulas, the
computational graph step by step) that must get every point, and an
always-true object that must not fool the hidden tests.

The fast tests at the end (not marked slow) take the reference solution cells
out of the source notebook and compare them with PyTorch's autograd in float64.
"""

import math

import numpy as np
import pytest

import nbgrader_course as nc

ASSIGNMENT = "06_backward_pass"
NOTEBOOK = "backward_pass"
WRITTEN = "written_batchnorm_sums"
ANSWER = ("Both sums are 0: shifting or scaling a column does not change x_hat, so the loss cannot change "
          "along those directions. Treating mean and variance as constants gives nonzero sums: the step "
          "would shift and rescale columns, which the next normalisation undoes.")

slow, unit = pytest.mark.slow, pytest.mark.unit

# student -> (solution cells replaced, test cells that must then score 0). The
# other cells keep the reference solution and must keep their points.
WRONG = {
    "numerical_gradient_forward_difference": ({"numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    base = float(f(x))
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        moved = x.copy()
        moved[idx] += h
        grad[idx] = (float(f(moved)) - base) / h
    return grad
'''}, {"test_numerical_gradient"}),
    "numerical_gradient_over_h": ({"numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (float(f(plus)) - float(f(minus))) / h
    return grad
'''}, {"test_numerical_gradient"}),
    # every entry moved at once: the directional derivative along (1, ..., 1), in every entry
    "numerical_gradient_moves_all_entries": ({"numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    return np.full(x.shape, (float(f(x + h)) - float(f(x - h))) / (2 * h))
'''}, {"test_numerical_gradient"}),
    # the caller's array is perturbed and never put back: wrong values for the later
    # entries, and x is left changed
    "numerical_gradient_not_restored": ({"numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x[idx] += h
        f_plus = float(f(x))
        x[idx] -= 2 * h
        f_minus = float(f(x))
        grad[idx] = (f_plus - f_minus) / (2 * h)
    return grad
'''}, {"test_numerical_gradient", "test_numerical_gradient_input"}),
    # right values, as nested lists
    "numerical_gradient_returns_list": ({"numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += h
        minus[idx] -= h
        grad[idx] = (float(f(plus)) - float(f(minus))) / (2 * h)
    return grad.tolist()
'''}, {"test_numerical_gradient_type"}),
    "relative_error_no_abs": ({"relative_error": '''
def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max((a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))
'''}, {"test_relative_error"}),
    "relative_error_mean": ({"relative_error": '''
def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.mean(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8)))
'''}, {"test_relative_error"}),
    # no floor: two zeros give 0 / 0 = nan
    "relative_error_no_floor": ({"relative_error": '''
def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / (np.abs(a) + np.abs(b))))
'''}, {"test_relative_error"}),
    # one ratio for the whole array: small entries' errors drown in the large ones
    "relative_error_whole_array": ({"relative_error": '''
def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b)) / max(float(np.max(np.abs(a) + np.abs(b))), 1e-8))
'''}, {"test_relative_error"}),
    # grad_w from the transposed product, forced into w's shape
    "dense_grad_w_transposed": ({"dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    return grad_y @ w.T, (grad_y.T @ x).reshape(w.shape), grad_y.sum(axis=0)
'''}, {"test_dense_backward"}),
    # w not transposed: runs only for a square w, and is wrong there
    "dense_grad_x_w_not_transposed": ({"dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    return grad_y @ w, x.T @ grad_y, grad_y.sum(axis=0)
'''}, {"test_dense_backward", "test_dense_backward_type", "test_dense_backward_input"}),
    "dense_grad_b_mean": ({"dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    return grad_y @ w.T, x.T @ grad_y, grad_y.mean(axis=0)
'''}, {"test_dense_backward"}),
    "dense_grad_w_mean_over_batch": ({"dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    return grad_y @ w.T, x.T @ grad_y / len(x), grad_y.sum(axis=0)
'''}, {"test_dense_backward"}),
    # right values in a list
    "dense_returns_list": ({"dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    return [grad_y @ w.T, x.T @ grad_y, grad_y.sum(axis=0)]
'''}, {"test_dense_backward_type"}),
    "bn_forward_unbiased_variance": ({"batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    x_hat = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps)
    return np.asarray(gamma, dtype=float) * x_hat + np.asarray(beta, dtype=float)
'''}, {"test_batchnorm_forward"}),
    "bn_forward_eps_outside_sqrt": ({"batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    x_hat = (x - x.mean(axis=0)) / (x.std(axis=0) + eps)
    return np.asarray(gamma, dtype=float) * x_hat + np.asarray(beta, dtype=float)
'''}, {"test_batchnorm_forward"}),
    # the sum of squares where the variance belongs
    "bn_forward_no_1_over_n": ({"batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    centred = x - x.mean(axis=0)
    x_hat = centred / np.sqrt(np.sum(centred**2, axis=0) + eps)
    return np.asarray(gamma, dtype=float) * x_hat + np.asarray(beta, dtype=float)
'''}, {"test_batchnorm_forward"}),
    "bn_forward_over_features": ({"batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    centred = x - x.mean(axis=1, keepdims=True)
    x_hat = centred / np.sqrt(np.mean(centred**2, axis=1, keepdims=True) + eps)
    return np.asarray(gamma, dtype=float) * x_hat + np.asarray(beta, dtype=float)
'''}, {"test_batchnorm_forward", "test_batchnorm_forward_stability"}),  # no longer shift-invariant
    # right values, but the caller's x is centred in place
    "bn_forward_in_place": ({"batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    x -= x.mean(axis=0)
    x_hat = x / np.sqrt(np.mean(x * x, axis=0) + eps)
    return np.asarray(gamma, dtype=float) * x_hat + np.asarray(beta, dtype=float)
'''}, {"test_batchnorm_forward_input"}),
    # mean(x**2) - mean**2: right for moderate values, loses every digit around 1e9
    "bn_forward_one_pass_variance": ({"batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    mean = x.mean(axis=0)
    var = np.mean(x * x, axis=0) - mean * mean
    x_hat = (x - mean) / np.sqrt(var + eps)
    return np.asarray(gamma, dtype=float) * x_hat + np.asarray(beta, dtype=float)
'''}, {"test_batchnorm_forward_stability"}),
    # the batch mean and variance treated as constants
    "bn_backward_constant_statistics": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    return grad_y * gamma * inv_std, (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward"}),
    # the mean's path kept, the variance's dropped
    "bn_backward_mean_path_only": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    return inv_std * (g - g.mean(axis=0)), (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward"}),
    "bn_backward_unbiased_variance": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.sum(centred**2, axis=0) / (n - 1) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).sum(axis=0) / (n - 1))
    return grad_x, (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward"}),
    "bn_backward_eps_outside_sqrt": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / (np.sqrt(np.mean(centred**2, axis=0)) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return grad_x, (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward"}),
    # the compact formula without its 1 / N
    "bn_backward_no_1_over_n": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    n = x.shape[0]
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (n * g - g.sum(axis=0) - x_hat * (g * x_hat).sum(axis=0))
    return grad_x, (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward"}),
    "bn_backward_grad_gamma_without_x_hat": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return grad_x, grad_y.sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward"}),
    "bn_backward_grad_beta_mean": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return grad_x, (grad_y * x_hat).sum(axis=0), grad_y.mean(axis=0)
'''}, {"test_batchnorm_backward"}),
    # grad_beta kept as a (1, D) row
    "bn_backward_keepdims": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return grad_x, (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0, keepdims=True)
'''}, {"test_batchnorm_backward", "test_batchnorm_backward_type", "test_batchnorm_backward_stability"}),
    # right values, but the caller's grad_y is centred in place on the way
    "bn_backward_in_place": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x = np.asarray(x, dtype=float)
    grad_y = np.asarray(grad_y, dtype=float)
    gamma = np.asarray(gamma, dtype=float)
    centred = x - x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(centred**2, axis=0) + eps)
    x_hat = centred * inv_std
    grad_beta = grad_y.sum(axis=0)
    grad_gamma = (grad_y * x_hat).sum(axis=0)
    grad_y -= grad_y.mean(axis=0)
    grad_x = gamma * inv_std * (grad_y - x_hat * (grad_y * x_hat).mean(axis=0))
    return grad_x, grad_gamma, grad_beta
'''}, {"test_batchnorm_backward_input"}),
    # the one-pass variance mean(x**2) - mean**2 again
    "bn_backward_one_pass_variance": ({"batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    mean = x.mean(axis=0)
    inv_std = 1.0 / np.sqrt(np.mean(x * x, axis=0) - mean * mean + eps)
    x_hat = (x - mean) * inv_std
    g = grad_y * gamma
    grad_x = inv_std * (g - g.mean(axis=0) - x_hat * (g * x_hat).mean(axis=0))
    return grad_x, (grad_y * x_hat).sum(axis=0), grad_y.sum(axis=0)
'''}, {"test_batchnorm_backward_stability"}),
}

# Three more correct ways to write each function: every one gets full marks.
ALTERNATIVES = {
    # np.nditer over a perturbed copy; loops; einsum; np.var; the computational graph step by step
    "alt_nditer_einsum_graph": {
        "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"])
    while not it.finished:
        idx = it.multi_index
        work = x.copy()
        work[idx] = x[idx] + h
        f_plus = f(work)
        work[idx] = x[idx] - h
        f_minus = f(work)
        grad[idx] = (f_plus - f_minus) / (2 * h)
        it.iternext()
    return grad
''',
        "relative_error": '''
def relative_error(a, b):
    flat_a = np.ravel(np.asarray(a, dtype=float)).tolist()
    flat_b = np.ravel(np.asarray(b, dtype=float)).tolist()
    worst = 0.0
    for p, q in zip(flat_a, flat_b):
        worst = max(worst, abs(p - q) / max(abs(p) + abs(q), 1e-8))
    return worst
''',
        "dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = (np.asarray(a, dtype=float) for a in (x, w, grad_y))
    grad_x = np.einsum("nj,ij->ni", grad_y, w)
    grad_w = np.einsum("ni,nj->ij", x, grad_y)
    grad_b = np.einsum("nj->j", grad_y)
    return grad_x, grad_w, grad_b
''',
        "batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    return np.asarray(gamma) * (x - x.mean(0)) / np.sqrt(x.var(0) + eps) + np.asarray(beta)
''',
        "batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    # CS231n's staged graph: mu, xmu, sq, var, sqrtvar, ivar, xhat, then back node by node
    x, gamma, dout = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    n = x.shape[0]
    mu = x.mean(axis=0)
    xmu = x - mu
    sq = xmu**2
    var = sq.mean(axis=0)
    sqrtvar = np.sqrt(var + eps)
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    dbeta = dout.sum(axis=0)
    dgamma = (dout * xhat).sum(axis=0)
    dxhat = dout * gamma
    divar = (dxhat * xmu).sum(axis=0)
    dxmu1 = dxhat * ivar
    dsqrtvar = -1.0 / sqrtvar**2 * divar
    dvar = 0.5 / sqrtvar * dsqrtvar
    dsq = np.ones_like(x) * dvar / n
    dxmu2 = 2.0 * xmu * dsq
    dx1 = dxmu1 + dxmu2
    dmu = -dx1.sum(axis=0)
    dx2 = np.ones_like(x) * dmu / n
    return dx1 + dx2, dgamma, dbeta
''',
    },
    # perturbed copies built from a unit array; explicit loops for the dense layer; sums / N;
    # CS231n's compact formula
    "alt_unit_arrays_loops_compact": {
        "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.empty(x.shape)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = 1.0
        e = e.reshape(x.shape)
        grad.flat[i] = (f(x + h * e) - f(x - h * e)) / (2.0 * h)
    return grad
''',
        "relative_error": '''
def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    denominator = np.maximum(1e-8, np.abs(a) + np.abs(b))
    return np.max(np.abs(a - b) / denominator)
''',
        "dense_backward": '''
def dense_backward(x, w, grad_y):
    x = np.array(x, dtype=float)
    w = np.array(w, dtype=float)
    g = np.array(grad_y, dtype=float)
    n, n_in = x.shape
    n_out = w.shape[1]
    grad_x = np.zeros((n, n_in))
    grad_w = np.zeros((n_in, n_out))
    grad_b = np.zeros(n_out)
    for k in range(n):
        for i in range(n_in):
            for j in range(n_out):
                grad_x[k, i] += g[k, j] * w[i, j]
                grad_w[i, j] += x[k, i] * g[k, j]
        grad_b += g[k]
    return grad_x, grad_w, grad_b
''',
        "batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.array(x, dtype=float)
    n = x.shape[0]
    mu = np.sum(x, axis=0) / n
    d = x - mu
    var = np.sum(d**2, axis=0) / n
    return np.array(gamma, dtype=float) * (d / np.sqrt(var + eps)) + np.array(beta, dtype=float)
''',
        "batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    x, gamma, dout = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    n = x.shape[0]
    mu = x.mean(axis=0)
    var = ((x - mu) ** 2).mean(axis=0)
    inv = (var + eps) ** -0.5
    xhat = (x - mu) * inv
    dxhat = dout * gamma
    dx = (1.0 / n) * inv * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dx, np.sum(dout * xhat, axis=0), np.sum(dout, axis=0)
''',
    },
    # CS231n's perturb-and-restore on a float copy; a 0-d result; np.dot; std; one Jacobian per column
    "alt_restore_dot_jacobians": {
        "numerical_gradient": '''
def numerical_gradient(f, x, h=1e-5):
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=["readwrite"])
    while not it.finished:
        ix = it.multi_index
        oldval = x[ix]
        x[ix] = oldval + h
        fxph = f(x)
        x[ix] = oldval - h
        fxmh = f(x)
        x[ix] = oldval
        grad[ix] = (fxph - fxmh) / (2 * h)
        it.iternext()
    return grad
''',
        "relative_error": '''
def relative_error(a, b):
    a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
    ratios = np.abs(a - b) / np.fmax(np.abs(a) + np.abs(b), 1e-8)
    return np.asarray(ratios.max())
''',
        "dense_backward": '''
def dense_backward(x, w, grad_y):
    x, w, grad_y = np.asarray(x, float), np.asarray(w, float), np.asarray(grad_y, float)
    return np.dot(grad_y, w.T), np.dot(x.T, grad_y), np.dot(np.ones(len(grad_y)), grad_y)
''',
        "batchnorm_forward": '''
def batchnorm_forward(x, gamma, beta, eps=1e-5):
    x = np.asarray(x, dtype=float)
    std = np.sqrt(x.std(axis=0) ** 2 + eps)
    return (x - x.mean(axis=0)) / std * gamma + beta
''',
        "batchnorm_backward": '''
def batchnorm_backward(x, gamma, grad_y, eps=1e-5):
    # for each column, grad_x = J^T grad_y with the full N x N Jacobian of y with respect to x
    x, gamma, grad_y = (np.asarray(a, dtype=float) for a in (x, gamma, grad_y))
    n, d = x.shape
    grad_x = np.empty((n, d))
    grad_gamma = np.empty(d)
    for j in range(d):
        c = x[:, j] - x[:, j].mean()
        s = np.sqrt(np.mean(c * c) + eps)
        xhat = c / s
        jac = gamma[j] / s * (np.eye(n) - np.ones((n, n)) / n - np.outer(xhat, xhat) / n)
        grad_x[:, j] = jac.T @ grad_y[:, j]
        grad_gamma[j] = xhat @ grad_y[:, j]
    return grad_x, grad_gamma, grad_y.sum(axis=0)
''',
    },
}

# relative_error returns an object that equals everything and converts to the right
# value (the visible value checks pass in the kernel); it is not numbers, so the judge
# refuses it wherever a test calls relative_error, the input check included.
ALWAYS_TRUE = nc.LIAR + '''

def relative_error(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return Liar((), float(np.max(np.abs(a - b) / np.maximum(np.abs(a) + np.abs(b), 1e-8))))
'''
ATTACKED = {"test_relative_error", "test_relative_error_type", "test_relative_error_input"}

# The wrong implementations are graded in groups, at most one per function and
# student (the functions' test cells are independent of each other).
FAMILIES = {
    "numerical_gradient": {"test_numerical_gradient", "test_numerical_gradient_type",
                           "test_numerical_gradient_input"},
    "relative_error": {"test_relative_error", "test_relative_error_type", "test_relative_error_input"},
    "dense": {"test_dense_backward", "test_dense_backward_type", "test_dense_backward_input"},
    "bn_forward": {"test_batchnorm_forward", "test_batchnorm_forward_type", "test_batchnorm_forward_input",
                   "test_batchnorm_forward_stability"},
    "bn_backward": {"test_batchnorm_backward", "test_batchnorm_backward_type",
                    "test_batchnorm_backward_input", "test_batchnorm_backward_stability"},
}

# student -> the wrong implementations in it, name -> student, student -> its cells
GROUPS, GROUP_OF, GROUPED_ANSWERS = nc.group_by_family(WRONG, FAMILIES)

STUDENTS = ["reference", "untouched", "always_true", *GROUPS, *ALTERNATIVES]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    return nc.grade_class(tmp_path_factory, ASSIGNMENT, NOTEBOOK, written={WRITTEN: ANSWER},
                          students={"always_true": {"relative_error": ALWAYS_TRUE},
                                    **GROUPED_ANSWERS, **ALTERNATIVES},
                          feedback_for=[GROUP_OF["bn_backward_constant_statistics"]])


@slow
def test_every_student_was_graded_in_one_run(graded):
    assert set(graded.scores) == set(STUDENTS)
    assert len(WRONG) >= 10
    print(f"{len(STUDENTS)} students generated, autograded and read back in {graded.seconds:.0f} s")


@slow
def test_points_layout(graded):
    assert graded.full == {
        "test_numerical_gradient": 4, "test_numerical_gradient_type": 1, "test_numerical_gradient_input": 1,
        "test_relative_error": 2, "test_relative_error_type": 1, "test_relative_error_input": 1,
        "test_dense_backward": 4, "test_dense_backward_type": 1, "test_dense_backward_input": 1,
        "test_batchnorm_forward": 3, "test_batchnorm_forward_type": 1, "test_batchnorm_forward_input": 1,
        "test_batchnorm_forward_stability": 1,
        "test_batchnorm_backward": 5, "test_batchnorm_backward_type": 1, "test_batchnorm_backward_input": 1,
        "test_batchnorm_backward_stability": 1,
        WRITTEN: 3,
    }


@slow
def test_reference_solution_gets_every_autograded_point(graded):
    nc.check_reference(graded)


@slow
def test_untouched_release_scores_zero_and_is_graded(graded):
    nc.check_untouched(graded, "test_batchnorm_backward_stability")


@slow
@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_implementation_loses_exactly_its_cells(graded, name):
    cells = FAMILIES[nc.family_of(name, FAMILIES)]
    nc.check_family_loses_exactly(graded, GROUP_OF[name], cells, WRONG[name][1])


@slow
@pytest.mark.parametrize("student", list(GROUPS))
def test_group_of_wrong_implementations_loses_nothing_else(graded, student):
    nc.check_loses_exactly(graded, student, set().union(*(WRONG[name][1] for name in GROUPS[student])))


@slow
@pytest.mark.parametrize("student", list(ALTERNATIVES))
def test_alternative_correct_implementation_gets_full_marks(graded, student):
    nc.check_loses_exactly(graded, student)


@slow
def test_always_true_object_fools_no_hidden_test(graded):
    nc.check_loses_exactly(graded, "always_true", ATTACKED)
    message = nc.error_message(graded, "always_true", "test_relative_error")
    assert message.startswith("relative_error returned an object of type Liar, which is not numbers"), message


@slow
@pytest.mark.parametrize("name, grade_id, words", [
    # the visible checks pass, the hidden ones say what is wrong
    ("relative_error_whole_array", "test_relative_error", "relative_error fails hidden tests:"),
    ("relative_error_whole_array", "test_relative_error",
     "entries of very different sizes: expected 0.3333333333333333"),
    # the visible checks already catch these, with the values to expect
    ("dense_grad_b_mean", "test_dense_backward", "grad_b should be [2.5, 4.0, 0.5]"),
    ("bn_backward_mean_path_only", "test_batchnorm_backward", "grad_x[:, 0] should be [-0.38146194..."),
    ("bn_forward_one_pass_variance", "test_batchnorm_forward_stability",
     "column 4 is column 0 shifted by 1e9; its output should be that of column 0"),
    ("bn_backward_one_pass_variance", "test_batchnorm_backward_stability",
     "compute the variance from the centred"),
])
def test_failures_say_what_is_wrong(graded, name, grade_id, words):
    message = nc.error_message(graded, GROUP_OF[name], grade_id)
    assert words in message, message


@slow
def test_feedback_names_the_problem_and_hides_the_tests(graded):
    html = nc.feedback_html(graded.course, GROUP_OF["bn_backward_constant_statistics"], ASSIGNMENT)
    assert "batchnorm_backward" in html and "grad_x" in html
    for secret in ("BEGIN HIDDEN TESTS", "_hidden_tests_", "torch_values", "Rubric for the instructor"):
        assert secret not in html


# ---------------------------------------------------------------- the reference solution against PyTorch

torch = pytest.importorskip("torch")


@pytest.fixture(scope="module")
def reference():
    """The namespace of the source notebook's solution cells (the imports cell, then every solution)."""
    source = nc.source_notebook(nc.REPO, ASSIGNMENT, NOTEBOOK)
    namespace = {"__name__": "reference_06"}
    exec(compile("import math\nimport numpy as np\n", "<imports>", "exec"), namespace)
    for grade_id, code in nc.solution_code(source).items():
        exec(compile(code, f"<{grade_id}>", "exec"), namespace)
    return namespace


def agree(got, want, rtol=1e-10, atol=1e-14):
    """Every entry within rtol of the largest entry (plus atol: with N = 2, grad_x is about eps-sized)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    assert got.shape == want.shape
    assert float(np.max(np.abs(got - want))) <= rtol * float(np.max(np.abs(want))) + atol, (got, want)


@unit
@pytest.mark.parametrize("n, n_in, n_out", [(1, 1, 1), (4, 3, 2), (5, 5, 5), (7, 2, 9), (16, 8, 3)])
def test_dense_backward_agrees_with_torch(reference, n, n_in, n_out):
    rng = np.random.default_rng(n * 100 + n_in * 10 + n_out)
    x, w, b = rng.standard_normal((n, n_in)), rng.standard_normal((n_in, n_out)), rng.standard_normal(n_out)
    g = rng.standard_normal((n, n_out))
    tx, tw, tb = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, w, b))
    ((tx @ tw + tb) * torch.tensor(g)).sum().backward()
    grad_x, grad_w, grad_b = reference["dense_backward"](x, w, g)
    for got, want in ((grad_x, tx.grad), (grad_w, tw.grad), (grad_b, tb.grad)):
        agree(got, want.numpy())


@unit
@pytest.mark.parametrize("n, d, eps, offset", [(2, 1, 1e-5, 0.0), (4, 3, 1e-5, 3.0), (8, 5, 1e-3, 0.0),
                                               (16, 2, 0.5, -2.0), (32, 7, 1e-5, 10.0)])
def test_batchnorm_agrees_with_torch(reference, n, d, eps, offset):
    rng = np.random.default_rng(n * 10 + d)
    x = rng.standard_normal((n, d)) * rng.uniform(0.1, 4.0, d) + offset
    gamma, beta, g = rng.standard_normal(d), rng.standard_normal(d), rng.standard_normal((n, d))
    tx, tgamma, tbeta = (torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (x, gamma, beta))
    y = torch.nn.functional.batch_norm(tx, None, None, weight=tgamma, bias=tbeta, training=True, eps=eps)
    (y * torch.tensor(g)).sum().backward()
    agree(reference["batchnorm_forward"](x, gamma, beta, eps=eps), y.detach().numpy())
    grad_x, grad_gamma, grad_beta = reference["batchnorm_backward"](x, gamma, g, eps=eps)
    for got, want in ((grad_x, tx.grad), (grad_gamma, tgamma.grad), (grad_beta, tbeta.grad)):
        agree(got, want.numpy())


@unit
def test_numerical_gradient_and_relative_error_of_the_reference(reference):
    numerical_gradient, relative_error = reference["numerical_gradient"], reference["relative_error"]
    x = np.array([[0.3, -1.2], [2.0, 0.5]])
    kept = x.copy()
    got = numerical_gradient(lambda z: float(np.sum(np.sin(z)) + np.sum(z) ** 2), x)
    agree(got, np.cos(kept) + 2.0 * kept.sum(), rtol=1e-9)
    assert x.tolist() == kept.tolist()
    assert relative_error([0.0, 1.0], [0.0, 1.0]) == 0.0
    assert math.isclose(relative_error([1.0, 1e-3], [1.0, 2e-3]), 1.0 / 3.0)
