"""bifurc.eos.reduce: reduced maps agree with brute-force GD; non-closure is refused and named.

Agreement is asserted to 1e-12 (relative) over 200 steps: the reduced map and GD in the
parameters compute the same numbers in different orders, so they differ by rounding, a few
ulps a step; the step sizes and starts are chosen where GD converges (no chaos to amplify it).
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from bifurc import InputError
from bifurc.eos import NotClosed, gram, ntk, reduce, residual, sharpness, sharpness_at_minimum

STEPS = 200
TOL = 1e-12  # rounding of 200 steps of a contracting map, each a few ulps


def iterate(model, start: dict, params: dict, steps: int = STEPS) -> np.ndarray:
    """The reduced map's orbit, evaluated from its derived expressions (lambdified)."""
    symbols = [*model.map.state_symbols, *model.map.param_symbols]
    step = sp.lambdify(symbols, list(model.map.updates), modules="numpy")
    values = dict(model.map.params) | params
    x = [float(start[s]) for s in model.map.state]
    orbit = [x]
    for _ in range(steps):
        x = [float(v) for v in step(*x, *(values[p] for p in model.map.params))]
        orbit.append(x)
    return np.array(orbit)


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.all(np.abs(a - b) <= TOL * (1 + np.abs(b))))


# --- scalar parameters ---------------------------------------------------------------------


def gd_uv(u: float, v: float, eta: float, y: float, slope, steps: int = STEPS) -> list:
    """GD on f = uv by hand: ∂f/∂u = v, ∂f/∂v = u."""
    out = [(u, v)]
    for _ in range(steps):
        g = slope(u * v - y)
        u, v = u - eta * g * v, v - eta * g * u
        out.append((u, v))
    return out


def test_uv_closes_in_output_and_kernel_and_agrees_with_gd():
    model = reduce("u*v", "u, v", {"f": "u*v", "lam": "u**2 + v**2"})
    f, lam = model.map.state_symbols
    eta, y = sp.symbols("eta y", real=True)
    # f' = f - η λ Δ + η² Δ² f, λ' = λ + η Δ (η λ Δ - 4 f), Δ = f - y (Kalra et al.'s UV map, c = 1)
    delta = f - y
    assert sp.expand(model.updates["f"] - (f - eta * lam * delta + eta**2 * delta**2 * f)) == 0
    assert sp.expand(model.updates["lam"] - (lam + eta * delta * (eta * lam * delta - 4 * f))) == 0
    rng = np.random.default_rng(0)
    for _ in range(5):
        u, v = rng.uniform(0.5, 1.5, 2)
        gd = np.array([(a * b, a * a + b * b) for a, b in gd_uv(u, v, 0.05, 1.0, lambda p: p)])
        assert close(iterate(model, {"f": u * v, "lam": u * u + v * v}, {"eta": 0.05}), gd)


def test_logcosh_canonical_coordinates_close_and_agree_with_gd():
    model = reduce("u*v", "u, v", {"p": "u*v - y", "q": "2/(eta*(u**2 + v**2))"}, loss="logcosh")
    rng = np.random.default_rng(1)
    eta, y = 0.1, 0.5
    for _ in range(5):
        u, v = rng.uniform(0.3, 1.5, 2)
        gd = np.array([(a * b - y, 2 / (eta * (a * a + b * b))) for a, b in gd_uv(u, v, eta, y, np.tanh)])
        start = {"p": gd[0, 0], "q": gd[0, 1]}
        assert close(iterate(model, start, {"eta": eta, "y": y}), gd)


def test_parameters_as_coordinates_any_activation():
    model = reduce("v*tanh(u*x)", "u, v", {"u": "u", "v": "v"}, constants="x", loss="logcosh")
    rng = np.random.default_rng(2)
    eta, x, y = 0.1, 0.7, 0.2
    for _ in range(3):
        u, v = rng.uniform(-1, 1, 2)
        orbit = [(u, v)]
        for _ in range(STEPS):
            s = np.tanh(u * x)
            g = np.tanh(v * s - y)
            u, v = u - eta * g * v * (1 - s * s) * x, v - eta * g * s
            orbit.append((u, v))
        assert close(iterate(model, {"u": orbit[0][0], "v": orbit[0][1]}, {"eta": eta, "x": x, "y": y}),
                     np.array(orbit))


def test_zhu_minimalist_closes_in_product_and_square_sum():
    # Zhu et al.'s ¼(1 - a²b²)²: output a²b², loss p²/4, target 1; their two-step map's invariants
    model = reduce("a**2*b**2", "a, b", {"P": "a*b", "S": "a**2 + b**2"}, loss="p**2/4")
    rng = np.random.default_rng(3)
    eta = 0.05
    for _ in range(3):
        a, b = rng.uniform(0.5, 1.2, 2)
        orbit = [(a * b, a * a + b * b)]
        for _ in range(STEPS):
            e = a * a * b * b - 1  # ∂L/∂a = e a b², ∂L/∂b = e a² b
            a, b = a - eta * e * a * b * b, b - eta * e * a * a * b
            orbit.append((a * b, a * a + b * b))
        assert close(iterate(model, {"P": orbit[0][0], "S": orbit[0][1]}, {"eta": eta}), np.array(orbit))


def test_fixed_target_frees_y_for_a_parameter():
    # Zhu et al.'s degree-2 model ½(1 - xy)²: the parameters are named x and y, the target is 1
    model = reduce("x*y", "x, y", {"x": "x", "y": "y"}, target=1)
    assert model.map.params == {"eta": 0.1}
    rng = np.random.default_rng(6)
    a, b = rng.uniform(0.5, 1.5, 2)
    gd = np.array(gd_uv(a, b, 0.05, 1.0, lambda p: p))
    assert close(iterate(model, {"x": a, "y": b}, {"eta": 0.05}), gd)


def test_per_parameter_steps():
    # u trained with step η n, v with η: the kernel is n v² + u²
    model = reduce("u*v", "u, v", {"f": "u*v", "lam": "n*v**2 + u**2"}, steps={"u": "n"}, constants="n")
    rng = np.random.default_rng(4)
    eta, n = 0.02, 3.0
    u, v = rng.uniform(0.5, 1.5, 2)
    orbit = [(u * v, n * v * v + u * u)]
    for _ in range(STEPS):
        d = u * v - 1.0
        u, v = u - eta * n * d * v, v - eta * d * u
        orbit.append((u * v, n * v * v + u * u))
    start = {"f": orbit[0][0], "lam": orbit[0][1]}
    assert close(iterate(model, start, {"eta": eta, "n": n}), np.array(orbit))


# --- matrix parameters of symbolic size ----------------------------------------------------

m, d = sp.symbols("m d", integer=True, positive=True)
U, v, x = sp.MatrixSymbol("U", m, d), sp.MatrixSymbol("v", m, 1), sp.MatrixSymbol("x", d, 1)


@pytest.fixture(scope="module")
def two_layer():
    f = v.T * U * x
    return reduce(f, [U, v], {"f": f, "lam": ntk(f, [U, v], constants=[x])}, constants=[x],
                  constraints={x.T * x: 1})


@pytest.mark.parametrize("width", [1, 3, 7])
def test_two_layer_linear_any_width_agrees_with_gd(two_layer, width):
    rng = np.random.default_rng(width)
    eta, y = 0.05, 1.0
    dim = 4
    xv = rng.normal(size=dim)
    xv /= np.linalg.norm(xv)
    Uv, vv = rng.normal(size=(width, dim)) / np.sqrt(width), rng.normal(size=width) / np.sqrt(width)
    orbit = []
    for _ in range(STEPS + 1):
        h = Uv @ xv
        f = vv @ h
        orbit.append((f, h @ h + vv @ vv))
        gU, gv = np.outer(vv, xv), h  # ∂f/∂U = v xᵀ, ∂f/∂v = U x
        Uv, vv = Uv - eta * (f - y) * gU, vv - eta * (f - y) * gv
    orbit = np.array(orbit)
    assert close(iterate(two_layer, {"f": orbit[0, 0], "lam": orbit[0, 1]}, {"eta": eta, "y": y}), orbit)


@pytest.mark.parametrize("width", [1, 3, 7])
@pytest.mark.parametrize("parameterization", ["sp", "mup"])
def test_uv_model_any_width_agrees_with_gd(width, parameterization):
    # Kalra et al.'s UV model f = c bᵀa: SP (c = 1/√n, step η) and μP (c = 1/n, step η n)
    n = sp.Symbol("n", integer=True, positive=True)
    a, b = sp.MatrixSymbol("a", n, 1), sp.MatrixSymbol("b", n, 1)
    width_symbol = sp.Symbol("n", positive=True)
    scale = 1 / sp.sqrt(width_symbol) if parameterization == "sp" else 1 / width_symbol
    multiplier = "1" if parameterization == "sp" else "n"
    out = scale * b.T * a
    steps = {"a": multiplier, "b": multiplier}
    model = reduce(out, [a, b], {"f": out, "lam": ntk(out, [a, b], steps, constants="n")},
                   steps=steps, constants="n")
    rng = np.random.default_rng(10 + width)
    eta, y = 0.05, 1.0
    c, m_ = (width**-0.5, 1.0) if parameterization == "sp" else (1.0 / width, float(width))
    av, bv = rng.normal(size=width), rng.normal(size=width)
    orbit = []
    for _ in range(STEPS + 1):
        f = c * bv @ av
        orbit.append((f, m_ * c * c * (av @ av + bv @ bv)))
        av, bv = av - eta * m_ * (f - y) * c * bv, bv - eta * m_ * (f - y) * c * av
    orbit = np.array(orbit)
    params = {"eta": eta, "y": y, "n": float(width)}
    assert close(iterate(model, {"f": orbit[0, 0], "lam": orbit[0, 1]}, params), orbit)


# --- refusals ------------------------------------------------------------------------------


def test_not_closed_names_the_missing_quantity():
    with pytest.raises(NotClosed, match=r"depends on u\*\*2 \+ v\*\*2") as info:
        reduce("u*v", "u, v", {"f": "u*v"})
    u_, v_ = sp.symbols("u v", real=True)
    assert info.value.leftover == (u_**2 + v_**2,)


def test_not_closed_matrix_names_the_inner_products():
    f = v.T * U * x
    with pytest.raises(NotClosed) as info:
        reduce(f, [U, v], {"f": f}, constants=[x], constraints={x.T * x: 1})
    (quantity,) = info.value.leftover
    assert {str(s) for s in quantity.free_symbols} == {"v.T*v", "x.T*U.T*U*x"}


def test_the_wrong_kernel_is_refused():
    # the wrong variant of the two-layer kernel, 2‖Ux‖² + ‖v‖², does not close (the words are independent)
    f = v.T * U * x
    wrong = 2 * sp.Trace(x.T * U.T * U * x) + sp.Trace(v.T * v)
    with pytest.raises(NotClosed):
        reduce(f, [U, v], {"f": f, "lam": wrong}, constants=[x], constraints={x.T * x: 1})


def test_a_local_but_irrational_closure_is_not_called_not_closed():
    # (uv, 2u² + v²) determine (u, v) up to roots: f' is locally a function of them but not a rational one
    with pytest.raises(InputError, match="not a rational one") as info:
        reduce("u*v", "u, v", {"f": "u*v", "lam": "2*u**2 + v**2"})
    assert not isinstance(info.value, NotClosed)


def test_closing_finds_the_kernel():
    model = reduce("u*v", "u, v", {"f": "u*v"}, closing=True)
    (added,) = model.results["added"]
    u_, v_ = sp.symbols("u v", real=True)
    assert added.lhs == sp.Symbol("z1") and sp.expand(added.rhs - (u_**2 + v_**2)) == 0
    rng = np.random.default_rng(5)
    a, b = rng.uniform(0.5, 1.5, 2)
    gd = np.array([(p * q, p * p + q * q) for p, q in gd_uv(a, b, 0.05, 1.0, lambda p: p)])
    assert close(iterate(model, {"f": gd[0, 0], "z1": gd[0, 1]}, {"eta": 0.05}), gd)


def test_closing_finds_two_invariants_of_a_deep_scalar_network():
    # f = uvw: the update needs Σu² and Σu²v² (symmetric in the three weights); both are found
    model = reduce("u*v*w", "u, v, w", {"f": "u*v*w"}, closing=True)
    u_, v_, w_ = sp.symbols("u v w", real=True)
    found = [sp.expand(eq.rhs) for eq in model.results["added"]]
    assert found == [u_**2 + v_**2 + w_**2, sp.expand(u_**2 * v_**2 + u_**2 * w_**2 + v_**2 * w_**2)]
    rng = np.random.default_rng(7)
    u, v, w = rng.uniform(0.6, 1.3, 3)
    eta, orbit = 0.05, []
    for _ in range(STEPS + 1):
        orbit.append((u * v * w, u * u + v * v + w * w, (u * v) ** 2 + (u * w) ** 2 + (v * w) ** 2))
        d = u * v * w - 1.0
        u, v, w = u - eta * d * v * w, v - eta * d * u * w, w - eta * d * u * v
    orbit = np.array(orbit)
    start = dict(zip(("f", "z1", "z2"), orbit[0]))
    assert close(iterate(model, start, {"eta": eta}), orbit)


def test_closing_gives_up_at_the_limit():
    with pytest.raises(NotClosed, match="after adding 0 coordinates"):
        reduce("u*v", "u, v", {"f": "u*v"}, closing=True, max_added=0)


@pytest.mark.parametrize("kwargs, message", [
    ({"output": "u*w"}, "output: .*unknown symbol .w."),
    ({"coordinates": {"f": "u*k"}}, "coordinate .f.: .*unknown symbol .k."),
    ({"coordinates": {"f": "y + 1"}}, "does not depend on the parameters"),
    ({"loss": "q**2"}, "loss"),
    ({"loss": "3"}, "not a function of the residual"),
    ({"coordinates": {"eta": "u"}}, "already a parameter"),
    ({"steps": {"w": 2}}, "not parameters"),
    ({"coordinates": "f u*v"}, "NAME=FORMULA"),
])
def test_bad_input_is_one_line(kwargs, message):
    args = {"output": "u*v", "params": "u, v", "coordinates": {"f": "u*v", "lam": "u**2 + v**2"}} | kwargs
    with pytest.raises(InputError, match=message) as info:
        reduce(**args)
    assert "\n" not in str(info.value)


def test_bad_matrix_input_is_one_line():
    f = v.T * U * x
    cases = [
        (lambda: reduce(f, [U, v], {"f": f}), "unknown symbols x"),
        (lambda: reduce(f, [U, v], {"f": f, "c": sp.Trace(x.T * x)}, constants=[x]),
         "coordinate 'c' .* does not depend on the parameters"),
        (lambda: reduce(f, [U, v], {"f": f, "lam": sp.Symbol("k") * sp.Trace(v.T * v)}, constants=[x]),
         "coordinate 'lam': unknown symbols k"),
        (lambda: reduce(U * x, [U, v], {"f": f}, constants=[x]), "1x1"),
    ]
    for call, message in cases:
        with pytest.raises(InputError, match=message) as info:
            call()
        assert "\n" not in str(info.value)


# --- helpers -------------------------------------------------------------------------------


def test_helpers():
    u_, v_, y_ = sp.symbols("u v y", real=True)
    assert sp.expand(ntk("u*v", "u, v") - (u_**2 + v_**2)) == 0
    assert residual("u*v", "u, v") == u_ * v_ - y_
    # logcosh: ℓ''(0) = 1, so at a minimum the sharpness is λ
    at_min = sharpness_at_minimum("u*v", "u, v", "logcosh")
    assert sp.simplify(at_min.subs({y_: u_ * v_}) - (u_**2 + v_**2)) == 0
    # at a minimum u = v = 1 (y = 1) the Hessian of ½(uv - 1)² is [[1, 1], [1, 1]]: eigenvalue 2
    assert sharpness("u*v", "u, v", {"u": 1, "v": 1, "y": 1}) == pytest.approx(2.0, abs=1e-14)
    # away from it the whole Hessian [[v², 2uv - y], [2uv - y, u²]] = [[4, 3], [3, 1]] at (1, 2), y = 1:
    # (5 + √45)/2; its Gauss-Newton part alone would give 5
    assert sharpness("u*v", "u, v", {"u": 1, "v": 2, "y": 1}) == pytest.approx((5 + 45**0.5) / 2, rel=1e-14)
    # with step multipliers (u at 4η) the Hessian is preconditioned: M^½ H M^½ = [[4, 2], [2, 1]] at (1, 1)
    assert sharpness("u*v", "u, v", {"u": 1, "v": 1, "y": 1}, steps={"u": 4}) == pytest.approx(5.0, rel=1e-14)
    a, b = sp.MatrixSymbol("a", m, 1), sp.MatrixSymbol("b", m, 1)
    assert set(gram(a=a, b=b)) == {"a_a", "a_b", "b_b"}


# --- command line --------------------------------------------------------------------------


def test_cli_derives_a_closing_model(capsys):
    import json

    from bifurc.cli import main

    assert main(["derive", "--output", "u*v", "--params", "u,v", "--coords", "f=u*v,lam=u**2+v**2",
                 "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    f, lam, eta, y = sp.symbols("f lam eta y")
    delta = f - y
    assert sp.expand(sp.sympify(data["map"]["f"]) - (f - eta * lam * delta + eta**2 * delta**2 * f)) == 0
    assert main(["derive", "--output", "u*v", "--params", "u,v", "--coords", "f=u*v", "--close",
                 "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"]["added"] == "(Eq(z1, u**2 + v**2),)"


def test_cli_steps_and_constants_are_those_of_the_api(capsys):
    import json

    from bifurc.cli import main

    coords = "f=c*u*v,lam=c**2*(2*v**2+u**2)"
    assert main(["derive", "--output", "c*u*v", "--params", "u,v", "--constants", "c", "--steps", "u=2",
                 "--coords", coords, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    model = reduce("c*u*v", "u, v", {"f": "c*u*v", "lam": "c**2*(2*v**2 + u**2)"}, steps={"u": 2},
                   constants="c")
    assert data["parameters"] == {"eta": 0.1, "y": 1.0, "c": 1.0}
    for key, update in model.updates.items():
        assert sp.expand(sp.sympify(data["map"][key]) - sp.sympify(str(update))) == 0


@pytest.mark.parametrize("argv, message", [
    (["--coords", "f=u*v"], "still depends on u**2 + v**2"),
    (["--coords", "f=u*k"], "unknown symbol 'k'"),
    (["--coords", "f=y"], "does not depend on the parameters"),
    (["--coords", "f=u*v", "--loss", "f**2"], "loss"),
    ([], "give --params and --coords"),
    (["--coords", "f=u*v", "--steps", "w=2"], "steps: w are not parameters"),
    (["--coords", "f=u*v", "--steps", "u"], "--steps: expected NAME=FORMULA"),
])
def test_cli_refusals_are_one_line_exit_2(capsys, argv, message):
    from bifurc.cli import main

    params = ["--params", "u,v"] if argv else []
    assert main(["derive", "--output", "u*v", *params, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_matrix_derivation_shows_the_steps():
    f = v.T * U * x
    coords = {"f": f, "lam": ntk(f, [U, v], constants=[x])}
    with pytest.raises(NotClosed, match=r"still depends on x\.T\*x$"):  # the data's norm, unless given
        reduce(f, [U, v], coords, constants=[x])
    model = reduce(f, [U, v], coords, constants=[x], constraints={x.T * x: 1})
    (_, steps) = model.derivation[1]
    assert [str(eq.lhs) for eq in steps] == ["U'", "v'"]  # equations, not sympy's False for U' = matrix
    assert steps[0].rhs.has(v * x.T) and steps[1].rhs.has(U * x)  # ∂f/∂U = v xᵀ, ∂f/∂v = U x
