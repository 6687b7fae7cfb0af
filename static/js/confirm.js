// Forms marked data-confirm ask in a dialog before they post, and then tell the server it was confirmed.
// Without JavaScript the server answers an unconfirmed post with a confirmation page instead.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (!question) return;
  if (!window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.elements.confirmed) form.elements.confirmed.value = "yes";
});
