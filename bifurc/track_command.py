"""The ``bifurc track`` subcommand (wired in by :mod:`bifurc.cli`): a logged run on the alignment curve.

A run is read from a file of p and λ = λmax(NTK) per logged step, and placed in Song & Yun's
(p, q) plane by :func:`bifurc.nets.track`, which computes every number printed here:

* ``.npz`` written by :func:`bifurc.save` of a :class:`~bifurc.torch.Recording` (its step size
  and loss travel with it), or by ``numpy.savez`` with one array per column;
* ``.json``: an object of columns ``{"p": [...], "lam": [...]}`` or a list of rows
  ``[{"p": ..., "lam": ...}, ...]``;
* ``.csv``: a header line naming the columns, then one row per step.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .cli_options import finite_option, nonnegative_int_option
from .cli_output import FIGURE_SUFFIXES, jsonable, save_figure
from .errors import InputError

if TYPE_CHECKING:  # bifurc.nets and matplotlib are imported by the command, not by bifurc --help
    from matplotlib.figure import Figure

    from .backends.recording import Recording
    from .nets.track import Track

__all__ = ["register", "read_run", "summary", "figure"]

_SUFFIXES = (".npz", ".json", ".csv")


def _column(values: object, name: str, source: Path) -> np.ndarray:
    """One column as a finite float64 vector, or InputError naming the column and the first bad row."""
    try:
        column = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"{source}: the column {name!r} holds values that are not numbers") from None
    if column.ndim != 1 or column.size == 0:
        raise InputError(f"{source}: the column {name!r} must be a non-empty list of numbers, "
                         f"got shape {column.shape}")
    bad = np.flatnonzero(~np.isfinite(column))
    if bad.size:
        raise InputError(f"{source}: the column {name!r} is not finite at row {bad[0]} ({column[bad[0]]})")
    return column


def _columns(table: dict[str, object], names: tuple[str, str], source: Path) -> tuple[np.ndarray, np.ndarray]:
    """The named columns of a table (a mapping of names to value lists)."""
    missing = [n for n in names if n not in table]
    if missing:
        held = ", ".join(map(str, table)) or "none"
        raise InputError(f"{source}: no column {missing[0]!r} (columns: {held}); name it with --p or --lam")
    p, lam = (_column(table[n], n, source) for n in names)
    if p.size != lam.size:
        raise InputError(f"{source}: the columns {names[0]!r} and {names[1]!r} differ in length "
                         f"({p.size} and {lam.size})")
    return p, lam


def _read_json(source: Path) -> dict[str, object]:
    try:
        data = json.loads(source.read_text(encoding="utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise InputError(f"{source} is not valid JSON ({error})") from None
    if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
        names = set().union(*data)
        return {n: [row.get(n, math.nan) for row in data] for n in names}
    if isinstance(data, dict):
        return data
    raise InputError(f"{source}: expected an object of columns or a non-empty list of rows")


def _read_csv(source: Path) -> dict[str, object]:
    try:
        with source.open(newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as error:
        raise InputError(f"{source} is not a readable CSV file ({error})") from None
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise InputError(f"{source}: expected a header line naming the columns and at least one row")
    header = [cell.strip() for cell in rows[0]]
    if any(len(row) != len(header) for row in rows[1:]):
        raise InputError(f"{source}: every row must have the header's {len(header)} cells")

    def number(cell: str, name: str, row: int) -> float:
        try:
            return float(cell)
        except ValueError:
            raise InputError(f"{source}: the column {name!r} holds {cell!r} at row {row}, "
                             "not a number") from None

    body = rows[1:]
    return {name: [number(row[i], name, k) for k, row in enumerate(body)] for i, name in enumerate(header)}


def _read_npz(source: Path) -> object:
    from .analysis.storage import load

    try:
        with np.load(source, allow_pickle=False) as archive:
            if "__bifurc__" not in archive.files:
                return {name: archive[name] for name in archive.files}
    except (OSError, ValueError, EOFError) as error:
        raise InputError(f"{source} is not a readable .npz file ({error})") from None
    result = load(source)  # a result file of bifurc.save, read with its checks
    if type(result).__name__ != "Recording":
        raise InputError(f"{source} holds a {type(result).__name__}, not a recorded run")
    return result


def read_run(path: str | Path, p_name: str = "p", lam_name: str = "lam") -> object:
    """The run in a file: a :class:`~bifurc.torch.Recording`, or the arrays (p, λ).

    Parameters
    ----------
    path
        A ``.npz``, ``.json`` or ``.csv`` file (see the module's description).
    p_name, lam_name
        The columns of the mean residual p and of λmax(NTK).

    Returns
    -------
    Recording or tuple of ndarray
        A recording written by :func:`bifurc.save`, else the two columns.

    Raises
    ------
    InputError
        If the file is missing or unreadable, of another kind, or its columns are missing,
        of different lengths or hold values that are not finite numbers.
    """
    source = Path(path)
    suffix = source.suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"RUN {str(source)!r}: use a .npz, .json or .csv file")
    if not source.is_file():
        raise InputError(f"RUN: no such file: {source}")
    if suffix == ".npz":
        table = _read_npz(source)
        if not isinstance(table, dict):
            return table
    else:
        table = _read_json(source) if suffix == ".json" else _read_csv(source)
    return _columns(table, (p_name, lam_name), source)


def _track(args: argparse.Namespace) -> tuple[Track, Recording | None]:
    """The run of ``args.run`` placed on its alignment curve, and the run if it is a recording."""
    from . import losses
    from .nets.track import track

    run = read_run(args.run, args.p, args.lam)
    steps = run[0].size if isinstance(run, tuple) else run.p.size
    if args.start is not None and args.start >= steps:  # --start is parsed as a count >= 0
        raise InputError(f"--start must be in [0, {steps}) (the logged steps), got {args.start}")
    if not isinstance(run, tuple):  # a Recording carries its step size and loss, and checks them
        if args.eta is not None or args.loss is not None:
            raise InputError(f"RUN {args.run!r} is a bifurc recording with its own step size and loss; "
                             "drop --eta and --loss")
        place = partial(run.track, args.start)
    else:
        if args.eta is None or args.loss is None:
            raise InputError(f"RUN {args.run!r} is a table of p and lam: give the run's --eta and --loss")
        try:
            loss = losses.get(args.loss)
        except ValueError as error:
            raise InputError(f"--loss {args.loss!r}: {error}") from None
        place = partial(track, *run, args.eta, loss, args.start)
    try:
        return place(), None if isinstance(run, tuple) else run
    except InputError:
        raise
    except ValueError as error:  # bifurc.track's checks of the values (lam > 0, eta > 0)
        raise InputError(f"RUN {args.run!r}: {error}") from None


def summary(t: Track) -> dict[str, object]:
    """The numbers of a :class:`~bifurc.nets.Track` that ``bifurc track`` reports."""
    return {"steps": int(t.p.size), "eta": t.eta, "loss": t.loss.name, "start": t.start,
            "distance": t.distance, "p": t.p.tolist(), "q": t.q.tolist(), "r": t.r.tolist(),
            "deviation": t.deviation.tolist()}


def figure(t: Track, run: Recording | None = None) -> Figure:
    """The run in the (p, q) plane over the curve q = r(p), and its relative distance per step.

    Parameters
    ----------
    t
        The run placed on its curve (:func:`bifurc.nets.track`, :meth:`Recording.track`).
    run
        The recording ``t`` came from, if any: a panel draws its sharpness and λmax(NTK) in
        units of the edge 2/η against the step.

    A loss with a bifurcation (r not constant, e.g. log-cosh) adds a last panel: the run's
    (q_t, p_t) on the orbit diagram of Song & Yun's f_q(p) = p(1 - 2r(p)/q).
    """
    from . import plot
    from .nets.numeric_loss import numeric

    count = 2 + (run is not None) + (not t.loss.is_squared)
    fig, axes = plot.panels(1, count, 5.8, 4.2)
    plane, distance = axes[0][:2]
    steps = np.arange(t.p.size)
    dots = plane.scatter(t.p, t.q, c=steps, s=6, cmap="viridis", zorder=3)
    fig.colorbar(dots, ax=plane, label="logged step")
    reach = 1.05 * max(float(np.abs(t.p).max()), 1e-3)
    grid = np.linspace(-reach, reach, 801)
    plane.plot(grid, numeric(t.loss).r(grid), color="black", lw=0.9, label=f"$q = r(p)$, {t.loss.name}")
    plane.set(xlabel="mean residual $p$", ylabel=r"$q = 2/(\eta\,\lambda_{max})$",
              title=f"the run on the alignment curve ($\\eta$ = {t.eta:g})")
    plane.legend(loc="best", fontsize=8)
    distance.semilogy(steps, np.abs(t.deviation), ".", color=plot.PALETTE[0], ms=3)
    distance.axvline(t.start, color="0.45", ls=":", lw=1.0, label=f"counted from step {t.start}")
    distance.axhline(t.distance, color=plot.PALETTE[1], lw=1.0, label=f"median {t.distance:.3g}")
    distance.set(xlabel="logged step", ylabel=r"$|q/r(p) - 1|$", title="distance to the curve")
    distance.legend(loc="best", fontsize=8)
    if run is not None:
        edge = axes[0][2]
        edge.plot(run.steps, run.sharpness * run.eta / 2, color=plot.PALETTE[0], lw=1.0,
                  label=r"sharpness $\lambda_{max}(\nabla^2 L)$")
        edge.plot(run.steps, run.ntk * run.eta / 2, color=plot.PALETTE[2], lw=1.0, ls="--",
                  label=r"$\lambda_{max}$(NTK) $= 1/q$")
        plot.reference_line(edge, 1.0, r"the edge $2/\eta$")
        edge.set(xlabel="training step", ylabel=r"eigenvalue $\times\ \eta/2$",
                 title="the edge of stability")
        edge.legend(loc="best", fontsize=8)
    if not t.loss.is_squared:
        _on_diagram(axes[0][-1], t)
    return fig


def _on_diagram(ax: object, t: Track) -> None:
    """The run's (q_t, p_t) over the orbit diagram of f_q against q, with the 2-cycle ±r̂(q) below q = 1."""
    from . import eos, plot
    from .analysis.orbits import orbit_diagram

    qs = np.linspace(max(0.05, 0.9 * float(t.q.min())), max(1.1 * float(t.q.max()), 1.05), 300)
    d = orbit_diagram(eos.canonical_map(t.loss).map, "q", qs, 0.3, transient=300, keep=100)
    below = qs[qs < 1]
    branch = (below, t.loss.r_hat(below)) if below.size else None
    plot.trajectory_on_diagram(d, [(t.q, t.p)], branch, labels=["the run $(q_t, p_t)$"], ax=ax)
    ax.set(xlabel="$q$", ylabel="$p$", title="the run on the bifurcation diagram of $f_q$")
    ax.legend(loc="best", fontsize=8)


def _cmd_track(args: argparse.Namespace) -> None:

    if args.out and not args.out.lower().endswith(FIGURE_SUFFIXES):
        raise InputError("--out: track writes a figure (.png, .pdf, .svg); use --json for the numbers")
    t, run = _track(args)
    if args.json:
        print(json.dumps(jsonable({"run": args.run, **summary(t)}), indent=1))
    else:
        tail = t.p.size - 1
        print("\n".join([
            f"{args.run}: {t.p.size} logged steps, eta {t.eta:g}, loss {t.loss.name}",
            f"distance to q = r(p): {t.distance:.6g} (median |q/r(p) - 1| over steps {t.start}..{tail})",
            f"last step: p = {t.p[-1]:.6g}, q = {t.q[-1]:.6g}, r(p) = {t.r[-1]:.6g}, "
            f"q/r(p) - 1 = {t.deviation[-1]:+.3e}",
        ]))
    if args.out:
        save_figure(figure(t, run), Path(args.out))
        print(f"figure written to {args.out}", file=sys.stderr)


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``track`` to the ``bifurc`` command's subparsers."""

    p = sub.add_parser("track", help="place a logged training run (p and λmax(NTK) per step) on the "
                                     "alignment curve q = r(p)")
    p.add_argument("run", help="a .npz (bifurc.save of a recording, or numpy.savez), .json or .csv file "
                               "of p and lam per logged step")
    p.add_argument("--eta", type=finite_option, help="the run's step size (a recording carries its own)")
    p.add_argument("--loss", help="the loss of the residual: logcosh, pseudo_huber, squared or a formula "
                                  "of p (a recording carries its own)")
    p.add_argument("--p", default="p", metavar="COLUMN", help="the column of the mean residual (default p)")
    p.add_argument("--lam", default="lam", metavar="COLUMN",
                   help="the column of λmax of the NTK (default lam)")
    p.add_argument("--start", type=nonnegative_int_option,
                   help="first logged step counted by the distance (default: the second half)")
    p.add_argument("--json", action="store_true", help="print the numbers (and the arrays) as JSON")
    p.add_argument("--out", help="draw the run on the curve (.png, .pdf, .svg)")
    p.set_defaults(func=_cmd_track)
