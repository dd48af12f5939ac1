import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * How a function's handler is bundled. The library bundles every function of an app with esbuild's own API, in one
 * build with many entry points, and reuses an unchanged function's bundle between synths.
 *
 * The names and defaults follow `aws-lambda-nodejs`' `BundlingOptions`, less its Docker options: esbuild runs in
 * process, from the app's own `esbuild` devDependency.
 */
export interface BundlingOptions {
  /**
   * Whether to minify the bundle.
   *
   * @default true
   */
  readonly minify?: boolean;
  /**
   * Whether to write a source map beside the bundle. With the default bundling the function also gets
   * `NODE_OPTIONS=--enable-source-maps`, so a stack trace points at the handler's own source.
   *
   * @default true
   */
  readonly sourceMap?: boolean;
  /**
   * Whether the source map embeds the original sources. Lambda's `--enable-source-maps` needs only the mappings to
   * point a stack trace at the source; the sources would triple the size of a typical bundle (and of its upload),
   * so they are left out unless asked for, e.g. for a debugger.
   *
   * @default false
   */
  readonly sourcesContent?: boolean;
  /**
   * The esbuild target environment.
   *
   * @default - the function's runtime, e.g. `node24` for `lambda.Runtime.NODEJS_24_X`
   */
  readonly target?: string;
  /**
   * The output format: CommonJS (`index.js`) or an ECMAScript module (`index.mjs`).
   *
   * @default nodejs.OutputFormat.CJS
   */
  readonly format?: nodejs.OutputFormat;
  /**
   * Modules left out of the bundle because the runtime provides them. Replaces the default list.
   *
   * @default ['@aws-sdk/*'] - the AWS SDK for JavaScript v3 that Node.js runtimes include
   */
  readonly externalModules?: string[];
  /**
   * Modules installed into the bundle's own `node_modules` instead of being bundled, for native or dynamically
   * loaded dependencies. Each is installed with npm at the version the app has installed, for Linux and the
   * function's architecture.
   *
   * @default - every dependency is bundled
   */
  readonly nodeModules?: string[];
  /**
   * Identifiers replaced by constant expressions at build time (esbuild's `define`), e.g.
   * `{ 'process.env.STAGE': JSON.stringify('prod') }`.
   *
   * @default - no replacement
   */
  readonly define?: { [key: string]: string };
  /**
   * Text put at the top of the bundle, e.g. a `createRequire` shim for ESM output.
   *
   * @default - none
   */
  readonly banner?: string;
  /**
   * Text put at the end of the bundle.
   *
   * @default - none
   */
  readonly footer?: string;
  /**
   * esbuild loaders by file extension, e.g. `{ '.png': 'dataurl' }`.
   *
   * @default - esbuild's loaders
   */
  readonly loader?: { [extension: string]: string };
  /**
   * Whether to keep function and class names through minification.
   *
   * @default false
   */
  readonly keepNames?: boolean;
  /**
   * The package.json fields tried, in order, to resolve a package's entry.
   *
   * @default - esbuild's default for the platform (`main,module`), or `module,main` with ESM output
   */
  readonly mainFields?: string[];
  /**
   * Files whose exports are imported into every module of the bundle (esbuild's `inject`).
   *
   * @default - none
   */
  readonly inject?: string[];
  /**
   * The tsconfig.json esbuild reads for paths and decorators.
   *
   * @default - the nearest tsconfig.json of each source file
   */
  readonly tsconfig?: string;
  /**
   * The character set of the output.
   *
   * @default nodejs.Charset.ASCII
   */
  readonly charset?: nodejs.Charset;
}
