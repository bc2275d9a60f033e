"""A PyTorch model, a loss and its data, seen as a function L(θ) of one flat parameter vector.

L(θ) = (1/N) Σ_i ℓ(f(x_i; θ), y_i) (``reduction="mean"``) or the sum (``"sum"``), over the
N samples of one batch ``(x, y)`` or of a re-iterable collection of batches (a list, a
DataLoader without shuffling), added exactly. θ is the concatenation of the model's
trainable parameters in ``named_parameters`` order, copied in ``dtype`` (float64 by default);
the model is evaluated with :func:`torch.func.functional_call`, so the model itself is
never changed and every derivative (forward-over-reverse, third order) comes from
:mod:`torch.func`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property, partial

import numpy as np
import torch
from torch.func import functional_call, grad, jvp, vjp

from bifurc.backends.problem import REDUCTIONS
from bifurc.errors import InputError

from .losses import LossFunction, resolve

__all__ = ["Problem", "problem"]


@dataclass(frozen=True, eq=False)
class Problem:
    """The objective L(θ) of a model, a loss and its data (a :class:`bifurc.backends.problem.Problem`).

    Attributes
    ----------
    model : torch.nn.Module
        The user's model (not modified).
    loss : LossFunction
    batches : tuple or iterable
        The data as batches (x, y), re-iterable.
    reduction : str
        ``"mean"`` or ``"sum"``.
    names, shapes : tuple
        The trainable parameters' names and shapes.
    theta : torch.Tensor
        The parameters, flattened and detached, in ``dtype`` on ``device``.
    buffers : dict
        The model's buffers, floating ones cast to ``dtype``.
    samples : int
        N, the number of samples in all batches together.

    Examples
    --------
    >>> import torch
    >>> from bifurc import torch as bt
    >>> model = torch.nn.Linear(3, 1).double()
    >>> objective = bt.problem(model, "logcosh", (torch.zeros(5, 3), torch.zeros(5, 1)))
    >>> objective.names, objective.size, objective.samples, objective.dtype
    (('weight', 'bias'), 4, 5, torch.float64)
    """

    model: torch.nn.Module
    loss: LossFunction
    batches: Iterable
    reduction: str
    names: tuple[str, ...]
    shapes: tuple[torch.Size, ...]
    theta: torch.Tensor
    buffers: dict
    samples: int

    @property
    def dtype(self) -> torch.dtype:
        """The floating type of the computation."""
        return self.theta.dtype

    @property
    def size(self) -> int:
        """P, the number of trainable parameters."""
        return self.theta.numel()

    def parameters(self, theta: torch.Tensor) -> dict[str, torch.Tensor]:
        """θ as the model's named parameters (views of ``theta``)."""
        sizes = [int(np.prod(s)) for s in self.shapes]
        return {n: t.view(s) for n, t, s in zip(self.names, torch.split(theta, sizes), self.shapes)}

    def output(self, theta: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """f(x; θ), the model's output on a batch."""
        return functional_call(self.model, (self.parameters(theta), self.buffers), (x,))

    def data(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        """The batches, converted to the computation's dtype and device."""
        for x, y in self.batches:
            yield self._converted(x), self._converted(y)

    def _converted(self, t: object) -> torch.Tensor:
        t = torch.as_tensor(t, device=self.theta.device)
        return t.to(self.dtype) if t.is_floating_point() else t

    def weighted_loss(self, n: int) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
        """outputs, targets -> a batch of ``n`` samples' share of L."""
        fn, summed = self.loss.batch_sum, self.loss.summed
        scale = self.samples if self.reduction == "mean" else 1

        def share(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
            value = fn(out, y)
            if not isinstance(value, torch.Tensor) or value.ndim != 0:
                shape = tuple(value.shape) if isinstance(value, torch.Tensor) else type(value).__name__
                raise InputError(f"loss must return a scalar, got {shape}")
            return value / scale if summed else value * (n / scale if self.reduction == "mean" else 1)

        return share

    def batch_objective(self, x: torch.Tensor, y: torch.Tensor) -> Callable[[torch.Tensor], torch.Tensor]:
        """θ -> the batch's share of L(θ)."""
        share = self.weighted_loss(x.shape[0])
        return lambda theta: share(self.output(theta, x), y)

    def _tensor(self, v: np.ndarray) -> torch.Tensor:
        v = np.asarray(v, dtype=np.float64).reshape(-1)
        return torch.as_tensor(v, device=self.theta.device).to(self.dtype)

    @staticmethod
    def _array(t: torch.Tensor) -> np.ndarray:
        return t.detach().cpu().to(torch.float64).numpy()

    @property
    def loss_name(self) -> str:
        """The loss's name."""
        return self.loss.name

    @cached_property
    def outputs(self) -> int:
        """C, the number of outputs per sample (from the first batch)."""
        x, _ = next(self.data())
        with torch.no_grad():
            return self.output(self.theta, x[:1]).numel()

    def value(self) -> float:
        """L(θ)."""
        with torch.no_grad():
            return float(sum(self.batch_objective(x, y)(self.theta) for x, y in self.data()))

    def gradient(self) -> np.ndarray:
        """∇L(θ), summed over the batches."""
        return self._array(sum(grad(self.batch_objective(x, y))(self.theta) for x, y in self.data()))

    def hessian_vector(self, v: np.ndarray) -> np.ndarray:
        """∇²L(θ) v by forward-over-reverse (a JVP of the gradient), summed over the batches."""
        v = self._tensor(v)
        return self._array(sum(jvp(grad(self.batch_objective(x, y)), (self.theta,), (v,))[1]
                               for x, y in self.data()))

    def gauss_newton_vector(self, v: np.ndarray) -> np.ndarray:
        """G v = Σ_b J_bᵀ ∇²_f ℓ (J_b v): a JVP, the loss's Hessian in the outputs, a VJP."""
        v, total = self._tensor(v), torch.zeros_like(self.theta)
        for x, y in self.data():
            model = partial(self.output, x=x)
            out, pull = vjp(model, self.theta)
            _, Jv = jvp(model, (self.theta,), (v,))
            _, curvature = jvp(grad(partial(self.weighted_loss(x.shape[0]), y=y)), (out,), (Jv,))
            total = total + pull(curvature)[0]
        return self._array(total)

    def ntk_vector(self, u: np.ndarray) -> np.ndarray:
        """J Jᵀ u / N: Jᵀu by VJPs over the batches, then J(Jᵀu) by JVPs in a second pass."""
        u, start, pulled = self._tensor(u), 0, torch.zeros_like(self.theta)
        for x, _ in self.data():
            out, pull = vjp(partial(self.output, x=x), self.theta)
            stop = start + out.numel()
            pulled = pulled + pull(u[start:stop].reshape(out.shape))[0]
            start = stop
        pieces = [jvp(partial(self.output, x=x), (self.theta,), (pulled,))[1].reshape(-1)
                  for x, _ in self.data()]
        return self._array(torch.cat(pieces) / self.samples)

    def third_derivative(self, u: np.ndarray) -> np.ndarray:
        """∇_θ (uᵀ ∇²L(θ) u) with u held fixed, by reverse over forward over reverse."""
        u, total = self._tensor(u), torch.zeros_like(self.theta)
        for x, y in self.data():
            objective = self.batch_objective(x, y)
            total = total + grad(lambda t, f=objective: torch.dot(jvp(grad(f), (t,), (u,))[1], u))(self.theta)
        return self._array(total)

    def scalar(self) -> bool:
        """Whether (p, q) are defined: one output per sample and numeric targets."""
        return self.outputs == 1 and next(self.data())[1].is_floating_point()

    def mean_residual(self) -> float:
        """p = (1/N) Σ (f(x_i) - y_i) for a model with one output.

        Raises
        ------
        InputError
            If the model has more than one output or the targets are not numbers.
        """
        total = 0.0
        with torch.no_grad():
            for x, y in self.data():
                out = self.output(self.theta, x)
                if out.numel() != x.shape[0]:
                    raise InputError("model must have one output per sample for (p, q), "
                                     f"got outputs of shape {tuple(out.shape)}")
                if not y.is_floating_point() or y.numel() != x.shape[0]:
                    raise InputError("targets must be one number per sample for (p, q)")
                total += float(torch.sum(out.reshape(-1) - y.reshape(-1)))
        return total / self.samples


def _batches(data: object) -> Iterable:
    """One batch (x, y) as a 1-tuple of batches, a re-iterable collection as is."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and isinstance(data[0], torch.Tensor):
        return (tuple(data),)
    if not isinstance(data, Iterable) or iter(data) is data:
        raise InputError("data must be a batch (x, y) or a re-iterable collection of batches "
                         "(a list or a DataLoader, not a generator)")
    return data


def _count(batches: Iterable) -> int:
    samples = 0
    for i, batch in enumerate(batches):
        if not isinstance(batch, (tuple, list)) or len(batch) != 2:
            raise InputError(f"data: batch {i} must be a pair (x, y)")
        x, y = batch
        n, m = len(x), len(y)
        if n != m:
            raise InputError(f"data: batch {i} has {n} inputs and {m} targets")
        samples += n
    if samples == 0:
        raise InputError("data must hold at least one sample")
    return samples


def _device(device: object) -> torch.device:
    """A device torch can compute on here (a name such as "cuda" or "cpu", or a torch.device)."""
    try:
        chosen = torch.device(device)
        torch.empty(0, device=chosen)
    except (RuntimeError, AssertionError, TypeError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise InputError(f"device {device!r} is not available to torch here ({reason})") from None
    return chosen


def problem(model: torch.nn.Module, loss: object, data: object, *, reduction: str = "mean",
            dtype: torch.dtype = torch.float64, device: object = None) -> Problem:
    """The objective of ``model`` with ``loss`` on ``data``, at the model's current parameters.

    Parameters
    ----------
    model
        A :class:`torch.nn.Module`; its parameters with ``requires_grad`` are θ.
    loss
        ``"mse"`` (p²/2), ``"logcosh"``, ``"pseudo_huber"``, ``"cross_entropy"``, a
        catalogued :class:`bifurc.losses.Loss`, or a callable (outputs, targets) -> scalar,
        taken as the batch's mean (``reduction="mean"``) or sum.
    data
        One batch ``(x, y)`` or a re-iterable collection of batches; batches are added exactly.
    reduction
        ``"mean"``: L is the mean over all N samples; ``"sum"``: their sum.
    dtype
        The floating type of the computation (float64 by default; a model in another type is
        evaluated on a copy of its parameters in ``dtype``, with a warning).
    device
        Where to compute, e.g. ``"cuda"`` (default: where the model's parameters are).

    Raises
    ------
    InputError
        If the model is not a Module or has no trainable parameters, the reduction is
        unknown, the device is not available, or the data is not batches of pairs of equal
        length.

    Examples
    --------
    f = vux with (u, v) = (1, 2) on x = 1, y = 0: L = ½(uv)² = 2 and ∇L = uv(v, u) = (4, 2):

    >>> import torch
    >>> from torch import nn
    >>> from bifurc import torch as bt
    >>> model = nn.Sequential(nn.Linear(1, 1, bias=False), nn.Linear(1, 1, bias=False)).double()
    >>> nn.utils.vector_to_parameters(torch.tensor([1.0, 2.0], dtype=torch.float64), model.parameters())
    >>> data = (torch.ones(1, 1, dtype=torch.float64), torch.zeros(1, 1, dtype=torch.float64))
    >>> objective = bt.problem(model, "mse", data)
    >>> objective.value(), objective.gradient()
    (2.0, array([4., 2.]))
    """
    if not isinstance(model, torch.nn.Module):
        raise InputError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if reduction not in REDUCTIONS:
        raise InputError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
    if not named:
        raise InputError("model has no trainable parameters")
    device = named[0][1].device if device is None else _device(device)
    kinds = {p.dtype for _, p in named} - {dtype}
    if kinds:
        warnings.warn(f"the model's parameters are {', '.join(map(str, sorted(kinds, key=str)))}; bifurc "
                      f"computes in {dtype} on a copy of them", stacklevel=3)
    theta = torch.cat([p.detach().reshape(-1) for _, p in named]).to(device=device, dtype=dtype)
    buffers = {n: b.detach().to(device=device, dtype=dtype if b.is_floating_point() else b.dtype)
               for n, b in model.named_buffers()}
    batches = _batches(data)
    return Problem(model, resolve(loss), batches, reduction, tuple(n for n, _ in named),
                   tuple(p.shape for _, p in named), theta, buffers, _count(batches))
