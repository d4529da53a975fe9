// Starts the page: first the core component (so a failure to load it is
// shown rather than leaving "Loading" on screen), then the Leptos UI, whose
// module imports the core from the same URL and so gets the same instance.
const status = document.getElementById('status');
try {
  await import('./core/core.js');
  const ui = await import('./uepe_web.js');
  await ui.default();
} catch (e) {
  if (status) {
    status.textContent = 'The page could not start: ' + e;
    status.className = 'failed';
  }
  throw e;
}
