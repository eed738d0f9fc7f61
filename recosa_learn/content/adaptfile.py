"""Reading and validating country adaptations (``adaptations/<cc>/adaptation.yaml``) against their base course."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .documents import (
    COUNTRIES,
    ActivityDoc,
    AdaptationDoc,
    CourseDoc,
    ModuleDoc,
    Override,
)
from .fields import Reader, Source, check_unique, read_i18n, suggestion
from .lessons import check_images
from .paths import TEXT_FIELDS, child_lists, locate
from .quizfile import read_attempts, read_question
from .yamlsource import LineDict

ADAPTATION_FILE = "adaptation.yaml"
ADAPTATION_FIELDS = ("country", "title", "summary", "overrides")
OVERRIDE_FIELDS = ("target", "after", "first_in", "base_hash", "replace", "hide", "settings", "add")
HASH_RE = re.compile(r"^[0-9a-f]{16}$")
ADDABLE = ("module", "activity", "question")
#: what ``first_in`` may name, and the kind of item then added first in it
FIRST_IN = {"module": "activity", "quiz": "question"}


def read_adaptations(src: Source, course_path: Path, course: CourseDoc, root: Path) -> list[AdaptationDoc]:
    """Every ``adaptations/<cc>/adaptation.yaml`` of the course, checked against ``course``."""
    folder = course_path / "adaptations"
    if not folder.is_dir():
        return []
    from .parser import _read_yaml, _relative

    result = []
    for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
        path = sub / ADAPTATION_FILE
        asrc = src.with_file(_relative(path, root))
        if sub.name not in COUNTRIES:
            asrc.error(1, f'adaptation folder "{sub.name}" is not a country code ({", ".join(COUNTRIES)})'
                          f"{suggestion(sub.name, COUNTRIES)}")
            continue
        if not path.is_file():
            if not any(sub.iterdir()):
                continue  # an empty folder (git does not even keep it) is an adaptation not started yet
            asrc.error(1, f"missing file {ADAPTATION_FILE} for the {sub.name.upper()} adaptation")
            continue
        data = _read_yaml(asrc, path)
        if isinstance(data, LineDict):
            result.append(read_adaptation(asrc, data, course, sub, course_path, root))
        elif data is not None:
            asrc.error(1, "adaptation.yaml must be a mapping of fields")
    return result


def read_adaptation(src: Source, data: LineDict, course: CourseDoc, folder: Path, course_path: Path,
                    root: Path) -> AdaptationDoc:
    """One adaptation; every override is checked against the base course and the overrides before it."""
    reader = Reader(src, data, "the adaptation", ADAPTATION_FIELDS)
    country = reader.string("country") or folder.name.upper()
    if country.lower() != folder.name:
        src.error(reader.line("country"), f'country "{country}" does not match the folder "{folder.name}"')
    doc = AdaptationDoc(country=folder.name.upper(), title=reader.text("title", False, ()),
                        summary=reader.text("summary", False, ()), path=folder, file=src.file, line=data.line)
    state = _State(course, folder, course_path, root)
    for m, _ in reader.items("overrides"):
        override = _read_override(src, m, state)
        if override is not None:
            doc.overrides.append(override)
            doc.images.extend(i for i in state.new_images if i not in doc.images)
        state.new_images = []
    return doc


class _State:
    """What earlier overrides did, so later ones can be checked for consistency."""

    def __init__(self, course: CourseDoc, folder: Path, course_path: Path, root: Path):
        self.course, self.folder, self.course_path, self.root = course, folder, course_path, root
        self.actions: dict[str, dict[str, int]] = {}  #: target -> action ("hide", "settings", field) -> line
        self.hidden: dict[str, int] = {}
        self.added: dict[str, str] = {}  #: path of a local item -> its kind
        self.added_items: dict[str, object] = {}  #: path of a local item -> the item
        self.new_images: list[str] = []

    def kind_of(self, path: str) -> str | None:
        found = locate(self.course, path)
        return found.kind if found else self.added.get(path)

    def container_of(self, path: str) -> str | None:
        """``"module"`` or ``"quiz"`` when ``path`` (base or local) is one, else None (what ``first_in`` names)."""
        found = locate(self.course, path)
        kind, obj = (found.kind, found.obj) if found else (self.added.get(path), self.added_items.get(path))
        if kind == "module":
            return "module"
        if kind == "activity" and getattr(obj, "type", None) == "quiz" and getattr(obj, "quiz", None) is not None:
            return "quiz"
        return None

    def child_keys(self, path: str) -> set[str]:
        """Keys already used inside the module or quiz at ``path`` (base and local)."""
        found = locate(self.course, path)
        obj = found.obj if found else self.added_items.get(path)
        keys = {getattr(item, "key", None) for kind, items in child_lists(obj) if kind in ADDABLE
                for item in items} if obj is not None else set()
        keys.update(p[len(path) + 1:] for p in self.added if p.rpartition("/")[0] == path)
        return keys

    def sibling_keys(self, path: str) -> set[str]:
        """Keys already used next to the item at ``path`` (base and local)."""
        parent = path.rpartition("/")[0]
        found = locate(self.course, path)
        keys = {getattr(item, "key", None) for item in found.siblings} if found else set()
        prefix = f"{parent}/" if parent else ""
        keys.update(p[len(prefix):] for p in self.added if p.rpartition("/")[0] == parent)
        return keys


def _read_override(src: Source, m: LineDict, state: _State) -> Override | None:
    reader = Reader(src, m, "an override", OVERRIDE_FIELDS)
    override = Override(file=src.file, line=m.line)
    anchors = [name for name in ("target", "after", "first_in") if reader.has(name)]
    if len(anchors) != 1:
        src.error(m.line, 'an override needs one of "target" (to change an item), "after" or "first_in" '
                          "(to add one)")
        return None
    if anchors[0] == "first_in":
        return _read_first_addition(src, reader, override, state)
    if reader.has("after"):
        return _read_addition(src, reader, override, state)
    override.target = reader.string("target")
    if override.target is None:
        return None
    reader.what = f'the override of "{override.target}"'
    found = locate(state.course, override.target)
    if found is None:
        kind = "a local item: edit it where it is added" if override.target in state.added else "not in the base course"
        src.error(reader.line("target"), f'target "{override.target}" is {kind}')
        return None
    if reader.has("add"):
        src.error(reader.line("add"), f'{reader.what}: "add" goes with "after", not with "target"')
    override.base_hash = _read_hashes(src, reader)
    override.hide = bool(reader.boolean("hide", False))
    replace = reader.mapping("replace")
    if replace is not None:
        override.replace = _read_replace(src, replace, found, reader.what, state)
    settings = reader.mapping("settings")
    if settings is not None:
        override.settings = _read_settings(src, settings, found, reader.what, state.course)
    actions = (["hide"] if override.hide else []) + list(override.replace) + (["settings"] if settings else [])
    if not actions:
        src.error(m.line, f'{reader.what} does nothing: give "replace", "hide: true" or "settings"')
    elif override.hide and len(actions) > 1:
        src.error(reader.line("hide"), f"{reader.what}: a hidden item cannot also be replaced or given settings")
    _check_consistency(src, override.target, actions, m.line, reader.what, state)
    return override


def _check_consistency(src: Source, target: str, actions: list[str], line: int, what: str, state: _State) -> None:
    """No item hidden and changed, no field replaced twice, nothing changed inside a hidden item."""
    done = state.actions.setdefault(target, {})
    for action in actions:
        if action in done:
            src.error(line, f'{what}: "{action}" was already overridden at line {done[action]}')
        elif (action == "hide" and done) or (action != "hide" and "hide" in done):
            first = min(done.values())
            src.error(line, f'{what}: the item is both hidden and changed (see line {first})')
        done.setdefault(action, line)
    parts = target.split("/")
    for depth in range(1, len(parts)):
        ancestor = "/".join(parts[:depth])
        if ancestor in state.hidden:
            src.error(line, f'{what}: "{ancestor}" is hidden (line {state.hidden[ancestor]})')
    if "hide" in actions:
        state.hidden[target] = line


def _read_hashes(src: Source, reader: Reader) -> dict[str, str]:
    value = reader.mapping("base_hash")
    if value is None:
        return {}
    hashes = {}
    for lang, digest in value.items():
        if lang not in src.languages or not isinstance(digest, str) or not HASH_RE.match(digest):
            src.error(value.line_of(lang), f'{reader.what}: base_hash entries are "<language>: <16 hex digits>"')
        else:
            hashes[lang] = digest
    return hashes


def _read_replace(src: Source, replace: LineDict, found, what: str, state: _State) -> dict:
    allowed = TEXT_FIELDS[found.kind]
    if found.kind == "activity" and found.obj.type != "lesson":
        allowed = ("title",)
    result = {}
    for name, value in replace.items():
        line = replace.line_of(name)
        if name not in allowed:
            options = ", ".join(allowed) or "nothing"
            src.error(line, f'{what}: a {found.kind} has no replaceable field "{name}" (replaceable: {options})'
                            f"{suggestion(name, allowed)}")
            continue
        texts = read_i18n(src, value, line, f'"{name}" of {what}', ())
        if name == "body":
            for lang, text in texts.items():
                first = value.line_of(lang) + (1 if "\n" in text else 0)
                state.new_images.extend(check_images(src, text, state.folder, state.course_path, first))
        if texts:
            result[name] = texts
    return result


def _read_settings(src: Source, settings: LineDict, found, what: str, course: CourseDoc) -> dict:
    if found.kind != "activity" or found.obj.type != "quiz":
        src.error(settings.line, f"{what}: only a quiz has settings")
        return {}
    reader = Reader(src, settings, f"the settings of {what}", ("pass_mark", "attempts"))
    result: dict = {}
    base_mark = found.obj.quiz.settings.pass_mark
    base_mark = course.completion.pass_mark if base_mark is None else base_mark
    if reader.has("pass_mark"):
        mark = reader.number("pass_mark", None, 0, 100)
        if mark is not None and mark < base_mark:
            src.error(reader.line("pass_mark"), f"{reader.what}: pass_mark may only be raised "
                                                f"(the base course asks {base_mark:g})")
        elif mark is not None:
            result["pass_mark"] = mark
    if reader.has("attempts"):
        before = len(src.problems)
        attempts = read_attempts(reader)
        if len(src.problems) == before:
            result["attempts"] = attempts
    return result


def _refuse_change_fields(src: Source, reader: Reader, anchor: str) -> None:
    """An added item carries no change of an existing one."""
    for name in ("base_hash", "replace", "hide", "settings"):
        if reader.has(name):
            src.error(reader.line(name), f'{reader.what}: "{name}" goes with "target", not with "{anchor}"')


def _read_added(src: Source, reader: Reader, override: Override, state: _State, kind: str, anchor: str,
                parent: str, taken: Callable[[], Any]) -> Override | None:
    """The ``add`` mapping of an addition under ``parent`` (``taken()``: the keys already used there)."""
    m = reader.mapping("add", required=True)
    if m is None:
        return None
    item = _read_added_item(src, m, kind, anchor, state)
    if item is None:
        return None
    if item.key in taken():
        src.error(m.line_of("key"), f'{reader.what}: key "{item.key}" is already used in the same place')
        return None
    path = f"{parent}/{item.key}" if parent else item.key
    state.added[path], state.added_items[path] = kind, item
    override.add = item
    return override


def _read_addition(src: Source, reader: Reader, override: Override, state: _State) -> Override | None:
    override.after = reader.string("after")
    if override.after is None:
        return None
    reader.what = f'the item added after "{override.after}"'
    _refuse_change_fields(src, reader, "after")
    kind = state.kind_of(override.after)
    if kind is None:
        src.error(reader.line("after"), f'"after" names "{override.after}", which is not in the course')
        return None
    if kind not in ADDABLE:
        src.error(reader.line("after"), f'{reader.what}: only modules, activities and questions can be added')
        return None
    after = override.after
    return _read_added(src, reader, override, state, kind, after, after.rpartition("/")[0],
                       lambda: state.sibling_keys(after))


def _read_first_addition(src: Source, reader: Reader, override: Override, state: _State) -> Override | None:
    """An item added first in a module (an activity) or a quiz (a question): ``first_in: <path>``."""
    override.first_in = reader.string("first_in")
    if override.first_in is None:
        return None
    reader.what = f'the item added first in "{override.first_in}"'
    _refuse_change_fields(src, reader, "first_in")
    if state.kind_of(override.first_in) is None:
        src.error(reader.line("first_in"), f'"first_in" names "{override.first_in}", which is not in the course')
        return None
    container = state.container_of(override.first_in)
    if container is None:
        src.error(reader.line("first_in"), f'{reader.what}: "first_in" names a module or a quiz')
        return None
    first_in = override.first_in
    return _read_added(src, reader, override, state, FIRST_IN[container], f"{first_in}/", first_in,
                       lambda: state.child_keys(first_in))


def _read_added_item(src: Source, m: LineDict, kind: str, after: str, state: _State):
    """The added item of ``kind``; ``after`` is its anchor path (or "<parent>/" when it is added first)."""
    from .parser import read_activity

    if kind == "question":
        quiz_path = after.rpartition("/")[0]
        quiz = locate(state.course, quiz_path)
        if quiz is not None and quiz.obj.format == "gift":
            lang = quiz.obj.gift_language
            src = src.with_file(src.file, required_languages=(lang,), default_language=lang)
        return read_question(src, m)
    if kind == "activity":
        activity = read_activity(src, m, state.folder, state.course_path, state.root, inline=True)
        if activity is not None:
            state.new_images.extend(activity.images)
        return activity
    return _read_added_module(src, m, state)


def _read_added_module(src: Source, m: LineDict, state: _State) -> ModuleDoc | None:
    from .parser import read_activity

    reader = Reader(src, m, "the added module", ("key", "title", "summary", "activities"))
    key = reader.key()
    module = ModuleDoc(key=key or "", title=reader.text("title"), summary=reader.text("summary", False),
                       file=src.file, line=m.line)
    items = reader.items("activities", required=True, minimum=1)
    for item, _ in items:
        activity: ActivityDoc | None = read_activity(src, item, state.folder, state.course_path, state.root,
                                                        inline=True)
        if activity is not None:
            module.activities.append(activity)
            state.new_images.extend(activity.images)
    check_unique(src, [(item.get("key"), item.line) for item, _ in items], "activity")
    return module if key else None
