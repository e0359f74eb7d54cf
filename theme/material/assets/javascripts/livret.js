/* Action plan checklist: ticks are kept in this browser only (localStorage), as a list of
   step numbers under a key made of the booklet id. No text from the booklet is stored. */
(function () {
  "use strict";

  function storageKey() {
    var meta = document.querySelector('meta[name="livret-id"]');
    var id = (meta && meta.getAttribute("content")) || "livret";
    return "livret-plan-" + id;
  }

  function load() {
    try {
      var value = JSON.parse(window.localStorage.getItem(storageKey()) || "[]");
      return Array.isArray(value) ? value : [];
    } catch (error) {
      return [];
    }
  }

  function save(done) {
    try {
      window.localStorage.setItem(storageKey(), JSON.stringify(done));
    } catch (error) {
      /* private browsing: ticks simply are not remembered */
    }
  }

  function refresh(boxes) {
    var count = 0;
    boxes.forEach(function (box) {
      var step = box.closest(".livret-plan__etape");
      if (step) step.classList.toggle("livret-plan__etape--faite", box.checked);
      if (box.checked) count += 1;
    });
    var progress = document.querySelector("[data-livret-progression]");
    if (progress) {
      progress.hidden = false;
      var label = progress.querySelector("[data-livret-faites]");
      if (label) label.textContent = String(count);
    }
  }

  function bind() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll("input[data-livret-etape]"));
    if (!boxes.length || boxes[0].dataset.livretLie) return;
    var done = load();
    boxes.forEach(function (box) {
      box.dataset.livretLie = "1";
      box.checked = done.indexOf(Number(box.dataset.livretEtape)) !== -1;
      box.addEventListener("change", function () {
        var ticked = boxes.filter(function (b) { return b.checked; })
          .map(function (b) { return Number(b.dataset.livretEtape); });
        save(ticked);
        refresh(boxes);
      });
    });
    refresh(boxes);
  }

  // The page content appears only once decrypted: bind then, and on load for safety.
  window.addEventListener("encryptcontent_event", bind);
  document.addEventListener("DOMContentLoaded", bind);
})();
