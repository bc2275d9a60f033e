"""The exception bifurc raises for bad input."""

__all__ = ["InputError"]


class InputError(ValueError):
    """A bad argument, formula or definition; the message names what is wrong.

    It is a :class:`ValueError`, so ``except ValueError`` catches it; the command line
    reports it in one line with exit status 2, and any other exception as an internal
    error with a traceback.

    Examples
    --------
    >>> import bifurc
    >>> issubclass(bifurc.InputError, ValueError)
    True
    >>> try:
    ...     bifurc.orbit(bifurc.maps.logistic, 0.5, n=0)
    ... except ValueError as error:
    ...     print(type(error).__name__)
    InputError
    """
