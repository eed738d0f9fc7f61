"""Addressing items of a course by their path of keys ("module/activity/question/option")."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from recosa_learn.quiz.model import Blank, Question, ScenarioNode

from .documents import ActivityDoc, CourseDoc, ModuleDoc

#: the translatable fields of each kind of item, the ones an adaptation may replace
TEXT_FIELDS = {
    "course": ("title", "summary", "audience"),
    "module": ("title", "summary"),
    "activity": ("title", "body"),
    "question": ("text", "general_feedback", "feedback_true", "feedback_false"),
    "option": ("text", "feedback"),
    "pair": ("prompt", "answer"),
    "item": ("text",),
    "blank": (),
    "node": ("text", "debrief"),
    "choice": ("text", "feedback"),
}


def child_lists(obj) -> list[tuple[str, list]]:
    """The lists of keyed children of an item, with the kind of their elements."""
    if isinstance(obj, CourseDoc):
        return [("module", obj.modules)]
    if isinstance(obj, ModuleDoc):
        return [("activity", obj.activities)]
    if isinstance(obj, ActivityDoc):
        return [("question", obj.quiz.questions)] if obj.quiz is not None else []
    if isinstance(obj, Question):
        return [("option", obj.options), ("pair", obj.pairs), ("item", obj.items), ("blank", obj.blanks),
                ("node", obj.nodes)]
    if isinstance(obj, Blank):
        return [("option", obj.options)]
    if isinstance(obj, ScenarioNode):
        return [("choice", obj.choices)]
    return []


@dataclass
class Located:
    """An item found by path: its kind, the object, the list holding it and its parent object."""

    kind: str
    obj: object
    siblings: list
    parent: object


def locate(course: CourseDoc, path: str) -> Located | None:
    """The item at ``path``, or None when any key along the way does not exist."""
    found, parent = None, course
    for key in path.split("/"):
        found = None
        for kind, items in child_lists(parent):
            match = next((item for item in items if item.key == key), None)
            if match is not None:
                found = Located(kind, match, items, parent)
                break
        if found is None:
            return None
        parent = found.obj
    return found


def walk(course: CourseDoc) -> Iterator[tuple[str, str, object]]:
    """Every item as ``(path, kind, object)``, the course itself first with path ""."""
    yield "", "course", course
    yield from _walk(course, "")


def walk_item(obj, kind: str) -> Iterator[tuple[str, str, object]]:
    """An item (of ``kind``) and everything inside it as ``(path relative to the item, kind, object)``, the item
    itself first with path ""."""
    yield "", kind, obj
    yield from _walk(obj, "")


def _walk(obj, prefix: str):
    for kind, items in child_lists(obj):
        for item in items:
            path = f"{prefix}/{item.key}" if prefix else item.key
            yield path, kind, item
            yield from _walk(item, path)
