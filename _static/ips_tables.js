// Tables of ipscompendium.tables: where a table is wider than its box (a phone), say so above it.
// The shadows at the box's edges (ips.css) show the same without script.
(function () {
  "use strict";
  // A first-time reader has no stored colour mode; the theme then reads an empty one and logs an
  // error ("Got invalid theme mode"). Its own default is "auto": say so before it looks.
  if (!document.documentElement.dataset.mode) document.documentElement.dataset.mode = "auto";
  function mark() {
    document.querySelectorAll(".ips-table-wrapper").forEach(function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("ips-scrolls", scrolls);
      var cue = box.previousElementSibling;
      var hasCue = cue && cue.classList.contains("ips-scroll-cue");
      if (scrolls && !hasCue) {
        cue = document.createElement("p");
        cue.className = "ips-scroll-cue";
        cue.setAttribute("aria-hidden", "true");
        cue.textContent = "Swipe the table sideways for more columns \u2192";
        box.parentNode.insertBefore(cue, box);
      } else if (!scrolls && hasCue) {
        cue.remove();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", mark);
  window.addEventListener("resize", mark);
  // a folded table is measured when it is opened
  document.addEventListener("toggle", mark, true);
})();
