// Polls politely (every 4 s, at most 5 minutes) and reloads once nothing is pending; the
// status region is aria-live="polite", so screen readers hear the change without losing focus.
(function () {
  var regions = document.querySelectorAll("[data-status-url]");
  var tries = 0;
  function poll() {
    tries += 1;
    if (tries > 75) return;
    Promise.all(Array.prototype.map.call(regions, function (r) {
      return fetch(r.dataset.statusUrl, {headers: {"Accept": "application/json"}}).then(function (res) { return res.json(); });
    })).then(function (answers) {
      if (answers.every(function (a) { return a.pending === 0; })) {
        regions.forEach(function (r) { r.querySelector(".js-status-text").textContent = "Votre document est prêt. Mise à jour de la page…"; });
        window.setTimeout(function () { window.location.reload(); }, 1200);
      } else {
        window.setTimeout(poll, 4000);
      }
    }).catch(function () { window.setTimeout(poll, 8000); });
  }
  window.setTimeout(poll, 3000);
})();
