"""Large sweeps: a quantity over a 2D grid of parameters and/or initial coordinates, computed
in tiles (one parallel kernel call each), streamed to a resumable zarr store, here or on Dask.

zarr (``pip install 'bifurc[sweep]'``) and dask.distributed (``pip install 'bifurc[dask]'``)
are optional: they are imported only when a sweep runs.
"""

from .plan import QUANTITIES
from .result import SweepResult, read_sweep
from .run import sweep
from .store import MissingDependencyError

__all__ = ["sweep", "read_sweep", "SweepResult", "QUANTITIES", "MissingDependencyError"]
