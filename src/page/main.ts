// The detection page `webgpu-detect serve` opens: choose or drop images (or a folder), pick a model
// and options, see the overlays, the per-stage counts, the GPU time per stage and the adapter, and
// download the results as the CLI's JSON lines. A webcam mode runs face detection on the camera.
// Everything runs in the page on WebGPU; the files come from the page's own origin.
import { acquireGpu } from '../gpu/device.js';
import type { GpuContext } from '../gpu/context.js';
import { decodeImageInBrowser } from '../io/browser-image.js';
import { loadPageDetector, PAGE_MODELS, type PageDetector, type PageModelName, type PageResult, type Shape } from './models.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (text: string, state: string) => {
  $('status').textContent = text;
  $('status').dataset.state = state;
};

let ctx: GpuContext | undefined;
const detectors = new Map<PageModelName, Promise<PageDetector>>();
let chosen: File[] = [];
let lines: string[] = [];

function draw(canvas: HTMLCanvasElement, source: CanvasImageSource, width: number, height: number, shapes: readonly Shape[]): void {
  canvas.width = width;
  canvas.height = height;
  const g = canvas.getContext('2d')!;
  g.drawImage(source, 0, 0, width, height);
  const stroke = Math.max(2, Math.round(Math.max(width, height) / 400));
  g.lineWidth = stroke;
  g.font = `${Math.max(12, stroke * 6)}px sans-serif`;
  for (const s of shapes) {
    g.strokeStyle = g.fillStyle = s.color;
    if (s.kind === 'box') {
      g.strokeRect(s.box[0]!, s.box[1]!, s.box[2]!, s.box[3]!);
      g.fillText(s.label, s.box[0]!, Math.max(12, s.box[1]! - 4));
    } else if (s.kind === 'point') {
      g.beginPath();
      g.arc(s.at[0]!, s.at[1]!, stroke * 1.5, 0, 2 * Math.PI);
      g.fill();
    } else {
      g.beginPath();
      s.points.forEach(([x, y], i) => (i ? g.lineTo(x!, y!) : g.moveTo(x!, y!)));
      g.closePath();
      g.stroke();
      g.fillText(s.label, s.points[0]![0]!, s.points[0]![1]! - 4);
    }
  }
}

function detector(name: PageModelName): Promise<PageDetector> {
  if (!detectors.has(name)) detectors.set(name, loadPageDetector(ctx!, name));
  return detectors.get(name)!;
}

function options() {
  const num = (id: string) => ($<HTMLInputElement>(id).value.trim() === '' ? undefined : Number($<HTMLInputElement>(id).value));
  return { minFace: num('min-face') ?? 20, conf: num('conf'), iou: num('iou') };
}

function show(file: File, bitmap: ImageBitmap, r: PageResult): void {
  const figure = document.createElement('figure');
  figure.className = 'result';
  figure.dataset.file = file.name;
  const canvas = document.createElement('canvas');
  draw(canvas, bitmap, bitmap.width, bitmap.height, r.shapes);
  const caption = document.createElement('figcaption');
  caption.textContent = `${file.name}: ${Object.entries(r.counts).map(([k, v]) => `${k} ${v}`).join(', ')}`;
  figure.append(canvas, caption);
  $('results').append(figure);
}

async function run(): Promise<void> {
  if (!chosen.length) return status('choose or drop images first', 'ready');
  const name = $<HTMLSelectElement>('model').value as PageModelName;
  status(`loading ${name}…`, 'running');
  $('results').replaceChildren();
  lines = [];
  $<HTMLButtonElement>('download').disabled = true;
  try {
    const detect = await detector(name);
    const batch = 8;
    const timings: Record<string, number> = {};
    const started = performance.now();
    for (let b = 0; b < chosen.length; b += batch) {
      const files = chosen.slice(b, b + batch);
      status(`${name}: images ${b + 1}–${b + files.length} of ${chosen.length}…`, 'running');
      const decoded = await Promise.allSettled(files.map((f) => decodeImageInBrowser(f)));
      const ok = files.flatMap((f, i) => (decoded[i]!.status === 'fulfilled' ? [{ file: f, image: (decoded[i] as PromiseFulfilledResult<Awaited<ReturnType<typeof decodeImageInBrowser>>>).value }] : []));
      // An image the browser cannot decode gets the CLI's error line; the others go on.
      files.forEach((f, i) => decoded[i]!.status === 'rejected' && lines.push(JSON.stringify({ file: f.webkitRelativePath || f.name, error: `cannot decode image: ${String((decoded[i] as PromiseRejectedResult).reason)}` })));
      if (!ok.length) continue;
      const out = await detect(ok.map((x) => x.image), ok.map((x) => x.file.webkitRelativePath || x.file.name), options());
      for (const [k, v] of Object.entries(out.gpuMs ?? {})) timings[k] = (timings[k] ?? 0) + v;
      for (const [i, r] of out.results.entries()) {
        lines.push(JSON.stringify(r.line));
        show(ok[i]!.file, await createImageBitmap(ok[i]!.file, { imageOrientation: 'from-image' }), r);
      }
    }
    const ms = performance.now() - started;
    $('timings').textContent = `${chosen.length} images in ${(ms / 1000).toFixed(2)} s; GPU ms per stage: ${Object.entries(timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', ') || '(no timestamp queries on this adapter)'}`;
    $<HTMLButtonElement>('download').disabled = false;
    status(`done: ${lines.length} lines`, 'done');
  } catch (err) {
    console.error(err);
    status(`error: ${(err as Error).message}`, 'error');
  }
}

function download(): void {
  const blob = new Blob([lines.map((l) => `${l}\n`).join('')], { type: 'application/x-ndjson' });
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = 'results.jsonl';
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

function choose(files: ArrayLike<File>): void {
  chosen = Array.from(files).filter((f) => f.type.startsWith('image/') || /\.(jpe?g|png|webp|gif|bmp|avif)$/i.test(f.name));
  $('chosen').textContent = `${chosen.length} images chosen`;
}

/** Webcam: MTCNN on the camera's frames, drawn as they come. */
async function webcam(): Promise<void> {
  const video = $<HTMLVideoElement>('video');
  if (video.srcObject) {
    (video.srcObject as MediaStream).getTracks().forEach((t) => t.stop());
    video.srcObject = null;
    return;
  }
  if (!navigator.mediaDevices?.getUserMedia) return status('this browser offers no camera (getUserMedia)', 'ready');
  video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 } });
  await video.play();
  const detect = await detector('mtcnn');
  const canvas = $<HTMLCanvasElement>('camera');
  const frame = new OffscreenCanvas(1, 1);
  const loop = async () => {
    if (!video.srcObject) return;
    frame.width = video.videoWidth;
    frame.height = video.videoHeight;
    frame.getContext('2d')!.drawImage(video, 0, 0);
    const image = await decodeImageInBrowser(frame);
    const t0 = performance.now();
    const out = await detect([image], ['camera'], options());
    draw(canvas, video, video.videoWidth, video.videoHeight, out.results[0]!.shapes);
    $('timings').textContent = `camera: ${(performance.now() - t0).toFixed(0)} ms per frame`;
    requestAnimationFrame(() => void loop());
  };
  void loop();
}

/** The service worker keeps the page and the models it loads, for offline use (sw.ts). */
async function keepForOffline(): Promise<void> {
  if (!('serviceWorker' in navigator)) return;
  await navigator.serviceWorker.register('./sw.js');
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
  document.body.dataset.offline = 'ready';
}

async function start(): Promise<void> {
  void keepForOffline().catch((err: Error) => console.warn(`offline use unavailable: ${err.message}`));
  const select = $<HTMLSelectElement>('model');
  for (const m of PAGE_MODELS) select.append(new Option(m, m));
  if (!('gpu' in navigator)) {
    $('no-webgpu').hidden = false;
    return status('no WebGPU in this browser', 'no-webgpu');
  }
  try {
    ctx = await acquireGpu();
  } catch (err) {
    $('no-webgpu').hidden = false;
    return status(`no WebGPU adapter: ${(err as Error).message}`, 'no-webgpu');
  }
  $('adapter').textContent = `adapter: ${ctx.adapter.name || ctx.adapter.description || ctx.adapter.vendor}`;
  $<HTMLInputElement>('files').addEventListener('change', (e) => choose((e.target as HTMLInputElement).files ?? []));
  $<HTMLInputElement>('folder').addEventListener('change', (e) => choose((e.target as HTMLInputElement).files ?? []));
  const drop = $('drop');
  drop.addEventListener('dragover', (e) => e.preventDefault());
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    choose(e.dataTransfer?.files ?? []);
  });
  $('run').addEventListener('click', () => void run());
  $('download').addEventListener('click', download);
  $('webcam').addEventListener('click', () => void webcam().catch((err: Error) => status(`camera: ${err.message}`, 'ready')));
  status('ready', 'ready');
}

void start();
