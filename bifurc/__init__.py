"""bifurc: edge-of-stability theory of gradient descent as running, checkable mathematics.

Layers, imported one way: ``definition`` (maps as formulas) -> ``compilation`` (numba
kernels generated from them) -> ``analysis`` (orbits, diagrams, periods, cascades,
exponents, basins, parameter planes) -> presentation (``cli``, ``plot``).
"""

from . import maps
from .definition.iterated_map import Map
from .errors import InputError

__version__ = "0.1.0"

# Everything else is imported on first use, so that ``import bifurc`` and the command
# line's answers cost a fraction of a second: the analyses pull in numba (and cascade
# scipy and mpmath), the theory layer (losses, the papers' models, networks, verify)
# sympy, which derives the catalogued losses in most of a second.
_LAZY = {
    "EscapeWarning": "analysis.arguments", "PrecisionWarning": "analysis.arguments",
    "Basins": "analysis.basins", "basins": "analysis.basins",
    "Cascade": "analysis.cascade", "cascade": "analysis.cascade",
    "LyapunovSweep": "analysis.lyapunov", "lyapunov": "analysis.lyapunov",
    "lyapunov_sweep": "analysis.lyapunov",
    "OrbitDiagram": "analysis.orbits", "orbit": "analysis.orbits", "orbit_diagram": "analysis.orbits",
    "PeriodicOrbit": "analysis.periods", "fixed_points": "analysis.periods", "period": "analysis.periods",
    "periodic_orbits": "analysis.periods",
    "ParameterPlane": "analysis.planes", "parameter_plane": "analysis.planes",
    "PreciseOrbit": "analysis.precision", "flip_point_mp": "analysis.precision",
    "orbit_mp": "analysis.precision", "periodic_orbit_mp": "analysis.precision",
    "load": "analysis.storage", "save": "analysis.storage",
    "Loss": "losses",
    "track": "nets",
    "backend": "backends.lookup",
}
_SUBPACKAGES = ("losses", "eos", "nets", "verify", "continuation")


def __getattr__(name: str) -> object:
    import importlib

    if name in _SUBPACKAGES:
        return importlib.import_module(f"{__name__}.{name}")
    if name not in _LAZY:
        raise AttributeError(f"module 'bifurc' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Map", "maps", "EscapeWarning", "PrecisionWarning", "InputError",
    "orbit", "orbit_diagram", "OrbitDiagram",
    "period", "periodic_orbits", "fixed_points", "PeriodicOrbit",
    "cascade", "Cascade",
    "lyapunov", "lyapunov_sweep", "LyapunovSweep",
    "basins", "Basins", "parameter_plane", "ParameterPlane", "save", "load",
    "periodic_orbit_mp", "flip_point_mp", "orbit_mp", "PreciseOrbit",
    "losses", "Loss", "eos", "nets", "track", "backend", "verify", "continuation", "__version__",
]
