// The typo suggestion, asked to the server (the rule lives in Python). Never blocking: the
// candidate may keep what they typed.
(function () {
  const form = document.getElementById("signup-form");
  const email = document.getElementById("id_email");
  const confirm = document.getElementById("id_email_confirm");
  const box = document.getElementById("email-suggestion");
  const text = box.querySelector("[data-suggestion-text]");
  const button = box.querySelector("[data-suggestion-button]");
  function ask() {
    if (!email.value.includes("@")) { box.classList.add("d-none"); return; }
    fetch(form.dataset.suggestUrl + "?email=" + encodeURIComponent(email.value))
      .then((r) => r.json())
      .then((data) => {
        if (data.suggestion) {
          text.textContent = data.suggestion; button.value = data.suggestion; box.classList.remove("d-none");
        } else { box.classList.add("d-none"); }
      }).catch(() => {});
  }
  email.addEventListener("change", ask);
  button.addEventListener("click", function (event) {
    event.preventDefault();
    email.value = button.value;
    if (confirm.value) confirm.value = button.value;
    box.classList.add("d-none");
    email.focus();
  });
})();
