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


KILLACKEY2019_SOURCE = (
    "GitHub ricardotwumasi/employment-early-psychosis, data/derived/release_trials.csv (commit "
    "7638cda145a660f1365392750bc99670ba769f74), row KILLACKEY_2019: 'Worked at least 1 day in paid employment during "
    "0_6 month follow-up period', 47/66 vs 29/60 (available case; 73 randomised per arm, 'randomised 1:1 (Killackey 2019, "
    "Methods)'); a secondary source, to be confirmed against Killackey et al. 2019, Br J Psychiatry 214:76-82"
)
#: Counts read in a secondary source (count_status 'secondary_source'), with the reason.
SECONDARY_COUNTS = {
    "killackey2019": {
        "events_treatment": 47, "n_treatment": 66, "events_control": 29, "n_control": 60,
        "note": ("Counts from a third-party extraction (source column), on the patients assessed at 6 months; the printed "
                 "71.2% is 47/66, but 29/60 is 48.3%, not the printed 48.0% (which 24/50 would give): to be confirmed "
                 "against the paper."),
    },
}
#: Per row, how the denominators relate to randomisation: 'randomised' where the two arms' n add up to the
#: participants randomised to the compared arms as read, 'analysed' where the counts are on those assessed,
#: 'unclear' where arm sizes were not read. Reasons are in each row's notes.
ANALYSED_DENOMINATORS = {"drake1999", "killackey2019"}
UNCLEAR_DENOMINATORS = {"lehman2002", "heslin2011", "bejerholm2015", "reme2019"}
#: The outcome each row's counts measure, as a controlled vocabulary (from outcome_definition and notes).
OUTCOME_CATEGORY = {
    "davis2018": "steady competitive employment",
    "hellstrom2017": "competitive employment or education",
    "christensen2019": "competitive employment or education",
    "reme2019": "in competitive employment at follow-up",
}
#: Trials whose arms were followed for different lengths (see notes); others take their window from followup_months.
UNEQUAL_FOLLOWUP = {"tsang2010"}


def followup_window(months: int) -> str:
    return "up to 12 months" if months <= 12 else "13 to 24 months" if months <= 24 else "over 24 months"


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
    for study, counts in SECONDARY_COUNTS.items():
        row = trials["study"] == study
        old_source = trials.loc[row, "source"].iloc[0]
        for column in ("events_treatment", "n_treatment", "events_control", "n_control"):
            trials.loc[row, column] = str(counts[column])
        trials.loc[row, "count_status"] = "secondary_source"
        trials.loc[row, "source"] = KILLACKEY2019_SOURCE
        trials.loc[row, "second_source"] = old_source
        trials.loc[row, "pct_discrepancy_documented"] = True
        trials.loc[row, "notes"] = counts["note"] + " " + trials.loc[row, "notes"].iloc[0]
    trials.insert(trials.columns.get_loc("count_status") + 1, "denominator",
                  ["analysed" if s in ANALYSED_DENOMINATORS else "unclear" if s in UNCLEAR_DENOMINATORS else "randomised"
                   for s in trials["study"]])
    trials.insert(trials.columns.get_loc("outcome_definition") + 1, "outcome_category",
                  [OUTCOME_CATEGORY.get(s, "any competitive employment") for s in trials["study"]])
    trials.insert(trials.columns.get_loc("followup_months") + 1, "followup_window",
                  ["unequal between arms" if s in UNEQUAL_FOLLOWUP else followup_window(int(m))
                   for s, m in zip(trials["study"], trials["followup_months"])])
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
    # Frederick & VanderWeele's own trials with the 2x2 cells passed correctly, from a public re-analysis (secondary).
    corrected = {
        "analysis_id": "frederick2019_corrected",
        "publication": "Frederick and VanderWeele 2019 data, re-analysed with the arm totals passed as totals (public repository)",
        "doi": None, "estimand": "RR any competitive employment, IPS vs usual services", "k_trials": 23, "n_participants": None,
        "estimate": 2.04, "ci_low": 1.78, "ci_high": 2.34, "model": "REML random effects",
        "notes": ("Secondary source. The authors' S2 code calls rma(ai=ips_any, bi=n_ips_randomized, ci=tau_any, "
                  "di=n_tau_randomized, measure='RR', method='REML'); the re-analysis passes n1i/n2i instead: RR 2.040 "
                  "(1.781-2.338), tau^2 0.0487, against 1.633 (1.462-1.824), tau^2 0.0137, as published"),
        "source": ("GitHub ricardotwumasi/employment-early-psychosis, output/tables/external_frederick2019_reanalysis.csv "
                   "(commit abb555860aa23d82e34280ecffde5a72f8054086), row corrected_reml; the authors' call is in "
                   "data/external/frederick2019/pone.0212208.s002.R (PLOS ONE S2 File)"),
    }
    published = pd.concat([published, pd.DataFrame([corrected])], ignore_index=True)
    published["n_participants"] = published["n_participants"].astype("Int64")
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
