"""Small jobs run the generated kernels as plain Python, without loading numba.

numba needs about half a second per process before it can run any cached kernel (its
type registries), and seconds to compile a new one; a period over eight parameter
values or one step of a map takes milliseconds of actual work. For such jobs the same
generated module text (:mod:`bifurc.compilation.loader`) is executed with ``njit`` as
the identity and one thread, so that nothing is written twice and the result is bit for
bit the compiled one: the kernels are IEEE double arithmetic in the same order (numba
contracts nothing into fused multiply-adds without ``fastmath``), the printer writes
integer powers as products and other powers as ``math.pow``, and ``math`` calls the same
C library.

Where the two could differ (an overflow, an invalid operation, a division by zero, or a
``math`` domain error, where Python raises and numba returns inf or NaN), the plain
Python run raises; its array arguments are then put back as they were and the compiled
kernel is run instead. A process spends at most :data:`BUDGET` map evaluations in plain
Python in all, weighted by the size of the map's formulas (:func:`weight`), so that a
program that makes many small calls pays numba's start once, soon;
``BIFURC_PLAIN_BUDGET`` sets it (0: always compiled).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from types import ModuleType, SimpleNamespace

import numpy as np

from ..errors import InputError

__all__ = ["BUDGET", "Interpreted", "claim", "numba_stand_in", "weight"]


def _budget() -> int:
    text = os.environ.get("BIFURC_PLAIN_BUDGET", "200000")
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 10**12:
        raise InputError(f"BIFURC_PLAIN_BUDGET must be a count of map evaluations from 0 to 10**12, "
                         f"got {text!r}")
    return value


#: Map evaluations a process may run in plain Python in all (about 0.1-0.2 s of work).
BUDGET = _budget()
_spent = 0
_lock = threading.Lock()

#: What the generated module's ``nb`` is when it runs as plain Python.
numba_stand_in = SimpleNamespace(njit=lambda **options: (lambda function: function),
                                 get_num_threads=lambda: 1)

#: Raised by plain Python where numba would return inf or NaN without a word.
_DIVERGES = (ArithmeticError, ValueError, TypeError)


def weight(source: str) -> float:
    r"""The cost of one map evaluation of a kernel module in plain Python, in logistic steps.

    About 0.55 us per step of the loop around the map and 0.025 us per operation or call
    in ``step`` (measured on the catalogue and on a 53-operation map: 0.66 us for the
    logistic map's 4, 1.9 us for 53), so (operations + 20) / 24, at least 1.

    Examples
    --------
    >>> from bifurc.compilation.interpreted import weight
    >>> weight("def step(x, p, out):\n    out[0] = p[0]*x[0]*(1.0 - x[0])\n")
    1.0
    """
    start = source.index("def step(")
    end = source.find("\n@", start)
    operations = len(re.findall(r"[-+*/%]|\w\(", source[start:] if end < 0 else source[start:end]))
    return max(1.0, (operations - 1 + 20) / 24)  # the "step(" of the def line is not an operation


def claim(evaluations: float) -> bool:
    """Take ``evaluations`` from the process's plain-Python budget; False if they do not fit.

    Examples
    --------
    >>> from bifurc.compilation.interpreted import BUDGET, claim
    >>> claim(BUDGET + 1)
    False
    """
    global _spent
    with _lock:
        if evaluations < 0 or _spent + evaluations > BUDGET:
            return False
        _spent += evaluations
        return True


class Interpreted:
    """A map's kernel module run as plain Python, falling back to the compiled one.

    Parameters
    ----------
    module
        The generated module executed with :data:`numba_stand_in` for numba.
    compiled
        Returns the compiled module (loaded only if a kernel falls back).

    Examples
    --------
    >>> import numpy as np
    >>> import bifurc
    >>> m = bifurc.Map.from_expressions({"x": "a*x"}, {"a": 2.0}, name="double")
    >>> kernels = m.kernels_for(evaluations=1)  # plain Python while the budget lasts
    >>> out = np.empty(1)
    >>> kernels.step(np.array([0.75]), np.array([2.0]), out)
    >>> float(out[0])
    1.5
    """

    def __init__(self, module: ModuleType, compiled: Callable[[], ModuleType]) -> None:
        self._module = module
        self._compiled = compiled

    def __getattr__(self, name: str) -> object:
        value = getattr(self._module, name)
        if not callable(value):
            return value
        compiled = self._compiled

        def run(*args: object) -> object:
            arrays = [(a, a.copy()) for a in args if isinstance(a, np.ndarray)]
            try:
                with np.errstate(over="raise", invalid="raise", divide="raise"):
                    return value(*args)
            except _DIVERGES:
                for array, saved in arrays:
                    array[...] = saved
                return getattr(compiled(), name)(*args)

        run.__name__ = run.__qualname__ = name
        return run
