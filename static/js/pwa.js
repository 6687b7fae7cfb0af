/* Registers the service worker (the installable, offline app); its address is on this script's tag. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!("serviceWorker" in navigator) || !script) return;
  var url = script.getAttribute("data-service-worker");
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function (error) {
      console.warn("Service worker not registered:", error);
    });
  });
})();
