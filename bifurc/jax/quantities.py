"""The EoS quantities of a JAX model f(params, x): the functions of :mod:`bifurc.backends.curvature`
on :func:`~bifurc.jax.problem.problem`, and the recorder.

Every function takes f, params, the loss and the data (and ``reduction``, and ``device``, where to
compute: see :func:`~bifurc.jax.problem.problem`); ``v0`` is a warm
start (a vector, or earlier eigenvectors as columns) and ``tol`` the relative accuracy of
Lanczos (0: machine precision). Vectors are in the order of params' flattened leaves.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bifurc.backends import curvature
from bifurc.backends.curvature import GaussNewtonSplit, SharpnessGradient, eigenpairs, values
from bifurc.backends.operators import hessian_operator, ntk_operator
from bifurc.backends.recorder import Recorder as _Recorder
from bifurc.nets.sharpness import Eigenpairs

from .problem import problem

__all__ = ["hessian_eigenpairs", "sharpness", "ntk_eigenpairs", "ntk_top", "canonical", "gauss_newton_split",
           "preconditioned_sharpness", "sharpness_gradient", "Recorder"]


def hessian_eigenpairs(f: Callable, params: object, loss: object, data: object, k: int = 1, *,
                       v0: object = None, tol: float = 0.0, reduction: str = "mean",
                       device: object = None) -> Eigenpairs:
    """The top-k eigenpairs of ∇²L.

    Examples
    --------
    f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]]; its top eigenvector:

    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> H = np.array([[4.0, 4.0], [4.0, 1.0]])
    >>> pairs = bj.hessian_eigenpairs(f, params, "mse", data)
    >>> w = pairs.vectors[:, 0]
    >>> bool(np.allclose(H @ w, pairs.values[0] * w, atol=1e-12)), bool(np.isclose(w @ w, 1))
    (True, True)
    """
    at = problem(f, params, loss, data, reduction=reduction, device=device)
    return eigenpairs(hessian_operator(at), k, v0, tol)


def sharpness(f: Callable, params: object, loss: object, data: object, k: int = 1, *, v0: object = None,
              tol: float = 0.0, reduction: str = "mean", device: object = None) -> float | np.ndarray:
    """λmax(∇²L) as a float, or the top-k eigenvalues (descending) for k > 1.

    Examples
    --------
    f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]], of top eigenvalue (5 + √73)/2:

    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> s = bj.sharpness(f, params, "mse", data)
    >>> bool(np.isclose(s, np.linalg.eigvalsh([[4.0, 4.0], [4.0, 1.0]])[-1], rtol=1e-12))
    True
    >>> bool(np.isclose(s, (5 + np.sqrt(73)) / 2, rtol=1e-12))
    True
    """
    pairs = hessian_eigenpairs(f, params, loss, data, k, v0=v0, tol=tol, reduction=reduction, device=device)
    return values(pairs, k)


def ntk_eigenpairs(f: Callable, params: object, data: object, k: int = 1, *, v0: object = None,
                   tol: float = 0.0, device: object = None) -> Eigenpairs:
    """The top-k eigenpairs of the NTK Gram operator J Jᵀ/N (vectors of length N·C).

    Examples
    --------
    f = vux with (u, v) = (1, 2) on x = (1, 2): ∇f(x_i) = x_i (v, u), so K = (u² + v²) x xᵀ/2, whose
    top eigenvector is x/‖x‖:

    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> pairs = bj.ntk_eigenpairs(f, params, (jnp.array([1.0, 2.0]), jnp.zeros(2)))
    >>> bool(np.allclose(np.abs(pairs.vectors[:, 0]), np.array([1.0, 2.0]) / np.sqrt(5)))
    True
    """
    return eigenpairs(ntk_operator(problem(f, params, "mse", data, device=device)), k, v0, tol)


def ntk_top(f: Callable, params: object, data: object, k: int = 1, *, v0: object = None,
            tol: float = 0.0, device: object = None) -> float | np.ndarray:
    """λmax of the NTK J Jᵀ/N (for one point and one output, ‖∇f(x)‖²), or its top-k eigenvalues.

    Examples
    --------
    f = vux with (u, v) = (1, 2): on x = 1 the NTK is ‖∇f‖² = u² + v² = 5; on x = (1, 2) it is
    (u² + v²)‖x‖²/2 = 12.5:

    >>> import jax.numpy as jnp
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> round(bj.ntk_top(f, params, data), 12)
    5.0
    >>> round(bj.ntk_top(f, params, (jnp.array([1.0, 2.0]), jnp.zeros(2))), 12)
    12.5
    """
    return values(ntk_eigenpairs(f, params, data, k, v0=v0, tol=tol, device=device), k)


def canonical(f: Callable, params: object, loss: object, data: object, eta: float, *, tol: float = 0.0,
              reduction: str = "mean", device: object = None) -> tuple[float, float]:
    """Song & Yun's (p, q) = ((1/N) Σ (f(x_i) - y_i), (2/η)/λmax(NTK)).

    Examples
    --------
    f = vux with (u, v) = (1, 2) on x = 1, y = 0: p = uv = 2 and q = (2/η)/(u² + v²) = 4 at η = 0.1:

    >>> import jax.numpy as jnp
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> p, q = bj.canonical(f, params, "mse", data, eta=0.1)
    >>> round(p, 12), round(q, 12)
    (2.0, 4.0)
    """
    return curvature.canonical(problem(f, params, loss, data, reduction=reduction, device=device), eta, tol)


def gauss_newton_split(f: Callable, params: object, loss: object, data: object, *, tol: float = 0.0,
                       reduction: str = "mean", device: object = None) -> GaussNewtonSplit:
    """H = G + R along the top eigenvector of H, and λmax(G).

    Examples
    --------
    f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]], G = ∇f∇fᵀ = [[4, 2], [2, 1]] (λmax 5):

    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> H, G = np.array([[4.0, 4.0], [4.0, 1.0]]), np.array([[4.0, 2.0], [2.0, 1.0]])
    >>> split = bj.gauss_newton_split(f, params, "mse", data)
    >>> w = np.linalg.eigh(H)[1][:, -1]
    >>> bool(np.isclose(split.gauss_newton, w @ G @ w)), bool(np.isclose(split.rest, w @ (H - G) @ w))
    (True, True)
    >>> round(split.gauss_newton_max, 12)
    5.0
    """
    at = problem(f, params, loss, data, reduction=reduction, device=device)
    return curvature.gauss_newton_split(at, tol)


def preconditioned_sharpness(f: Callable, params: object, loss: object, data: object, diagonal: object, *,
                             tol: float = 0.0, reduction: str = "mean", device: object = None) -> float:
    """λmax(P⁻¹H) for a diagonal P given by its positive diagonal (e.g. from an optax state).

    Examples
    --------
    f = vux with (u, v) = (1, 2), on x = 1, y = 0: L = ½(uv)² has the Hessian
    [[v², 2uv], [2uv, u²]] = [[4, 4], [4, 1]]; with P = diag(1, 4), λmax(P⁻¹H) is that of P^(-1/2) H P^(-1/2):

    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> scaled = np.diag([1.0, 0.5]) @ np.array([[4.0, 4.0], [4.0, 1.0]]) @ np.diag([1.0, 0.5])
    >>> s = bj.preconditioned_sharpness(f, params, "mse", data, [1.0, 4.0])
    >>> bool(np.isclose(s, np.linalg.eigvalsh(scaled)[-1], rtol=1e-12))
    True
    """
    at = problem(f, params, loss, data, reduction=reduction, device=device)
    return curvature.preconditioned_sharpness(at, diagonal, tol)


def sharpness_gradient(f: Callable, params: object, loss: object, data: object, *, v0: object = None,
                       tol: float = 0.0, reduction: str = "mean",
                       device: object = None) -> SharpnessGradient:
    """∇S = ∇³L[u, u] (third-order autodiff), Damian et al.'s self-stabilization term.

    Examples
    --------
    For L = ½u²v², ∇_θ(wᵀ∇²L w) = (4v w₀w₁ + 2u w₁², 2v w₀² + 4u w₀w₁) at the top eigenvector w:

    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)  # a two-layer linear net of width 1: f = vux
    >>> params, data = jnp.array([1.0, 2.0]), (jnp.ones(1), jnp.zeros(1))
    >>> result = bj.sharpness_gradient(f, params, "mse", data)
    >>> (u, v), w = (1.0, 2.0), result.vector
    >>> expected = [4*v*w[0]*w[1] + 2*u*w[1]**2, 2*v*w[0]**2 + 4*u*w[0]*w[1]]
    >>> bool(np.allclose(result.gradient, expected, rtol=1e-12))
    True
    """
    at = problem(f, params, loss, data, reduction=reduction, device=device)
    return curvature.sharpness_gradient(at, v0, tol)


class Recorder(_Recorder):
    """Measure f during the user's loop: ``rec.step(eta, params)`` after each update.

    Parameters
    ----------
    f, params, loss, data
        See :func:`bifurc.jax.problem.problem`; ``params`` are the initial parameters.
    every
        Measure after every this many updates (:meth:`record` measures now, e.g. at step 0).
    gradient
        Also record −η ∇S·∇L.
    tol
        Relative accuracy of each Lanczos estimate (warm-started from the last one).
    steps, progress
        The planned number of updates and whether to show a progress line on stderr (True,
        False, or None: on a terminal once the run lasts two seconds); see
        :class:`bifurc.backends.recorder.Recorder`.
    reduction
        ``"mean"`` or ``"sum"``.

    Examples
    --------
    Two GD steps (η = 0.1) on f = vux from (u, v) = (1, 2), x = 1, y = 0: ∇L = uv(v, u) takes
    (u, v) to (0.6, 1.8), then to (0.6 - 0.1944, 1.8 - 0.0648); p = uv at each, q₀ = (2/η)/5 = 4:

    >>> import jax
    >>> import jax.numpy as jnp
    >>> import numpy as np
    >>> from bifurc import jax as bj
    >>> f = lambda w, x: w[1] * (w[0] * x)
    >>> x, y = jnp.ones(1), jnp.zeros(1)
    >>> params = jnp.array([1.0, 2.0])
    >>> recorder = bj.Recorder(f, params, "mse", (x, y), every=1)
    >>> recorder.record(0.1)
    >>> for _ in range(2):
    ...     params = params - 0.1 * jax.grad(lambda w: jnp.mean((f(w, x) - y) ** 2) / 2)(params)
    ...     recorder.step(0.1, params)
    >>> run = recorder.result
    >>> run.steps, bool(np.allclose(run.p, [2.0, 0.6 * 1.8, 0.4056 * 1.7352])), round(float(run.q[0]), 12)
    (array([0, 1, 2]), True, 4.0)
    """

    def __init__(self, f: Callable, params: object, loss: object, data: object, every: int = 10, *,
                 gradient: bool = False, tol: float = 1e-10, steps: int | None = None,
                 progress: bool | None = None, reduction: str = "mean", device: object = None) -> None:
        self.params = params
        options = {"reduction": reduction, "device": device}
        super().__init__(lambda: problem(f, self.params, loss, data, **options), every, gradient=gradient,
                         tol=tol, steps=steps, progress=progress)

    def step(self, eta: float, params: object = None) -> None:
        """Count one update to ``params`` of step size ``eta``; measure on multiples of ``every``."""
        self.params = self.params if params is None else params
        super().step(eta)

    def record(self, eta: float, params: object = None) -> None:
        """Measure at ``params`` (default: the last ones given) now, at the current step count."""
        self.params = self.params if params is None else params
        super().record(eta)
