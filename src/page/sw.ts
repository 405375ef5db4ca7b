// The page's service worker: every same-origin GET goes to the network first and its answer is
// kept; when the network is gone (offline, or `serve` stopped) the kept answer is served. So the
// page and every model it has loaded once keep working offline.
/// <reference lib="webworker" />
const sw = self as unknown as ServiceWorkerGlobalScope;
const CACHE = 'webgpu-detect-page-v1';

sw.addEventListener('install', (event) => {
  // The page itself, so a reload works offline.
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['./', './page.js'])).then(() => sw.skipWaiting()));
});

sw.addEventListener('activate', (event) => {
  // Control the open page at once: the models it loads next are kept.
  event.waitUntil(sw.clients.claim());
});

sw.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== sw.location.origin) return;
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      try {
        const response = await fetch(request);
        if (response.ok) await cache.put(request, response.clone());
        return response;
      } catch (err) {
        const kept = await cache.match(request);
        if (kept) return kept;
        throw err;
      }
    })(),
  );
});
