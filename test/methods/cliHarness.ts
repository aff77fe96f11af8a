export { runCaptured as cli } from '../helpers/cli.js';
