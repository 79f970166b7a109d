import { expect } from 'vitest';
import type { MatrixEntry } from './matrix-types.js';

/** The API description and its viewer: public by design, and they hold no user data. */
const docs = (route: string, path: string): MatrixEntry => ({
  route,
  public: true,
  setup: async () => ({ path, cases: [{ who: 'anyone', expect: 200 }] }),
});

export const entries: MatrixEntry[] = [
  docs('GET /api/v1/docs', '/api/v1/docs'),
  docs('GET /api/v1/docs/static/index.html', '/api/v1/docs/static/index.html'),
  docs('GET /api/v1/docs/static/swagger-initializer.js', '/api/v1/docs/static/swagger-initializer.js'),
  docs('GET /api/v1/docs/static/*', '/api/v1/docs/static/swagger-ui.css'),
  docs('GET /api/v1/docs/yaml', '/api/v1/docs/yaml'),
  {
    route: 'GET /api/v1/docs/json',
    public: true,
    setup: async () => ({
      path: '/api/v1/docs/json',
      cases: [{ who: 'anyone', expect: 200, check: (b) => expect(b.openapi).toBe('3.0.3') }],
    }),
  },
  {
    route: 'GET /api/v1/openapi.json',
    public: true,
    setup: async () => ({
      path: '/api/v1/openapi.json',
      cases: [{ who: 'anyone', expect: 200, check: (b) => expect(Object.keys(b.paths).length).toBeGreaterThan(10) }],
    }),
  },
];
