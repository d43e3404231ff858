"""IDB codes reach SQL by name from idbmart/idb/enums.py (`STATE = PartyState.CONNECTED`), never as bare
integers: a code changed there changes the SQL too, and the simulator and the ETL cannot disagree."""

from __future__ import annotations

import re

import pytest

from idbmart.idb.enums import CallType, PartyState, named_codes
from idbmart.paths import SQL_DIR

# IDB columns that hold codes of idbmart/idb/enums.py
CODE_COLUMNS = (
    "STATE|PREVSTATE|LAST_STATE|CALLTYPE|TYPE|PROLE|CHANGETYPE|ENDPOINTTYPE|MEDIATYPE|RESULT|STATUS|GROUPTYPE"
    "|OBJECTTYPE|METRICID|CALLRESULT|DIALMODE|DS_TYPE|DSCONN_TYPE|CFG_TYPE_ID"
)
COLUMN = rf"\b(?:[a-z]+\.)?(?:{CODE_COLUMNS})\b"
BARE = [
    re.compile(rf"{COLUMN}\s*(?:=|<>|!=|<|>)\s*-?\d+\b"),  # STATE = 3
    re.compile(rf"{COLUMN}\s+(?:NOT\s+)?IN\s*\(\s*-?\d"),  # STATE IN (5, 6)
    re.compile(rf"{COLUMN}\s+BETWEEN\s+-?\d"),  # STATE BETWEEN 0 AND 9
    re.compile(rf"CASE\s+{COLUMN}\s+WHEN\s+-?\d"),  # CASE RESULT WHEN 1 THEN
    re.compile(rf"(?:nullif|coalesce)\(\s*{COLUMN}\s*,\s*-?\d", re.IGNORECASE),  # coalesce(MEDIATYPE, 0)
    re.compile(r"cfg_resource_key\(\s*\d"),  # a configuration object type
]


def test_no_sql_compares_a_code_column_with_a_bare_integer():
    found = []
    for path in sorted(SQL_DIR.rglob("*.sql")):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            code = line.split("--")[0]
            if any(p.search(code) for p in BARE):
                found.append(f"{path.relative_to(SQL_DIR)}:{n}: {line.strip()}")
    assert found == [], "name the code from idbmart/idb/enums.py:\n" + "\n".join(found)


def test_a_named_code_is_its_value_and_an_unknown_name_fails_at_once():
    assert named_codes("STATE = PartyState.CONNECTED AND CALLTYPE <> CallType.CONSULT") == (
        f"STATE = {int(PartyState.CONNECTED)} AND CALLTYPE <> {int(CallType.CONSULT)}"
    )
    assert named_codes("SELECT p.STATE FROM party AS p") == "SELECT p.STATE FROM party AS p"  # not a name
    with pytest.raises(KeyError, match="PartyState.TALKING is no member"):
        named_codes("STATE = PartyState.TALKING")
