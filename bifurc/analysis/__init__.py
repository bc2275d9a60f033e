"""Analysis layer: plain functions of a :class:`~bifurc.Map`."""
