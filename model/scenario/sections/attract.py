"""Advertising, awareness and conversion (``attract``; docs/ODD.md §7.6)."""

from __future__ import annotations

from model.scenario.declare import Section, param

__all__ = ["Attract"]


class Attract(Section):
    """Advertising, awareness and conversion (docs/ODD.md §7.6)."""

    ad_p_max: float = param(
        0.05,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption (monthly); for scale, Sultan et al. 1990's mean Bass p is 0.03 a year",
        plausible=(0.01, 0.1),
        scale="log",
        plausible_source="for scale, Sultan et al. 1990's mean Bass p is 0.03 a year; the monthly ceiling assumption: wide",
    )
    ad_scale: float = param(
        500.0,
        unit="currency/month per 1k market",
        gt=0.0,
        le=1e7,
        source="assumption: diminishing returns p = p_max (1 - exp(-spend/scale))",
        plausible=(100.0, 2500.0),
        scale="log",
        plausible_source="assumption: wide",
    )
    conversion_max: float = param(
        0.2,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: best-fit aware prospect",
        plausible=(0.05, 0.5),
        scale="log",
        plausible_source="assumption: wide",
    )
    fit_exponent: float = param(
        1.0,
        unit="-",
        ge=0.0,
        le=10.0,
        source="assumption: conversion ~ fit^k; 0 = fit ignored",
        plausible=(0.0, 3.0),
        plausible_source="assumption: wide; 0 = fit ignored",
    )
    gap_conversion_effect: float = param(
        1.0,
        unit="log multiplier at saturation",
        ge=-5.0,
        le=10.0,
        source="assumption: a quality gap lowers conversion",
        plausible=(0.0, 2.0),
        plausible_source="assumption: wide",
    )
    awareness_decay: float = param(
        0.1,
        unit="1/month",
        ge=0.0,
        le=1.0,
        source="assumption: aware prospects forget",
        plausible=(0.03, 0.3),
        scale="log",
        plausible_source="assumption: wide",
    )
    onboarding_cost: float = param(
        50.0,
        unit="currency/acquisition",
        ge=0.0,
        le=1e6,
        source="assumption",
        plausible=(10.0, 250.0),
        scale="log",
        plausible_source="assumption: wide",
    )
