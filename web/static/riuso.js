// riuso: small enhancements; every page works without this file.
// On the search page, ticking a facet or changing the sort runs the search at once.
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search-form");
  if (!form) return;
  form.addEventListener("change", (event) => {
    const target = event.target;
    if (target.matches("input[type=checkbox]:not([form]), select")) {
      form.requestSubmit();
    }
  });
});
