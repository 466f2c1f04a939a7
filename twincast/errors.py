"""Errors a user can act on.

Every failure the user can fix is raised as `TwincastError` with one line
saying what is wrong and one saying what to do; the CLI prints both and exits
with status 2 instead of a traceback.
"""


class TwincastError(Exception):
    def __init__(self, problem: str, fix: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.fix = fix

    def __str__(self) -> str:
        return f"{self.problem} — {self.fix}" if self.fix else self.problem
