"""The checks, one module per paper; importing this package registers them all."""

from . import (  # noqa: F401
    agarwala,
    architectures,
    chen_bruna,
    damian,
    fractal,
    kalra,
    lowell_kastner,
    networks,
    single_neuron,
    song_yun,
    zhu,
)
