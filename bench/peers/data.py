"""The benchmark's data: parking sites and their observations, generated in the server.

The ``parking-observations`` collection publishes each observation at its site's location: a
join of ``parking_observation`` and ``parking_site``. tipg and pygeoapi serve one relation
with its own geometry column and an ``id``, so :data:`PEER_VIEW` is a plain view of that same
join with the same columns the collection publishes. Every server therefore reads the same
rows through the same indexes (GIST on the site geometry, the observation primary key); no
server gets a denormalised copy the others do not have.

Sites are spread uniformly over about 110 km² around Ghent (by ``hashtext``, so every run
makes the same data); each gets ``observations / sites`` observations 15 minutes apart.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import psycopg

#: The relation tipg and pygeoapi serve: exactly the rows and properties of the collection.
PEER_VIEW = "bench_parking_observation"

#: The area the sites are spread over (lon/lat): Ghent and surroundings.
AREA = (3.65, 51.00, 3.80, 51.10)

SITES_SQL = """
INSERT INTO parking_site (id, source, native_id, name, type, capacity, city, geometry,
                          minx, miny, maxx, maxy, derived, updated_at)
SELECT 'bench:p' || i, 'bench', 'p' || i, 'Parking ' || i, 'car-park', 50 + (i * 37) %% 450,
       'Gent', ST_SetSRID(ST_MakePoint(x, y), 4326), x, y, x, y, '[]', now()
FROM generate_series(0, %(sites)s - 1) AS i,
LATERAL (SELECT %(minx)s + (%(maxx)s - %(minx)s)
                * (abs(hashtext('x' || i)) %% 1000000) / 1e6 AS x,
                %(miny)s + (%(maxy)s - %(miny)s)
                * (abs(hashtext('y' || i)) %% 1000000) / 1e6 AS y) AS p
"""

OBSERVATIONS_SQL = """
INSERT INTO parking_observation (id, site_id, source, observed_at, capacity, vacant, occupied,
                                 occupancy, status, opening_status, trend, derived, received_at)
SELECT site || '@' || to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), site,
       'bench', t, capacity, vacant, capacity - vacant,
       round((capacity - vacant)::numeric / capacity, 4)::float8,
       'spacesAvailable', 'open', 'stable', '["occupied", "occupancy"]', t
FROM generate_series(0::bigint, %(rows)s - 1) AS n,
LATERAL (SELECT 'bench:p' || (n %% %(sites)s) AS site,
                50 + ((n %% %(sites)s) * 37) %% 450 AS capacity,
                TIMESTAMPTZ '2026-11-02 00:00:00+00'
                + (n / %(sites)s) * INTERVAL '15 minutes' AS t) AS s,
LATERAL (SELECT (n * 7919) %% (capacity + 1) AS vacant) AS v
"""

VIEW_SQL = f"""
CREATE VIEW {PEER_VIEW} AS
SELECT o.id, s.geometry AS geom, o.site_id, s.name, o.observed_at, o.capacity, o.vacant,
       o.occupied, o.occupancy, o.status, o.opening_status, o.trend, o.derived
FROM parking_observation AS o JOIN parking_site AS s ON s.id = o.site_id
"""


@dataclass(frozen=True)
class Generated:
    sites: int
    observations: int
    seconds: float
    size: str


def generate(dsn: str, observations: int, sites: int) -> Generated:
    """Sites, observations and the peers' view into a migrated database; VACUUM ANALYZEd."""
    started = time.perf_counter()
    minx, miny, maxx, maxy = AREA
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            SITES_SQL, {"sites": sites, "minx": minx, "miny": miny, "maxx": maxx, "maxy": maxy}
        )
        conn.execute(OBSERVATIONS_SQL, {"rows": observations, "sites": sites})
        conn.execute(VIEW_SQL)
        conn.execute("VACUUM ANALYZE parking_site")
        conn.execute("VACUUM ANALYZE parking_observation")
        row = conn.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('parking_observation'))"
        ).fetchone()
    return Generated(sites, observations, time.perf_counter() - started, row[0] if row else "?")
