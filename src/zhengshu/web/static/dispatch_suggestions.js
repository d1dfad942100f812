/* "采用" on a classification suggestion fills the dispatch form in place; without scripts the link
   reloads the page with the department prefilled. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-prefill-dispatch]") : null;
    var department = document.getElementById("dispatch-department");
    if (!link || !department) {
      return;
    }
    event.preventDefault();
    department.value = link.dataset.department;
    var category = document.getElementById("dispatch-category");
    if (category && link.dataset.category) {
      category.value = link.dataset.category;
    }
    department.focus();
  });
})();
