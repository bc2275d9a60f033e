"""Kalra et al.'s sharpness claims in a small CNN and a small ResNet (numpy, exact HVPs).

Setting: 16 digits 3 vs 5 (targets ±1), squared loss ℓ = p²/2 as in the paper, tanh, SP and
μP, GD at η = c/λ₀ (λ₀ the sharpness at initialisation, s = ηλ/2 the sharpness in units of
the edge). The CNN has two 3×3 convolutions of 4 channels at stride 2 and a flattened dense
head; the ResNet a 3×3 convolutional stem of 4 channels, two residual blocks h + W₂σ(W₁h)
and a global-average head.

Criteria (required under SP; μP measured and reported, see below). From the run of
:func:`~bifurc.nets.kalra.phases_run` (thresholds of
:func:`~bifurc.nets.kalra.sharpening_phases`):

- sharpening to the edge: after its early minimum s reaches 0.95 or more;
- edge of stability: the mean of s over the last quarter is within 5% of 1;
- the CNN also: an early reduction (the early minimum of s below s₀ by more than 10%) and an
  oscillating loss at the edge (it rises at 10% or more of the last quarter's steps);

and from :func:`~bifurc.nets.sharpness_dynamics.sharpness_spectrum` (ηλ_t at every step of a
window after a transient): at the first step size of the ladder the largest peak of the
power spectrum in [1/10, 1/2] is at 1/2 and holds more than 90% of that power (period 2).

Measured and not required (``details["findings"]``, from the run that prints them; μP and the
ladder's spectra under ``--full`` only). Seen when this was written: μP sharpens to just below
the edge in the CNN and to the edge in the ResNet; the ResNet shows no early reduction (its
sharpness rises from the first steps). The paper's broadening towards chaos at the edge is not
seen: every run that stays at the edge oscillates with a clean period 2; at larger steps the
CNN diverges and the ResNet's runs leave the edge (ηλ ≫ 2, bounded only by the saturation of
tanh, or settled below it) with broad spectra.

Controls: the SP run replaced by one from ηλ₀ = ``SMALL_C`` (far below the edge, which it does
not reach in the run's steps) must fail the criteria, and so must the spectrum of the same
ηλ_t values in a shuffled order; the resolution of the edge 2/η is the smallest relative move of
it that the criteria reject (judging the cached runs again).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from ...analysis.spectrum import power_spectrum
from ...nets import CNN, Objective, ResNet, digits
from ...nets.kalra import PhasesRun, phases_run, sharpening_phases, squared_loss
from ...nets.network import Network
from ...nets.sharpness_dynamics import SharpnessSpectrum, period_two, sharpness_spectrum
from ...nets.song_yun import MultiPoint, digits_objective, multi_point
from ..registry import Outcome, Settings, check, control, resolution

__all__ = ["POINTS", "SETUPS", "Setup", "architecture_objective", "architecture_runs", "cnn_multi_point",
           "rescaled"]

PAPER = "Kalra et al."
#: The parameterisations and their names in the results.
INITS = {"SP": "standard", "muP": "mup"}
#: Digits in the training set.
POINTS = 16


@dataclass(frozen=True)
class Setup:
    """One architecture's runs.

    Attributes
    ----------
    build : callable
        init -> the network.
    c : float
        ηλ₀ of the sharpening run.
    ladder : tuple of float
        ηλ₀ of the spectra (``--full``); quick runs the first only.
    steps, every : dict
        GD steps and the sharpness every so many steps, per size ("quick", "full").
    transient, window : dict
        Spectrum transient and window per size.
    """

    build: Callable[[str], Network]
    c: float
    ladder: tuple[float, ...]
    steps: dict
    every: dict
    transient: dict
    window: dict


#: The two architectures' runs.
SETUPS = {
    "cnn": Setup(lambda init: CNN((8, 8, 1), channels=(4, 4), stride=2, head="flatten", init=init),
                 1.5, (1.9, 1.5), {"quick": 300, "full": 600}, {"quick": 20, "full": 10},
                 {"quick": 200, "full": 400}, {"quick": 32, "full": 64}),
    "resnet": Setup(lambda init: ResNet((8, 8, 1), 4, blocks=2, init=init),
                    0.5, (1.0, 1.5, 2.0), {"quick": 150, "full": 600}, {"quick": 25, "full": 10},
                    {"quick": 100, "full": 400}, {"quick": 32, "full": 64}),
}


def architecture_objective(name: str, init: str, points: int = POINTS) -> Objective:
    """The network ``name`` ("cnn" or "resnet") on ``points`` digits 3 vs 5, squared loss."""
    return Objective(SETUPS[name].build(init), digits(n=points, classes=(3, 5), seed=0), squared_loss())


Runs = dict[str, tuple[PhasesRun, list[SharpnessSpectrum]]]


@lru_cache(maxsize=8)
def architecture_runs(name: str, size: str, inits: tuple[str, ...] = ("SP", "muP"),
                      ladder: tuple[float, ...] | None = None) -> Runs:
    """Per parameterisation: the sharpening run and the spectra along ``ladder`` (default the setup's).

    Cached (the figures reuse the checks' runs); do not modify the results.
    """
    setup = SETUPS[name]
    runs = {}
    for label in inits:
        objective = architecture_objective(name, INITS[label])
        theta = objective.net.initial(0)
        steps = setup.steps[size]
        phases = phases_run(objective, theta, setup.c, steps, every=setup.every[size], early=steps // 4)
        spectra = [sharpness_spectrum(objective, theta, c, setup.transient[size], setup.window[size])
                   for c in (setup.ladder if ladder is None else ladder)]
        runs[label] = (phases, spectra)
    return runs


def _record(run: PhasesRun, spectra: list[SharpnessSpectrum]) -> dict:
    ph = run.phases
    return {"c": run.c, "eta": run.eta, "s0": ph.initial, "early minimum s": ph.minimum,
            "at step": ph.minimum_step, "early reduction": ph.reduction, "peak s after it": ph.peak_after,
            "late mean s": ph.late_mean, "late loss-rise fraction": ph.late_rises,
            "spectra": [{"c": s.c, "eta": s.eta, "mean eta lambda": float(np.mean(s.series)) if s.series.size
                         else None, "peak frequency": s.peak, "period-2 share": s.period_two,
                         "diverged": s.diverged} for s in spectra]}


#: Smallest share of the power in [1/10, 1/2] in the peak at 1/2 counted as period 2: the runs at the
#: edge reach 0.9993 or more; white noise spreads its power over the band (a few of its bins are
#: the peak's: about 0.2 at the quick window of 32 steps).
PERIOD_TWO = 0.9
#: ηλ₀ of the control run that starts far below the edge and does not reach it in the run's steps
#: (the ResNet sharpens explosively: from c = 0.03 it still reaches the edge within the quick run).
SMALL_C = {"cnn": 0.3, "resnet": 0.01}


def rescaled(run: PhasesRun, edge: float) -> PhasesRun:
    """``run`` judged against the edge 2·edge/η instead of 2/η (its λ divided by ``edge``)."""
    r = run.run
    phases = sharpening_phases(r.sharpness_steps, r.sharpness / edge, r.loss, run.eta,
                               early=run.phases.criteria["early steps"])
    return PhasesRun(run.c, run.eta, r, phases)


def _period_two(spectrum: SharpnessSpectrum) -> bool:
    return not spectrum.diverged and spectrum.peak == 0.5 and spectrum.period_two > PERIOD_TWO


def _shuffled(spectrum: SharpnessSpectrum) -> SharpnessSpectrum:
    """The spectrum of the same ηλ_t values in a shuffled order (seed 0)."""
    if spectrum.diverged:
        return spectrum
    series = np.random.default_rng(0).permutation(spectrum.series)
    freq, power = power_spectrum(series)
    return replace(spectrum, series=series, frequencies=freq, power=power, **dict(zip(
        ("peak", "period_two"), period_two(freq, power))))


@lru_cache(maxsize=4)
def _small_step_run(name: str, size: str) -> tuple[PhasesRun, SharpnessSpectrum]:
    """SP at ηλ₀ = SMALL_C[name]: the sharpening run and the spectrum, at the check's size."""
    setup = SETUPS[name]
    objective = architecture_objective(name, INITS["SP"])
    theta = objective.net.initial(0)
    steps, c = setup.steps[size], SMALL_C[name]
    phases = phases_run(objective, theta, c, steps, every=setup.every[size], early=steps // 4)
    return phases, sharpness_spectrum(objective, theta, c, setup.transient[size], setup.window[size])


def _findings(name: str, runs: Runs, size: str) -> str:
    """What the run measured beyond the SP criteria, from the numbers of this run only."""
    sp = runs["SP"][0].phases
    parts = [f"SP early reduction {sp.reduction:.0%}, late loss-rise fraction {sp.late_rises:.0%}"]
    if "muP" in runs:
        m, spectra = runs["muP"]
        parts.append(f"muP late mean s {m.phases.late_mean:.3f}, loss rises {m.phases.late_rises:.0%}, "
                     "period-2 share " + ", ".join(f"{s.period_two:.2f} (c = {s.c:g})" for s in spectra))
        parts.append("SP ladder: " + ", ".join(
            f"c = {s.c:g}: " + ("diverged" if s.diverged else
                                f"mean eta lambda {np.mean(s.series):.3g}, period-2 share {s.period_two:.2f}")
            for s in runs["SP"][1]))
    else:
        parts.append("muP and the step-size ladder run under --full only")
    return "; ".join(parts)


def _outcome(name: str, settings: Settings, edge: float = 1.0, sp: tuple | None = None,
             shuffle: bool = False) -> Outcome:
    """The SP criteria of the module docstring; ``edge`` moves the edge to 2 edge/η, ``sp``
    replaces the SP run and spectrum (a control), ``shuffle`` shuffles the spectrum's series."""
    size = "full" if settings.full else "quick"
    setup = SETUPS[name]
    ladder = setup.ladder if settings.full else setup.ladder[:1]
    runs = architecture_runs(name, size, ("SP", "muP") if settings.full else ("SP",), ladder)
    details: dict = {"size": size, "points": POINTS, "steps": setup.steps[size], "c": setup.c,
                     "findings": _findings(name, runs, size)}
    for label, (run, spectra) in runs.items():
        details[label] = _record(run, spectra)
    run, spectra = runs["SP"]
    spectrum = spectra[0]
    if sp is not None:
        run, spectrum = sp
        details["SP control run"] = _record(run, [spectrum])
    if shuffle:
        spectrum = _shuffled(spectrum)
        details["shuffled spectrum"] = {"peak frequency": spectrum.peak,
                                        "period-2 share": spectrum.period_two}
    if edge != 1.0:
        run = rescaled(run, edge)
    ph = run.phases
    checks = {"sharpened to the edge": ph.peak_after >= 0.95,
              "late mean within 5%": abs(ph.late_mean - 1) < ph.criteria["edge within"],
              "period-2 spectrum": _period_two(spectrum)}
    if name == "cnn":
        checks |= {"early reduction > 10%": bool(ph.reduced), "loss oscillates": ph.late_rises >= 0.1}
    details["SP criteria"] = {k: bool(v) for k, v in checks.items()}
    measured = (f"SP s {ph.initial:.2f} -> min {ph.minimum:.2f} -> {ph.late_mean:.3f}; period-2 share "
                f"{spectrum.period_two:.2f} (c = {spectrum.c:g})")
    return Outcome("s = ηλ/2 -> 1, spectrum peak at 1/2", measured, "see the module docstring",
                   all(checks.values()), None, details)


def cnn_multi_point(full: bool) -> MultiPoint:
    """Song & Yun's multi-point experiment for the CNN of ``kalra/cnn`` (SP): the data, loss and
    run sizes of ``song-yun/multi-point`` (:func:`~bifurc.nets.song_yun.digits_objective`), the
    network replaced."""
    base = digits_objective()
    objective = Objective(SETUPS["cnn"].build("standard"), base.data, base.loss)
    if full:
        return multi_point(objective, seeds=(0, 1, 2), q0s=(0.6, 0.75, 0.9), steps=1000, split=250)
    return multi_point(objective, seeds=(0, 1), q0s=(0.7, 0.9), steps=500, split=200)


@check("kalra/cnn", PAPER, "a small CNN on digits (SP): early sharpness reduction, sharpening to 2/η, EoS "
       "with an oscillating loss and a period-2 sharpness spectrum; μP measured", full_only=True)
def kalra_cnn(settings: Settings) -> Outcome:
    """Two stride-2 3×3 convolutions (4 channels), flattened head, c = 1.5; see the module docstring."""
    return _outcome("cnn", settings)


@check("kalra/resnet", PAPER, "a small ResNet on digits (SP): sharpening to 2/η, EoS with a period-2 "
       "sharpness spectrum; μP and larger η measured", full_only=True)
def kalra_resnet(settings: Settings) -> Outcome:
    """Convolutional stem and two residual blocks (4 channels), global-average head, c = 0.5."""
    return _outcome("resnet", settings)


def _register_controls(name: str) -> None:
    cid = f"kalra/{name}"

    def small(settings: Settings) -> Outcome:
        return _outcome(name, settings, sp=_small_step_run(name, "full" if settings.full else "quick"))

    def shuffled(settings: Settings) -> Outcome:
        return _outcome(name, settings, shuffle=True)

    def edge(settings: Settings, relative: float) -> Outcome:
        return _outcome(name, settings, edge=1 + relative)

    control(cid, f"SP at c = {SMALL_C[name]} (never reaches 2/η) at the edge")(small)
    control(cid, "the sharpness series shuffled in time (no period 2)")(shuffled)
    resolution(cid, "2 (the edge 2/η)", high=0.5)(edge)


for _name in SETUPS:
    _register_controls(_name)
