/* The offline page: draws the user's kept document (/api/v1/me/offline/, through the service worker) into the
   page's empty shell. Read from the device (no network), it says "Offline, as of <time>". Text only: nothing
   from the data is parsed as HTML. */
(function () {
  "use strict";
  var script = document.currentScript;
  var dataUrl = script && script.getAttribute("data-offline-data");
  var DAYS_SHOWN = 14;

  function day(iso) {
    var parts = iso.split("-");
    return new Date(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
  }
  function dayText(iso) {
    return day(iso).toLocaleDateString("en-GB", { weekday: "short", day: "numeric", month: "short" });
  }
  function timeText(value) {
    return new Date(value).toLocaleString("en-GB", {
      day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    });
  }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = text;
    if (className) node.className = className;
    return node;
  }
  function fill(id, items, empty) {
    var list = document.getElementById(id);
    list.replaceChildren();
    items.forEach(function (item) { list.appendChild(item); });
    if (!items.length) list.appendChild(el("li", empty, "muted"));
  }
  function half(cell, value) {
    if (!value) {
      cell.appendChild(el("span", "—", "muted"));
      return;
    }
    var swatch = el("span", value.code, "swatch");
    swatch.style.background = value.colour;
    cell.appendChild(swatch);
    cell.appendChild(document.createTextNode(" " + value.label));
    if (value.detail) cell.appendChild(el("span", " · " + value.detail, "muted"));
  }
  function drawDays(days) {
    var body = document.getElementById("offline-days");
    body.replaceChildren();
    days.slice(0, DAYS_SHOWN).forEach(function (d) {
      var row = el("tr");
      var head = el("th", dayText(d.date), "nowrap");
      head.scope = "row";
      if (d.special) head.appendChild(el("span", " · " + d.special, "muted"));
      row.appendChild(head);
      [d.am, d.pm].forEach(function (value) {
        var cell = el("td");
        if (!d.published) cell.appendChild(el("span", "not published", "muted"));
        else half(cell, value);
        row.appendChild(cell);
      });
      body.appendChild(row);
    });
    if (!days.length) {
      var row = el("tr");
      var cell = el("td", "Your login is not linked to a person of this program.", "muted");
      cell.colSpan = 3;
      row.appendChild(cell);
      body.appendChild(row);
    }
  }
  function cover(c) {
    var who = c.name + (c.pgy ? " (PGY-" + c.pgy + ")" : "");
    var contacts = [c.phone, c.pager && "pager " + c.pager].filter(Boolean).join(" · ");
    return el("li", who + " · " + c.duty + ", " + c.times + (contacts ? " · " + contacts : ""));
  }
  function draw(data, savedAt) {
    var status = document.getElementById("offline-status");
    status.textContent = savedAt
      ? "Offline, as of " + timeText(savedAt) + "."
      : "Up to date, as of " + timeText(data.generated_at) + ".";
    status.classList.toggle("offline", Boolean(savedAt));
    document.documentElement.classList.toggle("is-offline", Boolean(savedAt));
    if (data.person) document.querySelector("h1").textContent = "My schedule · " + data.person.name;
    drawDays(data.days);
    fill("offline-calls", data.calls.map(function (c) {
      return el("li", dayText(c.start.slice(0, 10)) + " · " + c.label + ", " + c.start.slice(11, 16) + " – " +
        dayText(c.end.slice(0, 10)) + " " + c.end.slice(11, 16));
    }), "No calls.");
    var onCall = data.on_call_today;
    document.getElementById("offline-on-call-section").hidden = !onCall;
    if (onCall) {
      fill("offline-on-call", onCall.published ? onCall.residents.concat(onCall.faculty).map(cover) : [],
        onCall.published ? "Nobody is on call today." : "No published schedule holds today.");
    }
    fill("offline-absences", data.absences.map(function (a) {
      var when = a.start_date === a.end_date ? dayText(a.start_date) : dayText(a.start_date) + " – " + dayText(a.end_date);
      return el("li", a.kind_label + ", " + when + (a.half_day ? " " + a.half_day : "") + " · " + a.status_label);
    }), "No absences from today on.");
    fill("offline-swaps", data.swaps.map(function (s) {
      var legs = s.legs.map(function (l) {
        return l.shift_label + " " + dayText(l.date) + (l.session ? " " + l.session : "") + ": " + l.giver_name +
          " → " + (l.taker_name || "whoever takes it");
      }).join("; ");
      return el("li", s.kind_label + " · " + s.status_label + " · " + legs);
    }), "No swaps from today on.");
  }
  function load() {
    var status = document.getElementById("offline-status");
    fetch(dataUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 401 || response.status === 403) throw new Error("Sign in to see your schedule.");
        if (!response.ok) {
          throw new Error("You are offline and nothing of your schedule is kept on this device yet.");
        }
        var savedAt = response.headers.get("X-Offline-Saved-At");
        return response.json().then(function (data) { draw(data, savedAt); });
      })
      .catch(function (error) {
        status.textContent = error.message || "Your schedule cannot be read now.";
      });
  }
  if (!dataUrl) return;
  document.addEventListener("DOMContentLoaded", load);
  window.addEventListener("online", load);
})();
