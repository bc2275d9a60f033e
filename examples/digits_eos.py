"""What the two digits examples (torch_digits.py, jax_digits.py) share: the data, the command line, the
measured edge-of-stability numbers and the figure.

The task: a regression on scikit-learn's handwritten digits, 500 of its 1797 images of 8×8 pixels
(a seeded choice, each centred by the mean image and scaled to unit norm), the target of an image
its digit 0-9 standardised (mean 0, variance 1 over the images), the squared loss p²/2 of the
residual p = f(x) - y averaged over the images. A tanh MLP 64-W-W-1 trained on it by full-batch
gradient descent at η = 0.5/S₀ (S₀ the sharpness at the start: ηS₀/2 = 1/4) sharpens
progressively past the edge 2/η within a hundred steps, is thrown back (the loss spikes), and
then hovers at the edge within a few per cent (Cohen et al.'s edge of stability). For the
squared loss the alignment curve of Song & Yun is the line q = r(p) = 1, that is
λmax(NTK) = 2/η: at the edge the run sits on it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from bifurc.backends.recording import Recording

#: The step size in units of the initial sharpness: GD is stable at the start (ηS₀ < 2).
ETA_TIMES_S0 = 0.5
#: The images used by default.
POINTS = 500
#: The band around the edge counted as "at the edge" (relative).
BAND = 0.05


def data(points: int = POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Images (N, 64), centred and of unit norm, and standardised digits (N,) of a seeded choice of N."""
    from sklearn.datasets import load_digits

    images, digits = load_digits(return_X_y=True)
    chosen = np.sort(np.random.default_rng(0).choice(digits.size, points, replace=False))
    x, y = images[chosen], digits[chosen].astype(np.float64)
    x = x - x.mean(axis=0)
    return x / np.linalg.norm(x, axis=1, keepdims=True), (y - y.mean()) / y.std()


def arguments(description: str, out: str, argv: list[str] | None = None) -> argparse.Namespace:
    """The examples' command line."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--steps", type=int, default=1000, help="GD steps (default 1000)")
    parser.add_argument("--eta", type=float, help=f"step size (default {ETA_TIMES_S0}/S0, S0 the initial "
                                                  "sharpness)")
    parser.add_argument("--every", type=int, default=10, help="record every this many steps (default 10)")
    parser.add_argument("--width", type=int, default=32, help="hidden width W (default 32)")
    parser.add_argument("--points", type=int, default=POINTS, help=f"images used (default {POINTS})")
    parser.add_argument("--seed", type=int, default=0, help="initialisation seed (default 0)")
    parser.add_argument("--out", default=out, help=f"the figure (default {out})")
    args = parser.parse_args(argv)
    if args.steps < 2 * args.every or args.every < 1:
        parser.error("--steps must be at least twice --every (>= 1)")
    if args.eta is not None and not args.eta > 0:
        parser.error("--eta must be positive")
    if not 2 <= args.points <= 1797:
        parser.error("--points must be between 2 and 1797 (the digits)")
    return args


def summary(run: Recording) -> dict[str, float]:
    """The measured numbers of a constant-η run (s = ηS/2 is the sharpness in units of the edge).

    ``reached`` is the first recorded step with s >= 1 - BAND (NaN if none), ``peak`` the largest s
    and ``peak step`` where; the ``late`` numbers are over the second half of the records.
    """
    eta = float(run.eta[0])
    s = run.sharpness * eta / 2
    late = s[s.size // 2:]
    near = np.flatnonzero(s >= 1 - BAND)
    return {
        "eta": eta, "2/eta": 2 / eta, "S0": float(run.sharpness[0]), "s0": float(s[0]),
        "reached": float(run.steps[near[0]]) if near.size else float("nan"),
        "peak": float(s.max()), "peak step": float(run.steps[np.argmax(s)]),
        "late median": float(np.median(late)), "late min": float(late.min()), "late max": float(late.max()),
        "late within band": float(np.mean(np.abs(late - 1) < BAND)),
        "loss first": float(run.loss[0]), "loss last": float(run.loss[-1]),
        "distance": run.track().distance,
        "hvps first": float(run.hvps[0]), "hvps warm": float(np.mean(run.hvps[1:])),
    }


def report(run: Recording, out: str) -> dict[str, float]:
    """Print the measured numbers, draw the run (the figure of ``bifurc track``) and return the numbers."""
    import bifurc
    from bifurc.track_command import figure

    n = summary(run)
    print(f"eta = {n['eta']:.6g}: the edge 2/eta = {n['2/eta']:.6g}; initial sharpness S0 = {n['S0']:.6g} "
          f"(eta S0/2 = {n['s0']:.3f})")
    print(f"loss {n['loss first']:.4g} at step 0 -> {n['loss last']:.4g} at step {run.steps[-1]}")
    if np.isnan(n["reached"]):
        print(f"the sharpness did not reach within {BAND:.0%} of 2/eta: no edge of stability in this run")
    else:
        print(f"the sharpness reached {1 - BAND:.0%} of 2/eta at step {n['reached']:.0f}; its largest value "
              f"{n['peak']:.3f} x 2/eta at step {n['peak step']:.0f}")
    print(f"second half of the run, sharpness / (2/eta): median {n['late median']:.4f}, range "
          f"[{n['late min']:.4f}, {n['late max']:.4f}], within {BAND:.0%} of the edge at "
          f"{n['late within band']:.0%} of the records")
    print(f"alignment curve q = r(p) = 1 (squared loss): median |q/r(p) - 1| over the second half "
          f"{n['distance']:.4f}")
    print(f"Hessian-vector products per sharpness estimate: {n['hvps first']:.0f} cold, "
          f"{n['hvps warm']:.1f} warm-started (mean)")
    target = Path(out)
    figure(run.track(), run).savefig(target, dpi=150)
    saved = bifurc.save(run, target.with_suffix(".npz"))
    print(f"figure written to {target}; the recording to {saved} (bifurc track {saved} draws it again)")
    return n
