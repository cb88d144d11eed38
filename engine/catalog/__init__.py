"""The catalog: engine/data tables loaded once into frozen records with source, as_of and basis."""
