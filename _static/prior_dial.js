/*
 * The prior dial of the IPS in Pain chapter: the exact two-arm posterior, computed in the reader's
 * browser, for any prior on the log odds ratio the reader sets.
 *
 * The arithmetic is that of ipscompendium.general.trial_grid (posterior_grid with effect_prior and
 * a centred baseline prior): both arms' log-odds on one cell-centred lattice, the binomial
 * likelihood of each arm, a prior on the log odds ratio (a normal mixture) and a normal prior on
 * the mean of the two arms' log-odds. tests/test_prior_dial.py runs this file in V8 and holds it to
 * the Python grid. No library, no network: the page works offline.
 *
 * The numbers (counts, named priors, thresholds) come from the page: a JSON block written by
 * ipscompendium.dial at build time, so the book's Python is their only source.
 */
(function (root) {
  "use strict";

  var LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

  function logExpit(x) {
    return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  }

  function normalLogPdf(x, mean, sd) {
    var z = (x - mean) / sd;
    return -0.5 * z * z - Math.log(sd) - LOG_SQRT_2PI;
  }

  /* Error function (W. J. Cody's rational approximations are overkill here: Abramowitz & Stegun
     7.1.26, absolute error below 1.5e-7, is far inside what the page shows). */
  function erf(x) {
    var sign = x < 0 ? -1 : 1;
    var a = Math.abs(x);
    var t = 1 / (1 + 0.3275911 * a);
    var poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign * (1 - poly * Math.exp(-a * a));
  }

  function mixtureLogPdf(x, prior) {
    var top = -Infinity;
    var terms = prior.weights.map(function (w, k) {
      var value = Math.log(w) + normalLogPdf(x, prior.means[k], prior.sds[k]);
      if (value > top) top = value;
      return value;
    });
    var total = 0;
    terms.forEach(function (value) { total += Math.exp(value - top); });
    return top + Math.log(total);
  }

  function mixtureCdf(x, prior) {
    var total = 0;
    prior.weights.forEach(function (w, k) {
      total += w * 0.5 * (1 + erf((x - prior.means[k]) / (prior.sds[k] * Math.SQRT2)));
    });
    return total;
  }

  /* priors.robustify: the informative mixture keeps 1 - w, a vague normal gets w. */
  function robustify(prior, weight, vague) {
    var out = { weights: [], means: [], sds: [] };
    prior.weights.forEach(function (w, k) {
      if (w * (1 - weight) > 0) {
        out.weights.push(w * (1 - weight));
        out.means.push(prior.means[k]);
        out.sds.push(prior.sds[k]);
      }
    });
    if (weight > 0) {
      out.weights.push(weight);
      out.means.push(vague.mean);
      out.sds.push(vague.sd);
    }
    return out;
  }

  function logOddsRange(events, n, width) {
    var centre = Math.log((events + 0.5) / (n - events + 0.5));
    var se = Math.sqrt(1 / (events + 0.5) + 1 / (n - events + 0.5));
    return [centre - width * se, centre + width * se];
  }

  /* trial_grid.posterior_grid with trial_grid.effect_prior(prior, baseline). The log prior depends on
     the cells only through j - i (the log odds ratio) and i + j (the baseline), so both are tabulated
     once per diagonal. */
  function posterior(counts, prior, baseline, points) {
    var P = points || 800;
    var treat = logOddsRange(counts.events_treatment, counts.n_treatment, 10);
    var ctrl = logOddsRange(counts.events_control, counts.n_control, 10);
    var low = Math.max(-15, Math.min(treat[0], ctrl[0]));
    var high = Math.min(15, Math.max(treat[1], ctrl[1]));
    var step = (high - low) / P;
    var axis = new Float64Array(P);
    var likControl = new Float64Array(P);
    var likTreatment = new Float64Array(P);
    for (var i = 0; i < P; i++) {
      axis[i] = low + step * (i + 0.5);
      var up = logExpit(axis[i]);
      var down = logExpit(-axis[i]);
      likControl[i] = counts.events_control * up + (counts.n_control - counts.events_control) * down;
      likTreatment[i] = counts.events_treatment * up + (counts.n_treatment - counts.events_treatment) * down;
    }
    var effect = new Float64Array(2 * P - 1);
    var base = new Float64Array(2 * P - 1);
    for (var d = 0; d < 2 * P - 1; d++) {
      effect[d] = mixtureLogPdf((d - (P - 1)) * step, prior);
      var centred = low + step * (d / 2 + 0.5);  // (axis[i] + axis[j]) / 2 with i + j = d
      base[d] = baseline.anchor === "control" ? 0 : normalLogPdf(centred, baseline.mean, baseline.sd);
    }
    var weight = new Float64Array(P * P);
    var top = -Infinity;
    for (i = 0; i < P; i++) {
      for (var j = 0; j < P; j++) {
        var value = likControl[i] + likTreatment[j] + effect[j - i + P - 1] +
          (baseline.anchor === "control" ? normalLogPdf(axis[i], baseline.mean, baseline.sd) : base[i + j]);
        weight[i * P + j] = value;
        if (value > top) top = value;
      }
    }
    var total = 0;
    for (var c = 0; c < P * P; c++) {
      weight[c] = Math.exp(weight[c] - top);
      total += weight[c];
    }
    for (c = 0; c < P * P; c++) weight[c] /= total;
    return { axis: axis, weight: weight, step: step, points: P };
  }

  function interpolatedQuantile(values, masses, q) {
    /* The quantile of a discrete distribution, read at the middle of each value's mass (as
       TwoArmGrid.quantiles does with np.interp on cdf - mass / 2). */
    var cdf = 0;
    var previousX = null, previousY = null;
    for (var k = 0; k < values.length; k++) {
      if (masses[k] <= 0) continue;
      var x = cdf + masses[k] / 2;
      cdf += masses[k];
      if (x >= q) {
        if (previousX === null) return values[k];
        return previousY + (values[k] - previousY) * (q - previousX) / (x - previousX);
      }
      previousX = x;
      previousY = values[k];
    }
    return previousY;
  }

  /* trial_grid.benefit: P(better), P(RD > relevant), P(OR > relevant), medians and 95% intervals. */
  function summary(grid, relevantRd, relevantOr) {
    var P = grid.points, step = grid.step, w = grid.weight;
    var diagonal = new Float64Array(2 * P - 1);
    var bins = 4000, rdMass = new Float64Array(bins);
    var pRd = 0;
    var expitAxis = new Float64Array(P);
    for (var i = 0; i < P; i++) expitAxis[i] = 1 / (1 + Math.exp(-grid.axis[i]));
    for (i = 0; i < P; i++) {
      for (var j = 0; j < P; j++) {
        var mass = w[i * P + j];
        diagonal[j - i + P - 1] += mass;
        var rd = expitAxis[j] - expitAxis[i];
        if (rd > relevantRd) pRd += mass;
        rdMass[Math.min(bins - 1, Math.floor((rd + 1) / 2 * bins))] += mass;
      }
    }
    var logOr = new Float64Array(2 * P - 1);
    var pBetter = 0, pOr = 0, threshold = Math.log(relevantOr);
    for (var d = 0; d < 2 * P - 1; d++) {
      logOr[d] = (d - (P - 1)) * step;
      if (d > P - 1) pBetter += diagonal[d];
      else if (d === P - 1) pBetter += diagonal[d] / 2;
      var offset = (logOr[d] - threshold) / step;
      if (Math.abs(offset) <= 1e-9) pOr += diagonal[d] / 2;
      else if (offset > 0) pOr += diagonal[d];
    }
    var rdValues = new Float64Array(bins);
    for (var b = 0; b < bins; b++) rdValues[b] = -1 + (b + 0.5) * 2 / bins;
    function orQuantile(q) { return Math.exp(interpolatedQuantile(logOr, diagonal, q)); }
    function rdQuantile(q) { return interpolatedQuantile(rdValues, rdMass, q); }
    return {
      p_benefit: pBetter, p_relevant_rd: pRd, p_or_above: pOr,
      or_median: orQuantile(0.5), or_low: orQuantile(0.025), or_high: orQuantile(0.975),
      rd_median: rdQuantile(0.5), rd_low: rdQuantile(0.025), rd_high: rdQuantile(0.975),
      log_or: logOr, log_or_mass: diagonal
    };
  }

  /* One answer for the page: the prior the settings describe, its posterior, and the prior alone. */
  function priorFromSettings(data, settings) {
    if (settings.kind === "mixture") {
      var preset = data.presets.filter(function (p) { return p.key === settings.mixture; })[0];
      return robustify(preset, settings.robust_weight || 0, data.vague);
    }
    return { weights: [1], means: [settings.mean], sds: [settings.sd] };
  }

  /* The median and SD of a prior on the log odds ratio (a mixture's median by bisection on its CDF),
     so that the page shows the prior it uses, whichever preset set it. */
  function priorSummary(prior) {
    var mean = 0, second = 0;
    prior.weights.forEach(function (w, k) {
      mean += w * prior.means[k];
      second += w * (prior.sds[k] * prior.sds[k] + prior.means[k] * prior.means[k]);
    });
    var lo = -50, hi = 50;
    for (var i = 0; i < 200; i++) {
      var mid = (lo + hi) / 2;
      if (mixtureCdf(mid, prior) < 0.5) lo = mid; else hi = mid;
    }
    return { median: (lo + hi) / 2, sd: Math.sqrt(Math.max(second - mean * mean, 0)) };
  }

  function compute(data, settings) {
    var counts = data.timepoints.filter(function (t) { return t.months === settings.months; })[0];
    var prior = priorFromSettings(data, settings);
    var grid = posterior(counts, prior, data.baseline, settings.points || data.points);
    var result = summary(grid, data.relevant_rd, data.relevant_or);
    result.prior = prior;
    result.prior_p_benefit = 1 - mixtureCdf(0, prior);
    result.prior_p_or_above = 1 - mixtureCdf(Math.log(data.relevant_or), prior);
    return result;
  }

  var api = {
    posterior: posterior, summary: summary, compute: compute, robustify: robustify,
    mixtureLogPdf: mixtureLogPdf, mixtureCdf: mixtureCdf, erf: erf, priorSummary: priorSummary
  };
  root.IPSDial = api;

  /* ------------------------------------------------------------------------------------------
     The page: sliders, presets, a density plot and a live summary. Runs only in a browser. */

  if (typeof document === "undefined") return;

  var language = "en";  // set per dial in mount(); Norwegian writes a decimal comma

  function localised(text) {
    return language === "nb" ? text.replace(/\./g, ",") : text;
  }

  function fixed(x, decimals) {
    return localised(x.toFixed(decimals).replace("-", "\u2212"));
  }

  function probability(p) {
    if (p > 0.999) return localised("> 0.999");
    if (p < 0.001) return localised("< 0.001");
    return localised(p.toFixed(3));
  }

  function svgElement(name, attributes) {
    var element = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attributes).forEach(function (key) { element.setAttribute(key, attributes[key]); });
    return element;
  }

  function drawDensity(svg, result, words) {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    var width = 320, height = 165, left = 8, right = 8, bottom = 38, top = 8;
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    var lo = Math.log(0.1), hi = Math.log(30);
    function sx(x) { return left + (x - lo) / (hi - lo) * (width - left - right); }
    var step = result.log_or[1] - result.log_or[0];
    var xs = [], post = [], prior = [];
    for (var d = 0; d < result.log_or.length; d++) {
      var x = result.log_or[d];
      if (x < lo || x > hi) continue;
      xs.push(x);
      post.push(result.log_or_mass[d] / step);
      prior.push(Math.exp(mixtureLogPdf(x, result.prior)));
    }
    var peak = Math.max.apply(null, post.concat(prior)) || 1;
    function sy(y) { return height - bottom - y / peak * (height - bottom - top); }
    function path(ys) {
      return ys.map(function (y, k) { return (k ? "L" : "M") + sx(xs[k]).toFixed(1) + " " + sy(y).toFixed(1); }).join(" ");
    }
    svg.appendChild(svgElement("line", { x1: sx(0), x2: sx(0), y1: top, y2: height - bottom, class: "ips-dial-null" }));
    svg.appendChild(svgElement("path", { d: path(prior), class: "ips-dial-prior" }));
    svg.appendChild(svgElement("path", { d: path(post), class: "ips-dial-posterior" }));
    svg.appendChild(svgElement("line", { x1: left, x2: width - right, y1: height - bottom, y2: height - bottom, class: "ips-dial-axis" }));
    [0.2, 0.5, 1, 2, 5, 10, 20].forEach(function (tick) {
      var x = sx(Math.log(tick));
      svg.appendChild(svgElement("line", { x1: x, x2: x, y1: height - bottom, y2: height - bottom + 4, class: "ips-dial-axis" }));
      var label = svgElement("text", { x: x, y: height - bottom + 15, "text-anchor": "middle", class: "ips-dial-tick" });
      label.textContent = localised(String(tick));
      svg.appendChild(label);
    });
    var caption = svgElement("text", { x: width / 2, y: height - 4, "text-anchor": "middle", class: "ips-dial-tick" });
    caption.textContent = words.axis;
    svg.appendChild(caption);
  }

  function mount(container) {
    var data = JSON.parse(container.querySelector("script.ips-dial-data").textContent);
    var dialLanguage = container.dataset.language || "en";
    var words = data.words[dialLanguage];
    var state = { months: data.initial.months, kind: "normal", mean: 0, sd: 2, mixture: null, robust_weight: 0, preset: null };
    var controls = {
      months: container.querySelectorAll("input[name='" + container.id + "-months']"),
      mean: container.querySelector(".ips-dial-mean"),
      sd: container.querySelector(".ips-dial-sd"),
      weight: container.querySelector(".ips-dial-weight"),
      meanOut: container.querySelector(".ips-dial-mean-out"),
      sdOut: container.querySelector(".ips-dial-sd-out"),
      weightOut: container.querySelector(".ips-dial-weight-out"),
      weightRow: container.querySelector(".ips-dial-weight-row"),
      priorText: container.querySelector(".ips-dial-prior-text"),
      live: container.querySelector(".ips-dial-live"),
      svg: container.querySelector("svg")
    };
    var pending = null;

    function describePrior() {
      if (state.kind === "mixture") {
        var preset = data.presets.filter(function (p) { return p.key === state.mixture; })[0];
        return words.mixture_prior.replace("{name}", dialLanguage === "nb" ? preset.label_nb : preset.label).replace("{w}", fixed(state.robust_weight, 2));
      }
      var low = Math.exp(state.mean - 1.96 * state.sd), high = Math.exp(state.mean + 1.96 * state.sd);
      return words.normal_prior.replace("{median}", fixed(Math.exp(state.mean), 2))
        .replace("{low}", fixed(low, 2)).replace("{high}", fixed(high, 2));
    }

    function update() {
      pending = null;
      language = dialLanguage;
      var result = compute(data, state);
      // the prior in use, not the last normal prior's settings: a mixture preset shows its own median and SD
      var shown = state.kind === "mixture" ? priorSummary(result.prior) : { median: state.mean, sd: state.sd };
      controls.meanOut.textContent = fixed(Math.exp(shown.median), 2);
      controls.sdOut.textContent = fixed(shown.sd, 2);
      if (state.kind === "mixture") {  // the thumbs stand where the numbers beside them say, not at the last normal prior
        controls.mean.value = shown.median;
        controls.sd.value = shown.sd;
      }
      controls.weightOut.textContent = fixed(state.robust_weight, 2);
      controls.weightRow.hidden = state.kind !== "mixture";
      controls.mean.disabled = controls.sd.disabled = false;
      controls.priorText.textContent = describePrior();
      drawDensity(controls.svg, result, words);
      controls.live.textContent = words.result
        .replace("{months}", String(state.months))
        .replace("{p_benefit}", probability(result.p_benefit))
        .replace("{prior_p_benefit}", probability(result.prior_p_benefit))
        .replace("{p_relevant_rd}", probability(result.p_relevant_rd))
        .replace("{or}", fixed(result.or_median, 2))
        .replace("{or_low}", fixed(result.or_low, 2))
        .replace("{or_high}", fixed(result.or_high, 2))
        .replace("{rd}", fixed(100 * result.rd_median, 0))
        .replace("{rd_low}", fixed(100 * result.rd_low, 0))
        .replace("{rd_high}", fixed(100 * result.rd_high, 0));
    }

    function schedule() {
      if (pending === null) pending = (root.requestAnimationFrame || setTimeout)(update);
    }

    function usePreset(key) {
      var preset = data.presets.filter(function (p) { return p.key === key; })[0];
      if (preset.kind === "normal") {
        state.kind = "normal";
        state.mean = preset.means[0];
        state.sd = preset.sds[0];
        controls.mean.value = state.mean;
        controls.sd.value = state.sd;
      } else {
        state.kind = "mixture";
        state.mixture = preset.mixture || key;
        state.robust_weight = preset.robust_weight;
        controls.weight.value = state.robust_weight;
      }
      container.querySelectorAll(".ips-dial-presets button").forEach(function (button) {
        button.setAttribute("aria-pressed", String(button.dataset.preset === key));
      });
      schedule();
    }

    Array.prototype.forEach.call(controls.months, function (radio) {
      radio.addEventListener("change", function () { state.months = Number(radio.value); schedule(); });
    });
    function custom() {  // a moved slider is the reader's own prior, no longer a named one
      state.kind = "normal";
      container.querySelectorAll(".ips-dial-presets button").forEach(function (button) {
        button.setAttribute("aria-pressed", "false");
      });
    }
    controls.mean.addEventListener("input", function () {
      custom(); state.mean = Number(controls.mean.value); schedule();
    });
    controls.sd.addEventListener("input", function () {
      custom(); state.sd = Number(controls.sd.value); schedule();
    });
    controls.weight.addEventListener("input", function () {
      state.robust_weight = Number(controls.weight.value); schedule();
    });
    container.querySelectorAll(".ips-dial-presets button").forEach(function (button) {
      button.addEventListener("click", function () { usePreset(button.dataset.preset); });
    });
    container.hidden = false;  // shipped hidden: without JavaScript the page shows its <noscript> note instead
    usePreset(data.initial.preset);
  }

  function mountAll() {
    // only the prior dials: other dials (the heterogeneity dial) share the look but not the data
    document.querySelectorAll(".ips-dial").forEach(function (container) {
      if (container.querySelector("script.ips-dial-data")) mount(container);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})(typeof globalThis !== "undefined" ? globalThis : this);
