"""Shared fixtures: reference constants from ../shared/MATH.md (section 8), the answer key."""

import math

import pytest

#: Feigenbaum's delta (MATH.md section 8).
FEIGENBAUM_DELTA = 4.669201609102990
#: Period doublings of the logistic map r1..r4 (MATH.md section 8).
LOGISTIC_DOUBLINGS = (3.0, 1 + math.sqrt(6), 3.544090359551922, 3.564407266095)
#: Henon (1.4, 0.3) Lyapunov exponents (MATH.md section 8), given to 4 decimals.
HENON_EXPONENTS = (0.4192, -1.6232)


@pytest.fixture(scope="session")
def logistic():
    import bifurc

    return bifurc.maps.logistic


@pytest.fixture(scope="session")
def henon():
    import bifurc

    return bifurc.maps.henon
