"""A JAX model f(params, x), a loss and its data, seen as L(θ) of one flat parameter vector.

L(θ) = (1/N) Σ_i ℓ(f(params, x_i), y_i) (``reduction="mean"``) or the sum (``"sum"``), over
one batch ``(x, y)`` or a re-iterable collection of batches, added exactly. θ is the
concatenation of the leaves of ``params`` (in :func:`jax.tree_util.tree_flatten` order) in
float64; every product (forward-over-reverse Hessian-vector products, Gauss-Newton, the NTK,
the third derivative) is a jitted function of (θ, vector, batch), compiled once per model,
loss and batch shape.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache

import jax
import jax.numpy as jnp
import numpy as np

from bifurc.backends.problem import REDUCTIONS
from bifurc.errors import InputError

from .losses import resolve

__all__ = ["Problem", "problem"]

jax.config.update("jax_enable_x64", True)  # float64, as every bifurc computation


@lru_cache(maxsize=64)
def _kernels(f: Callable, loss: Callable, treedef: object, shapes: tuple) -> dict[str, Callable]:
    """The jitted products for one model, loss and parameter layout; ``w`` weighs the batch's loss."""
    sizes = [int(np.prod(s)) for s in shapes]
    cuts = np.cumsum(sizes)[:-1].tolist()

    def output(theta: jax.Array, x: jax.Array) -> jax.Array:
        leaves = [t.reshape(s) for t, s in zip(jnp.split(theta, cuts), shapes)]
        return f(jax.tree_util.tree_unflatten(treedef, leaves), x)

    def share(out: jax.Array, y: jax.Array, w: jax.Array) -> jax.Array:
        value = loss(out, y)
        if jnp.ndim(value) != 0:
            raise InputError(f"loss must return a scalar, got shape {jnp.shape(value)}")
        return w * value

    def objective(theta: jax.Array, x: jax.Array, y: jax.Array, w: jax.Array) -> jax.Array:
        return share(output(theta, x), y, w)

    gradient = jax.grad(objective)

    def hvp(theta, v, x, y, w):
        return jax.jvp(lambda t: gradient(t, x, y, w), (theta,), (v,))[1]

    def gnvp(theta, v, x, y, w):
        out, Jv = jax.jvp(lambda t: output(t, x), (theta,), (v,))
        curvature = jax.jvp(lambda o: jax.grad(share)(o, y, w), (out,), (Jv,))[1]
        return jax.vjp(lambda t: output(t, x), theta)[1](curvature)[0]

    def pull(theta, u, x):
        out, back = jax.vjp(lambda t: output(t, x), theta)
        return back(u.reshape(out.shape))[0]

    def push(theta, w, x):
        return jax.jvp(lambda t: output(t, x), (theta,), (w,))[1].reshape(-1)

    def third(theta, u, x, y, w):
        return jax.grad(lambda t: jnp.dot(hvp(t, u, x, y, w), u))(theta)

    kernels = {"output": output, "value": objective, "gradient": gradient, "hvp": hvp, "gnvp": gnvp,
               "pull": pull, "push": push, "third": third}
    return {name: jax.jit(fn) for name, fn in kernels.items()}


@dataclass(frozen=True, eq=False)
class Problem:
    """The objective L(θ) of f, a loss and its data (a :class:`bifurc.backends.problem.Problem`).

    Attributes
    ----------
    kernels : dict
        The jitted products (see :func:`_kernels`).
    batches : iterable
        The data as batches (x, y), re-iterable.
    weights : tuple of float
        Each batch's factor on its loss value (1/N or 1 for a summing loss; n_b/N or 1 for a
        user's callable, taken as the batch mean or sum).
    theta : jax.Array
        The parameters, flattened, float64.
    samples : int
        N.
    loss_name : str
        The loss's name.
    device : jax.Device or None
        Where θ, the data and every vector are placed (None: jax's default device).

    Examples
    --------
    Parameters as a pytree: the leaves of {"b": ..., "w": ...}, flattened in key order:

    >>> import jax.numpy as jnp
    >>> from bifurc import jax as bj
    >>> f = lambda p, x: x @ p["w"] + p["b"]
    >>> params = {"w": jnp.zeros(3), "b": jnp.zeros(())}
    >>> objective = bj.problem(f, params, "logcosh", (jnp.ones((5, 3)), jnp.zeros(5)))
    >>> objective.size, objective.samples, objective.loss_name, objective.theta.dtype
    (4, 5, 'logcosh', dtype('float64'))
    """

    kernels: dict
    batches: Iterable
    weights: tuple[float, ...]
    theta: jax.Array
    samples: int
    loss_name: str
    device: object = None

    def put(self, t: object) -> jax.Array:
        """An array (a numpy vector, a batch) as a jax array on the problem's device."""
        return jax.device_put(t, self.device)

    @property
    def size(self) -> int:
        """P, the number of parameters."""
        return int(self.theta.size)

    def data(self) -> Iterator[tuple[jax.Array, jax.Array, float]]:
        """The batches in float64 (integer targets kept), each with its weight."""
        for (x, y), w in zip(self.batches, self.weights):
            yield self.put(_converted(x)), self.put(_converted(y)), w

    @cached_property
    def outputs(self) -> int:
        """C, the number of outputs per sample."""
        x, _, _ = next(self.data())
        return int(self.kernels["output"](self.theta, x[:1]).size)

    def _sum(self, name: str, *vectors: jax.Array) -> np.ndarray:
        total = sum(self.kernels[name](self.theta, *vectors, x, y, w) for x, y, w in self.data())
        return np.asarray(total, dtype=np.float64)

    def value(self) -> float:
        """L(θ)."""
        return float(self._sum("value"))

    def gradient(self) -> np.ndarray:
        """∇L(θ)."""
        return self._sum("gradient")

    def hessian_vector(self, v: np.ndarray) -> np.ndarray:
        """∇²L(θ) v by forward-over-reverse."""
        return self._sum("hvp", self.put(np.asarray(v, dtype=np.float64)))

    def gauss_newton_vector(self, v: np.ndarray) -> np.ndarray:
        """G v = Σ_b J_bᵀ ∇²_f ℓ (J_b v)."""
        return self._sum("gnvp", self.put(np.asarray(v, dtype=np.float64)))

    def ntk_vector(self, u: np.ndarray) -> np.ndarray:
        """J Jᵀ u / N: Jᵀu by VJPs over the batches, then J(Jᵀu) by JVPs in a second pass."""
        u, start, pulled = self.put(np.asarray(u, dtype=np.float64)), 0, jnp.zeros_like(self.theta)
        for x, _, _ in self.data():
            stop = start + x.shape[0] * self.outputs
            pulled = pulled + self.kernels["pull"](self.theta, u[start:stop], x)
            start = stop
        pieces = [self.kernels["push"](self.theta, pulled, x) for x, _, _ in self.data()]
        return np.asarray(jnp.concatenate(pieces) / self.samples, dtype=np.float64)

    def third_derivative(self, u: np.ndarray) -> np.ndarray:
        """∇_θ (uᵀ ∇²L(θ) u) with u held fixed."""
        return self._sum("third", self.put(np.asarray(u, dtype=np.float64)))

    def scalar(self) -> bool:
        """Whether (p, q) are defined: one output per sample and numeric targets."""
        return self.outputs == 1 and jnp.issubdtype(next(self.data())[1].dtype, jnp.floating)

    def mean_residual(self) -> float:
        """p = (1/N) Σ (f(x_i) - y_i) for a model with one output.

        Raises
        ------
        InputError
            If the model has more than one output or the targets are not numbers.
        """
        total = 0.0
        for x, y, _ in self.data():
            out = self.kernels["output"](self.theta, x)
            if out.size != x.shape[0]:
                raise InputError(f"model must have one output per sample for (p, q), got outputs of shape "
                                 f"{tuple(out.shape)}")
            if not jnp.issubdtype(y.dtype, jnp.floating) or y.size != x.shape[0]:
                raise InputError("targets must be one number per sample for (p, q)")
            total += float(jnp.sum(out.reshape(-1) - y.reshape(-1)))
        return total / self.samples


def _converted(t: object) -> jax.Array:
    t = jnp.asarray(t)
    return t.astype(jnp.float64) if jnp.issubdtype(t.dtype, jnp.floating) else t


def _batches(data: object) -> Iterable:
    if isinstance(data, (tuple, list)) and len(data) == 2 and hasattr(data[0], "shape"):
        return (tuple(data),)
    if not isinstance(data, Iterable) or iter(data) is data:
        raise InputError("data must be a batch (x, y) or a re-iterable collection of batches "
                         "(a list, not a generator)")
    return data


def _sizes(batches: Iterable) -> list[int]:
    sizes = []
    for i, batch in enumerate(batches):
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise InputError(f"data: batch {i} must be a pair (x, y)")
        n, m = len(batch[0]), len(batch[1])
        if n != m:
            raise InputError(f"data: batch {i} has {n} inputs and {m} targets")
        sizes.append(n)
    if sum(sizes) == 0:
        raise InputError("data must hold at least one sample")
    return sizes


def _device(device: object) -> object:
    """None, a jax.Device, or a platform name ("cpu", "gpu", "tpu") as its first device."""
    if device is None or isinstance(device, jax.Device):
        return device
    if isinstance(device, str):
        try:
            return jax.devices(device)[0]
        except RuntimeError:
            raise InputError(f"device {device!r} is not available to jax here (it has "
                             f"{', '.join(sorted({d.platform for d in jax.devices()}))})") from None
    raise InputError(f"device must be None, a jax.Device or a platform name such as 'gpu', got {device!r}")


def problem(f: Callable, params: object, loss: object, data: object, *, reduction: str = "mean",
            device: object = None) -> Problem:
    """The objective of ``f(params, x)`` with ``loss`` on ``data``, at ``params``.

    Parameters
    ----------
    f
        A pure function of the parameters (any pytree of arrays) and a batch of inputs.
    params
        The parameters; floating leaves in another type are computed in float64, with a warning.
    loss
        ``"mse"`` (p²/2), ``"logcosh"``, ``"pseudo_huber"``, ``"cross_entropy"``, a
        catalogued :class:`bifurc.losses.Loss`, or a callable (outputs, targets) -> scalar,
        taken as the batch's mean (``reduction="mean"``) or sum.
    data
        One batch ``(x, y)`` or a re-iterable collection of batches.
    reduction
        ``"mean"`` or ``"sum"`` over all N samples.
    device
        Where to compute: a :class:`jax.Device`, a platform name (``"cpu"``, ``"gpu"``) for its
        first device, or None for jax's default (a GPU where jax has one).

    Raises
    ------
    InputError
        If f is not callable, params have no array leaves, the reduction is unknown, the
        device is not available, or the data is not batches of pairs of equal length.

    Examples
    --------
    f = vux with (u, v) = (1, 2) on x = 1, y = 0: L = ½(uv)² = 2 and ∇L = uv(v, u) = (4, 2):

    >>> import jax.numpy as jnp
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)
    >>> objective = bj.problem(f, jnp.array([1.0, 2.0]), "mse", (jnp.ones(1), jnp.zeros(1)))
    >>> objective.value(), objective.gradient()
    (2.0, array([4., 2.]))
    """
    if not callable(f):
        raise InputError(f"f must be a function f(params, x), got {type(f).__name__}")
    if type(f).__module__.partition(".")[0] == "torch":
        raise InputError(f"f is a PyTorch model ({type(f).__name__}): bifurc.jax takes a function "
                         "f(params, x) of jax arrays; measure it with bifurc.torch")
    if reduction not in REDUCTIONS:
        raise InputError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    leaves, treedef = jax.tree_util.tree_flatten(params)
    if not leaves:
        raise InputError("params must hold at least one array")
    leaves = [jnp.asarray(leaf) for leaf in leaves]
    kinds = {str(leaf.dtype) for leaf in leaves} - {"float64"}
    if kinds:
        warnings.warn(f"the parameters are {', '.join(sorted(kinds))}; bifurc computes in float64 on a copy "
                      "of them", stacklevel=3)
    theta = jnp.concatenate([leaf.astype(jnp.float64).reshape(-1) for leaf in leaves])
    name, function, summed = resolve(loss)
    batches = _batches(data)
    sizes = _sizes(batches)
    n = sum(sizes)
    scale = n if reduction == "mean" else 1
    weights = tuple(1 / scale if summed else (m / n if reduction == "mean" else 1.0) for m in sizes)
    kernels = _kernels(f, function, treedef, tuple(tuple(leaf.shape) for leaf in leaves))
    device = _device(device)
    return Problem(kernels, batches, weights, jax.device_put(theta, device), n, name, device)
