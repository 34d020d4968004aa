// Markers and cards are plain links and divs; this makes selecting either one bring the cited
// passage into view (its card scrolled into the sources panel) and marks both as selected.
// Also: "Copy as Markdown" buttons, Esc to stop an answer, a closed sidebar on phones, and
// "Open in document": the whole document (routes.py renders it) in a dialog, at the cited span.
() => {
  // The clipboard API needs a secure context (localhost is one); elsewhere, the old way.
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
  const visible = (el) => el && el.offsetParent !== null;
  // A phone's screen is the chat's: the sidebar (documents, settings) starts closed there.
  if (window.matchMedia('(max-width: 768px)').matches) {
    let tries = 0;
    const closeSidebar = setInterval(() => {
      const toggle = document.querySelector('.sidebar.open .toggle-button');
      if (toggle) toggle.click();
      if (toggle || ++tries > 100) clearInterval(closeSidebar);
    }, 50);
  }
  const show = (card) => {
    document.querySelectorAll('.src-card.selected, a.cite.selected')
      .forEach((e) => e.classList.remove('selected'));
    card.classList.add('selected');
    document.querySelectorAll(`a.cite[href="#${card.id}"]`)
      .forEach((a) => a.classList.add('selected'));
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  };
  // The whole-document view: one dialog, filled from cited/document for the card's span.
  const closeDocument = () => document.getElementById('doc-view')?.remove();
  const openDocument = async (button) => {
    closeDocument();
    const view = document.createElement('div');
    view.id = 'doc-view';
    view.setAttribute('role', 'dialog');
    view.setAttribute('aria-modal', 'true');
    view.innerHTML = '<div class="doc-box"><button type="button" class="doc-close" ' +
      'title="Close (Esc)">Close</button><div class="doc-body">Loading the document…</div></div>';
    document.body.appendChild(view);
    const d = button.dataset;
    const query = new URLSearchParams({source: d.source, start: d.start, end: d.end});
    if (d.page) query.set('page', d.page);
    const body = view.querySelector('.doc-body');
    try {
      const response = await fetch(`cited/document?${query}`);
      const text = await response.text();
      if (!response.ok) throw new Error(text);
      body.innerHTML = text;  // built and escaped on the server (docview.py)
      body.querySelector('#doc-mark')?.scrollIntoView({block: 'center'});
    } catch (err) {
      body.textContent = err.message || 'The document could not be opened.';
    }
    view.querySelector('.doc-close').focus({preventScroll: true});
  };
  document.addEventListener('click', (e) => {
    if (e.target.closest('.doc-close') || e.target.id === 'doc-view') {
      closeDocument();
      return;
    }
    const open = e.target.closest('button.open-doc');
    if (open) {
      e.preventDefault();
      e.stopPropagation();
      openDocument(open);
      return;
    }
    const copy = e.target.closest('button.copy-md');
    if (copy) {
      e.preventDefault();
      copyAnswer(copy);
      return;
    }
    const link = e.target.closest('a.cite');
    if (link) {
      const card = document.getElementById(link.getAttribute('href').slice(1));
      e.preventDefault();
      if (card) show(card);
      return;
    }
    const card = e.target.closest('.src-card');
    if (card) show(card);
  }, true);
  document.addEventListener('keydown', (e) => {
    const stop = document.getElementById('stop');
    if (e.key === 'Escape' && document.getElementById('doc-view')) {
      e.preventDefault();
      closeDocument();
      return;
    }
    if (e.key === 'Escape' && visible(stop)) {
      e.preventDefault();
      stop.click();
      return;
    }
    if ((e.key === 'Enter' || e.key === ' ') && e.target.classList?.contains('src-card')) {
      e.preventDefault();
      show(e.target);
    }
  });
}
