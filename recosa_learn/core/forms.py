"""Small form helpers shared by every domain."""
from __future__ import annotations

from typing import Any, Iterable

from wtforms.fields import SelectChoice


def options(pairs: Iterable[tuple[str, Any]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the SelectChoice objects WTForms expects for select fields."""
    return [SelectChoice(value, label) for value, label in pairs]
