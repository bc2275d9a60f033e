"""The ``bifurc`` command line.

A user error (unknown map or parameter, malformed formula, bad range) prints one line
``bifurc: error: ...`` and exits with status 2; an internal error prints a traceback and
exits with status 1; Ctrl-C prints ``bifurc: interrupted`` and exits with status 130,
leaving no partial file. Results go to standard output as a table, or as JSON with
``--json``; ``--out FILE`` writes a figure (PNG, PDF or SVG) or the result (.npz).
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from . import maps
from .analysis.arguments import (
    EscapeWarning,
    PrecisionWarning,
)
from .cli_options import (
    UserError,
    digits_option,
    doublings_option,
    finite_option,
    initial_state,
    nonnegative_int_option,
    parameter_settings,
    positive_int_option,
    resolve_map,
    sweep_values,
)
from .cli_output import FIGURE_SUFFIXES, OUT_SUFFIXES, check_writable, jsonable, save_figure, writing
from .errors import InputError

__all__ = ["main", "build_parser"]

#: Memory of one printed value: a table line about 100 bytes, JSON (its Python lists and text) about
#: 250 (measured with tracemalloc).
_OUTPUT_BYTES = 256


# --- output --------------------------------------------------------------------
def _emit(args: argparse.Namespace, payload: dict, table: list[str], figure=None, result=None) -> None:
    """Print ``table`` (or ``payload`` as JSON with ``--json``) and write ``--out``'s figure or result."""
    if args.out and args.out.lower().endswith(".npz"):
        if result is None:
            raise UserError("--out: this command has no result object to save")
        with writing(args.out):
            from .analysis.storage import save

            written = save(result, args.out)
        table.append(f"result written to {written}")
    elif args.out:
        if figure is None:
            raise UserError("--out: this command has no figure")
        save_figure(figure, Path(args.out))
        table.append(f"figure written to {args.out}")
    if args.json:
        print(json.dumps(jsonable(payload), indent=1))
    else:
        print("\n".join(table))


def _figure_if(args: argparse.Namespace, draw: str, result):
    """The figure of ``result`` drawn by ``bifurc.plot.<draw>`` if ``--out`` asks for one."""
    if not (args.out and args.out.lower().endswith(FIGURE_SUFFIXES)):
        return None
    from . import plot  # matplotlib is imported only for a figure

    return getattr(plot, draw)(result)


# --- subcommands -----------------------------------------------------------------
def _cmd_maps(args: argparse.Namespace) -> None:
    rows = [f"{name:10s} {m!r}" for name, m in maps.CATALOGUE.items()]
    payload = {name: {"state": m.state, "params": dict(m.params), "updates": list(m.formulas)}
               for name, m in maps.CATALOGUE.items()}
    _emit(args, payload, rows)


def _cmd_diagram(args: argparse.Namespace) -> None:
    from .analysis.orbits import diagram_bytes, orbit_diagram

    m, overrides = resolve_map(args.map, parameter_settings(args.set))
    printed = args.keep * m.dim * _OUTPUT_BYTES if args.json else 0  # every kept state, with --json
    param, values = sweep_values(args.sweep, bytes_per_value=diagram_bytes(m, args.keep) + printed)
    d = orbit_diagram(m, param, values, initial_state(args.x0, m), args.transient, args.keep, overrides,
                      follow=args.follow)
    last = d.points[:, -1, :]
    table = [f"{d.map_name}: orbit diagram over {param} in [{values[0]:g}, {values[-1]:g}], "
             f"{values.size} values, {d.keep} kept after {d.transient}; {d.n_escaped} escaped"]
    step = max(1, values.size // 12)
    table += [f"  {param}={v:<12.6g} last state {np.array2string(x, precision=6)}"
              for v, x in zip(values[::step], last[::step])]
    payload = {"map": d.map_name, "param": param, "values": values, "points": d.points,
               "escaped": d.escaped, "transient": d.transient, "keep": d.keep}
    _emit(args, payload, table, _figure_if(args, "orbit_diagram", d), d)


def _cmd_lyapunov(args: argparse.Namespace) -> None:
    from .analysis.lyapunov import lyapunov, lyapunov_sweep, sweep_bytes

    m, overrides = resolve_map(args.map, parameter_settings(args.set))
    x0 = initial_state(args.x0, m)
    if args.sweep is None:
        if args.out:
            raise UserError("--out needs --sweep (a single spectrum has no figure)")
        exps = lyapunov(m, x0, args.n, args.transient, overrides)
        table = [f"{m.name}: Lyapunov exponents from {args.n} steps"]
        table += [f"  lambda_{i + 1} = {e:.6f}" for i, e in enumerate(exps)]
        table.append(f"  sum      = {exps.sum():.6f}")
        _emit(args, {"map": m.name, "n": args.n, "exponents": exps}, table)
        return
    param, values = sweep_values(args.sweep, bytes_per_value=sweep_bytes(m) + (m.dim + 1) * _OUTPUT_BYTES)
    s = lyapunov_sweep(m, param, values, x0, args.n, args.transient, overrides)
    step = max(1, values.size // 12)
    table = [f"{m.name}: largest exponent over {param}, {args.n} steps each; {int(s.escaped.sum())} escaped"]
    table += [f"  {param}={v:<12.6g} {e:+.6f}" for v, e in zip(values[::step], s.largest[::step])]
    payload = {"map": m.name, "param": param, "values": values, "exponents": s.exponents, "n": args.n}
    _emit(args, payload, table, _figure_if(args, "lyapunov_sweep", s), s)


def _cmd_cascade(args: argparse.Namespace) -> None:
    from .analysis.cascade import cascade

    m, overrides = resolve_map(args.map, parameter_settings(args.set))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        c = cascade(m, args.param, args.start, args.stop, initial_state(args.x0, m), args.count, overrides,
                    digits=args.digits)
    shown = c.precise_points or [f"{point:.15f}" for point in c.points]
    width = max([22, *map(len, shown)])
    doublings = [f"{k}->{2 * k}" for k in c.periods]
    left = max([6, *map(len, doublings)])
    table = [f"{m.name}: period doublings in {args.param} ({c.message})",
             f"  {'n':>3} {'period':>{left}} {args.param:>{width}} {'delta':>17} {'tolerance':>9}"]
    deltas = [""] * 2 + [f"{d:.15f}" for d in c.delta]
    for i, (point, k, tol) in enumerate(zip(shown, doublings, c.tolerance)):
        table.append(f"  {i + 1:>3} {k:>{left}} {point:>{width}} {deltas[i]:>17} {tol:9.1e}")
    table += [f"warning: {w.message}" for w in caught]
    payload = {"map": m.name, "param": c.param, "points": c.points, "periods": c.periods,
               "delta": c.delta, "tolerance": c.tolerance, "message": c.message,
               "digits": c.digits, "precise_points": list(c.precise_points)}
    _emit(args, payload, table, _figure_if(args, "cascade", c) if c.points.size > 2 else None, c)


def _cmd_period(args: argparse.Namespace) -> None:
    from .analysis.basins import settle_bytes, settle_cells
    from .analysis.orbits import DEFAULT_ESCAPE, parameter_rows
    from .analysis.periods import period

    m, overrides = resolve_map(args.map, parameter_settings(args.set))
    x0 = initial_state(args.x0, m)
    if args.sweep is None:
        k = period(m, x0, overrides, args.transient, args.max_period, args.tol)
        words = {0: f"no period up to {args.max_period}", -1: "escaped"}
        _emit(args, {"map": m.name, "period": k}, [f"{m.name}: period {words.get(k, k)}"])
        return
    # every value at once, in parallel: the value, its cell, its line of output
    param, values = sweep_values(args.sweep, bytes_per_value=8 + settle_bytes(m) + _OUTPUT_BYTES)
    rows = parameter_rows(m, param, values, overrides)
    periods, _ = settle_cells(m, np.repeat(x0[None, :], values.size, axis=0), rows, args.transient,
                              args.max_period, args.tol, DEFAULT_ESCAPE)
    table = [f"{m.name}: period over {param} (0: none found, -1: escaped)"]
    table += [f"  {param}={v:<12.6g} {k}" for v, k in zip(values, periods)]
    _emit(args, {"map": m.name, "param": param, "values": values, "periods": periods}, table)


def _cmd_figures(args: argparse.Namespace) -> int:
    from . import figures

    if args.list:
        print("\n".join(figures.FIGURES))
        return 0
    try:
        figures.select(args.only)
    except ValueError as error:  # a name that matches no figure
        raise UserError(str(error)) from None
    check_writable(str(Path(args.out_dir) / "figure"), "--out")
    with writing(args.out_dir):
        return figures.main_cli(argparse.Namespace(out=args.out_dir, format=args.format, only=args.only,
                                                   quick=args.quick))


def _cmd_verify(args: argparse.Namespace) -> int:
    from .verify.registry import Settings, load_all, run_checks
    from .verify.report import table

    if args.list:
        for c in load_all().values():
            scope = " [--full]" if c.full_only else ""
            print(f"{c.id:34} {c.paper:14} {c.claim}{scope}")
        return 0

    def progress(n: int, total: int, c, result) -> None:
        if result is None:
            print(f"[{n}/{total}] {c.id} ...", end="", file=sys.stderr, flush=True)
        else:
            verdict = "ok" if result.ok else "FAILED"
            print(f" {verdict} ({result.seconds:.1f} s)", file=sys.stderr, flush=True)

    if args.out and not args.out.lower().endswith(FIGURE_SUFFIXES):
        raise UserError("--out: verify writes a figure (.png, .pdf, .svg); use --json for the numbers")
    for text in args.loss or ():  # checked before the checks run, not reported as a failed check
        from . import losses

        try:
            losses.get(text)
        except ValueError as error:
            raise UserError(f"--loss {text!r}: {error}") from None
    settings = Settings(full=args.full, losses=tuple(args.loss or ()))
    results = run_checks(args.only, settings, progress=progress, controls=args.controls)
    if args.out:
        from . import plot

        save_figure(plot.verify_results(results), Path(args.out))
        print(f"figure written to {args.out}", file=sys.stderr)
    if args.json:
        print(json.dumps(jsonable([r.as_dict() for r in results]), indent=1))
    else:
        print(table(results))
    return 0 if all(r.ok for r in results) else 1


def _cmd_derive(args: argparse.Namespace) -> None:
    from .eos import report

    if (args.model is None) == (args.output is None):
        raise UserError("derive: give a MODEL name, or --output with --params and --coords (not both)")
    if args.output is not None and not (args.params and args.coords):
        raise UserError("derive --output: give --params and --coords too")
    try:
        if args.output is not None:
            data = report.derive_reduced(args.output, args.params, args.coords, args.loss, args.constants,
                                         args.steps, args.close)
        else:
            data = report.derive(args.model, args.loss)
    except ValueError as error:  # an unknown model or a loss that breaks an assumption
        raise UserError(str(error)) from None
    if args.latex:
        print(report.to_latex(data))
    elif args.json:
        print(report.to_json(data))
    else:
        print(_derivation_text(json.loads(report.to_json(data))))


def _derivation_text(data: dict) -> str:
    """The derivation as indented plain text."""
    lines = []

    def walk(value: object, indent: str) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, (dict, list)):
                    lines.append(f"{indent}{key}:")
                    walk(item, indent + "  ")
                else:
                    lines.append(f"{indent}{key}: {item}")
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, list) and len(item) == 2 and isinstance(item[0], str):
                    lines.append(f"{indent}- {item[0]}:")
                    walk(item[1], indent + "    ")
                elif isinstance(item, (dict, list)):
                    lines.append(f"{indent}-")
                    walk(item, indent + "  ")
                else:
                    lines.append(f"{indent}- {item}")
        else:
            lines.append(f"{indent}{value}")

    walk(data, "")
    return "\n".join(lines)


# --- parser ----------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"bifurc: error: {message}\n")


def _common(p: argparse.ArgumentParser, figure: bool = True) -> None:
    p.add_argument("map", help="catalogued map name (see `bifurc maps`) or formulas 'x=r*x*(1-x)'")
    p.add_argument("--set", action="append", metavar="NAME=VALUE",
                   help="parameter value (declares the parameters of a formula map); repeatable")
    p.add_argument("--x0", help="initial state, comma-separated (default 0.1 for every variable)")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")
    what = "write a figure (.png, .pdf, .svg) or the result (.npz, read by bifurc.load)"
    p.add_argument("--out", help=what if figure else argparse.SUPPRESS)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``bifurc`` command."""
    parser = _Parser(
        prog="bifurc",
        description="Iterate, analyse and verify the maps of edge-of-stability theory.",
    )
    parser.add_argument("--version", action="version", version=_version())
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("maps", help="list the catalogued maps")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_cmd_maps, out=None)

    p = sub.add_parser("diagram", help="orbit (bifurcation) diagram over one parameter")
    _common(p)
    p.add_argument("--sweep", required=True, metavar="NAME=START:STOP:COUNT")
    p.add_argument("--transient", type=nonnegative_int_option, default=1000)
    p.add_argument("--keep", type=positive_int_option, default=1000)
    p.add_argument("--follow", action="store_true",
                   help="start each value from the last state of the one before (coexisting attractors, "
                        "hysteresis: sweep down by giving START > STOP)")
    p.set_defaults(func=_cmd_diagram)

    p = sub.add_parser("lyapunov", help="Lyapunov spectrum, or the largest exponent over a sweep")
    _common(p)
    p.add_argument("--sweep", metavar="NAME=START:STOP:COUNT")
    p.add_argument("--n", type=positive_int_option, default=10_000, help="steps averaged")
    p.add_argument("--transient", type=nonnegative_int_option, default=1000)
    p.set_defaults(func=_cmd_lyapunov)

    p = sub.add_parser("cascade", help="locate period doublings and Feigenbaum ratios")
    _common(p)
    p.add_argument("--param", required=True)
    p.add_argument("--start", type=finite_option, required=True)
    p.add_argument("--stop", type=finite_option, required=True)
    p.add_argument("--count", type=doublings_option, default=8)
    p.add_argument("--digits", type=digits_option,
                   help="refine each doubling in high precision (mpmath) to this many digits (>= 16)")
    p.set_defaults(func=_cmd_cascade)

    p = sub.add_parser("period", help="period of the attractor (optionally over a sweep)")
    _common(p, figure=False)
    p.add_argument("--sweep", metavar="NAME=START:STOP:COUNT")
    p.add_argument("--transient", type=nonnegative_int_option, default=10_000)
    p.add_argument("--max-period", type=positive_int_option, default=1024)
    p.add_argument("--tol", type=finite_option, default=1e-9)
    p.set_defaults(func=_cmd_period)

    p = sub.add_parser("derive", help="derive a model's reduced map, fixed points, multipliers and series")
    p.add_argument("model", nargs="?", help="canonical, two_layer_linear, single_neuron_tanh, "
                                            "single_neuron_elu, minimalist, degree2, uv_sp, uv_mup, cubic, "
                                            "self_stabilization or second_order_regression")
    p.add_argument("--loss", help="loss of p for the models that take one (default log(cosh(p)); "
                                  "squared with --output)")
    p.add_argument("--output", help="your model's output, e.g. 'u*v' (reduce it instead of a MODEL)")
    p.add_argument("--params", help="its parameters, e.g. 'u,v'")
    p.add_argument("--coords", help="the coordinates, e.g. 'f=u*v,lam=u**2+v**2'")
    p.add_argument("--constants", help="other names in the output (inputs, scales), e.g. 'x,n'")
    p.add_argument("--steps", metavar="NAME=FORMULA,...", help="per-parameter step multipliers, e.g. 'u=n'")
    p.add_argument("--close", action="store_true",
                   help="add leftover quantities as coordinates until the update closes")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true", help="print LaTeX")
    form.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(func=_cmd_derive, out=None)

    p = sub.add_parser("figures", help="regenerate the papers' key figures")
    p.add_argument("--out", dest="out_dir", default="figures/out", help="folder (default figures/out)")
    p.add_argument("--format", choices=("png", "pdf", "svg"), default="png")
    p.add_argument("--only", action="append", metavar="NAME", help="a figure, or a prefix such as 'zhu'")
    p.add_argument("--quick", action="store_true", help="reduced resolution, for a preview")
    p.add_argument("--list", action="store_true", help="list the figures and exit")
    p.set_defaults(func=_cmd_figures, out=None)

    p = sub.add_parser("verify", help="check every theorem of the papers against numerics")
    p.add_argument("--full", action="store_true", help="finer step-size ladders and more starts")
    p.add_argument("--only", action="append", metavar="ID", help="run only this check; repeatable")
    p.add_argument("--list", action="store_true", help="list the checks and exit")
    p.add_argument("--loss", action="append", metavar="EXPR",
                   help="also check the loss-generic claims on this loss of p, e.g. 'sqrt(1+p**2) - 1'")
    p.add_argument("--controls", action="store_true",
                   help="also show each check the wrong claims it must reject, and measure its resolution")
    p.add_argument("--json", action="store_true", help="print the results as JSON")
    p.add_argument("--out", help="also draw the results (.png, .pdf, .svg)")
    p.set_defaults(func=_cmd_verify)

    from .sweep.command import register as register_sweep

    register_sweep(sub)
    from .continuation.command import register as register_continue

    register_continue(sub)
    from .track_command import register as register_track

    register_track(sub)
    return parser


def _version() -> str:
    from . import __version__

    return f"bifurc {__version__}"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        if args.out and not args.out.lower().endswith(OUT_SUFFIXES):
            raise UserError(f"--out {args.out!r}: use a .png, .pdf or .svg name, or .npz for the numbers")
        if args.out:
            check_writable(args.out, "--out")
        with warnings.catch_warnings():
            warnings.filterwarnings("always", category=EscapeWarning)
            warnings.filterwarnings("always", category=PrecisionWarning)
            warnings.showwarning = _show_warning
            status = args.func(args)
    except InputError as error:  # the command line's and the library's input errors
        print(f"bifurc: error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into a reader that stopped (e.g. head)
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:  # Ctrl-C: every file is written atomically, nothing partial is left
        print("bifurc: interrupted", file=sys.stderr)
        return 130
    return status or 0


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"bifurc: warning: {message}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
