"""Zhu et al., Section 5: the set of starts from which GD on the minimalist model converges
has a fractal boundary."""

from __future__ import annotations

import numpy as np

from ... import eos
from ...analysis.basins import settle_cells
from ..registry import Outcome, Settings, check

PAPER = "Zhu et al."

#: The step size and the window of starts (x, y): the tip of the basin along the x axis,
#: just beyond x² + y² = 2/η (4.47² = 20), where converging and escaping starts interleave
#: in stripes that accumulate (found by zooming on the jagged tips of the basin at η = 0.1).
_ETA = 0.1
_WINDOW = ((4.45, 4.75), (0.2, 0.3))
#: A window on the smooth part of the basin's edge (across the diagonal), for contrast.
_SMOOTH = ((1.55, 1.95), (1.55, 1.95))
#: Steps before a start that has not escaped counts as converging: escapes happen within a
#: few hundred steps (fates on a 512² grid of the window agree at 1000, 2000 and 10000 steps,
#: and at 20000 steps every non-escaping cell had settled on a minimum).
_STEPS = 1000
_ESCAPE = 1e8


def _escapes(m, starts: np.ndarray) -> np.ndarray:
    """Whether GD from each start escapes (True) or stays bounded, i.e. converges (False)."""
    periods, _ = settle_cells(m, np.ascontiguousarray(starts), np.full((starts.shape[0], 1), _ETA),
                              _STEPS, 1, 1e-9, _ESCAPE)
    return periods == -1


def _box_counts(m, window: tuple, sides: np.ndarray, boxes: int, rng: np.random.Generator,
                probes: int = 3) -> np.ndarray:
    """Box counts N(s) of the basin boundary in ``window``, estimated by sampling.

    For each side s, ``boxes`` boxes of side s are placed uniformly in the window and the
    fate of a ``probes`` x ``probes`` grid of starts in each is computed; a box meets the
    boundary when its starts do not all share a fate. N(s) = (fraction of boxes that meet
    it) x (window area / s²): the count a full tiling would give, without the tiling (which
    could not reach s = 1e-8).
    """
    (x0, x1), (y0, y1) = window
    offsets = np.linspace(0.0, 1.0, probes)
    ox, oy = (a.ravel() for a in np.meshgrid(offsets, offsets))
    counts = []
    for s in sides:
        corners = np.stack([rng.uniform(x0, x1 - s, boxes), rng.uniform(y0, y1 - s, boxes)], axis=1)
        starts = (corners[:, None, :] + s * np.stack([ox, oy], axis=1)[None]).reshape(-1, 2)
        fate = _escapes(m, starts).reshape(boxes, -1)
        mixed = np.mean(fate.any(axis=1) & ~fate.all(axis=1))
        counts.append(mixed * (x1 - x0) * (y1 - y0) / s**2)
    return np.array(counts)


def _dimension(sides: np.ndarray, counts: np.ndarray) -> tuple[float, float]:
    """Slope D of log N(s) against log(1/s) and its standard error (ordinary least squares)."""
    A = np.stack([np.log(1 / sides), np.ones_like(sides)], axis=1)
    coef, *_ = np.linalg.lstsq(A, np.log(counts), rcond=None)
    residual = np.log(counts) - A @ coef
    variance = residual @ residual / (len(sides) - 2)
    return float(coef[0]), float(np.sqrt(variance * np.linalg.inv(A.T @ A)[0, 0]))


@check("zhu/fractal-boundary", PAPER,
       "the boundary of the set of converging starts has a non-integer box-counting dimension")
def fractal_boundary(settings: Settings) -> Outcome:
    """Box-counting dimension of the converge/escape boundary over six or more decades of box size."""
    m = eos.minimalist().map
    rng = np.random.default_rng(20230501)
    sides = 10.0 ** -np.arange(3.0, 9.5 if settings.full else 9.0, 0.5 if settings.full else 1.0)
    boxes = 12_000 if settings.full else 3_000
    counts = _box_counts(m, _WINDOW, sides, boxes, rng)
    if np.any(counts == 0):
        raise AssertionError("no sampled box met the boundary at some scale: the window misses it")
    D, se = _dimension(sides, counts)
    local = np.diff(np.log(counts)) / np.diff(np.log(1 / sides))
    smooth_sides = 10.0 ** -np.arange(1.5, 3.01, 0.5)  # a curve meets a fraction ~ s of boxes: stay coarse
    smooth_D, smooth_se = _dimension(smooth_sides, _box_counts(m, _SMOOTH, smooth_sides, boxes, rng))
    # non-integer: D at least three standard errors away from both 1 and 2
    passed = 1 + 3 * se < D < 2 - 3 * se
    details = {
        "eta": _ETA, "window (x range, y range)": _WINDOW, "box sides": sides.tolist(),
        "box counts N(s) (sampled)": counts.tolist(), "boxes sampled per side": boxes,
        "local slopes between consecutive sides": local.tolist(),
        "dimension": D, "standard error": se,
        "uncertainty exponent 2 - D (fraction of boxes that meet the boundary ~ s^(2-D))": 2 - D,
        "smooth part of the edge (window, D, se)": (_SMOOTH, smooth_D, smooth_se),
        "finding": ("the basin's edge is smooth (D = 1) away from the axes; the fractal lies in the "
                    "tips along the axes beyond x² + y² = 2/eta, where stripes of converging and "
                    "escaping starts accumulate; a 512² grid there saturates (most boxes mixed) and "
                    "needs boxes down to 1e-8, hence sampled boxes"),
    }
    return Outcome("1 < D < 2", D, "1 + 3 se < D < 2 - 3 se", passed, None, details)
