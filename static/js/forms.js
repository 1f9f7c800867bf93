// After a refused POST, the error summary at the top of the form takes the focus, so a screen
// reader announces what failed and a phone scrolls to it (RGAA 11.10). No inline script: the
// pages run under a Content-Security-Policy without 'unsafe-inline'. Scrolls are instant:
// Bootstrap makes the page's scrolling smooth, and an animation cut short by the page's own
// loading left the summary or the answer off the screen.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    // A page that answers a form with results below it (the simulator) brings them into view,
    // or a phone shows the form again and the answer 1,500 px down (issue 18 item 4).
    var results = document.querySelector("[data-results-heading]");
    if (results) {
      results.focus();
      results.scrollIntoView({ block: "start", behavior: "instant" });
    }
    return;
  }
  // The browser may restore the scroll position of the page the form was posted from once the
  // page has loaded; the summary's position wins.
  if ("scrollRestoration" in window.history) window.history.scrollRestoration = "manual";
  summary.focus();
  summary.scrollIntoView({ block: "start", behavior: "instant" });
  function again() {
    if (document.activeElement === summary) summary.scrollIntoView({ block: "start", behavior: "instant" });
  }
  window.addEventListener("load", function () { again(); window.setTimeout(again, 0); });
  // A link of the summary focuses its field (the browser only scrolls to an anchor).
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    if (!link) return;
    var target = document.getElementById(link.getAttribute("href").slice(1));
    if (target) {
      event.preventDefault();
      target.focus();
      target.scrollIntoView({ block: "center", behavior: "instant" });
    }
  });
})();
