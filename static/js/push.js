/* Push on this device (notification preferences page): asks the browser's permission, subscribes with the
   server's VAPID public key and stores the subscription (POST, CSRF); "Turn off" unsubscribes and forgets it. */
(function () {
  "use strict";
  var box = document.getElementById("push-controls");
  if (!box) return;
  var enable = document.getElementById("push-enable");
  var disable = document.getElementById("push-disable");
  var status = document.getElementById("push-status");

  function say(text) {
    status.textContent = text;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    say("This browser cannot receive push notifications.");
    return;
  }

  function applicationServerKey(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    var raw = window.atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes;
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": box.getAttribute("data-csrf-token") },
      body: JSON.stringify(data),
    }).then(function (response) {
      return response.json().then(function (body) {
        if (!response.ok) throw new Error(body.detail || "The server refused (" + response.status + ").");
        return body;
      });
    });
  }

  function registration() {
    var url = box.getAttribute("data-service-worker");
    return navigator.serviceWorker.register(url, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    });
  }

  function turnOn() {
    enable.disabled = true;
    say("Asking your browser…");
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") throw new Error("Notifications are blocked for this site in your browser.");
        return registration();
      })
      .then(function (reg) {
        return reg.pushManager.getSubscription().then(function (existing) {
          return (
            existing ||
            reg.pushManager.subscribe({
              userVisibleOnly: true,
              applicationServerKey: applicationServerKey(box.getAttribute("data-vapid-public-key")),
            })
          );
        });
      })
      .then(function (subscription) {
        return post(box.getAttribute("data-subscribe-url"), subscription.toJSON());
      })
      .then(function (saved) {
        say("Push is on for " + saved.device + ".");
        window.location.reload();
      })
      .catch(function (error) {
        enable.disabled = false;
        say("Push could not be turned on: " + error.message);
      });
  }

  function turnOff() {
    disable.disabled = true;
    registration()
      .then(function (reg) {
        return reg.pushManager.getSubscription();
      })
      .then(function (subscription) {
        if (!subscription) return null;
        var endpoint = subscription.endpoint;
        return subscription.unsubscribe().then(function () {
          return post(box.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
        });
      })
      .then(function () {
        window.location.reload();
      })
      .catch(function (error) {
        disable.disabled = false;
        say("Push could not be turned off: " + error.message);
      });
  }

  enable.addEventListener("click", turnOn);
  disable.addEventListener("click", turnOff);
  if (Notification.permission === "denied") {
    say("Notifications are blocked for this site; allow them in your browser's site settings to use push.");
    return;
  }
  enable.hidden = false;
  navigator.serviceWorker.getRegistration("/").then(function (reg) {
    if (!reg) return;
    reg.pushManager.getSubscription().then(function (subscription) {
      if (subscription) disable.hidden = false;
    });
  });
})();
