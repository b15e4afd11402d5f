"""The one base class for roster errors (kept apart from govcheck.roster to avoid an import cycle)."""


class RosterError(ValueError):
    """Bad roster input; the message names file, row and column."""
