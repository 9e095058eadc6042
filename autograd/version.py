"""The release's version, in one place: pyproject.toml reads it from here when building."""

VERSION = "0.1.0"
