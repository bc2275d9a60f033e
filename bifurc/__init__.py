"""bifurc: edge-of-stability theory of gradient descent as running, checkable mathematics."""

from . import maps
from .definition.iterated_map import Map

__version__ = "0.1.0"
__all__ = ["Map", "maps", "__version__"]
