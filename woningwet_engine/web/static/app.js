// Progressive enhancement only: every page works without this file.
// After a failed check, bring the first problem into view and put the cursor on its input.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var invalid = document.querySelector(".field.invalid input, .field.invalid select");
  if (invalid) {
    invalid.focus();
    return;
  }
  var line = document.querySelector(".listing li.bad");
  if (line) {
    line.scrollIntoView({block: "center"});
  }
});
