// riuso: small enhancements; every page works without this file.
// On the search page, the compare bar says how many solutions are ticked (a polite live
// region), so the reader knows when two to four are chosen. Nothing submits by itself: a form
// changes the page only when its button is pressed (WCAG 3.2.2).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const status = document.getElementById("compare-count");
  if (!status) return;
  const boxes = () => document.querySelectorAll('input[name="id"][form="compare-form"]');
  const update = () => {
    const n = Array.from(boxes()).filter((b) => b.checked).length;
    status.textContent = (status.dataset.template || "{n}").replace("{n}", String(n));
  };
  document.addEventListener("change", (event) => {
    if (event.target.matches('input[name="id"][form="compare-form"]')) update();
  });
  update();
});

// On a wide screen the search filters sit open beside the results; on a phone they stay closed
// behind their "Filters (n)" disclosure, so the results come first.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.getElementById("filters");
  if (filters && window.matchMedia("(min-width: 992px)").matches) filters.open = true;
});
