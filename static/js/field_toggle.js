// Forms whose fields depend on a choice (all fields show without JavaScript):
// - a wish shows the week fields for a "..._week" kind, else the rotation and block fields;
// - an absence shows the military fields (orders, location, dates) only for the kinds listed in the
//   JSON script #military-kinds.
// Runs on load and after htmx swaps a form in, and whenever the kind changes.
(function () {
  function show(selector, visible) {
    document.querySelectorAll(selector).forEach(function (p) { p.hidden = !visible; });
  }
  function sync() {
    var select = document.getElementById("id_kind");
    if (!select) return;
    if (document.querySelector(".wish-field")) {
      var week = select.value.slice(-5) === "_week";
      show(".wish-week-field", week);
      show(".wish-rotation-field", !week);
    }
    var military = document.getElementById("military-kinds");
    if (military) show(".military-field", JSON.parse(military.textContent).indexOf(select.value) !== -1);
  }
  document.addEventListener("change", function (event) { if (event.target.id === "id_kind") sync(); });
  document.addEventListener("htmx:afterSwap", sync);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", sync);
  else sync();
})();
