import { defaultClientConditions, defaultServerConditions } from 'vite';

/**
 * Workspace packages (`@parley/client`) resolve to their TypeScript source under the
 * `@parley/source` export condition, so tests run the code as it is, with no package build.
 * Processes the tests start get the same condition with `--conditions=@parley/source`.
 */
export const SOURCE_CONDITION = '@parley/source';

export const sourceResolve = {
  resolve: { conditions: [SOURCE_CONDITION, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE_CONDITION, ...defaultServerConditions] } },
};
