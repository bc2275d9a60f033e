"""Place logged residuals and NTK eigenvalues of any training run in Song & Yun's (p, q) plane."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError
from ..losses import Loss
from .numeric_loss import numeric

__all__ = ["Track", "track"]


@dataclass(frozen=True)
class Track:
    """A run in canonical coordinates and its distance to the alignment curve q = r(p).

    Attributes
    ----------
    p, q : ndarray
        Mean residual and q = (2/η)/λmax(NTK), per logged step.
    r : ndarray
        r(p) = ℓ'(p)/p, the alignment curve at the logged p.
    deviation : ndarray
        q/r(p) - 1, the relative vertical distance to the curve; Song & Yun's Theorem 4.2
        says it is h(p) η² + O(η⁴) once a two-layer linear run has aligned.
    start : int
        The first step that the statistic counts (the steps before are the approach).
    distance : float
        The median of |deviation| over steps ``start`` … end: the distance-to-curve statistic.
    eta : float
        The step size.
    loss : Loss
        The loss whose curve this is.

    Examples
    --------
    A run exactly on the log-cosh curve q = r(p) = tanh(p)/p lies at distance 0:

    >>> import numpy as np
    >>> from bifurc import losses, nets
    >>> p, eta = np.array([0.5, 1.0, 1.5, 2.0]), 0.1
    >>> t = nets.track(p, (2 / eta) * p / np.tanh(p), eta, losses.logcosh)
    >>> t.start, bool(np.allclose(t.deviation, 0, atol=1e-12))
    (2, True)
    """

    p: np.ndarray
    q: np.ndarray
    r: np.ndarray
    deviation: np.ndarray
    start: int
    distance: float
    eta: float
    loss: Loss


def track(p: object, lam: object = None, eta: float | None = None, loss: Loss | None = None,
          start: int | None = None) -> Track:
    """Put a logged run (from any framework) in the (p, q) plane with the curve q = r(p).

    Parameters
    ----------
    p
        Mean residuals (1/N) Σ (f(x_i) - y_i) per step (array-like), or a recording of
        :class:`bifurc.torch.Recorder` / :class:`bifurc.jax.Recorder` (``rec.result``), which
        carries its λ, η and loss: then give none of them.
    lam
        λmax of the NTK (1/N) Σ ∇f(x_i)∇f(x_i)ᵀ per step (for one point, ‖∇f(x)‖²);
        equivalently the top eigenvalue of the N×N Gram matrix divided by N.
    eta
        The step size of the run.
    loss
        The loss ℓ of the residual the run minimised.
    start
        The first step counted by the distance statistic; None counts the second half.

    Returns
    -------
    Track

    Raises
    ------
    InputError
        (a ValueError) if p and lam differ in shape or are empty, a λ is not positive, eta is
        not positive, or start is outside the run.

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> p, eta = np.array([0.5, 1.0, 2.0]), 0.1
    >>> lam = (2 / eta) * np.sqrt(1 + p**2)  # a run on the pseudo-Huber curve q = (1 + p^2)^(-1/2)
    >>> t = bifurc.track(p, lam, eta, bifurc.losses.pseudo_huber)
    >>> bool(np.allclose(t.q, 1 / np.sqrt(1 + p**2)))
    True
    >>> print(round(t.distance, 12))  # the median of |q / r(p) - 1|
    0.0
    """
    from ..backends.recording import Recording

    if isinstance(p, Recording):
        if lam is not None or eta is not None or loss is not None:
            raise InputError("a recording carries its own lam, eta and loss: give only it (and start)")
        return p.track(start)
    if lam is None or eta is None or loss is None:
        raise InputError("lam, eta and loss are needed with p (unless p is a recording)")
    p = np.asarray(p, dtype=np.float64).reshape(-1)
    lam = np.asarray(lam, dtype=np.float64).reshape(-1)
    if p.shape != lam.shape or p.size == 0:
        raise InputError(f"p and lam must be non-empty and of one length, got {p.size} and {lam.size}")
    if not np.all(lam > 0):
        raise InputError("lam must be positive (an NTK eigenvalue)")
    if not eta > 0:
        raise InputError(f"eta must be positive, got {eta}")
    start = p.size // 2 if start is None else int(start)
    if not 0 <= start < p.size:
        raise InputError(f"start must be in [0, {p.size}), got {start}")
    q = 2 / (eta * lam)
    r = numeric(loss).r(p)
    deviation = q / r - 1
    return Track(p, q, r, deviation, start, float(np.median(np.abs(deviation[start:]))), float(eta), loss)
