import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILE, apiTypes, openApiDocument } from '../../scripts/api-types.js';

describe('the web client REST types (web/src/api/openapi.ts)', () => {
  it('are what `npm run gen:api` generates from the served document today', async () => {
    const doc = await openApiDocument();
    const fresh = await apiTypes(doc);
    const committed = fs.readFileSync(API_TYPES_FILE, 'utf8');
    // On a mismatch: run `npm run gen:api` and commit the result.
    expect(committed === fresh, 'web/src/api/openapi.ts is out of date: run npm run gen:api').toBe(true);

    // The comparison sees a change in a named shape (so it can fail).
    const changed = structuredClone(doc) as any;
    changed.components.schemas.PublicUser.properties.nickname = { type: 'integer' };
    expect(await apiTypes(changed)).not.toBe(committed);
  }, 60_000);
});
