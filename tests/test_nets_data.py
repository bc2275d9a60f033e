"""Training sets: unit-norm inputs, deterministic choices, the optional digits subset."""

import numpy as np
import pytest

from bifurc import losses, nets


def test_one_point_and_synthetic_have_unit_inputs_and_are_seeded():
    x = nets.one_point(5, target=2.0, seed=3)
    assert x.X.shape == (1, 5) and x.y.tolist() == [2.0]
    s = nets.synthetic(50, 8, seed=1)
    assert np.allclose(np.linalg.norm(s.X, axis=1), 1, rtol=0, atol=1e-15)
    assert set(s.y) == {-1.0, 1.0} and np.array_equal(s.X, nets.synthetic(50, 8, seed=1).X)


def test_digits_two_class_subset():
    pytest.importorskip("sklearn")
    d = nets.digits(n=200, classes=(3, 8), seed=0)
    assert d.X.shape == (200, 64) and set(d.y) == {-1.0, 1.0}
    assert np.allclose(np.linalg.norm(d.X, axis=1), 1, rtol=0, atol=1e-15)
    assert np.array_equal(d.X, nets.digits(n=200, classes=(3, 8), seed=0).X)
    net = nets.MLP(input_dim=64, width=16, depth=3)
    ev = nets.evaluate(nets.Objective(net, d, losses.logcosh), net.initial(0))
    assert ev.residual.shape == (200,) and nets.ntk_gram(ev).shape == (200, 200)
    with pytest.raises(ValueError, match="classes"):
        nets.digits(classes=(1, 1))


def test_objective_rejects_mismatched_dimensions():
    with pytest.raises(ValueError, match="dimension"):
        nets.Objective(nets.MLP(input_dim=3, width=4), nets.one_point(5), losses.logcosh)
