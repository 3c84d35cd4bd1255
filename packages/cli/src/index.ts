export { main } from './main.js';
export type { Reporter, Summary } from './output/reporter.js';
