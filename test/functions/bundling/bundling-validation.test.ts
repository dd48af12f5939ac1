import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import { BundlingOptions, ServerlessApi } from '../../../src';
import { defaultProps, expectError, fn, newStack, route } from '../../helpers/api';

/** What callers without type checks can pass: any JSON value where a typed one belongs. */
const loose = (options: object) => options as BundlingOptions;

describe('bundling options are checked before anything is built, naming the prop', () => {
  test('GIVEN an output format that is not an OutputFormat THEN it is refused with the formats', () => {
    expectError(
      { functionDefaults: { bundling: loose({ format: 'commonjs' }) } },
      '`functionDefaults.bundling.format` must be a nodejs.OutputFormat (cjs, esm), got: "commonjs"',
    );
  });

  test('GIVEN a target esbuild cannot read THEN it is refused with an example', () => {
    expectError(
      { functionDefaults: { bundling: { target: 'node 24' } } },
      '`functionDefaults.bundling.target` must be an esbuild target such as "node24" or "es2023", got: "node 24"',
    );
  });

  test('GIVEN a module name with spaces in one function THEN that function and index are named', () => {
    expectError(
      {
        functions: {
          items: fn([route(HttpMethod.GET, '/items')], { bundling: { nodeModules: ['sharp', 'not a module'] } }),
        },
      },
      '`functions.items.bundling.nodeModules[1]` must be an npm package name such as "sharp" or "@napi-rs/canvas", got: "not a module"',
    );
  });

  test('GIVEN an external with two wildcards THEN it is refused', () => {
    expectError(
      { functionDefaults: { bundling: { externalModules: ['@aws-sdk/*/*'] } } },
      '`functionDefaults.bundling.externalModules[0]` must be a package or path, with at most one "*", such as "@aws-sdk/*", got: "@aws-sdk/*/*"',
    );
  });

  test('GIVEN a define value that is not source text THEN the key is named', () => {
    expectError(
      { functionDefaults: { bundling: loose({ define: { DEBUG: true } }) } },
      '`functionDefaults.bundling.define.DEBUG` must be JavaScript source text, e.g. JSON.stringify("prod"), got: true',
    );
  });

  test('GIVEN a loader esbuild does not have THEN the extension is named and the loaders listed', () => {
    expectError(
      { functionDefaults: { bundling: { loader: { '.png': 'image' } } } },
      '`functionDefaults.bundling.loader..png` must be an esbuild loader (base64, binary, copy, css, dataurl, default, empty, file, global-css, js, json, jsx, local-css, text, ts, tsx), got: "image"',
    );
  });

  test('GIVEN the values esbuild takes THEN nothing is refused', () => {
    const bundling: BundlingOptions = {
      format: nodejs.OutputFormat.ESM,
      charset: nodejs.Charset.UTF8,
      target: 'node24,es2023',
      externalModules: ['@aws-sdk/*', 'pg-native', './generated/*.json'],
      nodeModules: ['esbuild', '@types/aws-lambda'],
      define: { 'process.env.STAGE': JSON.stringify('prod') },
      loader: { '.png': 'dataurl' },
      tsconfig: 'tsconfig.json',
    };

    expect(
      () => new ServerlessApi(newStack(), 'Api', { ...defaultProps(), functionDefaults: { bundling } }),
    ).not.toThrow();
  });
});
