import * as path from 'path';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { BundlingOptions } from './bundling-options';
import { checkOneOf, fail, isLiteral } from '../../private/validation';

/** esbuild's loaders (https://esbuild.github.io/api/#loader). */
const LOADERS = [
  'base64',
  'binary',
  'copy',
  'css',
  'dataurl',
  'default',
  'empty',
  'file',
  'global-css',
  'js',
  'json',
  'jsx',
  'local-css',
  'text',
  'ts',
  'tsx',
];

/** An npm package name, optionally scoped (what npm can install). */
const PACKAGE_NAME = /^(@[a-z0-9~][a-z0-9._~-]*\/)?[a-z0-9~][a-z0-9._~-]*$/i;
/** What esbuild's `external` takes: a package or path, with at most one `*` wildcard. */
const EXTERNAL = /^[^\s*]*\*?[^\s*]*$/;

/**
 * Checks the `bundling` options before anything is built, so a bad value names its prop at synth instead of
 * surfacing as esbuild's message about the whole build. Callers without type checks (Python, Java, C#, Go,
 * JavaScript) are the ones this catches.
 */
export function validateBundling(prop: string, bundling: BundlingOptions | undefined): void {
  if (!bundling) return;
  const formats = Object.values(nodejs.OutputFormat);
  checkOneOf(`${prop}.format`, bundling.format, formats, `be a nodejs.OutputFormat (${formats.join(', ')})`);
  const charsets = Object.values(nodejs.Charset);
  checkOneOf(`${prop}.charset`, bundling.charset, charsets, `be a nodejs.Charset (${charsets.join(', ')})`);
  if (isLiteral(bundling.target) && !/^[a-z]+[0-9.]*(,[a-z]+[0-9.]*)*$/i.test(bundling.target!)) {
    fail(`${prop}.target`, 'be an esbuild target such as "node24" or "es2023"', bundling.target);
  }
  (bundling.externalModules ?? []).forEach((name, i) => {
    if (isLiteral(name) && (typeof name !== 'string' || name === '' || !EXTERNAL.test(name))) {
      fail(`${prop}.externalModules[${i}]`, 'be a package or path, with at most one "*", such as "@aws-sdk/*"', name);
    }
  });
  (bundling.nodeModules ?? []).forEach((name, i) => {
    if (isLiteral(name) && (typeof name !== 'string' || !PACKAGE_NAME.test(name))) {
      fail(`${prop}.nodeModules[${i}]`, 'be an npm package name such as "sharp" or "@napi-rs/canvas"', name);
    }
  });
  for (const [name, value] of Object.entries(bundling.define ?? {})) {
    if (isLiteral(value) && typeof value !== 'string') {
      fail(`${prop}.define.${name}`, 'be JavaScript source text, e.g. JSON.stringify("prod")', value);
    }
  }
  for (const [extension, loader] of Object.entries(bundling.loader ?? {})) {
    if (!/^\.[A-Za-z0-9]+$/.test(extension)) {
      fail(`${prop}.loader`, 'be keyed by file extensions such as ".png"', extension);
    }
    checkOneOf(`${prop}.loader.${extension}`, loader, LOADERS, `be an esbuild loader (${LOADERS.join(', ')})`);
  }
  for (const [key, file] of [
    ['tsconfig', bundling.tsconfig] as const,
    ...(bundling.inject ?? []).map((f, i) => [`inject[${i}]`, f] as const),
  ]) {
    if (isLiteral(file) && (typeof file !== 'string' || file.trim() === '' || file.includes('\0'))) {
      fail(`${prop}.${key}`, 'be the path of a file', file);
    }
    if (isLiteral(file) && !path.extname(file as string)) {
      fail(`${prop}.${key}`, 'be the path of a file, with its extension', file);
    }
  }
}
