"""The proposed layer of a review server (``atlas serve --preview``): proposals as GeoJSON footprints.

Each proposal is drawn as the dissolved outline of its member places (``app.entities.footprint``, as a
catalogue entity is), with what the reviewer reads it by: its quote between the sentences around it, the
extractor's reason, the review decision and any duplicate or lineage flags. Proposals are not in the store
(nothing reaches it before ``atlas accept`` and ``atlas validate``), so the places are resolved here with
the gazetteer.
"""

from __future__ import annotations

import json
from typing import Any

import shapely

from app.entities import footprint
from app.gazetteer import Gazetteer
from app.ingest.proposals import Proposal, ProposalFile

# Outlines are simplified to about 200 m: a review map needs the shape, not the full-resolution border,
# and a plan of a hundred proposals over many counties would otherwise send megabytes.
SIMPLIFY_DEGREES = 0.002
COORDINATE_DIGITS = 5


def proposal_features(proposals: ProposalFile, gazetteer: Gazetteer) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of every proposal of the file (each with its review decision), in the
    file's order; places the gazetteer does not know are listed in ``unresolved`` and left out of the
    outline (none known: no geometry)."""
    return {
        "type": "FeatureCollection",
        "plan": proposals.plan.model_dump(mode="json", include={"id", "title_zh", "title_en", "year"}),
        "features": [_feature(proposal, gazetteer) for proposal in proposals.entities],
    }


def _feature(proposal: Proposal, gazetteer: Gazetteer) -> dict[str, Any]:
    resolved = [(member, gazetteer.resolve(member)) for member in proposal.members]
    units = [unit for _, unit in resolved if unit is not None]
    geometry = None
    if units:
        outline = shapely.set_precision(footprint(units).simplify(SIMPLIFY_DEGREES), 10**-COORDINATE_DIGITS)
        geometry = json.loads(shapely.to_geojson(outline))
    review = proposal.review
    return {
        "type": "Feature",
        "id": proposal.id,
        "geometry": geometry,
        "properties": {
            "id": proposal.id,
            "name_zh": proposal.name_zh,
            "name_en": proposal.name_en,
            "kind": proposal.kind.value,
            "status": proposal.status.value,
            "sectors": proposal.sectors,
            "members": [str(member) for member in proposal.members],
            "places": [unit.name_zh for unit in units],
            "unresolved": [str(member) for member, unit in resolved if unit is None],
            "decision": review.decision.value,
            "reason": review.reason,
            "quotes": [
                {
                    "section": ref.section,
                    "quote": ref.quote,
                    "before": review.context.before,
                    "after": review.context.after,
                }
                for ref in proposal.plan_refs
            ],
            "duplicates": review.duplicates,
            "lineage": review.lineage,
        },
    }
