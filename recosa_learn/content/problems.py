"""Problems found in a course tree, each pinned to a file and line so authors can fix them quickly."""
from __future__ import annotations

from dataclasses import dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the content: ``file`` is relative to the checked tree's root."""

    file: str
    line: int
    message: str
    level: str = ERROR

    def __str__(self) -> str:
        prefix = "warning: " if self.level == WARNING else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"


def has_errors(problems: list[Problem]) -> bool:
    """True when any problem is an error (warnings alone do not block an import)."""
    return any(p.level == ERROR for p in problems)
