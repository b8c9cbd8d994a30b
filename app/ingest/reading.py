"""A plan being read for proposals: its text cut into sentences, with the gazetteer's places, the sector
taxonomy, and each sentence's heading path and neighbours."""

from __future__ import annotations

from dataclasses import dataclass, field

from app.catalogue import Plan
from app.ingest.headings import heading_path
from app.ingest.placenames import PlaceFinder
from app.ingest.proposals import Context
from app.ingest.sector_terms import SectorFinder
from app.ingest.sentences import Sentence, split_sentences
from app.validation import ValidData

NO_HEADING = "（无标题 no heading）"


@dataclass
class Reader:
    """What reading a plan needs: the text, its sentences, the gazetteer's places, the taxonomy."""

    text: str
    plan: Plan
    places: PlaceFinder
    sectors: SectorFinder
    sentences: list[Sentence] = field(default_factory=list)
    _sections: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, text: str, plan: Plan, data: ValidData) -> Reader:
        """Read ``text`` with the shipped data's gazetteer and taxonomy (never its entities)."""
        return cls(
            text=text,
            plan=plan,
            places=PlaceFinder(data.gazetteer, text),
            sectors=SectorFinder(data.catalogue, plan.id, plan.title_zh),
            sentences=split_sentences(text),
        )

    def heading(self, sentence: Sentence) -> str:
        """The sentence's heading path as the document's headings give it ("" before the first)."""
        if sentence.index not in self._sections:
            self._sections[sentence.index] = heading_path(self.text, sentence.start)
        return self._sections[sentence.index]

    def section(self, sentence: Sentence) -> str:
        """The heading path to cite (a placeholder where the text has no heading above the sentence)."""
        return self.heading(sentence) or NO_HEADING

    def context(self, sentence: Sentence) -> Context:
        """The sentences before and after ``sentence``, for the reviewer."""
        before = self.sentences[sentence.index - 1].text if sentence.index > 0 else ""
        after = self.sentences[sentence.index + 1].text if sentence.index + 1 < len(self.sentences) else ""
        return Context(before=before, after=after)
