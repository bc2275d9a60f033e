"""The ``bifurc sweep`` and ``bifurc plot-sweep`` subcommands (wired in by :mod:`bifurc.cli`)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .. import cli_options as option
from ..cli_output import FIGURE_SUFFIXES, save_figure
from ..errors import InputError
from .plan import QUANTITIES

if TYPE_CHECKING:  # the sweep machinery is imported when a sweep runs, not for `bifurc --help`
    from .result import SweepResult

__all__ = ["register"]


def _model_map(spec: str, loss: str | None, observable: str | None):
    """A derived model's map, and its named result for ``observable`` if it names one."""
    from ..eos.report import MODELS, build

    if spec not in MODELS:
        return None, observable
    model = build(spec, loss)
    return model.map, model.results.get(observable, observable) if observable else None


def _summary(result: SweepResult, most: int = 2**24) -> tuple[list[str], dict]:
    """Lines and JSON of a finished sweep: shares of the discrete values, range of the others,
    from every cell or, beyond ``most`` cells, from a regular sample of them."""
    stride = max(1, int(np.ceil(np.sqrt(result.values.size / most))))
    values = result.values[::stride, ::stride]
    x, y = result.axes
    lines = [f"{result.map_name}: {result.quantity} over {x} x {y} ({result.xs.size} x {result.ys.size} "
             f"cells), stored in {result.path}; {result.escaped} escaped"]
    if stride > 1:
        lines.append(f"  (values below from every {stride}th row and column)")
    payload = {"store": str(result.path), "map": result.map_name, "quantity": result.quantity,
               "axes": list(result.axes), "shape": list(result.values.shape), "complete": result.complete,
               "escaped": result.escaped, "sample stride": stride}
    if values.dtype.kind == "i":
        found, counts = np.unique(values, return_counts=True)
        shares = {int(v): c / values.size for v, c in zip(found, counts)}
        names = {"attractor": {-1: "escaped", -2: "unresolved"}, "period": {-1: "escaped", 0: "none found"},
                 "escape": {0: "not escaped"}}[result.quantity]
        lines += [f"  {names.get(v, v)!s:>12}: {share:.2%}" for v, share in list(shares.items())[:20]]
        if len(shares) > 20:
            lines.append(f"  ... {len(shares) - 20} more values")
        payload["shares"] = shares
    else:
        finite = values[np.isfinite(values)]
        if finite.size:
            stats = {"min": float(finite.min()), "median": float(np.median(finite)),
                     "max": float(finite.max())}
            lines.append("  " + ", ".join(f"{k} {v:.6g}" for k, v in stats.items()))
            payload |= stats
    for i, cycle in enumerate(result.attractors[:20]):
        lines.append(f"  attractor {i}: period {cycle.shape[0]}, at {np.array2string(cycle[0], precision=6)}")
    if len(result.attractors) > 20:
        lines.append(f"  ... {len(result.attractors) - 20} more attractors")
    payload["attractors"] = [c.tolist() for c in result.attractors]
    return lines, payload


def _cmd_sweep(args: argparse.Namespace) -> None:
    from .run import sweep
    from .store import MissingDependencyError

    settings = option.parameter_settings(args.set)
    m, observable = _model_map(args.map, args.loss, args.observable)
    overrides = settings
    if m is None:
        m, overrides = option.resolve_map(args.map, settings)
    (xname, xs), (yname, ys) = option.sweep_values(args.x, "--x"), option.sweep_values(args.y, "--y")
    try:
        result = sweep(
            m, args.store, xname, xs, yname, ys, args.quantity, x0=option.initial_state(args.x0, m),
            params=overrides,
            observable=observable, n=args.n, transient=args.transient, max_period=args.max_period,
            tol=args.tol, escape=args.escape, max_attractors=args.max_attractors, tile=args.tile,
            cluster=args.dask, workers=args.workers, shared=args.shared, progress=not args.quiet,
        )
    except MissingDependencyError as error:
        raise option.UserError(str(error)) from None
    lines, payload = _read_damaged(result, _summary)
    print(json.dumps(payload, indent=1) if args.json else "\n".join(lines))


def _read_damaged(result: SweepResult, reader):
    """``reader(result)``, a chunk of the store that cannot be decoded reported in one line."""

    try:
        return reader(result)
    except InputError:
        raise
    except (RuntimeError, OSError, TypeError, ValueError) as error:  # codec errors (zstd: RuntimeError)
        raise option.UserError(f"store {str(result.path)!r} is damaged: a chunk cannot be read "
                        f"({type(error).__name__}: {str(error)[:80]}); delete it to start again") from None


def _cmd_plot_sweep(args: argparse.Namespace) -> None:
    from .. import plot
    from .result import read_sweep
    from .store import MissingDependencyError

    target = Path(args.out) if args.out else Path(args.store).with_suffix(".png")
    if target.suffix.lower() not in FIGURE_SUFFIXES:
        raise option.UserError(f"--out {args.out!r}: use a .png, .pdf or .svg name")
    try:
        result = read_sweep(args.store)
    except MissingDependencyError as error:
        raise option.UserError(str(error)) from None
    save_figure(_read_damaged(result, plot.sweep), target)
    print(f"figure written to {target}")


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``sweep`` and ``plot-sweep`` to the ``bifurc`` command's subparsers."""

    p = sub.add_parser("sweep", help="a quantity over a 2D grid, in tiles, to a resumable zarr store")
    p.add_argument("map", help="catalogued map, formulas 'x=...; y=...', or a derived model: minimalist, ...")
    p.add_argument("store", help="the store (a folder); an interrupted sweep resumes from it")
    p.add_argument("--x", required=True, metavar="NAME=START:STOP:COUNT",
                   help="x axis: a state variable or a parameter, and its grid")
    p.add_argument("--y", required=True, metavar="NAME=START:STOP:COUNT", help="y axis, likewise")
    p.add_argument("--quantity", choices=QUANTITIES, default="attractor")
    p.add_argument("--observable", metavar="EXPR",
                   help="with --quantity observable: a formula in the state and parameters, or the name of a "
                        "derived model's result ('sharpness at a minimum')")
    p.add_argument("--set", action="append", metavar="NAME=VALUE", help="parameter value; repeatable")
    p.add_argument("--x0", help="start of every orbit, comma-separated (default 0.1 each); swept ones vary")
    p.add_argument("--loss", help="the loss of a derived model that takes one")
    p.add_argument("--n", type=option.positive_int_option, default=2000,
                   help="steps averaged (lyapunov) or watched (escape)")
    p.add_argument("--transient", type=option.nonnegative_int_option, default=1000)
    p.add_argument("--max-period", type=option.positive_int_option, default=64)
    p.add_argument("--tol", type=option.finite_option, default=1e-9)
    p.add_argument("--escape", type=option.finite_option, default=1e8, help="escape radius")
    p.add_argument("--max-attractors", type=option.positive_int_option, default=256)
    p.add_argument("--tile", type=option.positive_int_option, default=None,
                   help="tile side (cells; default: chosen from the grid and the workers, or the store's)")
    p.add_argument("--dask", nargs="?", const="local", metavar="ADDRESS",
                   help="run on Dask: a LocalCluster, or the scheduler at ADDRESS (tcp://host:8786)")
    p.add_argument("--workers", type=option.positive_int_option, default=2,
                   help="LocalCluster processes (default 2)")
    p.add_argument("--shared", action="store_true", default=None,
                   help="with --dask ADDRESS: workers write their tiles to STORE themselves (a path they all "
                        "see); always so on a LocalCluster")
    p.add_argument("--quiet", action="store_true", help="no progress line")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.set_defaults(func=_cmd_sweep, out=None)

    p = sub.add_parser("plot-sweep", help="draw a stored sweep")
    p.add_argument("store")
    p.add_argument("--out", help="figure file (.png, .pdf, .svg; default STORE with .png)")
    p.set_defaults(func=_cmd_plot_sweep)
