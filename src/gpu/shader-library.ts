// Turns shaders/*.wgsl files plus a defines object into WGSL source. A file marks its variation
// points as `${NAME}`; this loader splits the file there and hands the pieces to wgsl-preprocessor's
// template tag with defines[NAME] as the values, so `#if ${HAS_BIAS}` and `@workgroup_size(${WG})`
// behave exactly as in a template literal. Nothing else is substituted.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { shaderFiles } from './shader-files.js';

export type DefineValue = boolean | number;
export type Defines = Readonly<Record<string, DefineValue>>;

export interface PreprocessedShader {
  code: string;
  /** Per line of `code`: the file and 1-based line it came from (line 0: a directive's remnant). */
  lineOrigins: Array<{ file: string; line: number }>;
}

const PLACEHOLDER = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;
const DIRECTIVE = /#(if|elif|else|endif)\b/;

// Sources added at run time (custom ops, tests); the built-in shaders/ files cannot be replaced.
const extraFiles = new Map<string, string>();

export function registerShaderFile(file: string, text: string): void {
  if (file in shaderFiles) throw new Error(`shader file '${file}' is built in and cannot be replaced`);
  extraFiles.set(file, text);
  preprocessed.clear();
}

export function shaderSource(file: string): string {
  const text = shaderFiles[file] ?? extraFiles.get(file);
  if (text === undefined) {
    throw new Error(`unknown shader file '${file}' (known: ${Object.keys(shaderFiles).join(', ')})`);
  }
  return text;
}

/** The `${NAME}` placeholders a file uses, in order of appearance (with repeats). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

function expand(text: string, defines: Defines, file: string): string {
  const strings = text.split(PLACEHOLDER).filter((_, i) => i % 2 === 0);
  const values = placeholders(text).map((name) => {
    if (!(name in defines)) {
      throw new Error(`shader ${file} uses \${${name}} but the defines give no ${name} (defines: ${JSON.stringify(defines)})`);
    }
    return defines[name];
  });
  try {
    return wgsl(strings, ...values);
  } catch (err) {
    throw new Error(`shader ${file}: preprocessor: ${(err as Error).message}`);
  }
}

/**
 * Line origins: run the preprocessor a second time over a skeleton of the file in which every
 * non-directive line is replaced by its own line number. The same defines take the same branches,
 * so the skeleton's output lists, line by line, where each line of the real output came from.
 */
function originsOf(text: string, defines: Defines, file: string): Array<{ file: string; line: number }> {
  const skeleton = text
    .split('\n')
    .map((line, i) => (DIRECTIVE.test(line) ? line : `@${i + 1}`))
    .join('\n');
  return expand(skeleton, defines, file)
    .split('\n')
    .map((line) => ({ file, line: /^@(\d+)$/.test(line.trim()) ? Number(line.trim().slice(1)) : 0 }));
}

/**
 * Earlier results by files and defines. Every kernel a batch binds asks for its source (the pipeline
 * key is the preprocessed code), and preprocessing twice per file was ~0.2 s of JavaScript per
 * 39-photo MTCNN pass on this machine. The result is shared: callers only read it.
 */
const preprocessed = new Map<string, PreprocessedShader>();

/** Preprocesses and concatenates `files` (includes first, op shader last). */
export function preprocess(files: readonly string[], defines: Defines): PreprocessedShader {
  const key = `${files.join('\n')}\n${JSON.stringify(Object.entries(defines).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))}`;
  let shader = preprocessed.get(key);
  if (!shader) {
    shader = preprocessFiles(files, defines);
    preprocessed.set(key, shader);
  }
  return shader;
}

function preprocessFiles(files: readonly string[], defines: Defines): PreprocessedShader {
  const used = new Set<string>();
  const parts: string[] = [];
  const lineOrigins: PreprocessedShader['lineOrigins'] = [];
  for (const file of files) {
    const text = shaderSource(file);
    placeholders(text).forEach((name) => used.add(name));
    const code = expand(text, defines, file);
    const origins = originsOf(text, defines, file);
    const lines = code.split('\n');
    if (origins.length !== lines.length) {
      throw new Error(`shader ${file}: keep #if/#elif/#else/#endif on lines of their own`);
    }
    parts.push(code);
    lineOrigins.push(...origins);
  }
  const unused = Object.keys(defines).filter((name) => !used.has(name));
  if (unused.length > 0) {
    // A define no file reads would still change nothing but could hide a typo in a variant name.
    throw new Error(`defines ${unused.join(', ')} are not used by ${files.join(' + ')}`);
  }
  return { code: parts.join('\n'), lineOrigins };
}
