"""Reading course folders (``course_content/``) into ``CourseDoc`` objects, reporting every problem found.

Run ``python -m recosa_learn.content.parser PATH`` to check a tree or one course: it prints ``file:line: message``
for every problem and exits with status 1 when there is any.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

from recosa_learn.quiz.model import Quiz, QuizSettings

from .documents import (
    ACTIVITY_TYPES,
    COURSE_KINDS,
    LESSON_COMPLETION,
    QUIZ_FORMATS,
    ActivityDoc,
    CompletionRule,
    CourseDoc,
    ModuleDoc,
)
from .fields import Reader, Source, check_unique, suggestion, valid_key
from .lessons import check_images
from .problems import Problem
from .quizfile import SETTINGS_FIELDS, read_quiz, read_settings
from .yamlsource import LineDict, LineList, YamlError, load_yaml

COURSE_FILE = "course.yaml"
MODULE_FILE = "module.yaml"
COURSE_FIELDS = ("key", "kind", "default_language", "languages", "required_languages", "title", "summary",
                 "audience", "duration_minutes", "playful", "completion", "modules")
COMPLETION_FIELDS = ("required", "pass_mark", "lessons")
MODULE_FIELDS = ("key", "title", "summary", "activities")
ACTIVITY_FIELDS = {
    "lesson": ("key", "type", "title", "duration_minutes", "sources"),
    "quiz": ("key", "type", "title", "duration_minutes", "sources", "format", "gift_language", "settings"),
}
LANG_RE = re.compile(r"^[a-z]{2,3}$")
_LESSON_FILE_RE = re.compile(r"^(?P<key>.+)\.(?P<lang>[a-z]{2,3})\.md$")


def load_tree(root) -> tuple[list[CourseDoc], list[Problem]]:
    """Every sub-folder of ``root`` holding a course.yaml is a course; other files (README.md…) are ignored."""
    root = Path(root)
    problems: list[Problem] = []
    if (root / COURSE_FILE).is_file():
        course, problems = load_course(root, root.parent)
        return ([course] if course else []), problems
    if not root.is_dir():
        return [], [Problem(str(root), 1, "no such folder")]
    courses = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir() and (p / COURSE_FILE).is_file()):
        course, found = load_course(folder, root)
        problems.extend(found)
        if course is not None:
            courses.append(course)
    return courses, problems


def check_tree(path) -> list[Problem]:
    """All problems of a course tree (or of one course folder), for ``flask content check``."""
    return load_tree(path)[1]


def load_course(path, root=None) -> tuple[CourseDoc | None, list[Problem]]:
    """Read one course folder; file names in problems are relative to ``root`` (default: the folder's parent)."""
    path = Path(path)
    root = Path(root) if root is not None else path.parent
    problems: list[Problem] = []
    src = Source(_relative(path / COURSE_FILE, root), problems)
    data = _read_yaml(src, path / COURSE_FILE)
    if not isinstance(data, LineDict):
        if data is not None:
            src.error(1, "course.yaml must be a mapping of fields (see course_content/README.md)")
        return None, problems
    course = _read_course(src, data, path)
    for module_key, line in _module_keys(src, data):
        module = _read_module(src, path, module_key, line, root)
        if module is not None:
            course.modules.append(module)
    course.completion = _read_completion(src, data, course)
    _report_orphans(src, path, course, root)
    from .adaptfile import (
        read_adaptations,  # late import: adaptations reuse this module's readers
    )

    course.adaptations = read_adaptations(src, path, course, root)
    return course, problems


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _read_yaml(src: Source, path: Path):
    """A YAML file's data, or None after reporting why it cannot be read."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        src.error(1, "file not found")
        return None
    except UnicodeDecodeError:
        src.error(1, "file is not UTF-8 text")
        return None
    try:
        data, issues = load_yaml(text)
    except YamlError as exc:
        src.error(exc.line, exc.message)
        return None
    for line, message in issues:
        src.error(line, message)
    if data is None:
        src.error(1, "file is empty")
    return data


def read_text_file(src: Source, path: Path) -> str | None:
    """A UTF-8 text file with Windows line endings normalised, or None after reporting."""
    try:
        return path.read_text(encoding="utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError:
        src.error(1, "file is not UTF-8 text")
        return None


def _languages(reader: Reader, name: str, default: list[str]) -> list[str]:
    value = reader.m.get(name)
    if value is None:
        return default
    if not isinstance(value, LineList) or not all(isinstance(v, str) and LANG_RE.match(v) for v in value):
        reader.src.error(reader.line(name), f'"{name}" must be a list of language codes, e.g. [fr, en, ar]')
        return default
    return list(dict.fromkeys(value))


def _read_course(src: Source, data: LineDict, path: Path) -> CourseDoc:
    reader = Reader(src, data, "the course", COURSE_FIELDS)
    key = reader.key()
    if key is not None and key != path.name:
        src.error(reader.line("key"), f'course key "{key}" must equal its folder name "{path.name}"')
    kind = reader.string("kind", True, COURSE_KINDS)
    default = reader.string("default_language") or "fr"
    languages = _languages(reader, "languages", [default])
    required = _languages(reader, "required_languages", [default])
    if default not in languages:
        src.error(reader.line("default_language"), f'default_language "{default}" is not in "languages"')
        languages.insert(0, default)
    for lang in required:
        if lang not in languages:
            src.error(reader.line("required_languages"), f'required language "{lang}" is not in "languages"')
    required = [default] + [lang for lang in required if lang in languages and lang != default]
    src.languages, src.required_languages, src.default_language = tuple(languages), tuple(required), default
    course = CourseDoc(
        key=key or path.name, kind=kind or "", default_language=default, languages=languages,
        required_languages=required,
        title=reader.text("title", languages=languages),
        summary=reader.text("summary", languages=languages),
        audience=reader.text("audience", required=False),
        duration_minutes=reader.integer("duration_minutes", None, 1),
        playful=reader.boolean("playful", False),
        path=path, file=src.file, line=data.line,
    )
    return course


def _module_keys(src: Source, data: LineDict) -> list[tuple[str, int]]:
    value = data.get("modules")
    if value is None:
        src.error(data.line, 'missing required field "modules" in the course')
        return []
    if not isinstance(value, LineList):
        src.error(data.line_of("modules"), '"modules" must be a list of module keys')
        return []
    keys = []
    for item, line in zip(value, value.lines):
        if not valid_key(item):
            src.error(line, f'invalid module key "{item}": use lower-case letters, digits and "-"')
        else:
            keys.append((item, line))
    check_unique(src, keys, "module")
    seen, unique = set(), []
    for key, line in keys:
        if key not in seen:
            seen.add(key)
            unique.append((key, line))
    return unique


def _read_completion(src: Source, data: LineDict, course: CourseDoc) -> CompletionRule:
    rule = CompletionRule()
    m = data.get("completion")
    if m is None:
        return rule
    if not isinstance(m, LineDict):
        src.error(data.line_of("completion"), '"completion" must be a mapping with "required", "pass_mark"…')
        return rule
    reader = Reader(src, m, "completion", COMPLETION_FIELDS)
    rule.pass_mark = reader.number("pass_mark", 70, 0, 100)
    rule.lessons = reader.string("lessons", False, LESSON_COMPLETION) or "manual"
    required = m.get("required", "all")
    if required == "all":
        return rule
    if not isinstance(required, LineList):
        src.error(reader.line("required"), '"required" must be "all" or a list of "module/activity" paths')
        return rule
    rule.required = []
    for item, line in zip(required, required.lines):
        if not isinstance(item, str) or course.activity(item) is None:
            src.error(line, f'completion names unknown activity "{item}" (expected "module/activity")')
        else:
            rule.required.append(item)
    return rule


def _read_module(src: Source, course_path: Path, key: str, line: int, root: Path) -> ModuleDoc | None:
    folder = course_path / key
    if not (folder / MODULE_FILE).is_file():
        src.error(line, f'module "{key}" has no folder with a module.yaml ({key}/{MODULE_FILE})')
        return None
    msrc = src.with_file(_relative(folder / MODULE_FILE, root))
    data = _read_yaml(msrc, folder / MODULE_FILE)
    if not isinstance(data, LineDict):
        if data is not None:
            msrc.error(1, "module.yaml must be a mapping of fields")
        return None
    reader = Reader(msrc, data, f'module "{key}"', MODULE_FIELDS)
    found_key = reader.key()
    if found_key is not None and found_key != key:
        msrc.error(reader.line("key"), f'module key "{found_key}" must equal its folder name "{key}"')
    module = ModuleDoc(key=key, title=reader.text("title"), summary=reader.text("summary", required=False),
                       file=msrc.file, line=data.line)
    items = reader.items("activities", required=True, minimum=1)
    for m, _ in items:
        activity = read_activity(msrc, m, folder, course_path, root)
        if activity is not None:
            module.activities.append(activity)
    check_unique(msrc, [(m.get("key"), m.line) for m, _ in items], "activity")
    return module


def read_activity(src: Source, m: LineDict, folder: Path, course_path: Path, root: Path,
                  inline: bool = False) -> ActivityDoc | None:
    """An activity entry of a module.yaml (or, ``inline``, one added by an adaptation with its body/quiz)."""
    name = m.get("key")
    what = f'activity "{name}"' if isinstance(name, str) else "an activity"
    atype = m.get("type")
    allowed = ACTIVITY_FIELDS.get(atype, tuple(m.keys()))
    if inline:
        allowed = allowed + (("body",) if atype == "lesson" else ("questions", "pass_mark", "attempts", "shuffle",
                                                                   "feedback", "mastery"))
    reader = Reader(src, m, what, allowed)
    key = reader.key()
    atype = reader.string("type", True, ACTIVITY_TYPES)
    activity = ActivityDoc(key=key or "", type=atype or "", title=reader.text("title"),
                           duration_minutes=reader.integer("duration_minutes", None, 1),
                           sources=reader.strings("sources", required=atype == "lesson"),
                           file=src.file, line=m.line)
    if atype == "lesson" and reader.has("sources") and not activity.sources:
        src.error(reader.line("sources"), f"{what}: a lesson needs at least one source")
    if key is None or atype is None:
        return None
    if atype == "lesson":
        if inline:
            _read_inline_body(reader, activity, folder, course_path)
        else:
            _read_lesson_files(src, reader, activity, folder, course_path, root)
    elif inline:
        activity.quiz = read_quiz(src, _without(m, ("key", "type", "title", "duration_minutes", "sources")))
    else:
        _read_quiz_activity(src, reader, activity, folder, root)
    return activity


def _without(m: LineDict, names) -> LineDict:
    """A copy of mapping ``m`` without ``names``, keeping line information."""
    copy = LineDict((k, v) for k, v in m.items() if k not in names)
    copy.line, copy.lines = m.line, {k: v for k, v in m.lines.items() if k not in names}
    return copy


def _read_inline_body(reader: Reader, activity: ActivityDoc, folder: Path, boundary: Path) -> None:
    body = reader.mapping("body", required=True)
    activity.body = reader.text("body") if body is not None else {}
    for lang, text in activity.body.items():
        first = body.line_of(lang) + (1 if "\n" in text else 0)
        for image in check_images(reader.src, text, folder, boundary, first):
            if image not in activity.images:
                activity.images.append(image)


def _read_lesson_files(src: Source, reader: Reader, activity: ActivityDoc, folder: Path, course_path: Path,
                       root: Path) -> None:
    for lang in src.languages:
        path = folder / f"{activity.key}.{lang}.md"
        if not path.is_file():
            if lang in src.required_languages:
                src.error(reader.line(), f'lesson "{activity.key}": missing file {folder.name}/{path.name} '
                                         f"({lang} is a required language)")
            continue
        lsrc = src.with_file(_relative(path, root))
        text = read_text_file(lsrc, path)
        if text is None:
            continue
        if not text.strip():
            lsrc.error(1, "the lesson text is empty")
            continue
        activity.body[lang] = text
        for image in check_images(lsrc, text, folder, course_path):
            if image not in activity.images:
                activity.images.append(image)


def _read_quiz_activity(src: Source, reader: Reader, activity: ActivityDoc, folder: Path, root: Path) -> None:
    activity.format = reader.string("format", False, QUIZ_FORMATS) or "yaml"
    if activity.format == "yaml":
        for name in ("gift_language", "settings"):
            if reader.has(name):
                src.error(reader.line(name), f'{reader.what}: "{name}" is only for GIFT quizzes; a YAML quiz '
                                             "keeps its settings in its .quiz.yaml")
        path = folder / f"{activity.key}.quiz.yaml"
        if not path.is_file():
            src.error(reader.line(), f'quiz "{activity.key}": missing file {folder.name}/{path.name}')
            activity.quiz = Quiz(settings=QuizSettings(), questions=[])
            return
        qsrc = src.with_file(_relative(path, root))
        data = _read_yaml(qsrc, path)
        activity.quiz = read_quiz(qsrc, data) if data is not None else Quiz(QuizSettings(), [])
        return
    language = reader.string("gift_language", False) or src.default_language
    if language not in src.languages:
        src.error(reader.line("gift_language"), f'{reader.what}: gift_language "{language}" is not a course '
                                                f"language{suggestion(language, src.languages)}")
    activity.gift_language = language
    settings = reader.mapping("settings")
    if settings is not None:
        Reader(src, settings, f'the settings of {reader.what}', SETTINGS_FIELDS)
        quiz_settings = read_settings(src, settings, f'the settings of {reader.what}')
    else:
        quiz_settings = QuizSettings()
    path = folder / f"{activity.key}.gift"
    activity.quiz = Quiz(settings=quiz_settings, questions=[])
    if not path.is_file():
        src.error(reader.line(), f'quiz "{activity.key}": missing file {folder.name}/{path.name}')
        return
    gsrc = src.with_file(_relative(path, root))
    text = read_text_file(gsrc, path)
    if text is not None:
        activity.quiz.questions = read_gift(gsrc, text, language)


def read_gift(src: Source, text: str, language: str) -> list:
    """Questions of a GIFT file, its problems reported with the .gift file's lines."""
    try:
        from .gift import parse_gift
    except ImportError:
        src.error(1, "GIFT quizzes cannot be read: the GIFT support (recosa_learn.content.gift) is missing")
        return []
    result = parse_gift(text, language)
    for problem in result.problems:
        line, message = problem if isinstance(problem, tuple) else (problem.line, problem.message)
        src.error(line or 1, message)
    lines = text.split("\n")
    for question in result.questions:
        for message in missing_correct_answer(question):
            marker = f"::{question.title}::" if question.title else None
            line = next((i + 1 for i, row in enumerate(lines) if marker and marker in row), 1)
            src.error(line, f'question "{question.key}": {message}')
    return list(result.questions)


def missing_correct_answer(q) -> list[str]:
    """Why a question read from GIFT cannot be answered right, if it cannot (the YAML reader checks its own)."""
    full = [o for o in q.options if abs(o.weight - 100) < 1e-6]
    if q.type == "single_choice" and not full:
        return ["no correct answer (no option is worth 100%)"]
    if q.type == "multiple_response" and abs(sum(o.weight for o in q.options if o.weight > 0) - 100) > 0.01:
        return ["the positive weights do not add up to 100"]
    if q.type == "true_false" and q.answer is None:
        return ["no correct answer"]
    if q.type == "short_answer" and not any(abs(a.weight - 100) < 1e-6 for a in q.answers):
        return ["no correct answer (no answer is worth 100%)"]
    if q.type == "numerical" and not any(abs(a.weight - 100) < 1e-6 for a in q.numeric_answers):
        return ["no correct answer (no number is worth 100%)"]
    return []


def _report_orphans(src: Source, path: Path, course: CourseDoc, root: Path) -> None:
    """Warn about content files no activity uses and module folders the course does not list."""
    listed = {m.key for m in course.modules}
    for folder in sorted(p for p in path.iterdir() if p.is_dir()):
        if folder.name not in listed:
            if (folder / MODULE_FILE).is_file():
                src.warn(1, f'module folder "{folder.name}" is not listed in "modules"')
            continue
        module = course.module(folder.name)
        used = {MODULE_FILE}
        for activity in module.activities:
            used.update(f"{activity.key}.{lang}.md" for lang in activity.body)
            used.add(f"{activity.key}.{'gift' if activity.format == 'gift' else 'quiz.yaml'}")
        for file in sorted(folder.iterdir()):
            if not file.is_file() or file.name in used or file.stem.isupper():
                continue
            if file.suffix in (".md", ".gift", ".yaml", ".yml"):
                msrc = src.with_file(_relative(file, root))
                msrc.warn(1, "file not used by any activity of module.yaml (check its name and the activity key)")


def main(argv: list[str] | None = None) -> int:
    """Print every problem of the given trees (default: course_content) and return 1 when there is any."""
    paths = (argv if argv is not None else sys.argv[1:]) or ["course_content"]
    problems = [p for path in paths for p in check_tree(path)]
    for problem in problems:
        print(problem)
    courses = sum(len(load_tree(path)[0]) for path in paths) if not problems else 0
    if problems:
        print(f"{len(problems)} problem(s)")
        return 1
    print(f"OK: {courses} course(s) without problems")
    return 0


if __name__ == "__main__":
    sys.exit(main())
