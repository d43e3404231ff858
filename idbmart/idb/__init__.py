"""The IDB model: tables and columns of shared/domain/IDB.md (from sql/idb/) and their enumerations."""
