"""The deployment file (TOML, keys of shared/domain/INTERFACE.md): load, validate, resolve paths.

Every mistake is reported as one line naming the file and the key or source at fault, before any
source is touched. Unknown keys are errors, not ignored: a misspelt option must not silently fall
back to a default.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from idbmart.errors import ConfigError
from idbmart.idb.schema import ROLES

MEDIA = ("voice", "multimedia")
AGENT_STATES = ("LOGGEDIN", "NOTREADY", "READY", "AFTERCALLWORK", "BUSY", "DND")
DESCRIPTOR_COLUMNS = ("CUSTOMER_SEGMENT", "SERVICE_TYPE", "SERVICE_SUBTYPE", "BUSINESS_RESULT")
DESCRIPTOR_KEYS = (
    ("CUSTOMER_SEGMENT", "CustomerSegment"),
    ("SERVICE_TYPE", "ServiceType"),
    ("SERVICE_SUBTYPE", "ServiceSubType"),
    ("BUSINESS_RESULT", "BusinessResult"),
)
# IRF_USER_DATA_GEN_1: Info Mart's predefined user-data columns (their names fixed), each with the KVP it
# holds by default; REVENUE and SATISFACTION are numbers (Table-IRF_USER_DATA_GEN_1).
GEN_1_COLUMNS = ("CASE_ID", "CUSTOMER_ID", "GSW_CALL_ATTEMPT_GUID", "GSW_CALL_TYPE", "GVP_SESSION_ID", "REVENUE",
                 "SATISFACTION")  # fmt: skip
GEN_1_KEYS = (
    ("CASE_ID", "CaseID"),
    ("CUSTOMER_ID", "CustomerID"),
    ("GSW_CALL_ATTEMPT_GUID", "GSW_CALL_ATTEMPT_GUID"),
    ("GSW_CALL_TYPE", "GSW_CALL_TYPE"),
    ("REVENUE", "Revenue"),
    ("SATISFACTION", "Satisfaction"),
)
# How a mapped KVP's value on a resource fact is chosen (CTL_UD_TO_UDE_MAPPING's propagation rules):
# CALL, the latest value the interaction held when it left the resource; IRF, the latest change made
# while the resource had it; IRF_FIRST_UPDATE, the first such change.
PROPAGATION_RULES = ("CALL", "IRF", "IRF_FIRST_UPDATE")
MAX_DIM_ATTRIBUTES = 5  # USER_DATA_CUST_DIM_<n>.DIM_ATTRIBUTE_1..5
MAX_RECORD_FIELDS = 60  # CONTACT_ATTEMPT_FACT.RECORD_FIELD_1..60 (Table-CONTACT_ATTEMPT_FACT)
# The deployment file's tables of mart column → KVP name, and the propagation rules by TABLE.COLUMN.
COLUMN_MAPS = ("descriptor_keys", "cust_1_keys", "gen_1_keys")
URI_SCHEMES = ("duckdb", "parquet", "postgresql")
WEEK_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")  # ISO order
WEEK_NUMBERINGS = ("simple", "iso")
# Queue time buckets (AG2_QUEUE_ABN_*, AG2_QUEUE_ACC_AGENT_*): 19 ascending upper bounds make 20
# buckets, (0, b1], (b1, b2], ..., (b19, inf), so that every abandon or answer falls in exactly one.
QUEUE_TIME_BUCKETS = (5, 10, 15, 20, 30, 40, 50, 60, 90, 120, 150, 180, 240, 300, 420, 600, 900, 1200, 1800)


@dataclass(frozen=True)
class EtlOptions:
    stuck_threshold_s: int = 28_860
    max_call_duration_s: int = 3_600
    max_state_duration_s: int = 14_400
    ignore_data_centers: tuple[str, ...] = ()
    # Secure user data (G_SECURE_USERDATA_HISTORY) is personal data: only these keys enter the mart.
    secure_userdata_keys: tuple[str, ...] = ()
    # SIP Cluster agent recovery and ACW matching: clock skew allowed between IDBs of different nodes.
    agent_match_tolerance_s: int = 5
    short_abandon_threshold_s: int = 10  # an abandon in mediation this short is a short abandon
    # Info Mart's introduced-transfer-threshold (GIMVoxIxnFlow-FWKIn): a conference its initiator leaves
    # within this many seconds of the member joining, the member staying on, is a transfer. 0: never.
    introduced_transfer_threshold_s: int = 0
    # Summarising an agent's DNs into one state: the first listed state present wins. Info Mart's
    # sm-resource-state-priority default is ACW, NOT_READY, BUSY, READY (GIMPopAgent); DND, where it is
    # factored in, ranks beside NOT_READY (it too stops the calls); states not listed rank last.
    state_priority: tuple[str, ...] = ("AFTERCALLWORK", "NOTREADY", "DND", "BUSY", "READY", "LOGGEDIN")
    # Info Mart's factor-dnd-into-sm-resource-states: DND is ignored (the DN keeps its state before it)
    # for voice, and is a state of its own for multimedia, by default (GIMPopAgent).
    factor_dnd_voice: bool = False
    factor_dnd_multimedia: bool = True
    # User-data keys (KVP names) per INTERACTION_DESCRIPTOR column, and per IRF_USER_DATA_CUST_1 column.
    descriptor_keys: tuple[tuple[str, str], ...] = DESCRIPTOR_KEYS
    cust_1_keys: tuple[tuple[str, str], ...] = (("IVR_APPLICATION", "IVR_APP"), ("CUSTOMER_ID", "CustomerID"))
    gen_1_keys: tuple[tuple[str, str], ...] = GEN_1_KEYS  # IRF_USER_DATA_GEN_1 column → KVP (GEN_1_COLUMNS)
    # Low-cardinality KVPs as dimensions: the n-th list's keys (up to 5) are USER_DATA_CUST_DIM_<n>'s
    # DIM_ATTRIBUTE_1..5, and IRF_USER_DATA_KEYS.CUSTOM_KEY_<n> points at each fact's combination.
    user_data_dims: tuple[tuple[str, ...], ...] = ()
    # A mapped column's propagation rule (PROPAGATION_RULES) by "TABLE.COLUMN"; CALL where not named.
    propagation: tuple[tuple[str, str], ...] = ()
    # Info Mart's link-msf-userdata: user-data rows for mediation segments too (by MEDIATION_SEGMENT_ID).
    msf_user_data: bool = False
    # RAA's custom dimensions on the agent and queue aggregates: USER_DATA_KEY1 (and USER_DATA_KEY2) of
    # AG2_AGENT_* and AG2_QUEUE_* are CUSTOM_KEY_<n> of these etl.user_data_dims entries (-1 when none).
    aggregate_user_data_dims: tuple[int, ...] = ()
    # Calling-list custom fields on CONTACT_ATTEMPT_FACT: RECORD_FIELD_<n> (1 to 60, Info Mart's) → the
    # Field's DBID (GO_CUSTOM_FIELDS.FIELDID), its value when the attempt began.
    record_fields: tuple[tuple[str, int], ...] = ()
    ivr_application_key: str = "IVR_APP"  # the KVP naming the IVR application that treated the call
    # Aggregates: the contact center's time zone (hours and up are local), the service level, buckets.
    time_zone: str = "UTC"
    # Weeks (DATE_TIME, AG2_*_WEEK): Info Mart's default calendar starts them on Sunday and numbers
    # them "simple" (week 1 starts on January 1; the year's last week ends on December 31). "iso": whole
    # weeks, week 1 the first with four or more days of the year (ISO 8601 with week_start = "monday").
    week_start: str = "sunday"
    week_numbering: str = "simple"
    service_level_threshold_s: int = 20  # AG2_QUEUE_*.ACCEPTED_THR: answered within this many seconds
    short_engage_threshold_s: int = 10  # AG2_AGENT_*.SHORT: accepted and talked for this long or less
    queue_time_buckets_s: tuple[int, ...] = QUEUE_TIME_BUCKETS
    # The transform builds the interactions in scope this many at a time: its memory follows the slice,
    # not the backlog (a nightly or backfill cycle over a large day).
    transform_slice_interactions: int = 100_000


@dataclass(frozen=True)
class QualityOptions:
    gate: bool = True  # validate every cycle's changed rows before it commits; a failure rolls it back
    agent_recovery_floor: float = 0.9  # least share of SIP Cluster agent-DN parties whose agent is recovered
    report_dir: str = "quality"  # the HTML quality reports, relative to the mart's folder


@dataclass(frozen=True)
class ExtractOptions:
    # Sources read at once by one cycle (each its own connection), and at most this many of them on one
    # database server (a PostgreSQL host and port; the mart's machine for snapshot files), so that thirty
    # sites' IDBs on a few servers never open more sessions on one than its DBAs allow.
    threads: int = 2
    connections_per_server: int = 2
    # Where an orchestrated run's extraction tasks leave their files for the commit task (one folder per
    # run): a folder every Airflow worker sees, or a URL fsspec opens (s3://bucket/idbmart/work). Empty:
    # `work/` beside the mart, for workers on the mart's machine only.
    shared_location: str = ""
    # An HA set's other member (not primary), read by one cycle with its primary: "when_chosen" reads its
    # rows only for the entities whose primary's version the HA choice may not take (its entities and
    # the tables they have rows in are always read); "always" reads every member whole. Airflow's
    # extraction tasks read each source alone: there every member is read whole.
    backup_rows: str = "when_chosen"


BACKUP_ROWS = ("when_chosen", "always")
READERS_PASSWORD = "IDBMART_READERS_PASSWORD"  # the PostgreSQL readers' mart's password, from the environment


@dataclass(frozen=True)
class ReadersOptions:
    # A PostgreSQL readers' mart (idbmart.load.publish_postgresql): the published tables kept in step with
    # the mart after each good cycle, for BI tools and report SQL on other machines. The URI names user,
    # host, port and database, never a password (PGPASSWORD, ~/.pgpass or IDBMART_READERS_PASSWORD).
    postgresql: str = ""
    postgresql_schema: str = "idbmart"  # the schema idbmart owns there (whole copies replace it)
    postgresql_grant: str = ""  # a role given read access (USAGE on the schema, SELECT on its tables)


@dataclass(frozen=True)
class RetentionOptions:
    # The nightly job removes what is older than this many days of the sources' own clock.
    gidb_days: int = 30  # GIDB_*, STG_* and HA decisions of finished entities (facts and configuration stay)
    discards_days: int = 90  # STG_TRANSFORM_DISCARDS
    history_days: int = 400  # CTL_AUDIT_LOG, CTL_EXTRACT_HISTORY (each source's last mark stays), CTL_QUALITY_RESULT
    date_time_ahead_days: int = 31  # DATE_TIME is filled this far past the newest data


@dataclass(frozen=True)
class Source:
    name: str
    uri: str  # as resolved: file paths absolute
    ha_set: str
    primary: bool
    roles: tuple[str, ...]
    data_center: str = ""
    sip_cluster: bool = False
    media: str = "voice"

    @property
    def scheme(self) -> str:
        return urlsplit(self.uri).scheme

    @property
    def path(self) -> Path:
        """The snapshot's file or folder (duckdb and parquet sources)."""
        return Path(urlsplit(self.uri).path)

    @property
    def server(self) -> str:
        """The database server it is read from: a PostgreSQL source's host and port (the default port
        when none is named); every snapshot file is read on the mart's own machine."""
        if self.scheme != "postgresql":
            return "local"
        parts = urlsplit(self.uri)
        return f"{parts.hostname or 'localhost'}:{parts.port or 5432}"


@dataclass(frozen=True)
class Deployment:
    path: Path
    mart_path: Path
    etl: EtlOptions
    sources: tuple[Source, ...]  # after ignore_data_centers
    ignored: tuple[Source, ...] = field(default=())
    quality: QualityOptions = QualityOptions()
    retention: RetentionOptions = RetentionOptions()
    extract: ExtractOptions = ExtractOptions()
    reader_path: Path | None = None  # the read-only copy published after each good cycle; None: not published
    memory_limit: str | None = None  # DuckDB's memory ceiling for the mart's work ("4GB"); beyond it, it spills
    readers: ReadersOptions = ReadersOptions()

    @property
    def report_dir(self) -> Path:
        return self.mart_path.parent / self.quality.report_dir

    @property
    def work_location(self) -> str:
        """Where orchestrated runs hand their extracts over between tasks (one folder per run): [extract]
        shared_location, a folder or a URL, else `work/` beside the mart."""
        return self.extract.shared_location or str(self.mart_path.parent / "work")

    def ha_sets(self) -> dict[str, tuple[Source, ...]]:
        """HA set name → members, primary first."""
        sets: dict[str, list[Source]] = {}
        for s in self.sources:
            sets.setdefault(s.ha_set, []).append(s)
        return {k: tuple(sorted(v, key=lambda s: not s.primary)) for k, v in sets.items()}

    def source(self, name: str) -> Source:
        for s in self.sources:
            if s.name == name:
                return s
        raise KeyError(name)


_SOURCE_KEYS = {"name", "uri", "ha_set", "primary", "roles", "data_center", "sip_cluster", "media"}
_TOP_KEYS = {"mart", "etl", "extract", "quality", "retention", "readers", "source"}
_MART_KEYS = {"path", "reader_path", "memory_limit"}


def _check_keys(path, where: str, table: dict, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigError(path, f"unknown key {unknown[0]!r} in {where} (allowed: {', '.join(sorted(allowed))})")


def _typed(path, where: str, key: str, value, kind):
    ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if not ok:
        raise ConfigError(path, f"{where}.{key} must be {kind.__name__}, got {value!r}")
    return value


def _etl_options(path, raw: dict) -> EtlOptions:
    allowed = {f.name for f in fields(EtlOptions)}
    _check_keys(path, "[etl]", raw, allowed)
    values = {}
    for f in fields(EtlOptions):
        if f.name not in raw:
            continue
        if f.name == "aggregate_user_data_dims":
            items = _typed(path, "etl", f.name, raw[f.name], list)
            values[f.name] = tuple(_typed(path, "etl", f.name, item, int) for item in items)
        elif f.name in ("ignore_data_centers", "secure_userdata_keys", "state_priority"):
            items = _typed(path, "etl", f.name, raw[f.name], list)
            values[f.name] = tuple(_typed(path, "etl", f.name, item, str) for item in items)
        elif f.name in COLUMN_MAPS:
            values[f.name] = _column_map(path, f.name, raw[f.name])
        elif f.name == "user_data_dims":
            values[f.name] = _dims(path, raw[f.name])
        elif f.name == "record_fields":
            values[f.name] = _record_fields(path, raw[f.name])
        elif f.name == "propagation":
            table = _typed(path, "etl", f.name, raw[f.name], dict)
            values[f.name] = tuple((k, _typed(path, "etl.propagation", k, v, str)) for k, v in table.items())
        elif f.name in ("ivr_application_key", "time_zone", "week_start", "week_numbering"):
            values[f.name] = _typed(path, "etl", f.name, raw[f.name], str)
        elif f.name in ("factor_dnd_voice", "factor_dnd_multimedia", "msf_user_data"):
            values[f.name] = _typed(path, "etl", f.name, raw[f.name], bool)
        elif f.name == "queue_time_buckets_s":
            values[f.name] = _buckets(path, raw[f.name])
        else:
            v = _typed(path, "etl", f.name, raw[f.name], int)
            if v < 0 or (v == 0 and f.name not in ("agent_match_tolerance_s", "introduced_transfer_threshold_s")):
                raise ConfigError(path, f"etl.{f.name} must be positive, got {v}")
            values[f.name] = v
    bad = [s for s in values.get("state_priority", ()) if s not in AGENT_STATES]
    if bad or len(set(values.get("state_priority", ()))) != len(values.get("state_priority", ())):
        raise ConfigError(path, f"etl.state_priority must list distinct states of {', '.join(AGENT_STATES)}")
    unknown = [c for c, _ in values.get("descriptor_keys", ()) if c not in DESCRIPTOR_COLUMNS]
    if unknown:
        raise ConfigError(
            path, f"etl.descriptor_keys: unknown column {unknown[0]!r} (known: {', '.join(DESCRIPTOR_COLUMNS)})"
        )
    dims = values.get("aggregate_user_data_dims", ())
    if len(dims) > 2 or any(not 1 <= n <= len(values.get("user_data_dims", ())) for n in dims):
        raise ConfigError(path, "etl.aggregate_user_data_dims: up to two entries of etl.user_data_dims, by number "
                                f"(1 to {len(values.get('user_data_dims', ()))}), got {list(dims)}")  # fmt: skip
    unknown = [c for c, _ in values.get("gen_1_keys", ()) if c not in GEN_1_COLUMNS]
    if unknown:
        raise ConfigError(path, f"etl.gen_1_keys: unknown column {unknown[0]!r} (known: {', '.join(GEN_1_COLUMNS)})")
    mapped = set(user_data_columns(EtlOptions(**{k: v for k, v in values.items() if k != "propagation"})))
    for target, rule in values.get("propagation", ()):
        if target not in mapped:
            raise ConfigError(path, f"etl.propagation: {target!r} is no mapped user-data column (TABLE.COLUMN, "
                                    f"e.g. IRF_USER_DATA_CUST_1.CUSTOMER_ID)")  # fmt: skip
        if rule not in PROPAGATION_RULES:
            raise ConfigError(path, f"etl.propagation: {target}: rule must be one of {', '.join(PROPAGATION_RULES)}, "
                                    f"got {rule!r}")  # fmt: skip
    for name, allowed in (("week_start", WEEK_DAYS), ("week_numbering", WEEK_NUMBERINGS)):
        if name in values and values[name] not in allowed:
            raise ConfigError(path, f"etl.{name} must be one of {', '.join(allowed)}, got {values[name]!r}")
    if "time_zone" in values and not _known_time_zone(values["time_zone"]):
        raise ConfigError(
            path,
            f"etl.time_zone: unknown time zone {values['time_zone']!r} (an IANA name, e.g. "
            "'Europe/Paris' or 'America/New_York')",
        )
    return EtlOptions(**values)


def _simple_options(path, section: str, raw, cls):
    """A section of scalar options (bool, int, float, str), typed like the dataclass's defaults."""
    if not isinstance(raw, dict):
        raise ConfigError(path, f"[{section}] must be a table")
    _check_keys(path, f"[{section}]", raw, {f.name for f in fields(cls)})
    values = {}
    for f in fields(cls):
        if f.name in raw:
            kind = type(f.default)
            v = raw[f.name]
            if kind is float and isinstance(v, int) and not isinstance(v, bool):
                v = float(v)
            values[f.name] = _typed(path, section, f.name, v, kind)
            if kind in (int, float) and values[f.name] < 0:
                raise ConfigError(path, f"{section}.{f.name} must not be negative, got {v}")
    return cls(**values)


def _readers(path, raw) -> ReadersOptions:
    readers = _simple_options(path, "readers", raw, ReadersOptions)
    for key in ("postgresql_schema", "postgresql_grant"):
        value = getattr(readers, key)
        if value and not re.fullmatch(r"[a-z_][a-z0-9_]{0,50}", value):
            raise ConfigError(path, f"readers.{key} must be a lower-case PostgreSQL name, got {value!r}")
    if readers.postgresql:
        parts = urlsplit(readers.postgresql)
        if parts.scheme != "postgresql":
            raise ConfigError(path, f"readers.postgresql must be a postgresql:// URI, got {readers.postgresql!r}")
        _refuse_password(path, "readers.postgresql", readers.postgresql, READERS_PASSWORD)
    return readers


def _refuse_password(path, where: str, uri: str, variable: str) -> None:
    parts = urlsplit(uri)
    if parts.password is not None or any("password" in k.lower() for k in parse_qs(parts.query)):
        raise ConfigError(path, f"{where}: uri carries a password; put credentials in the environment "
                                f"(PGPASSWORD, ~/.pgpass, or {variable}), never in the deployment file")  # fmt: skip


def _known_time_zone(name: str) -> bool:
    """Known to DuckDB's ICU, which computes the local periods (not Python's zoneinfo, which may differ)."""
    import duckdb

    with duckdb.connect() as con:
        return bool(con.execute("SELECT count(*) FROM pg_timezone_names() WHERE name = ?", [name]).fetchall()[0][0])


def _buckets(path, raw) -> tuple[int, ...]:
    items = tuple(
        _typed(path, "etl", "queue_time_buckets_s", v, int)
        for v in _typed(path, "etl", "queue_time_buckets_s", raw, list)
    )
    n = len(QUEUE_TIME_BUCKETS)
    if len(items) != n or items[0] <= 0 or any(a >= b for a, b in zip(items, items[1:], strict=False)):
        raise ConfigError(
            path,
            f"etl.queue_time_buckets_s must be {n} ascending positive upper bounds (seconds) "
            f"of the first {n} of 20 buckets, got {list(items)}",
        )
    return items


def _dims(path, raw) -> tuple[tuple[str, ...], ...]:
    """A list of lists of KVP names: one user-data dimension each, of 1 to 5 keys."""
    dims = _typed(path, "etl", "user_data_dims", raw, list)
    out = []
    for n, keys in enumerate(dims, start=1):
        keys = _typed(path, "etl.user_data_dims", str(n), keys, list)
        if not 1 <= len(keys) <= MAX_DIM_ATTRIBUTES:
            raise ConfigError(path, f"etl.user_data_dims: dimension {n} holds 1 to {MAX_DIM_ATTRIBUTES} keys, "
                                    f"got {len(keys)}")  # fmt: skip
        out.append(tuple(_typed(path, "etl.user_data_dims", str(n), k, str) for k in keys))
    return tuple(out)


def user_data_columns(o: EtlOptions) -> dict[str, tuple[str, str]]:
    """Every mart column a KVP is mapped to, "TABLE.COLUMN" → (KVP name, propagation rule), in Info
    Mart's terms (CTL_UD_TO_UDE_MAPPING: a key to a table and column, with its rule)."""
    rules = dict(o.propagation)
    out = {}
    for table, mapping in (("IRF_USER_DATA_CUST_1", o.cust_1_keys), ("IRF_USER_DATA_GEN_1", o.gen_1_keys)):
        for column, key in mapping:
            out[f"{table}.{column}"] = key
    for n, keys in enumerate(o.user_data_dims, start=1):
        for i, key in enumerate(keys, start=1):
            out[f"USER_DATA_CUST_DIM_{n}.DIM_ATTRIBUTE_{i}"] = key
    return {target: (key, rules.get(target, "CALL")) for target, key in out.items()}


def _record_fields(path, raw) -> tuple[tuple[str, int], ...]:
    """An inline table {RECORD_FIELD_<n> = Field DBID}, n from 1 to MAX_RECORD_FIELDS."""
    table = _typed(path, "etl", "record_fields", raw, dict)
    for column, dbid in table.items():
        n = column.removeprefix("RECORD_FIELD_")
        if not (n.isdigit() and 1 <= int(n) <= MAX_RECORD_FIELDS and column == f"RECORD_FIELD_{int(n)}"):
            raise ConfigError(
                path, f"etl.record_fields: {column!r} is not RECORD_FIELD_1 to RECORD_FIELD_{MAX_RECORD_FIELDS}"
            )
        if _typed(path, "etl.record_fields", column, dbid, int) <= 0:
            raise ConfigError(path, f"etl.record_fields: {column} must name a Field's DBID, got {dbid}")
    return tuple(table.items())


def _column_map(path, key: str, raw) -> tuple[tuple[str, str], ...]:
    """An inline table {COLUMN = "KVP name"}: mart column names are upper-case identifiers."""
    table = _typed(path, "etl", key, raw, dict)
    for column, kvp in table.items():
        if not re.fullmatch(r"[A-Z][A-Z0-9_]{0,62}", column):
            raise ConfigError(path, f"etl.{key}: {column!r} is not an upper-case column name")
        _typed(path, f"etl.{key}", column, kvp, str)
    return tuple(table.items())


def _resolve_uri(path: Path, where: str, uri: str) -> str:
    """The URI with a snapshot's path made absolute. A snapshot that is not there is not an error of
    the file: it is an unreachable source, reported and skipped when it is read (like a site down)."""
    parts = urlsplit(uri)
    if parts.scheme not in URI_SCHEMES:
        raise ConfigError(
            path, f"{where}: uri {uri!r} must start with one of {', '.join(s + '://' for s in URI_SCHEMES)}"
        )
    if parts.scheme == "postgresql":
        _refuse_password(path, where, uri, "IDBMART_PASSWORD_<SOURCE>")
        return uri
    # duckdb:///abs/path or duckdb://relative/path (relative to the deployment file)
    raw = (parts.netloc + parts.path) if parts.netloc else parts.path
    target = Path(raw)
    if not target.is_absolute():
        target = (path.parent / target).resolve()
    return f"{parts.scheme}://{target}"


def _source(path: Path, index: int, raw: dict) -> Source:
    where = f"[[source]] #{index + 1}"
    _check_keys(path, where, raw, _SOURCE_KEYS)
    for key in ("name", "uri", "roles"):
        if key not in raw:
            raise ConfigError(path, f"{where}: missing required key {key!r}")
    name = _typed(path, where, "name", raw["name"], str)
    where = f"source {name!r}"
    roles = tuple(_typed(path, where, "roles", r, str) for r in _typed(path, where, "roles", raw["roles"], list))
    if not roles:
        raise ConfigError(path, f"{where}: roles is empty (use some of {', '.join(ROLES)})")
    for r in roles:
        if r not in ROLES:
            raise ConfigError(path, f"{where}: unknown role {r!r} (known: {', '.join(ROLES)})")
    if len(set(roles)) != len(roles):
        raise ConfigError(path, f"{where}: a role is listed twice in {list(roles)}")
    data_center = _typed(path, where, "data_center", raw.get("data_center", ""), str)
    media = _typed(path, where, "media", raw.get("media", "voice"), str)
    if media not in MEDIA:
        raise ConfigError(path, f"{where}: media {media!r} must be one of {', '.join(MEDIA)}")
    return Source(
        name=name,
        uri=_resolve_uri(path, where, _typed(path, where, "uri", raw["uri"], str)),
        ha_set=_typed(path, where, "ha_set", raw.get("ha_set", name), str),
        primary=_typed(path, where, "primary", raw.get("primary", False), bool),
        roles=roles,
        data_center=data_center,
        sip_cluster=_typed(path, where, "sip_cluster", raw.get("sip_cluster", False), bool),
        media=media,
    )


def _check_ha_sets(path: Path, sources: list[Source]) -> list[Source]:
    """Validate HA sets; a set with no member marked primary gets its first-listed member as primary."""
    sets: dict[str, list[Source]] = {}
    for s in sources:
        sets.setdefault(s.ha_set, []).append(s)
    promoted: set[str] = set()
    for name, members in sets.items():
        if len(members) > 2:
            listed = ", ".join(m.name for m in members)
            raise ConfigError(
                path, f"HA set {name!r} has {len(members)} members ({listed}); an HA set is one or two IDBs"
            )
        primaries = [m.name for m in members if m.primary]
        if len(primaries) > 1:
            raise ConfigError(path, f"HA set {name!r} has two primaries ({', '.join(primaries)}); mark one")
        if len(members) == 2 and set(members[0].roles) != set(members[1].roles):
            raise ConfigError(
                path,
                f"HA set {name!r}: members {members[0].name!r} and {members[1].name!r} have different roles "
                f"({list(members[0].roles)} vs {list(members[1].roles)}); both ICONs of a pair serve the same data",
            )
        if not primaries:
            promoted.add(members[0].name)
    return [Source(**{**s.__dict__, "primary": True}) if s.name in promoted else s for s in sources]


def load(path: str | Path) -> Deployment:
    """Read and validate a deployment file; raise ConfigError with a one-line reason."""
    path = Path(path).resolve()
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(path, "deployment file not found") from None
    except IsADirectoryError:
        raise ConfigError(path, "is a folder; give the deployment file (deployment.toml)") from None
    except PermissionError:
        raise ConfigError(path, "cannot be read: permission denied") from None
    except UnicodeDecodeError as e:
        raise ConfigError(path, f"is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(path, f"not valid TOML: {e}") from None
    _check_keys(path, "the top level", raw, _TOP_KEYS)

    mart = raw.get("mart")
    if not isinstance(mart, dict) or "path" not in mart:
        raise ConfigError(path, "missing [mart] path (the DuckDB mart file)")
    _check_keys(path, "[mart]", mart, _MART_KEYS)
    mart_path = Path(_typed(path, "mart", "path", mart["path"], str))
    if not mart_path.is_absolute():
        mart_path = (path.parent / mart_path).resolve()

    reader_path = None
    if mart.get("reader_path", "") != "":
        reader_path = Path(_typed(path, "mart", "reader_path", mart["reader_path"], str))
        reader_path = reader_path if reader_path.is_absolute() else (path.parent / reader_path).resolve()
        if reader_path == mart_path:
            raise ConfigError(path, "[mart] reader_path must differ from path (readers get a copy)")

    memory_limit = _typed(path, "mart", "memory_limit", mart["memory_limit"], str) if "memory_limit" in mart else None
    if memory_limit is not None and not re.fullmatch(
        r"\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", memory_limit
    ):
        raise ConfigError(path, f'[mart] memory_limit must be a size like "4GB" or "512MB", got {memory_limit!r}')

    etl = _etl_options(path, raw.get("etl", {}))
    quality = _simple_options(path, "quality", raw.get("quality", {}), QualityOptions)
    if quality.agent_recovery_floor > 1:
        raise ConfigError(path, f"quality.agent_recovery_floor is a share (0 to 1), got {quality.agent_recovery_floor}")
    retention = _simple_options(path, "retention", raw.get("retention", {}), RetentionOptions)
    extract = _simple_options(path, "extract", raw.get("extract", {}), ExtractOptions)
    if extract.threads < 1 or extract.connections_per_server < 1:
        raise ConfigError(path, "[extract] threads and connections_per_server must be at least 1")
    if extract.backup_rows not in BACKUP_ROWS:
        raise ConfigError(path, f'[extract] backup_rows must be one of {", ".join(map(repr, BACKUP_ROWS))}, '
                          f"got {extract.backup_rows!r}")  # fmt: skip
    if extract.shared_location and "://" not in extract.shared_location:  # a folder: relative to this file
        extract = replace(extract, shared_location=str((path.parent / extract.shared_location).resolve()))

    readers = _readers(path, raw.get("readers", {}))

    raw_sources = raw.get("source", [])
    if not isinstance(raw_sources, list) or not raw_sources:
        raise ConfigError(path, "no [[source]] defined: list at least one IDB")
    for i, rs in enumerate(raw_sources):
        if not isinstance(rs, dict):
            raise ConfigError(path, f"[[source]] #{i + 1} must be a table")
    sources = [_source(path, i, rs) for i, rs in enumerate(raw_sources)]
    names = [s.name for s in sources]
    for name in names:
        if names.count(name) > 1:
            raise ConfigError(path, f"duplicate source name {name!r}: source names must be unique")
    active = [s for s in sources if s.data_center not in etl.ignore_data_centers]
    if not active:
        raise ConfigError(path, f"every source is in an ignored data center ({', '.join(etl.ignore_data_centers)})")
    active = _check_ha_sets(path, active)
    ignored = tuple(s for s in sources if s.data_center in etl.ignore_data_centers)
    deployment = Deployment(
        path=path, mart_path=mart_path, etl=etl, sources=tuple(active), ignored=ignored, quality=quality,
        retention=retention, extract=extract, reader_path=reader_path, memory_limit=memory_limit, readers=readers,
    )  # fmt: skip
    _check_sources_are_never_written(path, deployment, sources)
    return deployment


def _check_sources_are_never_written(path: Path, d: Deployment, sources: list[Source]) -> None:
    """Refuse a deployment that could write a source: the same IDB listed twice, or a source file or
    folder that is, holds or lies inside what idbmart writes (the mart, the readers' copy, the quality
    reports, the work folder)."""
    seen: dict[str, str] = {}
    for s in sources:
        if s.uri in seen:
            raise ConfigError(
                path, f"sources {seen[s.uri]!r} and {s.name!r} have the same uri {s.uri!r}: list an IDB once"
            )
        seen[s.uri] = s.name
    written = {"[mart] path": d.mart_path, "[mart] reader_path": d.reader_path}
    work = None if "://" in d.work_location else Path(d.work_location)
    owned = {"the quality reports' folder": d.report_dir, "the work folder": work}
    for s in sources:
        if s.scheme == "postgresql":
            continue
        src = s.path.resolve()
        for what, target in [*written.items(), *owned.items()]:
            if target is None:
                continue
            target = target.resolve()
            inside_ours = what in owned and target in src.parents
            if target == src or src in target.parents or inside_ours:
                raise ConfigError(path, f"{what} {str(target)!r} would write source {s.name!r} ({str(src)!r})")


def render(mart_path: str, sources: list[Source], etl: EtlOptions | None = None, reader_path: str | None = None) -> str:
    """A deployment file's text for these sources: the inverse of `load` (used by demo and simulate)."""

    def value(v, table: bool = False) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if table:
            return "{" + ", ".join(f"{json.dumps(k)} = {value(x)}" for k, x in v) + "}"
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, int):
            return str(v)
        return json.dumps(str(v))  # a JSON string is a valid TOML basic string

    lines = ["[mart]", f"path = {value(mart_path)}"]
    lines += [f"reader_path = {value(reader_path)}", ""] if reader_path else [""]
    if etl is not None and etl != EtlOptions():
        lines.append("[etl]")
        lines += [
            f"{f.name} = {value(getattr(etl, f.name), f.name in (*COLUMN_MAPS, 'propagation', 'record_fields'))}"
            for f in fields(EtlOptions)
        ]
        lines.append("")
    for s in sources:
        lines.append("[[source]]")
        lines += [
            f"{k} = {value(getattr(s, k))}"
            for k in ("name", "uri", "ha_set", "primary", "roles", "data_center", "sip_cluster", "media")
        ]
        lines.append("")
    return "\n".join(lines)
