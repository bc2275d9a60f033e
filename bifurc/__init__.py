"""bifurc: edge-of-stability theory of gradient descent as running, checkable mathematics.

Layers, imported one way: ``definition`` (maps as formulas) -> ``compilation`` (numba
kernels generated from them) -> ``analysis`` (orbits, diagrams, periods, cascades,
exponents, basins, parameter planes) -> presentation (``cli``, ``plot``).
"""

from . import maps
from .analysis.arguments import EscapeWarning
from .analysis.basins import Basins, basins
from .analysis.cascade import Cascade, cascade
from .analysis.lyapunov import LyapunovSweep, lyapunov, lyapunov_sweep
from .analysis.orbits import OrbitDiagram, orbit, orbit_diagram
from .analysis.periods import PeriodicOrbit, fixed_points, period, periodic_orbits
from .analysis.planes import ParameterPlane, parameter_plane
from .analysis.storage import load, save
from .definition.iterated_map import Map
from .errors import InputError

__version__ = "0.1.0"
__all__ = [
    "Map", "maps", "EscapeWarning", "InputError",
    "orbit", "orbit_diagram", "OrbitDiagram",
    "period", "periodic_orbits", "fixed_points", "PeriodicOrbit",
    "cascade", "Cascade",
    "lyapunov", "lyapunov_sweep", "LyapunovSweep",
    "basins", "Basins", "parameter_plane", "ParameterPlane", "save", "load",
    "__version__",
]
