/* Small enhancements for the zhengshu pages. Every page works without this file. */
(function () {
  "use strict";

  // A form marked data-submit-once is sent once: a double click or a second Enter does nothing.
  // Buttons are not disabled, so the value of the button that was pressed is still sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) {
      return;
    }
    if (form.dataset.submitting) {
      event.preventDefault();
      return;
    }
    form.dataset.submitting = "1";
  });

  // A page restored from the back/forward cache may be submitted again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
    });
  });

  // Ctrl+Enter (⌘+Enter on a Mac) in a text area submits its form, as Enter does in a text field.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        target instanceof HTMLTextAreaElement && target.form) {
      event.preventDefault();
      target.form.requestSubmit();
    }
  });
})();
