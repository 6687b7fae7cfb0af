/* Requests made offline: a form marked data-offline-queue (the absence request, the swap request), submitted
   without a network, is kept on the device (IndexedDB) with an Idempotency-Key made once, and the page says
   "Queued, will be sent when you are back online". Back online (and on every page load online) each kept
   request is sent to the API with its key: a retry after a lost answer is replayed by the server, never made
   twice, and a request is removed from the queue only once the server answered it. */
(function () {
  "use strict";
  var DB = "rs-offline";
  var STORE = "queue";
  var sentNow = [];

  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB, 1);
      request.onupgradeneeded = function () { request.result.createObjectStore(STORE, { keyPath: "key" }); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function run(mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && "result" in result ? result.result : result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }
  function all() { return run("readonly", function (store) { return store.getAll(); }); }
  function put(item) { return run("readwrite", function (store) { store.put(item); }); }
  function remove(key) { return run("readwrite", function (store) { store.delete(key); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2);
  }
  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  // --- What a form asks, as the API's JSON body ---
  function fields(form) {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string" && value.trim() !== "") data[name] = value.trim();
    });
    return data;
  }
  function leg(giver, taker, code, back) {
    var parts = code.split(":");
    var shift = { giver: Number(giver), taker: taker ? Number(taker) : null, shift: parts[0], date: parts[1] };
    if (parts[0] === "session") shift.session = parts[2];
    if (parts[0] === "block") shift.block = Number(parts[2]);
    if (back) {
      shift.date = back.date;
      shift.session = parts[0] === "session" ? back.session || "" : "";
    }
    return shift;
  }
  var BODIES = {
    absence: function (form) {
      var data = fields(form);
      var label = form.querySelector("[name=kind] option:checked");
      var when = data.start_date === data.end_date ? data.start_date : data.start_date + " – " + data.end_date;
      return { body: data, label: "Absence: " + (label ? label.textContent : data.kind) + ", " + when };
    },
    swap: function (form) {
      var data = fields(form);
      var legs = [leg(data.giver, data.kind === "posting" ? null : data.taker, data.shift || "")];
      if (data.kind === "trade" && data.return_date) {
        legs.push(leg(data.taker, data.giver, data.shift, { date: data.return_date, session: data.return_session }));
      }
      var shift = form.querySelector("[name=shift] option:checked");
      return {
        body: { kind: data.kind, reason: data.reason || "", submit: true, legs: legs },
        label: "Swap: " + (shift ? shift.textContent : data.shift),
      };
    },
  };

  // --- The queue on the page ---
  var STATES = {
    queued: "Queued, will be sent when you are back online.",
    sending: "Sending…",
    signin: "Not sent: sign in again, then it is sent.",
    refused: "Not sent, the server refused it: ",
  };
  function banner() {
    var box = document.getElementById("offline-queue");
    if (!box) {
      box = document.createElement("section");
      box.id = "offline-queue";
      box.className = "card offline-queue";
      box.setAttribute("role", "status");
      box.setAttribute("aria-live", "polite");
      var main = document.querySelector("main") || document.body;
      main.insertBefore(box, main.firstChild);
    }
    return box;
  }
  function show() {
    if (!window.indexedDB) return Promise.resolve();
    return all().then(function (items) {
      var box = document.getElementById("offline-queue");
      if (!items.length && !sentNow.length) {
        if (box) box.remove();
        return;
      }
      box = banner();
      box.replaceChildren();
      var title = document.createElement("h2");
      title.textContent = "Requests made offline";
      box.appendChild(title);
      var list = document.createElement("ul");
      items.sort(function (a, b) { return a.created.localeCompare(b.created); }).forEach(function (item) {
        var li = document.createElement("li");
        li.className = "queued-" + item.state;
        li.textContent = item.label + " · " + STATES[item.state] + (item.state === "refused" ? item.error : "");
        if (item.state === "refused") {
          var drop = document.createElement("button");
          drop.type = "button";
          drop.className = "link";
          drop.textContent = "Remove";
          drop.addEventListener("click", function () { remove(item.key).then(show); });
          li.appendChild(document.createTextNode(" "));
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      sentNow.forEach(function (label) {
        var li = document.createElement("li");
        li.className = "queued-sent";
        li.textContent = label + " · Sent.";
        list.appendChild(li);
      });
      box.appendChild(list);
    });
  }

  // --- Sending, one page at a time (a Web Lock keeps two tabs from sending at once) ---
  function sendOne(item) {
    item.state = "sending";
    return put(item).then(show).then(function () {
      return fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "Idempotency-Key": item.key,
          "X-CSRFToken": csrfToken(),
          "X-Organization-ID": String(item.program),
        },
        body: JSON.stringify(item.body),
      });
    }).then(function (response) {
      if (response.ok) {
        sentNow.push(item.label);
        return remove(item.key);
      }
      return response.json().catch(function () { return {}; }).then(function (problem) {
        if (response.status === 409 && problem.code === "idempotency_request_in_progress") item.state = "queued";
        else if (response.status === 401 || response.status === 403) item.state = "signin";
        else {
          item.state = "refused";
          item.error = problem.detail || "error " + response.status;
          if (problem.errors) item.error += " " + JSON.stringify(problem.errors);
        }
        return put(item);
      });
    }, function () {
      item.state = "queued"; // no answer: the same key is sent again later
      return put(item);
    });
  }
  function flush() {
    if (!window.indexedDB || !navigator.onLine) return show();
    var work = function () {
      return all().then(function (items) {
        var due = items.filter(function (item) { return item.state !== "refused"; });
        return due.reduce(function (done, item) { return done.then(function () { return sendOne(item); }); },
          Promise.resolve());
      });
    };
    var locked = navigator.locks ? navigator.locks.request("rs-offline-queue", work) : work();
    return locked.then(show, show);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = form.getAttribute("data-offline-queue");
    if (!kind || navigator.onLine || !window.indexedDB || !BODIES[kind]) return;
    event.preventDefault();
    var made = BODIES[kind](form);
    var item = {
      key: newKey(),
      kind: kind,
      url: form.getAttribute("data-offline-api"),
      program: form.getAttribute("data-program"),
      body: made.body,
      label: made.label,
      state: "queued",
      error: "",
      created: new Date().toISOString(),
    };
    put(item).then(function () {
      form.reset();
      return show();
    }).then(function () { banner().scrollIntoView({ block: "nearest" }); });
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", show);
  document.addEventListener("DOMContentLoaded", flush);
})();
