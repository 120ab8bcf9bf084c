/* The heterogeneity dial (ipscompendium.heterogeneity_dial): the exact normal-normal meta-analysis
   in the reader's browser. For each tau on the grid of ipscompendium.general.exact
   (tau_max / (points - 1) apart, from one step up to tau_max), mu given tau is normal and the
   marginal likelihood of tau is closed-form; the posterior of tau is the prior times that, and
   every answer is a mixture over the grid. tests/test_heterogeneity_dial.py runs this file in V8
   against the package. */
(function (root) {
  "use strict";

  var LOG_2PI = Math.log(2 * Math.PI);

  /* Error function: Abramowitz & Stegun 7.1.26, absolute error below 1.5e-7 (as the prior dial). */
  function erf(x) {
    var sign = x < 0 ? -1 : 1;
    var a = Math.abs(x);
    var t = 1 / (1 + 0.3275911 * a);
    var poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
    return sign * (1 - poly * Math.exp(-a * a));
  }

  function normalCdf(x, mean, sd) {
    return 0.5 * (1 + erf((x - mean) / (sd * Math.SQRT2)));
  }

  function tauLogPrior(tau, family, scale, turner) {
    if (family === "half_normal") {
      var z = tau / scale;
      return Math.log(2) - 0.5 * z * z - Math.log(scale) - 0.5 * LOG_2PI;
    }
    if (family === "half_cauchy") {
      return Math.log(2 / (Math.PI * scale)) - Math.log1p((tau / scale) * (tau / scale));
    }
    // Turner et al.: log tau^2 ~ N(m, s^2); as a density of tau, p(tau) = 2 tau p_{tau^2}(tau^2)
    var logTau2 = 2 * Math.log(tau);
    var u = (logTau2 - turner.log_tau2_mean) / turner.log_tau2_sd;
    return Math.log(2 * tau) - logTau2 - Math.log(turner.log_tau2_sd) - 0.5 * LOG_2PI - 0.5 * u * u;
  }

  function tauPriorMedian(family, scale, turner) {
    if (family === "half_normal") return scale * 0.6744897501960817;  // the normal's 75% quantile
    if (family === "half_cauchy") return scale;
    return Math.exp(turner.log_tau2_mean / 2);
  }

  function posterior(set, family, scale, data) {
    var n = data.points - 1, step = data.tau_max / n, s0 = data.mu_prior_sd;
    var taus = [], logPost = [], means = [], sds = [];
    for (var k = 1; k <= n; k++) {
      var tau = k * step, sumW = 0, sumWy = 0, sumWyy = 0, logDet = 0;
      for (var i = 0; i < set.y.length; i++) {
        var variance = set.v[i] + tau * tau, w = 1 / variance;
        sumW += w; sumWy += w * set.y[i]; sumWyy += w * set.y[i] * set.y[i];
        logDet += Math.log(variance);
      }
      var precision = 1 / (s0 * s0) + sumW;
      // log N(y; 0, D + s0^2 11^T), by the matrix determinant lemma and Sherman-Morrison (prior mean 0)
      var quad = sumWyy - sumWy * sumWy / precision;
      logDet += Math.log(1 + s0 * s0 * sumW);
      taus.push(tau);
      means.push(sumWy / precision);
      sds.push(Math.sqrt(1 / precision));
      logPost.push(-0.5 * (quad + logDet) + tauLogPrior(tau, family, scale, data.turner));
    }
    var top = Math.max.apply(null, logPost), total = 0;
    var weights = logPost.map(function (value) { var w = Math.exp(value - top); total += w; return w; });
    weights = weights.map(function (w) { return w / total; });
    return { tau: taus, weights: weights, means: means, sds: sds };
  }

  function mixtureCdf(post, x, extraVariance) {
    var total = 0;
    for (var k = 0; k < post.tau.length; k++) {
      var sd = extraVariance ? Math.sqrt(post.sds[k] * post.sds[k] + post.tau[k] * post.tau[k]) : post.sds[k];
      total += post.weights[k] * normalCdf(x, post.means[k], sd);
    }
    return total;
  }

  function mixtureQuantile(post, q, extraVariance) {
    // the Illinois variant of false position, inside a bracket that holds every component's bulk:
    // about ten evaluations of the mixture instead of bisection's forty, so the dial keeps up with a slider
    var lo = Infinity, hi = -Infinity;
    for (var k = 0; k < post.tau.length; k++) {
      var sd = extraVariance ? Math.sqrt(post.sds[k] * post.sds[k] + post.tau[k] * post.tau[k]) : post.sds[k];
      lo = Math.min(lo, post.means[k] - 12 * sd);
      hi = Math.max(hi, post.means[k] + 12 * sd);
    }
    var fLo = mixtureCdf(post, lo, extraVariance) - q, fHi = mixtureCdf(post, hi, extraVariance) - q, side = 0;
    for (var iteration = 0; iteration < 200 && hi - lo > 1e-12; iteration++) {
      var x = (lo * fHi - hi * fLo) / (fHi - fLo), fx = mixtureCdf(post, x, extraVariance) - q;
      if (fx === 0) return x;
      if ((fx < 0) === (fLo < 0)) {
        lo = x; fLo = fx;
        if (side === -1) fHi /= 2;
        side = -1;
      } else {
        hi = x; fHi = fx;
        if (side === 1) fLo /= 2;
        side = 1;
      }
      if (Math.abs(fx) < 1e-13) return x;
    }
    return 0.5 * (lo + hi);
  }

  function tauQuantile(post, q) {
    // as numpy.interp over the cumulative weights
    var cumulative = 0;
    for (var k = 0; k < post.tau.length; k++) {
      var next = cumulative + post.weights[k];
      if (next >= q) {
        if (k === 0) return post.tau[0];
        return post.tau[k - 1] + (q - cumulative) / (next - cumulative) * (post.tau[k] - post.tau[k - 1]);
      }
      cumulative = next;
    }
    return post.tau[post.tau.length - 1];
  }

  function compute(data, settings) {
    var set = data.sets.filter(function (s) { return s.key === settings.set; })[0];
    var post = posterior(set, settings.family, settings.scale, data);
    return {
      rr: Math.exp(mixtureQuantile(post, 0.5, false)), rr_low: Math.exp(mixtureQuantile(post, 0.025, false)),
      rr_high: Math.exp(mixtureQuantile(post, 0.975, false)),
      tau: tauQuantile(post, 0.5), tau_low: tauQuantile(post, 0.025), tau_high: tauQuantile(post, 0.975),
      new_low: Math.exp(mixtureQuantile(post, 0.025, true)), new_high: Math.exp(mixtureQuantile(post, 0.975, true)),
      p: 1 - mixtureCdf(post, 0, false), p_new: 1 - mixtureCdf(post, 0, true),
      prior_median: tauPriorMedian(settings.family, settings.scale, data.turner)
    };
  }

  function fixed(x, decimals, language) {
    var text = x.toFixed(decimals).replace("-", "\u2212");
    return language === "nb" ? text.replace(".", ",") : text;
  }

  function probability(p, language) {
    var text = p > 0.999 ? "> 0.999" : p < 0.001 ? "< 0.001" : p.toFixed(3);
    return language === "nb" ? text.replace(".", ",") : text;
  }

  function describe(data, settings, result, language) {
    var words = data.words[language];
    var f = function (x, d) { return fixed(x, d, language); };
    return {
      prior: words.prior[settings.family].replace("{scale}", f(settings.scale, 2)).replace("{median}", f(result.prior_median, 2)),
      result: words.result.replace("{rr}", f(result.rr, 2)).replace("{rr_low}", f(result.rr_low, 2))
        .replace("{rr_high}", f(result.rr_high, 2)).replace("{tau}", f(result.tau, 2))
        .replace("{tau_low}", f(result.tau_low, 2)).replace("{tau_high}", f(result.tau_high, 2))
        .replace("{new_low}", f(result.new_low, 2)).replace("{new_high}", f(result.new_high, 2))
        .replace("{p_new}", probability(result.p_new, language)).replace("{p}", probability(result.p, language))
    };
  }

  function mount(container) {
    var data = JSON.parse(container.querySelector("script.ips-tau-dial-data").textContent);
    var language = container.dataset.language || "en";
    var state = { set: data.initial.set, family: data.initial.family, scale: data.initial.scale };
    var scale = container.querySelector(".ips-tau-dial-scale");
    var scaleOut = container.querySelector(".ips-tau-dial-scale-out");
    var scaleRow = container.querySelector(".ips-tau-dial-scale-row");
    var priorText = container.querySelector(".ips-tau-dial-prior-text");
    var live = container.querySelector(".ips-tau-dial-live");
    var pending = null;

    function update() {
      pending = null;
      var result = compute(data, state);
      var text = describe(data, state, result, language);
      scaleOut.textContent = fixed(state.scale, 2, language);
      scaleRow.hidden = state.family === "lognormal_tau2";  // Turner's prior has no scale to set
      priorText.textContent = text.prior;
      live.textContent = text.result;
    }

    function schedule() {
      if (pending === null) pending = (root.requestAnimationFrame || setTimeout)(update);
    }

    container.querySelectorAll("input[name='" + container.id + "-set']").forEach(function (radio) {
      radio.addEventListener("change", function () { state.set = radio.value; schedule(); });
    });
    container.querySelectorAll("input[name='" + container.id + "-family']").forEach(function (radio) {
      radio.addEventListener("change", function () { state.family = radio.value; schedule(); });
    });
    scale.addEventListener("input", function () { state.scale = Number(scale.value); schedule(); });
    container.hidden = false;  // shipped hidden: without JavaScript the page shows its <noscript> note
    update();
  }

  function mountAll() {
    document.querySelectorAll(".ips-tau-dial").forEach(mount);
  }

  root.IPSTauDial = { compute: compute, describe: describe };
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
    else mountAll();
  }
})(typeof globalThis !== "undefined" ? globalThis : this);
