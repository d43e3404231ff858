"""Entity kinds: what the HA choice takes whole from one member of an HA set, and how to extract it.

An entity is what both IDBs of a pair hold, each with its own row IDs: a voice interaction with all
its calls, parties, history, routing results and user data (identity: the root call's CALLID); an
agent login session with its DNs, states and reasons (switch, agent, DN, login time); an outbound
campaign session (SESSID) or chain (CHAINGUID); or a single row (a virtual-queue stay, an OCS metric,
a configuration object version). Kinds made of several tables are written as SQL files in
`sql/extract/<kind>/` (see its README); single-row kinds are declared here by their key columns.

This module turns them into source queries: the window's touched entities, the ready ones, and the
rows of each table for the ready ones, all in the project dialect, transpiled per source.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from idbmart import sqlfile
from idbmart.idb.schema import SOURCE_DIALECT, tables

# Insert-only history tables: ICON may deliver a row twice (its event backlog re-sent after a
# reconnect). Rows equal in every column but the IDB's own row ids are one row.
HISTORY_TABLES = (
    "G_PARTY_HISTORY",
    "G_ROUTE_RESULT",
    "G_IS_LINK",
    "G_USERDATA_HISTORY",
    "G_SECURE_USERDATA_HISTORY",
    "G_AGENT_STATE_HISTORY",
    "GO_CAMPAIGNHISTORY",
    "GO_CHAINREC_HIST",
    "GOX_CHAIN_CALL",
    "GO_CAMPPROP_HIST",
    "GO_FIELDHIST",
)
# Per-IDB row ids: never part of a row's content (IDB.md: ID columns identify nothing across IDBs).
ROW_ID_COLUMNS = ("PHID", "ID")
# When each row of a kind's tables came to be (IDB.md). No row of an interaction is older than its
# first call, no row of a login session older than the login: a read of the ready entities' rows can
# skip what an IDB holds from before (`Kind.anchor`), and a late window no longer reads the whole day.
TIME_COLUMNS = {
    "G_CALL": "CREATED_TS",
    "G_PARTY": "CREATED_TS",
    "G_PARTY_HISTORY": "ADDED_TS",
    "G_ROUTE_RESULT": "ADDED_TS",
    "G_IS_LINK": "ADDED_TS",
    "G_USERDATA_HISTORY": "ADDED_TS",
    "G_SECURE_USERDATA_HISTORY": "ADDED_TS",
    "G_LOGIN_SESSION": "CREATED_TS",
    "GX_SESSION_ENDPOINT": "CREATED_TS",
    "G_AGENT_STATE_HISTORY": "ADDED_TS",
    "G_AGENT_STATE_RC": "ADDED_TS",
}
# Tables whose rows an entity may lack in one member for want of a key allowed, not of a gap: secure
# user data is read for the allowed keys only. The HA choice does not weigh them (Kind.evidence).
TABLES_NOT_EVIDENCE = frozenset({"G_SECURE_USERDATA_HISTORY"})
# Rows are read from the anchor's earliest time less this: room for clocks that differ (a party's
# history stamped by one server, its call by another). An hour of rows costs little to read.
BOUND_SLACK_S = 3600
# No IDB recorded anything before 2000-01-01: an earlier time is a broken row or clock. Such a row is
# read whatever the time bound (and listed as a discard by the transform, which reads it by the same
# mark: macro plausible_ts), never lost to the bound.
PLAUSIBLE_FROM_TS = 946_684_800
# No interaction lives longer than 30 days: Info Mart terminates one still active after
# days-to-keep-active-facts (default 30; Options GIM gim-etl). A terminated call, IR or party whose end
# lies further from its start is a broken row or clock: its end is not used (macro plausible_end).
PLAUSIBLE_SPAN_S = 30 * 86_400


@dataclass(frozen=True)
class Kind:
    name: str
    role: str  # the ICON role whose data-source sessions judge a member's coverage
    tables: tuple[str, ...]  # root first
    requires: frozenset[str]  # the source's roles must include these ...
    excludes: frozenset[str] = frozenset()  # ... and none of these
    # Single-row kinds: the one table's key columns, lifetime columns, whether it must have ended.
    key: tuple[str, ...] = ()
    start: str = "CREATED_TS"
    end: str | None = None
    must_end: bool = False
    can_stick: bool = False  # may become ready by the clock alone (stuck), with no row in the window
    identity_column: str | None = None  # the root's column the identity comes from, where it can be NULL
    # The table whose rows, read first, bound the time of the rest (TIME_COLUMNS). Not G_IR for an
    # interaction: ICON creates a merged IR's record when the calls merge, after they began.
    anchor: str | None = None
    # Tables read of an entity still open (STUCK in ready.sql), which is ready when a row of one of them
    # is touched (CTE `touched_open`) or it is asked for again; its other tables are read once it ended.
    # A login session's record and DN while the agent works: calls find their agent before the logout.
    open_tables: tuple[str, ...] = ()

    @property
    def single_row(self) -> bool:
        return bool(self.key)

    def applies_to(self, roles) -> bool:
        return self.requires <= set(roles) and not (self.excludes & set(roles))

    # -- queries ----------------------------------------------------------------------------------
    def path(self, table: str) -> exp.Select:
        """`SELECT <entity id> AS ENTITY_ID FROM <table> AS t [JOIN ...]`: how a row finds its entity."""
        if self.single_row:
            return exp.select(exp.alias_(_key_expr(self.key), "ENTITY_ID")).from_(exp.to_table(table).as_("t"))
        return sqlfile.parse(f"extract/{self.name}/{table}.sql").copy()

    def touched(self, present: list[str]) -> exp.Expression:
        """Entity ids with a row of any of `present` inserted or updated in the window (:lo, :hi]."""
        selects = [self.path(t).where(_in_window("t")) for t in present]
        union = selects[0]
        for s in selects[1:]:
            union = exp.union(union, s, distinct=True)
        return union

    def orphans(
        self, table: str, columns: list[exp.Expression], bounded: frozenset[str] = frozenset()
    ) -> tuple[exp.Select, tuple[str, ...], tuple[str, ...]] | None:
        """Rows of `table` (not the root) written in the window (:lo, :hi] that belong to no entity: a
        column of theirs its path leads by is NULL (a party with no CALLID), or leads to no row (a party
        whose call has no CALLID). `columns` over alias t, the path's columns of `table` and the tables
        it leads through; None for a single-row kind or the root table (their key is the identity).
        The tables it leads through named in `bounded` are joined from `:orphan_since` on (TIME_COLUMNS):
        the rows found then are candidates only, a row whose parent is older among them."""
        if self.single_row or table == self.tables[0]:
            return None
        path = self.path(table)
        keys = tuple(sorted({c.name for c in path.find_all(exp.Column) if c.table == "t"}))
        joins = path.args.get("joins") or []
        for join in joins:
            join.set("side", "LEFT")
            read = join.this
            if read.name in bounded:
                when = exp.column(TIME_COLUMNS[read.name], read.alias_or_name)
                since = exp.GTE(this=when, expression=exp.Placeholder(this="orphan_since"))
                implausible = exp.LT(this=when.copy(), expression=exp.Literal.number(PLAUSIBLE_FROM_TS))
                recent = exp.paren(exp.or_(since, when.copy().is_(exp.null()), implausible))
                join.set("on", exp.and_(join.args["on"], recent))
        query = (
            path.select(*columns, append=False)
            .where(_in_window("t"))
            .where(exp.column("GSYS_SEQ", "t") <= exp.Placeholder(this="hi"))
            .where(path.expressions[0].this.copy().is_(exp.null()))
        )
        return query, keys, tuple(j.this.name for j in joins)

    def ready(self, present: list[str], again: tuple[str, ...] = ()) -> exp.Select:
        """The entities to (re)extract (a kind of several tables gets the CTE `touched` attached);
        `again`: the keys of entities to read whatever the window (the HA choice asks for them again)."""
        if self.single_row:
            return self._single_row_ready(again)
        ready = sqlfile.parse(f"extract/{self.name}/ready.sql").copy()
        touched = self.touched(present)
        asked = _ids_of_keys(ready, again) if again else None
        if asked is not None:
            touched = exp.union(touched, asked, distinct=True)
        ready = ready.with_("touched", as_=touched)
        if self.open_tables:
            opened = self.touched([t for t in present if t in self.open_tables])  # the root among them
            if asked is not None:
                opened = exp.union(opened, asked.copy(), distinct=True)
            ready = ready.with_("touched_open", as_=opened)
        return ready

    def _single_row_ready(self, again: tuple[str, ...] = ()) -> exp.Select:
        key = _key_expr(self.key)
        start = exp.column(self.start, "t")
        end = exp.func("COALESCE", exp.column(self.end, "t"), start.copy()) if self.end else start.copy()
        query = exp.select(
            exp.alias_(key, "ENTITY_ID"),
            exp.alias_(key.copy(), "ENTITY_KEY"),
            exp.alias_(start, "START_TS"),
            exp.alias_(end, "END_TS"),
            exp.alias_(self._stuck() if self.can_stick else exp.false(), "STUCK"),
        ).from_(exp.to_table(self.tables[0]).as_("t"))
        query = query.where(exp.column("GSYS_SEQ", "t") <= exp.Placeholder(this="hi"))
        if self.can_stick:
            open_ = exp.column(self.end, "t").is_(exp.null())
            stuck_at = exp.Add(this=exp.column(self.start, "t"), expression=exp.Placeholder(this="stuck_s"))
            crossing = exp.and_(
                open_, stuck_at > exp.Placeholder(this="t_lo"), stuck_at <= exp.Placeholder(this="t_hi")
            )
            touched = exp.or_(_in_window("t"), crossing)
        else:
            touched = _in_window("t")
        if again:
            touched = exp.or_(touched, key.copy().isin(*map(exp.Literal.string, again)))
        query = query.where(exp.paren(touched))
        if self.must_end:
            ended = exp.not_(exp.column(self.end, "t").is_(exp.null()))
            query = query.where(exp.or_(ended, self._stuck()) if self.can_stick else ended)
        return query

    def _stuck(self) -> exp.Expression:
        """Still open :stuck_s seconds after it began, by the source's clock :t_hi."""
        stuck_at = exp.Add(this=exp.column(self.start, "t"), expression=exp.Placeholder(this="stuck_s"))
        return exp.paren(exp.and_(exp.column(self.end, "t").is_(exp.null()), stuck_at <= exp.Placeholder(this="t_hi")))

    def rows(
        self,
        table: str,
        columns: list[exp.Expression],
        present: list[str],
        held: str | None = None,
        bounded: frozenset[str] = frozenset(),
        again: tuple[str, ...] = (),
        only: tuple[str, ...] | None = None,
    ) -> exp.Select:
        """Rows of `table` that belong to ready entities: `columns` (over alias t), ENTITY_KEY, STUCK.
        The ready entities are recomputed in the query, or read from relation `held` where the source
        session holds the result of `ready` already (computed once for all the kind's tables); with
        `only`, those of these keys alone. The tables of the row's path named in `bounded` are read
        from `:since` on (TIME_COLUMNS); a row without a time is read whatever its time."""
        path = self.path(table)
        for read in [path.args["from_"].this, *(j.this for j in path.args.get("joins") or [])]:
            if read.name in bounded:
                when = exp.column(TIME_COLUMNS[read.name], read.alias_or_name)
                since = exp.GTE(this=when, expression=exp.Placeholder(this="since"))
                implausible = exp.LT(this=when.copy(), expression=exp.Literal.number(PLAUSIBLE_FROM_TS))
                path = path.where(exp.paren(exp.or_(since, when.copy().is_(exp.null()), implausible)))
        entity_id = path.expressions[0].this
        query = path.select(
            *columns,
            exp.column("ENTITY_KEY", "r"),
            exp.column("STUCK", "r"),
            append=False,
        )
        query = query.join(
            exp.to_table("ready").as_("r"), on=exp.EQ(this=exp.column("ENTITY_ID", "r"), expression=entity_id)
        )
        query = query.where(exp.column("GSYS_SEQ", "t") <= exp.Placeholder(this="hi"))
        if self.open_tables and table not in self.open_tables:  # an open entity's other tables wait for its end
            query = query.where(exp.not_(exp.column("STUCK", "r")))
        if only is not None:
            keys = exp.column("ENTITY_KEY", "r").isin(*map(exp.Literal.string, only)) if only else exp.false()
            query = query.where(keys)
        if held:
            return query.with_("ready", as_=exp.select("*").from_(held))
        ready = self.ready(present, again)
        ctes = ready.args.get("with_")
        if ctes is not None:  # hoist `touched` beside `ready`: one WITH for the whole query
            ready.set("with_", None)
            for cte in ctes.expressions:
                query = query.with_(cte.alias, as_=cte.this)
        return query.with_("ready", as_=ready)

    def evidence(
        self,
        table: str,
        present: list[str],
        held: str | None,
        bounded: frozenset[str] = frozenset(),
        first: str | None = None,
        again: tuple[str, ...] = (),
    ) -> exp.Select:
        """The ready entities with rows in `table`, as `rows` would read them (`held`, `again` as there),
        and with `first` (a time column of the table) their earliest: what the HA choice weighs of a
        member whose rows are not read (one key per entity, not its rows)."""
        value = exp.column(first, "t") if first else exp.cast(exp.null(), exp.DataType.build("BIGINT"))
        rows = self.rows(table, [exp.alias_(value, "FIRST_TS")], present, held, bounded, again)
        earliest = exp.alias_(exp.func("MIN", exp.column("FIRST_TS", "e")), "FIRST_TS")
        return (
            exp.select(exp.column("ENTITY_KEY", "e"), earliest)
            .from_(rows.subquery("e"))
            .group_by(exp.column("ENTITY_KEY", "e"))
        )


def _ids_of_keys(ready: exp.Select, keys: tuple[str, ...]) -> exp.Select:
    """`SELECT <ENTITY_ID> FROM <root>`, of the root rows whose ENTITY_KEY (as ready.sql computes it) is
    one of `keys`."""
    named = {e.alias: e.this for e in ready.expressions}
    return (
        exp.select(exp.alias_(named["ENTITY_ID"].copy(), "ENTITY_ID"))
        .from_(ready.args["from_"].this.copy())
        .where(named["ENTITY_KEY"].copy().isin(*map(exp.Literal.string, keys)))
    )


def _in_window(alias: str) -> exp.Expression:
    def between(col: str) -> exp.Expression:
        c = exp.column(col, alias)
        return exp.and_(c > exp.Placeholder(this="lo"), c <= exp.Placeholder(this="hi"))

    return exp.paren(exp.or_(between("GSYS_SEQ"), between("GSYS_USEQ")))


def _key_expr(columns: tuple[str, ...]) -> exp.Expression:
    """A text key from one or more columns of alias t (NULLs kept apart from values)."""
    parts = [
        exp.func("COALESCE", exp.cast(exp.column(c, "t"), exp.DataType.build("TEXT")), exp.Literal.string(""))
        for c in columns
    ]
    if len(parts) == 1:
        return parts[0]
    return exp.func("CONCAT_WS", exp.Literal.string("|"), *parts, dialect=SOURCE_DIALECT)


def _cfg_kinds() -> list[Kind]:
    """Each configuration table: one entity per object version (a change is a new row, same DBID).
    The object's DBID is the table's first column (a link table's: its first two)."""
    kinds = []
    for t in tables().values():
        if t.role == "cfg":
            ids = t.column_names[:2] if t.name.startswith("GCX_") else t.column_names[:1]
            kinds.append(
                Kind(t.name.lower(), "cfg", (t.name,), frozenset({"cfg"}), key=(*ids, "CREATED_TS"), end="DELETED_TS")
            )
    return kinds


KINDS: tuple[Kind, ...] = (
    Kind(
        "interaction",
        "gcc",
        (
            "G_IR",
            "G_CALL",
            "G_PARTY",
            "G_PARTY_HISTORY",
            "G_ROUTE_RESULT",
            "G_IS_LINK",
            "G_USERDATA_HISTORY",
            "G_SECURE_USERDATA_HISTORY",
        ),
        frozenset({"gcc"}),
        can_stick=True,  # sql/extract/interaction/ready.sql reads the clock window
        identity_column="ROOTCALLID",
        anchor="G_CALL",
    ),
    Kind(
        "vq_stay",
        "gcc",
        ("G_VIRTUAL_QUEUE",),
        frozenset({"gcc"}),
        key=("CALLID", "ENDPOINTDN", "ADDED_TS"),
        start="ADDED_TS",
        end="TERMINATED_TS",
        must_end=True,
        can_stick=True,
    ),
    Kind(
        "call_userdata",
        "gud",
        ("G_USERDATA_HISTORY", "G_SECURE_USERDATA_HISTORY"),
        frozenset({"gud"}),
        excludes=frozenset({"gcc"}),
    ),
    Kind(
        "login_session",
        "gls",
        ("G_LOGIN_SESSION", "GX_SESSION_ENDPOINT", "G_AGENT_STATE_HISTORY", "G_AGENT_STATE_RC"),
        frozenset({"gls"}),
        anchor="G_LOGIN_SESSION",
        open_tables=("G_LOGIN_SESSION", "GX_SESSION_ENDPOINT"),
    ),
    Kind("campaign_session", "gos", ("GO_CAMPAIGN", "GO_CAMPAIGNHISTORY", "GO_CAMPPROP_HIST"), frozenset({"gos"})),
    Kind(
        "chain",
        "gos",
        ("GO_CHAIN", "GO_CHAINREC_HIST", "GOX_CHAIN_CALL", "GO_CUSTOM_FIELDS", "GO_FIELDHIST"),
        frozenset({"gos"}),
    ),
    Kind(
        "ocs_metric",
        "gos",
        ("GO_METRICS",),
        frozenset({"gos"}),
        key=("OBJECTTYPE", "OBJECTID", "METRICID", "ADDED_TS"),
        start="ADDED_TS",
    ),
    *_cfg_kinds(),
)


def kinds_for(roles) -> list[Kind]:
    return [k for k in KINDS if k.applies_to(roles)]


def kind(name: str) -> Kind:
    return next(k for k in KINDS if k.name == name)
