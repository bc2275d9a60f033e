"""bifurc: edge-of-stability theory of gradient descent as running, checkable mathematics.

Layers, imported one way: ``definition`` (maps as formulas) -> ``compilation`` (numba
kernels generated from them) -> ``analysis`` (orbits, diagrams, periods, cascades,
exponents, basins, parameter planes) -> presentation (``cli``, ``plot``).
"""

from . import maps
from .analysis.arguments import EscapeWarning, PrecisionWarning
from .analysis.basins import Basins, basins
from .analysis.cascade import Cascade, cascade
from .analysis.lyapunov import LyapunovSweep, lyapunov, lyapunov_sweep
from .analysis.orbits import OrbitDiagram, orbit, orbit_diagram
from .analysis.periods import PeriodicOrbit, fixed_points, period, periodic_orbits
from .analysis.planes import ParameterPlane, parameter_plane
from .analysis.precision import PreciseOrbit, flip_point_mp, orbit_mp, periodic_orbit_mp
from .analysis.storage import load, save
from .definition.iterated_map import Map
from .errors import InputError

__version__ = "0.1.0"

# The theory layer (losses, the papers' models, networks, verify) is imported on first
# use: deriving the catalogued losses costs most of a second, which the numeric core and
# the command line's other subcommands need not pay.
_LAZY = {
    "losses": ("bifurc.losses", None), "Loss": ("bifurc.losses", "Loss"),
    "eos": ("bifurc.eos", None), "nets": ("bifurc.nets", None), "track": ("bifurc.nets", "track"),
    "verify": ("bifurc.verify", None),
}


def __getattr__(name: str) -> object:
    if name not in _LAZY:
        raise AttributeError(f"module 'bifurc' has no attribute {name!r}")
    import importlib

    module_name, attribute = _LAZY[name]
    module = importlib.import_module(module_name)
    return module if attribute is None else getattr(module, attribute)
__all__ = [
    "Map", "maps", "EscapeWarning", "PrecisionWarning", "InputError",
    "orbit", "orbit_diagram", "OrbitDiagram",
    "period", "periodic_orbits", "fixed_points", "PeriodicOrbit",
    "cascade", "Cascade",
    "lyapunov", "lyapunov_sweep", "LyapunovSweep",
    "basins", "Basins", "parameter_plane", "ParameterPlane", "save", "load",
    "periodic_orbit_mp", "flip_point_mp", "orbit_mp", "PreciseOrbit",
    "losses", "Loss", "eos", "nets", "track", "verify", "__version__",
]
