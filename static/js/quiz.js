// Quiz pages: keep drafts of free text (and pasted diagrams) across reloads, count words, read diagram files.
// Drafts live in localStorage under "archlab:quiz:draft:<question>:<part>" and are cleared once an answer to
// that question has been graded (a fresh result carries data-clear-drafts). The pages work without this.

const PREFIX = "archlab:quiz:draft:";
const SAVE_DELAY_MS = 400;

function storage() {
  try {
    const probe = PREFIX + "probe";
    window.localStorage.setItem(probe, "1");
    window.localStorage.removeItem(probe);
    return window.localStorage;
  } catch {
    return null; // private mode or storage disabled: no drafts, nothing breaks
  }
}

const store = storage();

function status(key, text) {
  for (const el of document.querySelectorAll(`[data-draft-status="${CSS.escape(key)}"]`)) el.textContent = text;
}

function countWords(textarea) {
  const out = document.querySelector(`[data-words-for="${CSS.escape(textarea.id)}"]`);
  if (!out) return;
  const words = textarea.value.trim().split(/\s+/).filter(Boolean).length;
  out.textContent = words === 1 ? "1 word" : `${words} words`;
}

function watchDraft(textarea) {
  if (textarea.dataset.draftWatched) return;
  textarea.dataset.draftWatched = "1";
  const key = textarea.dataset.draft;
  if (store) {
    const saved = store.getItem(PREFIX + key);
    // The server re-renders what was posted after an error; only an empty box takes the draft back.
    if (saved && !textarea.value.trim()) {
      textarea.value = saved;
      status(key, "Draft restored from this browser.");
    }
  }
  let timer = null;
  textarea.addEventListener("input", () => {
    countWords(textarea);
    clearTimeout(timer);
    // A box swapped out by htmx was saved on submit; a late timer must not bring back a cleared draft.
    timer = setTimeout(() => textarea.isConnected && saveDraft(textarea), SAVE_DELAY_MS);
  });
  countWords(textarea);
}

function saveDraft(textarea) {
  if (!store) return;
  const key = textarea.dataset.draft;
  if (textarea.value.trim()) store.setItem(PREFIX + key, textarea.value);
  else store.removeItem(PREFIX + key);
  status(key, "Draft saved in this browser.");
}

function clearDrafts(question) {
  if (!store) return;
  const prefix = `${PREFIX}${question}:`;
  for (let i = store.length - 1; i >= 0; i--) {
    const key = store.key(i);
    if (key && key.startsWith(prefix)) store.removeItem(key);
  }
}

function readJsonFiles(root) {
  for (const input of root.querySelectorAll("input[type=file][data-json-into]")) {
    if (input.dataset.jsonWatched) continue;
    input.dataset.jsonWatched = "1";
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      const target = document.getElementById(input.dataset.jsonInto);
      if (!file || !target) return;
      target.value = await file.text();
      target.dispatchEvent(new Event("input", { bubbles: true }));
      // The text is now in the box (and the draft); sending the file as well would be redundant.
      input.value = "";
    });
  }
}

function enhance(root) {
  // Only a grade that was just given clears drafts; an old attempt opened from the progress page must not.
  for (const graded of root.querySelectorAll("[data-clear-drafts]")) clearDrafts(graded.dataset.clearDrafts);
  for (const textarea of root.querySelectorAll("textarea[data-draft]")) watchDraft(textarea);
  readJsonFiles(root);
}

enhance(document);

// Save every draft the moment the form is sent: if the request fails, nothing typed is lost on reload.
document.addEventListener("submit", (event) => {
  for (const textarea of event.target.querySelectorAll("textarea[data-draft]")) saveDraft(textarea);
}, true);

// htmx swaps in either the graded result or the form again (with errors): enhance whatever arrived.
document.body.addEventListener("htmx:afterSwap", (event) => {
  const target = document.getElementById("answer") || event.detail.target;
  enhance(target.parentElement || document);
  const graded = document.querySelector("#answer[data-graded-question]");
  if (graded) graded.focus({ preventScroll: true });
  const errors = document.getElementById("answer-errors");
  if (errors) errors.scrollIntoView({ block: "start" });
});
