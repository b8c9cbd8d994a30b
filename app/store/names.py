"""The names behind the codes in files for people: plans (titles, document numbers), sectors and places,
read from the published store."""

from __future__ import annotations

from sqlalchemy import select

from app.store import schema
from app.store.published import StoreReader, rows_as_dicts
from app.tables import Names, PlanName


def names(store: StoreReader) -> Names:
    """The plans, sector names and place names of ``store`` (one short query each)."""
    plans, sectors, units = schema.plans, schema.sectors, schema.admin_units
    with store.engine().connect() as connection:
        plan_rows = rows_as_dicts(
            connection.execute(
                select(
                    plans.c.id,
                    plans.c.year,
                    plans.c.title_zh,
                    plans.c.title_en,
                    plans.c.issuer_zh,
                    plans.c.issuer_en,
                    plans.c.number,
                    plans.c.date,
                    plans.c.period,
                ).order_by(plans.c.year.desc())
            )
        )
        sector_rows = connection.execute(select(sectors.c.id, sectors.c.name_zh, sectors.c.name_en)).all()
        # An adcode at two levels (仙桃, 潜江, 天门, 神农架) has one name: either row serves.
        unit_rows = connection.execute(
            select(units.c.adcode, units.c.name_zh, units.c.name_en).order_by(units.c.position)
        ).all()
    return Names(
        plans={row["id"]: PlanName(**row | {"date": str(row["date"])}) for row in plan_rows},
        sectors={row.id: (row.name_zh, row.name_en) for row in sector_rows},
        places={row.adcode: (row.name_zh, row.name_en) for row in unit_rows},
    )
