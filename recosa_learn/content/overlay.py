"""Country adaptations applied to a base course, and how an adaptation stands after the base course changed."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

from .documents import AdaptationDoc, CourseDoc
from .hashing import item_hashes
from .paths import child_lists, locate, walk

UNTOUCHED = "untouched"
FOLLOWED = "followed"  #: changed upstream, not overridden: the country sees the new base text
LOCAL = "local"  #: overridden, base unchanged since the override was written
CONFLICT = "conflict"  #: overridden, and the base changed since: a trainer must look
ORPHANED = "orphaned"  #: the override's target was removed from the base
NEW = "new"  #: added to the base since the last import
ADDED_LOCALLY = "added_locally"


def resolve(base: CourseDoc, adaptation: AdaptationDoc) -> CourseDoc:
    """The course as learners of ``adaptation.country`` see it; ``base`` is left unchanged.

    Local items are inserted after their anchor (or first in their module or quiz, in file order), replacements
    merged per language, settings applied, then hidden items removed (so an anchor may be a hidden item).
    Overrides whose target is gone are skipped.
    """
    course = copy.deepcopy(base)
    course.adaptations = []
    course.title = {**course.title, **adaptation.title}
    course.summary = {**course.summary, **adaptation.summary}
    hidden = []
    firsts: dict[str, int] = {}  #: items already inserted first in a parent, so the next one goes after them
    for override in adaptation.overrides:
        if override.after is not None:
            anchor = locate(course, override.after)
            if anchor is not None and override.add is not None:
                index = anchor.siblings.index(anchor.obj)
                anchor.siblings.insert(index + 1, copy.deepcopy(override.add))
            continue
        if override.first_in is not None:
            items = _children_of(course, override.first_in)
            if items is not None and override.add is not None:
                index = firsts.get(override.first_in, 0)
                items.insert(index, copy.deepcopy(override.add))
                firsts[override.first_in] = index + 1
            continue
        found = locate(course, override.target)
        if found is None:
            continue
        for name, texts in override.replace.items():
            setattr(found.obj, name, {**getattr(found.obj, name), **texts})
        if "pass_mark" in override.settings:
            found.obj.quiz.settings.pass_mark = override.settings["pass_mark"]
        if "attempts" in override.settings:
            found.obj.quiz.settings.attempts = override.settings["attempts"]
        if override.hide:
            hidden.append(override.target)
    for path in hidden:
        found = locate(course, path)
        if found is not None:
            found.siblings.remove(found.obj)
    if isinstance(course.completion.required, list):
        course.completion.required = [p for p in course.completion.required if course.activity(p) is not None]
    return course


def _children_of(course: CourseDoc, path: str) -> list | None:
    """The activities of the module or the questions of the quiz at ``path`` (None for anything else)."""
    found = locate(course, path)
    if found is None or found.kind not in ("module", "activity"):
        return None
    lists = child_lists(found.obj)
    return lists[0][1] if lists else None


def added_path(override) -> str | None:
    """Where the item an ``add`` override brings ends up ("module/activity[/question]"), None for other overrides."""
    if override.add is None:
        return None
    if override.first_in is not None:
        return f"{override.first_in}/{override.add.key}"
    if override.after is None:
        return None
    parent = override.after.rpartition("/")[0]
    return f"{parent}/{override.add.key}" if parent else override.add.key


@dataclass
class ItemStatus:
    """Where one item stands for a country: ``status`` is one of the constants above."""

    path: str
    status: str
    languages: list[str] = field(default_factory=list)  #: languages whose base text changed


def _changed(old: dict, new: dict, languages=None) -> list[str]:
    langs = sorted(set(old) | set(new)) if languages is None else sorted(languages)
    return [lang for lang in langs if old.get(lang) != new.get(lang)]


def upstream_status(old_base_hashes: dict, new_base: CourseDoc, adaptation: AdaptationDoc) -> list[ItemStatus]:
    """Classify every item of the new base, every override target gone from it, and every local addition.

    ``old_base_hashes`` are ``item_hashes`` of the base as it was when the adaptation was last imported; an
    override's own ``base_hash``, when given, is what it was written against and wins for its languages.
    """
    new_hashes = item_hashes(new_base)
    overrides: dict[str, list] = {}
    for override in adaptation.overrides:
        if override.target is not None:
            overrides.setdefault(override.target, []).append(override)
    result = []
    for path, _kind, _obj in walk(new_base):
        new = new_hashes.get(path, {})
        if path not in old_base_hashes:
            result.append(ItemStatus(path, NEW, sorted(new)))
        elif path in overrides:
            changed = set()
            for override in overrides[path]:
                reference = {**old_base_hashes[path], **override.base_hash}
                watched = None
                if override.replace and not override.hide and not override.settings:
                    watched = {lang for texts in override.replace.values() for lang in texts}
                changed.update(_changed(reference, new, watched))
            result.append(ItemStatus(path, CONFLICT if changed else LOCAL, sorted(changed)))
        else:
            changed = _changed(old_base_hashes[path], new)
            result.append(ItemStatus(path, FOLLOWED if changed else UNTOUCHED, changed))
    for path in overrides:
        if path not in new_hashes:
            result.append(ItemStatus(path, ORPHANED))
    for override in adaptation.overrides:
        path = added_path(override)
        if path is not None:
            result.append(ItemStatus(path, ADDED_LOCALLY))
    return result
