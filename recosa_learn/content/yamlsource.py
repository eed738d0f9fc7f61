"""YAML loading that remembers the line of every mapping, key and list item, for precise messages."""
from __future__ import annotations

import yaml


class LineDict(dict):
    """A YAML mapping; ``line`` is where it starts, ``lines[key]`` where each key is written (1-based)."""

    line: int = 1
    lines: dict

    def line_of(self, key) -> int:
        """The line of ``key`` if present, else the mapping's own line."""
        return self.lines.get(key, self.line)


class LineList(list):
    """A YAML sequence; ``line`` is where it starts, ``lines[i]`` where item ``i`` starts (1-based)."""

    line: int = 1
    lines: list


class _Loader(yaml.SafeLoader):
    """A safe loader building ``LineDict`` / ``LineList`` and noting repeated keys instead of hiding them."""

    def __init__(self, stream):
        super().__init__(stream)
        self.duplicates: list[tuple[int, object]] = []


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, "a key must be a plain value", key_node.start_mark
            )
        if key in result:
            loader.duplicates.append((key_node.start_mark.line + 1, key))
            continue
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = key_node.start_mark.line + 1
    return result


def _construct_sequence(loader: _Loader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.lines = [child.start_mark.line + 1 for child in node.value]
    return result


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str) -> tuple[object, list[tuple[int, str]]]:
    """Parse one YAML document with line information; also return ``(line, message)`` for repeated keys.

    A repeated key keeps its first value. :raises YamlError: on a syntax error, with its 1-based line.
    """
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
        issues = [(line, f"key {key!r} is repeated in the same mapping") for line, key in loader.duplicates]
        return data, issues
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"YAML syntax error: {exc.problem or exc.context}") from exc
    except yaml.YAMLError as exc:
        raise YamlError(1, f"YAML error: {exc}") from exc
    finally:
        loader.dispose()


class YamlError(Exception):
    """A file that is not valid YAML, with the line to look at."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message
