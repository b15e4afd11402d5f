"""The replica region: realistic government sites with planted defects, served on 127.0.0.1."""
from __future__ import annotations

from .scenario import Scenario, ScenarioError, SimSite, load_scenario

__all__ = ["Scenario", "ScenarioError", "SimSite", "load_scenario"]
