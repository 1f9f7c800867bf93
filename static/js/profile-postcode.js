// Shows the département derived from the postcode as it is typed (the server decides on save).
(function () {
  const input = document.getElementById("id_postcode");
  const out = document.getElementById("departement-display");
  const country = document.getElementById("id_country");
  input.addEventListener("input", function () {
    const value = input.value.replace(/\s/g, "");
    if (value.length !== 5 || (country && country.value !== "FR")) { out.textContent = ""; return; }
    fetch(out.dataset.url + "?postcode=" + encodeURIComponent(value)).then((r) => r.json()).then((data) => {
      out.textContent = data.departement ? "Département : " + data.departement : "Ce code postal ne correspond à aucun département.";
    }).catch(() => {});
  });
})();
