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

/* Keyboard and screen reader help around the encryption plugin. Its unlock script is
   approved byte for byte and stays as it is: this only listens (keys, clicks, its
   encryptcontent_event) and watches its message, then moves focus and sets states. */
(function () {
  "use strict";

  var readerUnlocked = false; // the reader typed the passphrase (not a key kept for the tab)

  function byId(id) { return document.getElementById(id); }

  function setBusy(on) {
    var form = byId("mkdocs-decrypt-form");
    var status = byId("lv-verrou-attente");
    if (!form || !status) return;
    if (on) {
      form.setAttribute("aria-busy", "true");
      status.textContent = status.getAttribute("data-texte") || "";
    } else {
      form.removeAttribute("aria-busy");
      status.textContent = "";
    }
  }

  // Called before the plugin's own handlers (capture phase): the key derivation then shows.
  function trying() {
    var message = byId("mkdocs-decrypt-msg");
    if (message) message.textContent = ""; // the same error again is announced again
    readerUnlocked = true;
    setBusy(true);
  }

  function bindForm() {
    var form = byId("mkdocs-decrypt-form");
    if (!form || form.getAttribute("data-lv-lie")) return;
    form.setAttribute("data-lv-lie", "1");
    var field = byId("mkdocs-content-password");
    var show = form.querySelector(".lv-verrou__afficher");
    if (show && field) {
      show.hidden = false;
      show.addEventListener("click", function () {
        var visible = field.type === "password";
        field.type = visible ? "text" : "password";
        show.setAttribute("aria-pressed", String(visible));
      });
    }
    var message = byId("mkdocs-decrypt-msg");
    if (message && window.MutationObserver) {
      // The plugin writes its error here when the passphrase is wrong: the try is over.
      new MutationObserver(function () {
        if (message.textContent) {
          setBusy(false);
          readerUnlocked = false;
        }
      }).observe(message, { childList: true, characterData: true, subtree: true });
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target && event.target.id === "mkdocs-content-password") {
      trying();
    }
  }, true);
  document.addEventListener("click", function (event) {
    if (event.target && event.target.closest && event.target.closest("#mkdocs-decrypt-button")) {
      trying();
    }
  }, true);

  function afterUnlock() {
    if (byId("mkdocs-decrypt-form")) {
      bindForm();
      return;
    }
    bindMenu();
    if (!readerUnlocked) return; // a page opened with the kept key: focus stays at the top
    readerUnlocked = false;
    var heading = document.querySelector("#mkdocs-decrypted-content h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  }

  // The phone menu: Material's button is a <label>, which the keyboard cannot reach. A real
  // button takes its place, with the same icon, and flips the same checkbox.
  function bindMenu() {
    var toggle = byId("__drawer");
    var label = document.querySelector('.md-header label[for="__drawer"]');
    if (!toggle || !label || label.hidden) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = label.className + " lv-menu";
    button.setAttribute("aria-label", "Menu");
    button.innerHTML = label.innerHTML; // Material's own icon, an inline SVG
    label.hidden = true;
    label.parentNode.insertBefore(button, label);
    var drawer = document.querySelector(".md-sidebar--primary");
    function sync() { button.setAttribute("aria-expanded", String(toggle.checked)); }
    function flip(open) {
      toggle.checked = open;
      toggle.dispatchEvent(new Event("change", { bubbles: true }));
    }
    sync();
    toggle.addEventListener("change", sync);
    button.addEventListener("click", function () {
      flip(!toggle.checked);
      if (toggle.checked && drawer) {
        var first = drawer.querySelector("a[href], [tabindex='0']");
        if (first) window.setTimeout(function () { first.focus(); }, 0);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && toggle.checked) {
        flip(false);
        button.focus();
      }
    });
  }

  // The skip link leads to the passphrase field on the lock page, else to the page's main
  // heading, which then has the focus.
  document.addEventListener("click", function (event) {
    var link = event.target && event.target.closest && event.target.closest("a.lv-saut");
    if (!link) return;
    var target = byId("mkdocs-content-password") ||
      document.querySelector("#mkdocs-decrypted-content h1");
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "H1") target.setAttribute("tabindex", "-1");
    target.focus();
  });

  window.addEventListener("encryptcontent_event", afterUnlock);
  document.addEventListener("DOMContentLoaded", function () { bindForm(); });
})();
