"""The ``bifurc continue`` subcommand (wired in by :mod:`bifurc.cli`)."""

from __future__ import annotations

import argparse
import json
import sys

from ..cli_options import finite_option, initial_state, parameter_settings, positive_int_option, resolve_map
from ..cli_output import jsonable, save_figure
from ..errors import InputError

__all__ = ["register"]


def _rows(branch, state_names: tuple[str, ...]) -> list[str]:
    """One line per special point of ``branch``."""
    lines = []
    for p in branch.points:
        state = ", ".join(f"{s}={v:.12g}" for s, v in zip(state_names, p.state))
        extra = f", angle {p.angle:.12g}" if p.kind == "neimark-sacker" else ""
        lines.append(f"  {p.kind:<15} period {p.period:<5} {p.param}={p.value:.15g}  {state}  "
                     f"coefficient {p.coefficient:+.6e} {p.criticality}{extra}")
    return lines


def _cmd_continue(args: argparse.Namespace) -> None:
    from pathlib import Path

    from .branch import continuation
    from .switching import follow_cascade

    m, overrides = resolve_map(args.map, parameter_settings(args.set))
    x0 = initial_state(args.x0, m)
    if args.switch:
        c = follow_cascade(m, args.param, x0, args.start, args.stop, args.count, args.period, overrides,
                           max_points=args.max_points)
        branches, summary = c.branches, c.message
    else:
        b = continuation(m, args.param, x0, args.start, args.stop, args.period, overrides,
                         max_points=args.max_points)
        branches, summary = (b,), b.message
    if args.out:
        from .. import plot  # matplotlib is imported only for a figure

        if args.out.lower().endswith(".npz"):
            raise InputError("--out: continue writes a figure (.png, .pdf, .svg); use --json for the numbers")
        save_figure(plot.continuation(branches, m=m), Path(args.out))
        print(f"figure written to {args.out}", file=sys.stderr)
    if args.json:
        payload = {"map": m.name, "param": args.param, "message": summary,
                   "branches": [b.record() for b in branches],
                   "points": [p.record() for b in branches for p in b.points]}
        print(json.dumps(jsonable(payload), indent=1))
        return
    lines = [f"{m.name}: continuation in {args.param} from {args.start:g} towards {args.stop:g} ({summary})"]
    for b in branches:
        stable = int(b.stable.sum())
        lines.append(f"period-{b.period} branch, {b.values.size} points ({stable} stable), "
                     f"{args.param} in [{b.values.min():.12g}, {b.values.max():.12g}]: {b.message}")
        lines += _rows(b, m.state)
    print("\n".join(lines))


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``continue`` to the ``bifurc`` command's subparsers."""

    p = sub.add_parser("continue", help="follow fixed points or cycles through a parameter; locate and "
                                        "classify folds, flips and Neimark-Sacker points")
    p.add_argument("map", help="catalogued map name (see `bifurc maps`) or formulas 'x=r*x*(1-x)'")
    p.add_argument("--param", required=True, help="the parameter continued")
    p.add_argument("--start", type=finite_option, required=True, help="where the branch starts")
    p.add_argument("--stop", type=finite_option, required=True, help="where it stops")
    p.add_argument("--x0", help="a state near the cycle at START, comma-separated (default 0.1 each)")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="parameter value (declares the parameters of a formula map); repeatable")
    p.add_argument("--period", type=positive_int_option, default=1, help="period of the cycle (default 1)")
    p.add_argument("--switch", action="store_true",
                   help="at each flip, switch to the doubled cycle and go on (a cascade, branch by branch)")
    p.add_argument("--count", type=positive_int_option, default=6,
                   help="with --switch: flips to find at most")
    p.add_argument("--max-points", type=positive_int_option, default=2000, help="points per branch at most")
    p.add_argument("--json", action="store_true",
                   help="print the branches and their special points (kind, params, state, period) as JSON")
    p.add_argument("--out", help="also draw the branches (.png, .pdf, .svg): stable solid, unstable dashed, "
                                 "special points labelled")
    p.set_defaults(func=_cmd_continue)
