"""What the model back-ends share: curvature as LinearOperators, the EoS quantities and the recorder.

A back-end (:mod:`bifurc.torch`, :mod:`bifurc.jax`) supplies a :class:`~bifurc.backends.problem.Problem`:
its loss, gradient and products (Hessian, Gauss-Newton, NTK, third derivative) as float64
numpy vectors; everything here is written once on top of it, so the back-ends cannot differ
in what they measure. Importing this package imports neither torch nor jax.
"""
