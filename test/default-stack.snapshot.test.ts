import { buildApi } from './helpers/api';

/**
 * A safety net only: every behaviour of the default stack has its own fine-grained test. This one shows any
 * other change to the template in review. The asset hash is masked because the bundle's source map records
 * the handler's path relative to the temporary build directory, so it differs between checkouts.
 */
test('the default stack matches its snapshot', () => {
  const { template } = buildApi();
  const masked = JSON.stringify(template.toJSON()).replace(/\b[0-9a-f]{64}\b/g, '<asset hash>');
  expect(JSON.parse(masked)).toMatchSnapshot();
});
