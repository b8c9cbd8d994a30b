"""Tables of the store (SQLAlchemy Core + GeoAlchemy2), identical on SpatiaLite and PostGIS.

Each published feature keeps its properties as ready-made JSON text (``properties``), so serving a
page of features is one indexed query and string assembly; the relational tables (memberships,
sectors, references) carry the filters.
"""

from geoalchemy2 import Geometry
from sqlalchemy import Boolean, Column, Date, Float, ForeignKey, Index, Integer, MetaData, String, Table, Text

metadata = MetaData()

# Columns of normalised text (see app.text_search.fold) that search runs LIKE over.
NAMES = "names_norm"  # the record's own names: Chinese, English (and a place's official pinyin)
ALIASES = "aliases_norm"  # other names people use for it (catalogue and data/boundaries/aliases.csv)
PINYIN = "pinyin_norm"  # the toneless pinyin of its Chinese names and aliases
TERMS = "search_norm"  # all of those plus related words (sectors, member places)

meta = Table(
    "meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

admin_units = Table(
    "admin_units",
    metadata,
    Column("key", String(32), primary_key=True),  # level/adcode: four adcodes exist at two levels
    Column("adcode", Integer, nullable=False),
    Column("level", String(16), nullable=False),
    Column("position", Integer, nullable=False),
    Column("name_zh", Text, nullable=False),
    Column("short_name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("pinyin", Text, nullable=False),
    Column("parent_adcode", Integer),
    Column("properties", Text, nullable=False),
    Column("map_properties", Text, nullable=False),  # properties and where the page puts the unit's name
    Column(NAMES, Text, nullable=False),
    Column(ALIASES, Text, nullable=False),
    Column(PINYIN, Text, nullable=False),
    Column("seat", Geometry("POINT", srid=4326, spatial_index=False), nullable=False),
    Column("geom", Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False),
    # generalised outlines for drawing at small scales (app.generalise.BANDS)
    Column("geom_z7", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("geom_z9", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("geom_geojson", Text),  # geom as GeoJSON, written at load (app.store.ready_geojson)
    Column("geom_z7_geojson", Text),
    Column("geom_z9_geojson", Text),
    Index("ix_admin_units_level_adcode", "level", "adcode", unique=True),
    Index("ix_admin_units_parent", "parent_adcode"),
)

plans = Table(
    "plans",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("year", Integer, nullable=False),
    Column("file", Text, nullable=False),
    Column("title_zh", Text, nullable=False),
    Column("title_en", Text, nullable=False),
    Column("issuer_zh", Text, nullable=False),
    Column("issuer_en", Text, nullable=False),
    Column("number", Text),
    Column("date", Date, nullable=False),
    Column("note", Text),
    Column("period", Text),  # e.g. 2021—2025, as the plan states it (None where it states none)
)

sectors = Table(
    "sectors",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("parent_id", String(80), ForeignKey("sectors.id")),
    Column("position", Integer, nullable=False),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("plan_id", String(32), ForeignKey("plans.id"), nullable=False),
    Column("note", Text),
    Column(NAMES, Text, nullable=False),
    Column(ALIASES, Text, nullable=False),
    Column(PINYIN, Text, nullable=False),
    # Worked out at load (app.catalogue, app.palette) so that no reader works them out again:
    Column("colour", String(16), nullable=False),  # of its top-level sector
    Column("descendants", Text, nullable=False),  # JSON list: itself, then its sub-sectors at every depth
)

# Every sector paired with itself and each of its ancestors: "sector X" includes its sub-sectors.
sector_ancestors = Table(
    "sector_ancestors",
    metadata,
    Column("sector_id", String(80), ForeignKey("sectors.id"), primary_key=True),
    Column("ancestor_id", String(80), ForeignKey("sectors.id"), primary_key=True),
    Index("ix_sector_ancestors_ancestor", "ancestor_id"),
)

entities = Table(
    "entities",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("confidence", String(16), nullable=False),
    Column("name_zh", Text, nullable=False),
    Column("name_en", Text, nullable=False),
    Column("note", Text),
    Column("properties", Text, nullable=False),
    Column(NAMES, Text, nullable=False),
    Column(ALIASES, Text, nullable=False),
    Column(PINYIN, Text, nullable=False),
    Column(TERMS, Text, nullable=False),
    Column("footprint", Geometry("MULTIPOLYGON", srid=4326, spatial_index=True), nullable=False),
    Column("route", Geometry("LINESTRING", srid=4326, spatial_index=True)),
    Column("footprint_z7", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("footprint_z9", Geometry("MULTIPOLYGON", srid=4326, spatial_index=False), nullable=False),
    Column("footprint_geojson", Text),  # footprint and route as GeoJSON, written at load (app.store.ready_geojson)
    Column("route_geojson", Text),
    Column("footprint_z7_geojson", Text),
    Column("footprint_z9_geojson", Text),
    Column("map_properties", Text, nullable=False),  # what the page draws and filters by (no quotes)
    # What vector tiles carry beside names, kind and status (app.layers.ENTITY_FIELDS): a client colours
    # by sector and filters by plan from the tile alone. Lists as comma-separated text.
    Column("sectors", Text, nullable=False),
    Column("top_sector", String(80)),
    Column("colour", String(16), nullable=False),
    Column("plans", Text, nullable=False),
    Column("province_wide", Boolean, nullable=False),
    Index("ix_entities_kind", "kind"),
)

entity_sectors = Table(
    "entity_sectors",
    metadata,
    Column("entity_id", String(80), ForeignKey("entities.id"), primary_key=True),
    Column("sector_id", String(80), ForeignKey("sectors.id"), primary_key=True),
    Column("position", Integer, nullable=False),
    Index("ix_entity_sectors_sector", "sector_id"),
)

memberships = Table(
    "memberships",
    metadata,
    Column("entity_id", String(80), ForeignKey("entities.id"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("unit_key", String(32), ForeignKey("admin_units.key"), nullable=False),
    Column("adcode", Integer, nullable=False),
    Index("ix_memberships_adcode", "adcode"),
)

# Each entity with every place it lies in: its members and their ancestors (roll-up for `place`).
entity_places = Table(
    "entity_places",
    metadata,
    Column("entity_id", String(80), ForeignKey("entities.id"), primary_key=True),
    Column("adcode", Integer, primary_key=True),
    Index("ix_entity_places_adcode", "adcode"),
)

plan_refs = Table(
    "plan_refs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(16), nullable=False),  # entity | sector
    Column("subject_id", String(80), nullable=False),
    Column("position", Integer, nullable=False),
    Column("plan_id", String(32), ForeignKey("plans.id"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("section", Text, nullable=False),
    Column("quote", Text, nullable=False),
    Index("ix_plan_refs_subject", "subject", "subject_id"),
    Index("ix_plan_refs_year", "year"),
)

# The plans' numeric targets and baselines (app.targets), in data/targets.yaml's order.
targets = Table(
    "targets",
    metadata,
    Column("id", String(80), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("plan_id", String(32), ForeignKey("plans.id"), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("metric_zh", Text, nullable=False),
    Column("metric_en", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("value_to", Float),
    Column("qualifier", String(16)),
    Column("unit", String(16), nullable=False),
    Column("year", Integer),
    Column("scope", String(16), nullable=False),
    Column("scope_id", String(80)),  # sector id, entity id or adcode (as text); None for the province
    Column("section", Text, nullable=False),
    Column("quote", Text, nullable=False),
    Column("note", Text),
    Index("ix_targets_scope", "scope", "scope_id"),
)

text_notes = Table(
    "text_notes",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("plan_id", String(32), ForeignKey("plans.id"), nullable=False),
    Column("section", Text, nullable=False),
    Column("quote", Text, nullable=False),
    Column("note", Text, nullable=False),
)

# Links between plan editions and dropped records (data/lineage.yaml, app.lineage): ``kind`` is ``link``
# or ``dropped``; a dropped record's ``to_plan`` is the plan that drops it and its other ``to_*`` are None.
lineage = Table(
    "lineage",
    metadata,
    Column("position", Integer, primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("relation", String(16)),
    Column("part", Text),
    Column("note", Text),
    Column("from_plan", String(32), ForeignKey("plans.id"), nullable=False),
    Column("from_subject", String(16), nullable=False),  # entity | sector
    Column("from_id", String(80), nullable=False),
    Column("from_section", Text),
    Column("from_quote", Text, nullable=False),
    Column("to_plan", String(32), ForeignKey("plans.id"), nullable=False),
    Column("to_subject", String(16)),
    Column("to_id", String(80)),
    Column("to_section", Text),
    Column("to_quote", Text),
    Index("ix_lineage_plans", "from_plan", "to_plan"),
    Index("ix_lineage_from", "from_id"),
    Index("ix_lineage_to", "to_id"),
)
