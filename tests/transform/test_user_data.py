"""User data on resource facts follows Info Mart's CALL propagation rule: each IRF holds the value the
interaction had when it left the IRF's resource
(https://docs.genesys.com/Documentation/GIM/latest/Dep/GIMPropagationRules), on a simulated day whose
inbound calls change a KVP between their IVR and their agents."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import pytest

from idbmart import config
from idbmart.cycle import run_cycle
from idbmart.fixtures.simulator import Params, simulate

# Slow (a simulated day): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

P = Params(calls=300, days=1, seed=3, classic=True)


def test_each_resource_fact_holds_the_kvp_as_the_call_left_it(tmp_path):
    """CallStage is IVR when an inbound call arrives and Queued one second after it leaves the IVR
    (idbmart/fixtures/simulator/world.py, CALL_STAGES): its IVR's fact holds IVR, its agents' Queued."""
    simulated = config.load(simulate(tmp_path / "world", P, []))
    etl = replace(simulated.etl, cust_1_keys=(*simulated.etl.cust_1_keys, ("CALL_STAGE", "CallStage")))
    path = tmp_path / "world" / "stage.toml"
    path.write_text(config.render(str(tmp_path / "stage.duckdb"), list(simulated.sources), etl))
    run_cycle(config.load(path))
    con = duckdb.connect(str(tmp_path / "stage.duckdb"), read_only=True)
    rows = dict(
        con.execute(
            """SELECT r.RESOURCE_TYPE_CODE, list(DISTINCT u.CALL_STAGE ORDER BY u.CALL_STAGE)
               FROM INTERACTION_RESOURCE_FACT AS i
               JOIN IRF_USER_DATA_CUST_1 AS u USING (INTERACTION_RESOURCE_ID)
               JOIN RESOURCE_ AS r ON r.RESOURCE_KEY = i.MEDIA_RESOURCE_KEY
               JOIN INTERACTION_TYPE AS t USING (INTERACTION_TYPE_KEY)
               WHERE t.INTERACTION_TYPE_CODE = 'INBOUND' AND r.RESOURCE_TYPE_CODE IN ('IVRPORT', 'EXTENSION')
                 AND (i.AGENT_MATCH IN ('reported', 'recovered') OR r.RESOURCE_TYPE_CODE = 'IVRPORT')
               GROUP BY 1"""
        ).fetchall()
    )
    con.close()
    assert rows == {"IVRPORT": ["IVR"], "EXTENSION": ["Queued"]}
