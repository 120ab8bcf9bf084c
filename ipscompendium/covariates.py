"""Country-year covariates matched to the trials, for the meta-regression.

Our trial table records publication year and follow-up, not recruitment years, so recruitment is
*assumed* to span ``span_years`` years ending ``lag_years`` + follow-up before publication; the
book shows the years assigned to every trial. Multi-country trials get the mean over their
countries with a value; a trial with no value (Hong Kong has no OECD EPL index) gets NaN and
leaves the regressions that need it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Assumed years between the end of follow-up and publication, and length of recruitment.
LAG_YEARS = 1
SPAN_YEARS = 2


def recruitment_years(trials: pd.DataFrame, lag_years: int = LAG_YEARS, span_years: int = SPAN_YEARS) -> pd.DataFrame:
    """Assumed first and last recruitment year of each trial."""
    followup_years = np.ceil(trials["followup_months"].astype(float) / 12).astype(int)
    last = trials["year"].astype(int) - lag_years - followup_years
    return pd.DataFrame({"study": trials["study"], "first_year": last - span_years + 1, "last_year": last})


def _countries(code: str) -> list[str]:
    return code.split(";")


def matched_covariate(
    trials: pd.DataFrame, table: pd.DataFrame, column: str, years: pd.DataFrame | None = None, carry_forward_years: int = 0
) -> pd.Series:
    """Mean of ``table[column]`` over each trial's countries and recruitment years.

    With ``carry_forward_years`` > 0, a country with no value in the window takes its latest
    value from up to that many years before it (for slow-moving indices whose series ends
    before the trial recruited).
    """
    years = years if years is not None else recruitment_years(trials)
    lookup = table.set_index(["country_code", "year"])[column].astype(float)
    values = []
    for trial, span in zip(trials.itertuples(), years.itertuples()):
        cells = []
        for country in _countries(trial.country_code):
            window = [lookup.get((country, year), np.nan) for year in range(span.first_year, span.last_year + 1)]
            window = [c for c in window if not np.isnan(c)]
            if not window and carry_forward_years:
                earlier = [lookup.get((country, year), np.nan) for year in range(span.first_year - carry_forward_years, span.first_year)]
                earlier = [c for c in earlier if not np.isnan(c)]
                window = earlier[-1:]
            cells.extend(window)
        values.append(float(np.mean(cells)) if cells else np.nan)
    return pd.Series(values, index=trials.index, name=column)


def nearest_year_covariate(trials: pd.DataFrame, table: pd.DataFrame, column: str, years: pd.DataFrame | None = None) -> pd.Series:
    """Like :func:`matched_covariate`, but for a table with a few sampled years: each trial takes
    the sampled year nearest the middle of its recruitment."""
    years = years if years is not None else recruitment_years(trials)
    values = []
    for trial, span in zip(trials.itertuples(), years.itertuples()):
        middle = (span.first_year + span.last_year) / 2
        cells = []
        for country in _countries(trial.country_code):
            rows = table[table["country_code"] == country]
            if rows.empty:
                continue
            nearest = rows.iloc[(rows["year"].astype(float) - middle).abs().argsort().iloc[0]]
            cells.append(float(nearest[column]))
        values.append(float(np.mean(cells)) if cells else np.nan)
    return pd.Series(values, index=trials.index, name=column)


def standardise(frame: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Columns centred and scaled to unit SD; returns (z, means, sds) so slopes can be read per SD."""
    means, sds = frame.mean(), frame.std(ddof=0)
    if (sds == 0).any():
        raise ValueError(f"covariate(s) without variation: {list(sds.index[sds == 0])}")
    return (frame - means) / sds, means, sds
