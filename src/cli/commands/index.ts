import type { CommandModule } from './types.js';
import { infoCommand } from './info.js';
import { analyzeCommand } from './analyze.js';
import { evaluateCommand } from './evaluate.js';
import { predictCommand } from './predict.js';
import { replayCommand } from './replay.js';
import { reportCommand } from './report.js';
import { demoCommand } from './demo.js';
import { recipesCommand } from './recipes.js';
import { subspaceCommand } from './subspace.js';
import { fisherCommand } from './fisher.js';
import { loraCommand } from './lora.js';

/** Every command, in the order `--help` lists them. */
export const commandModules: readonly CommandModule[] = [
  infoCommand,
  analyzeCommand,
  evaluateCommand,
  predictCommand,
  replayCommand,
  reportCommand,
  demoCommand,
  recipesCommand,
  subspaceCommand,
  fisherCommand,
  loraCommand,
];
