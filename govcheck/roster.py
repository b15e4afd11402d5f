"""Every roster the contract names, from one import: sites, accounts, registry (备案) exports.

The readers live with the stage that first needed them (collect for sites, newmedia for accounts and
registries); both raise a subclass of `RosterError`, so a caller catches one class and prints a message
that names the file, the row and the column.
"""
from __future__ import annotations


from govcheck.collect.roster import read_sites
from govcheck.newmedia.roster import AccountRoster, RegistryEntry, read_accounts, read_registry
from govcheck.roster_errors import RosterError

__all__ = ["RosterError", "read_sites", "read_accounts", "read_registry", "AccountRoster", "RegistryEntry"]
