"""A PyTorch MLP on the digits, trained by full-batch gradient descent into the edge of stability,
measured with bifurc.torch.Recorder and placed on the alignment curve.

Run: ``python examples/torch_digits.py [--steps 1000] [--eta ETA] [--out torch_digits.png]`` (a minute
or two on two CPU cores; ``--help`` lists the options). It prints the measured numbers (where the
sharpness reaches 2/η, how it hovers there over the second half, the distance to the alignment
curve, the Hessian-vector products per estimate) and writes the figure of ``bifurc track`` with
the sharpness against 2/η, and the recording beside it (``.npz``). The task and the numbers are
described in ``digits_eos.py``. Needs the torch and data extras:
``pip install torch==2.13.0 && pip install 'bifurc[torch,data]'``.
"""

from __future__ import annotations

import sys

import digits_eos
import torch

from bifurc import InputError
from bifurc import torch as bt
from bifurc.backends.recording import Recording


def mlp(width: int, seed: int) -> torch.nn.Module:
    """A tanh MLP 64-W-W-1 in float64, torch's default initialisation from ``seed``."""
    torch.manual_seed(seed)
    nn = torch.nn
    return nn.Sequential(nn.Linear(64, width), nn.Tanh(), nn.Linear(width, width), nn.Tanh(),
                         nn.Linear(width, 1)).double()


def train(steps: int, eta: float | None = None, every: int = 10, *, width: int = 32,
          points: int = digits_eos.POINTS, seed: int = 0,
          progress: bool | None = None) -> tuple[torch.nn.Module, Recording]:
    """GD on the squared loss, recorded at step 0 and every ``every`` steps; η = 0.5/S₀ if not given.

    Returns the trained model and the recording.
    """
    images, targets = digits_eos.data(points)
    x, y = torch.as_tensor(images), torch.as_tensor(targets).reshape(-1, 1)
    model = mlp(width, seed)
    if eta is None:
        eta = digits_eos.ETA_TIMES_S0 / bt.sharpness(model, "mse", (x, y))
    rec = bt.Recorder(model, "mse", (x, y), every=every, steps=steps, progress=progress)
    rec.record(eta)
    optimizer = torch.optim.SGD(model.parameters(), lr=eta)
    for _ in range(steps):
        optimizer.zero_grad()
        torch.mean((model(x) - y) ** 2 / 2).backward()  # "mse" is p²/2, averaged over the images
        optimizer.step()
        rec.step(eta)
    return model, rec.result


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train, print the measured numbers, write the figure; return the numbers."""
    args = digits_eos.arguments(__doc__.splitlines()[0], "torch_digits.png", argv)
    try:
        _, run = train(args.steps, args.eta, args.every, width=args.width, points=args.points,
                       seed=args.seed)
    except InputError as error:  # e.g. a step size so large that the run diverges
        sys.exit(f"torch_digits: {error}")
    return digits_eos.report(run, args.out)


if __name__ == "__main__":
    main()
