// exportscreen console: the only script. Rewrites every <time datetime>
// in the browser's local time zone (the server renders UTC), and asks for
// confirmation before a bulk "not a match". No inline script anywhere
// (the Content-Security-Policy forbids it).
"use strict";
(function () {
  function localise() {
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(undefined, {
        year: "numeric", month: "short", day: "numeric",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      });
    } catch (e) {
      return;
    }
    var times = document.querySelectorAll("time[datetime]");
    for (var i = 0; i < times.length; i++) {
      var t = times[i];
      var d = new Date(t.getAttribute("datetime"));
      if (!isNaN(d.getTime())) {
        t.title = t.textContent;
        t.textContent = fmt.format(d);
      }
    }
  }
  function confirmBulk() {
    var forms = document.querySelectorAll("form.mark-form");
    for (var i = 0; i < forms.length; i++) {
      forms[i].addEventListener("submit", function (ev) {
        var bulk = ev.target.querySelector("input[name=close_others]");
        var nam = ev.target.querySelector("input[name=verdict][value=NOT_A_MATCH]");
        if (bulk && bulk.checked && nam && !nam.checked) {
          ev.preventDefault();
          alert("Bulk closing applies to a \u201cnot a match\u201d only.");
        }
      });
    }
  }
  document.addEventListener("DOMContentLoaded", function () {
    localise();
    confirmBulk();
  });
})();
