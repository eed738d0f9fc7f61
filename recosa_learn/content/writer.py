"""Writing a ``CourseDoc`` back as files in the course format, deterministically and readably.

``load_course(write_course(doc, dir))`` gives a document equal to ``doc`` (the export/import fixed point).
"""
from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from recosa_learn.quiz.model import (
    Blank,
    Choice,
    NumericAnswer,
    Question,
    QuizSettings,
    TextAnswer,
)

from .documents import ActivityDoc, AdaptationDoc, CourseDoc, ModuleDoc, Override

_EPSILON = 1e-9


class _Flow(list):
    """A short list written inline: ``[fr, en, ar]``."""


class _Dumper(yaml.SafeDumper):
    """Block style, multi-line texts as ``|`` blocks, no anchors."""

    def ignore_aliases(self, data):
        return True

    def increase_indent(self, flow=False, indentless=False):
        """Indent list items under their key, as people write them."""
        return super().increase_indent(flow, False)


def _represent_str(dumper: _Dumper, text: str):
    style = "|" if "\n" in text.rstrip("\n") or (text.endswith("\n") and "\n" in text) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_float(dumper: _Dumper, number: float):
    if number == int(number):
        return dumper.represent_int(int(number))
    return yaml.SafeDumper.represent_float(dumper, number)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(float, _represent_float)
_Dumper.add_representer(_Flow, lambda d, v: d.represent_sequence("tag:yaml.org,2002:seq", v, flow_style=True))


def dump_yaml(data) -> str:
    """YAML text for ``data``: keys in insertion order, Unicode as is, long lines kept whole."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096,
                     default_flow_style=False)


def write_course(course: CourseDoc, dest_dir) -> Path:
    """Write ``course`` as ``dest_dir/<course key>/``; existing files are overwritten, others left alone."""
    folder = Path(dest_dir) / course.key
    folder.mkdir(parents=True, exist_ok=True)
    langs = course.languages
    (folder / "course.yaml").write_text(dump_yaml(_course_data(course)), encoding="utf-8")
    for module in course.modules:
        _write_module(course, module, folder / module.key)
    for adaptation in course.adaptations:
        target = folder / "adaptations" / adaptation.country.lower()
        target.mkdir(parents=True, exist_ok=True)
        (target / "adaptation.yaml").write_text(dump_yaml(adaptation_data(adaptation, langs)), encoding="utf-8")
        _copy_images(adaptation.path, target, adaptation.images)
    return folder


def _i18n(value: dict, langs: list[str]) -> dict:
    """A translatable field in the course's language order (unknown languages last, sorted)."""
    ordered = {lang: value[lang] for lang in langs if lang in value}
    ordered.update({lang: value[lang] for lang in sorted(value) if lang not in ordered})
    return ordered


def _put(data: dict, name: str, value, langs: list[str] | None = None) -> None:
    """Set ``name`` only when it has a value (optional fields stay out of the files)."""
    if value in (None, {}, [], ""):
        return
    data[name] = _i18n(value, langs) if langs is not None and isinstance(value, dict) else value


def _course_data(course: CourseDoc) -> dict:
    langs = course.languages
    data = {"key": course.key, "kind": course.kind, "default_language": course.default_language,
            "languages": _Flow(course.languages), "required_languages": _Flow(course.required_languages),
            "title": _i18n(course.title, langs), "summary": _i18n(course.summary, langs)}
    _put(data, "audience", course.audience, langs)
    _put(data, "duration_minutes", course.duration_minutes)
    data["playful"] = course.playful
    rule = course.completion
    data["completion"] = {"required": rule.required if rule.required == "all" else list(rule.required),
                          "pass_mark": rule.pass_mark, "lessons": rule.lessons}
    data["modules"] = [m.key for m in course.modules]
    return data


def _write_module(course: CourseDoc, module: ModuleDoc, folder: Path) -> None:
    langs = course.languages
    folder.mkdir(parents=True, exist_ok=True)
    data = {"key": module.key, "title": _i18n(module.title, langs)}
    _put(data, "summary", module.summary, langs)
    data["activities"] = [_activity_entry(a, langs) for a in module.activities]
    (folder / "module.yaml").write_text(dump_yaml(data), encoding="utf-8")
    for activity in module.activities:
        if activity.type == "lesson":
            for lang, text in _i18n(activity.body, langs).items():
                (folder / f"{activity.key}.{lang}.md").write_text(text, encoding="utf-8")
        elif activity.format == "gift":
            (folder / f"{activity.key}.gift").write_text(_gift_text(activity), encoding="utf-8")
        elif activity.quiz is not None:
            quiz = settings_data(activity.quiz.settings)
            quiz["questions"] = [question_data(q, langs) for q in activity.quiz.questions]
            (folder / f"{activity.key}.quiz.yaml").write_text(dump_yaml(quiz), encoding="utf-8")
        _copy_images(course.path / module.key if course.path else None, folder, activity.images)


def _gift_text(activity: ActivityDoc) -> str:
    from .gift import write_gift

    return write_gift(activity.quiz.questions, activity.gift_language)


def _copy_images(source: Path | None, dest: Path, images: list[str]) -> None:
    if source is None:
        return
    for image in images:
        origin, target = source / image, dest / image
        if origin.resolve() == target.resolve():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(origin, target)


def _activity_entry(activity: ActivityDoc, langs: list[str]) -> dict:
    data = {"key": activity.key, "type": activity.type}
    if activity.type == "quiz" and activity.format == "gift":
        data["format"] = "gift"
        data["gift_language"] = activity.gift_language
    data["title"] = _i18n(activity.title, langs)
    _put(data, "duration_minutes", activity.duration_minutes)
    _put(data, "sources", list(activity.sources))
    if activity.type == "quiz" and activity.format == "gift" and activity.quiz is not None:
        _put(data, "settings", settings_data(activity.quiz.settings))
    return data


def settings_data(settings: QuizSettings) -> dict:
    """The quiz settings that differ from the defaults."""
    data: dict = {}
    _put(data, "pass_mark", settings.pass_mark)
    _put(data, "attempts", settings.attempts)
    if settings.shuffle:
        data["shuffle"] = True
    if settings.feedback != "after_submit":
        data["feedback"] = settings.feedback
    if settings.mastery_correct is not None:
        data["mastery"] = {"correct": settings.mastery_correct, "of_last": settings.mastery_of_last}
    return data


def question_data(q: Question, langs: list[str]) -> dict:
    """One question as written in a .quiz.yaml."""
    data = {"key": q.key, "type": q.type}
    default_points = 0.0 if q.type == "reflection" else 1.0
    if q.points != default_points:
        data["points"] = q.points
    data["text"] = _i18n(q.text, langs)
    _put(data, "general_feedback", q.general_feedback, langs)
    if q.type in ("single_choice", "multiple_response"):
        data["options"] = _choices(q.options, langs, q.type == "multiple_response")
    elif q.type == "true_false":
        data["answer"] = q.answer
        _put(data, "feedback_true", q.feedback_true, langs)
        _put(data, "feedback_false", q.feedback_false, langs)
    elif q.type == "short_answer":
        for name, default in (("case_sensitive", False), ("ignore_accents", True), ("normalize_whitespace", True)):
            if getattr(q, name) != default:
                data[name] = getattr(q, name)
        data["answers"] = [_text_answer(a, langs) for a in q.answers]
    elif q.type == "numerical":
        data["answers"] = [_numeric_answer(a, langs) for a in q.numeric_answers]
    elif q.type == "matching":
        data["pairs"] = [_pair(p, langs) for p in q.pairs]
    elif q.type == "ordering":
        if q.grading != "absolute":
            data["grading"] = q.grading
        data["items"] = [{"key": i.key, "text": _i18n(i.text, langs)} for i in q.items]
    elif q.type == "fill_blanks":
        data["blanks"] = [_blank(b, langs) for b in q.blanks]
    elif q.type == "scenario":
        data["start"] = q.start
        data["nodes"] = [_node(n, langs) for n in q.nodes]
    return data


def _choices(options: list[Choice], langs: list[str], multiple: bool) -> list[dict]:
    positive = [c.weight for c in options if c.weight > 0]
    shared = multiple and positive and all(abs(w - 100.0 / len(positive)) < _EPSILON for w in positive)
    result = []
    for choice in options:
        data = {"key": choice.key, "text": _i18n(choice.text, langs)}
        if (shared and choice.weight > 0) or (not multiple and choice.weight == 100):
            data["correct"] = True
        elif choice.weight:
            data["weight"] = choice.weight
        _put(data, "feedback", choice.feedback, langs)
        result.append(data)
    return result


def _text_answer(answer: TextAnswer, langs: list[str]) -> dict:
    data = {"text": _i18n(answer.text, langs)}
    if answer.weight != 100:
        data["weight"] = answer.weight
    _put(data, "feedback", answer.feedback, langs)
    return data


def _numeric_answer(answer: NumericAnswer, langs: list[str]) -> dict:
    data: dict = {}
    if answer.value is not None:
        data["value"] = answer.value
        if answer.tolerance:
            data["tolerance"] = answer.tolerance
    _put(data, "min", answer.min)
    _put(data, "max", answer.max)
    if answer.weight != 100:
        data["weight"] = answer.weight
    _put(data, "feedback", answer.feedback, langs)
    return data


def _pair(pair, langs: list[str]) -> dict:
    data = {"key": pair.key}
    _put(data, "prompt", pair.prompt, langs)
    data["answer"] = _i18n(pair.answer, langs)
    return data


def _blank(blank: Blank, langs: list[str]) -> dict:
    data: dict = {"key": blank.key}
    if blank.options:
        data["options"] = _choices(blank.options, langs, False)
    else:
        data["answers"] = [_text_answer(a, langs) for a in blank.answers]
    return data


def _node(node, langs: list[str]) -> dict:
    data = {"key": node.key, "text": _i18n(node.text, langs)}
    if node.choices:
        data["choices"] = []
        for choice in node.choices:
            entry = {"key": choice.key, "text": _i18n(choice.text, langs), "next": choice.next}
            _put(entry, "feedback", choice.feedback, langs)
            data["choices"].append(entry)
    else:
        data["weight"] = node.weight
        _put(data, "debrief", node.debrief, langs)
    return data


def adaptation_data(adaptation: AdaptationDoc, langs: list[str]) -> dict:
    """An adaptation.yaml's content."""
    data = {"country": adaptation.country}
    _put(data, "title", adaptation.title, langs)
    _put(data, "summary", adaptation.summary, langs)
    data["overrides"] = [_override(o, langs) for o in adaptation.overrides]
    return data


def _override(override: Override, langs: list[str]) -> dict:
    if override.after is not None:
        return {"after": override.after, "add": _added(override.add, langs)}
    if override.first_in is not None:
        return {"first_in": override.first_in, "add": _added(override.add, langs)}
    data = {"target": override.target}
    _put(data, "base_hash", override.base_hash, langs)
    if override.replace:
        data["replace"] = {name: _i18n(texts, langs) for name, texts in override.replace.items()}
    if override.hide:
        data["hide"] = True
    if override.settings:
        settings = dict(override.settings)
        if "attempts" in settings and settings["attempts"] is None:
            settings["attempts"] = "unlimited"
        data["settings"] = settings
    return data


def _added(item, langs: list[str]) -> dict:
    if isinstance(item, Question):
        return question_data(item, langs)
    if isinstance(item, ModuleDoc):
        data = {"key": item.key, "title": _i18n(item.title, langs)}
        _put(data, "summary", item.summary, langs)
        data["activities"] = [_added(a, langs) for a in item.activities]
        return data
    data = _activity_entry(item, langs)
    if item.type == "lesson":
        data["body"] = _i18n(item.body, langs)
    elif item.quiz is not None:
        data.update(settings_data(item.quiz.settings))
        data["questions"] = [question_data(q, langs) for q in item.quiz.questions]
    return data
