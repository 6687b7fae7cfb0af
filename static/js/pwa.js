/* The installable app: registers the service worker (its address is on this script's tag), asks it to keep the
   signed-in user's offline data fresh (data-offline-data), drops that data and the offline queue at sign-out
   and on signed-out pages, and offers "Install app" where the page has the button (the dashboard). */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var url = script.getAttribute("data-service-worker");
  var keepData = script.hasAttribute("data-offline-data");
  var signedOut = script.hasAttribute("data-signed-out");
  var logoutUrl = script.getAttribute("data-logout");
  var QUEUE_DB = "rs-offline";

  function tell(message) {
    if (!("serviceWorker" in navigator)) return Promise.resolve();
    return navigator.serviceWorker.ready.then(function (registration) {
      if (registration.active) registration.active.postMessage(message);
    });
  }

  function dropEverything() {
    var work = [];
    if (window.caches) work.push(caches.delete("user-data"));
    if (window.indexedDB) {
      work.push(new Promise(function (resolve) {
        var request = indexedDB.deleteDatabase(QUEUE_DB);
        request.onsuccess = request.onerror = request.onblocked = function () { resolve(); };
      }));
    }
    return Promise.all(work).catch(function () { return null; });
  }

  if ("serviceWorker" in navigator && url) {
    window.addEventListener("load", function () {
      navigator.serviceWorker.register(url, { scope: "/" }).catch(function (error) {
        console.warn("Service worker not registered:", error);
      });
      if (keepData && navigator.onLine) tell({ type: "refresh-offline-data" });
    });
  }
  if (signedOut) dropEverything();

  // Sign-out: the user's kept data and queued requests go before the form is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!logoutUrl || form.getAttribute("action") !== logoutUrl || form.dataset.cleared) return;
    event.preventDefault();
    tell({ type: "drop-offline-data" });
    dropEverything().then(function () {
      form.dataset.cleared = "1";
      form.submit();
    });
  });

  // "Install app": the browser's prompt, kept until the button is pressed.
  var deferred = null;
  window.addEventListener("beforeinstallprompt", function (event) {
    var button = document.getElementById("install-app");
    if (!button) return;
    event.preventDefault();
    deferred = event;
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("#install-app");
    if (!button || !deferred) return;
    deferred.prompt();
    deferred.userChoice.finally(function () {
      deferred = null;
      button.hidden = true;
    });
  });
  window.addEventListener("appinstalled", function () {
    var box = document.getElementById("install-app-box");
    if (box) box.hidden = true;
  });
})();
