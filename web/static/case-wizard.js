// The evaluation form of a reuse case: S_TCO and S_tempi against T_bilancio and T_tempi,
// computed as the user types. The server computes and shows the same on every submit; this
// only spares a round trip.
(function () {
  "use strict";
  var form = document.getElementById("evaluate-form");
  var out = document.getElementById("live-guards");
  if (!form || !out) return;
  var budget = Number(form.getAttribute("data-budget")) || 0;
  var days = Number(form.getAttribute("data-days")) || 0;
  var number = function (v) {
    var digits = String(v || "").replace(/[€.,\s'_]/g, "");
    return /^\d+$/.test(digits) ? Number(digits) : 0;
  };
  var update = function () {
    var sTco = 0;
    form.querySelectorAll(".tco-item").forEach(function (i) { sTco += number(i.value); });
    var sTempi = number((form.querySelector("[name=days]") || {}).value);
    var ok = out.getAttribute("data-label-ok");
    var ko = out.getAttribute("data-label-ko");
    out.textContent =
      "S_TCO " + sTco + " < T_bilancio " + budget + ": " + (sTco < budget ? ok : ko) +
      " · S_tempi " + sTempi + " < T_tempi " + days + ": " + (sTempi < days ? ok : ko);
    out.hidden = false;
  };
  form.addEventListener("input", update);
  update();
})();
