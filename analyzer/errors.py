"""The tool's own error for bad input: the CLI prints its message and exits 2, never a traceback."""


class InputError(Exception):
    """Input that cannot be read: the message names the file and, where it can, the line."""
