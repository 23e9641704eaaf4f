// kith: search as you type on the people page. Without this script the form
// still works (it is an ordinary GET form); with it, each pause in typing or
// change of a filter fetches the same page and swaps in its results.
(function () {
  "use strict";
  var form = document.getElementById("people-search");
  var results = document.getElementById("people-results");
  if (!form || !results || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var latest = 0;

  function query() {
    var params = new URLSearchParams(new FormData(form));
    return "/people?" + params.toString();
  }

  function refresh() {
    var url = query();
    var ticket = ++latest;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        if (ticket !== latest) return; // an answer to an older query
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("people-results");
        if (!fresh) return;
        results.innerHTML = fresh.innerHTML;
        history.replaceState(null, "", url);
      })
      .catch(function () {
        // Leave the current results; submitting the form still works.
      });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 150);
  }

  form.addEventListener("input", soon);
  form.addEventListener("change", soon);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(timer);
    refresh();
  });
})();
