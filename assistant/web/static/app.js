// Markers and cards are plain links and divs; this makes selecting either one bring the cited
// passage into view (its card scrolled into the sources panel) and marks both as selected.
// Also: "Copy as Markdown", Helpful / Wrong under each answer (posted to cited/feedback),
// "Open in document" (the page drawn with the quote on it, or the text, from cited/document, in
// a dialog), the dark theme (kept in this browser), a closed sidebar on phones, and the
// keyboard shortcuts listed in SHORTCUTS, which the "?" sheet shows, and the suggested questions.
() => {
  const $ = (sel, root = document) => root.querySelector(sel);
  const visible = (el) => el && el.offsetParent !== null;
  const typing = (el) => el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));

  // --- copy as Markdown: the clipboard API needs a secure context (localhost is one) ---
  const copyText = (text) => {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.appendChild(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    return ok ? Promise.resolve() : Promise.reject(new Error('copy refused'));
  };
  const copyAnswer = (button) => {
    const markdown = button.parentElement.querySelector('.md-copy')?.textContent || '';
    copyText(markdown).then(() => {
      button.classList.add('copied');
      button.textContent = 'Copied';
      setTimeout(() => {
        button.classList.remove('copied');
        button.textContent = 'Copy as Markdown';
      }, 2000);
    }, () => { button.textContent = 'Copy failed: select the text instead'; });
  };

  // --- feedback: Helpful / Wrong, then an optional note -----------------------------------
  // What to post travels in class names (fb-c-<conversation>, fb-n-<turn>, fb-<verdict>):
  // the chat's sanitizer keeps classes, not data-* attributes.
  const tagged = (el, prefix) => [...el.classList].find((c) => c.startsWith(prefix))?.slice(prefix.length);
  const sendFeedback = async (bar, verdict, note) => {
    const body = {conversation: tagged(bar, 'fb-c-'), n: Number(tagged(bar, 'fb-n-')), verdict, note};
    const response = await fetch('cited/feedback', {
      method: 'POST', headers: {'Content-Type': 'application/json'}, body: JSON.stringify(body),
    });
    let status = bar.querySelector('.fb-status');
    if (!status) {
      status = document.createElement('span');
      status.className = 'fb-status';
      status.setAttribute('role', 'status');
      bar.appendChild(status);
    }
    status.textContent = response.ok ? (note ? 'Note kept.' : 'Thanks: kept with this conversation.')
      : 'Not kept: reload the page and try again.';
  };
  const giveFeedback = (button) => {
    const bar = button.closest('.feedback');
    const verdict = button.classList.contains('fb-wrong') ? 'wrong' : 'helpful';
    bar.querySelectorAll('button.fb').forEach((b) => b.classList.toggle('pressed', b === button));
    sendFeedback(bar, verdict, '');
    let note = bar.querySelector('input.fb-note');
    if (!note) {
      note = document.createElement('input');
      note.className = 'fb-note';
      note.maxLength = 1000;
      bar.appendChild(note);
    }
    note.placeholder = verdict === 'wrong' ? 'What was wrong? (optional; Enter to send)'
      : 'A note? (optional; Enter to send)';
    note.dataset.verdict = verdict;
    note.focus({preventScroll: true});
  };

  // --- the sources: select a card, open its document --------------------------------------
  const show = (card) => {
    document.querySelectorAll('.src-card.selected, a.cite.selected')
      .forEach((e) => e.classList.remove('selected'));
    card.classList.add('selected');
    document.querySelectorAll(`a.cite[href="#${card.id}"]`).forEach((a) => a.classList.add('selected'));
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  };
  const closeDialogs = () => {
    const open = document.querySelector('#doc-view, #shortcuts');
    open?.remove();
    return !!open;
  };
  const dialog = (id, inner) => {
    closeDialogs();
    const view = document.createElement('div');
    view.id = id;
    view.className = 'dialog';
    view.setAttribute('role', 'dialog');
    view.setAttribute('aria-modal', 'true');
    view.innerHTML = `<div class="doc-box"><button type="button" class="doc-close" title="Close (Esc)">` +
      `Close</button><div class="doc-body">${inner}</div></div>`;
    document.body.appendChild(view);
    return view;
  };
  const showTab = (body, which) => {
    body.querySelectorAll('.doc-tab').forEach((t) => t.setAttribute('aria-selected', String(t.dataset.show === which)));
    const page = body.querySelector('.doc-page');
    const text = body.querySelector('.doc-textview');
    if (page) page.hidden = which !== 'page';
    if (text) text.hidden = which !== 'text';
    const target = which === 'page' ? body.querySelector('.pdf-mark') : body.querySelector('#doc-mark');
    target?.scrollIntoView({block: 'center'});
  };
  const openDocument = async (button) => {
    const view = dialog('doc-view', 'Loading the document…');
    const d = button.dataset;
    const query = new URLSearchParams({source: d.source, start: d.start, end: d.end});
    if (d.page) query.set('page', d.page);
    const body = view.querySelector('.doc-body');
    try {
      const response = await fetch(`cited/document?${query}`);
      const text = await response.text();
      if (!response.ok) throw new Error(text);
      body.innerHTML = text;  // built and escaped on the server (docview.py)
      const tab = body.querySelector('.doc-tab[aria-selected="true"]');
      showTab(body, tab ? tab.dataset.show : 'text');
    } catch (err) {
      body.textContent = err.message || 'The document could not be opened.';
    }
    view.querySelector('.doc-close').focus({preventScroll: true});
  };
  // --- a suggested question (summary.py): it fills the question box and is asked ----------
  const askSuggestion = (button) => {
    const box = $('#question textarea');
    if (!box) return;
    box.value = button.textContent;
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => $('#ask')?.click(), 50);  // once Gradio has read the box
  };
  const latestCards = () => [...document.querySelectorAll('#sources .src-turn:first-child .src-card')];

  // --- the theme, the shortcuts sheet --------------------------------------------------------
  const THEME = 'cited-assistant-theme';
  const setTheme = (dark) => {
    document.body.classList.toggle('dark', dark);
    localStorage.setItem(THEME, dark ? 'dark' : 'light');
    const toggle = $('#theme-toggle');
    if (toggle) {
      toggle.setAttribute('aria-pressed', String(dark));
      toggle.textContent = dark ? '◑ Light' : '◐ Dark';
    }
  };
  const SHORTCUTS = [
    ['/', 'Focus the question box', () => $('#question textarea')?.focus()],
    ['Enter', 'Ask (Shift+Enter: a new line)', null],
    ['Esc', 'Stop the answer being written; close a dialog', null],
    ['1 – 9', 'Select source [n] of the latest answer', null],
    ['o', 'Open the selected source (or the first) in its document', () => {
      const card = $('#sources .src-card.selected') || latestCards()[0];
      const button = card?.querySelector('button.open-doc');
      if (button) openDocument(button);
    }],
    ['n', 'New conversation', () => $('#new-chat')?.click()],
    ['d', 'Dark or light theme', () => setTheme(!document.body.classList.contains('dark'))],
    ['?', 'This list of shortcuts', () => openShortcuts()],
  ];
  const openShortcuts = () => {
    const rows = SHORTCUTS.map(([key, what]) => `<tr><td><kbd>${key}</kbd></td><td>${what}</td></tr>`).join('');
    const view = dialog('shortcuts', `<h3>Keyboard shortcuts</h3><table class="keys">${rows}</table>` +
      '<p class="keys-note">Single keys work when you are not typing in a box.</p>');
    view.querySelector('.doc-close').focus({preventScroll: true});
  };
  setTheme(localStorage.getItem(THEME) === 'dark' ||
    (!localStorage.getItem(THEME) && document.body.classList.contains('dark')));

  // A phone's screen is the chat's: the sidebar (documents, settings) starts closed there.
  if (window.matchMedia('(max-width: 768px)').matches) {
    let tries = 0;
    const closeSidebar = setInterval(() => {
      const toggle = document.querySelector('.sidebar.open .toggle-button');
      if (toggle) toggle.click();
      if (toggle || ++tries > 100) clearInterval(closeSidebar);
    }, 50);
  }

  document.addEventListener('click', (e) => {
    const t = e.target;
    if (t.closest('.doc-close') || t.classList?.contains('dialog')) return void closeDialogs();
    const tab = t.closest('.doc-tab');
    if (tab) return void showTab(tab.closest('.doc-body'), tab.dataset.show);
    if (t.closest('#theme-toggle')) return void setTheme(!document.body.classList.contains('dark'));
    if (t.closest('#shortcuts-open')) return void openShortcuts();
    const suggestion = t.closest('#suggestions button.suggestion');
    if (suggestion) return void askSuggestion(suggestion);
    const fb = t.closest('.feedback button.fb');
    if (fb) {
      e.preventDefault();
      return void giveFeedback(fb);
    }
    const open = t.closest('button.open-doc');
    if (open) {
      e.preventDefault();
      e.stopPropagation();
      return void openDocument(open);
    }
    const copy = t.closest('button.copy-md');
    if (copy) {
      e.preventDefault();
      return void copyAnswer(copy);
    }
    const link = t.closest('a.cite');
    if (link) {
      const card = document.getElementById(link.getAttribute('href').slice(1));
      e.preventDefault();
      if (card) show(card);
      return;
    }
    const card = t.closest('.src-card');
    if (card) show(card);
  }, true);

  document.addEventListener('keydown', (e) => {
    const t = e.target;
    if (t.classList?.contains('fb-note') && e.key === 'Enter') {
      e.preventDefault();
      sendFeedback(t.closest('.feedback'), t.dataset.verdict, t.value.trim());
      return;
    }
    if (e.key === 'Escape') {
      if (closeDialogs()) return void e.preventDefault();
      const stop = $('#stop');
      if (visible(stop)) {
        e.preventDefault();
        stop.click();
      }
      return;
    }
    if ((e.key === 'Enter' || e.key === ' ') && t.classList?.contains('src-card')) {
      e.preventDefault();
      return void show(t);
    }
    if (typing(t) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[1-9]$/.test(e.key)) {
      const card = latestCards()[Number(e.key) - 1];
      if (card) {
        e.preventDefault();
        show(card);
      }
      return;
    }
    const shortcut = SHORTCUTS.find(([key, , run]) => run && key === e.key);
    if (shortcut) {
      e.preventDefault();
      shortcut[2]();
    }
  });
}
