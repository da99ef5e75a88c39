// riuso: small enhancements; every page works without this file.
// On the search page, the compare bar says how many solutions are ticked (a polite live
// region), so the reader knows when two to four are chosen; a tick past the most the comparison
// takes (data-max) is undone at once, and the bar says why, before any request is made. Nothing
// submits by itself: a form changes the page only when its button is pressed (WCAG 3.2.2).
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("compare-form");
  if (!form) return;
  const status = document.getElementById("compare-count");
  if (!status) return;
  const boxes = () => document.querySelectorAll('input[name="id"][form="compare-form"]');
  const max = Number(status.dataset.max || "0");
  const ticked = () => Array.from(boxes()).filter((b) => b.checked).length;
  const update = (refused) => {
    const n = ticked();
    status.textContent = (status.dataset.template || "{n}").replace("{n}", String(n));
    if (refused) {
      status.textContent += " " + (status.dataset.limit || "").replace("{max}", String(max));
      status.classList.add("compare-limit");
    } else {
      status.classList.remove("compare-limit");
    }
  };
  document.addEventListener("change", (event) => {
    const box = event.target;
    if (!box.matches('input[name="id"][form="compare-form"]')) return;
    const refused = max > 0 && box.checked && ticked() > max;
    if (refused) box.checked = false;
    update(refused);
  });
  form.addEventListener("submit", (event) => {
    if (max > 0 && ticked() > max) {
      event.preventDefault();
      update(true);
    }
  });
  update(false);
});

// On a wide screen the search filters sit open beside the results; on a phone they stay closed
// behind their "Filters (n)" disclosure, so the results come first.
document.addEventListener("DOMContentLoaded", () => {
  const filters = document.getElementById("filters");
  if (filters && window.matchMedia("(min-width: 992px)").matches) filters.open = true;
});
