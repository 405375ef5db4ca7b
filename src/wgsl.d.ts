// .wgsl files are imported as their text (esbuild `text` loader, the vitest plugin and the Node
// loader hook in scripts/ all do the same).
declare module '*.wgsl' {
  const source: string;
  export default source;
}

// wgsl-preprocessor ships no types and no package entry point: a template-literal tag returning the preprocessed source.
declare module 'wgsl-preprocessor/wgsl-preprocessor.js' {
  export function wgsl(strings: readonly string[], ...values: unknown[]): string;
}
