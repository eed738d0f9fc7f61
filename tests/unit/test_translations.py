"""Every user-facing string of the code and templates is translated in French and Arabic, placeholders intact."""
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    # babel.cfg's patterns ("recosa_learn/**.py", …) are relative to the folder extracted: the project root
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
                                "-k", "lazy_gettext", "-o", str(pot), str(ROOT)])
    with pot.open("rb") as handle:
        ids = {m.id for m in read_po(handle) if m.id}
    assert len(ids) > 500, "the extraction found (almost) no message: check babel.cfg and the folder given"
    return ids


def _catalog(lang):
    with (ROOT / "recosa_learn" / "translations" / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


@pytest.mark.parametrize("lang", ["fr", "ar", "en"])
def test_every_extracted_string_is_translated(extracted, lang):
    catalog = _catalog(lang)
    translated = {m.id for m in catalog if m.id and not m.fuzzy and (
        all(m.string) if isinstance(m.string, (tuple, list)) else m.string)}
    missing = sorted(str(i) for i in extracted - translated)
    assert not missing, f"{lang}: {len(missing)} strings to translate (run make translations): {missing[:10]}"


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_placeholders_survive_translation(lang):
    for message in _catalog(lang):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, (tuple, list)) else (message.id,)
        strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted | set(PLACEHOLDER.findall(ids[0])), (message.id, text)
            if len(ids) == 1:
                assert wanted <= set(PLACEHOLDER.findall(text)), (message.id, text)


def test_arabic_has_six_plural_forms():
    assert _catalog("ar").num_plurals == 6
