"""Colours of the top-level sectors, shared by the map page and the standalone map."""

# Sixteen categorical colours that stay apart on white and in print, given to the top-level sectors
# in catalogue order.
SECTOR_PALETTE = (
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2",
    "#7f7f7f", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173", "#3182bd",
)  # fmt: skip
NO_SECTOR = "#555555"
