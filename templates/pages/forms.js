// Progressive enhancement only: every form works without this file.
(function () {
  // The error summary takes the focus (autofocus does it where the browser honours it on a box).
  var summary = document.getElementById('error-summary');
  if (summary && document.activeElement !== summary) summary.focus();
  // Skill search: hide the skills that do not match what is typed (labels and synonyms).
  document.querySelectorAll('.skill-filter').forEach(function (input) {
    var picker = document.getElementById(input.dataset.picker);
    input.addEventListener('input', function () {
      var q = input.value.trim().toLowerCase();
      picker.querySelectorAll('label[data-terms]').forEach(function (label) {
        label.hidden = q !== '' && label.dataset.terms.indexOf(q) === -1;
      });
      if (q) picker.querySelectorAll('details').forEach(function (d) { d.open = true; });
    });
  });
  // Time zone: preselect the browser's own when the person has not chosen one yet.
  var tz = document.querySelector('select[name=timezone][data-guess]');
  if (tz && window.Intl) {
    var guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (guess && tz.querySelector('option[value="' + guess + '"]')) tz.value = guess;
  }
})();
