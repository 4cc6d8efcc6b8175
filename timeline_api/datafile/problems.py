"""What is wrong with a data file: each problem with its place, and how many more there were."""

from __future__ import annotations

from dataclasses import dataclass

# Enough to fix a file by; a million broken lines would only bury the first ones.
SHOWN = 100


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file: where (a JSON pointer, and a line or row) and why."""

    pointer: str
    detail: str
    place: str | None = None  # "line 7", "row 3": where the file has lines or rows

    def __str__(self) -> str:
        where = f"{self.place}: " if self.place else ""
        return f"{where}{self.pointer or '/'}: {self.detail}"


class DatasetError(Exception):
    """A file that cannot be loaded; nothing was written.

    `problems` holds the first SHOWN problems; `omitted` counts the others.
    """

    def __init__(self, problems: list[Problem], omitted: int = 0) -> None:
        self.problems = problems
        self.omitted = omitted
        super().__init__(f"{self.count} problem(s) in the data file")

    @property
    def count(self) -> int:
        return len(self.problems) + self.omitted


class ProblemLog:
    """Problems as a check finds them: the first SHOWN kept, the rest counted."""

    def __init__(self, shown: int = SHOWN) -> None:
        self.shown = shown
        self.problems: list[Problem] = []
        self.omitted = 0
        self._seen: set[Problem] = set()

    def add(self, problem: Problem) -> None:
        if problem in self._seen:
            return
        if len(self.problems) < self.shown:
            self.problems.append(problem)
            self._seen.add(problem)
        else:
            self.omitted += 1

    def __bool__(self) -> bool:
        return bool(self.problems)

    def raise_any(self) -> None:
        """Raise DatasetError when anything was found."""
        if self.problems:
            raise DatasetError(self.problems, self.omitted)
