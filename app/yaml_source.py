"""Read YAML while remembering the line of every value, so faults can name the line they are on."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


class YamlSyntaxError(Exception):
    """The file is not valid YAML; ``line`` is 1-based."""

    def __init__(self, path: Path, line: int | None, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message


@dataclass
class YamlSource:
    """Plain Python data from a YAML file plus the 1-based line of each node, keyed by its path."""

    path: Path
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, location: Path_) -> int | None:
        """The line of ``location`` or of its nearest ancestor that has one."""
        for end in range(len(location), -1, -1):
            line = self.lines.get(tuple(location[:end]))
            if line is not None:
                return line
        return None


def read_yaml(path: Path) -> YamlSource:
    """Parse ``path`` with YAML's safe schema; raise :class:`YamlSyntaxError` on malformed input."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(path, line, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        raise YamlSyntaxError(path, mark.line + 1 if mark else None, str(exc.problem)) from exc
    source = YamlSource(path, None)
    if root is not None:
        source.data = _Builder(path, source.lines).build(root, ())
    return source


class _Builder:
    """Turns a composed node tree into Python data, recording lines and refusing duplicate keys."""

    def __init__(self, path: Path, lines: dict[Path_, int]) -> None:
        self.path, self.lines = path, lines
        self.scalars = yaml.SafeLoader("")  # resolves scalar tags: ints, booleans, dates, null

    def build(self, node: yaml.Node, location: Path_) -> Any:
        self.lines[location] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            mapping: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = self.scalars.construct_object(key_node)
                if key in mapping:
                    line = key_node.start_mark.line + 1
                    raise YamlSyntaxError(self.path, line, f"duplicate key {key!r} in one mapping")
                mapping[key] = self.build(value_node, (*location, key))
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*location, index)) for index, item in enumerate(node.value)]
        return self.scalars.construct_object(node)
