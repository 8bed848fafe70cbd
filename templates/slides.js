// thymoscope slides: keyboard navigation, no network. The current slide is kept in
// body[data-slide] (0-based) and in the address's #number (1-based) so reloads keep it.
// N switches the notes view (every slide with its speaker notes) on and off.
(function () {
  "use strict";
  var slides = Array.prototype.slice.call(document.querySelectorAll(".slide"));
  var current = 0;
  function show(index) {
    if (!slides.length) { return; }
    index = Math.max(0, Math.min(slides.length - 1, index));
    slides[current].classList.remove("active");
    slides[index].classList.add("active");
    current = index;
    document.body.setAttribute("data-slide", String(index));
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "#" + (index + 1));
    }
  }
  var moves = {
    ArrowRight: 1, ArrowDown: 1, PageDown: 1, " ": 1, Enter: 1,
    ArrowLeft: -1, ArrowUp: -1, PageUp: -1, Backspace: -1
  };
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    if (event.key === "n" || event.key === "N") {
      document.body.classList.toggle("notes-view");
      document.documentElement.classList.toggle("notes-view");
    }
    else if (document.body.classList.contains("notes-view")) { return; }
    else if (event.key === "Home") { show(0); }
    else if (event.key === "End") { show(slides.length - 1); }
    else if (event.key in moves) { show(current + (event.shiftKey && event.key === " " ? -1 : moves[event.key])); }
    else { return; }
    event.preventDefault();
  });
  document.addEventListener("click", function (event) {
    if (document.body.classList.contains("notes-view")) { return; }
    if (event.target.closest && event.target.closest("a, .facts")) { return; }
    show(current + (event.clientX < window.innerWidth / 3 ? -1 : 1));
  });
  var start = parseInt((window.location.hash || "").slice(1), 10);
  show(isNaN(start) ? 0 : start - 1);
}());
