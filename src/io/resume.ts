// `detect --resume` (Node-only): which inputs of an interrupted run already have a line in the
// output file. A run appends whole lines once per batch, so a crash (kill -9, power loss) can leave
// at most a last line cut short: that tail is cut off the file and its input redone. Lines that do
// not parse elsewhere are dropped the same way. With `retryErrors`, error lines ({file, error}) are
// removed so their inputs run again. The file is rewritten atomically (a temporary file renamed
// over it) only when something must be removed, so each input ends with exactly one line.
import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomically } from './atomic-write.js';

export interface ResumeState {
  /** `file` of every input with a line that stays (a result, or an error when not retried). */
  done: Set<string>;
  /** Lines kept, of which errors. */
  kept: number;
  keptErrors: number;
  /** A last line cut short (removed; its input runs again). */
  cutTail: boolean;
  /** Lines that did not parse (removed) and error lines removed for --retry-errors. */
  dropped: number;
  retried: number;
}

export function prepareResume(path: string, options: { retryErrors?: boolean } = {}): ResumeState {
  const state: ResumeState = { done: new Set(), kept: 0, keptErrors: 0, cutTail: false, dropped: 0, retried: 0 };
  if (!existsSync(path)) return state;
  const text = readFileSync(path, 'utf8');
  const segments = text.split('\n');
  // The text after the last newline is a line the crash cut short (or nothing).
  const tail = segments.pop()!;
  if (tail.length > 0) state.cutTail = true;
  // Per input, in order of first appearance: its line (a result wins over an error when a run
  // without --resume appended the input twice).
  const lines = new Map<string, { line: string; error: boolean }>();
  for (const line of segments) {
    if (line.trim().length === 0) continue;
    let parsed: { file?: unknown; error?: unknown };
    try {
      parsed = JSON.parse(line) as { file?: unknown; error?: unknown };
    } catch {
      state.dropped++;
      continue;
    }
    if (typeof parsed.file !== 'string') {
      state.dropped++;
      continue;
    }
    const error = parsed.error !== undefined;
    if (error && options.retryErrors) {
      state.retried++;
      continue;
    }
    const before = lines.get(parsed.file);
    if (before) {
      state.dropped++;
      if (!(before.error && !error)) continue;
    }
    lines.set(parsed.file, { line, error });
  }
  const keep = [...lines.values()].map((l) => l.line);
  for (const [file, l] of lines) {
    state.done.add(file);
    state.kept++;
    if (l.error) state.keptErrors++;
  }
  if (state.cutTail || state.dropped > 0 || state.retried > 0) writeFileAtomically(path, keep.map((l) => `${l}\n`).join(''));
  return state;
}
