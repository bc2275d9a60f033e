"""The checks, one module per paper; importing this package registers them all."""

from . import kalra, song_yun, zhu  # noqa: F401
