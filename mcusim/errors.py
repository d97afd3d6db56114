"""The one exception type that reaches the user as a message instead of a traceback."""


class McusimError(Exception):
    """A user's mistake or a firmware failure: the message is the whole report.

    ``exit_code`` is what the process exits with when this ends a command.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# Process exit codes of mcusim itself; a firmware that exits passes its own code through.
EXIT_BAD_INPUT = 2  # missing or malformed ELF or board, wrong architecture, does not fit
EXIT_FIRMWARE_FAULT = 70  # the firmware faulted (EX_SOFTWARE)
EXIT_NEVER_EXITED = 124  # cycle limit reached or hung with nothing to wake it (as timeout(1))
