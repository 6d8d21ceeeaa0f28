"""The few exceptions kb raises. The library raises them; the CLI and the app turn them into
one line for people."""


class KBError(Exception):
    """Base class: anything kb can explain to a user in one line."""


class InputError(KBError):
    """A source file or path that cannot be ingested (missing, empty, undecodable, no text)."""


class IndexMissingError(KBError):
    """No index has been built yet in the data directory."""


class IndexMismatchError(KBError):
    """The index on disk was built with another embedding model or format."""


class IndexIncompleteError(KBError):
    """An ingest was interrupted while writing the index; running it again completes it."""


class IndexCorruptError(KBError):
    """The index files exist but cannot be read."""


class DependencyError(KBError):
    """An optional library or model directory needed by the configuration is missing."""


class ConfigError(KBError):
    """A setting has a value kb cannot use."""
