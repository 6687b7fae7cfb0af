// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy needs no inline script:
// the main menu folds on a phone; a select marked data-autosubmit sends its form when changed; a read-only
// input marked data-select-on-click is selected whole; a button marked data-copy copies the input before it;
// a button marked data-print prints the page.
(function () {
  function foldMenu() {
    var menu = document.getElementById("main-menu");
    if (menu && window.matchMedia("(max-width: 700px)").matches) menu.open = false;
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", foldMenu);
  else foldMenu();

  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-autosubmit]");
    if (select && select.form) select.form.submit();
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target.matches("input[data-select-on-click]")) target.select();
    var copy = target.closest("button[data-copy]");
    if (copy && navigator.clipboard) {
      navigator.clipboard.writeText(copy.previousElementSibling.value).then(function () { copy.textContent = "Copied"; });
    }
    if (target.closest("button[data-print]")) window.print();
  });
})();
