"""Training sets: one data point, synthetic data, and a two-class subset of scikit-learn's digits.

Inputs are rows of unit Euclidean norm (Song & Yun's ‖x‖ = 1), targets are real numbers.
The digits (8×8 images, 1797 of them) ship inside the scikit-learn wheel, so nothing is
downloaded at run time; scikit-learn is the optional extra ``bifurc[data]``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Dataset", "one_point", "synthetic", "digits"]


@dataclass(frozen=True)
class Dataset:
    """Inputs and targets.

    Attributes
    ----------
    X : ndarray
        Inputs, shape (N, d), float64.
    y : ndarray
        Targets, shape (N,), float64.
    name : str
        A label saying where the data come from.

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import nets
    >>> data = nets.Dataset(np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([1.0, -1.0]), "two points")
    >>> data.n, data.X.shape
    (2, (2, 2))
    """

    X: np.ndarray
    y: np.ndarray
    name: str

    def __post_init__(self) -> None:
        if self.X.ndim != 2 or self.y.shape != (self.X.shape[0],):
            raise ValueError(f"X must have shape (N, d) and y shape (N,), "
                             f"got {self.X.shape} and {self.y.shape}")

    @property
    def n(self) -> int:
        """The number of data points N."""
        return self.X.shape[0]


def _unit_rows(X: np.ndarray) -> np.ndarray:
    return X / np.linalg.norm(X, axis=1, keepdims=True)


def one_point(dim: int, target: float = 1.0, seed: int = 0) -> Dataset:
    """One random input of unit norm in R^dim with the given target.

    Parameters
    ----------
    dim
        The input dimension d ≥ 1.
    target
        y.
    seed
        Seed of the input's direction.

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import nets
    >>> data = nets.one_point(3, target=2.0)
    >>> data.X.shape, data.y, round(float(np.linalg.norm(data.X)), 12)
    ((1, 3), array([2.]), 1.0)
    """
    if dim < 1:
        raise ValueError(f"dim must be at least 1, got {dim}")
    x = _unit_rows(np.random.default_rng(seed).standard_normal((1, dim)))
    return Dataset(x, np.array([float(target)]), f"one point in R^{dim}, y = {target}")


def synthetic(n: int, dim: int, seed: int = 0) -> Dataset:
    """Gaussian inputs normalised to unit norm, labelled ±1 by a random hyperplane through 0.

    Parameters
    ----------
    n
        The number of points N ≥ 1.
    dim
        The input dimension d ≥ 1.
    seed
        Seed of the inputs and the hyperplane.

    Examples
    --------
    >>> import numpy as np
    >>> from bifurc import nets
    >>> data = nets.synthetic(5, 3, seed=1)
    >>> data.X.shape, bool(np.allclose(np.linalg.norm(data.X, axis=1), 1)), sorted(set(data.y.tolist()))
    ((5, 3), True, [-1.0, 1.0])
    """
    if n < 1 or dim < 1:
        raise ValueError(f"n and dim must be at least 1, got n = {n}, dim = {dim}")
    rng = np.random.default_rng(seed)
    X = _unit_rows(rng.standard_normal((n, dim)))
    normal = rng.standard_normal(dim)
    return Dataset(X, np.where(X @ normal >= 0, 1.0, -1.0), f"synthetic: {n} Gaussian points in R^{dim}, "
                   "labels from a random hyperplane")


def digits(n: int | None = None, classes: tuple[int, int] = (0, 1), seed: int = 0) -> Dataset:
    """A two-class subset of scikit-learn's handwritten digits, targets +1 and -1.

    Each 8×8 image (64 pixels, values 0-16) is centred by the mean image of the subset and
    scaled to unit norm.

    Parameters
    ----------
    n
        How many images to keep (a seeded random choice, about balanced); None keeps all
        of the two classes (about 360).
    classes
        The two digits; the first gets the target +1.
    seed
        Seed of the choice of images.

    Raises
    ------
    ImportError
        If scikit-learn is not installed (``pip install bifurc[data]``).
    ValueError
        If ``classes`` are not two different digits or ``n`` exceeds the available images.

    Examples
    --------
    Images of 8 × 8 = 64 pixels, rows of unit norm, targets ±1:

    >>> import numpy as np
    >>> from bifurc import nets
    >>> data = nets.digits(n=10, classes=(0, 1))
    >>> data.X.shape, bool(np.allclose(np.linalg.norm(data.X, axis=1), 1)), sorted(set(data.y.tolist()))
    ((10, 64), True, [-1.0, 1.0])
    """
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise ImportError("the digits data set needs scikit-learn: pip install 'bifurc[data]'") from error
    a, b = classes
    if a == b or not {a, b} <= set(range(10)):
        raise ValueError(f"classes must be two different digits 0-9, got {classes}")
    images, labels = load_digits(return_X_y=True)
    keep = np.flatnonzero((labels == a) | (labels == b))
    if n is not None:
        if not 1 <= n <= keep.size:
            raise ValueError(f"n must be between 1 and {keep.size} for digits {classes}, got {n}")
        keep = np.sort(np.random.default_rng(seed).choice(keep, size=n, replace=False))
    X = images[keep].astype(np.float64)
    X = _unit_rows(X - X.mean(axis=0))
    return Dataset(X, np.where(labels[keep] == a, 1.0, -1.0), f"digits {a} vs {b}: {keep.size} images")
