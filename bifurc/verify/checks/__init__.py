"""The checks, one module per paper; importing this package registers them all."""
