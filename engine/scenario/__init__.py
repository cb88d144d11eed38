"""The Scenario: the frozen inputs (schema.py: sections, bounds with reasons, YAML/dict codec)."""
