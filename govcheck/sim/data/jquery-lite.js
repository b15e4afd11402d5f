/* The replica's stand-in for jQuery (served for any script named jquery*.js): only what the replica's list scripts
   call — $(selector).html()/.append(), $.each, $.getJSON, $.ajax({url, dataType: "json", success}) — with a
   real XMLHttpRequest, so a browser fills the lists from the JSON endpoint as on a real TRS/avalon site. */
(function (w) {
  function Q(sel) { this.els = typeof sel === "string" ? Array.prototype.slice.call(document.querySelectorAll(sel)) : [sel]; }
  Q.prototype.html = function (h) { this.els.forEach(function (e) { e.innerHTML = h; }); return this; };
  Q.prototype.append = function (h) { this.els.forEach(function (e) { e.insertAdjacentHTML("beforeend", h); }); return this; };
  function $(sel) { return new Q(sel); }
  $.each = function (arr, fn) { for (var i = 0; i < (arr || []).length; i++) { fn(i, arr[i]); } };
  $.ajax = function (o) {
    var x = new XMLHttpRequest();
    x.open((o.type || "GET").toUpperCase(), o.url, true);
    x.onload = function () { if (x.status >= 200 && x.status < 300 && o.success) { o.success(JSON.parse(x.responseText)); } };
    x.send();
  };
  $.getJSON = function (url, fn) { $.ajax({url: url, dataType: "json", success: fn}); };
  w.$ = w.jQuery = $;
})(window);
