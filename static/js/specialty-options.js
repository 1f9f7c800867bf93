// Tab 5: the Option list shows the options of the specialty chosen in the list above it, as the
// server does once the specialty is known (issue 18 item 4). The server checks again on save.
(function () {
  "use strict";
  var specialty = document.getElementById("id_specialty");
  var option = document.getElementById("id_option");
  if (!specialty || !option || !option.dataset.optionsBySpecialty) return;
  var bySpecialty = JSON.parse(option.dataset.optionsBySpecialty);
  function fill() {
    var current = option.value;
    var list = bySpecialty[specialty.value] || [];
    option.textContent = "";
    var empty = document.createElement("option");
    empty.value = "";
    empty.textContent = list.length ? "---------" : "Pas d'option pour cette spécialité";
    option.appendChild(empty);
    list.forEach(function (pair) {
      var item = document.createElement("option");
      item.value = String(pair[0]);
      item.textContent = pair[1];
      item.selected = item.value === current;
      option.appendChild(item);
    });
  }
  specialty.addEventListener("change", fill);
  if (specialty.value) fill();
})();
