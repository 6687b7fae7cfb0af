// The colour theme: "system" (follow prefers-color-scheme, the default), "light" or "dark", kept in this browser's
// localStorage. Loaded in <head> without defer so that <html data-theme> is set before the page paints (no flash);
// the header's select[data-theme-toggle] changes it. A static file: the Content-Security-Policy allows no inline script.
(function () {
  var KEY = "rs-theme";
  var root = document.documentElement;
  function stored() {
    try { return window.localStorage.getItem(KEY) || "system"; } catch (e) { return "system"; }
  }
  function apply(theme) {
    if (theme === "light" || theme === "dark") root.setAttribute("data-theme", theme);
    else root.removeAttribute("data-theme");
  }
  apply(stored());
  function wire() {
    var toggles = document.querySelectorAll("select[data-theme-toggle]");
    for (var i = 0; i < toggles.length; i++) toggles[i].value = stored();
  }
  document.addEventListener("change", function (event) {
    var select = event.target.closest && event.target.closest("select[data-theme-toggle]");
    if (!select) return;
    var theme = select.value === "light" || select.value === "dark" ? select.value : "system";
    try {
      if (theme === "system") window.localStorage.removeItem(KEY);
      else window.localStorage.setItem(KEY, theme);
    } catch (e) { /* storage refused (private mode): the choice lasts for this page only */ }
    apply(theme);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
