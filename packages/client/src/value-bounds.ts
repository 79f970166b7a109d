/**
 * A bounded walk over a decoded value, for the parts of a frame or body whose shape is open
 * (a message's `data`): no recursion, and it stops as soon as a bound is passed, so neither a
 * deep nor a large value (nor a cycle, which is infinitely deep) costs more than the bounds.
 */
export type Measure =
  | { ok: true; size: number }
  | {
      ok: false;
      why: 'depth' | 'size' | 'type';
      /** Reads after the value's name: "data is larger than 4096 bytes". */
      message: string;
    };

const plainObject = (v: object) => {
  const p = Object.getPrototypeOf(v);
  return p === Object.prototype || p === null;
};

/**
 * The length `JSON.stringify(value)` would have, computed without building it, when `value`
 * is JSON (plain objects, arrays, strings, finite numbers, booleans, null) nested at most
 * `maxDepth` deep and at most `maxSize` long. Anything else (`undefined`, BigInt, functions,
 * Dates, binary, NaN/Infinity) is `type`; too deep (cycles included) is `depth`; too long is `size`.
 */
export function measureJson(value: unknown, maxSize: number, maxDepth: number): Measure {
  let size = 0;
  // Pending values with their depth; a container adds its children.
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    switch (typeof v) {
      case 'string':
        size += JSON.stringify(v).length;
        break;
      case 'number':
        if (!Number.isFinite(v)) return { ok: false, why: 'type', message: 'holds a number that is not finite' };
        size += JSON.stringify(v).length;
        break;
      case 'boolean':
        size += v ? 4 : 5;
        break;
      case 'object': {
        if (v === null) {
          size += 4;
          break;
        }
        if (depth > maxDepth) return { ok: false, why: 'depth', message: `nests deeper than ${maxDepth} levels` };
        if (Array.isArray(v)) {
          size += 2 + Math.max(0, v.length - 1);
          for (let i = 0; i < v.length && size <= maxSize; i++) stack.push([v[i], depth + 1]);
        } else if (plainObject(v)) {
          const keys = Object.keys(v);
          size += 2 + Math.max(0, keys.length - 1);
          for (let i = 0; i < keys.length && size <= maxSize; i++) {
            size += JSON.stringify(keys[i]).length + 1;
            stack.push([(v as Record<string, unknown>)[keys[i]!], depth + 1]);
          }
        } else return { ok: false, why: 'type', message: 'holds a value that is not JSON' };
        break;
      }
      default:
        return { ok: false, why: 'type', message: `holds a ${typeof v}, which is not a JSON value` };
    }
    if (size > maxSize) return { ok: false, why: 'size', message: `is larger than ${maxSize} bytes` };
  }
  return { ok: true, size };
}

/** True when `value` nests at most `maxDepth` deep (scalars are depth 0); iterative, stops early. */
export function withinDepth(value: unknown, maxDepth: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > maxDepth) return false;
    for (const c of Array.isArray(v) ? v : Object.values(v))
      if (typeof c === 'object' && c !== null) stack.push([c, depth + 1]);
  }
  return true;
}
