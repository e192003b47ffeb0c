// Keyboard for the inbox: j/k move, s star, d dismiss, e add as event, x tick.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var stories = Array.prototype.slice.call(document.querySelectorAll(".inbox-story"));
    var current = -1;
    function select(index) {
      if (!stories.length) { return; }
      current = Math.max(0, Math.min(stories.length - 1, index));
      stories.forEach(function (s) { s.classList.remove("inbox-current"); });
      stories[current].classList.add("inbox-current");
      stories[current].focus({preventScroll: true});
      stories[current].scrollIntoView({block: "nearest"});
    }
    function press(key) {
      if (current < 0) { return; }
      var button = stories[current].querySelector('[data-key="' + key + '"]');
      if (button) { button.click(); }
    }
    document.addEventListener("keydown", function (event) {
      var tag = (event.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea" || event.ctrlKey ||
          event.metaKey || event.altKey) { return; }
      if (event.key === "j") { select(current + 1); }
      else if (event.key === "k") { select(current - 1); }
      else if (event.key === "x" && current >= 0) {
        var box = stories[current].querySelector('input[type="checkbox"]');
        box.checked = !box.checked;
      }
      else if (event.key === "s" || event.key === "d" || event.key === "e") { press(event.key); }
      else { return; }
      event.preventDefault();
    });
  });
})();
