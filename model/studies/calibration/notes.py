"""The notes a calibration prints beside its values: how an sBG fit is made, how its period
becomes the model's month, and what the fitted churn is the hazard of (fits of survival tables,
transaction logs and targets share them)."""

from __future__ import annotations

__all__ = ["HAZARD_NOTE", "SBG_NOTE", "monthly_note"]

#: How an sBG fit is made and its intervals.
SBG_NOTE = (
    "sBG: maximum likelihood with right-censored survivors (Fader & Hardie 2007); intervals for "
    "sbg_α, sbg_β (the Beta distribution of each period's churn probability) from the observed "
    "information (normal on the log scale)."
)


def monthly_note(period_months: float) -> str:
    """The period conversion's note for a table of ``period_months``-month periods (the text
    described a yearly table's for monthly and quarterly ones too)."""
    if period_months == 1:
        head = (
            "Period conversion: none needed, the table is monthly; the model's monthly churn "
            "propensity ~ Beta(a, b) is the sBG fit's own"
        )
    else:
        months = f"{period_months:g}"
        head = (
            "Period conversion: the model draws a monthly churn propensity ~ Beta(a, b); a, b are "
            f"chosen so that the monthly cohort's survival at months {months}k matches the fitted "
            f"survival at periods k = 1..12 of {months} months (least squares on log survival). "
            "Not exact (a Beta monthly churn does not make a Beta churn over longer periods); the "
            "largest gap is reported as monthly_conversion_gap"
        )
    return (
        head + ". base_churn = a/(a+b), churn_heterogeneity = 1/(a+b+1); intervals by the delta "
        "method (where the data show no heterogeneity, churn_heterogeneity's from 0 to the upper "
        "end of its profile-likelihood interval: there the observed information says nothing)."
    )


#: What the fitted churn is: the hazard at reference satisfaction.
HAZARD_NOTE = (
    "retain.base_churn is the hazard at reference satisfaction, no quality gap and no programme; in "
    "a scenario where those move, simulated churn differs - add an annual_retention target to correct "
    "it by simulation."
)
