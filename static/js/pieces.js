// Checks the type and size of each chosen file before sending, so a candidate on a slow line
// does not wait for the server's refusal. The server checks again: this only saves time.
(function () {
  "use strict";
  var TYPES = ["application/pdf", "image/jpeg", "image/png"];
  var EXTENSIONS = /\.(pdf|jpe?g|png)$/i;

  function formatSize(bytes) {
    return (bytes / (1024 * 1024)).toLocaleString("fr-FR", { maximumFractionDigits: 1 }) + " Mo";
  }

  function problems(input) {
    var max = parseInt(input.dataset.maxBytes, 10);
    var out = [];
    Array.prototype.forEach.call(input.files || [], function (file) {
      var typeOk = TYPES.indexOf(file.type) !== -1 || (!file.type && EXTENSIONS.test(file.name));
      if (!typeOk) {
        out.push("« " + file.name + " » n'est ni un PDF, ni une image JPEG ou PNG.");
      } else if (max && file.size > max) {
        out.push("« " + file.name + " » pèse " + formatSize(file.size) + " : la limite est de " + formatSize(max) + " par fichier.");
      } else if (file.size === 0) {
        out.push("« " + file.name + " » est vide.");
      }
    });
    return out;
  }

  // The error sits under the id Django ties to the input (templates/bootstrap5/field.html).
  function show(input, messages) {
    var id = input.id + "_error";
    var error = document.getElementById(id);
    if (!error && messages.length) {
      error = document.createElement("div");
      error.id = id;
      error.className = "invalid-feedback d-block";
      error.setAttribute("role", "alert");
      input.insertAdjacentElement("afterend", error);
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(id) === -1) described.push(id);
      input.setAttribute("aria-describedby", described.join(" "));
    }
    if (error) error.textContent = messages.join(" ");
    input.classList.toggle("is-invalid", messages.length > 0);
    if (messages.length) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
  }

  document.querySelectorAll("form.piece-upload").forEach(function (form) {
    var input = form.querySelector("input[type=file]");
    if (!input) return;
    input.addEventListener("change", function () { show(input, problems(input)); });
    form.addEventListener("submit", function (event) {
      var messages = problems(input);
      if (!input.files || input.files.length === 0) messages = ["Choisissez au moins un fichier."];
      if (messages.length) {
        event.preventDefault();
        show(input, messages);
        input.focus();
        return;
      }
      var button = form.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
        button.textContent = "Envoi en cours…";
      }
    });
  });
})();

// issue 12: while files are being checked by the worker, ask every few seconds and reload the page
// once none is left (the page also has a plain "Actualiser" link).
(function () {
  "use strict";
  var banner = document.getElementById("verification-en-cours");
  if (!banner || !window.fetch) return;
  var url = banner.dataset.statusUrl;
  var delay = 3000;
  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.checking === 0) {
          window.location.reload();
          return;
        }
        delay = Math.min(delay * 1.5, 30000);
        window.setTimeout(poll, delay);
      })
      .catch(function () { window.setTimeout(poll, 30000); });
  }
  window.setTimeout(poll, delay);
})();
