// The "As of" picker shows the chosen date at once (the Show button stays for keyboards and old browsers).
// A date typed digit by digit is complete once its year is (years before 1970 are partial input).
(function () {
  "use strict";
  var input = document.getElementById("as-of");
  if (!input || !input.form) { return; }
  input.addEventListener("change", function () {
    var year = parseInt((input.value || "").slice(0, 4), 10);
    if (input.value === "" || year >= 1970) { input.form.submit(); }
  });
})();
