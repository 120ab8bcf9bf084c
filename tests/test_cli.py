"""The `ipscompendium` command line: results, JSON, errors (exit 2, one line per problem, no traceback), and the
wheel installed outside the checkout running all three subcommands on the bundled example."""

import json
import subprocess
import sys
import zipfile
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from ipscompendium import cli
from ipscompendium.general import priors, trial_grid

ROOT = Path(__file__).resolve().parent.parent
HEADER = "study,events_treatment,n_treatment,events_control,n_control\n"


def run(args, capsys):
    code = cli.main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_trial_json_is_the_exact_grid(capsys):
    code, out, _ = run(["trial", "--treatment", "19/36", "--control", "7/18", "--json", "--threshold-rd", "0.1"], capsys)
    assert code == 0
    result = json.loads(out)
    grid = trial_grid.posterior_grid(19, 36, 7, 18, trial_grid.effect_prior(priors.weakly_informative_prior()))
    assert result["prob_benefit"] == pytest.approx(grid.prob_log_or_above(0.0), abs=1e-12)
    assert result["prob_rd_above"] == pytest.approx(grid.prob_rd_above(0.1), abs=1e-12)
    assert result["or"]["estimate"] == pytest.approx(float(np.exp(grid.quantiles(grid.log_or, 0.5)[0])))
    assert set(result["rd"]) == {"estimate", "ci_low", "ci_high"} and result["rd"]["ci_low"] < 0 < result["rd"]["ci_high"]


def test_trial_lower_is_better_mirrors_higher(capsys):
    _, up, _ = run(["trial", "--treatment", "5/20", "--control", "14/38", "--json"], capsys)
    _, down, _ = run(["trial", "--treatment", "14/38", "--control", "5/20", "--json", "--benefit", "lower",
                      "--control-prior", "logit-normal:0,1.5"], capsys)
    # fewer events in the treatment arm is the benefit: P(better) is then P(OR < 1)
    grid = trial_grid.posterior_grid(14, 38, 5, 20, trial_grid.effect_prior_with_control(
        priors.weakly_informative_prior(), trial_grid.logit_normal_control_prior(0, 1.5)))
    assert json.loads(down)["prob_benefit"] == pytest.approx(1 - grid.prob_log_or_above(0.0), abs=1e-12)
    assert json.loads(down)["rd_threshold"] == -0.10


def test_trial_priors_from_the_command_line(capsys):
    for prior in ("weak", "sceptical", "sceptical:1.5", "enthusiastic:3", "normal:0.5,0.7"):
        code, out, _ = run(["trial", "--treatment", "14/38", "--control", "5/20", "--prior", prior, "--json"], capsys)
        assert code == 0 and 0 < json.loads(out)["prob_benefit"] < 1
    sceptic = json.loads(run(["trial", "--treatment", "14/38", "--control", "5/20", "--prior", "sceptical:1.5", "--json"], capsys)[1])
    weak = json.loads(run(["trial", "--treatment", "14/38", "--control", "5/20", "--json"], capsys)[1])
    assert sceptic["prob_benefit"] < weak["prob_benefit"]


def test_meta_json_on_the_bundled_example(capsys):
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["k"] == 13
    # the example is named, not the folder it is installed in on this machine
    assert result["file"] == "the bcg example" and "/" not in out.split('"file"')[1].split(",")[0]
    for key in ("dl", "reml", "bayes"):
        assert {"estimate", "ci_low", "ci_high", "tau2"} <= set(result[key])
    assert result["dl"]["tau2"] == pytest.approx(0.3088, abs=1e-4)  # metafor, see test_general.py
    assert {"prediction_low", "prediction_high", "prob_benefit"} <= set(result["bayes"])
    assert result["bayes"]["prob_benefit"] > 0.99 and 0.3 < result["bayes"]["estimate"] < 0.7
    # the example's `subgroup` column (metafor's alloc): each pooled on its own, and the test between them
    groups = {g["subgroup"]: g for g in result["subgroups"]["groups"]}
    assert groups["random"]["k"] == 7 and groups["random"]["dl"]["estimate"] == pytest.approx(np.exp(-1.0041613540), rel=1e-8)
    assert result["subgroups"]["difference"]["p_value"] == pytest.approx(0.4637617001, abs=1e-8)  # metafor, test_general.py


def test_meta_reports_double_zero_and_corrected_trials_and_writes_outputs(tmp_path, capsys):
    path = tmp_path / "zeros.csv"
    path.write_text(HEADER + "A,0,20,4,21\nB,3,25,0,24\nC,10,40,12,38\nD,0,15,0,16\nE,12,30,18,30\n")
    code, out, _ = run(["meta", str(path), "--measure", "or", "--out", str(tmp_path / "report"), "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["k"] == 4 and result["excluded_double_zero"] == ["D"] and result["zero_cell_corrected"] == ["A", "B"]
    assert result["dl"]["tau2"] == pytest.approx(0.3327146620, abs=1e-8)  # metafor drop00=TRUE, see test_general.py
    for name in ("forest.png", "forest.svg", "report.md", "result.json"):
        assert (tmp_path / "report" / name).stat().st_size > 0
    assert "Left out" in (tmp_path / "report" / "report.md").read_text()


def test_map_file_round_trip_into_trial(tmp_path, capsys):
    effect, control = tmp_path / "effect.json", tmp_path / "control.json"
    assert run(["map", "--example", "bcg", "--out", str(effect), "--json"], capsys)[0] == 0
    code, out, _ = run(["map", "--example", "bcg", "--arm", "control", "--robust-weight", "0.2", "--out", str(control), "--json"], capsys)
    saved = json.loads(control.read_text())
    assert code == 0 and saved["scale"] == "control_logit" and saved["weights"][-1] == pytest.approx(0.2) and saved["ess_elir"] > 0
    code, out, _ = run(["trial", "--treatment", "3/100", "--control", "9/100", "--benefit", "lower", "--prior", f"map:{effect}",
                        "--control-prior", f"map:{control}", "--json"], capsys)
    assert code == 0 and json.loads(out)["prob_benefit"] > 0.9
    # a MAP file on the wrong scale is refused with the option to use instead
    code, _, err = run(["trial", "--treatment", "3/100", "--control", "9/100", "--prior", f"map:{control}"], capsys)
    assert code == 2 and "--control-prior" in err


@pytest.mark.parametrize("content, expected", [
    (HEADER + "A,11,10,2,10\nB,1,10,2,10\nC,1,10,2,10\n", "line 2, column 'events_treatment'"),
    ("", "the file is empty"),
    (HEADER, "header but no rows"),
    (HEADER.replace(",", ";") + "A;1;10;2;10\nB;x;10;2;10\n", "line 3, column 'events_treatment'"),
    (HEADER.encode() + "Müller,1,10,2,10\n".encode("latin-1"), "line 2: byte 0xfc is not UTF-8"),
    (HEADER + "A,1,10,2,10\nB,0,10,0,10\n", "needs at least 2"),  # a double-zero trial leaves one
])
def test_bad_files_exit_2_with_one_line_and_no_traceback(tmp_path, content, expected):
    path = tmp_path / "bad.csv"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    done = subprocess.run([sys.executable, "-m", "ipscompendium", "meta", str(path)], capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert str(path) in done.stderr and expected in done.stderr


@pytest.mark.parametrize("args, expected", [
    (["meta", "/nonexistent/trials.csv"], "no such file"),
    (["meta", "/tmp"], "is a directory"),
    (["trial", "--treatment", "40/38", "--control", "5/20"], "between 0 and N"),
    (["trial", "--treatment", "14/38", "--control", "5/20", "--prior", "normal:0"], "--prior normal:0"),
    (["trial", "--treatment", "14/38", "--control", "5/20", "--control-prior", "beta:0,1"], "positive"),
    (["meta", "--example", "bcg", "--tau-prior", "uniform:1"], "--tau-prior"),
    (["map", "--example", "bcg", "--robust-weight", "1.5"], "between 0 and 1"),
])
def test_bad_arguments_exit_2_with_one_line(capsys, args, expected):
    code, _, err = run(args, capsys)
    assert code == 2 and expected in err and len(err.strip().splitlines()) == 1


def test_every_subcommand_has_help_with_examples(capsys):
    for command in ("trial", "meta", "map"):
        with pytest.raises(SystemExit) as done:
            cli.main([command, "--help"])
        assert done.value.code == 0 and "Examples:" in capsys.readouterr().out


def test_the_wheel_works_outside_the_checkout(tmp_path):
    """Build the wheel, pip-install it into a fresh virtual environment outside the repository,
    and run all three subcommands of its console script there on the bundled example.

    The new environment sees this one's packages through a .pth file, and pip installs with
    --no-index: it must resolve every dependency the wheel declares against the pinned stack,
    offline, or fail (a missing or conflicting declaration fails here; an undeclared import fails
    tests/test_environment.py).
    """
    import shutil
    import sysconfig

    source = tmp_path / "source"  # a copy, so that setuptools' build/ folder is not left in the checkout
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "ipscompendium", source / "ipscompendium", ignore=shutil.ignore_patterns("__pycache__"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(wheels),
                    str(source)], check=True, capture_output=True)
    wheel = next(wheels.glob("ipscompendium-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "ipscompendium/examples/bcg.csv" in names and any(n.endswith("entry_points.txt") for n in names)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    Path(site, "pinned-environment.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index", str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    where = subprocess.run([str(python), "-c", "import ipscompendium; print(ipscompendium.__file__)"], cwd=tmp_path,
                           env=env, capture_output=True, text=True, check=True).stdout
    assert where.startswith(str(venv))
    for args in (["trial", "--treatment", "14/38", "--control", "5/20", "--json"], ["meta", "--example", "bcg", "--json"],
                 ["map", "--example", "bcg", "--json"]):
        done = subprocess.run([str(venv / "bin" / "ipscompendium"), *args], cwd=tmp_path, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        json.loads(done.stdout)


def test_meta_mcmc_agrees_with_the_exact_normal_normal(capsys):
    code, out, err = run(["meta", "--example", "bcg", "--measure", "or", "--mcmc", "--json"], capsys)
    result = json.loads(out)
    mcmc, exact = result["bayes_binomial_normal"], result["bayes"]
    assert code == 0 and "sampling" in err  # progress is shown on stderr
    assert mcmc["diagnostics"]["max_rhat"] <= 1.01 and mcmc["diagnostics"]["divergences"] == 0
    # arm-level and normal-normal likelihoods differ a little on these large trials, not more
    assert np.log(mcmc["estimate"]) == pytest.approx(np.log(exact["estimate"]), abs=0.1)


def test_meta_shows_labels_and_lists_a_one_trial_subgroup_without_pooling_it(tmp_path, capsys):
    path = tmp_path / "labelled.csv"
    path.write_text("study,events_treatment,n_treatment,events_control,n_control,label,subgroup\n"
                    "a,10,40,5,40,Alpha 2001,x\nb,12,50,6,48,,x\nc,9,30,4,31,Gamma 2010,y\n")
    code, out, _ = run(["meta", str(path), "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and [t["label"] for t in result["trials"]] == ["Alpha 2001", "b", "Gamma 2010"]
    groups = {g["subgroup"]: g for g in result["subgroups"]["groups"]}
    assert "dl" in groups["x"] and "dl" not in groups["y"] and "difference" not in result["subgroups"]


def test_meta_regression_from_the_command_line(tmp_path, capsys):
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--moderator", "latitude", "--json"], capsys)
    regression = json.loads(out)["regression"]
    # metafor: rma(yi, vi, mods = ~ ablat, data = dat.bcg RR, method = "REML" | "DL"); see test_general.py
    assert code == 0 and regression["reml"]["coef"]["latitude"] == pytest.approx(-0.0291016609, abs=1e-5)
    assert regression["dl"]["coef"]["latitude"] == pytest.approx(-0.0292287388, abs=1e-8)
    slope = regression["bayes"]["slopes"]["latitude"]
    assert slope["ci_low"] < slope["estimate"] < slope["ci_high"] < 0 and slope["prob_negative"] > 0.95
    # a column that is not there, and an empty cell, are named with the file and the line
    code, _, err = run(["meta", "--example", "bcg", "--moderator", "altitude"], capsys)
    assert code == 2 and "--moderator altitude" in err and "latitude" in err
    path = tmp_path / "gap.csv"
    path.write_text(HEADER.strip() + ",dose\nA,1,10,2,10,1\nB,2,12,4,11,2\nC,3,10,5,10,\nD,1,9,3,10,4\nE,2,10,4,12,5\n")
    code, _, err = run(["meta", str(path), "--moderator", "dose"], capsys)
    assert code == 2 and "line 4, column 'dose'" in err and "Traceback" not in err


def test_trial_with_missing_outcomes(capsys):
    code, out, _ = run(["trial", "--treatment", "19/36", "--control", "7/18", "--randomised", "38,20", "--json"], capsys)
    m = json.loads(out)["missing"]
    cells = [c["prob_benefit"] for c in m["tipping_point"]]
    assert code == 0 and len(cells) == 9 and m["missing"] == {"treatment": 2, "control": 2}
    assert m["worst_case"]["prob_benefit"] == pytest.approx(min(cells)) and m["best_case"]["prob_benefit"] == pytest.approx(max(cells))
    assert [i["sd"] for i in m["imor"]] == [1.0, 2.0]
    against = [i["prob_benefit"] for i in m["imor_against_treatment"]]
    # a departure against treatment lowers P(benefit) below MAR, more so the further it goes, but not below the worst case
    assert m["worst_case"]["prob_benefit"] < against[1] < against[0] < m["imor"][0]["prob_benefit"]
    # fewer events better: the same as counting the good outcome with more-is-better (the default priors are symmetric)
    lower = json.loads(run(["trial", "--treatment", "3/100", "--control", "9/100", "--benefit", "lower", "--randomised", "105,104",
                            "--json"], capsys)[1])["missing"]
    higher = json.loads(run(["trial", "--treatment", "97/100", "--control", "91/100", "--randomised", "105,104", "--json"],
                            capsys)[1])["missing"]
    assert lower["best_case"]["prob_benefit"] == pytest.approx(higher["best_case"]["prob_benefit"], abs=1e-9)
    assert lower["imor"][1]["prob_benefit"] == pytest.approx(higher["imor"][1]["prob_benefit"], abs=1e-9)
    assert lower["imor_against_treatment"][0]["prob_benefit"] == pytest.approx(higher["imor_against_treatment"][0]["prob_benefit"], abs=1e-9)
    code, _, err = run(["trial", "--treatment", "19/36", "--control", "7/18", "--randomised", "30,20"], capsys)
    assert code == 2 and "--randomised 30,20" in err


def test_two_trials_are_pooled_and_the_prediction_interval_says_which_quantile(tmp_path, capsys):
    path = tmp_path / "two.csv"
    path.write_text(HEADER + "A,3,20,4,21\nB,10,40,12,38\n")
    code, out, _ = run(["meta", str(path), "--json"], capsys)
    result = json.loads(out)  # valid JSON: an undefined interval is null, not NaN
    assert code == 0 and result["k"] == 2 and result["dl"]["prediction_low"] is None
    assert result["prediction_interval"].startswith("t, k-2 degrees of freedom")
    code, out, _ = run(["meta", str(path), "--prediction-interval", "normal", "--json"], capsys)
    normal = json.loads(out)
    assert normal["prediction_interval"].startswith("normal") and normal["reml"]["prediction_low"] > 0
    code, out, _ = run(["meta", str(path)], capsys)
    assert "not defined for 2 trials with t (use --prediction-interval normal)" in out
    one = tmp_path / "one.csv"
    one.write_text(HEADER + "A,3,20,4,21\n")
    code, _, err = run(["meta", str(one)], capsys)
    assert code == 2 and "needs at least 2" in err


def test_bad_inputs_exit_2_with_one_line_each(tmp_path, capsys):
    cases = {
        "nan.csv": (HEADER + "A,nan,20,4,21\nB,3,25,2,24\nC,10,40,12,38\n", [], "line 2, column 'events_treatment': 'nan' is not a whole number"),
        "inf.csv": (HEADER + "A,3,20,inf,21\nB,3,25,2,24\nC,10,40,12,38\n", [], "'inf' is not a whole number"),
        "comma.csv": ("study;events_treatment;n_treatment;events_control;n_control\nA;3,0;20;4;21\nB;3;25;2;24\n", [],
                      "'3,0' is not a whole number; write counts without a decimal comma"),
        "cov.csv": (HEADER.strip() + ",lat\nA,3,20,4,21,inf\nB,3,25,2,24,3\nC,10,40,12,38,4\n", ["--moderator", "lat"],
                    "column 'lat': 'inf' is not a finite number"),
        "covcomma.csv": (HEADER.strip() + ",lat\nA,3,20,4,21,\"1,5\"\nB,3,25,2,24,3\nC,10,40,12,38,4\n", [],
                         "'1,5' is not a number (a decimal comma? write 1.5, not 1,5)"),
    }
    for name, (text, extra, message) in cases.items():
        (tmp_path / name).write_text(text)
        code, out, err = run(["meta", str(tmp_path / name), *extra], capsys)
        assert code == 2 and message in err and err.count("\n") <= 2, (name, err)
    afile = tmp_path / "afile"
    afile.write_text("")
    for args, message in ((["meta", "--example", "bcg", "--out", str(afile)], "is a file; give a folder"),
                          (["meta", str(tmp_path / "nan.csv"), "--example", "bcg"], "or --example bcg, not both"),
                          (["trial", "--treatment", "3/10", "--control", "2/10", "--prior", "normal:0"], "needs two numbers")):
        code, _, err = run(args, capsys)
        assert code == 2 and message in err, (args, err)


def test_old_mac_line_endings_read_like_any_others(tmp_path, capsys):
    mac, unix = tmp_path / "mac.csv", tmp_path / "unix.csv"
    rows = ["study,events_treatment,n_treatment,events_control,n_control", "A,3,20,4,21", "B,3,25,2,24", "C,10,40,12,38"]
    mac.write_bytes("\r".join(rows).encode())
    unix.write_text("\n".join(rows) + "\n")
    results = []
    for path in (mac, unix):
        code, out, _ = run(["meta", str(path), "--json"], capsys)
        assert code == 0
        results.append(json.loads(out)["dl"])
    assert results[0] == results[1]


def test_meta_reports_common_effect_paule_mandel_q_and_the_overall_test_as_metafor(capsys):
    # metafor (see tests/test_general.py for the calls): on dat.bcg's RR, EE -0.430285163654,
    # PM -0.714968153493 (tau2 0.318068452205), Q 152.233008082373 on 12 df; DL pval 0.000064629243
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--json"], capsys)
    result = json.loads(out)
    assert np.log(result["ee"]["estimate"]) == pytest.approx(-0.430285163654, abs=1e-9)
    assert result["ee"]["prediction_low"] is None and result["ee"]["tau2"] == 0
    assert np.log(result["pm"]["estimate"]) == pytest.approx(-0.714968153493, abs=1e-8)
    assert result["pm"]["tau2"] == pytest.approx(0.318068452205, rel=1e-8)
    assert result["heterogeneity"]["q"] == pytest.approx(152.233008082373, rel=1e-12) and result["heterogeneity"]["df"] == 12
    assert result["dl"]["p_value"] == pytest.approx(0.000064629243, rel=1e-7) and result["test"].startswith("z")
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower"], capsys)
    assert "Common effect (IV) RR 0.650" in out and "Paule-Mandel" in out and "Q = 152.23, df = 12, p < 0.001" in out


def test_meta_knha_test_and_confidence_level(capsys, tmp_path):
    # rma(yi, vi, data=dat, method="REML", test="knha"): ci -1.108443713686 to -0.320620970631, pval 0.001920015096;
    # rma(yi, vi, data=dat, method="DL", level=90): ci -1.008121796334 to -0.420112647812
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--test", "knha", "--json"], capsys)
    knha = json.loads(out)
    assert np.log([knha["reml"]["ci_low"], knha["reml"]["ci_high"]]) == pytest.approx([-1.108443713686, -0.320620970631], abs=1e-6)
    assert knha["reml"]["p_value"] == pytest.approx(0.001920015096, rel=1e-5) and knha["test"].startswith("Hartung-Knapp")
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--level", "0.9", "--json", "--out", str(tmp_path / "r")], capsys)
    ninety = json.loads(out)
    assert np.log([ninety["dl"]["ci_low"], ninety["dl"]["ci_high"]]) == pytest.approx([-1.008121796334, -0.420112647812], abs=1e-8)
    assert ninety["level"] == 0.9 and "| 90% interval | 90% prediction interval |" in (tmp_path / "r" / "report.md").read_text()
    code, _, err = run(["meta", "--example", "bcg", "--level", "95"], capsys)
    assert code == 2 and "as a fraction between 0.5 and 1" in err


def test_meta_leave_one_out_and_cumulative_as_metafor(capsys, tmp_path):
    # leave1out(rma(..., method="DL")) on dat.bcg's RR, trial 1 left out: -0.7051251984 (-1.0662486948 to -0.3440017021);
    # cumul(..., order=dat$year), third step: -0.9615353219, tau2 0.0754398659 (see tests/test_general.py)
    path = tmp_path / "bcg_years.csv"
    bcg = (Path(str(files("ipscompendium.examples").joinpath("bcg.csv")))).read_text().splitlines()
    path.write_text("\n".join([bcg[0] + ",year"] + [line + "," + line.split(",")[0][-4:] for line in bcg[1:]]) + "\n")
    code, out, _ = run(["meta", str(path), "--benefit", "lower", "--leave-one-out", "--cumulative", "year", "--json",
                        "--out", str(tmp_path / "r")], capsys)
    result = json.loads(out)
    first = result["leave_one_out"][0]
    assert first["left_out"] == "Aronson 1948" and np.log(first["estimate"]) == pytest.approx(-0.7051251984, abs=1e-9)
    assert np.log([first["ci_low"], first["ci_high"]]) == pytest.approx([-1.0662486948, -0.3440017021], abs=1e-9)
    third = result["cumulative"][2]
    assert third["added"] == "Stein & Aronson 1953" and third["k"] == 3 and third["tau2"] == pytest.approx(0.0754398659, rel=1e-8)
    assert np.log(third["estimate"]) == pytest.approx(-0.9615353219, abs=1e-9)
    report = (tmp_path / "r" / "report.md").read_text()
    assert "**Leaving one trial out (DL)**" in report and "| Stein & Aronson 1953 |" in report
    code, _, err = run(["meta", "--example", "bcg", "--cumulative", "year"], capsys)
    assert code == 2 and "the bcg example has no such column" in err


def test_meta_reports_eggers_test_with_its_limit_estimate(capsys, tmp_path):
    # regtest(rma(..., method="REML")) on dat.bcg's RR: z -0.8033291931, p 0.4217844889, limit estimate -0.5104318741
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--json"], capsys)
    egger = json.loads(out)["small_study"]
    assert egger["statistic"] == pytest.approx(-0.8033291931, abs=1e-6) and egger["p_value"] == pytest.approx(0.4217844889, abs=1e-6)
    assert np.log(egger["estimate"]) == pytest.approx(-0.5104318741, abs=1e-6) and egger["few_trials"] is False
    path = tmp_path / "five.csv"
    path.write_text(HEADER + "A,3,20,4,21\nB,10,40,12,38\nC,5,30,9,31\nD,7,25,6,26\nE,12,50,20,52\n")
    code, out, _ = run(["meta", str(path)], capsys)
    assert "Small-study effects: Egger's regression test" in out and "fewer than 10 trials" in out


def test_meta_reports_peters_test_beside_eggers(capsys):
    # regtest(rma(yi, vi, data=escalc("OR", ...dat.bcg), method="REML"), model="lm", predictor="ninv"): t -1.4773785862,
    # p 0.1676238757
    code, out, _ = run(["meta", "--example", "bcg", "--measure", "or", "--benefit", "lower", "--json"], capsys)
    peters = json.loads(out)["small_study"]["peters"]
    assert peters["statistic"] == pytest.approx(-1.4773785862, abs=1e-9) and peters["p_value"] == pytest.approx(0.1676238757, abs=1e-9)


def test_meta_on_means_and_sds_and_on_effects_with_standard_errors(capsys, tmp_path):
    # dat.normand1999 (tests/data/metafor): escalc("SMD", ...) then rma(method="DL") -> beta -0.530737310616
    normand = ROOT / "tests" / "data" / "metafor" / "normand.csv"
    code, out, _ = run(["meta", str(normand), "--measure", "smd", "--benefit", "lower", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["measure"] == "smd" and result["dl"]["estimate"] == pytest.approx(-0.530737310616, rel=1e-6)
    assert "mh" not in result and "peters" not in result["small_study"]
    code, out, _ = run(["meta", str(normand), "--benefit", "lower"], capsys)  # MD by default, with a prior in days
    assert code == 0 and "(effect: MD; lower is better)" in out and "prior on tau half-normal(" in out
    code, _, err = run(["meta", str(normand), "--measure", "rr"], capsys)
    assert code == 2 and "--measure rr: " in err and "continuous trials; use --measure md or smd" in err
    code, _, err = run(["meta", str(normand), "--measure", "smd", "--mcmc"], capsys)
    assert code == 2 and "--mcmc" in err
    generic = tmp_path / "generic.csv"
    generic.write_text("study,effect,se\nA,-0.5,0.2\nB,-0.2,0.15\nC,-0.9,0.4\n")
    code, out, _ = run(["meta", str(generic), "--measure", "generic-log", "--json", "--out", str(tmp_path / "g")], capsys)
    result = json.loads(out)
    assert code == 0 and result["ee"]["estimate"] < 1 and (tmp_path / "g" / "forest.png").exists()


def test_meta_reports_mantel_haenszel_and_peto_as_metafor(capsys):
    # rma.mh(measure="OR", ai=tpos, bi=tneg, ci=cpos, di=cneg, data=dat.bcg) -> beta -0.473410988389;
    # rma.peto(...) -> beta -0.474446310941 (see tests/test_meta_analysis.py)
    code, out, _ = run(["meta", "--example", "bcg", "--measure", "or", "--benefit", "lower", "--json"], capsys)
    result = json.loads(out)
    assert np.log(result["mh"]["estimate"]) == pytest.approx(-0.473410988389, rel=1e-9)
    assert np.log(result["peto"]["estimate"]) == pytest.approx(-0.474446310941, rel=1e-9)
    assert result["mh"]["prediction_low"] is None
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower"], capsys)
    assert "Mantel-Haenszel    RR" in out and "Peto" not in out  # Peto pools odds ratios only


def test_every_problem_of_a_file_is_listed_up_to_ten(capsys, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(HEADER + "".join(f"T{i},x,10,2,10\n" for i in range(12)))
    code, _, err = run(["meta", str(path)], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 11 and "line 2, column 'events_treatment'" in lines[0]
    assert "line 11, column 'events_treatment'" in lines[9] and lines[10].endswith("... and 2 more problems")


def test_meta_reports_trim_and_fill_influence_and_writes_a_funnel_plot(capsys, tmp_path):
    # trimfill(rma(yi, vi, data=escalc("RR", ...dat.bcg))) (REML): k0 1 on the right, beta -0.65708280076
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower", "--json", "--out", str(tmp_path / "r")], capsys)
    result = json.loads(out)
    filled = result["trim_and_fill"]
    assert (filled["k0"], filled["side"]) == (1, "right") and np.log(filled["estimate"]) == pytest.approx(-0.65708280076, rel=1e-6)
    assert len(result["influence"]) == 13 and not any(r["influential"] for r in result["influence"])
    assert (tmp_path / "r" / "funnel.svg").exists() and "![Contour-enhanced funnel plot](funnel.svg)" in (tmp_path / "r" / "report.md").read_text()
    code, out, _ = run(["meta", "--example", "bcg", "--benefit", "lower"], capsys)
    assert "1 trial estimated missing on the right; with it filled in, RR 0.518" in out
    assert "Influential trials (metafor's influence() criteria, REML): none." in out


def test_the_normand_example_and_map_refuses_means(capsys):
    # escalc("MD", ...dat.normand1999) then rma(method="DL"): beta -13.981721817 days
    code, out, _ = run(["meta", "--example", "normand", "--benefit", "lower", "--json"], capsys)
    result = json.loads(out)
    assert code == 0 and result["file"] == "the normand example" and result["measure"] == "md"
    assert result["dl"]["estimate"] == pytest.approx(-13.981721817, rel=1e-8)
    code, _, err = run(["map", "--example", "normand"], capsys)
    assert code == 2 and "built from counts" in err and "continuous trials" in err
    code, out, _ = run(["map", "--example", "bcg", "--json"], capsys)
    assert code == 0 and json.loads(out)["tau_prior"] == "half-normal(0.5)"
