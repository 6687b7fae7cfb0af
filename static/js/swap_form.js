// The swap request form: "Choose" on a proposal fills the colleague, the kind and (on a trade) their shift in
// return; the return fields show only for a trade and the colleague only when one is needed.
(function () {
  function form() { return document.querySelector(".swap-form"); }
  function kind(f) { var c = f.querySelector("input[name=kind]:checked"); return c ? c.value : ""; }
  function sync() {
    var f = form();
    if (!f) return;
    var k = kind(f);
    f.querySelector(".swap-return").hidden = k !== "trade";
    f.querySelector(".swap-taker").hidden = k === "posting";
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".choose-proposal");
    if (!button) return;
    var f = form();
    f.elements.taker.value = button.dataset.taker;
    var radio = f.querySelector("input[name=kind][value=" + button.dataset.kind + "]");
    if (radio) radio.checked = true;
    var back = (button.dataset.return || "").split(":");
    if (back.length >= 2) {
      f.elements.return_date.value = back[1];
      f.elements.return_session.value = back[2] || "";
    }
    document.querySelectorAll(".proposal.chosen").forEach(function (li) { li.classList.remove("chosen"); });
    button.closest(".proposal").classList.add("chosen");
    sync();
    f.elements.taker.focus();
  });
  document.addEventListener("change", function (event) { if (event.target.name === "kind") sync(); });
  document.addEventListener("DOMContentLoaded", sync);
})();
