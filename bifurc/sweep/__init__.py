"""Large sweeps: a quantity over a 2D grid of parameters and/or initial coordinates, computed
in tiles (one parallel kernel call each), streamed to a resumable zarr store, here or on Dask.

zarr (``pip install 'bifurc[sweep]'``) and dask.distributed (``pip install 'bifurc[dask]'``)
are optional: they are imported only when a sweep runs.
"""

from .plan import QUANTITIES

__all__ = ["sweep", "read_sweep", "SweepResult", "QUANTITIES", "MissingDependencyError"]

# imported on first use: the command line registers the subcommands without numba
_LAZY = {"sweep": "run", "read_sweep": "result", "SweepResult": "result", "MissingDependencyError": "store"}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'bifurc.sweep' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
