import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_TYPES_FILES, apiTypes, openApiDocument } from '../../scripts/api-types.js';

describe("the REST types of the web client and @parley/client's REST helper", () => {
  it('are what `npm run gen:api` generates from the served document today', async () => {
    const doc = await openApiDocument();
    const fresh = await apiTypes(doc);
    for (const file of API_TYPES_FILES) {
      // On a mismatch: run `npm run gen:api` and commit the result.
      expect(fs.readFileSync(file, 'utf8') === fresh, `${file} is out of date: run npm run gen:api`).toBe(true);
    }
    const committed = fs.readFileSync(API_TYPES_FILES[0]!, 'utf8');

    // The comparison sees a change in a named shape (so it can fail).
    const changed = structuredClone(doc) as any;
    changed.components.schemas.PublicUser.properties.nickname = { type: 'integer' };
    expect(await apiTypes(changed)).not.toBe(committed);
  }, 60_000);
});
