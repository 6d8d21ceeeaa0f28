"""The web app's stylesheet and page script: phone layout (input bar at the bottom, passage in a
bottom sheet, a "Gọi 111" link that stays on screen), WCAG AA colours and visible focus, and the
clicks that open passages, send starter questions and bring a new answer's first line into view."""

# Colours: text and buttons at least 4.5:1 against their background (WCAG AA). Gradio's default
# orange buttons (2.8:1) and grey placeholders (1.9:1) are replaced by the theme variables below.
CSS = """
/* the browser keeps whatever is on screen in place while content above it grows ("scroll
   anchoring"): as an answer streamed in, the page slid down to its end. The script below
   decides what a new answer shows first. */
html, body, #kb-chat {overflow-anchor: none}
.gradio-container {
  --button-primary-background-fill: #1d4ed8; --button-primary-background-fill-hover: #1e3a8a;
  --button-primary-border-color: #1d4ed8; --button-primary-text-color: #ffffff;
  --button-primary-text-color-hover: #ffffff;
  --input-placeholder-color: #57606a; --body-text-color-subdued: #4b5563; --block-info-text-color: #4b5563;
  --color-accent: #1d4ed8; --color-accent-soft: #dbeafe; --link-text-color: #1d4ed8;
  --link-text-color-hover: #1e3a8a; --link-text-color-visited: #5b21b6;
}
.gradio-container :focus-visible, .kb-card:focus-visible, .kb-cite:focus-visible, .kb-starter:focus-visible {
  outline: 3px solid #1d4ed8 !important; outline-offset: 2px;
}
footer, footer a, footer button {color: #374151 !important}
#kb-banner:not(:has(.kb-banner)), #kb-cards:not(:has(.kb-card)) {display: none}
#kb-side {flex-direction: column !important; flex-wrap: nowrap !important}
#kb-side > * {width: 100%}
#kb-header {flex-wrap: wrap; align-items: center}
#kb-title {flex: 1 1 300px; min-width: 260px}
#kb-title h1 {font-size: 1.7em; margin: 4px 0}
#kb-lang {flex: 0 1 auto !important}
#kb-lang .wrap {flex-wrap: nowrap}
#kb-rate p {margin: 4px 0 0}
.kb-chat {display: flex; flex-direction: column; gap: 10px}
.kb-msg {border-radius: 12px; padding: 10px 14px; line-height: 1.55; scroll-margin-top: 12px}
.kb-user {align-self: flex-end; max-width: 88%; background: #e8f0fe; color: #111827}
.kb-user-text {white-space: pre-wrap; overflow-wrap: anywhere; max-height: 14em; overflow: auto}
.kb-bot {background: #f6f7f9; border: 1px solid #d0d7de; color: #111827}
.kb-bot:focus {outline: none}
.kb-pending .kb-answer {color: #4b5563; font-style: italic}
.kb-who {display: block; font-size: .82em; font-weight: 600; color: #4b5563; margin-bottom: 2px}
.kb-note {font-size: .92em; color: #374151; margin: 0 0 6px; font-style: italic}
.kb-cite {border: 1px solid #1d4ed8; color: #1d4ed8; background: #fff; border-radius: 6px; padding: 0 5px;
  font-weight: 700; cursor: pointer; font-size: .92em; line-height: 1.4}
.kb-cite:hover {background: #dbeafe}
.kb-empty p {margin: 0 0 4px; color: #374151}
.kb-starter-group h2 {font-size: .95em; margin: 10px 0 4px; color: #374151}
.kb-starter {display: block; width: 100%; text-align: left; border: 1px solid #a5b4fc; background: #fff;
  color: #1e3a8a; border-radius: 10px; padding: 9px 12px; margin: 6px 0; cursor: pointer; font-size: 1em}
.kb-starter:hover {background: #eef2ff}
.kb-banner {background: #b00020; color: #fff; padding: 12px 16px; border-radius: 8px; font-size: 1.05em; font-weight: 600}
.kb-call {display: inline-block; margin: 8px 0; background: #b00020; color: #fff !important; font-weight: 700;
  padding: 10px 18px; border-radius: 999px; text-decoration: none; font-size: 1.05em}
.kb-cards-title {font-size: 1em; font-weight: 600; margin: 6px 0}
.kb-card {display: block; width: 100%; text-align: left; border: 1px solid #d0d7de; border-radius: 8px;
  padding: 8px 12px; margin: 8px 0; background: #fff; color: #111827; cursor: pointer; font-size: .95em;
  font-weight: 400; line-height: 1.45}
.kb-card:hover {border-color: #1d4ed8; background: #f8fafc}
.kb-card > span {display: block}
.kb-card-head {font-weight: 600}
.kb-n {color: #1d4ed8}
.kb-card-meta, .kb-card-section, .kb-card-quote {color: #4b5563; font-size: .92em}
.kb-card mark, .kb-passage mark, .kb-src mark {background: #fde68a; color: #111827}
#kb-viewer {border: 1px solid #d0d7de; border-radius: 10px; padding: 10px 14px; background: #fff; color: #111827}
.kb-viewer-bar {display: flex; justify-content: space-between; align-items: center; gap: 8px}
.kb-viewer-bar h2 {font-size: 1em; margin: 0}
.kb-viewer-close {border: 1px solid #6b7280; background: #fff; color: #111827; border-radius: 6px; padding: 4px 12px; cursor: pointer}
.kb-viewer-hint {color: #4b5563}
.kb-src-title {font-size: 1.02em; margin: 8px 0 4px}
.kb-src-meta {display: grid; grid-template-columns: max-content 1fr; gap: 2px 10px; margin: 0 0 8px; font-size: .92em}
.kb-src-meta dt {color: #4b5563} .kb-src-meta dd {margin: 0}
.kb-src-quote {background: #fef9c3; border-left: 4px solid #a16207; padding: 8px 10px; border-radius: 4px}
.kb-context {color: #4b5563; font-size: .9em; margin: 6px 0}
.kb-docs {max-height: 75vh; overflow: auto}
.kb-doc-section {font-size: 1em}
.kb-passage {padding: 4px 6px; margin: 4px 0; border-radius: 4px}
.kb-passage.kb-hl {background: #fef3c7; outline: 2px solid #a16207}
.kb-table-wrap {overflow-x: auto; max-width: 100%}
.kb-table {border-collapse: collapse; width: 100%; font-size: .92em}
.kb-table th, .kb-table td {border: 1px solid #d0d7de; padding: 4px 6px; vertical-align: top; text-align: left}
@media (min-width: 769px) {
  #kb-side {position: sticky; top: 8px; align-self: flex-start; max-height: 96vh; overflow: auto}
}
@media (max-width: 768px) {
  #kb-inputbar {position: fixed; left: 0; right: 0; bottom: 0; z-index: 50; margin: 0; padding: 8px 10px;
    background: #fff; box-shadow: 0 -2px 8px rgba(0,0,0,.15); flex-wrap: nowrap; gap: 8px}
  #kb-inputbar > * {min-width: 0 !important}
  #kb-send {flex: 0 0 auto; min-width: 64px !important}
  .gradio-container {padding-bottom: 110px !important}
  .kb-call {position: fixed; right: 12px; bottom: calc(var(--kb-bar-h, 96px) + 10px); z-index: 80; margin: 0; box-shadow: 0 2px 10px rgba(0,0,0,.3)}
  #kb-viewer {display: none}
  #kb-viewer.kb-viewer-open {display: block; position: fixed; left: 0; right: 0; bottom: 0; max-height: 75vh;
    overflow: auto; z-index: 70; border-radius: 14px 14px 0 0; box-shadow: 0 -4px 18px rgba(0,0,0,.3)}
}
"""

HEAD = """<script>
(function () {
  // <html lang>: "vi", or "en" after the switch (Gradio writes its own value; ours is kept)
  window.kbLang = window.kbLang || 'vi';
  const root = document.documentElement;
  root.lang = window.kbLang;
  new MutationObserver(() => { if (root.lang !== window.kbLang) root.lang = window.kbLang; })
    .observe(root, {attributes: true, attributeFilter: ['lang']});
  window.kbSetLang = function (l) { window.kbLang = l; root.lang = l; };

  let opener = null;
  function openSource(id, from) {
    const src = document.getElementById(id), viewer = document.getElementById('kb-viewer');
    if (!src || !viewer) return;
    viewer.querySelector('.kb-viewer-body').innerHTML = src.innerHTML;
    viewer.classList.add('kb-viewer-open');
    opener = from;
    const title = viewer.querySelector('.kb-src-title');
    if (title) { title.tabIndex = -1; title.focus({preventScroll: true}); }
    const r = viewer.getBoundingClientRect();
    if (r.top < 0 || r.top > window.innerHeight) viewer.scrollIntoView({block: 'start'});
  }
  window.kbCloseViewer = function () {
    const viewer = document.getElementById('kb-viewer');
    if (!viewer || !viewer.classList.contains('kb-viewer-open')) return;
    viewer.classList.remove('kb-viewer-open');
    if (opener && document.body.contains(opener)) opener.focus({preventScroll: true});
    opener = null;
  };
  function send(question) {  // a starter question: typed into the box, then sent
    const box = document.querySelector('#kb-question textarea');
    if (!box) return;
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value').set.call(box, question);
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => document.getElementById('kb-send').click(), 60);
  }
  function openDocument(link) {  // the "Văn bản" tab, scrolled to the passage (the tab renders lazily)
    window.kbCloseViewer();
    // on phones Gradio moves the tab into its "⋯" menu, as a button without the id
    const tab = document.getElementById('docs-tab-button') || [...document.querySelectorAll('button')].reverse()
      .find(b => /^(Văn bản|Documents)$/.test(b.textContent.trim()) && !b.closest('#kb-chat, #kb-side'));
    if (tab) tab.click();
    let tries = 0;
    const show = () => {
      const el = document.getElementById(link.dataset.target);
      if (!el) { if (tries++ < 50) setTimeout(show, 100); return; }
      document.querySelectorAll('.kb-passage.kb-hl').forEach(p => p.classList.remove('kb-hl'));
      el.classList.add('kb-hl');
      el.scrollIntoView({block: 'center'});
    };
    show();
  }
  document.addEventListener('click', function (e) {
    const t = e.target instanceof Element ? e.target : e.target.parentElement;
    if (!t) return;
    const src = t.closest('[data-src]');
    if (src) { e.preventDefault(); openSource(src.dataset.src, src); return; }
    const starter = t.closest('.kb-starter');
    if (starter) { e.preventDefault(); send(starter.dataset.q); return; }
    if (t.closest('.kb-viewer-close')) { window.kbCloseViewer(); return; }
    const link = t.closest('a.kb-open');
    if (link) { e.preventDefault(); openDocument(link); }
  });
  document.addEventListener('keydown', e => { if (e.key === 'Escape') window.kbCloseViewer(); });

  // On phones the input bar is fixed at the bottom; the "Gọi 111" link sits just above it
  const watchBar = () => {
    const bar = document.getElementById('kb-inputbar');
    if (!bar) return setTimeout(watchBar, 200);
    new ResizeObserver(() => root.style.setProperty('--kb-bar-h', bar.offsetHeight + 'px')).observe(bar);
  };
  watchBar();

  // A new answer: bring its first line into view once (not its end, as a chat usually does)
  const seen = new Set();
  new MutationObserver(() => {
    document.querySelectorAll('#kb-chat .kb-bot').forEach(el => {
      if (seen.has(el.id)) return;
      seen.add(el.id);
      el.scrollIntoView({block: 'start'});
    });
  }).observe(document, {childList: true, subtree: true});
})();
</script>"""
