"""Country adaptations as rows ↔ the course format's ``AdaptationDoc``, and where each override stands upstream.

Pure functions over documents and ``Override`` rows (no session use here): the status page, the conflict view and
publishing all go through ``overlay.resolve`` / ``overlay.upstream_status`` on the documents these build.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup, escape

from ..content import overlay
from ..content.adaptfile import read_adaptation
from ..content.documents import ActivityDoc, AdaptationDoc, CourseDoc, ModuleDoc
from ..content.documents import Override as OverrideDoc
from ..content.fields import Source
from ..content.hashing import item_hashes
from ..content.paths import TEXT_FIELDS, locate, walk_item
from ..content.writer import dump_yaml
from ..content.yamlsource import LineDict, load_yaml
from .models import Adaptation, Override

#: where added items' images would be looked up: web adaptations keep none on disk
_NOWHERE = Path("/nonexistent-adaptation")


def replaceable_fields(kind: str, obj) -> tuple[str, ...]:
    """The text fields a country may replace on an item (a quiz activity: only its title)."""
    allowed = TEXT_FIELDS.get(kind, ())
    if kind == "activity" and getattr(obj, "type", None) != "lesson":
        allowed = ("title",)
    return allowed


def added_kind(item) -> str:
    """What an added item is: ``"module"``, ``"activity"`` or ``"question"``."""
    return "module" if isinstance(item, ModuleDoc) else "activity" if isinstance(item, ActivityDoc) else "question"


def added_fields(item) -> list[tuple[str, str, str, object]]:
    """The texts of an added item and of everything in it, as ``(path inside the item, kind, field, object)``
    (a true-or-false question's feedback per answer only where it has one)."""
    result = []
    for sub, kind, obj in walk_item(item, added_kind(item)):
        for name in replaceable_fields(kind, obj):
            if name in ("feedback_true", "feedback_false") and getattr(obj, "type", None) != "true_false":
                continue
            result.append((sub, kind, name, obj))
    return result


def _source(base: CourseDoc, problems: list) -> Source:
    """Checks as adaptation.yaml gets them: an added item needs every language the course requires, so what is
    added on the web can be exported and imported again."""
    required = tuple(base.required_languages or [base.default_language])
    return Source("adaptation.yaml", problems, languages=tuple(base.languages), required_languages=required,
                  default_language=base.default_language)


def _anchor(row: Override) -> dict[str, str | None]:
    """Where an ``add`` row puts its item, as in adaptation.yaml: ``after`` an item, or ``first_in`` a module or
    quiz (kept in the row's ``target``)."""
    return {"after": row.after} if row.after is not None else {"first_in": row.target}


def added_parent(row: Override) -> str:
    """The path of the module or quiz an ``add`` row's item goes into ("" for a module)."""
    return row.target if row.after is None else row.after.rpartition("/")[0]


def added_path(row: Override) -> str:
    """The path of the item an ``add`` row brings."""
    parent, key = added_parent(row), str(row.payload.get("key") or "")
    return f"{parent}/{key}" if parent else key


def parse_added(rows: list[Override], base: CourseDoc, country: str) -> tuple[dict[int, OverrideDoc], list]:
    """The items of ``add`` rows as course-format objects, validated like a file's; ``{row id: Override}``."""
    adds = [row for row in rows if row.kind == "add"]
    if not adds:
        return {}, []
    data = {"country": country, "overrides": [{**_anchor(row), "add": row.payload} for row in adds]}
    parsed, issues = load_yaml(dump_yaml(data))
    problems: list = [issue for issue in issues]
    if not isinstance(parsed, LineDict):
        return {}, problems
    doc = read_adaptation(_source(base, problems), parsed, base, _NOWHERE / country.lower(), _NOWHERE, _NOWHERE)
    by_key = {(o.after, o.first_in, o.add.key): o for o in doc.overrides if o.add is not None}
    result = {}
    for row in adds:
        anchor = _anchor(row)
        found = by_key.get((anchor.get("after"), anchor.get("first_in"), row.payload.get("key")))
        if found is not None:
            result[row.id] = found
    return result, problems


def row_doc(row: Override) -> OverrideDoc | None:
    """One row as a course-format override (added items are built by ``parse_added``)."""
    if row.kind == "replace":
        return OverrideDoc(target=row.target, base_hash=dict(row.base_hash or {}),
                           replace={row.field: {row.lang: row.text or ""}})
    if row.kind == "hide":
        return OverrideDoc(target=row.target, base_hash=dict(row.base_hash or {}), hide=True)
    if row.kind == "settings":
        return OverrideDoc(target=row.target, base_hash=dict(row.base_hash or {}), settings=dict(row.payload))
    return None


def adaptation_doc(adaptation: Adaptation, base: CourseDoc, merged: bool = False) -> AdaptationDoc:
    """The adaptation as a document: one override per row, or (``merged``) one per target as in a file."""
    added, _problems = parse_added(adaptation.overrides, base, adaptation.country_code)
    doc = AdaptationDoc(country=adaptation.country_code, title=dict(adaptation.title or {}),
                        summary=dict(adaptation.summary or {}))
    by_target: dict[str, OverrideDoc] = {}
    for row in adaptation.overrides:
        item = added.get(row.id) if row.kind == "add" else row_doc(row)
        if item is None:
            continue
        if merged and item.target is not None:
            into = by_target.get(item.target)
            if into is not None:
                for name, texts in item.replace.items():
                    into.replace.setdefault(name, {}).update(texts)
                into.base_hash.update(item.base_hash)
                into.settings.update(item.settings)
                into.hide = into.hide or item.hide
                continue
            by_target[item.target] = item
        doc.overrides.append(item)
    return doc


def resolved_course(adaptation: Adaptation, base: CourseDoc) -> CourseDoc:
    """What learners of the country get: the base with the adaptation applied."""
    return overlay.resolve(base, adaptation_doc(adaptation, base))


# --- upstream tracking --------------------------------------------------------------------------------------


def _reference(adaptation: Adaptation, row: Override) -> dict[str, str]:
    return {**(adaptation.base_hashes or {}).get(row.target, {}), **(row.base_hash or {})}


def row_in_conflict(adaptation: Adaptation, row: Override, new_hashes: dict) -> bool:
    """Has the base item changed since this override was written (in the language it replaces)?"""
    if row.kind == "add" or row.target not in new_hashes:
        return False
    reference, new = _reference(adaptation, row), new_hashes[row.target]
    langs = [row.lang] if row.kind == "replace" else sorted(set(reference) | set(new))
    return any(reference.get(lang) != new.get(lang) for lang in langs)


@dataclass
class StatusReport:
    """The adaptation against the current base: item statuses, conflicting and orphaned rows, file problems."""

    items: list[overlay.ItemStatus]
    conflicts: list[Override] = field(default_factory=list)
    orphans: list[Override] = field(default_factory=list)
    problems: list = field(default_factory=list)

    def of(self, status: str) -> list[overlay.ItemStatus]:
        return [item for item in self.items if item.status == status]

    @property
    def counts(self) -> dict[str, int]:
        result: dict[str, int] = {}
        for item in self.items:
            result[item.status] = result.get(item.status, 0) + 1
        return result


def status_report(adaptation: Adaptation, base: CourseDoc) -> StatusReport:
    """Classify every item (``overlay.upstream_status``) and name the rows a trainer must look at."""
    doc = adaptation_doc(adaptation, base)
    items = overlay.upstream_status(adaptation.base_hashes or {}, base, doc)
    new_hashes = item_hashes(base)
    report = StatusReport(items)
    _added, report.problems = parse_added(adaptation.overrides, base, adaptation.country_code)
    for row in adaptation.overrides:
        if row.kind == "add":
            if row.id not in _added:
                report.orphans.append(row)
        elif row.target not in new_hashes:
            report.orphans.append(row)
        elif row_in_conflict(adaptation, row, new_hashes):
            report.conflicts.append(row)
    return report


def base_text(base: CourseDoc, path: str, name: str, lang: str) -> str | None:
    """The base course's text of one field of one item in one language (None when absent)."""
    found = locate(base, path) if path else None
    obj = base if path == "" else (found.obj if found else None)
    if obj is None:
        return None
    return (getattr(obj, name, None) or {}).get(lang)


# --- word-level differences ---------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str, deleted_label: str, inserted_label: str) -> Markup:
    """``old`` → ``new`` by words as HTML: removed words in ``<del>``, added in ``<ins>``, each with a text label.

    The labels are visually hidden text inside the elements, so the change is announced, not shown by colour only.
    """
    a, b = _TOKEN_RE.findall(old or ""), _TOKEN_RE.findall(new or "")
    out: list[str] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(str(escape("".join(a[i1:i2]))))
            continue
        if op in ("delete", "replace"):
            out.append(f'<del><span class="visually-hidden">{escape(deleted_label)} </span>'
                       f'{escape("".join(a[i1:i2]))}</del>')
        if op in ("insert", "replace"):
            out.append(f'<ins><span class="visually-hidden">{escape(inserted_label)} </span>'
                       f'{escape("".join(b[j1:j2]))}</ins>')
    return Markup("".join(out))
