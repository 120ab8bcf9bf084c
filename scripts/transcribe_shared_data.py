"""One-off maintenance script: transcribe ../shared/data/meta_analysis into data/meta_analysis.

The compendium never reads ../shared at run time; this script documents how the
files in data/meta_analysis were made from the compiled facts, keeping every
source. Re-run it only when the shared compilation changes, then review the diff.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data" / "meta_analysis"
OUT = ROOT / "data" / "meta_analysis"

EPL_PRE2020_SOURCE = (
    "OECD Employment Protection Legislation database, version 1 indicators, pre-2020 release "
    "(EPL-timeseries.xlsx; eprc_v1 = regular contracts, ept_v1 = temporary contracts), as converted in "
    "GitHub cimentadaj/Social-Mobility country_level_variables/epl_summary_pagetwo.csv"
)
EPL_2020_SOURCE = (
    "OECD Employment Protection Legislation database, 2020-onward release, EPL_OV_VERSION1 (overall, "
    "version 1), sample as read in GitHub kmazurek95/typology-paper"
)
GDP_SOURCE = (
    "World Bank World Development Indicators, NY.GDP.MKTP.KD.ZG (GDP growth, annual %), "
    "data release 2017-04-27"
)


def single_percentage(text: object) -> str | None:
    """The one percentage a reported cell states, as printed, or None when it states none or several arms.

    '55 (54.5)' is read as 54.5 (the more precise figure the source gives in brackets).
    """
    if pd.isna(text):
        return None
    text = str(text).strip()
    if ";" in text:
        return None
    bracketed = re.fullmatch(r"[\d.]+\s*\(([\d.]+)\)", text)
    if bracketed:
        return bracketed.group(1)
    float(text)  # must be a plain number
    return text


def transcribe_trials() -> None:
    trials = pd.read_csv(SHARED / "ips_rcts_candidates.csv", dtype=str, keep_default_na=False)
    # The counts take the general trial table's names (ipscompendium.general.trial_table), which this table extends.
    trials = trials.rename(columns={"pct_ips_reported": "pct_ips_text", "pct_control_reported": "pct_control_text",
                                    "study_id": "study", "n_ips": "n_treatment", "employed_ips": "events_treatment",
                                    "employed_control": "events_control"})
    trials.insert(
        trials.columns.get_loc("pct_control_text") + 1,
        "pct_ips_published",
        [single_percentage(v or None) for v in trials["pct_ips_text"]],
    )
    trials.insert(
        trials.columns.get_loc("pct_ips_published") + 1,
        "pct_control_published",
        [single_percentage(v or None) for v in trials["pct_control_text"]],
    )
    # Rows whose notes say the printed percentage is not reproduced exactly by the counts
    # (a different denominator in the source); validation allows one participant for them.
    documented = {"latimer2006", "wong2008", "christensen2019", "sveinsdottir2020"}
    trials.insert(
        trials.columns.get_loc("pct_control_published") + 1,
        "pct_discrepancy_documented",
        trials["study"].isin(documented),
    )
    trials.to_csv(OUT / "trials.csv", index=False)


def transcribe_covariates() -> None:
    epl = pd.read_csv(SHARED / "epl_oecd_v1_pre2020_release.csv")
    epl["source"] = EPL_PRE2020_SOURCE
    epl.to_csv(OUT / "epl_v1_pre2020_release.csv", index=False)

    epl2020 = pd.read_csv(SHARED / "epl_oecd_v1_2020_release_sample.csv")
    epl2020["source"] = EPL_2020_SOURCE
    epl2020.to_csv(OUT / "epl_v1_2020_release_sample.csv", index=False)

    gdp = pd.read_csv(SHARED / "gdp_growth_world_bank.csv")
    gdp["source"] = GDP_SOURCE
    gdp.to_csv(OUT / "gdp_growth.csv", index=False)


def transcribe_published() -> None:
    published = pd.read_csv(SHARED / "published_results.csv")
    published = published.rename(columns={"source": "publication", "where_read": "source"})
    published["n_participants"] = published["n_participants"].astype("Int64")
    published.insert(0, "analysis_id", ["brinchmann2020", "metcalfe2018", "frederick2019", "dewinter2022", "bond2019"])
    published.to_csv(OUT / "published_pooled_results.csv", index=False)


def main() -> None:
    if not SHARED.exists():
        sys.exit(f"{SHARED} not found: this script needs the shared compilation beside the repository.")
    OUT.mkdir(parents=True, exist_ok=True)
    transcribe_trials()
    transcribe_covariates()
    transcribe_published()
    shutil.copytree(SHARED / "raw", OUT / "raw", dirs_exist_ok=True)


if __name__ == "__main__":
    main()
