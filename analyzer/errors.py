"""The tool's own error for bad input: the CLI prints its message and exits 2, never a traceback."""


class InputError(Exception):
    """Input that cannot be read: the message names the file and, where it can, the line."""


class OutputError(InputError):
    """An output that cannot be written where it was asked (a bad --out): the message names the option and path.
    A kind of InputError, so the CLI reports it the same way (one line, exit 2)."""
