"""Questions asked of the store. Each returns plain data (the JSON shapes of the CLI and web)."""


class NotFound(LookupError):
    """Nothing in the store matches (the message says what was looked for)."""


class Ambiguous(LookupError):
    """Several resources match; ``candidates`` lists them so the user can pick one."""

    def __init__(self, message: str, candidates: list[dict]):
        super().__init__(message)
        self.candidates = candidates
