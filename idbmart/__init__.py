"""idbmart: a Genesys Info Mart-style ETL from ICON Interaction Databases into a DuckDB mart."""

__version__ = "0.1.0"
