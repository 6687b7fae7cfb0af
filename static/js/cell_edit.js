// Editing a cell in place: on the block grid and the month and week views a manager's click on a cell opens its
// edit form in the page's cell editor (htmx asks for the form alone) instead of following the link, which without
// JavaScript opens the edit page. Ctrl/Cmd/Shift-click still opens the page.
document.addEventListener("click", function (event) {
  var closer = event.target.closest("[data-editor-close]");
  var editor = document.getElementById("cell-editor");
  if (closer && editor) {
    editor.replaceChildren();
    return;
  }
  var link = event.target.closest("a.cell-link");
  if (!link || !editor || !window.htmx) return;
  if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  htmx.ajax("GET", link.getAttribute("href"), { target: editor, swap: "innerHTML" });
});

// htmx leaves 4xx answers out of the page; the cell editor's are messages for the person (bad input, a version
// archived meanwhile, a rule that refuses the change), so show them where the form was.
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  var target = event.detail.target;
  if (status >= 400 && status < 500 && target && target.closest && target.closest("#cell-editor, #edit-cell")) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
