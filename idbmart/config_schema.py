"""A JSON Schema of the deployment file, for editors (Taplo / Even Better TOML: `#:schema` on the
file's first line) and other tools: keys, types, allowed values and defaults, made from the option
dataclasses of idbmart/config.py so that it cannot drift from them. idbmart/config.py's own checks stay the
authority: they give the one-line errors and the rules a schema cannot say (HA sets, paths that would
write a source, time zones). `python -m idbmart.config_schema > docs/deployment.schema.json`.
"""

from __future__ import annotations

import dataclasses
import json

from idbmart import config
from idbmart.idb.schema import ROLES

MAPS = {*config.COLUMN_MAPS, "propagation"}  # tables of column → user-data key (or rule) in the file
ENUMS = {"week_start": config.WEEK_DAYS, "week_numbering": config.WEEK_NUMBERINGS}


def _property(name: str, default) -> dict:
    if name in MAPS:
        values = (
            {"type": "string", "enum": list(config.PROPAGATION_RULES)} if name == "propagation" else {"type": "string"}
        )
        return {"type": "object", "additionalProperties": values, "default": dict(default)}
    if name == "record_fields":
        names = f"^RECORD_FIELD_([1-9]|[1-5][0-9]|{config.MAX_RECORD_FIELDS})$"
        return {"type": "object", "propertyNames": {"pattern": names},
                "additionalProperties": {"type": "integer", "minimum": 1}, "default": dict(default)}  # fmt: skip
    if name == "aggregate_user_data_dims":
        return {"type": "array", "items": {"type": "integer", "minimum": 1}, "maxItems": 2, "default": list(default)}
    if name == "user_data_dims":
        keys = {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": config.MAX_DIM_ATTRIBUTES}
        return {"type": "array", "items": keys, "default": [list(d) for d in default]}
    if name == "backup_rows":
        return {"type": "string", "enum": list(config.BACKUP_ROWS), "default": default}
    if isinstance(default, bool):
        out = {"type": "boolean"}
    elif isinstance(default, int):
        out = {"type": "integer", "minimum": 0}
    elif isinstance(default, float):
        out = {"type": "number", "minimum": 0}
    elif isinstance(default, str):
        out = {"type": "string"}
    else:  # a tuple of strings or integers
        item = "integer" if default and isinstance(default[0], int) else "string"
        out = {"type": "array", "items": {"type": item}}
        default = list(default)
    if name in ENUMS:
        out["enum"] = list(ENUMS[name])
    return {**out, "default": default}


def _section(cls, description: str) -> dict:
    return {
        "type": "object",
        "description": description,
        "additionalProperties": False,
        "properties": {f.name: _property(f.name, f.default) for f in dataclasses.fields(cls)},
    }


def json_schema() -> dict:
    source = {
        "type": "object",
        "description": "One IDB: a DuckDB snapshot, a Parquet folder or a live PostgreSQL database (read only).",
        "additionalProperties": False,
        "required": ["name", "uri", "roles"],
        "properties": {
            "name": {"type": "string", "description": "Unique."},
            "uri": {"type": "string", "pattern": "^(duckdb|parquet|postgresql|postgres)://",
                    "description": "duckdb:///path, parquet:///folder or postgresql://user@host/db, no password."},
            "ha_set": {"type": "string", "description": "Members of one HA pair share it (default: its name)."},
            "primary": {"type": "boolean", "description": "Tie-break inside the HA set."},
            "roles": {"type": "array", "minItems": 1, "items": {"enum": list(ROLES)}},
            "data_center": {"type": "string", "default": ""},
            "sip_cluster": {"type": "boolean", "default": False},
            "media": {"enum": list(config.MEDIA), "default": "voice"},
        },
    }  # fmt: skip
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "idbmart deployment file",
        "type": "object",
        "additionalProperties": False,
        "required": ["mart", "source"],
        "properties": {
            "mart": {
                "type": "object",
                "additionalProperties": False,
                "required": ["path"],
                "properties": {
                    "path": {"type": "string", "description": "The DuckDB mart file."},
                    "reader_path": {
                        "type": "string",
                        "description": "The copy readers open, published after each good cycle.",
                    },
                    "memory_limit": {
                        "type": "string",
                        "pattern": r"^\s*\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$",
                    },
                },
            },  # fmt: skip
            "etl": _section(config.EtlOptions, "How the mart is built (shared/domain/INTERFACE.md, README)."),
            "extract": _section(
                config.ExtractOptions,
                "How many sources a cycle reads at once, in all and per server; an HA set's other member's rows.",
            ),
            "quality": _section(config.QualityOptions, "The quality gate."),
            "retention": _section(config.RetentionOptions, "How long the working layers keep rows."),
            "readers": _section(config.ReadersOptions, "A PostgreSQL readers' mart kept in step with the mart."),
            "source": {"type": "array", "minItems": 1, "items": source},
        },
    }


if __name__ == "__main__":
    print(json.dumps(json_schema(), indent=2))
