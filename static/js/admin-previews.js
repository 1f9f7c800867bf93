// The gestionnaire's dossier page (issue 18): a PDF piece opens in its reserved box on demand,
// instead of one PDF viewer per piece loading with the page (they held it for seconds). The
// link opens the PDF in a tab where this script does not run.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-pdf-preview] a");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    var box = link.closest("[data-pdf-preview]");
    event.preventDefault();
    var frame = document.createElement("iframe");
    frame.className = "preview-box";
    frame.src = box.dataset.pdfPreview;
    frame.title = box.dataset.pdfTitle;
    frame.width = 560;
    frame.height = 420;
    box.replaceWith(frame);
    frame.focus(); // the link that had the focus is gone
  });
})();
