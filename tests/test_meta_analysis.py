"""The meta-analysis engine (ipscompendium.general.meta_analysis) and its measures, against metafor
3.8-1 on metafor's own datasets. Reference values were computed with R (apt-get install
r-cran-metafor); each test quotes its call. The tests never run R."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ipscompendium.general import effect_sizes, frequentist, measures
from ipscompendium.general.meta_analysis import MetaAnalysisError, meta_analysis, trial_effects
from ipscompendium.general.trial_table import InputError, read_trials

DATA = Path(__file__).parent / "data" / "metafor"
BCG = Path(__file__).parents[1] / "ipscompendium" / "examples" / "bcg.csv"
# dat.nielweise2007 (catheter-related bloodstream infections: rare events, zero cells, one double-zero trial)
NIELWEISE = np.array([[0, 116, 3, 117], [1, 44, 3, 35], [2, 208, 9, 195], [0, 130, 7, 136], [5, 151, 6, 157], [1, 98, 4, 139],
                      [1, 174, 3, 177], [1, 74, 2, 39], [1, 97, 19, 103], [1, 113, 2, 122], [0, 66, 7, 64], [0, 70, 1, 58],
                      [3, 188, 5, 175], [6, 187, 11, 180], [0, 118, 0, 105], [0, 252, 1, 262], [1, 345, 3, 362], [4, 64, 1, 69]]).T
# five invented trials with a double-zero trial and zero cells
SMALL = np.array([[0, 20, 0, 21], [3, 30, 6, 29], [1, 25, 4, 24], [0, 15, 2, 16], [5, 40, 9, 41]]).T


def bcg_counts():
    t = pd.read_csv(BCG)
    return t.events_treatment, t.n_treatment, t.events_control, t.n_control


# for (m in c("OR","RR","RD")) rma.mh(measure=m, ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg)  -> beta, se, QE, I2
# rma.peto(ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg); the same on dat.nielweise2007 (ai, n1i, ci, n2i) and on SMALL
MH_PETO = {
    ("bcg", "or"): (-0.473410988389, 0.0410077784042, 163.942579569, 92.6803640448),
    ("bcg", "rr"): (-0.453709604684, 0.0393373668713, 152.567553587, 92.1346316973),
    ("bcg", "rd"): (-0.00328818183261, 0.000286656748527, 386.775941837, 96.8974285363),
    ("bcg", "peto"): (-0.474446310941, 0.0406590807446, 167.730167511, 92.8456519313),
    ("nielweise", "or"): (-1.20870483273, 0.222445421342, 16.8636572911, 5.12141154326),
    ("nielweise", "rr"): (-1.17777194418, 0.218167943896, 16.3881481978, 2.3684689272),
    ("nielweise", "rd"): (-0.0242621874447, 0.00422430915667, 56.2514139397, 71.5562705372),
    ("nielweise", "peto"): (-1.10574494676, 0.191587337012, 18.7345092861, 14.5961084134),
    ("small", "or"): (-0.989970668514, 0.42855005082, 0.730879964859, 0.0),
    ("small", "rr"): (-0.84872361681, 0.372608359274, 0.847408249348, 0.0),
    ("small", "rd"): (-0.0921235730654, 0.0383864579733, 0.249486396467, 0.0),
    ("small", "peto"): (-0.924674161777, 0.392289981035, 1.0147571806, 0.0),
}


@pytest.mark.parametrize("data, method", sorted(MH_PETO))
def test_mantel_haenszel_and_peto_as_metafor(data, method):
    counts = {"bcg": bcg_counts(), "nielweise": NIELWEISE, "small": SMALL}[data]
    fit = frequentist.peto(*counts) if method == "peto" else frequentist.mantel_haenszel(*counts, method)
    beta, se, q, i2 = MH_PETO[(data, method)]
    assert fit.mu == pytest.approx(beta, rel=1e-9) and fit.se_mu == pytest.approx(se, rel=1e-9)
    assert fit.q == pytest.approx(q, rel=1e-9, abs=1e-9) and 100 * fit.i2 == pytest.approx(i2, rel=1e-8, abs=1e-9)
    assert fit.ci_low < fit.mu < fit.ci_high and fit.tau2 == 0


def test_mantel_haenszel_refuses_a_ratio_without_events():
    with pytest.raises(ValueError, match="not defined"):
        frequentist.mantel_haenszel([0, 0], [10, 12], [2, 3], [11, 12], "rr")
    with pytest.raises(ValueError, match="'or', 'rr' or 'rd'"):
        frequentist.mantel_haenszel([1, 2], [10, 12], [2, 3], [11, 12], "md")


# escalc("MD"|"SMD", m1i, sd1i, n1i, m2i, sd2i, n2i, data=dat.normand1999): yi and vi of trials 1 and 9
ESCALC_NORMAND = {"md": ([-20, 7], [40.5080231596, 19.8423076923]),
                  "smd": ([-0.35516964094, 0.289556230081], [0.0130646755415, 0.0362717341581])}
# rma(yi, vi, data=<the escalc above>, method=m) -> beta, se, tau2, I2, QE; for "PM" with control=list(tol=1e-14),
# since metafor's default root-finding tolerance (about 1e-4) leaves tau2 2e-5 short of the root that this package finds
RMA_NORMAND = {
    ("md", "EE"): (-3.46361262778, 0.764827521161, 0, 96.6515401508, 238.915810862),
    ("md", "DL"): (-13.981721817, 5.12669833923, 205.409375468, 96.6515401508, 238.915810862),
    ("md", "REML"): (-15.1060274744, 8.94655284569, 684.646152882, 98.9712743488, 238.915810862),
    ("md", "PM"): (-15.1456800341, 9.2142715953, 728.251128594, 99.0322745413, 238.915810862),
    ("smd", "EE"): (-0.410611419421, 0.0616027515357, 0, 93.5342706555, 123.72927436),
    ("smd", "DL"): (-0.530737310616, 0.259218605677, 0.53971437482, 93.5342706555, 123.72927436),
    ("smd", "REML"): (-0.537108258567, 0.308661491598, 0.790842921048, 95.4949371131, 123.72927436),
    ("smd", "PM"): (-0.537171963653, 0.309291368283, 0.794330180963, 95.5138279136, 123.72927436),
}


@pytest.mark.parametrize("measure", ["md", "smd"])
def test_continuous_effects_as_escalc(measure):
    trials = read_trials(DATA / "normand.csv")
    assert trials.attrs["layout"] == "continuous"
    sizes = trial_effects(trials, measure)
    yi, vi = ESCALC_NORMAND[measure]
    assert sizes.y[[0, 8]] == pytest.approx(yi, rel=1e-10) and sizes.v[[0, 8]] == pytest.approx(vi, rel=1e-10)


@pytest.mark.parametrize("measure, method", sorted(RMA_NORMAND))
def test_continuous_meta_analysis_as_rma(measure, method):
    analysis = meta_analysis(read_trials(DATA / "normand.csv"), measure, benefit="lower")
    fit = analysis.fits[method]
    beta, se, tau2, i2, q = RMA_NORMAND[(measure, method)]
    assert fit.mu == pytest.approx(beta, rel=1e-6) and fit.se_mu == pytest.approx(se, rel=1e-5)
    assert fit.tau2 == pytest.approx(tau2, rel=1e-5, abs=1e-12) and 100 * fit.i2 == pytest.approx(i2, rel=1e-6)
    assert fit.q == pytest.approx(q, rel=1e-9)
    assert "MH" not in analysis.fits and analysis.small_study.peters is None  # count methods only for counts


def test_continuous_knha_and_eggers_test_as_metafor():
    # rma(yi, vi, data=escalc("SMD", ...dat.normand1999), method="REML", test="knha") -> ci.lb, ci.ub;
    # regtest(rma(yi, vi, data=...)) -> zval, pval, est (the limit estimate)
    analysis = meta_analysis(read_trials(DATA / "normand.csv"), "smd", test="knha")
    reml = analysis.fits["REML"]
    assert [reml.ci_low, reml.ci_high] == pytest.approx([-1.25032220923, 0.176105692093], rel=1e-5)
    egger = analysis.small_study.egger
    assert egger.statistic == pytest.approx(-0.765699526615, rel=1e-5) and egger.p_value == pytest.approx(0.443855108807, rel=1e-5)
    assert egger.limit_estimate == pytest.approx(0.00409212556186, abs=1e-6)
    md = meta_analysis(read_trials(DATA / "normand.csv"), "md", test="knha")
    assert [md.fits["REML"].ci_low, md.fits["REML"].ci_high] == pytest.approx([-36.3187490843, 6.10669413551], rel=1e-5)
    assert md.small_study.egger.statistic == pytest.approx(-1.30824697476, rel=1e-5)


def test_hedges_g_on_gibson_as_metafor():
    # rma(yi, vi, data=escalc("SMD", ...dat.gibson2002 with means), method="DL" | "REML") -> beta, se, tau2
    analysis = meta_analysis(read_trials(DATA / "gibson.csv"), "smd")
    assert analysis.k == 13
    for method, (beta, se, tau2) in {"DL": (-0.194562877386, 0.0769971865359, 0.0391396605205),
                                     "REML": (-0.194208489795, 0.0760566066492, 0.0374386813867)}.items():
        fit = analysis.fits[method]
        assert (fit.mu, fit.se_mu, fit.tau2) == pytest.approx((beta, se, tau2), rel=1e-5)


def test_generic_inverse_variance_as_rma_with_sei():
    # dat.bangertdrowns2004 without its missing yi: rma(yi, vi, method=m) -> beta, se, tau2, I2 (PM with
    # control=list(tol=1e-14), as above; REML with control=list(threshold=1e-14, maxiter=10000), since the default
    # Fisher scoring stops 5e-5 (relative) short of the maximum)
    analysis = meta_analysis(read_trials(DATA / "bangert.csv"), "generic")
    assert analysis.k == 48 and analysis.measure.key == "generic"
    for method, (beta, se, tau2, i2) in {"DL": (0.220043558363, 0.0448772212052, 0.0455432466871, 56.1182672905),
                                         "REML": (0.221928621685, 0.0460339067639, 0.0499386743452, 58.3728101523),
                                         "PM": (0.228299645206, 0.0506118463123, 0.0689018502461, 65.9256780371)}.items():
        fit = analysis.fits[method]
        assert (fit.mu, fit.se_mu, fit.tau2, 100 * fit.i2) == pytest.approx((beta, se, tau2, i2), rel=1e-6)


def test_generic_log_input_gives_what_the_counts_give(tmp_path):
    # the BCG log risk ratios and their standard errors as generic input: the same analysis as from the counts
    counts = read_trials(BCG)
    sizes = effect_sizes.effect_sizes(*bcg_counts(), "rr")
    path = tmp_path / "generic.csv"
    pd.DataFrame({"study": counts["study"], "effect": sizes.y, "se": np.sqrt(sizes.v)}).to_csv(path, index=False)
    generic = meta_analysis(read_trials(path), "generic-log", benefit="lower")
    binary = meta_analysis(counts.drop(columns=["subgroup", "latitude"]), "rr", benefit="lower")
    for method in ("EE", "DL", "REML", "PM"):
        assert generic.fits[method].mu == pytest.approx(binary.fits[method].mu, rel=1e-9)
    assert generic.bayes.prob_benefit == pytest.approx(binary.bayes.prob_benefit, abs=1e-9)
    assert generic.to_dict()["dl"]["estimate"] == pytest.approx(np.exp(binary.fits["DL"].mu))


def test_measure_must_fit_the_layout_and_arguments_are_checked():
    normand = read_trials(DATA / "normand.csv")
    with pytest.raises(MetaAnalysisError, match="needs binary input, but the trials are continuous; use one of md, smd"):
        meta_analysis(normand, "rr")
    with pytest.raises(MetaAnalysisError, match="level=95"):
        meta_analysis(normand, "md", level=95)
    with pytest.raises(MetaAnalysisError, match="moderator='dose': no such numeric column"):
        meta_analysis(normand, "md", moderators=["dose"])
    with pytest.raises(ValueError, match="unknown measure 'hr'"):
        measures.get_measure("hr")


def test_unit_free_and_unit_bearing_measures_get_their_own_default_priors(tmp_path):
    trials = read_trials(DATA / "normand.csv")
    md, smd = meta_analysis(trials, "md"), meta_analysis(trials, "smd")
    # half-normal(0.5) on the SMD's tau; for the MD the same prior in days: half the typical pooled SD
    n1, n2 = trials.n_treatment, trials.n_control
    pooled = np.sqrt(((n1 - 1) * trials.sd_treatment**2 + (n2 - 1) * trials.sd_control**2) / (n1 + n2 - 2))
    assert smd.bayes.tau_prior.scale == 0.5 and md.bayes.tau_prior.scale == pytest.approx(0.5 * np.median(pooled))
    assert md.bayes.mu_prior_sd >= 10 * np.sqrt(np.median(md.v))
    # the exact posterior of the MD sits near the random-effects estimates, scaled like them (a unit-blind
    # prior, half-normal(0.5) days on tau, would force a common effect near the EE estimate, -3.5)
    assert md.fits["DL"].mu - 5 < md.bayes.estimate < md.fits["DL"].mu + 5
    assert md.bayes.tau[0] > 10
    # generic effects have no SD: the prior is scaled by their spread
    path = tmp_path / "g.csv"
    path.write_text("study,effect,se\nA,-5,2\nB,-2,1.5\nC,-9,4\n")
    generic = meta_analysis(read_trials(path), "generic")
    assert generic.bayes.tau_prior.scale == pytest.approx(max(np.std([-5, -2, -9], ddof=1), np.sqrt(np.median([4, 2.25, 16]))))


def test_continuous_tables_are_checked_with_named_lines_and_columns(tmp_path):
    head = "study,mean_treatment,sd_treatment,n_treatment,mean_control,sd_control,n_control\n"
    cases = {"A,1.5,0,20,2,1,20\n": "line 2, column 'sd_treatment': 0 is not positive; SD must exceed 0",
             "A,1.5,1,1,2,1,20\n": "line 2, column 'n_treatment': is 1; an arm needs at least two participants",
             'A,"1,5",1,20,2,1,20\n': "line 2, column 'mean_treatment': '1,5' is not a number; write 1.5, not 1,5",
             "A,nan,1,20,2,1,20\n": "'nan' is not a finite number"}
    for row, message in cases.items():
        path = tmp_path / "bad.csv"
        path.write_text(head + row)
        with pytest.raises(InputError) as error:
            read_trials(path)
        assert message in str(error.value), str(error.value)
    path.write_text("study,effect,se\nA,0.2,-0.1\n")
    with pytest.raises(InputError, match="line 2, column 'se': -0.1 is not positive"):
        read_trials(path)
    path.write_text("study,mean_treatment,n_treatment\nA,1,20\n")
    with pytest.raises(InputError, match="column 'sd_treatment': is missing from the header"):
        read_trials(path)


def test_trim_and_fill_as_metafor():
    # trimfill(rma(yi, vi, data=escalc("RR", ...dat.bcg), method="DL")) -> k0 1 (right), beta -0.656073212989,
    # se 0.173463402465, tau2 0.308132153287, filled yi 0.309510324888
    sizes = effect_sizes.effect_sizes(*bcg_counts(), "rr")
    filled = frequentist.trim_and_fill(sizes.y, sizes.v, "DL")
    assert (filled.k0, filled.side) == (1, "right") and filled.filled_y == pytest.approx([0.309510324888], rel=1e-9)
    assert (filled.fit.mu, filled.fit.se_mu, filled.fit.tau2) == pytest.approx((-0.656073212989, 0.173463402465, 0.308132153287),
                                                                                rel=1e-9)
    # dat.bangertdrowns2004, REML with control=list(threshold=1e-14, maxiter=10000): k0 7 (left), beta 0.158575852451,
    # se 0.0526745424965, tau2 0.0905467728774; with method="EE": k0 10, beta 0.100981013194, se 0.0256189708119
    b = trial_effects(read_trials(DATA / "bangert.csv"), "generic")
    reml, ee = frequentist.trim_and_fill(b.y, b.v, "REML"), frequentist.trim_and_fill(b.y, b.v, "EE")
    assert (reml.k0, reml.side, ee.k0) == (7, "left", 10)
    # (trimfill refits the filled data with metafor's default Fisher-scoring threshold, whatever control the model had:
    # its tau2 stops 2.5e-5 (relative) short of the REML maximum found here)
    assert (reml.fit.mu, reml.fit.se_mu) == pytest.approx((0.158575852451, 0.0526745424965), rel=1e-5)
    assert reml.fit.tau2 == pytest.approx(0.0905467728774, rel=5e-5)
    assert (ee.fit.mu, ee.fit.se_mu) == pytest.approx((0.100981013194, 0.0256189708119), rel=1e-9)
    # trimfill(rma(yi, vi, data=escalc("SMD", ...dat.normand1999))) finds none missing
    n = trial_effects(read_trials(DATA / "normand.csv"), "smd")
    assert frequentist.trim_and_fill(n.y, n.v).k0 == 0


def test_influence_diagnostics_as_metafor():
    # influence(rma(yi, vi, data=escalc("RR", ...dat.bcg), method="REML", control=list(threshold=1e-14, maxiter=10000))):
    # rstudent, dffits, cook.d, cov.r, tau2.del, QE.del, hat and dfbs of trials 1, 2 and 8; none flagged
    expected = {0: (-0.218142485736, -0.0407075475013, 0.00171654134162, 1.11644898615, 0.336156701804, 151.582572747,
                    0.0505948273437, -0.0402658891702),
                1: (-1.29179018551, -0.343587709851, 0.113249701414, 1.01019229175, 0.292583083996, 145.31760767,
                    0.0636467937256, -0.345862309951),
                7: (1.45008052457, 0.477460007374, 0.199177591739, 1.0010701389, 0.273182929387, 67.9858114991,
                    0.101894390371, 0.471373883729)}
    sizes = effect_sizes.effect_sizes(*bcg_counts(), "rr")
    table = frequentist.influence(sizes.y, sizes.v, "REML")
    columns = ["rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "q_del", "hat", "dfbetas"]
    for row, values in expected.items():
        assert table.loc[row, columns].to_numpy(float) == pytest.approx(values, rel=1e-6)
    assert not table["influential"].any() and table["weight"].sum() == pytest.approx(100)
    # influence(rma(yi, vi, data=dat.bangertdrowns2004 without missing yi)): only trial 46 is flagged
    b = trial_effects(read_trials(DATA / "bangert.csv"), "generic")
    assert list(np.flatnonzero(frequentist.influence(b.y, b.v)["influential"])) == [45]
