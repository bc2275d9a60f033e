"""Helpers shared by several test modules (plain functions; fixtures live in conftest.py)."""

import numpy as np
import sympy as sp

from bifurc.cli import main


def outcome(capsys, argv):
    """(status, stdout, stderr) of ``bifurc argv``, argparse's exits included."""
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def iterate_formulas(model, x0, params, steps):
    """Iterate a ReducedModel's derived update formulas (lambdified; no compiled kernel)."""
    m = model.map
    step = sp.lambdify((*m.state_symbols, *m.param_symbols), list(m.updates), "numpy")
    values = [params[str(s)] for s in m.param_symbols]
    out = [np.asarray(x0, dtype=np.float64)]
    for _ in range(steps):
        out.append(np.array(step(*out[-1], *values), dtype=np.float64))
    return np.array(out)
