/* The next-trial calculator (ipscompendium.next_trial_calculator): a two-arm trial with a binary
   outcome, analysed with a Bayesian decision rule, and its operating characteristics, computed
   exactly in the reader's browser as ipscompendium.general.operating computes them in Python.

   - The success boundary: for every number of control events, the fewest treatment events that
     succeed. The posterior of the two arms' log-odds lives on one lattice shared by both axes
     (operating.lattice_for); for each control count, the prior plane times the control likelihood
     is summed column by column, masked by each criterion (the midpoint rule on the threshold's
     diagonal), and the fewest successful treatment count is found by bisection (success is
     monotone in the treatment events).
   - Power and type I error: sums of binomial probabilities over the boundary, no simulation.
   - Assurance: the probability of success averaged over today's belief (a posterior after the
     IPS in Pain trial), on a lattice of step 0.1: the integrand is smooth, and the midpoint rule
     then agrees with the package's finer lattice to about 1e-14.
   tests/test_next_trial_calculator.py runs this file in V8 against the package. */
(function (root) {
  "use strict";

  var LIMIT = 8;  // operating.LIMIT: log-odds from -8 to 8
  var LOG_2PI = Math.log(2 * Math.PI);
  var ROW_CUTOFF = -40;  // operating.posterior_probabilities: control rows kept within e^-40 of the peak
  var BAND_CUTOFF = -45;  // treatment likelihood cells kept within e^-45 of the row's peak
  var BELIEF_CELLS = 160;  // the assurance lattice: step 0.1
  var BELIEF_CUTOFF = -36;  // belief cells kept within e^-36 of the peak

  var logFactorials = [0];
  function logFactorial(n) {
    for (var k = logFactorials.length; k <= n; k++) logFactorials.push(logFactorials[k - 1] + Math.log(k));
    return logFactorials[n];
  }

  function logChoose(n, x) {
    return logFactorial(n) - logFactorial(x) - logFactorial(n - x);
  }

  function logExpit(x) {  // log(1 / (1 + e^-x)), as -numpy.logaddexp(0, -x)
    return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
  }

  function normalLogpdf(x, mean, sd) {
    var z = (x - mean) / sd;
    return -0.5 * z * z - Math.log(sd) - 0.5 * LOG_2PI;
  }

  function mixtureLogpdf(mixture, x) {
    var terms = [], top = -Infinity;
    for (var c = 0; c < mixture.weights.length; c++) {
      var term = Math.log(mixture.weights[c]) + normalLogpdf(x, mixture.means[c], mixture.sds[c]);
      terms.push(term);
      if (term > top) top = term;
    }
    var total = 0;
    for (c = 0; c < terms.length; c++) total += Math.exp(terms[c] - top);
    return top + Math.log(total);
  }

  /* operating.lattice_for: about four points per posterior SD of the larger arm, never coarser than 0.025 */
  function lattice(nTreatment, nControl) {
    var n = Math.max(nTreatment, nControl, 1);
    var step = Math.min(0.025, 2 / Math.sqrt(n) / 4);
    var m = Math.ceil(2 * LIMIT / step);
    return uniformLattice(m);
  }

  function uniformLattice(m) {
    var step = 2 * LIMIT / m, points = new Float64Array(m);
    for (var k = 0; k < m; k++) points[k] = -LIMIT + step * (k + 0.5);
    return { points: points, step: step, m: m };
  }

  /* The log prior on the (control, treatment) log-odds plane: an effect prior on the log OR with
     either a centred baseline prior (trial_grid.effect_prior) or a prior on the control arm's
     log-odds (trial_grid.effect_prior_with_control). */
  function logPriorAt(prior, control, treatment) {
    var value = mixtureLogpdf(prior.effect, treatment - control);
    if (prior.control) return value + mixtureLogpdf(prior.control, control);
    return value + normalLogpdf((control + treatment) / 2, prior.baseline.mean, prior.baseline.sd);
  }

  function scaledExp(values) {  // exp(values - max(values))
    var top = -Infinity, k;
    for (k = 0; k < values.length; k++) if (values[k] > top) top = values[k];
    for (k = 0; k < values.length; k++) values[k] = Math.exp(values[k] - top);
    return values;
  }

  /* The prior plane, up to a constant factor: rows are control log-odds, columns treatment, stored
     column by column (element [i, j] at j * m + i). The effect term depends on j - i only, and a
     centred baseline on i + j, so the plane is a product of two vectors of 2m - 1 exponentials. */
  function priorPlane(prior, grid) {
    var m = grid.m, step = grid.step, k, i, j;
    var effect = new Float64Array(2 * m - 1), other = new Float64Array(prior.control ? m : 2 * m - 1);
    for (k = 0; k < 2 * m - 1; k++) effect[k] = mixtureLogpdf(prior.effect, (k - (m - 1)) * step);
    if (prior.control) {
      for (k = 0; k < m; k++) other[k] = mixtureLogpdf(prior.control, grid.points[k]);
    } else {
      for (k = 0; k < 2 * m - 1; k++) other[k] = normalLogpdf(-LIMIT + step * (k / 2 + 0.5), prior.baseline.mean, prior.baseline.sd);
    }
    scaledExp(effect);
    scaledExp(other);
    var plane = new Float64Array(m * m);
    for (j = 0; j < m; j++) {
      for (i = 0; i < m; i++) plane[j * m + i] = effect[j - i + m - 1] * (prior.control ? other[i] : other[i + j]);
    }
    return plane;
  }

  /* operating._criterion_weights: cells with j - i >= full count wholly, the band j - i == partial by fraction */
  function criterionWeights(step, logOr) {
    var d = logOr / step, partial = Math.floor(d + 0.5);
    var fraction = Math.min(1, Math.max(0, partial + 0.5 - d));
    return { full: partial + 1, partial: partial, fraction: fraction };
  }

  var planes = { key: null, plane: null };

  /* The prior plane is the same for every size up to 400 per arm (one lattice), so it is kept */
  function cachedPlane(prior, grid) {
    var key = JSON.stringify(prior) + "|" + grid.m;
    if (planes.key !== key) { planes.plane = priorPlane(prior, grid); planes.key = key; }
    return planes.plane;
  }

  function successBoundary(nTreatment, nControl, prior, rule) {
    var grid = lattice(nTreatment, nControl), m = grid.m, points = grid.points;
    var plane = cachedPlane(prior, grid);
    var logP = new Float64Array(m), logQ = new Float64Array(m), i, k;
    for (i = 0; i < m; i++) { logP[i] = logExpit(points[i]); logQ[i] = logExpit(-points[i]); }
    var weights = rule.map(function (criterion) { return criterionWeights(grid.step, criterion.log_or); });
    var K = rule.length;

    // the treatment likelihood of each count, scaled to its peak, over the band where it is not negligible
    var rows = new Array(nTreatment + 1).fill(null);
    function treatmentRow(x) {
      if (rows[x] !== null) return rows[x];
      var values = new Float64Array(m), top = -Infinity, c;
      for (c = 0; c < m; c++) {
        values[c] = x * logP[c] + (nTreatment - x) * logQ[c];
        if (values[c] > top) top = values[c];
      }
      var lo = m, hi = -1;
      for (c = 0; c < m; c++) {
        values[c] -= top;
        if (values[c] > BAND_CUTOFF) { if (c < lo) lo = c; hi = c; values[c] = Math.exp(values[c]); } else values[c] = 0;
      }
      rows[x] = { values: values, lo: lo, hi: hi };
      return rows[x];
    }

    // For one control count, a column's sums over the rows (total, and masked by each criterion) are
    // computed only when a treatment count's band needs that column: a handful of evaluations near
    // the previous count's boundary touch a small part of the lattice.
    var total = new Float64Array(m), masked = [], stamp = new Int32Array(m).fill(-1);
    for (k = 0; k < K; k++) masked.push(new Float64Array(m));
    var row = new Float64Array(m), w = new Float64Array(m), prefix = new Float64Array(m), first = 0, last = -1, xc;

    function column(j) {
      if (stamp[j] === xc) return;
      stamp[j] = xc;
      var cumulative = 0, offset = j * m, r, q;
      for (r = first; r <= last; r++) {  // the plane is stored column by column: this loop reads memory in order
        cumulative += plane[offset + r] * w[r];
        prefix[r] = cumulative;
      }
      total[j] = cumulative;
      for (q = 0; q < K; q++) {
        var through = j - weights[q].full, band = j - weights[q].partial;
        // rows up to j - full count wholly, the row j - partial (the threshold's band) by its fraction
        var value = through < first ? 0 : through > last ? cumulative : prefix[through];
        if (band >= first && band <= last) value += weights[q].fraction * plane[offset + band] * w[band];
        masked[q][j] = value;
      }
    }

    function succeeds(xt) {
      var likelihood = treatmentRow(xt), values = likelihood.values, denominator = 0, c, q;
      for (c = likelihood.lo; c <= likelihood.hi; c++) { column(c); denominator += values[c] * total[c]; }
      for (q = 0; q < K; q++) {
        var numerator = 0, mask = masked[q];
        for (c = likelihood.lo; c <= likelihood.hi; c++) numerator += values[c] * mask[c];
        if (!(numerator / denominator >= rule[q].probability)) return false;
      }
      return true;
    }

    var fewest = new Int32Array(nControl + 1), guess = 0;
    for (xc = 0; xc <= nControl; xc++) {
      var top = -Infinity;
      for (i = 0; i < m; i++) { row[i] = xc * logP[i] + (nControl - xc) * logQ[i]; if (row[i] > top) top = row[i]; }
      first = -1; last = -1;
      for (i = 0; i < m; i++) {
        if (row[i] - top > ROW_CUTOFF) { if (first < 0) first = i; last = i; w[i] = Math.exp(row[i] - top); }
      }
      // Success is monotone in the treatment events: gallop from the last boundary to a bracket
      // (lo fails, hi succeeds), then bisect. This finds the same first success as a full scan.
      var lo, hi, stride = 1;
      if (succeeds(guess)) {
        hi = guess; lo = guess - 1;
        while (lo >= 0 && succeeds(lo)) { hi = lo; stride *= 2; lo = hi - stride; }
        lo = Math.max(lo, -1);
      } else {
        lo = guess; hi = guess + 1;
        while (hi <= nTreatment && !succeeds(hi)) { lo = hi; stride *= 2; hi = lo + stride; }
        if (hi > nTreatment) {
          if (!succeeds(nTreatment)) { fewest[xc] = nTreatment + 1; continue; }
          hi = nTreatment;
        }
      }
      while (hi - lo > 1) {
        var mid = (lo + hi) >> 1;
        if (succeeds(mid)) hi = mid; else lo = mid;
      }
      fewest[xc] = hi;
      guess = hi;
    }
    return { n_treatment: nTreatment, n_control: nControl, fewest: Array.prototype.slice.call(fewest) };
  }

  function binomialPmf(n, p) {
    var pmf = new Float64Array(n + 1), logP = Math.log(p), logQ = Math.log1p(-p);
    for (var x = 0; x <= n; x++) pmf[x] = Math.exp(logChoose(n, x) + x * logP + (n - x) * logQ);
    return pmf;
  }

  /* tail[f] = P(X >= f) for f = 0..n + 1, summed from the top so that small tails keep their digits */
  function upperTails(n, p) {
    var pmf = binomialPmf(n, p), tail = new Float64Array(n + 2);
    for (var x = n; x >= 0; x--) tail[x] = tail[x + 1] + pmf[x];
    return tail;
  }

  function probabilityOfSuccess(boundary, riskTreatment, riskControl) {
    var control = binomialPmf(boundary.n_control, riskControl), tail = upperTails(boundary.n_treatment, riskTreatment);
    var total = 0;
    for (var xc = 0; xc <= boundary.n_control; xc++) total += control[xc] * tail[Math.max(0, boundary.fewest[xc])];
    return total;
  }

  function riskWithOddsRatio(riskControl, oddsRatio) {
    var odds = riskControl / (1 - riskControl) * oddsRatio;
    return odds / (1 + odds);
  }

  /* The probability of success averaged over a belief about the truth: a prior on the plane times
     the likelihood of trials already run (operating.updated_prior), on a lattice of step 0.1. */
  var beliefs = { belief: null, cells: null };

  /* Today's belief on the assurance lattice: the cells within e^-36 of its peak, with their weights */
  function beliefCells(belief) {
    if (beliefs.belief === belief) return beliefs.cells;
    var grid = uniformLattice(BELIEF_CELLS), m = grid.m, points = grid.points, counts = belief.counts, i, j;
    var logDensity = new Float64Array(m * m), top = -Infinity;
    for (i = 0; i < m; i++) {
      var c = points[i];
      var controlTerm = counts.events_control * logExpit(c) + (counts.n_control - counts.events_control) * logExpit(-c);
      for (j = 0; j < m; j++) {
        var t = points[j];
        var value = logPriorAt(belief.prior, c, t) + controlTerm
          + counts.events_treatment * logExpit(t) + (counts.n_treatment - counts.events_treatment) * logExpit(-t);
        logDensity[i * m + j] = value;
        if (value > top) top = value;
      }
    }
    var cells = { control: [], treatment: [], weight: [], points: points, total: 0 };
    for (i = 0; i < m; i++) {
      for (j = 0; j < m; j++) {
        var log = logDensity[i * m + j] - top;
        if (log <= BELIEF_CUTOFF) continue;
        cells.control.push(i); cells.treatment.push(j); cells.weight.push(Math.exp(log));
        cells.total += Math.exp(log);
      }
    }
    beliefs.belief = belief;
    beliefs.cells = cells;
    return cells;
  }

  /* The probability of success averaged over a belief about the truth: a prior on the plane times
     the likelihood of trials already run (operating.updated_prior), on a lattice of step 0.1. */
  function assurance(boundary, belief) {
    var cells = beliefCells(belief), points = cells.points;
    var nC = boundary.n_control, nT = boundary.n_treatment, tails = [], controls = [], weighted = 0;
    for (var k = 0; k < cells.weight.length; k++) {
      var i = cells.control[k], j = cells.treatment[k], x;
      if (!controls[i]) controls[i] = binomialPmf(nC, 1 / (1 + Math.exp(-points[i])));
      if (!tails[j]) {
        // P(success | control count, this treatment risk) for every control count
        var tail = upperTails(nT, 1 / (1 + Math.exp(-points[j]))), given = new Float64Array(nC + 1);
        for (x = 0; x <= nC; x++) given[x] = tail[Math.max(0, boundary.fewest[x])];
        tails[j] = given;
      }
      var pmf = controls[i], success = tails[j], sum = 0;
      for (x = 0; x <= nC; x++) sum += pmf[x] * success[x];
      weighted += cells.weight[k] * sum;
    }
    return weighted / cells.total;
  }

  function ruleOf(settings) {
    return [{ probability: settings.significance, log_or: 0 },
            { probability: 0.5, log_or: Math.log(settings.relevant_or) }];
  }

  function sizes(settings) {
    return { n_control: settings.n_control, n_treatment: Math.round(settings.n_control * settings.allocation) };
  }

  var cache = { key: null, boundary: null, assurance: null };

  /* Everything the page shows for one setting. The boundary and assurance depend on the design and
     the analysis; the truth (control risk, odds ratio) only re-sums them, so moving it is instant. */
  function compute(data, settings) {
    var preset = data.presets.filter(function (p) { return p.key === settings.preset; })[0];
    var n = sizes(settings);
    var key = [settings.preset, n.n_treatment, n.n_control, settings.significance, settings.relevant_or].join("|");
    if (cache.key !== key || cache.data !== data) {
      cache.boundary = successBoundary(n.n_treatment, n.n_control, preset.prior, ruleOf(settings));
      cache.assurance = assurance(cache.boundary, data.belief);
      cache.key = key;
      cache.data = data;
    }
    var boundary = cache.boundary, pc = settings.risk_control;
    var curve = data.control_risks.map(function (risk) {
      return { risk: risk, alpha: probabilityOfSuccess(boundary, risk, risk),
               power: probabilityOfSuccess(boundary, riskWithOddsRatio(risk, settings.odds_ratio), risk) };
    });
    var worst = curve.reduce(function (a, b) { return b.alpha > a.alpha ? b : a; });
    return {
      n_treatment: n.n_treatment, n_control: n.n_control, fewest: boundary.fewest, assurance: cache.assurance,
      power: probabilityOfSuccess(boundary, riskWithOddsRatio(pc, settings.odds_ratio), pc),
      alpha: probabilityOfSuccess(boundary, pc, pc), alpha_max: worst.alpha, alpha_max_risk: worst.risk, curve: curve
    };
  }

  function localised(text, language) {
    return language === "nb" ? text.replace(/\./g, ",") : text;
  }

  function fixed(x, decimals, language) {
    return localised(x.toFixed(decimals), language);
  }

  function probability(p, language) {
    var text = p > 0.999 ? "> 0.999" : p < 0.001 ? "< 0.001" : p < 0.01 ? p.toFixed(3) : p.toFixed(2);
    return localised(text, language);
  }

  function percent(p, language) {
    return Math.round(100 * p) + (language === "nb" ? " %" : "%");
  }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? values[name] : whole; });
  }

  function describe(data, settings, result, language) {
    var words = data.words[language];
    var preset = data.presets.filter(function (p) { return p.key === settings.preset; })[0];
    return fill(words.result, {
      n_treatment: result.n_treatment, n_control: result.n_control, prior: preset.label[language],
      significance: fixed(settings.significance, 3, language), relevant_or: fixed(settings.relevant_or, 1, language),
      assurance: probability(result.assurance, language), risk_control: percent(settings.risk_control, language),
      odds_ratio: fixed(settings.odds_ratio, 1, language), power: probability(result.power, language),
      alpha: probability(result.alpha, language), alpha_max: probability(result.alpha_max, language),
      alpha_max_risk: percent(result.alpha_max_risk, language),
      low: percent(data.control_risks[0], language), high: percent(data.control_risks[data.control_risks.length - 1], language)
    });
  }

  /* The operating-characteristic plot: P(success) against the true control risk, on a log scale,
     if IPS does nothing (type I error) and at the chosen odds ratio (power). */
  var PLOT = { width: 340, height: 200, left: 42, right: 20, top: 10, bottom: 36, low: 0.001, high: 1 };

  function plotSvg(data, settings, result, language, colour) {
    var words = data.words[language], risks = data.control_risks;
    var x0 = risks[0], x1 = risks[risks.length - 1];
    var width = PLOT.width - PLOT.left - PLOT.right, height = PLOT.height - PLOT.top - PLOT.bottom;
    var sx = function (x) { return PLOT.left + (x - x0) / (x1 - x0) * width; };
    var sy = function (p) {
      var v = Math.min(PLOT.high, Math.max(PLOT.low, p));
      return PLOT.top + (Math.log(PLOT.high) - Math.log(v)) / (Math.log(PLOT.high) - Math.log(PLOT.low)) * height;
    };
    var path = function (key) {
      return result.curve.map(function (point, k) { return (k ? "L" : "M") + sx(point.risk).toFixed(1) + "," + sy(point[key]).toFixed(1); }).join("");
    };
    var markers = function (key, shape) {
      return result.curve.filter(function (point, k) { return k % 4 === 0; }).map(function (point) {
        var x = sx(point.risk), y = sy(point[key]);
        return shape === "circle" ? '<circle cx="' + x.toFixed(1) + '" cy="' + y.toFixed(1) + '" r="2.6"/>'
          : '<rect x="' + (x - 2.4).toFixed(1) + '" y="' + (y - 2.4).toFixed(1) + '" width="4.8" height="4.8"/>';
      }).join("");
    };
    var parts = ['<g class="ips-ntc-axis">',
      '<line x1="' + PLOT.left + '" y1="' + (PLOT.top + height) + '" x2="' + (PLOT.left + width) + '" y2="' + (PLOT.top + height) + '"/>',
      '<line x1="' + PLOT.left + '" y1="' + PLOT.top + '" x2="' + PLOT.left + '" y2="' + (PLOT.top + height) + '"/></g>'];
    [0.001, 0.01, 0.1, 1].forEach(function (p) {
      parts.push('<text class="ips-ntc-tick" x="' + (PLOT.left - 4) + '" y="' + (sy(p) + 3.5).toFixed(1) + '" text-anchor="end">'
        + localised(String(p), language) + "</text>");
    });
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6].forEach(function (x) {
      if (x < x0 - 1e-9 || x > x1 + 1e-9) return;
      parts.push('<text class="ips-ntc-tick" x="' + sx(x).toFixed(1) + '" y="' + (PLOT.top + height + 13) + '" text-anchor="middle">'
        + percent(x, language) + "</text>");
    });
    parts.push('<text class="ips-ntc-tick" x="' + (PLOT.left + width / 2) + '" y="' + (PLOT.height - 4) + '" text-anchor="middle">'
      + words.x_axis + "</text>");
    parts.push('<line class="ips-ntc-reference" x1="' + PLOT.left + '" x2="' + (PLOT.left + width) + '" y1="' + sy(data.nominal_alpha).toFixed(1)
      + '" y2="' + sy(data.nominal_alpha).toFixed(1) + '"/>');
    parts.push('<line class="ips-ntc-reference" x1="' + sx(settings.risk_control).toFixed(1) + '" x2="' + sx(settings.risk_control).toFixed(1)
      + '" y1="' + PLOT.top + '" y2="' + (PLOT.top + height) + '"/>');
    parts.push('<g class="ips-ntc-power" style="color:' + colour + '"><path d="' + path("power") + '"/>' + markers("power", "circle") + "</g>");
    parts.push('<g class="ips-ntc-alpha" style="color:' + colour + '"><path d="' + path("alpha") + '"/>' + markers("alpha", "square") + "</g>");
    return parts.join("");
  }

  function mount(container) {
    var data = JSON.parse(container.querySelector("script.ips-ntc-data").textContent);
    var language = container.dataset.language || "en";
    var state = Object.assign({}, data.initial);
    var live = container.querySelector(".ips-ntc-live"), plot = container.querySelector(".ips-ntc-plot");
    var key = container.querySelector(".ips-ntc-key-power");
    var pending = null;
    var sliders = {
      n_control: function (v) { return String(v); }, risk_control: function (v) { return percent(v, language); },
      odds_ratio: function (v) { return fixed(v, 1, language); }, significance: function (v) { return fixed(v, 3, language); },
      relevant_or: function (v) { return fixed(v, 1, language); }
    };

    function update() {
      pending = null;
      var result = compute(data, state);
      var preset = data.presets.filter(function (p) { return p.key === state.preset; })[0];
      Object.keys(sliders).forEach(function (name) {
        container.querySelector(".ips-ntc-" + name + "-out").textContent = sliders[name](state[name]);
      });
      container.querySelector(".ips-ntc-sizes").textContent = fill(data.words[language].sizes,
        { n_treatment: result.n_treatment, n_control: result.n_control });
      key.textContent = fill(data.words[language].key_power, { odds_ratio: fixed(state.odds_ratio, 1, language) });
      plot.innerHTML = plotSvg(data, state, result, language, preset.colour);
      container.querySelectorAll(".ips-ntc-key-power-line, .ips-ntc-key-alpha-line").forEach(function (line) {
        line.style.color = preset.colour;  // the legend's keys in the prior's colour, as the curves
      });
      live.textContent = describe(data, state, result, language);
    }

    function schedule() {
      if (pending === null) pending = (root.requestAnimationFrame || setTimeout)(update);
    }

    Object.keys(sliders).forEach(function (name) {
      var input = container.querySelector("input.ips-ntc-" + name);
      input.addEventListener("input", function () { state[name] = Number(input.value); schedule(); });
    });
    ["preset", "allocation"].forEach(function (name) {
      container.querySelectorAll("input[name='" + container.id + "-" + name + "']").forEach(function (radio) {
        radio.addEventListener("change", function () { state[name] = name === "preset" ? radio.value : Number(radio.value); schedule(); });
      });
    });
    container.hidden = false;  // shipped hidden: without JavaScript the page shows its <noscript> note
    update();
  }

  function mountAll() {
    document.querySelectorAll(".ips-ntc").forEach(mount);
  }

  root.IPSNextTrial = {
    compute: compute, describe: describe, successBoundary: successBoundary, assurance: assurance,
    probabilityOfSuccess: probabilityOfSuccess, lattice: lattice, plotSvg: plotSvg
  };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
    else mountAll();
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
