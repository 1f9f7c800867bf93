// "Aller au contenu" moves the focus to the main region without writing "#contenu" into the
// address: a fragment stays through the next form's redirect and ends up in every later URL
// (issue 18 item 7). Without JavaScript the link still works as a plain anchor.
(function () {
  "use strict";
  var link = document.querySelector("a.skip-link[href='#contenu']");
  var main = document.getElementById("contenu");
  if (!link || !main) return;
  link.addEventListener("click", function (event) {
    event.preventDefault();
    main.focus({ preventScroll: true });
    main.scrollIntoView({ block: "start", behavior: "instant" });
  });
})();
