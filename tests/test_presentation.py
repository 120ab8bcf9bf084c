"""The presentation helpers: one table helper, one figure style, answer cards, figures through the Publisher."""

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from ipscompendium import cards, plots, publish, style, tables  # noqa: E402
from ipscompendium.general import priors
from ipscompendium.report import Estimate  # noqa: E402


# --- tables ---------------------------------------------------------------------------------

def test_table_hides_index_labels_columns_and_marks_missing():
    frame = pd.DataFrame({"study_id": ["A", "B"], "rr": [2.0457, np.nan], "n": [10, 20], "p": [0.0004, 0.2]},
                         index=[7, 9])
    shown = tables.table(frame, "Two trials", {"study_id": "Trial", "rr": "Risk ratio", "n": "Patients (n)",
                                                "p": "p-value"}, formats={"p": tables.p_value})
    html = shown.to_html()
    # the caption sits above the scrolling box and names the table for assistive technology
    caption_id = re.search(r'<p class="ips-table-caption" id="(ips-table-\d+)">Two trials</p>', html).group(1)
    assert html.index("Two trials") < html.index('class="ips-table-wrapper"')
    assert f'<table class="ips-table" aria-labelledby="{caption_id}">' in html
    assert "<details" not in html
    assert ">7<" not in html and ">9<" not in html  # the meaningless index is gone
    assert list(shown.text.columns) == ["Trial", "Risk ratio", "Patients (n)", "p-value"]
    assert list(shown.text["Risk ratio"]) == ["2.05", tables.MISSING]
    assert list(shown.text["Patients (n)"]) == ["10", "20"]
    assert list(shown.text["p-value"]) == ["< 0.001", "0.200"]
    assert tables.MISSING_NOTE in html
    assert not re.search(r">\s*(nan|NaN|<NA>|None)\s*<", html)
    assert 'class="ips-table-wrapper"' in html


def test_long_tables_fold_and_every_caption_id_is_new():
    long = pd.DataFrame({"x": range(tables.FOLD_ROWS + 1)})
    first, second = tables.table(long, "Long", {"x": "X"}).to_html(), tables.table(long.head(3), "Short", {"x": "X"}).to_html()
    assert f"<summary>Show the table ({tables.FOLD_ROWS + 1} rows)</summary>" in first and "<details" not in second
    assert "<details" in tables.table(long.head(3), "Folded on request", {"x": "X"}, fold=True).to_html()
    assert "<details" not in tables.table(long, "Unfolded on request", {"x": "X"}, fold=False).to_html()
    ids = re.findall(r'id="(ips-table-\d+)"', first + second)
    assert len(ids) == 2 and ids[0] != ids[1]


def test_number_cells_stay_on_one_line_and_words_may_wrap():
    frame = pd.DataFrame({"a": ["IPS in Pain", "− 0.3", "< 0.001"], "b": ["1.76 (0.55 to 5.60)", "—", "a long note " * 4]})
    html = tables.table(frame, "Cells", {"a": "A", "b": "B"}).to_html()
    classes = re.findall(r'<td class="(\w+)">', html)
    assert classes == ["words", "num", "num", "num", "num", "words"]


def test_codes_and_keys_read_as_words():
    assert tables.words("derived_from_percentages") == "derived from percentages"
    assert tables.study("frederick2019_corrected") == "Frederick 2019, corrected"
    assert tables.study("this book (RR)") == "this book (RR)"  # a label that is no key stays as it is


def test_table_keeps_a_meaningful_index_and_pd_na():
    frame = pd.DataFrame({"x": pd.array([1, None], dtype="Int64")}, index=pd.Index(["mu", "tau"], name="v"))
    shown = tables.table(frame, "Summary", {"x": "Value"}, index="Parameter")
    assert list(shown.text.columns) == ["Parameter", "Value"]
    assert list(shown.text["Parameter"]) == ["mu", "tau"]
    assert list(shown.text["Value"]) == ["1", tables.MISSING]


def test_table_negative_numbers_use_a_minus_sign_and_no_missing_note_when_complete():
    shown = tables.table(pd.DataFrame({"d": [-0.5, 0.25]}), "Differences")
    assert list(shown.text["d"]) == ["\u22120.50", "0.25"]
    assert tables.MISSING_NOTE not in shown.to_html()


def test_table_names_an_unknown_column():
    with pytest.raises(KeyError, match="no column"):
        tables.table(pd.DataFrame({"a": [1]}), "T", {"b": "B"})


def test_table_probabilities_are_never_zero_or_one():
    shown = tables.table(pd.DataFrame({"p": [1.0, 0.0, 0.5]}), "P", formats={"p": tables.probability})
    assert list(shown.text["p"]) == ["> 0.999", "< 0.001", "0.500"]


# --- figure style ---------------------------------------------------------------------------

def test_every_prior_has_one_fixed_look_distinct_without_colour():
    looks = list(style.PRIOR_LOOKS.values())
    assert len({look.color for look in looks}) == len(looks)
    assert len({look.marker for look in looks}) == len(looks)  # told apart in grey too
    assert len({str(look.linestyle) for look in looks}) == len(looks)
    assert all(look.color in style.OKABE_ITO.values() for look in looks)
    tau_looks = list(style.TAU_PRIOR_LOOKS.values())
    assert len({look.marker for look in tau_looks}) == len(tau_looks)


def test_prior_variants_keep_their_family_look():
    assert style.prior_look("robust MAP (w=0.5)") == style.PRIOR_LOOKS["robust MAP"]
    assert style.prior_look("sceptic, P(OR > 3.00) = 5%") == style.PRIOR_LOOKS["sceptical"]
    with pytest.raises(KeyError, match="no fixed look"):
        style.prior_look("a new prior")


def test_book_priors_have_looks():
    map_prior = priors.normal_prior("MAP", 0.8, 0.5)
    for prior in priors.trial_priors(0.23, 0.61, map_prior, 2.23):
        style.prior_look(prior.name)


def test_book_style_sizes_figures_for_the_column():
    style.use_book_style()
    fig = plt.figure()
    width, _ = fig.get_size_inches()
    assert width == style.FIGURE_WIDTH_IN and fig.dpi == style.FIGURE_DPI
    assert fig.get_size_inches()[1] == 3.0 and fig.get_constrained_layout()
    rc = matplotlib.rcParams
    assert not rc["axes.spines.top"] and not rc["axes.spines.right"] and not rc["legend.frameon"]
    assert rc["axes.titlesize"] == rc["figure.titlesize"] == style.BASE_FONT_PT + 1
    assert rc["xtick.labelsize"] == rc["legend.fontsize"] == style.MIN_FONT_PT
    assert "marker" not in rc["axes.prop_cycle"].keys  # a dense curve gets no marker on every point
    assert rc["axes.prop_cycle"].by_key()["color"][:2] == [style.PRIOR_LOOKS["weakly informative"].color,
                                                           style.PRIOR_LOOKS["sceptical"].color]
    plt.close(fig)


def test_a_look_draws_its_colour_line_style_and_marker():
    look = style.PRIOR_LOOKS["MAP"]
    fig, ax = plt.subplots()
    line, = ax.plot([0, 1], [0, 1], **look.line())
    assert (line.get_color(), line.get_linestyle(), line.get_marker()) == (look.color, ":", "s")
    plt.close(fig)


def test_seaborn_dash_patterns_follow_the_line_styles():
    assert [style._dash_pattern(ls) for ls in ("-", "--", "-.", ":")] == ["", (4, 1.6), (6, 1.6, 1, 1.6), (1, 1.6)]
    assert style._dash_pattern((0, (6, 2, 1, 2, 1, 2))) == (6, 2, 1, 2, 1, 2)
    mappings = style.seaborn_mappings(list(style.PRIOR_LOOKS))
    assert mappings["dashes"]["robust MAP"] == (6, 2, 1, 2, 1, 2) and mappings["markers"]["sceptical"] == "v"
    assert len(set(mappings["dashes"].values())) == len(style.PRIOR_LOOKS)


def test_legibility_at_the_boundary_and_inside_subfigures():
    style.use_book_style()
    # exactly 9 px: 9 pt in a figure 276 * 9 / (72 * 9) in wide
    exact = plt.figure(figsize=(276 / 72, 2))
    exact.text(0.5, 0.5, "nine", fontsize=9)
    assert style.check_legible(exact) == 9
    exact.texts[0].set_fontsize(8.99)
    with pytest.raises(ValueError):
        style.check_legible(exact)
    plt.close(exact)
    nested = plt.figure(figsize=style.figure_size(2))
    nested.subfigures(1, 2)[1].text(0.5, 0.5, "tiny", fontsize=5)
    assert style.smallest_text_pt(nested) == 5
    plt.close(nested)
    empty = plt.figure()
    assert style.smallest_text_pt(empty) == float("inf")
    plt.close(empty)


def test_figure_png_is_a_palette_image_at_the_book_dpi():
    import io

    from PIL import Image as PILImage

    style.use_book_style()
    fig, ax = plt.subplots(figsize=style.figure_size(2))
    ax.plot([0, 1], [0, 1])
    png = PILImage.open(io.BytesIO(style.figure_png(fig)))
    assert png.format == "PNG" and png.mode == "P"
    assert png.info["dpi"] == pytest.approx((style.FIGURE_DPI, style.FIGURE_DPI), abs=0.01)
    plt.close(fig)


def test_priors_plot_uses_the_fixed_looks():
    style.use_book_style()
    map_prior = priors.normal_prior("MAP", 0.8, 0.5)
    ax = plots.plot_priors(priors.trial_priors(0.23, 0.61, map_prior, 2.23))
    lines = {line.get_label(): line for line in ax.get_lines()}
    assert lines["MAP"].get_color() == style.PRIOR_LOOKS["MAP"].color
    assert lines["MAP"].get_marker() == style.PRIOR_LOOKS["MAP"].marker
    plt.close(ax.figure)


# --- figures and cards through the Publisher --------------------------------------------------

class _Glue:
    def __init__(self):
        self.calls = {}

    def __call__(self, name, value, display=True):
        assert display is False
        self.calls[name] = value


def test_publisher_glues_a_legible_figure_as_png_with_its_smallest_text_size(tmp_path):
    import io

    from PIL import Image as PILImage

    style.use_book_style()
    glue = _Glue()
    pub = publish.Publisher("t", glue, tmp_path)
    fig, ax = plt.subplots(figsize=style.figure_size(2.5))
    ax.plot([0, 1], [0, 1])
    ax.set_title("a title", fontsize=12)
    pub.figure("fig_ok", fig)
    assert not plt.fignum_exists(fig.number)
    png = PILImage.open(io.BytesIO(glue.calls["fig_ok"].data))
    # the tick labels are the smallest text, at the book's minimum
    assert float(png.text["ips-min-text-pt"]) == style.MIN_FONT_PT and int(png.text["ips-dpi"]) == style.FIGURE_DPI
    assert png.size == (round(style.FIGURE_WIDTH_IN * style.FIGURE_DPI), round(2.5 * style.FIGURE_DPI))


def test_publisher_refuses_a_figure_whose_text_would_be_too_small_on_a_phone(tmp_path):
    style.use_book_style()
    pub = publish.Publisher("t", _Glue(), tmp_path)
    wide = plt.figure(figsize=(7, 3))
    wide.text(0.5, 0.5, "ten points")
    # 10 pt in a 7-in figure shown 276 px wide: 10 / 72 * 276 / 7 = 5.5 px
    with pytest.raises(ValueError, match=r"'fig_wide'.*10.0 pt in a 7.0-in figure.*5.5 px"):
        pub.figure("fig_wide", wide)
    assert not plt.fignum_exists(wide.number)
    small = plt.figure(figsize=style.figure_size(2))
    small.text(0.5, 0.5, "small", fontsize=8)
    with pytest.raises(ValueError, match="8.0 pt"):
        pub.figure("fig_small", small)
    # 9 pt in the book's 3.8-in figure is legible in the narrowest column: 9 / 72 * 276 / 3.8 = 9.08 px
    assert style.displayed_text_px(9, 3.8) == pytest.approx(9.0789, abs=1e-4)
    assert style.displayed_text_px(9, 3.8) >= style.MIN_TEXT_PX
    assert style.displayed_text_px(9, 4.0, 320) == pytest.approx(10.0)
    assert style.displayed_text_px(9, 4.0) < style.MIN_TEXT_PX  # a 4-in figure would not be


def test_hidden_and_empty_text_do_not_count_towards_the_smallest_size():
    style.use_book_style()
    fig = plt.figure(figsize=style.figure_size(2))
    fig.text(0.1, 0.1, "shown", fontsize=11)
    fig.text(0.2, 0.2, "hidden", fontsize=5).set_visible(False)
    fig.text(0.3, 0.3, "   ", fontsize=4)
    assert style.smallest_text_pt(fig) == 11
    plt.close(fig)


def test_seaborn_draws_each_prior_in_its_fixed_look():
    import seaborn as sns

    style.use_book_style()
    frame = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 1, 1, 0], "prior": ["MAP", "MAP", "sceptical", "sceptical"]})
    ax = sns.lineplot(frame, x="x", y="y", hue="prior", style="prior", **style.seaborn_mappings(["MAP", "sceptical"]))
    lines = {line.get_label(): line for line in ax.get_lines()}
    for name in ("MAP", "sceptical"):
        look = style.PRIOR_LOOKS[name]
        assert lines[name].get_color() == look.color and lines[name].get_marker() == look.marker
    assert lines["MAP"]._dash_pattern != lines["sceptical"]._dash_pattern  # dotted vs dashed: no colour needed
    plt.close(ax.figure)


def test_answer_card_counts_ranges_and_text():
    card = cards.meta_analysis_card(0.23, Estimate(2.4, 2.0, 2.8), Estimate(2.4, 1.0, 4.0), 0.97, "22 trials in mental illness")
    html = card.to_html()
    assert html.count('class="icon-array"') == 3
    # usual services: 23 filled, no range; pooled IPS: 55 filled (0.23 x 2.4), range 46 to 64
    arrays = re.findall(r'<div class="icon-array"[^>]*>(.*?)</div>', html)
    assert [a.count("in-work") for a in arrays] == [23, 55, 55]
    assert arrays[0].count("in-range") == 0
    assert arrays[1].count("in-range") == 64 - 46
    assert "46 to 64" in html and "Probability that IPS helps (by any amount) in a new setting: 97%." in html
    assert 'aria-label="55 of 100 people had a competitive job during follow-up; the 95% range is 46 to 64."' in html
    assert "22 trials in mental illness: out of 100 people" in html and "paid work" not in html


def test_answer_card_caps_at_everyone_and_speaks_norwegian():
    card = cards.meta_analysis_card(0.4, Estimate(2.0, 1.5, 3.0), Estimate(2.0, 0.5, 4.0), 0.9, "22 studier", language="no")
    n, low, high = card.rows[0].arms[2].per_100()
    assert (n, low, high) == (80, 20, 100)
    html = card.to_html()
    assert 'lang="nb"' in html and "av 100 hadde ordinær jobb i oppfølgingstiden" in html and "arbeidsrettet rehabilitering" in html


def test_pain_card_has_one_row_per_timepoint():
    points = [(m, Estimate(0.4, 0.2, 0.6), Estimate(0.5, 0.35, 0.65), p, r) for m, p, r in ((6, 0.5, 0.2), (12, 0.8, 0.55), (24, 0.9, 0.7))]
    card = cards.pain_trial_card(points, "weakly informative", 58)
    html = card.to_html()
    assert html.count('class="answer-row"') == 3 and "At 24 months" in html and "58 patients" in html
    assert "Probability that IPS is better (by any amount): 90%; by more than 10 percentage points: 70%" in html
    assert "had paid work (at least one day) since the start" in html and "in paid work" not in html
    norsk = cards.pain_trial_card(points, "svakt informativ", 58, "no").to_html()
    assert "uansett hvor mye" in norsk and "minst én dag" in norsk


def test_pain_card_from_the_exact_table():
    from ipscompendium import trial_models

    employment = pd.DataFrame({"timepoint_months": [12], "employed_ips": [20], "n_ips": [38],
                               "employed_control": [7], "n_control": [18]})
    summary = trial_models.exact_table(employment, [priors.weakly_informative_prior()])
    card = cards.pain_trial_card_from_summary(summary, "weakly informative", "weakly informative", 56)
    control, ips = card.rows[0].arms
    # the posterior risks sit near the observed 7/18 and 20/38 and their intervals contain them
    assert control.risk.low < 7 / 18 < control.risk.high and ips.risk.low < 20 / 38 < ips.risk.high
    assert abs(control.risk.value - 7 / 18) < 0.05 and abs(ips.risk.value - 20 / 38) < 0.03
    with pytest.raises(KeyError):
        cards.pain_trial_card_from_summary(summary, "MAP", "MAP", 56)
    # with the observed table, the icons show what the text says (7/18 -> 39, 20/38 -> 53), the ranges stay posterior
    shown = cards.pain_trial_card_from_summary(summary, "weakly informative", "weakly informative", 56, observed=employment)
    control_seen, ips_seen = shown.rows[0].arms
    assert control_seen.per_100()[0] == 39 and ips_seen.per_100()[0] == 53
    assert control_seen.risk.low == control.risk.low and ips_seen.risk.high == ips.risk.high
    assert "Filled icons: what the trial observed" in shown.footnote


def test_employment_figure_shows_each_arm_with_wilson_intervals():
    from statsmodels.stats.proportion import proportion_confint

    employment = pd.DataFrame({"timepoint_months": [6, 12], "employed_ips": [14, 19], "n_ips": [34, 36],
                               "employed_control": [7, 7], "n_control": [19, 18]})
    ax = plots.plot_employment_over_time(employment)
    containers = {c.get_label(): c for c in ax.containers}
    ips = containers["IPS (95% CI)"]
    data_line, _, (bars,) = ips.lines
    assert np.allclose(data_line.get_ydata(), 100 * np.array([14 / 34, 19 / 36]))
    assert data_line.get_color() == style.ROLE_LOOKS["ips"].color and data_line.get_marker() == style.ROLE_LOOKS["ips"].marker
    low, high = proportion_confint(19, 36, method="wilson")
    twelve = bars.get_segments()[1]
    assert np.allclose(sorted(twelve[:, 1]), [100 * low, 100 * high])
    plt.close(ax.figure)


def test_study_labels_read_like_citations():
    from ipscompendium.trial_sets import study_label

    assert study_label("drake1999") == "Drake 1999"
    assert study_label("bond2007b") == "Bond 2007b"
    assert study_label("Odd-ID") == "Odd-ID"


def test_the_methods_chapter_states_the_looks_the_package_uses():
    from pathlib import Path

    names = {v: k for k, v in style.OKABE_ITO.items()}
    text = (Path(__file__).resolve().parent.parent / "book" / "methods.md").read_text()
    for prior, look in style.PRIOR_LOOKS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| {prior}"))
        assert names[look.color] in row, f"methods.md gives {prior} another colour than ipscompendium.style"


@pytest.mark.parametrize("p, text", [(0.4999, "0.50 \u00d7"), (0.5, "0.50 \u2022"), (0.7999, "0.80 \u2022"), (0.8, "0.80"), (0.95, "0.95")])
def test_tipping_cells_are_marked_below_one_half_and_below_0_8(p, text):
    assert plots.tipping_cell_label(p) == text


def test_tipping_figure_has_one_panel_per_follow_up_in_the_given_order():
    from ipscompendium.general import missing, priors, trial_grid

    log_prior = trial_grid.effect_prior(priors.weakly_informative_prior())
    tipping = {t: missing.tipping_point(missing.Arm(e, 36, 38), missing.Arm(7, 18, 20), log_prior) for t, e in ((6, 15), (12, 19))}
    fig = plots.tipping_figure(tipping, (12, 6))
    panels = [ax for ax in fig.axes if ax.get_title()]
    assert [ax.get_title() for ax in panels] == ["12 months", "6 months"]
    labels = [t.get_text() for t in panels[0].texts]
    assert len(labels) == 9 and labels == [plots.tipping_cell_label(v) for v in
                                           tipping[12].pivot(index="control missing with outcome", columns="treatment missing with outcome",
                                                             values="p_benefit").to_numpy().ravel()]
    plt.close(fig)


def test_benefit_by_prior_stacks_one_panel_per_question_with_each_prior_in_its_look():
    style.use_book_style()
    table = pd.DataFrame([{"prior": p, "timepoint_months": t, "a": 0.5 + t / 100, "b": 0.2 + t / 100}
                          for p in ("weakly informative", "MAP") for t in (6, 12, 24)])
    fig = plots.plot_benefit_by_prior(table, {"a": "first", "b": "second"})
    top, bottom = fig.axes[:2]
    assert top.get_position().y0 > bottom.get_position().y1 - 1e-9  # stacked, not side by side
    assert top.get_position().x0 == pytest.approx(bottom.get_position().x0)
    lines = {line.get_label(): line for line in top.get_lines() if not line.get_label().startswith("_")}
    assert lines["MAP"].get_color() == style.PRIOR_LOOKS["MAP"].color and lines["MAP"].get_marker() == "s"
    assert style.check_legible(fig, "benefit") >= style.MIN_FONT_PT
    plt.close(fig)


def test_row_labels_sit_above_their_rows_instead_of_beside_the_axis():
    fig, ax = plt.subplots(figsize=style.figure_size(2))
    ax.set_ylim(2.5, -0.9)
    plots.row_labels_above(ax, [0, 1, 2], ["first row", "second row", "third row"])
    texts = [t for t in ax.texts if t.get_text().endswith("row")]
    assert [t.get_text() for t in texts] == ["first row", "second row", "third row"]
    assert list(ax.get_yticks()) == [] and all(t.get_va() == "bottom" for t in texts)
    plt.close(fig)


def test_answer_card_markup_icon_by_icon():
    from bs4 import BeautifulSoup

    card = cards.meta_analysis_card(0.23, Estimate(2.4, 2.0, 2.8), Estimate(2.4, 1.0, 4.0), 0.97, "22 trials in mental illness")
    soup = BeautifulSoup(card.to_html(), "html.parser")
    figure = soup.find("figure")
    assert figure["lang"] == "en" and figure.find("figcaption").get_text().startswith("22 trials in mental illness: out of 100")
    # the key comes before the arrays
    children = [c for c in figure.children if getattr(c, "name", None)]
    assert [c.get("class")[0] for c in children] == ["answer-title", "answer-legend", "answer-row", "answer-footnote"]
    arrays = soup.select(".icon-array")
    expected = [(23, 23, 23), (55, 46, 64), (55, 23, 92)]  # usual services (no range), pooled, new setting
    for array, (n, low, high) in zip(arrays, expected, strict=True):
        icons = array.select("span.icon")
        assert len(icons) == 100
        assert sum("in-work" in i["class"] for i in icons) == n
        ringed = [k for k, i in enumerate(icons) if "in-range" in i["class"]]
        assert ringed == list(range(low, high))
        assert array["aria-label"] == f"{n} of 100 people had a competitive job during follow-up; the 95% range is {low} to {high}."
    ranges = [r.get_text() for r in soup.select(".answer-range")]
    assert ranges == ["95% range 46 to 64", "95% range 23 to 92"]  # none for the fixed control arm
    assert soup.select_one(".answer-note").get_text() == "Probability that IPS helps (by any amount) in a new setting: 97%."
    assert [a.get_text() for a in soup.select(".answer-arm-label")] == ["Usual services", "IPS, on average", "IPS in a new setting"]
    assert "median control risk" in soup.select_one(".answer-footnote").get_text()


def test_norwegian_card_words_and_rows_without_note_or_heading():
    from bs4 import BeautifulSoup

    norsk = BeautifulSoup(cards.meta_analysis_card(0.23, Estimate(2.4, 2.0, 2.8), Estimate(2.4, 1.0, 4.0), 0.97,
                                                   "22 studier", language="no").to_html(), "html.parser")
    assert norsk.find("figure")["lang"] == "nb"
    assert norsk.select_one(".answer-note").get_text().endswith("i en ny setting: 97\u00a0%.")
    assert "95\u00a0%-intervall 46 til 64" in norsk.get_text() and "hadde ikke" in norsk.select_one(".answer-legend").get_text()
    assert norsk.find("figcaption").get_text().startswith("22 studier: av 100 personer")
    plain = cards.AnswerCard("T", (cards.AnswerRow("", (cards.ArmOutcome("A", Estimate(0.5, 0.4, 0.6)),)),
                                   cards.AnswerRow("Second", (cards.ArmOutcome("B", Estimate(0.2, 0.2, 0.2)),), "a note")))
    html = plain.to_html()
    assert html.count('class="answer-note"') == 1 and html.count('class="answer-heading"') == 1
    assert '</div></div></div><div class="answer-row">' in html  # rows follow one another, nothing between
    assert 'class="answer-footnote"' not in html and cards._html_language("en") == "en"


def test_table_markup_cell_by_cell_and_its_defaults():
    from bs4 import BeautifulSoup

    frame = pd.DataFrame({"name": ["A&B", "C"], "ok": [True, False], "x": [1.23456, 2.0]})
    soup = BeautifulSoup(tables.table(frame, "Cells", {"name": "Name", "ok": "OK", "x": "X"}).to_html(), "html.parser")
    table = soup.find("table")
    assert [th.get_text() for th in table.select("thead th")] == ["Name", "OK", "X"]
    assert all(th["scope"] == "col" for th in table.select("thead th"))
    rows = [[td.get_text() for td in tr.find_all("td")] for tr in table.select("tbody tr")]
    assert rows == [["A&B", "yes", "1.23"], ["C", "no", "2.00"]]  # escaped, booleans in words, two decimals
    assert "<TR>" not in str(soup) and "XX" not in soup.get_text()
    with_index = tables.table(pd.DataFrame({"v": [1.5]}, index=pd.Index(["mu"])), "Indexed", index="Parameter")
    assert list(with_index.text.columns) == ["Parameter", "v"] and with_index.text.iloc[0, 0] == "mu"


def test_diagnostics_table_rounds_each_column_and_states_the_gate():
    from ipscompendium.general.sampling import MAX_RHAT, MIN_ESS, DiagnosticsReport

    frame = pd.DataFrame({"parameter": ["mu"], "max_rhat": [1.00349], "min_ess_bulk": [1234.6], "min_ess_tail": [987.2]})
    report = DiagnosticsReport(1.00349, 1234.6, 987.2, 0, frame)
    shown = tables.diagnostics_table(report, "Diagnostics")
    row = shown.text.iloc[0].tolist()
    assert row[-3:] == ["1.003", "1235", "987"]
    assert shown.notes[0] == (f"Divergent transitions: 0. The build stops if R-hat exceeds {MAX_RHAT:g}, an ESS falls "
                              f"below {MIN_ESS:g}, or any transition diverges.")


def test_pain_card_in_norwegian_row_by_row():
    from bs4 import BeautifulSoup

    points = [(m, Estimate(0.4, 0.2, 0.6), Estimate(0.5, 0.35, 0.65), p, r) for m, p, r in ((12, 0.8, 0.55), (24, 0.9, 0.7))]
    soup = BeautifulSoup(cards.pain_trial_card(points, "svakt informativ", 58, "no").to_html(), "html.parser")
    assert [h.get_text() for h in soup.select(".answer-heading")] == ["Etter 12 måneder", "Etter 24 måneder"]
    assert [a.get_text() for a in soup.select(".answer-arm-label")][:2] == ["Vanlig oppfølging", "IPS"]
    assert soup.select(".answer-note")[1].get_text() == ("Sannsynlighet for at IPS er bedre (uansett hvor mye): 90\u00a0%; "
                                                          "med mer enn 10 prosentpoeng: 70\u00a0%")
    english = BeautifulSoup(cards.pain_trial_card(points, "weakly informative", 58).to_html(), "html.parser")
    assert english.select(".answer-arm-label")[0].get_text() == "Usual care"
    # an arm without a range shows its count and nothing more
    fixed = BeautifulSoup(cards.meta_analysis_card(0.23, Estimate(2.4, 2.0, 2.8), Estimate(2.4, 1.0, 4.0), 0.97, "x").to_html(),
                          "html.parser")
    assert fixed.select(".answer-count")[0].get_text() == "23 out of 100 had a competitive job during follow-up"


def test_forest_plot_for_a_reviewer_weights_numbers_diamond_and_footer():
    from matplotlib.collections import PathCollection
    from matplotlib.patches import Polygon

    style.use_book_style()
    observed = pd.DataFrame({"estimate": [0.5, 1.2, 0.8], "low": [0.3, 0.6, 0.5], "high": [0.9, 2.4, 1.3]})
    summary = pd.DataFrame([{"label": "pooled", "estimate": 0.75, "low": 0.6, "high": 0.95, "role": "pooled"},
                            {"label": "new trial", "estimate": 0.75, "low": 0.3, "high": 1.9, "role": "prediction"}])
    ax = plots.forest_plot(["A", "B", "C"], observed, summary_rows=summary, weights=[1, 4, 2], numbers=True,
                           footer="Heterogeneity: tau² 0.10; I² 40%")
    squares = [c for c in ax.collections if isinstance(c, PathCollection)][0]
    sizes = squares.get_sizes()
    assert sizes[1] / sizes[0] == pytest.approx(4.0) and sizes[2] / sizes[0] == pytest.approx(2.0)  # area in proportion to weight
    diamonds = [p for p in ax.patches if isinstance(p, Polygon)]
    assert len(diamonds) == 1 and diamonds[0].get_xy()[:, 0].min() == pytest.approx(0.6)
    texts = [t.get_text() for t in ax.texts]
    assert "0.50 (0.30 to 0.90)" in texts and "0.75 (0.30 to 1.90)" in texts and "estimate (95% interval)" in texts
    legend = ax.figure.legends[0]
    assert "Heterogeneity: tau² 0.10; I² 40%" in legend.get_title().get_text()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["A", "B", "C", "pooled", "new trial"]
    plt.close(ax.figure)


def test_command_line_forest_plot_is_report_wide_and_the_books_is_phone_wide(capsys):
    import json

    from ipscompendium import cli

    cli.main(["meta", "--example", "bcg", "--benefit", "lower", "--json"])
    result = json.loads(capsys.readouterr().out)
    assert sum(t["weight_dl"] for t in result["trials"]) == pytest.approx(1.0)
    report = plots.meta_forest_figure(result)
    phone = plots.meta_forest_figure(result, phone=True)
    assert report.get_size_inches()[0] == plots.REPORT_FIGURE_WIDTH_IN and phone.get_size_inches()[0] == style.FIGURE_WIDTH_IN
    assert any("to" in t.get_text() for t in report.axes[0].texts) and not phone.axes[0].texts
    assert style.check_legible(phone, "phone forest") >= style.MIN_FONT_PT
    plt.close(report)
    plt.close(phone)


def test_a_link_cell_is_an_anchor_and_its_text_is_escaped():
    from ipscompendium import tables

    frame = pd.DataFrame({"file": [tables.Link("a<b>.csv", "../data/a&b.csv")], "rows": [3]})
    markup = tables.table(frame, "Files", {"file": "File", "rows": "Rows"}).to_html()
    assert '<td class="words"><a href="../data/a&amp;b.csv">a&lt;b&gt;.csv</a></td>' in markup
    assert "a<b>.csv" in repr(tables.table(frame, "Files"))
