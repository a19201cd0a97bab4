// Times in the viewer's zone (UTC stays in the title), and a page's data-live-region re-read while it is marked
// data-live="true" (work in progress); the region read back without the mark ends the refreshing.
(() => {
  const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
  function localTimes(root) {
    for (const time of root.querySelectorAll('time[datetime]')) {
      const at = new Date(time.getAttribute('datetime'));
      if (!isNaN(at)) time.textContent = local.format(at);
    }
  }
  // Regions are matched by their data-live-region name, so a page may follow more than one.
  let timer = null;
  function follow() {
    clearTimeout(timer);
    if (!document.querySelector('[data-live="true"]')) return;
    timer = setTimeout(async () => {
      if (document.hidden) return follow();
      try {
        const answer = await fetch(location.href, { headers: { 'Accept': 'text/html' }, credentials: 'same-origin' });
        if (answer.ok) {
          const page = new DOMParser().parseFromString(await answer.text(), 'text/html');
          for (const live of document.querySelectorAll('[data-live="true"]')) {
            const name = live.getAttribute('data-live-region');
            const next = page.querySelector(`[data-live-region="${CSS.escape(name ?? '')}"]`);
            if (next && !live.contains(document.activeElement)) { live.replaceWith(next); localTimes(next); }
          }
        }
      } catch {
        // Offline for a moment, or the page is being left: the next tick tries again.
      } finally { follow(); }
    }, 2000);
  }
  function start() { localTimes(document); follow(); }
  document.addEventListener('DOMContentLoaded', start);
  if (window.Blazor) Blazor.addEventListener('enhancedload', start);
  else document.addEventListener('DOMContentLoaded', () => window.Blazor && Blazor.addEventListener('enhancedload', start));
})();
