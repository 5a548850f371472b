// The header search (cep.search): with the script, Enter opens the first result; without it,
// the form opens the page of every result.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("recherche-entete");
  var first = document.getElementById("recherche-entete-premier");
  if (form && first) {
    form.addEventListener("submit", function () {
      first.value = "1";
    });
  }
});
