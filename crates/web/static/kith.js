// kith: small enhancements for every page. Each page works without them.
// - "/" focuses the search box in the bar (unless typing in a field);
// - the bar marks the link of the page you are on;
// - fields with data-suggest="people|organizations|tags" offer matches as
//   you type, from /suggest, in a <datalist>;
// - buttons with data-copy="ID" copy that field's text.
(function () {
  "use strict";

  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
    var t = event.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var box = document.getElementById("site-q");
    if (!box) return;
    event.preventDefault();
    box.focus();
  });

  var here = location.pathname;
  document.querySelectorAll("nav.main a, details.menu nav a").forEach(function (a) {
    var path = a.getAttribute("href");
    if (path === here || (path !== "/" && here.indexOf(path + "/") === 0)) {
      a.setAttribute("aria-current", "page");
    }
  });

  document.querySelectorAll("input[data-suggest]").forEach(function (input, n) {
    if (!window.fetch) return;
    var list = document.createElement("datalist");
    list.id = "suggest-" + n;
    input.setAttribute("list", list.id);
    input.setAttribute("autocomplete", "off");
    input.after(list);
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (q.length < 2) return;
      timer = setTimeout(function () {
        var ticket = ++latest;
        var url = "/suggest?kind=" + encodeURIComponent(input.dataset.suggest) + "&q=" + encodeURIComponent(q);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (names) {
            if (ticket !== latest) return;
            list.replaceChildren.apply(list, names.map(function (name) {
              var option = document.createElement("option");
              option.value = name;
              return option;
            }));
          })
          .catch(function () {});
      }, 150);
    });
  });

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var field = document.getElementById(button.dataset.copy);
      if (!field) return;
      field.select();
      var done = function () { button.textContent = "Copied"; };
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(done, function () {});
      else if (document.execCommand("copy")) done();
    });
  });
})();
