// Keyboard navigation, on top of pages that work without it (every action is a form).
// Lists: j / k next / previous item, o or Enter open it, s save, m mark read or unread.
// An article: s save, m mark unread, f follow its story, u back to the list.
// Anywhere: ? this help, Esc close it. Keys typed into a form field are left alone.
(() => {
  const items = () => Array.from(document.querySelectorAll("[data-item]"));
  let at = -1;
  const KEY_PREFIX = "nw-list:" + location.pathname + location.search;
  const select = (i) => {
    const list = items();
    if (!list.length) return;
    at = Math.max(0, Math.min(i, list.length - 1));
    list.forEach((el, n) => el.classList.toggle("current", n === at));
    list[at].scrollIntoView({block: "nearest"});
    sessionStorage.setItem(KEY_PREFIX, String(at));
  };
  const current = () => (at >= 0 ? items()[at] : null);
  // Press the button marked with this key in the current item, else on the page.
  const press = (key) => {
    const scope = current() || document;
    const button = scope.querySelector(`button[data-key="${key}"]`);
    if (button) button.click();
  };
  const help = () => {
    let box = document.getElementById("keys");
    if (box) { box.remove(); return; }
    box = document.createElement("div");
    box.id = "keys";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-label", "Keyboard shortcuts");
    const rows = [["j / k", "next / previous"], ["o or Enter", "open"], ["s", "save"],
      ["m", "mark read / unread"], ["f", "follow"], ["u", "back"], ["?", "this help"]];
    const table = document.createElement("table");
    for (const [k, what] of rows) {
      const tr = table.insertRow();
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      tr.insertCell().append(kbd);
      tr.insertCell().textContent = what;
    }
    box.append(table);
    document.body.append(box);
  };
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    const k = e.key;
    if (k === "j") select(at + 1);
    else if (k === "k") select(at - 1);
    else if ((k === "o" || k === "Enter") && current()) {
      const link = current().querySelector("a[data-open]") || current().querySelector("a");
      if (link) location.href = link.href;
    } else if (k === "s") press("s");
    else if (k === "m") press("m");
    else if (k === "f") press("f");
    else if (k === "u") history.back();
    else if (k === "?") help();
    else if (k === "Escape") document.getElementById("keys")?.remove();
    else return;
    e.preventDefault();
  });
  // Back on a list after an action: the same item stays selected.
  const saved = sessionStorage.getItem(KEY_PREFIX);
  if (saved !== null && items().length) select(Number(saved));
})();
