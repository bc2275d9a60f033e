"""A JAX MLP on the digits, trained by full-batch gradient descent into the edge of stability,
measured with bifurc.jax.Recorder and placed on the alignment curve: torch_digits.py in JAX.

Run: ``python examples/jax_digits.py [--steps 1000] [--eta ETA] [--out jax_digits.png]`` (a minute or
two on two CPU cores; ``--help`` lists the options). It prints the same measured numbers as
torch_digits.py and writes the same figure and recording. The task and the numbers are described
in ``digits_eos.py``. Needs the jax and data extras: ``pip install 'bifurc[jax,data]'``.
"""

from __future__ import annotations

import sys

import digits_eos
import jax
import jax.numpy as jnp
import numpy as np

from bifurc import InputError
from bifurc import jax as bj  # turns on float64 in jax
from bifurc.backends.recording import Recording

Params = list[tuple[jax.Array, jax.Array]]


def mlp(params: Params, x: jax.Array) -> jax.Array:
    """The tanh MLP 64-W-W-1: weights (out, in) as in torch.nn.Linear; outputs (N, 1)."""
    for W, b in params[:-1]:
        x = jnp.tanh(x @ W.T + b)
    W, b = params[-1]
    return x @ W.T + b


def initial(width: int, seed: int) -> Params:
    """torch.nn.Linear's default initialisation: weights and biases uniform in ±1/√(fan-in)."""
    keys = iter(jax.random.split(jax.random.PRNGKey(seed), 6))
    params = []
    for fan_in, fan_out in ((64, width), (width, width), (width, 1)):
        bound = 1 / np.sqrt(fan_in)
        params.append(tuple(jax.random.uniform(next(keys), shape, jnp.float64, -bound, bound)
                            for shape in ((fan_out, fan_in), (fan_out,))))
    return params


def loss(params: Params, x: jax.Array, y: jax.Array) -> jax.Array:
    """"mse": p²/2 of the residual, averaged over the images."""
    return jnp.mean((mlp(params, x) - y) ** 2 / 2)


@jax.jit
def gd_step(params: Params, x: jax.Array, y: jax.Array, eta: float) -> Params:
    """θ ← θ - η∇L(θ)."""
    return jax.tree_util.tree_map(lambda p, g: p - eta * g, params, jax.grad(loss)(params, x, y))


def train(steps: int, eta: float | None = None, every: int = 10, *, width: int = 32,
          points: int = digits_eos.POINTS, seed: int = 0,
          progress: bool | None = None) -> tuple[Params, Recording]:
    """GD on the squared loss, recorded at step 0 and every ``every`` steps; η = 0.5/S₀ if not given.

    Returns the trained parameters and the recording.
    """
    images, targets = digits_eos.data(points)
    x, y = jnp.asarray(images), jnp.asarray(targets).reshape(-1, 1)
    params = initial(width, seed)
    if eta is None:
        eta = digits_eos.ETA_TIMES_S0 / bj.sharpness(mlp, params, "mse", (x, y))
    rec = bj.Recorder(mlp, params, "mse", (x, y), every=every, steps=steps, progress=progress)
    rec.record(eta)
    for _ in range(steps):
        params = gd_step(params, x, y, eta)
        rec.step(eta, params)
    return params, rec.result


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Train, print the measured numbers, write the figure; return the numbers."""
    args = digits_eos.arguments(__doc__.splitlines()[0], "jax_digits.png", argv)
    try:
        _, run = train(args.steps, args.eta, args.every, width=args.width, points=args.points,
                       seed=args.seed)
    except InputError as error:  # e.g. a step size so large that the run diverges
        sys.exit(f"jax_digits: {error}")
    return digits_eos.report(run, args.out)


if __name__ == "__main__":
    main()
