// Markers and cards are plain links and divs; this makes selecting either one bring the cited
// passage into view (its card scrolled into the sources panel) and marks both as selected.
() => {
  const show = (card) => {
    document.querySelectorAll('.src-card.selected, a.cite.selected')
      .forEach((e) => e.classList.remove('selected'));
    card.classList.add('selected');
    document.querySelectorAll(`a.cite[href="#${card.id}"]`)
      .forEach((a) => a.classList.add('selected'));
    card.scrollIntoView({behavior: 'smooth', block: 'nearest'});
  };
  document.addEventListener('click', (e) => {
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
    if ((e.key === 'Enter' || e.key === ' ') && e.target.classList?.contains('src-card')) {
      e.preventDefault();
      show(e.target);
    }
  });
}
