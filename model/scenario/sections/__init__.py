"""The scenario's sections, one module each, and :data:`SECTIONS` (TOML table name -> class)."""

from __future__ import annotations

from model.scenario.declare import Section
from model.scenario.sections.attract import Attract
from model.scenario.sections.economics import Economics
from model.scenario.sections.innovation import Innovation
from model.scenario.sections.levers import SERVICE_LEVELS, Levers, Targeting
from model.scenario.sections.market import Market
from model.scenario.sections.retain import LoyaltyEconomics, Retain
from model.scenario.sections.run import Run
from model.scenario.sections.satisfaction import Satisfaction
from model.scenario.sections.service import Service
from model.scenario.sections.staff import Staff
from model.scenario.sections.win_back import WinBack
from model.scenario.sections.word_of_mouth import WordOfMouth

__all__ = [
    "SECTIONS",
    "SERVICE_LEVELS",
    "Attract",
    "Economics",
    "Innovation",
    "Levers",
    "LoyaltyEconomics",
    "Market",
    "Retain",
    "Run",
    "Satisfaction",
    "Service",
    "Staff",
    "Targeting",
    "WinBack",
    "WordOfMouth",
]

SECTIONS: dict[str, type[Section]] = {
    "run": Run,
    "market": Market,
    "levers": Levers,
    "targeting": Targeting,
    "service": Service,
    "satisfaction": Satisfaction,
    "retain": Retain,
    "loyalty_economics": LoyaltyEconomics,
    "attract": Attract,
    "word_of_mouth": WordOfMouth,
    "win_back": WinBack,
    "staff": Staff,
    "innovation": Innovation,
    "economics": Economics,
}
