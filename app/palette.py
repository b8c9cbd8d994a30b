"""Colours of the sectors, given to the store's published properties and to the standalone map."""

from __future__ import annotations

from app.catalogue import Catalogue, Entity

# Sixteen categorical colours that stay apart on white and in print, given to the top-level sectors
# in catalogue order.
SECTOR_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip
NO_SECTOR = "#555555"


def sector_colours(catalogue: Catalogue) -> dict[str, str]:
    """Every sector's colour: that of its top-level sector, the top-level sectors taking the palette's
    colours in catalogue order (round again past sixteen)."""
    tops = [sector.id for sector in catalogue.sectors if sector.parent is None]
    palette = {top: SECTOR_PALETTE[index % len(SECTOR_PALETTE)] for index, top in enumerate(tops)}
    return {sector.id: palette[catalogue.top_sector(sector.id)] for sector in catalogue.sectors}


def entity_colour(catalogue: Catalogue, entity: Entity) -> str:
    """The colour an entity is drawn in: its top sector's (see :meth:`Catalogue.entity_top_sector`), or
    :data:`NO_SECTOR` when it has no sector."""
    top = catalogue.entity_top_sector(entity)
    return NO_SECTOR if top is None else sector_colours(catalogue)[top]
