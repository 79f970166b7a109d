import type { Scenario } from './scenario.js';

/** Scale-out: filled in once the Redis bus is wired into the app (cluster branch). */
export const scaleout: Scenario = {
  name: 'scaleout',
  about: 'two nodes through Redis vs one node: throughput ratio and added p99',
  defaultTargets: ['parley:postgres', 'parley2:postgres'],
  ratios: [],
  columns: [],
  async run() {
    throw new Error('scale-out needs the Redis bus wired into the app (cluster branch)');
  },
};
