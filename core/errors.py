"""The one exception a user ever sees from the engine.

Every message is a single line that names what is wrong and how to fix it, so the
command line can print it to stderr and the GUI can put it in a dialog unchanged.
"""


class NetError(ValueError):
    """A net, a file or a typed expression that chainview refuses, with a one-line reason."""

    def __init__(self, message: str, *, field: str | None = None):
        message = " ".join(str(message).split())  # one line, always
        super().__init__(message)
        self.field = field

    @property
    def message(self) -> str:
        return self.args[0]


class ExpressionError(NetError):
    """A custom activation that does not parse or is not allowed.

    `column` is 1-based and points at the offending character (None when the whole
    text is at fault, e.g. too long), so an editor can put the cursor there.
    """

    def __init__(self, message: str, *, column: int | None = None, field: str | None = None):
        super().__init__(message, field=field)
        self.column = column
