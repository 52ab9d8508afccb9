// What the pages do in the browser, in a file of its own: the Content-Security-Policy runs no inline script.
document.addEventListener("change", function (event) {
  if (event.target.matches("[data-submit-on-change]")) {
    event.target.form.submit();
  }
});
document.addEventListener("click", function (event) {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
// A form marked data-submit-once is sent once, however often its button is pressed (an import runs for
// seconds); its button says what is happening. Back on the page from the history, it may be sent again.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-submit-once]")) {
    return;
  }
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "true";
  form.setAttribute("aria-busy", "true");
  var button = form.querySelector("[type=submit][data-busy-text]");
  if (button) {
    button.dataset.idleText = button.textContent;
    button.textContent = button.dataset.busyText;
  }
});
window.addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-submit-once][data-sent]").forEach(function (form) {
    delete form.dataset.sent;
    form.removeAttribute("aria-busy");
    var button = form.querySelector("[type=submit][data-idle-text]");
    if (button) {
      button.textContent = button.dataset.idleText;
    }
  });
});
