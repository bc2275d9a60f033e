"""What ``bifurc derive MODEL`` prints: a model's derived map, fixed points, multipliers and series."""

from __future__ import annotations

import json
from collections.abc import Callable

import sympy as sp

from ..jsonready import plain
from ..losses import get as get_loss
from .alignment import alignment
from .kalra import cubic_map, uv_fixed_point_labels, uv_model
from .model import ReducedModel
from .numeric_solutions import NumericSolutions, numeric_fixed_points, numeric_period_two
from .second_order_regression import scaled_second_order_regression
from .self_stabilization import self_stabilization
from .song_yun import canonical_map, single_neuron, two_layer_linear
from .symbolic import fixed_points, period_two
from .two_step_updates import two_step_updates
from .zhu import degree2, minimalist, two_step

__all__ = ["MODELS", "SEARCH_BOXES", "derive", "derive_reduced", "to_latex", "to_json", "build"]

#: Model names accepted by :func:`derive`; those taking a loss are marked.
MODELS: dict[str, tuple[Callable[..., ReducedModel], bool]] = {
    "canonical": (canonical_map, True),
    "two_layer_linear": (two_layer_linear, True),
    "single_neuron_tanh": (lambda loss: single_neuron(loss, "tanh"), True),
    "single_neuron_elu": (lambda loss: single_neuron(loss, "elu"), True),
    "minimalist": (minimalist, False),
    "degree2": (degree2, False),
    "uv_sp": (lambda: uv_model("sp"), False),
    "uv_mup": (lambda: uv_model("mup"), False),
    "cubic": (cubic_map, False),
    "two_step_updates": (two_step_updates, False),
    "self_stabilization": (self_stabilization, False),
    "second_order_regression": (scaled_second_order_regression, False),
}

#: 2D models whose 2-cycles sympy does not solve in minutes: searched numerically only.
NUMERIC_PERIOD_TWO = ("second_order_regression",)


#: Where :func:`derive` searches numerically (Newton, at the default parameters) for the 2D
#: fixed points and 2-cycles sympy cannot solve; (low, high) per state variable.
SEARCH_BOXES: dict[str, tuple[tuple[float, float], ...]] = {
    "two_layer_linear": ((-3.0, 3.0), (0.05, 3.0)),
    "single_neuron_tanh": ((-2.0, 2.0), (-2.0, 2.0)),
    "single_neuron_elu": ((-2.0, 2.0), (-2.0, 2.0)),
    "minimalist": ((-4.0, 4.0), (-4.0, 4.0)),
    "degree2": ((-4.0, 4.0), (-4.0, 4.0)),
    "uv_sp": ((-30.0, 30.0), (-10.0, 60.0)),
    "uv_mup": ((-30.0, 30.0), (-10.0, 60.0)),
    "second_order_regression": ((-1.0, 1.0), (-2.0, 2.0)),
}


def _numeric(solutions: NumericSolutions, state: list[str]) -> dict[str, object]:
    """Numeric solutions as data: parameters, tolerance reached, and each orbit's points and type."""

    def number(z: complex) -> object:
        return float(z.real) if abs(z.imag) <= 1e-12 * (1 + abs(z)) else str(complex(z))

    return {"method": "numeric (Newton)", "parameters": solutions.params,
            "tolerance reached": solutions.tolerance,
            "orbits": [{"points": [dict(zip(state, map(float, pt))) for pt in o.points],
                        "multipliers": [number(z) for z in o.multipliers], "type": o.kind}
                       for o in solutions.orbits]}


def build(model_name: str, loss_expr: str | None = None) -> ReducedModel:
    """The model called ``model_name`` (with the loss ``loss_expr`` where it takes one).

    Raises
    ------
    ValueError
        If the model name is unknown, or the loss is invalid.
    """
    if model_name not in MODELS:
        raise ValueError(f"unknown model {model_name!r} (models: {', '.join(MODELS)})")
    factory, takes_loss = MODELS[model_name]
    if not takes_loss:
        return factory()
    return factory(get_loss(loss_expr or "logcosh"))


def derive(model_name: str, loss_expr: str | None = None) -> dict[str, object]:
    """The derivation of a model as data: every value a sympy object.

    Parameters
    ----------
    model_name
        One of :data:`MODELS`.
    loss_expr
        A catalogued loss name or a formula in ``p`` (models that take a loss; default
        ``logcosh``). Ignored by the others.

    Returns
    -------
    dict
        ``"model"``, ``"state"``, ``"parameters"`` (defaults), ``"derivation"`` (list of
        (step, expression)), ``"map"`` (state -> update), ``"fixed_points"`` (list of
        (point, eigenvalues)), ``"unsolved_fixed_point_systems"``, and where they apply
        ``"numeric_fixed_points"`` (2D systems sympy cannot solve, solved by Newton at the
        default parameters in :data:`SEARCH_BOXES`, with the tolerance reached),
        ``"fixed_point_labels"`` (the UV model's I-IV), ``"period_two"`` (1D: condition,
        points, multiplier; 2D: condition, orbits with their multipliers, unsolved parts),
        ``"numeric_period_two"``, ``"alignment"`` (h, h(0), q*, limiting sharpness),
        ``"two_step"`` and ``"results"``.

    Raises
    ------
    ValueError
        If the model name is unknown, or the loss is invalid.

    Examples
    --------
    The cubic map θ(1 + 2ηab - 2ηa²θ²) has three fixed points, θ = 0 and θ = ±√(b/a):

    >>> from bifurc.eos import derive
    >>> data = derive("cubic")
    >>> data["state"], len(data["fixed_points"])
    (['theta'], 3)
    """
    model = build(model_name, loss_expr)
    solved, unsolved = fixed_points(model)
    out: dict[str, object] = {
        "model": model.name,
        "state": list(model.map.state),
        "parameters": dict(model.map.params),
        "derivation": list(model.derivation),
        "map": model.updates,
        "fixed_points": [(fp.point, fp.eigenvalues) for fp in solved],
        "unsolved_fixed_point_systems": list(unsolved),
        "results": dict(model.results),
    }
    state = list(model.map.state)
    box = SEARCH_BOXES.get(model_name)
    if unsolved and box is not None:
        out["numeric_fixed_points"] = _numeric(numeric_fixed_points(model, box), state)
    if model_name.startswith("uv_"):
        out["fixed_point_labels"] = {name: fp.point
                                     for name, fp in uv_fixed_point_labels(model_name[3:]).items()}
    if model.map.dim == 1:
        orbit = period_two(model)
        out["period_two"] = {"condition": orbit.condition, "points": orbit.points,
                             "multiplier": orbit.multiplier}
    elif model.map.dim == 2 and model_name in NUMERIC_PERIOD_TWO:
        out["numeric_period_two"] = _numeric(numeric_period_two(model, box), state)
    elif model.map.dim == 2:
        orbit = period_two(model)
        out["period_two"] = {"condition": orbit.condition,
                             "orbits": [{"points": c.points, "multipliers": c.multipliers, "free": c.free}
                                        for c in orbit.orbits],
                             "unsolved": orbit.unsolved}
        if orbit.unsolved and box is not None:
            out["numeric_period_two"] = _numeric(numeric_period_two(model, box), state)
    loss = get_loss(loss_expr or "logcosh") if MODELS[model_name][1] else None
    if model_name in ("canonical", "two_layer_linear") and not loss.is_squared:
        a = alignment(loss)
        out["alignment"] = {"h(p)": a.h, "h(0)": a.h0, "q*": a.q_star,
                            "limiting sharpness": a.limiting_sharpness}
    if model_name in ("minimalist", "degree2"):
        t = two_step(model)
        out["two_step"] = {"a (sigma e)": t.a, "b (e^2 drift)": t.b, "c (e^3)": t.c, "curve": t.curve}
    return out


def derive_reduced(output: str, params: str, coordinates: str, loss: str | None = None,
                   constants: str | None = None, steps: str | None = None,
                   closing: bool = False) -> dict[str, object]:
    """The derivation of a user's model by :func:`~bifurc.eos.reduce`, as data like :func:`derive`'s.

    Parameters
    ----------
    output, params, coordinates, constants
        As for :func:`~bifurc.eos.reduce`, as text (``"u*v"``, ``"u,v"``, ``"f=u*v,lam=u**2+v**2"``).
    loss
        A catalogued loss or a formula in ``p`` (default squared).
    steps
        Step multipliers as ``"u=n,v=n"``.
    closing
        Add the leftover quantities as coordinates until the update closes.

    Returns
    -------
    dict
        ``"model"``, ``"state"``, ``"parameters"``, ``"derivation"``, ``"map"`` and ``"results"``.

    Raises
    ------
    InputError
        If the input is bad, or the update does not close (:class:`~bifurc.eos.NotClosed`).
    """
    from .reduction import assignments, reduce

    model = reduce(output, params, coordinates, loss=loss or "squared", constants=constants,
                   steps=assignments(steps, "--steps") if steps else None, closing=closing)
    return {"model": model.name, "state": list(model.map.state), "parameters": dict(model.map.params),
            "derivation": list(model.derivation), "map": model.updates, "results": dict(model.results)}


def _expression_as_text(value: object) -> object:
    return str(value) if isinstance(value, sp.Basic) else value


def to_json(data: dict[str, object]) -> str:
    """The output of :func:`derive` as JSON, expressions as sympy strings.

    Examples
    --------
    >>> import json
    >>> from bifurc.eos import derive, to_json
    >>> json.loads(to_json(derive("cubic")))["parameters"]
    {'eta': 0.1, 'a': 1.0, 'b': 1.0}
    """
    return json.dumps(plain(data, _expression_as_text), indent=2, ensure_ascii=False)


def _tex(value: object) -> str:
    """One value of :func:`derive` as LaTeX: expressions, points (dicts), lists, text."""
    if isinstance(value, sp.Basic):
        return sp.latex(value)
    if isinstance(value, dict):
        return "\\left(" + ", ".join(f"{_tex(k)} = {_tex(v)}" for k, v in value.items()) + "\\right)"
    if isinstance(value, (list, tuple)):
        return ", ".join(_tex(v) for v in value)
    if isinstance(value, str):
        return "\\text{" + value.replace("_", "\\_") + "}"
    return str(value)


def to_latex(data: dict[str, object]) -> str:
    """The output of :func:`derive` as a LaTeX fragment (one ``align*`` block per section).

    Examples
    --------
    >>> from bifurc.eos import derive, to_latex
    >>> text = to_latex(derive("cubic"))
    >>> text.splitlines()[0], text.count("begin{align*}") == text.count("end{align*}") > 0
    ('% bifurc derive cubic_eos', True)
    """
    lines = [f"% bifurc derive {data['model']}"]
    for key, value in data.items():
        if key in ("model", "state", "parameters"):
            continue
        if isinstance(value, dict):
            rows = [f"{_tex(k)} &: {_tex(v)}" for k, v in value.items()]
        else:
            rows = [" &: ".join(_tex(part) for part in item) if isinstance(item, tuple) else _tex(item)
                    for item in value]
        lines += [f"\\paragraph{{{key.replace('_', ' ')}}}", "\\begin{align*}",
                  " \\\\\n".join(rows) or "\\text{none}", "\\end{align*}"]
    return "\n".join(lines)
