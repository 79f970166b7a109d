import { useEffect, useState } from 'preact/hooks';

/**
 * A minimal observable value: `set` replaces (or derives) the state and notifies subscribers.
 * Components read slices through {@link useStore}, which re-renders only when the slice changes
 * identity, so updates must be immutable.
 */
export class Store<T> {
  private listeners = new Set<() => void>();
  constructor(private state: T) {}

  get(): T {
    return this.state;
  }

  set(next: T | ((s: T) => T)): void {
    const value = typeof next === 'function' ? (next as (s: T) => T)(this.state) : next;
    if (value === this.state) return;
    this.state = value;
    for (const l of [...this.listeners]) l();
  }

  subscribe(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }
}

export function useStore<T, S>(store: Store<T>, select: (s: T) => S): S {
  const [, force] = useState(0);
  const current = select(store.get());
  useEffect(() => {
    let last = select(store.get());
    return store.subscribe(() => {
      const next = select(store.get());
      if (!Object.is(next, last)) {
        last = next;
        force((n) => n + 1);
      }
    });
    // The selector is re-created every render; subscribing once with the first is enough
    // because selectors here only read the state they are given.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store]);
  return current;
}
