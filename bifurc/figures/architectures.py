"""Kalra et al. in a small CNN and a small ResNet: the sharpness along training, and its spectrum at the edge.

The runs are those of :mod:`bifurc.verify.checks.architectures` (16 digits 3 vs 5, squared
loss, SP and μP); ``quick=True`` uses the checks' quick sizes and the first step size of the
spectrum ladder only, and SP only: the runs of the quick check.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .. import plot
from ..verify.checks.architectures import SETUPS, architecture_runs

__all__ = ["figure_cnn_sharpness", "figure_resnet_sharpness"]

_NAMES = {"SP": "SP", "muP": r"$\mu$P"}
_TITLES = {"cnn": "CNN (two stride-2 3×3 convolutions, 4 channels)",
           "resnet": "ResNet (conv stem, two residual blocks, 4 channels)"}


def _figure(name: str, quick: bool) -> Figure:
    size = "quick" if quick else "full"
    setup = SETUPS[name]
    ladder = setup.ladder[:1] if quick else setup.ladder
    runs = architecture_runs(name, size, ("SP",) if quick else ("SP", "muP"), ladder)
    fig, axes = plot.panels(1, 2, 5.2, 3.9)
    left, right = axes[0]
    for i, (label, (run, _)) in enumerate(runs.items()):
        left.plot(run.run.sharpness_steps, run.run.sharpness * run.eta / 2, "o-", ms=2.5, lw=1,
                  color=plot.PALETTE[i], label=f"{_NAMES[label]}, $c = \\eta\\lambda_0 = {run.c:g}$")
    plot.reference_line(left, 1.0, r"$\lambda = 2/\eta$", colour="0.4", ls=":")
    left.set(xlabel="step", ylabel=r"$\eta\lambda/2$", title=f"{_TITLES[name]}: sharpness")
    left.legend(fontsize=8)
    for i, spectrum in enumerate(runs["SP"][1]):
        if spectrum.diverged:
            continue
        power = spectrum.power[1:] / spectrum.power[1:].max()
        right.semilogy(spectrum.frequencies[1:], power + 1e-300, color=plot.PALETTE[2 + i], lw=1,
                       label=f"SP, $c = {spectrum.c:g}$: period-2 share {spectrum.period_two:.2f}")
    plot.reference_line(right, 0.5, "period 2", colour=plot.PALETTE[1], ls=":", vertical=True)
    right.set(xlabel="frequency (1/step)", ylabel="power (normalised)",
              title=r"power spectrum of $\eta\lambda_t$ after the transient")
    right.legend(fontsize=8)
    fig.suptitle(f"Kalra et al. in a small {name.upper() if name == 'cnn' else 'ResNet'} "
                 "(digits 3 vs 5, squared loss)")
    return fig


def figure_cnn_sharpness(quick: bool = False) -> Figure:
    """The CNN's sharpness ηλ/2 along training (SP, μP) and the spectrum of ηλ_t at the edge."""
    return _figure("cnn", quick)


def figure_resnet_sharpness(quick: bool = False) -> Figure:
    """The ResNet's sharpness ηλ/2 along training (SP, μP) and the spectrum of ηλ_t at the edge."""
    return _figure("resnet", quick)
