"""The record of a run measured by a back-end's recorder; it saves and loads with :func:`bifurc.save`.

Only numpy here, so that :mod:`bifurc.analysis.storage` can name the type without importing
a back-end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import InputError

__all__ = ["Recording"]


@dataclass(frozen=True)
class Recording:
    """The recorded steps of a run.

    Attributes
    ----------
    steps : ndarray
        The step counts t at which the model was measured (after t updates).
    eta : ndarray
        The step size passed with each.
    loss : ndarray
        L(θ_t).
    sharpness : ndarray
        λmax(∇²L(θ_t)).
    ntk : ndarray
        λmax of the NTK J Jᵀ/N.
    p, q : ndarray
        Mean residual and (2/η)/λmax(NTK) (NaN unless the model has one output per sample).
    sharpness_change : ndarray
        −η ∇S·∇L, the change of the sharpness that the next GD step makes to first order
        (Damian et al.'s self-stabilization term); NaN unless recorded with ``gradient=True``.
    hvps : ndarray
        Hessian-vector products each sharpness estimate used (warm-started from the last).
    loss_name : str
        The loss.
    every : int
        The recording interval.

    Examples
    --------
    A recording whose q lies on the pseudo-Huber curve q = r(p) = (1 + p²)^(-1/2):

    >>> import numpy as np
    >>> from bifurc import losses
    >>> from bifurc.backends.recording import Recording
    >>> p, eta = np.array([0.5, 1.0, 2.0]), 0.1
    >>> lam = (2 / eta) * np.sqrt(1 + p**2)
    >>> nan = np.full(3, np.nan)
    >>> rec = Recording(np.arange(3), np.full(3, eta), nan, nan, lam, p, 2 / (eta * lam), nan,
    ...                 np.zeros(3, int), "pseudo_huber", 1)
    >>> round(rec.track(start=0).distance, 12)
    0.0
    """

    steps: np.ndarray
    eta: np.ndarray
    loss: np.ndarray
    sharpness: np.ndarray
    ntk: np.ndarray
    p: np.ndarray
    q: np.ndarray
    sharpness_change: np.ndarray
    hvps: np.ndarray
    loss_name: str
    every: int

    def track(self, start: int | None = None) -> object:
        """The run in the (p, q) plane with the curve q = r(p): a :class:`bifurc.nets.Track`.

        Raises
        ------
        InputError
            If the step size varied, (p, q) were not recorded, or the loss is not catalogued.
        """
        from .. import losses, nets

        if self.eta.size == 0 or np.any(self.eta != self.eta[0]):
            raise InputError("eta must be one constant step size over the recording to place it on the curve")
        if np.any(np.isnan(self.p)):
            raise InputError("the recording has no (p, q): the model needs one output per sample")
        if self.loss_name not in losses.CATALOGUE:
            raise InputError(f"loss {self.loss_name!r} has no alignment curve; use one of "
                             f"{', '.join(losses.CATALOGUE)}")
        return nets.track(self.p, self.ntk, float(self.eta[0]), losses.CATALOGUE[self.loss_name], start)
