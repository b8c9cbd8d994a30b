"""Read YAML while remembering the line of every value, so faults can name the line they are on.

The catalogue may come from a shared drive, so reading it must be safe against hostile files: it is
read in one bounded, non-recursive pass over the parser's events, and every construct the catalogue
does not need — anchors, aliases, explicit tags, merge keys, complex keys, deep nesting — is refused
with its line rather than expanded, executed or recursed into.
"""

from __future__ import annotations

import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from app.errors import AtlasError

Path_ = tuple[str | int, ...]

# The shipped catalogue is about 90 KB with about 4,000 nodes, five levels deep: these limits leave
# room to grow by a factor of 40 or more, and keep time and memory within seconds and megabytes.
MAX_BYTES = 4 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 50
# Enough to show what is wrong without burying the terminal: a file full of aliases stops here.
MAX_PROBLEMS = 20

# libyaml parses the shipped catalogue twenty times faster than the pure-Python parser.
_LIBYAML: bool = yaml.__with_libyaml__
_Parser: type = yaml.CSafeLoader if _LIBYAML else yaml.SafeLoader
_YAML_TAG = "tag:yaml.org,2002:"
_MERGE_TAG = _YAML_TAG + "merge"
_TIMESTAMP_TAG = _YAML_TAG + "timestamp"
_SHOWN = 60  # characters of an offending value or tag shown in a message


class YamlSyntaxError(AtlasError):
    """The file is not valid YAML, or uses a construct the catalogue refuses; ``line`` is 1-based.

    ``problems`` lists every ``(line, message)`` found, the first being ``line`` and ``message``.
    """

    def __init__(
        self, path: Path, line: int | None, message: str, more: list[tuple[int | None, str]] | None = None
    ) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path, self.line, self.message = path, line, message
        self.problems: list[tuple[int | None, str]] = [(line, message), *(more or [])]


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
    """Parse ``path`` with YAML's safe schema; raise :class:`YamlSyntaxError` on malformed or refused input."""
    raw = _read_bounded(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlSyntaxError(path, line, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    source = YamlSource(path, None)
    builder = _Builder(source.lines)
    try:
        for event in yaml.parse(text, Loader=_Parser):
            if not builder.feed(event):
                break
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        builder.problem(mark.line + 1 if mark else None, str(exc.problem or exc.context))
    except yaml.reader.ReaderError as exc:
        # libyaml counts bytes of the UTF-8 text, the pure-Python reader characters
        before = raw[: exc.position] if _LIBYAML else text[: exc.position].encode()
        line = before.count(b"\n") + 1
        character = chr(exc.character) if isinstance(exc.character, int) else exc.character
        builder.problem(line, f"character {character!r} is not allowed in YAML ({exc.reason})")
    except yaml.YAMLError as exc:  # any other parser complaint, located or not
        builder.problem(None, str(exc))
    if builder.problems:
        (line, message), *more = builder.problems
        raise YamlSyntaxError(path, line, message, more)
    source.data = builder.root
    return source


def _read_bounded(path: Path) -> bytes:
    """The file's bytes, refusing anything but a regular file of at most :data:`MAX_BYTES`."""
    status = path.stat()  # FileNotFoundError propagates: a missing catalogue is the caller's fault to name
    if not stat.S_ISREG(status.st_mode):
        raise YamlSyntaxError(path, None, "not a regular file")
    with path.open("rb") as stream:
        # Read one byte past the limit rather than trusting the size: the file may grow meanwhile.
        raw = stream.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise YamlSyntaxError(path, None, f"larger than {MAX_BYTES // (1024 * 1024)} MB; the catalogue must be smaller")
    return raw


class _Key:
    """Stands in for a key that could not be read, so the rest of the mapping is still checked."""


@dataclass
class _Open:
    """A mapping or sequence whose end event has not come yet."""

    container: dict[Any, Any] | list[Any]
    location: Path_
    # For mappings: the key waiting for its value (``has_key``); without one the next event is a key.
    key: Any = None
    has_key: bool = False
    # A collection used as a key: it is refused, read to its end and then dropped.
    is_key: bool = False


class _Builder:
    """Turns parser events into Python data, recording lines and every refused construct.

    The events come one at a time and open collections live on an explicit stack, so neither deep
    nesting nor a self-referring alias can exhaust the interpreter's stack, and nothing is expanded.
    """

    def __init__(self, lines: dict[Path_, int]) -> None:
        self.lines = lines
        self.problems: list[tuple[int | None, str]] = []
        self.root: Any = None
        self.stack: list[_Open] = []
        self.nodes = 0
        self.documents = 0
        self.resolver = Resolver()
        self.constructor = SafeConstructor()

    def problem(self, line: int | None, message: str) -> None:
        """Record a problem; one per line is enough to show what to fix."""
        if not any(seen == line for seen, _ in self.problems):
            self.problems.append((line, message))

    def feed(self, event: yaml.Event) -> bool:
        """Take one event; False once reading must stop (too deep, too big or too many problems)."""
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.problem(line, "expected a single document in the stream")
                return False
            return True
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._close()
            return True
        if not isinstance(event, yaml.NodeEvent):
            return True  # stream and document ends carry nothing
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.problem(line, f"more than {MAX_NODES:,} values; the catalogue must be smaller")
            return False
        self._refuse_extensions(event, line)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                self.problem(line, f"nested more than {MAX_DEPTH} levels deep; the catalogue needs far fewer")
                return False
            self._open(event, line)
        else:
            self._scalar(event, line)
        return len(self.problems) < MAX_PROBLEMS

    # -- refused constructs ------------------------------------------------------------------------
    def _refuse_extensions(self, event: yaml.NodeEvent, line: int | None) -> None:
        if isinstance(event, yaml.AliasEvent):
            self.problem(line, f"aliases (*{_cut(event.anchor)}) are not allowed in the catalogue")
        elif event.anchor is not None:
            self.problem(line, f"anchors (&{_cut(event.anchor)}) are not allowed in the catalogue")
        tag = getattr(event, "tag", None)
        if tag is not None:
            # The catalogue needs none, and tags are how YAML is asked to build arbitrary objects.
            shown = "!!" + tag.removeprefix(_YAML_TAG) if tag.startswith(_YAML_TAG) else tag
            self.problem(line, f"explicit tags ({_cut(shown)}) are not allowed in the catalogue")

    # -- building ----------------------------------------------------------------------------------
    def _expects_key(self) -> bool:
        return bool(self.stack) and isinstance(self.stack[-1].container, dict) and not self.stack[-1].has_key

    def _open(self, event: yaml.CollectionStartEvent, line: int | None) -> None:
        container: dict[Any, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        if self._expects_key():
            self.problem(line, "complex keys (a mapping or list used as a key) are not allowed in the catalogue")
            self.stack.append(_Open(container, (_Key(),), is_key=True))
        else:
            self.stack.append(_Open(container, self._place(container, line)))

    def _close(self) -> None:
        closed = self.stack.pop()
        if closed.is_key:  # the refused key is done with; its value follows under a stand-in key
            self.stack[-1].key, self.stack[-1].has_key = _Key(), True

    def _scalar(self, event: yaml.NodeEvent, line: int | None) -> None:
        if isinstance(event, yaml.AliasEvent):  # refused above; nothing is looked up
            tag, value = None, None
        else:
            tag = event.tag or self.resolver.resolve(yaml.ScalarNode, event.value, event.implicit)
            value = self._construct(event, tag, line)
        if not self._expects_key():
            self._place(value, line)
            return
        mapping = self.stack[-1]
        if tag == _MERGE_TAG and event.tag is None:
            self.problem(line, "merge keys (<<) are not allowed in the catalogue; write the fields out")
            value = _Key()
        elif tag is None:
            value = _Key()
        elif value in mapping.container:
            self.problem(line, f"duplicate key {_cut(repr(value))} in one mapping")
            value = _Key()
        mapping.key, mapping.has_key = value, True

    def _place(self, value: Any, line: int | None) -> Path_:
        """Put ``value`` where the open collection expects it; return its location."""
        if not self.stack:
            self.root = value
            location: Path_ = ()
        else:
            parent = self.stack[-1]
            if isinstance(parent.container, dict):
                location = (*parent.location, parent.key)
                parent.container[parent.key] = value
                parent.key, parent.has_key = None, False
            else:
                location = (*parent.location, len(parent.container))
                parent.container.append(value)
        # Values under a refused key have no place in the data: their lines would mislead.
        if line is not None and not any(isinstance(part, _Key) for part in location):
            self.lines[location] = line
        return location

    def _construct(self, event: yaml.ScalarEvent, tag: str, line: int | None) -> Any:
        """The scalar's value by the safe schema: str, int, float, bool, None or a date."""
        constructor = SafeConstructor.yaml_constructors.get(tag)
        if event.tag is not None or constructor is None:
            # A refused tag's text stands in so that checking can go on; YAML 1.1 gives `<<` and `=`
            # tags of their own that mean nothing outside a key, so they are read as plain text.
            return event.value
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        try:
            return constructor(self.constructor, node)
        except (ValueError, OverflowError, yaml.YAMLError) as exc:
            # e.g. `date: 2021-99-99`, which YAML reads as a timestamp because it looks like one
            kind = "date" if tag == _TIMESTAMP_TAG else tag.removeprefix(_YAML_TAG)
            reason = exc.problem if isinstance(exc, yaml.MarkedYAMLError) else exc
            self.problem(line, f"{_cut(repr(event.value))} is not a valid {kind} ({reason})")
            return event.value


def _cut(text: str) -> str:
    """``text`` cut short for a message: hostile files can hold very long names."""
    return text if len(text) <= _SHOWN else text[:_SHOWN] + "…"
