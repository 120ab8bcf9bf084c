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


# Six more of metafor's datasets (tests/data/metafor/README.md), every estimator against metafor 3.8-1:
#   ctl <- list(threshold=1e-14, maxiter=10000, tol=1e-14)
#   for binary data d (ai, n1i, ci, n2i) and m in OR, RR: e <- escalc(m, ai=ai, n1i=n1i, ci=ci, n2i=n2i, data=d,
#     drop00=TRUE) (this package leaves double-zero trials out of ratios, as rma.mh does; escalc keeps them by default);
#     rma(yi, vi, data=e, method=meth, control=ctl) for meth in EE, DL, REML, PM; rma.mh(measure=m, ...);
#     rma.peto(...) -> beta, se, tau2
#   for dat.curtis1998 and m in MD, SMD: escalc(m, m1i, sd1i, n1i, m2i, sd2i, n2i) then the four rma fits
# yusuf: dat.yusuf1985, table "6"; egger: dat.egger2001; hine: dat.hine1989; li: dat.li2007; anand: dat.anand1999;
# curtis: dat.curtis1998.
METAFOR_FITS = {
    ("yusuf", "or", "EE"): (-0.0623412582453, 0.120478138032, 0),
    ("yusuf", "or", "DL"): (-0.0623412582453, 0.120478138032, 0),
    ("yusuf", "or", "REML"): (-0.0623412582453, 0.120478138032, 0),
    ("yusuf", "or", "PM"): (-0.0623412582453, 0.120478138032, 0),
    ("yusuf", "or", "MH"): (-0.0689617411863, 0.119188084179, 0),
    ("yusuf", "rr", "EE"): (-0.0514393277433, 0.102100553283, 0),
    ("yusuf", "rr", "DL"): (-0.0514393277433, 0.102100553283, 0),
    ("yusuf", "rr", "REML"): (-0.0514393277433, 0.102100553283, 0),
    ("yusuf", "rr", "PM"): (-0.0514393277433, 0.102100553283, 0),
    ("yusuf", "rr", "MH"): (-0.0588745063525, 0.101441275524, 0),
    ("yusuf", "or", "PETO"): (-0.0691676322365, 0.119380805854, 0),
    ("egger", "or", "EE"): (0.0147544547702, 0.0305129031382, 0),
    ("egger", "or", "DL"): (-0.72758291371, 0.196315723212, 0.223883056249),
    ("egger", "or", "REML"): (-0.766589879881, 0.211801120234, 0.292637832226),
    ("egger", "or", "PM"): (-0.690728954891, 0.183888696775, 0.176569767015),
    ("egger", "or", "MH"): (0.00608230324634, 0.0303522434707, 0),
    ("egger", "rr", "EE"): (0.013715944408, 0.0282092416198, 0),
    ("egger", "rr", "DL"): (-0.634734873155, 0.176217814122, 0.174164553564),
    ("egger", "rr", "REML"): (-0.670472093851, 0.190013298594, 0.226883192958),
    ("egger", "rr", "PM"): (-0.601140760229, 0.165004141984, 0.137430298743),
    ("egger", "rr", "MH"): (0.00562414491044, 0.0280649525778, 0),
    ("egger", "or", "PETO"): (0.00608834576049, 0.0303671981418, 0),
    ("hine", "or", "EE"): (0.567683199991, 0.284665931337, 0),
    ("hine", "or", "DL"): (0.567683199991, 0.284665931337, 0),
    ("hine", "or", "REML"): (0.567683199991, 0.284665931337, 0),
    ("hine", "or", "PM"): (0.567683199991, 0.284665931337, 0),
    ("hine", "or", "MH"): (0.581819897097, 0.280804674663, 0),
    ("hine", "rr", "EE"): (0.529987062512, 0.269850593539, 0),
    ("hine", "rr", "DL"): (0.529987062512, 0.269850593539, 0),
    ("hine", "rr", "REML"): (0.529987062512, 0.269850593539, 0),
    ("hine", "rr", "PM"): (0.529987062512, 0.269850593539, 0),
    ("hine", "rr", "MH"): (0.550735185309, 0.266571896395, 0),
    ("hine", "or", "PETO"): (0.563757666121, 0.269517193773, 0),
    ("li", "or", "EE"): (-0.00682378271369, 0.0273921311778, 0),
    ("li", "or", "DL"): (-0.412480885426, 0.11176524755, 0.0667317346249),
    ("li", "or", "REML"): (-0.545849586448, 0.15035266491, 0.176561533136),
    ("li", "or", "PM"): (-0.468814686989, 0.126484214775, 0.0998955489687),
    ("li", "or", "MH"): (-0.0130912493479, 0.0272621795648, 0),
    ("li", "rr", "EE"): (-0.00562114349858, 0.0249893101361, 0),
    ("li", "rr", "DL"): (-0.358131192515, 0.0994830010099, 0.0501590493134),
    ("li", "rr", "REML"): (-0.491756622524, 0.13763730026, 0.143941690117),
    ("li", "rr", "PM"): (-0.41485281516, 0.114178015031, 0.0781518913976),
    ("li", "rr", "MH"): (-0.0119526753944, 0.0248860322118, 0),
    ("li", "or", "PETO"): (-0.0131049286819, 0.0272763382006, 0),
    ("anand", "or", "EE"): (-0.188005964727, 0.0452762146807, 0),
    ("anand", "or", "DL"): (-0.212967141037, 0.0658305102978, 0.0367140377381),
    ("anand", "or", "REML"): (-0.210060684791, 0.0632349829574, 0.0305449266462),
    ("anand", "or", "PM"): (-0.217286799547, 0.0697618968646, 0.0469105709962),
    ("anand", "or", "MH"): (-0.190007401469, 0.0448013823779, 0),
    ("anand", "rr", "EE"): (-0.158217211631, 0.0374377961442, 0),
    ("anand", "rr", "DL"): (-0.169971819332, 0.0528030023267, 0.0220243943414),
    ("anand", "rr", "REML"): (-0.16830085787, 0.0507623461963, 0.0182760311486),
    ("anand", "rr", "PM"): (-0.172588982282, 0.0559189930474, 0.0282347884604),
    ("anand", "rr", "MH"): (-0.158604766099, 0.0374050632538, 0),
    ("anand", "or", "PETO"): (-0.190072043236, 0.0447362770754, 0),
    ("curtis", "md", "EE"): (0.190467717299, 0.00999507952516, 0),
    ("curtis", "md", "DL"): (1.19708624013, 0.0920384286698, 0.289599933753),
    ("curtis", "md", "REML"): (4.48715055768, 0.680603274047, 35.0979600282),
    # PM on curtis MD needs control=list(tau2.max=1e5): metafor's default upper bound (100) lies below the root
    ("curtis", "md", "PM"): (8.0964325806, 1.95123547674, 339.743605883),
}


@pytest.mark.parametrize("data, measure", sorted({(d, m) for d, m, _ in METAFOR_FITS}))
def test_every_estimator_on_more_of_metafors_datasets(data, measure):
    analysis = meta_analysis(read_trials(DATA / f"{data}.csv"), measure)
    fits = {key[2]: value for key, value in METAFOR_FITS.items() if key[:2] == (data, measure)}
    assert set(fits) <= set(analysis.fits) and len(fits) >= 4
    for method, (beta, se, tau2) in fits.items():
        fit = analysis.fits[method]
        assert fit.mu == pytest.approx(beta, rel=1e-6, abs=1e-9), method
        assert fit.se_mu == pytest.approx(se, rel=1e-6), method
        assert fit.tau2 == pytest.approx(tau2, rel=1e-5, abs=1e-9), method


def bcg_analysis(**kwargs):
    return meta_analysis(read_trials(BCG), "rr", benefit="lower", **kwargs)


def test_the_json_keys_are_the_documented_ones():
    # the README's list of `meta --json` keys, section by section: a renamed key breaks scripts that read them
    result = bcg_analysis(moderators=["latitude"], leave_one_out=True, cumulative="file").to_dict()
    assert set(result) == {"file", "measure", "k", "benefit", "excluded_double_zero", "zero_cell_corrected", "level", "trials",
                           "prediction_interval", "test", "ee", "dl", "reml", "pm", "mh", "heterogeneity", "bayes", "subgroups",
                           "regression", "small_study", "influence", "trim_and_fill", "leave_one_out", "cumulative"}
    assert set(result["trials"][0]) == {"study", "label", "estimate", "ci_low", "ci_high", "weight_dl"}
    for method in ("ee", "dl", "reml", "pm", "mh"):
        assert set(result[method]) == {"estimate", "ci_low", "ci_high", "tau2", "i2", "prediction_low", "prediction_high",
                                       "statistic", "p_value"}
    assert set(result["bayes"]) == {"estimate", "ci_low", "ci_high", "tau2", "tau", "prediction_low", "prediction_high",
                                    "prob_benefit", "prob_benefit_new_trial", "tau_prior", "mu_prior", "method"}
    assert result["bayes"]["method"] == "exact (quadrature over tau)" and result["bayes"]["mu_prior"] == "N(0, 10^2)"
    groups = result["subgroups"]
    assert set(groups["groups"][0]) == {"subgroup", "k", "studies", "dl", "bayes"} and set(groups["groups"][0]["dl"]) == {
        "estimate", "ci_low", "ci_high", "tau2"}
    assert groups["difference"]["method"] == "Q between subgroups (DL within)" and groups["difference"]["df"] == 2
    regression = result["regression"]
    assert set(regression) == {"moderators", "reml", "dl", "bayes"}
    assert set(regression["reml"]) == {"coef", "se", "tau2", "qm", "qm_p", "r2"} and set(regression["reml"]["se"]) == {"intercept", "latitude"}
    assert set(regression["bayes"]) == {"slopes", "tau", "coef_prior", "tau_prior", "centred_at", "method"}
    assert regression["bayes"]["coef_prior"] == "N(0, 1) per SD of each moderator" and regression["bayes"]["slopes"]["latitude"]["per"] == "unit"
    assert regression["bayes"]["centred_at"]["latitude"] == pytest.approx(read_trials(BCG)["latitude"].mean())
    assert set(result["influence"][0]) == {"study", "rstudent", "dffits", "cook_d", "cov_r", "tau2_del", "q_del", "hat", "weight",
                                           "dfbetas", "influential"}
    assert set(result["trim_and_fill"]) == {"method", "k0", "side", "estimate", "ci_low", "ci_high", "tau2", "filled"}
    assert set(result["trim_and_fill"]["filled"][0]) == {"estimate", "se"}
    assert set(result["leave_one_out"][0]) == {"left_out", "estimate", "ci_low", "ci_high", "tau2", "i2", "q", "p_value"}
    assert set(result["cumulative"][0]) == {"added", "k", "estimate", "ci_low", "ci_high", "tau2", "i2"}


def test_the_json_values_are_the_pieces_on_the_shown_scale():
    analysis = bcg_analysis(level=0.9)
    result = analysis.to_dict()
    sizes = effect_sizes.effect_sizes(*bcg_counts(), "rr")
    z = 1.6448536269514722  # 90% interval
    first = result["trials"][0]
    assert [first["estimate"], first["ci_low"], first["ci_high"]] == pytest.approx(
        np.exp([sizes.y[0], sizes.y[0] - z * np.sqrt(sizes.v[0]), sizes.y[0] + z * np.sqrt(sizes.v[0])]))
    assert sum(t["weight_dl"] for t in result["trials"]) == pytest.approx(1.0)
    assert result["bayes"]["tau2"] == pytest.approx(analysis.bayes.tau[0] ** 2)
    assert result["bayes"]["tau"]["estimate"] == pytest.approx(analysis.bayes.tau[0])
    # the common-effect methods predict nothing new; the random-effects ones do (t on k - 2 df)
    assert result["ee"]["prediction_low"] is None and result["mh"]["prediction_low"] is None
    assert result["dl"]["prediction_low"] == pytest.approx(np.exp(analysis.fits["DL"].prediction_low))
    assert result["trim_and_fill"]["filled"][0]["se"] == pytest.approx(np.sqrt(analysis.trim_and_fill.filled_v[0]))
    assert result["heterogeneity"] == {"q": analysis.fits["DL"].q, "df": 12, "p_value": analysis.fits["DL"].q_p_value}
    odds = meta_analysis(read_trials(BCG), "or").to_dict()
    assert odds["peto"]["prediction_low"] is None and odds["bayes"]["prob_benefit"] < 0.01  # 'higher is better': the vaccine lowers TB


def test_subgroups_regression_and_cumulative_on_a_frame_without_lines():
    trials = read_trials(BCG).drop(columns=["line"])
    analysis = meta_analysis(trials, "rr", benefit="lower", cumulative="latitude")
    names = [g.name for g in analysis.subgroups]
    assert names == ["random", "alternate", "systematic"] and analysis.subgroup_difference.df == 2
    # every subgroup gets the whole analysis's prior on the pooled effect, not one of its own
    assert {g.bayes.mu_prior_sd for g in analysis.subgroups if g.bayes} == {analysis.bayes.mu_prior_sd}
    order = np.argsort(trials["latitude"].to_numpy(), kind="stable")
    assert analysis.cumulative["added"].tolist() == order.tolist()
    two = trials[trials["subgroup"].isin(["random", "alternate"])]
    assert meta_analysis(two, "rr").subgroup_difference is not None
    one_group = trials.assign(subgroup=["A"] * 12 + ["B"])
    assert meta_analysis(one_group, "rr").subgroup_difference is None  # B has one trial: listed, not pooled
    gap = trials.assign(latitude=[np.nan] + list(trials["latitude"].iloc[1:]))
    with pytest.raises(MetaAnalysisError, match=r"the trial table, line 1, column 'latitude': empty"):
        meta_analysis(gap, "rr", moderators=["latitude"])
    with pytest.raises(MetaAnalysisError, match=r"trials Aronson 1948 have no value"):
        meta_analysis(gap, "rr", cumulative="latitude")
    with pytest.raises(MetaAnalysisError, match=r"the trial table has no such column; give a numeric column \(e.g. year\) or 'file'"):
        meta_analysis(trials, "rr", cumulative="year")
    with pytest.raises(MetaAnalysisError, match=r"no such numeric column \(numeric columns: latitude\)"):
        meta_analysis(trials, "rr", moderators=["line"])
    with pytest.raises(MetaAnalysisError, match=r"\(numeric columns: none\)"):
        meta_analysis(trials.drop(columns=["latitude"]), "rr", moderators=["y"])
    with pytest.raises(MetaAnalysisError, match="takes one value only"):
        meta_analysis(trials.assign(dose=1.0), "rr", moderators=["dose"])
    with pytest.raises(MetaAnalysisError, match="3 trials are too few for 1 moderator"):
        meta_analysis(trials.iloc[:3], "rr", moderators=["latitude"])
    assert meta_analysis(trials.iloc[:4], "rr", moderators=["latitude"]).regression is not None


def test_arguments_reach_every_part_and_lower_is_better_mirrors_higher():
    trials = read_trials(BCG)
    analysis = meta_analysis(trials, "rr", benefit="lower", level=0.9, test="knha", leave_one_out=True)
    y, v = analysis.y, analysis.v
    # the level and the test reach the small-study test, trim-and-fill and leave-one-out
    assert analysis.small_study.egger.ci_low == pytest.approx(frequentist.small_study_test(y, v, "REML", 0.9).ci_low)
    assert analysis.trim_and_fill.fit.ci_low == pytest.approx(frequentist.trim_and_fill(y, v, "REML", level=0.9).fit.ci_low)
    assert analysis.leave_one_out["ci_low"].tolist() == pytest.approx(
        frequentist.leave_one_out(y, v, "DL", 0.9, test="knha")["ci_low"].tolist())
    # the forest plot's weights: each trial's share of 1 / (v + tau^2_DL)
    w = 1 / (v + analysis.fits["DL"].tau2)
    assert analysis.trials["weight"].to_numpy() == pytest.approx(w / w.sum())
    # the 90% interval of tau is the posterior's 5% and 95% quantiles
    post = analysis.bayes.posterior
    assert analysis.bayes.tau == pytest.approx((post.tau_quantile(0.5), post.tau_quantile(0.05), post.tau_quantile(0.95)))
    # fewer events better: P(benefit) is the mass below no effect, for the pooled effect and a new trial
    higher = meta_analysis(trials, "rr", level=0.9)
    assert analysis.bayes.prob_benefit == pytest.approx(1 - higher.bayes.prob_benefit)
    assert analysis.bayes.prob_benefit_new_trial == pytest.approx(1 - higher.bayes.prob_benefit_new_trial)
    assert analysis.to_dict()["trials"][0]["label"] == "Aronson 1948"
    for argument, value, message in (("test", "t", "test='t': use one of z, knha"),
                                     ("prediction", "z", "prediction='z': use one of t, normal"),
                                     ("benefit", "more", "benefit='more': use 'higher' or 'lower'")):
        with pytest.raises(MetaAnalysisError, match=message):
            meta_analysis(trials, "rr", **{argument: value})
    with pytest.raises(MetaAnalysisError, match=r"leave_one_out=True: needs at least 3 trials; the trial table has 2"):
        meta_analysis(trials.iloc[:2], "rr", leave_one_out=True)
    with pytest.raises(MetaAnalysisError, match=r"trials='the trial table': 1 trial\(s\) with an estimable effect"):
        meta_analysis(trials.iloc[:1], "rr")


def test_each_measure_has_its_own_tau_range_and_prior_width():
    from ipscompendium.general.measures import MEASURES, default_mu_prior_sd, default_tau_scale, tau_max

    y, v = np.array([-2.0, 1.0, 4.0]), np.array([1.0, 4.0, 9.0])
    assert [tau_max(MEASURES[k], v, y) for k in ("rr", "or", "rd", "smd", "generic-log")] == [3.0, 3.0, 1.0, 3.0, 3.0]
    assert tau_max(MEASURES["md"], v, y) == pytest.approx(10 * max(np.std(y), 2.0))
    assert default_mu_prior_sd(MEASURES["md"], v, y) == pytest.approx(40.0)  # ten times the largest |effect|
    assert default_mu_prior_sd(MEASURES["md"], np.array([100.0]), np.array([1.0])) == pytest.approx(100.0)
    assert default_mu_prior_sd(MEASURES["rd"], v, y) == 1.0 and default_mu_prior_sd(MEASURES["or"], v, y) == 10.0
    assert default_tau_scale(MEASURES["smd"], v, y) is None and default_tau_scale(MEASURES["md"], v, y, outcome_sd=8.0) == 4.0
    assert default_tau_scale(MEASURES["generic"], v, y) == pytest.approx(max(np.std(y, ddof=1), 2.0))
    assert MEASURES["rr"].axis_label == "risk ratio (log scale)" and MEASURES["md"].axis_label == "mean difference"
    assert MEASURES["rr"].null == 1.0 and MEASURES["rd"].null == 0.0
    assert MEASURES["or"].forward(MEASURES["or"].back(0.7)) == pytest.approx(0.7) and MEASURES["md"].forward(3.0) == 3.0
    assert MEASURES["rr"].analysis_scale == "log risk ratio" and MEASURES["rd"].analysis_scale == "risk difference"
